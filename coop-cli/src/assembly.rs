//! `coop assembly …`: parse, call the library, print. Rules are in coop-core.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use coop_core::{Assembly, Command, MemberNo, ResolutionKind, State, Statutes};
use coop_store::Store;
use serde_json::json;

use crate::args::{AssemblyCmd, KindOfAssembly};
use crate::documents::{self, MinutesInput};
use crate::member_arg::{pick, pick_opt};
use crate::output::{self, Table};
use crate::{read_file, state_for, written, Ctx, Failure, Out};

fn find<'s>(state: &'s State, slug: &str) -> Result<&'s Assembly, Failure> {
    state.assemblies.get(slug).ok_or_else(|| crate::not_in_log("assembly", "assemblies", slug, state.assemblies.keys()))
}

fn statutes(state: &State) -> Result<&Statutes, Failure> {
    state.statutes.as_ref().ok_or_else(|| Failure::input("no statutes in force on that date"))
}

/// The person representing legal person `m` on `date`, if it designated one: its personal data.
pub(crate) fn representative(store: &Store, m: &coop_core::Member, date: chrono::NaiveDate) -> Option<coop_core::Personal> {
    let r = m.representatives.iter().rev().find(|r| r.since <= date)?;
    store.personal(r.party).ok().flatten()
}

/// Each member's name as an assembly's documents write it: a legal person with the person who
/// represents it on the meeting's date ("Commune de Montval, représentée par Jeanne Maire").
fn names_at(store: &Store, state: &State, a: &Assembly, lang: crate::args::Lang) -> impl Fn(MemberNo) -> String {
    let map: std::collections::BTreeMap<MemberNo, String> = state
        .members
        .values()
        .map(|m| {
            let name = crate::party_name(store, m.party);
            let shown = match representative(store, m, a.date) {
                Some(r) => format!("{name}, {} {}", documents::tr(lang, "représentée par", "represented by"), r.name),
                None => name,
            };
            (m.number, shown)
        })
        .collect();
    move |n| map.get(&n).cloned().unwrap_or_else(|| "?".into())
}

/// The resolutions on which a member's vote was cast at the meeting (open or secret ballot).
fn voted_on(a: &Assembly, m: MemberNo) -> Vec<u32> {
    let open = a.votes.iter().filter(|(_, v)| v.contains_key(&m)).map(|(n, _)| *n);
    let secret = a.voted.iter().filter(|(_, v)| v.contains_key(&m)).map(|(n, _)| *n);
    let mut all: Vec<u32> = open.chain(secret).collect();
    all.sort_unstable();
    all
}

fn quorums(state: &State, st: &Statutes, a: &Assembly) -> Vec<coop_core::Quorum> {
    a.kinds().into_iter().map(|k| coop_core::quorum(state, st, a, k)).collect()
}

/// The log's anchor at closed assembly `slug`'s closing: the event's number and hash.
fn closing(store: &Store, slug: &str) -> Result<documents::data::Anchor, Failure> {
    let closing = store.find_event(|e| matches!(e, coop_core::Event::AssemblyClosed { assembly, .. } if assembly == slug))?;
    Ok(closing.map(|a| (a.seq, a.hash)))
}

/// Ends a closed assembly's document with the log's anchor at its closing (the event's number
/// and hash): the paper signed by the chair then anchors the log (`coop audit verify --expect`).
fn anchor_closing(doc: &mut documents::Doc, lang: crate::args::Lang, closing: &documents::data::Anchor) {
    if let Some((seq, hash)) = closing {
        doc.blocks.push(documents::Block::P(documents::tr(
            lang,
            &format!("Journal des décisions : clôture enregistrée à l'événement {seq}, empreinte {hash} (vérifiable par `coop audit verify --expect {seq}:{hash}`)."),
            &format!("Decision log: closing recorded as event {seq}, hash {hash} (checked by `coop audit verify --expect {seq}:{hash}`)."),
        )));
    }
}

pub fn run(ctx: &Ctx, store: &Store, cmd: AssemblyCmd) -> Out {
    let on_meeting = |slug: &str, command: Command| ctx.on_meeting(store, slug, command);
    match cmd {
        AssemblyCmd::Convene { slug, kind, place, time, agenda, second_of, sent } => {
            let Some(date) = ctx.date else {
                return Err(Failure::input("give the meeting's date with --date YYYY-MM-DD"));
            };
            let text = read_file(&agenda, "agenda file")?;
            // A statutes file an `amend` key names is read relative to the agenda.
            let dir = agenda.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut read = |file: &str| read_file(&dir.join(file), "statutes file").map_err(|f| f.message);
            let resolutions = coop_core::parse_agenda_with(&text, &mut read).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| format!("{}: {p}", agenda.display())).collect();
                Failure::input(format!("the agenda is not valid; nothing was written:\n{}", lines.join("\n")))
            })?;
            let kind = match kind {
                KindOfAssembly::Ordinary => ResolutionKind::Ordinary,
                KindOfAssembly::Extraordinary => ResolutionKind::Extraordinary,
            };
            let n = resolutions.len();
            let mut r = ctx.request(Command::Convene {
                time,
                slug: slug.clone(),
                kind,
                date,
                place,
                agenda: resolutions,
                second_of,
                edition: None,
            });
            r.date = sent.unwrap_or(ctx.today);
            let receipt = store.execute(r)?;
            written(
                ctx,
                &receipt,
                format!("assembly {slug} convened for {date} with {}", coop_core::count(n as u64, "resolution", "resolutions")),
            )
        }
        AssemblyCmd::List => {
            let state = state_for(ctx, store)?;
            if ctx.cli_json {
                let list: Vec<_> = state
                    .assemblies
                    .values()
                    .map(|a| json!({"slug": a.slug, "kind": a.kind, "date": a.date, "place": a.place, "resolutions": a.agenda.len(), "second_of": a.second_of, "closed": a.closed_on, "edition": a.edition, "roll_cutoff": a.roll_cutoff}))
                    .collect();
                output::json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new(vec!["slug", "kind", "date", "place", "resolutions", "convocation", "status"]);
            for a in state.assemblies.values() {
                t.push(vec![
                    a.slug.clone(),
                    a.kind.as_str().into(),
                    a.date.to_string(),
                    a.place.clone(),
                    a.agenda.len().to_string(),
                    if a.second_of.is_some() { "second".into() } else { "first".into() },
                    a.closed_on.map(|d| format!("closed {d}")).unwrap_or_else(|| "open".into()),
                ]);
            }
            print!("{}", t.text());
            Ok(ExitCode::SUCCESS)
        }
        AssemblyCmd::Roll { assembly } => {
            let state = state_for(ctx, store)?;
            let a = find(&state, &assembly)?;
            let roll = coop_core::roll(&state, a);
            let name = crate::member_arg::names(store, &state);
            if ctx.cli_json {
                let rows: Vec<_> = roll
                    .iter()
                    .map(|e| {
                        json!({"number": e.member, "name": name(e.member), "category": e.category, "college": e.college,
                               "convocation_sent": a.convocations.get(&e.member), "participation": coop_core::participation(a, e.member),
                               "voted": voted_on(a, e.member)})
                    })
                    .collect();
                output::json(&json!({"assembly": a.slug, "date": a.date, "roll": rows}))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("voting roll of {} ({}): {}", a.slug, a.date, coop_core::count(roll.len() as u64, "member", "members"));
            let mut t = Table::new(vec!["number", "name", "category", "college", "convocation sent", "participation"]);
            for e in &roll {
                let p = match coop_core::participation(a, e.member) {
                    coop_core::Participation::Present => "present".into(),
                    coop_core::Participation::Remote => "remote".into(),
                    coop_core::Participation::Represented { by } => format!("proxy to {by}"),
                    coop_core::Participation::BlankProxy => "blank proxy".into(),
                    coop_core::Participation::Postal => "postal".into(),
                    coop_core::Participation::Absent => String::new(),
                };
                t.push(vec![
                    e.member.to_string(),
                    name(e.member),
                    e.category.to_string(),
                    e.college.as_deref().unwrap_or_default().to_string(),
                    a.convocations.get(&e.member).map(|d| d.to_string()).unwrap_or_default(),
                    p,
                ]);
            }
            print!("{}", t.text());
            Ok(ExitCode::SUCCESS)
        }
        AssemblyCmd::Convocations { assembly, out, lang, member, reissue } => {
            let state = store.state()?;
            let a = find(&state, &assembly)?.clone();
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("convocations-{assembly}")));
            if let (Some(member), true) = (member, reissue) {
                let member = pick(ctx, store, &member)?;
                let again = ctx.request(Command::ReissueConvocation { assembly: assembly.clone(), member });
                store.check(&again)?;
                let n = state
                    .member(member)
                    .map(|m| m.number)
                    .ok_or_else(|| Failure::input(format!("member {member} is not in the register")))?;
                let files = Convocations::new(store, &state, &a, lang, &dir)?.write(&[n], true)?;
                let receipt = store.execute(again)?;
                return written(ctx, &receipt, format!("convocation of member {n} written again to {files} and recorded as sent"));
            }
            let pending = coop_core::pending_convocations(&state, &a);
            if pending.is_empty() {
                return Err(Failure::rule(format!(
                    "every member on the roll of {assembly} has already been sent a convocation (a lost one: --member M --reissue)"
                )));
            }
            // Who may send them, and whether they may be sent, is settled before any file is
            // written: a refused command leaves no convocation and no mailing list behind.
            let send = ctx.request(Command::SendConvocations { assembly: assembly.clone() });
            store.check(&send)?;
            Convocations::new(store, &state, &a, lang, &dir)?.write(&pending, false)?;
            let receipt = store.execute(send)?;
            written(
                ctx,
                &receipt,
                format!(
                    "{} written to {} and recorded as sent",
                    coop_core::count(pending.len() as u64, "convocation", "convocations"),
                    dir.display()
                ),
            )
        }
        AssemblyCmd::Officers { assembly, chair, secretary, scrutineers } => {
            let chair = pick(ctx, store, &chair)?;
            let secretary = pick(ctx, store, &secretary)?;
            let scrutineers = scrutineers.iter().map(|s| pick(ctx, store, s)).collect::<Result<Vec<_>, _>>()?;
            let r = store
                .execute(on_meeting(&assembly, Command::AppointOfficers { assembly: assembly.clone(), chair, secretary, scrutineers }))?;
            written(ctx, &r, format!("officers of {assembly} appointed"))
        }
        AssemblyCmd::Attend { assembly, member, remote } => {
            let member = pick(ctx, store, &member)?;
            let r = store.execute(on_meeting(&assembly, Command::Attend { assembly: assembly.clone(), member, remote }))?;
            let revoked = if r.events.len() > 1 { " (its proxy is revoked)" } else { "" };
            written(ctx, &r, format!("member {member} present at {assembly}{}{revoked}", if remote { " remotely" } else { "" }))
        }
        AssemblyCmd::Proxy { assembly, from, to } => {
            let from = pick(ctx, store, &from)?;
            let to = pick_opt(ctx, store, &to)?;
            let r = store.execute(ctx.request(Command::Proxy { assembly: assembly.clone(), from, to }))?;
            let whom = to.map(|t| format!("member {t}")).unwrap_or_else(|| "the chair (blank proxy)".into());
            written(ctx, &r, format!("member {from} gave a proxy to {whom} for {assembly}"))
        }
        AssemblyCmd::RevokeProxy { assembly, from } => {
            let from = pick(ctx, store, &from)?;
            let r = store.execute(ctx.request(Command::RevokeProxy { assembly: assembly.clone(), from }))?;
            written(ctx, &r, format!("the proxy member {from} gave for {assembly} is revoked"))
        }
        AssemblyCmd::Postal { assembly, member, votes } => {
            let member = pick(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::Postal { assembly: assembly.clone(), member, votes: votes.0 }))?;
            written(ctx, &r, format!("postal vote of member {member} for {assembly} recorded"))
        }
        AssemblyCmd::Quorum { assembly } => {
            let state = state_for(ctx, store)?;
            let a = find(&state, &assembly)?;
            let qs = quorums(&state, statutes(&state)?, a);
            if ctx.cli_json {
                if qs.len() == 1 {
                    output::json(&qs[0])?;
                } else {
                    output::json(&qs)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            for q in &qs {
                println!(
                    "{} resolutions ({} convocation): {} counted of {} on the roll ({} present, {} represented, {} by post); {} required ({}): {}",
                    q.kind.as_str(),
                    if q.convocation == 1 { "first" } else { "second" },
                    q.counted,
                    q.eligible,
                    q.present,
                    q.represented,
                    q.postal,
                    q.required,
                    q.fraction,
                    if q.reached { "REACHED" } else { "NOT REACHED" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AssemblyCmd::Vote { assembly, resolution, member, choice, all_present, except } => {
            let (command, what) = match (member, choice, all_present) {
                (_, _, Some(choice)) => {
                    let except = except.iter().map(|e| pick(ctx, store, e)).collect::<Result<Vec<_>, _>>()?;
                    let what = format!("{} on resolution {resolution} of {assembly}", choice.as_str());
                    (Command::VoteAll { assembly: assembly.clone(), resolution, choice, except }, what)
                }
                (Some(member), Some(choice), None) => {
                    let member = pick(ctx, store, &member)?;
                    let what = format!("member {member} voted {} on resolution {resolution} of {assembly}", choice.as_str());
                    (Command::Vote { assembly: assembly.clone(), resolution, member, choice }, what)
                }
                (Some(member), None, None) => {
                    let member = pick(ctx, store, &member)?;
                    let what = format!("member {member} marked as having voted on resolution {resolution} of {assembly} (secret ballot)");
                    (Command::MarkVoter { assembly: assembly.clone(), resolution, member }, what)
                }
                (None, _, None) => return Err(Failure::input("assembly vote: name the member who votes, or give --all-present CHOICE")),
            };
            let all = matches!(command, Command::VoteAll { .. });
            let r = store.execute(on_meeting(&assembly, command))?;
            let what = if all { format!("{} {what}", coop_core::count(r.events.len() as u64, "vote", "votes")) } else { what };
            written(ctx, &r, what)
        }
        AssemblyCmd::Ballots { assembly, resolution, count } => {
            let tally = count.tally();
            let command = Command::CountBallots { assembly: assembly.clone(), resolution, college: count.college.clone(), tally };
            let r = store.execute(on_meeting(&assembly, command))?;
            let college = count.college.map(|c| format!(" in college {c}")).unwrap_or_default();
            let ballots = coop_core::count(tally.total(), "ballot", "ballots");
            written(ctx, &r, format!("{ballots} counted{college} on resolution {resolution} of {assembly}"))
        }
        AssemblyCmd::Tally { assembly, resolution, count } => {
            let tally = count.tally();
            let command = Command::CountHands { assembly: assembly.clone(), resolution, college: count.college.clone(), tally };
            let r = store.execute(on_meeting(&assembly, command))?;
            let college = count.college.map(|c| format!(" in college {c}")).unwrap_or_default();
            written(
                ctx,
                &r,
                format!(
                    "show of hands{college} on resolution {resolution} of {assembly}: {} for, {} against, {} abstaining, {} blank",
                    tally.r#for, tally.against, tally.abstain, tally.blank
                ),
            )
        }
        AssemblyCmd::Result { assembly, resolution } => {
            // A closed assembly's results are kept computed: nothing else is read. An open one
            // counts on the register of its date, an unknown one lists the others: the whole
            // state then.
            let kept = if ctx.as_of.is_none() { store.closed_results(&assembly)? } else { None };
            let (mut results, closed) = match kept {
                Some(r) => (r, true),
                None => {
                    let state = state_for(ctx, store)?;
                    let a = find(&state, &assembly)?;
                    (coop_core::results(&state, statutes(&state)?, a), a.closed_on.is_some())
                }
            };
            let agenda = results.len();
            if let Some(n) = resolution {
                results.retain(|r| r.number == n);
                if results.is_empty() {
                    return Err(Failure::rule(format!("assembly {assembly} has no resolution {n} (its agenda has {agenda})")));
                }
            }
            if ctx.cli_json {
                output::json(&json!({"assembly": assembly, "closed": closed, "resolutions": results}))?;
                return Ok(ExitCode::SUCCESS);
            }
            for r in &results {
                println!(
                    "resolution {} ({}): {} — {}",
                    r.number,
                    r.kind.as_str(),
                    r.title,
                    if !r.quorum_reached {
                        "not voted: quorum not reached".to_string()
                    } else {
                        format!(
                            "{} with {:.2} % for ({}), majority {}",
                            if r.adopted { "ADOPTED" } else { "REJECTED" },
                            r.for_share * 100.0,
                            r.for_share_exact,
                            r.majority
                        )
                    }
                );
                let mut t = Table::new(vec!["college", "weight", "effective", "for", "against", "abstain", "blank"]);
                for c in &r.colleges {
                    t.push(vec![
                        c.code.clone(),
                        format!("{:.1} %", c.weight_percent),
                        format!("{:.1} %", c.effective_weight_percent),
                        c.r#for.to_string(),
                        c.against.to_string(),
                        c.abstain.to_string(),
                        c.blank.to_string(),
                    ]);
                }
                print!("{}", t.text());
            }
            if !closed {
                println!("(provisional: the assembly is not closed)");
            }
            Ok(ExitCode::SUCCESS)
        }
        AssemblyCmd::Close { assembly, not_put_to_vote } => {
            let r = store
                .execute(on_meeting(&assembly, Command::Close { assembly: assembly.clone(), not_put_to_vote: not_put_to_vote.clone() }))?;
            let not_put = if not_put_to_vote.is_empty() {
                String::new()
            } else {
                format!(" (not put to the vote: resolution {})", not_put_to_vote.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
            };
            written(ctx, &r, format!("assembly {assembly} closed{not_put}"))
        }
        AssemblyCmd::Sheet { assembly, format, lang } => {
            let state = state_for(ctx, store)?;
            let a = find(&state, &assembly)?;
            let st = statutes(&state)?;
            let roll = coop_core::roll(&state, a);
            let (qs, names, closing) = (quorums(&state, st, a), names_at(store, &state, a, lang), closing(store, &assembly)?);
            if ctx.cli_json {
                output::json(&documents::data::sheet(st, a, &roll, &qs, &names, &closing))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut doc = documents::sheet(lang, st, a, &roll, &qs, &names);
            anchor_closing(&mut doc, lang, &closing);
            print!("{}", doc.render(format));
            Ok(ExitCode::SUCCESS)
        }
        AssemblyCmd::Minutes { assembly, format, lang, notes } => {
            let state = state_for(ctx, store)?;
            let a = find(&state, &assembly)?;
            let st = statutes(&state)?;
            let roll = coop_core::roll(&state, a);
            let qs = quorums(&state, st, a);
            let results = coop_core::results(&state, st, a);
            let first = a.second_of.as_ref().and_then(|f| state.assemblies.get(f));
            let notes = notes.map(|f| read_notes(&f, a)).transpose()?;
            let input = MinutesInput {
                coop: &st.name,
                statutes: st,
                notes: notes.as_ref(),
                interest_max: coop_core::money::floors(&state, coop_core::Cents::ZERO).interest_max_cents,
                assembly: a,
                roll: &roll,
                quorums: &qs,
                results: &results,
                first,
            };
            let (names, closing) = (names_at(store, &state, a, lang), closing(store, &assembly)?);
            if ctx.cli_json {
                output::json(&documents::data::minutes(&input, &names, &closing))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut doc = documents::minutes(lang, &input, &names);
            anchor_closing(&mut doc, lang, &closing);
            print!("{}", doc.render(format));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The summary of debates for the minutes: a TOML notes file whose resolution numbers are on
/// the agenda.
fn read_notes(path: &Path, a: &Assembly) -> Result<documents::Notes, Failure> {
    let text = read_file(path, "notes file")?;
    let file: documents::NotesFile = toml_edit::de::from_str(&text).map_err(|e| {
        Failure::input(format!(
            "{}: not a notes file ({}); expected summary = \"…\" and [resolutions] with 1 = \"…\"",
            path.display(),
            e.to_string().trim()
        ))
    })?;
    let mut notes = documents::Notes { summary: file.summary, resolutions: Default::default() };
    for (key, debate) in file.resolutions {
        let n = key
            .trim()
            .parse::<u32>()
            .map_err(|_| Failure::input(format!("{}: [resolutions] key '{key}' is not a resolution number such as 1", path.display())))?;
        notes.resolutions.insert(n, debate);
    }
    if let Some(n) = notes.resolutions.keys().find(|n| a.resolution(**n).is_none()) {
        return Err(Failure::input(format!(
            "{}: resolution {n} is not on the agenda of {} (it has {})",
            path.display(),
            a.slug,
            coop_core::count(a.agenda.len() as u64, "resolution", "resolutions")
        )));
    }
    Ok(notes)
}

/// Convocation documents written into a directory, with their mailing list.
struct Convocations<'a> {
    store: &'a Store,
    state: &'a State,
    assembly: &'a Assembly,
    statutes: &'a Statutes,
    lang: crate::args::Lang,
    dir: &'a Path,
}

impl<'a> Convocations<'a> {
    fn new(store: &'a Store, state: &'a State, assembly: &'a Assembly, lang: crate::args::Lang, dir: &'a Path) -> Result<Self, Failure> {
        let statutes = statutes(state)?;
        std::fs::create_dir_all(dir).map_err(|e| Failure::input(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Convocations { store, state, assembly, statutes, lang, dir })
    }

    /// Writes the convocations of `members` (Markdown and HTML) and their mailing list
    /// (`mailing-list.csv`; for a convocation sent again, `mailing-list-N.csv`, leaving the
    /// first list as it was). Returns what was written, to say so.
    fn write(&self, members: &[MemberNo], again: bool) -> Result<String, Failure> {
        let (state, a) = (self.state, self.assembly);
        let deadline = a.postal_deadline(self.statutes);
        let mut mailing = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| Failure { rule: None, code: 3, message: format!("CSV output failed: {e}") };
        mailing.write_record(["number", "name", "email", "address", "college"]).map_err(csv_err)?;
        let roll = coop_core::live_roll(state, a);
        let mut first = None;
        for n in members {
            let m = &state.members[n];
            let personal = self.store.personal(m.party)?;
            let mut name = personal.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "(erased)".into());
            let mut email = personal.as_ref().and_then(|p| p.email.clone()).unwrap_or_default();
            // Members without e-mail are convened by post, at this address.
            let mut address = personal.and_then(|p| p.address).unwrap_or_default();
            // A legal person is convened through the person who represents it, at their
            // address when they gave one.
            if let Some(r) = representative(self.store, m, a.date) {
                name = format!("{name}, {} {}", documents::tr(self.lang, "représentée par", "represented by"), r.name);
                if let Some(e) = r.email {
                    email = e;
                }
                if let Some(ad) = r.address {
                    address = ad;
                }
            }
            let college = roll.iter().find(|e| e.member == *n).and_then(|e| e.college.clone()).unwrap_or_default();
            let first_convocation = a.second_of.as_ref().and_then(|f| state.assemblies.get(f));
            let doc = documents::convocation(
                self.lang,
                &self.statutes.name,
                a,
                &documents::Addressee { member: *n, name: &name, address: Some(address.as_str()) },
                deadline,
                first_convocation,
            );
            let row = [n.to_string(), name, email, address, college.to_string()];
            mailing.write_record(row.iter().map(|c| crate::output::csv_cell(c))).map_err(csv_err)?;
            for (ext, text) in [("md", doc.markdown()), ("html", doc.html())] {
                let p = self.dir.join(format!("convocation-{:05}.{ext}", n.0));
                write_out(&p, text.as_bytes())?;
                first.get_or_insert(p);
            }
        }
        let bytes = mailing.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
        let list = match (members, again) {
            ([one], true) => self.dir.join(format!("mailing-list-{:05}.csv", one.0)),
            _ => self.dir.join("mailing-list.csv"),
        };
        write_out(&list, &bytes)?;
        Ok(match (again, first) {
            (true, Some(p)) => format!("{} (and .html)", p.with_extension("md").display()),
            _ => self.dir.display().to_string(),
        })
    }
}

fn write_out(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure { rule: None, code: 3, message: format!("cannot write {}: {e}", path.display()) })
}
