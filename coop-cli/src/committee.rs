//! `coop committee …`: committees set up by the cooperative or for a project, their seats,
//! meetings and minutes.

use std::process::ExitCode;

use coop_core::bodies::MeetingRecord;
use coop_core::{Command, Participant, Who};
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::{CommitteeCmd, WhoArg};
use crate::output::{self, Table};
use crate::{member_arg, state_with, written, Ctx, Failure, Out};

pub fn run(ctx: &Ctx, store: &Store, cmd: CommitteeCmd) -> Out {
    match cmd {
        CommitteeCmd::Create { slug, name, project } => {
            let r = store.execute(ctx.request(Command::CreateCommittee { slug: slug.clone(), name, project }))?;
            written(ctx, &r, format!("committee {slug} set up"))
        }
        CommitteeCmd::Join { committee, who, role } => {
            let who = crate::project::who(ctx, store, who, true)?;
            let r = store.execute(ctx.request(Command::JoinCommittee { committee: committee.clone(), who, role }))?;
            written(ctx, &r, format!("seat taken on committee {committee}"))
        }
        CommitteeCmd::Leave { committee, who } => {
            let who = crate::project::who(ctx, store, who, false)?;
            let r = store.execute(ctx.request(Command::LeaveCommittee { committee: committee.clone(), who }))?;
            written(ctx, &r, format!("seat on committee {committee} left"))
        }
        CommitteeCmd::Meeting { committee, slug, present, partner, decision } => {
            let mut who = Vec::new();
            for p in present.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
                let arg = member_arg::member(p).map_err(Failure::input)?;
                who.push(Who::Member(member_arg::pick(ctx, store, &arg)?));
            }
            for name in partner {
                who.push(crate::project::who(ctx, store, WhoArg { member: None, partner: Some(name) }, false)?);
            }
            let record = MeetingRecord {
                body: committee.clone(),
                meeting: slug.clone(),
                present: who,
                decisions: decision,
                chair: None,
                secretary: None,
            };
            let r = store.execute(ctx.request(Command::HoldMeeting(record)))?;
            written(ctx, &r, format!("meeting {slug} of committee {committee} recorded (coop committee minutes {slug})"))
        }
        CommitteeCmd::List => list(ctx, store),
        CommitteeCmd::Show { committee } => show(ctx, store, &committee),
        CommitteeCmd::Minutes { meeting, doc } => {
            let state = state_with(ctx, store, Part::default())?;
            let body =
                state.bodies.iter().find(|(_, b)| !b.is_board() && b.meetings.iter().any(|m| m.slug == meeting)).map(|(k, _)| k.clone());
            match body {
                Some(body) => crate::board::minutes(ctx, store, &body, &meeting, doc),
                None => {
                    let known: Vec<String> =
                        state.bodies.values().filter(|b| !b.is_board()).flat_map(|b| b.meetings.iter().map(|m| m.slug.clone())).collect();
                    Err(crate::not_in_log("committee meeting", "committee meetings", &meeting, known.iter()))
                }
            }
        }
    }
}

fn list(ctx: &Ctx, store: &Store) -> Out {
    let state = state_with(ctx, store, Part::default())?;
    let date = ctx.as_of.unwrap_or(ctx.today);
    let committees: Vec<_> = state.bodies.iter().filter(|(_, b)| !b.is_board()).collect();
    if ctx.cli_json {
        let rows: Vec<_> = committees
            .iter()
            .map(|(slug, b)| json!({"committee": slug, "name": b.name, "project": b.project, "created": b.created, "seats": b.seated(date).count(), "meetings": b.meetings.len()}))
            .collect();
        output::json(&json!({"date": date, "committees": rows}))?;
        return Ok(ExitCode::SUCCESS);
    }
    if committees.is_empty() {
        println!("no committee is set up (coop committee create SLUG --name NAME [--project P])");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(vec!["committee", "name", "project", "since", "seats", "meetings"]);
    for (slug, b) in committees {
        t.push(vec![
            slug.clone(),
            b.name.clone(),
            b.project.clone().unwrap_or_default(),
            b.created.to_string(),
            b.seated(date).count().to_string(),
            b.meetings.len().to_string(),
        ]);
    }
    print!("{}", t.text());
    Ok(ExitCode::SUCCESS)
}

/// The seats of committee `slug` on --as-of, and its meetings.
fn show(ctx: &Ctx, store: &Store, slug: &str) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let date = ctx.as_of.unwrap_or(ctx.today);
    let Some(b) = state.bodies.get(slug).filter(|b| !b.is_board()) else {
        let known: Vec<String> = state.bodies.iter().filter(|(_, b)| !b.is_board()).map(|(k, _)| k.clone()).collect();
        return Err(crate::not_in_log("committee", "committees", slug, known.iter()));
    };
    let name = |p: Participant| crate::project::name_of(store, &state, p);
    let kind = |p: Participant| match p {
        Participant::Member(n) => format!("member {n}"),
        Participant::Partner(_) => "partner".to_string(),
    };
    if ctx.cli_json {
        let seats: Vec<_> = b.seated(date).map(|s| json!({"name": name(s.who), "who": s.who, "role": s.role, "from": s.from})).collect();
        output::json(
            &json!({"committee": slug, "name": b.name, "project": b.project, "date": date, "seats": seats, "meetings": b.meetings.iter().map(|m| &m.slug).collect::<Vec<_>>()}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} ({slug}){}", b.name, b.project.as_ref().map(|p| format!(", for project {p}")).unwrap_or_default());
    let mut t = Table::new(vec!["name", "who", "role", "since"]);
    for s in b.seated(date) {
        t.push(vec![name(s.who), kind(s.who), s.role.clone(), s.from.to_string()]);
    }
    print!("{}", t.text());
    println!("on {date}: {}", coop_core::count(b.seated(date).count() as u64, "seat", "seats"));
    for m in &b.meetings {
        println!("met {} ({}): {}", m.date, m.slug, coop_core::count(m.decisions.len() as u64, "decision", "decisions"));
    }
    Ok(ExitCode::SUCCESS)
}
