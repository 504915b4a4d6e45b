//! Embedding coop in another Rust application: open a store, adopt statutes, admit a member,
//! print the register.
//!
//! Run with `cargo run --example embed [STORE_PATH]` (default: a temporary directory).

use coop::{Command, PartyKind, Personal, Request, Statutes, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let given = std::env::args().nth(1).map(std::path::PathBuf::from);
    let path = given.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("coop-embed-{}", std::process::id())));
    let result = run(&path);
    if given.is_none() {
        let _ = std::fs::remove_dir_all(&path);
    }
    result
}

fn run(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(path)?;

    if store.head().seq == 0 {
        let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).map_err(|problems| format!("{problems:?}"))?;
        let founded = statutes.founded;
        store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded).by("embed example"))?;
    }

    let receipt = store.execute(
        Request::new(Command::Admit {
            personal: Personal { name: "Camille Martin".into(), email: Some("camille@example.org".into()), address: None },
            kind: PartyKind::Person,
            category: "employees".into(),
            shares: Some(2),
            class: None,
            paid: None,
        })
        .by("embed example"),
    )?;
    println!("admitted member {} (events {:?})", receipt.admitted().map(|n| n.0).unwrap_or(0), receipt.seqs());

    for row in store.register(&store.state()?)? {
        println!(
            "{:>4}  {:<30} {:<14} {:<10} {:>3} shares  {}",
            row.number,
            row.name.as_deref().unwrap_or("(erased)"),
            row.category,
            row.college.as_deref().unwrap_or("-"),
            row.shares,
            row.subscribed_cents
        );
    }
    let report = store.verify()?;
    println!("chain ok: {} ({} events, head {})", report.ok, report.events, &report.head_hash[..16]);
    Ok(())
}
