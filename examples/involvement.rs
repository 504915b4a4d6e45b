//! Who takes part in which cooperative project, grouped by college: for each active project,
//! its participants by college, then the members who take part in none.
//!
//! Run with `cargo run --example involvement [STORE_PATH] [YYYY-MM-DD]` (default: `./coop.db`,
//! as `coop demo` leaves it, and today).

use std::collections::BTreeMap;

use coop::{Participant, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "coop.db".into());
    let date = match std::env::args().nth(2) {
        Some(d) => coop::parse_date(&d)?,
        None => chrono::Local::now().date_naive(),
    };
    if !std::path::Path::new(&path).exists() {
        return Err(format!("no store at {path}: run `cargo run -- demo` first, or pass a store path").into());
    }
    let store = Store::open(&path)?;
    let state = store.state()?;
    let name = |who: Participant| -> String {
        let party = match who {
            Participant::Member(n) => state.members.get(&n).map(|m| m.party),
            Participant::Partner(id) => Some(id),
        };
        party.and_then(|p| store.personal(p).ok().flatten()).map(|p| p.name).unwrap_or_else(|| "(erased)".into())
    };

    for project in state.projects.values().filter(|p| p.active_on(date)) {
        let (members, partners) = coop::participants(&state, project, date);
        let stage = project.stage_on(date).map(|s| s.as_str()).unwrap_or("?");
        println!("{} ({stage}): {} members, {} partners", project.name, members.len(), partners.len());
        let mut by_college: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in &members {
            let college = m.college.clone().unwrap_or_else(|| "no college".into());
            by_college.entry(college).or_default().push(format!("{} ({})", name(m.who), m.role.as_str()));
        }
        for (college, people) in by_college {
            println!("  {college}: {}", people.join(", "));
        }
        if !partners.is_empty() {
            let names: Vec<String> = partners.iter().map(|p| name(p.who)).collect();
            println!("  partners who are not members: {}", names.join(", "));
        }
    }
    let report = coop::involvement(&state, date);
    println!("\n{} of {} members take part in no active project on {date}:", report.not_involved.len(), report.members);
    for g in &report.by_college {
        println!("  college {}: {} of {} involved", g.code, g.involved, g.members);
    }
    Ok(())
}
