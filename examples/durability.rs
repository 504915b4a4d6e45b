//! What durability costs: the latency of one command (an admission) with sled's flush only,
//! and with the `fdatasync` coop adds after it so that an acknowledged write survives power loss.
//!
//! Run with `cargo run --release --example durability [COMMANDS]` (default 300). Prints
//! p50/p90/p99 per command for each setting, medians over three runs. An admission also writes
//! the member's personal data file (always fsynced); a subscription writes only to sled.

use std::time::Instant;

use coop::{Command, Options, PartyKind, Personal, Request, Statutes, Store};

fn run(fsync: bool, n: usize, admissions: bool) -> Vec<f64> {
    let dir = std::env::temp_dir().join(format!("coop-durability-{}-{fsync}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open_with(&dir, Options { fsync, ..Options::default() }).expect("open");
    let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).expect("statutes");
    let founded = statutes.founded;
    store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded)).expect("found");
    let date = coop::parse_date("2020-01-01").expect("date");
    let admit = |i: usize| Command::Admit {
        personal: Personal { name: format!("Member {i}"), email: None, address: None },
        kind: PartyKind::Person,
        category: "beneficiaries".into(),
        shares: None,
        class: None,
        paid: None,
    };
    if !admissions {
        store.execute(Request::new(admit(0)).dated(date)).expect("admit");
    }
    let mut micros = Vec::with_capacity(n);
    for i in 0..n {
        let command = if admissions {
            admit(i)
        } else {
            Command::Subscribe { member: coop::MemberRef::Number(coop::MemberNo(1)), count: 1, class: None, paid: None }
        };
        let t = Instant::now();
        store.execute(Request::new(command).dated(date)).expect("command");
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    micros.sort_by(|a, b| a.total_cmp(b));
    micros
}

fn pct(v: &[f64], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    println!("latency of one durable command, {n} commands per run, median of 3 runs");
    println!("{:<16} {:<30} {:>8} {:>8} {:>8}", "command", "durability", "p50 µs", "p90 µs", "p99 µs");
    for (admissions, fsync) in [(false, false), (false, true), (true, false), (true, true)] {
        let mut rows: Vec<[f64; 3]> =
            (0..3).map(|_| run(fsync, n, admissions)).map(|v| [pct(&v, 0.5), pct(&v, 0.9), pct(&v, 0.99)]).collect();
        let median = |k: usize, rows: &mut Vec<[f64; 3]>| {
            rows.sort_by(|a, b| a[k].total_cmp(&b[k]));
            rows[1][k]
        };
        let (p50, p90, p99) = (median(0, &mut rows), median(1, &mut rows), median(2, &mut rows));
        let label = if fsync { "sled flush + fdatasync (default)" } else { "sled flush only" };
        let command = if admissions { "admission" } else { "subscription" };
        println!("{command:<16} {label:<30} {p50:>8.0} {p90:>8.0} {p99:>8.0}");
    }
}
