//! `coop officer …`: the roster of who may act (appointing by hand while the founders act as
//! the board; the board's members and chair come from mandates), and officers' signing keys.

use std::process::ExitCode;

use coop_core::{Command, MemberNo, Office};
use coop_store::{Part, Store};
use serde_json::json;

use crate::args::{KeyCmd, OfficerCmd};
use crate::keys::key_new;
use crate::output::{self, Table};
use crate::{member_arg, state_with, written, Ctx, Out};

pub fn run(ctx: &Ctx, store: &Store, cmd: OfficerCmd) -> Out {
    match cmd {
        OfficerCmd::Appoint { person, office, member } => {
            let member = member_arg::pick_opt(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::AppointOfficer { person: person.clone(), office, member, personal: None }))?;
            written(ctx, &r, format!("{person} appointed {}", office.title()))
        }
        OfficerCmd::Remove { person, office } => {
            let r = store.execute(ctx.request(Command::RemoveOfficer { person: person.clone(), office }))?;
            written(ctx, &r, format!("{person} is no longer {} of the board", office.as_str()))
        }
        OfficerCmd::Key(KeyCmd::New { person, out }) => key_new(ctx, store, person, out),
        OfficerCmd::List => list(ctx, store),
    }
}

/// The roster on the query's date: the board's members and chair by their mandates (once an
/// assembly elected a board), the officers appointed (the secretary), with who signs with a key;
/// then who may do what by the statutes.
fn list(ctx: &Ctx, store: &Store) -> Out {
    let state = state_with(ctx, store, Part::all())?;
    let date = ctx.as_of.unwrap_or(ctx.today);
    struct Row {
        name: String,
        id: String,
        offices: Vec<&'static str>,
        member: Option<MemberNo>,
        signs: bool,
        by: String,
    }
    let mut rows: Vec<Row> = Vec::new();
    // Officers are recorded by party id; their names are kept beside the log.
    let board = state.bodies.get(coop_core::bodies::BOARD);
    for (key, o) in &state.roster {
        // A member the board appointed acts under their party id: named as in the register.
        let as_member = o.member.and_then(|n| state.members.get(&n)).filter(|m| m.party.to_string() == *key);
        let appointed = o.member.and_then(|n| {
            let meeting = board?.meetings.iter().rev().find(|x| x.secretary == Some(n))?;
            Some(format!("{}, decision {}", meeting.slug, meeting.numbers().1?))
        });
        rows.push(Row {
            name: match as_member {
                Some(m) => crate::party_name(store, m.party),
                None => store.officer_name(&state, key)?,
            },
            id: key.clone(),
            offices: o.offices.iter().map(|x| x.as_str()).collect(),
            member: o.member,
            signs: state.keys.contains_key(key),
            by: appointed.unwrap_or_else(|| "by hand, while the founders act as the board".into()),
        });
    }
    for office in [Office::Chair, Office::Manager, Office::Board] {
        for (n, mandate) in coop_core::bodies::holders(&state, office, date) {
            let Some(m) = state.members.get(&n) else { continue };
            let id = m.party.to_string();
            let by = format!(
                "{}, {} {} (until {})",
                mandate.decided_by.assembly,
                decision_word(&state, &mandate.decided_by.assembly),
                mandate.decided_by.resolution,
                mandate.until
            );
            match rows.iter_mut().find(|r| r.id == id) {
                Some(r) => {
                    r.offices.push(office.as_str());
                    if office == Office::Chair {
                        r.by = by;
                    }
                }
                None => rows.push(Row {
                    name: crate::party_name(store, m.party),
                    id,
                    offices: vec![office.as_str()],
                    member: Some(n),
                    signs: state.keys.contains_key(&m.party.to_string()),
                    by,
                }),
            }
        }
    }
    if ctx.cli_json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| json!({"person": r.name, "id": r.id, "offices": r.offices, "member": r.member, "key": r.signs.then(|| state.keys.get(&r.id)), "decided_by": r.by}))
            .collect();
        output::json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(vec!["person", "offices", "member", "signs", "decided by"]);
    for r in &rows {
        t.push(vec![
            r.name.clone(),
            r.offices.join(", "),
            r.member.map(|m| m.to_string()).unwrap_or_default(),
            if r.signs { "with a key".into() } else { String::new() },
            r.by.clone(),
        ]);
    }
    print!("{}", t.text());
    println!("on {date}");
    if let Some(st) = &state.statutes {
        println!("\nwho may do what (statutes):");
        for (action, what) in coop_core::ACTIONS {
            let who: Vec<&str> = st.permissions.entitled(action).iter().map(|e| e.as_str()).collect();
            println!("  {action:<9} {:<28} {what}", who.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "resolution" for an assembly, "decision" for a board meeting.
pub(crate) fn decision_word(state: &coop_core::State, slug: &str) -> &'static str {
    if state.assemblies.contains_key(slug) {
        "resolution"
    } else {
        "decision"
    }
}
