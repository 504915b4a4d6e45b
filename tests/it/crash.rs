//! Crash safety: a child process appends commands and is killed (SIGKILL) at random moments;
//! after each kill, every command it acknowledged must be there, nothing half-written visible,
//! the chain valid, and the kept state equal to a rebuild from the log.
//!
//! `cargo test` runs a short series; `COOP_CRASH_ROUNDS=300 cargo test --release --test it crash`
//! runs a long one. The counts are printed (`-- --nocapture`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use coop::{Options, PartyKind, Personal, Request, Statutes, Store};

const CHILD_ENV: &str = "COOP_CRASH_CHILD_STORE";

/// The child: appends admissions named after their command ids, printing `ack N` once each
/// `execute` has returned (so once it is durable), until it is killed.
#[test]
#[ignore = "run as the child process of the crash harness"]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let first: u64 = std::env::var("COOP_CRASH_FIRST").unwrap().parse().unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "opening").unwrap();
    out.flush().unwrap();
    let store = Store::open_with(&path, Options::default()).unwrap();
    let once = std::env::var("COOP_CRASH_ONCE").is_ok();
    for i in first.. {
        store.execute(admission(i)).unwrap();
        writeln!(out, "ack {i}").unwrap();
        out.flush().unwrap();
        if once {
            // Exit at once: the next process opens the store again (sled writes its snapshot
            // file while opening), so the kills land around opening and closing.
            return;
        }
    }
}

/// The `i`th admission, under the command id `c{i}`.
fn admission(i: u64) -> Request {
    let admit = coop::Command::Admit {
        personal: Personal { name: format!("c{i}"), email: None, address: None },
        kind: PartyKind::Person,
        category: ["employees", "beneficiaries", "volunteers"][(i % 3) as usize].into(),
        shares: Some(1 + i % 4),
        class: None,
        paid: None,
    };
    Request::new(admit).dated(coop::parse_date("2020-01-01").unwrap()).with_id(format!("c{i}"))
}

fn rounds() -> usize {
    std::env::var("COOP_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(12)
}

#[test]
fn killed_at_random_points_no_acknowledged_write_is_lost() {
    harness("crash harness", false, |round, seed| 1_000 * if round % 3 == 0 { seed % 40 } else { 20 + seed % 180 });
}

/// Processes that open the store, record one admission and exit, killed 0 to 3 ms (every other
/// round: 0 to 120 ms) after they begin to open it: most kills land while sled opens the store and writes its snapshot file, the moment
/// that once left an unfinished snapshot which made the store unreadable.
#[test]
fn killed_while_opening_or_closing_the_store_never_bricks_it() {
    harness("open/close crash harness", true, |round, seed| if round % 2 == 0 { seed % 3_000 } else { seed % 120_000 });
}

/// Runs `COOP_CRASH_ROUNDS` rounds (12 by default); `delay_us` says when to kill the child, in
/// microseconds (from its start, or with `once` from the moment it begins to open the store).
fn harness(label: &str, once: bool, delay_us: impl Fn(usize, u64) -> u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    {
        let store = Store::open(&path).unwrap();
        let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
        let founded = statutes.founded;
        store.execute(Request::new(coop::Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded)).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut seed = 0x9E3779B97F4A7C15u64;
    let mut acked_total = 0u64;
    let mut next = 0u64;
    let mut in_flight_seen = 0;
    let mut kills = 0;
    let rounds = rounds();
    for round in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Some kills land in the first 40 ms, while the child opens the store: that is when
        // sled writes its snapshot file (an unfinished one once bricked the store).
        let delay = Duration::from_micros(delay_us(round, seed));
        let mut command = Command::new(&exe);
        if once {
            command.env("COOP_CRASH_ONCE", "1");
        }
        let mut child = command
            .args(["--exact", "crash::crash_child", "--ignored", "--nocapture", "--test-threads=1", "-q"])
            .env(CHILD_ENV, &path)
            .env("COOP_CRASH_FIRST", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (opening_tx, opening) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("ack ") {
                    acks.push(n.trim().parse::<u64>().unwrap());
                } else if line == "opening" {
                    let _ = opening_tx.send(());
                }
            }
            acks
        });
        if once {
            // Count the delay from the moment the child opens the store, not from its start
            // (a debug test binary takes longer than that to start).
            let _ = opening.recv_timeout(Duration::from_secs(20));
        }
        let started = Instant::now();
        while started.elapsed() < delay {
            std::thread::sleep(Duration::from_micros(100).min(delay));
        }
        if matches!(child.try_wait(), Ok(None)) {
            kills += 1;
        }
        let _ = child.kill(); // SIGKILL (the child may have exited already)
        child.wait().unwrap();
        let acks = reader.join().unwrap();

        // Reopen as a new process would, and check.
        let store = Store::open(&path).unwrap_or_else(|e| panic!("round {round}: reopening failed: {e}"));
        let names: std::collections::BTreeSet<String> =
            store.register(&store.state().unwrap()).unwrap().into_iter().filter_map(|r| r.name).collect();
        for i in &acks {
            assert!(names.contains(&format!("c{i}")), "round {round}: acknowledged command c{i} is lost");
        }
        let present = store.state().unwrap().members.len() as u64;
        let last_acked = acks.last().map_or(next, |a| a + 1);
        assert!(present == last_acked || present == last_acked + 1, "round {round}: {present} members, {last_acked} acknowledged");
        if present == last_acked + 1 {
            in_flight_seen += 1;
        }
        assert_eq!(names.len() as u64, present, "round {round}: a member without its name");
        let v = store.verify().unwrap();
        assert!(v.ok, "round {round}: {v:?}");
        assert!(store.replay_check().unwrap().matches, "round {round}: the kept state differs from a rebuild");
        // Retrying the last command found in the log, under its id, appends nothing.
        if present > 0 && names.contains(&format!("c{}", present - 1)) {
            let retry = store.execute(admission(present - 1)).unwrap();
            assert!(retry.replayed, "round {round}: the retry of c{} appended again", present - 1);
            assert_eq!(store.head().seq, v.events, "round {round}: the retry wrote something");
        }
        acked_total += acks.len() as u64;
        next = present;
    }
    eprintln!(
        "{label}: {rounds} rounds, {kills} kills, {acked_total} acknowledged commands, none lost; {in_flight_seen} in-flight commands found committed; {next} members in the end"
    );
}

/// Builds a store of `n` admissions and returns its export.
fn export_of(dir: &std::path::Path, n: u64) -> Vec<u8> {
    let path = dir.join("source");
    let store = Store::open_with(&path, Options { fsync: false, ..Options::default() }).unwrap();
    let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let founded = statutes.founded;
    store.execute(Request::new(coop::Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded)).unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        store.execute_all(chunk.iter().map(|i| admission(*i)).collect()).unwrap();
    }
    let mut out = Vec::new();
    store.export_events(&mut out).unwrap();
    out
}

/// An import cut short, as a kill leaves it: its marker and part of its records. Before the fix,
/// the next open took the part for a write cut short and committed it (a shorter store that
/// verifies); now the store opens empty, and the import can be run again.
#[test]
fn an_import_cut_short_leaves_an_empty_store() {
    if crate::on_postgres("an_import_cut_short_leaves_an_empty_store") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let export = export_of(dir.path(), 300);
    let path = dir.path().join("s");
    drop(Store::open(&path).unwrap());
    {
        let db = crate::open_sled(&path);
        db.open_tree("meta").unwrap().insert("importing", "1").unwrap();
        let text = String::from_utf8(export.clone()).unwrap();
        let records: Vec<&str> = text.lines().skip(1).take(100).collect();
        db.open_tree("log").unwrap().insert(1u64.to_be_bytes(), records.join("\n").as_bytes()).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().seq, 0, "the part of an import is not a log");
    assert_eq!(store.verify().unwrap().events, 0);
    let report = store.import_events(export.as_slice()).unwrap();
    assert_eq!(report.events, 602);
}

/// `coop import events` killed at random moments: after each kill the store holds all of the
/// file or none of it, never a shorter log that verifies.
#[test]
fn killed_imports_leave_all_of_the_file_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let export = export_of(dir.path(), 1500);
    let file = dir.path().join("log.jsonl");
    std::fs::write(&file, &export).unwrap();
    let total = 3002;
    let args = [std::ffi::OsStr::new("import"), "events".as_ref(), file.as_os_str()];
    let span = crate::kill_span(&crate::location(dir.path(), "calibration"), &args);
    let mut seed = 0x2545F4914F6CDD1Du64;
    let (mut none, mut all, mut kills) = (0, 0, 0);
    for round in 0..rounds() {
        let path = crate::location(dir.path(), &format!("r{round}"));
        if crate::run_killed(&path, &args, crate::next_seed(&mut seed) % span) {
            kills += 1;
        }
        if !Store::exists(&path).unwrap() {
            none += 1;
            continue;
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let v = store.verify().unwrap();
        assert!(v.ok, "round {round}: {v:?}");
        match v.events {
            0 => none += 1,
            n if n == total => all += 1,
            n => panic!("round {round}: a killed import left {n} of {total} events"),
        }
        crate::remove_store(&path);
    }
    eprintln!("import crash harness: {} rounds, {kills} kills, {all} complete imports, {none} empty stores, none partial", rounds());
}

/// `coop restore` killed at random moments: the store holds all of the backup (the log and
/// every name) or nothing (no event, no name left behind).
#[test]
fn killed_restores_leave_all_of_the_backup_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    export_of(dir.path(), 1500);
    let mut backup = Vec::new();
    Store::open(&source).unwrap().backup(&mut backup).unwrap();
    let file = dir.path().join("scic.coop");
    std::fs::write(&file, &backup).unwrap();
    let verify = |path: &std::path::Path| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_coop")).arg("--store").arg(path).args(["audit", "verify", "--json"]).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_default()
    };
    let calibration = crate::location(dir.path(), "calibration");
    let args = [std::ffi::OsStr::new("restore"), file.as_os_str()];
    let span = crate::kill_span(&calibration, &args);
    // 1,500 members and the founder, whose name is kept beside the log too.
    assert_eq!(verify(&calibration)["personal"]["checked"], 1501);
    let mut seed = 0x51_7C_C1_B7_27_22_0A_95u64;
    let (mut kills, mut all, mut none) = (0, 0, 0);
    for round in 0..rounds() {
        let path = crate::location(dir.path(), &format!("r{round}"));
        if crate::run_killed(&path, &args, crate::next_seed(&mut seed) % span) {
            kills += 1;
        }
        if !Store::exists(&path).unwrap() {
            none += 1;
            continue;
        }
        // Opening finishes what the kill left (an import cut short, names written before it).
        drop(Store::open(&path).unwrap_or_else(|e| panic!("round {round}: {e}")));
        let v = verify(&path);
        assert_eq!(v["ok"], true, "round {round}: {v}");
        match (v["events"].as_u64(), v["personal"]["checked"].as_u64(), v["personal"]["orphans"].as_u64()) {
            (Some(0), Some(0), Some(0)) => none += 1,
            (Some(3002), Some(1501), Some(0)) => all += 1,
            other => panic!("round {round}: a killed restore left {other:?} (events, names, orphans): {v}"),
        }
        crate::remove_store(&path);
    }
    eprintln!("restore crash harness: {} rounds, {kills} kills, {all} complete, {none} empty, none partial", rounds());
}
