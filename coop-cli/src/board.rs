//! `coop board …`: the board elected by assemblies, carrying out an election or revocation, a
//! resignation, and the board's meetings with their minutes. `coop committee …` is in
//! `committee.rs`; both share [`meetings`] and [`minutes`].

use std::process::ExitCode;

use coop_core::bodies::{MeetingRecord, BOARD};
use coop_core::{Command, Office, Participant, State, Who};
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::{BoardCmd, DocArgs};
use crate::output::{self, Table};
use crate::{member_arg, state_with, written, Ctx, Failure, Out};

pub fn run(ctx: &Ctx, store: &Store, cmd: BoardCmd) -> Out {
    match cmd {
        BoardCmd::Elect { assembly, resolution } => {
            let r = store.execute(ctx.on_meeting(store, &assembly, Command::Elect { assembly: assembly.clone(), resolution }))?;
            written(
                ctx,
                &r,
                format!(
                    "{} by resolution {resolution} of {assembly}",
                    coop_core::count(r.events.len() as u64, "member elected", "members elected")
                ),
            )
        }
        BoardCmd::Resign { member, office } => {
            let office = Office::parse(&office).unwrap_or(Office::Board);
            let member = member_arg::pick(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::Resign { member, office }))?;
            written(ctx, &r, format!("member {member} resigned as {}", office.title()))
        }
        BoardCmd::Meeting { slug, present, decision, chair, secretary } => {
            let mut who = Vec::with_capacity(present.len());
            for p in present.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
                let arg = crate::member_arg::member(p).map_err(Failure::input)?;
                who.push(Who::Member(member_arg::pick(ctx, store, &arg)?));
            }
            let record = MeetingRecord {
                body: BOARD.into(),
                meeting: slug.clone(),
                present: who,
                decisions: decision,
                chair: member_arg::pick_opt(ctx, store, &chair)?,
                secretary: member_arg::pick_opt(ctx, store, &secretary)?,
            };
            let r = store.execute(ctx.request(Command::HoldMeeting(record)))?;
            written(ctx, &r, format!("board meeting {slug} recorded (coop board minutes {slug})"))
        }
        BoardCmd::Meetings => meetings(ctx, store, BOARD),
        BoardCmd::Minutes { meeting, doc } => minutes(ctx, store, BOARD, &meeting, doc),
        BoardCmd::List => {
            let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
            let date = ctx.as_of.unwrap_or(ctx.today);
            let board = coop_core::bodies::board(&state, date);
            let name = |n: coop_core::MemberNo| state.members.get(&n).map(|m| crate::party_name(store, m.party)).unwrap_or_default();
            if ctx.cli_json {
                let rows: Vec<_> = board
                    .iter()
                    .map(|(n, m)| json!({"member": n, "name": name(*n), "office": m.office, "from": m.from, "until": m.until, "decided_by": m.decided_by}))
                    .collect();
                output::json(&json!({"date": date, "board": rows}))?;
                return Ok(ExitCode::SUCCESS);
            }
            if board.is_empty() {
                println!("on {date}: no board member holds a mandate from an election (an assembly elects them: elect = [MEMBER, ...])");
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new(vec!["member", "name", "from", "until", "elected by"]);
            for (n, m) in &board {
                t.push(vec![
                    n.to_string(),
                    name(*n),
                    m.from.to_string(),
                    m.until.to_string(),
                    format!("{}, resolution {}", m.decided_by.assembly, m.decided_by.resolution),
                ]);
            }
            print!("{}", t.text());
            let st = state.statutes.as_ref();
            let (lo, hi) = (st.and_then(|s| s.board.min_members), st.and_then(|s| s.board.max_members));
            println!(
                "on {date}: {}{}",
                coop_core::count(board.len() as u64, "board member", "board members"),
                match (lo, hi) {
                    (None, None) => String::new(),
                    (lo, hi) => format!(
                        " (the statutes ask for {} to {})",
                        lo.map_or("any".into(), |x| x.to_string()),
                        hi.map_or("any".into(), |x| x.to_string())
                    ),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The meetings of the board (`BOARD`) or of a committee, with who was present and the number
/// of decisions.
pub fn meetings(ctx: &Ctx, store: &Store, body: &str) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let list = state.bodies.get(body).map(|b| b.meetings.as_slice()).unwrap_or_default();
    let name = |p: Participant| crate::project::name_of(store, &state, p);
    if ctx.cli_json {
        let rows: Vec<_> = list
            .iter()
            .map(|m| {
                json!({"meeting": m.slug, "date": m.date, "present": m.present.iter().map(|p| name(*p)).collect::<Vec<_>>(),
                       "decisions": m.decisions, "chair": m.chair, "secretary": m.secretary})
            })
            .collect();
        output::json(&json!({"body": body, "meetings": rows}))?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no meeting of {} recorded yet", if body == BOARD { "the board".to_string() } else { format!("committee {body}") });
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(vec!["meeting", "date", "present", "decisions"]);
    for m in list {
        let (chair, secretary) = m.numbers();
        let count = m.decisions.len() + usize::from(chair.is_some()) + usize::from(secretary.is_some());
        t.push(vec![
            m.slug.clone(),
            m.date.to_string(),
            m.present.iter().map(|p| name(*p)).collect::<Vec<_>>().join(", "),
            count.to_string(),
        ]);
    }
    print!("{}", t.text());
    Ok(ExitCode::SUCCESS)
}

/// The minutes of meeting `slug` of the board (`BOARD`) or of a committee.
pub fn minutes(ctx: &Ctx, store: &Store, body: &str, slug: &str, doc: DocArgs) -> Out {
    let (format, lang) = (doc.format, doc.lang);
    let state: State = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let b = state.bodies.get(body);
    let Some(meeting) = b.and_then(|b| b.meetings.iter().find(|m| m.slug == slug)) else {
        let known = b.map(|b| b.meetings.iter().map(|m| m.slug.clone()).collect::<Vec<_>>()).unwrap_or_default();
        return Err(crate::not_in_log("meeting", "meetings", slug, known.iter()));
    };
    // A legal person with the person who represents it on the meeting's date.
    let name = |p: Participant| {
        let plain = crate::project::name_of(store, &state, p);
        let member = match p {
            Participant::Member(n) => state.members.get(&n),
            Participant::Partner(_) => None,
        };
        match member.and_then(|m| crate::assembly::representative(store, m, meeting.date)) {
            Some(r) => format!("{plain}, {} {}", crate::documents::tr(lang, "représentée par", "represented by"), r.name),
            None => plain,
        }
    };
    let board = coop_core::bodies::board(&state, meeting.date).into_iter().map(|(n, _)| n).collect();
    let coop = state.statutes.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let input = crate::documents::BodyMinutesInput { coop: &coop, committee: b.filter(|b| !b.is_board()), board, meeting, name: &name };
    let doc = crate::documents::body_minutes(lang, &state, &input);
    print!("{}", doc.render(format));
    Ok(ExitCode::SUCCESS)
}
