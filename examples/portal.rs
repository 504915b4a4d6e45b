//! A member portal's backend, as an embedding application would write it: one thread records
//! admissions and project participation, another follows the log through `Store::subscribe`
//! and keeps its own read model ("who takes part in which project"), which is then checked
//! against the library's own answer (`coop::participants`).
//!
//! Run with `cargo run --example portal` (a temporary sled store), or on PostgreSQL with
//! `cargo run --features postgres --example portal -- postgres://USER@HOST/DB` (a temporary
//! cooperative in that database; the portal then writes through a handle of its own, as another
//! process would, and the follower learns of each write by LISTEN/NOTIFY). It exits with an
//! error if the two views differ.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use coop::{Command, EndCause, Event, MemberNo, MemberRef, Participant, PartyKind, Personal, ProjectRole, Request, Statutes, Store, Who};

/// The portal's read model: the members taking part in each project now.
#[derive(Default, Debug, PartialEq)]
struct View {
    projects: BTreeMap<String, BTreeSet<MemberNo>>,
}

impl View {
    /// Folds one event the portal cares about.
    fn apply(&mut self, event: &Event) {
        match event {
            Event::ProjectCreated { project, .. } => {
                self.projects.entry(project.clone()).or_default();
            }
            Event::ParticipantJoined { project, who: Participant::Member(n), .. } => {
                self.projects.entry(project.clone()).or_default().insert(*n);
            }
            Event::ParticipantLeft { project, who: Participant::Member(n) } => {
                self.projects.entry(project.clone()).or_default().remove(n);
            }
            // A member who leaves the cooperative no longer counts in any project.
            Event::MembershipEnded { member, .. } | Event::MemberExcluded { member, .. } => {
                for members in self.projects.values_mut() {
                    members.remove(member);
                }
            }
            Event::CommandVoided { .. } => panic!("this portal does not handle voids: it would read the projects again"),
            _ => {}
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let statutes = Statutes::parse(coop::SAMPLE_STATUTES)?;
    let id = coop::Ulid::new().to_string().to_lowercase();
    let database = std::env::args().nth(1);
    let path: std::path::PathBuf = match &database {
        Some(url) => format!("{url}#portal-{id}").into(),
        None => std::env::temp_dir().join(format!("coop-portal-{id}")),
    };
    let store = Store::create_with(&path, statutes, "Claire", coop::Options::temporary())?;
    // On a database, the writes go through a handle of their own, like another process's.
    let writer = if database.is_some() { Store::open(&path)? } else { store.clone() };

    // The follower: its own thread, its own handle, every acknowledged event once, in order.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<u64>();
    let follower = {
        let mut feed = store.subscribe(1)?;
        std::thread::spawn(move || -> coop::Result<(View, usize)> {
            let (mut view, mut seen) = (View::default(), 0);
            let mut last_needed = None;
            loop {
                if let Some(e) = feed.next_timeout(Duration::from_millis(50))? {
                    view.apply(&e.event);
                    seen += 1;
                }
                last_needed = last_needed.or_else(|| done_rx.try_recv().ok());
                if last_needed.is_some_and(|last| feed.position() > last) {
                    return Ok((view, seen));
                }
            }
        })
    };

    // The portal's writes: admissions, projects, people joining and leaving.
    let run = |command: Command| writer.execute(Request::new(command).by("Claire"));
    let mut members = Vec::new();
    for (i, category) in ["employees", "beneficiaries", "volunteers"].iter().cycle().take(12).enumerate() {
        let personal = Personal { name: format!("Membre {i}"), email: None, address: None };
        let admit =
            Command::Admit { personal, kind: PartyKind::Person, category: category.to_string(), shares: None, class: None, paid: None };
        members.push(run(admit)?.admitted().expect("an admission gives a number"));
    }
    for (slug, name) in [("bouteilles", "Lavage de bouteilles"), ("cantine", "Cantine bio"), ("mobilite", "Covoiturage rural")] {
        run(Command::CreateProject { slug: slug.into(), name: name.into(), description: String::new(), stage: None })?;
    }
    let m = |i: usize| MemberRef::Number(members[i]);
    for (i, project) in ["bouteilles", "cantine", "mobilite", "bouteilles", "cantine"].iter().cycle().take(10).enumerate() {
        let role = if i < 3 { ProjectRole::Lead } else { ProjectRole::Contributor };
        run(Command::Join { project: project.to_string(), who: Who::Member(m(i)), role })?;
    }
    run(Command::Leave { project: "bouteilles".into(), who: Who::Member(m(3)) })?;
    run(Command::Withdraw { member: m(4) })?;
    run(Command::End { member: m(5), cause: EndCause::Death })?;
    done_tx.send(writer.head().seq)?;

    let (view, seen) = follower.join().map_err(|_| "the follower panicked")??;
    let snapshot = store.snapshot()?;
    let today = chrono_today();
    let mut library = View::default();
    for (slug, p) in &snapshot.state.projects {
        let (rows, _partners) = coop::participants(&snapshot.state, p, today);
        let set = rows.iter().filter_map(|r| if let Participant::Member(n) = r.who { Some(n) } else { None }).collect();
        library.projects.insert(slug.clone(), set);
    }
    println!("followed {seen} events up to {} on {}", snapshot.head.seq, if database.is_some() { "PostgreSQL" } else { "sled" });
    for (slug, members) in &view.projects {
        let list: Vec<String> = members.iter().map(|n| n.0.to_string()).collect();
        println!("{slug}: members {}", list.join(", "));
    }
    if view != library {
        return Err(format!("the portal's view {view:?} differs from the library's {library:?}").into());
    }
    println!("the portal's view equals the library's answer");
    Ok(())
}

fn chrono_today() -> coop::NaiveDate {
    coop::chrono::Local::now().date_naive()
}
