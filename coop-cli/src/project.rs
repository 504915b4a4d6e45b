//! `coop project …` and `coop involvement`: parse, call the library, print.

use std::io::Write;
use std::process::ExitCode;

use coop_core::{Command, MemberNo, Participant, Personal, Project, State, Who};
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::{ProjectCmd, WhoArg};
use crate::output::{self, Table};
use crate::{state_for, state_with, written, Ctx, Failure, Out};

fn find<'s>(state: &'s State, slug: &str) -> Result<&'s Project, Failure> {
    state.projects.get(slug).ok_or_else(|| crate::not_in_log("project", "projects", slug, state.projects.keys()))
}

/// Resolves the command line's member or partner. A partner not yet known is new only for a join.
pub(crate) fn who(ctx: &Ctx, store: &Store, arg: WhoArg, joining: bool) -> Result<Who, Failure> {
    match (arg.member, arg.partner) {
        (Some(m), _) => Ok(Who::Member(crate::member_arg::pick(ctx, store, &m)?)),
        (None, Some(name)) => {
            let name = name.trim().to_string();
            let known = store.partner_named(&store.state_part(&Part::default())?, &name)?;
            match known {
                Some(id) => Ok(Who::Partner(id)),
                None if joining => Ok(Who::NewPartner(Personal { name, email: None, address: None })),
                None => Err(Failure::input(format!("no partner is named '{name}' (case, accents and spacing aside)"))),
            }
        }
        (None, None) => Err(Failure::input("name a member (number, ULID or name) or a partner (--partner NAME)")),
    }
}

/// Names of members and partners, from the personal data kept beside the log.
pub fn name_of(store: &Store, state: &State, who: Participant) -> String {
    let party = match who {
        Participant::Member(n) => state.members.get(&n).map(|m| m.party),
        Participant::Partner(id) => Some(id),
    };
    name_of_party(store, party)
}

/// The name kept beside the log for a party, "(erased)" for none.
fn name_of_party(store: &Store, party: Option<coop_core::PartyId>) -> String {
    party.map_or_else(|| "(erased)".into(), |p| crate::party_name(store, p))
}

pub fn run(ctx: &Ctx, store: &Store, cmd: ProjectCmd) -> Out {
    match cmd {
        ProjectCmd::Create { slug, name, description, stage } => {
            let r = store.execute(ctx.request(Command::CreateProject { slug: slug.clone(), name, description, stage }))?;
            written(ctx, &r, format!("project {slug} created"))
        }
        ProjectCmd::Stage { project, stage } => {
            let r = store.execute(ctx.request(Command::MoveProject { project: project.clone(), stage }))?;
            written(ctx, &r, format!("project {project} moved to {}", stage.as_str()))
        }
        ProjectCmd::Join { project, who: w, role } => {
            let who = who(ctx, store, w.clone(), true)?;
            let label = match &who {
                Who::Member(m) => format!("member {m}"),
                _ => w.partner.unwrap_or_default(),
            };
            let r = store.execute(ctx.request(Command::Join { project: project.clone(), who, role }))?;
            written(ctx, &r, format!("{label} joined {project} as {}", role.as_str()))
        }
        ProjectCmd::Role { project, who: w, role } => {
            let r = store.execute(ctx.request(Command::ChangeRole { project: project.clone(), who: who(ctx, store, w, false)?, role }))?;
            written(ctx, &r, format!("role in {project} changed to {}", role.as_str()))
        }
        ProjectCmd::Leave { project, who: w } => {
            let r = store.execute(ctx.request(Command::Leave { project: project.clone(), who: who(ctx, store, w, false)? }))?;
            written(ctx, &r, format!("left {project}"))
        }
        ProjectCmd::List => {
            let state = state_for(ctx, store)?;
            let date = ctx.as_of.unwrap_or(ctx.today);
            let mut rows = Vec::new();
            for p in state.projects.values() {
                let Some(stage) = p.stage_on(date) else { continue };
                let since = p.stages.iter().rev().find(|(d, _)| *d <= date).map(|(d, _)| *d).unwrap_or(p.created);
                let (ms, ps) = coop_core::participants(&state, p, date);
                rows.push((p, stage, since, ms.len(), ps.len()));
            }
            if ctx.cli_json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(p, stage, since, ms, ps)| json!({"slug": p.slug, "name": p.name, "stage": stage, "since": since, "members": ms, "partners": ps}))
                    .collect();
                output::json(&list)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new(vec!["slug", "name", "stage", "since", "members", "partners"]);
            for (p, stage, since, ms, ps) in rows {
                t.push(vec![p.slug.clone(), p.name.clone(), stage.as_str().into(), since.to_string(), ms.to_string(), ps.to_string()]);
            }
            print!("{}", t.text());
            Ok(ExitCode::SUCCESS)
        }
        ProjectCmd::Show { project } => {
            let state = match ctx.as_of {
                Some(_) => state_for(ctx, store)?,
                None => project_with_members(store, &project)?,
            };
            let date = ctx.as_of.unwrap_or(ctx.today);
            let p = find(&state, &project)?;
            let (ms, ps) = coop_core::participants(&state, p, date);
            let member_rows: Vec<_> = ms
                .iter()
                .map(|r| {
                    json!({"number": r.who.member(), "name": name_of(store, &state, r.who), "role": r.role, "since": r.since, "college": r.college})
                })
                .collect();
            let partner_rows: Vec<_> = ps
                .iter()
                .map(|r| json!({"id": r.who.partner(), "name": name_of(store, &state, r.who), "role": r.role, "since": r.since}))
                .collect();
            let stages: Vec<_> = p.stages.iter().filter(|(d, _)| *d <= date).map(|(d, s)| json!({"stage": s, "since": d})).collect();
            let committees = committees_of(store, &state, &p.slug, date);
            if ctx.cli_json {
                output::json(&json!({"slug": p.slug, "name": p.name, "description": p.description, "created": p.created,
                    "stage": p.stage_on(date), "stages": stages, "members": member_rows, "partners": partner_rows,
                    "committees": committees}))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("{} — {}", p.slug, p.name);
            if !p.description.is_empty() {
                println!("{}", p.description);
            }
            let history: Vec<String> = p.stages.iter().filter(|(d, _)| *d <= date).map(|(d, s)| format!("{} {}", s.as_str(), d)).collect();
            println!("stages: {}", if history.is_empty() { "not started on that date".into() } else { history.join(" → ") });
            let mut t = Table::new(vec!["number", "name", "college", "role", "since"]);
            for (r, j) in ms.iter().zip(&member_rows) {
                t.push(vec![
                    j["number"].to_string(),
                    name_of(store, &state, r.who),
                    r.college.clone().unwrap_or_default(),
                    r.role.as_str().into(),
                    r.since.to_string(),
                ]);
            }
            println!("{}", coop_core::count(ms.len() as u64, "member", "members"));
            print!("{}", t.text());
            if !ps.is_empty() {
                println!("{}", coop_core::count(ps.len() as u64, "partner who is not a member", "partners who are not members"));
                let mut t = Table::new(vec!["name", "role", "since"]);
                for r in &ps {
                    t.push(vec![name_of(store, &state, r.who), r.role.as_str().into(), r.since.to_string()]);
                }
                print!("{}", t.text());
            }
            for c in &committees {
                let seats: Vec<String> = c["seats"]
                    .as_array()
                    .map(|a| {
                        a.iter().map(|s| format!("{} ({})", s["name"].as_str().unwrap_or(""), s["role"].as_str().unwrap_or(""))).collect()
                    })
                    .unwrap_or_default();
                println!(
                    "committee {} — {}: {}; {}",
                    c["committee"].as_str().unwrap_or(""),
                    c["name"].as_str().unwrap_or(""),
                    if seats.is_empty() { "no seat held".to_string() } else { seats.join(", ") },
                    coop_core::count(c["meetings"].as_u64().unwrap_or(0), "meeting", "meetings")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The committees set up for project `slug` (or, with `None`, all of them), with the seats held
/// on `date` and the number of meetings held by then.
fn committees_of(store: &Store, state: &State, slug: &str, date: chrono::NaiveDate) -> Vec<serde_json::Value> {
    state
        .bodies
        .iter()
        .filter(|(_, b)| !b.is_board() && b.project.as_deref() == Some(slug) && b.created <= date)
        .map(|(k, b)| {
            let seats: Vec<_> = b
                .seated(date)
                .map(|s| json!({"name": name_of(store, state, s.who), "who": s.who, "role": s.role, "since": s.from}))
                .collect();
            json!({"committee": k, "name": b.name, "seats": seats, "meetings": b.meetings.iter().filter(|m| m.date <= date).count()})
        })
        .collect()
}

/// The parts of the state `project show` needs: the project, the members who ever took part in
/// it (and every project's slug only when the one asked for is unknown, to list them).
fn project_with_members(store: &Store, slug: &str) -> Result<State, Failure> {
    let only = Part { projects: Pick::Only(vec![slug.to_string()]), ..Part::default() };
    let Some(p) = store.state_part(&only)?.projects.remove(slug) else {
        return Ok(store.state_part(&Part { projects: Pick::All, ..Part::default() })?);
    };
    let mut members: Vec<MemberNo> = p.spells.iter().filter_map(|s| s.who.member()).collect();
    // Members sitting on the project's committees, to name them.
    let bodies = store.state_part(&Part::default())?.bodies;
    members
        .extend(bodies.values().filter(|b| b.project.as_deref() == Some(slug)).flat_map(|b| b.seats.iter().filter_map(|s| s.who.member())));
    Ok(store.state_part(&Part { members: Pick::Only(members), ..only })?)
}

pub fn involvement(ctx: &Ctx, store: &Store, member: Option<coop_core::MemberRef>, list: bool) -> Out {
    let date = ctx.as_of.unwrap_or(ctx.today);
    if let Some(r) = member {
        // One member's history: that member and the projects it took part in.
        let state = state_with(ctx, store, crate::member_arg::with_its_projects(store, r)?)?;
        let Some(m) = state.member(r) else {
            return Err(Failure::input(format!("member {r} is not in the register")));
        };
        let lines = coop_core::member_projects(&state, m.number, date);
        if ctx.cli_json {
            output::json(&json!({"member": m.number, "date": date, "projects": lines}))?;
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "member {} — {}: {} up to {date}",
            m.number,
            name_of(store, &state, Participant::Member(m.number)),
            coop_core::count(lines.len() as u64, "project spell", "project spells")
        );
        print_history(&lines);
        return Ok(ExitCode::SUCCESS);
    }
    // Rates are over every member and every project. At the head, the members' standings are
    // read from the roll (not their shares); a past state is a fold of the log, members and all.
    let part = Part { projects: Pick::All, ..Part::default() };
    let (state, roll) = match (ctx.as_of, ctx.known_at) {
        (None, None) => store.state_part_with_roll(&part, list)?,
        _ => {
            let state = state_with(ctx, store, Part { members: Pick::All, ..part })?;
            let roll = coop_store::Roll::of(&state);
            (state, roll)
        }
    };
    let out = print_involvement(ctx, store, &state, &roll, date, list);
    // Let go with the process: freeing the projects' spells and the 100,000 standings one by one
    // was a millisecond of the report.
    std::mem::forget((state, roll));
    out
}

/// The involvement report on `date`, of `state`'s projects and `roll`'s members.
fn print_involvement(
    ctx: &Ctx,
    store: &Store,
    state: &coop_core::State,
    roll: &coop_store::Roll,
    date: chrono::NaiveDate,
    list: bool,
) -> Out {
    let party_of = |n: MemberNo| coop_core::Roll::standing(roll, n).and_then(|e| e.party());
    let report = coop_core::involvement_in(roll, state, date);
    // Committees: who sits on each on the date, members and partners.
    let committees: Vec<serde_json::Value> = state
        .bodies
        .iter()
        .filter(|(_, b)| !b.is_board() && b.created <= date)
        .map(|(k, b)| {
            let seated: Vec<_> = b.seated(date).collect();
            let members = seated.iter().filter(|s| s.who.member().is_some()).count();
            json!({"committee": k, "name": b.name, "project": b.project, "members": members, "partners": seated.len() - members,
                   "meetings": b.meetings.iter().filter(|m| m.date <= date).count()})
        })
        .collect();
    if ctx.cli_json {
        let mut v = serde_json::to_value(&report).map_err(|e| Failure::input(e.to_string()))?;
        v["committees"] = json!(committees);
        v["not_involved_count"] = json!(report.not_involved.len());
        if !list {
            if let Some(o) = v.as_object_mut() {
                o.remove("not_involved");
            }
        }
        output::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "on {date}: {} of {} {} part in at least one active project ({:.0} %); {} {} part in none",
        report.involved,
        coop_core::count(report.members as u64, "member", "members"),
        if report.involved == 1 { "takes" } else { "take" },
        report.rate * 100.0,
        report.not_involved.len(),
        if report.not_involved.len() == 1 { "takes" } else { "take" }
    );
    for (title, groups) in [("by college", &report.by_college), ("by category", &report.by_category)] {
        println!("\n{title}");
        let mut t = Table::new(vec!["", "members", "involved", "rate"]);
        for g in groups.iter() {
            t.push(vec![g.code.clone(), g.members.to_string(), g.involved.to_string(), format!("{:.0} %", g.rate * 100.0)]);
        }
        print!("{}", t.text());
    }
    println!("\nby project");
    let mut t = Table::new(vec!["project", "stage", "members", "partners"]);
    for p in &report.by_project {
        t.push(vec![p.slug.clone(), p.stage.as_str().into(), p.members.to_string(), p.partners.to_string()]);
    }
    print!("{}", t.text());
    if !committees.is_empty() {
        println!("\ncommittees");
        let mut t = Table::new(vec!["committee", "project", "members", "partners", "meetings"]);
        for c in &committees {
            t.push(vec![
                c["committee"].as_str().unwrap_or("").into(),
                c["project"].as_str().unwrap_or("").into(),
                c["members"].to_string(),
                c["partners"].to_string(),
                c["meetings"].to_string(),
            ]);
        }
        print!("{}", t.text());
    }
    println!("\npipeline");
    let mut t = Table::new(vec!["stage", "projects now", "reached", "median days (left it)"]);
    for f in &report.funnel {
        t.push(vec![
            f.stage.as_str().into(),
            f.projects.to_string(),
            f.reached.to_string(),
            f.median_days_completed
                .map(|d| if d.fract() == 0.0 { format!("{d:.0}") } else { format!("{d:.1}") })
                .unwrap_or_else(|| "—".into()),
        ]);
    }
    print!("{}", t.text());
    if list {
        // Written as the names are read, four to a line, through one buffer.
        println!("\nmembers in no active project");
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for chunk in report.not_involved.chunks(4) {
            let names: Vec<String> = chunk.iter().map(|n| format!("{n} {}", name_of_party(store, party_of(*n)))).collect();
            writeln!(out, "  {}", names.join("; "))?;
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn print_history(lines: &[coop_core::InvolvementLine]) {
    let mut t = Table::new(vec!["project", "role", "joined", "left", "counts now"]);
    for l in lines {
        t.push(vec![
            l.project.clone(),
            l.role.as_str().into(),
            l.joined.to_string(),
            l.left.map(|d| d.to_string()).unwrap_or_default(),
            if l.active { "yes".into() } else { "no".into() },
        ]);
    }
    print!("{}", t.text());
}
