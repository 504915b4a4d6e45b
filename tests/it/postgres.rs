//! What only a shared database does: many processes writing one cooperative at once, several
//! cooperatives in one database, erasure out of the table's file, subscriptions across
//! processes, and logs moved between sled and PostgreSQL with the same head hash.
//!
//! Built with the feature `postgres`; they need `COOP_TEST_POSTGRES` (see the README's
//! "Running on PostgreSQL": `.ci/run` starts a throwaway cluster and sets it).

use std::time::Duration;

use coop::{Command, PartyKind, Personal, Request, Statutes, Store};

use crate::cli::Env;

fn url() -> String {
    crate::postgres_url().expect("the PostgreSQL tests need COOP_TEST_POSTGRES=postgres://USER@HOST/DB (scripts/postgres-cluster start)")
}

fn founded(store: &Store) {
    let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let date = statutes.founded;
    store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(date)).unwrap();
}

fn admit(name: &str) -> Command {
    Command::Admit {
        personal: Personal { name: name.into(), email: None, address: None },
        kind: PartyKind::Person,
        category: "beneficiaries".into(),
        shares: None,
        class: None,
        paid: None,
    }
}

/// Four processes admit ten members each into one cooperative at the same time: the database
/// serialises their appends, a loser decides again on the new state, and the members get the
/// numbers 1 to 40, once each, in a log that verifies and replays to the kept state.
#[test]
fn many_processes_append_to_one_cooperative_and_none_decides_on_a_stale_state() {
    let _ = url();
    let env = Env::new();
    env.init();
    let store = env.store();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let name = format!("W{w}-{i}");
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
                        .arg("--store")
                        .arg(&store)
                        .args(["member", "admit", "--name", &name, "--category", "beneficiaries", "--date", "2020-01-01"])
                        .env("COOP_TODAY", "2026-11-28")
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let s = Store::open(&store).unwrap();
    let state = s.state().unwrap();
    let numbers: Vec<u32> = state.members.keys().map(|n| n.0).collect();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
    let names: std::collections::BTreeSet<String> = s.register(&state).unwrap().into_iter().filter_map(|r| r.name).collect();
    assert_eq!(names.len(), 40, "every member has their name");
    assert!(s.verify().unwrap().ok);
    assert!(s.replay_check().unwrap().matches, "the kept state is the log's");
}

/// Two cooperatives in one database: each its own sequence numbers, head and members.
#[test]
fn cooperatives_share_a_database_each_with_its_own_log_and_head() {
    let base = url();
    let tag = coop::Ulid::new().to_string().to_lowercase();
    let a = Store::open(format!("{base}#jura-{tag}")).unwrap();
    let b = Store::open(format!("{base}#montval-{tag}")).unwrap();
    founded(&a);
    founded(&b);
    for i in 0..3 {
        a.execute(Request::new(admit(&format!("A{i}"))).dated(coop::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())).unwrap();
    }
    b.execute(Request::new(admit("B0")).dated(coop::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())).unwrap();
    assert_eq!(a.head().seq, 2 + 3 * 2);
    assert_eq!(b.head().seq, 2 + 2);
    assert_ne!(a.head().hash, b.head().hash);
    let b_events = b.events(1, 100).unwrap();
    assert_eq!(b_events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=4).collect::<Vec<_>>(), "b's log numbers its own events");
    let names = |s: &Store| -> Vec<String> { s.register(&s.state().unwrap()).unwrap().into_iter().filter_map(|r| r.name).collect() };
    assert_eq!(names(&a), ["A0", "A1", "A2"]);
    assert_eq!(names(&b), ["B0"]);
    assert!(a.verify().unwrap().ok && b.verify().unwrap().ok);
}

/// An erasure deletes the row and writes the table anew (`VACUUM FULL`): the name is in the
/// table's file before, and in no row nor in the file after.
#[test]
fn an_erasure_removes_the_name_from_the_table_and_from_its_file() {
    let _ = url();
    let env = Env::new();
    env.init();
    // A name no other test uses, so that finding it in the shared table's file means this one.
    let name = format!("Erasable {}", coop::Ulid::new());
    env.ok(&["member", "admit", "--name", &name, "--category", "beneficiaries", "--date", "2016-07-01"]);
    let in_file = |name: &str| -> bool {
        crate::psql("CHECKPOINT");
        let file =
            std::path::Path::new(&crate::psql("SHOW data_directory")).join(crate::psql("SELECT pg_relation_filepath('coop_personal')"));
        std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())).windows(name.len()).any(|w| w == name.as_bytes())
    };
    assert_eq!(crate::postgres_personal_rows(&env.store(), &name), 1);
    assert!(in_file(&name), "the check reads the table's file (the name is there before the erasure)");
    env.ok(&["member", "withdraw", "1", "--date", "2016-08-01"]);
    env.ok(&["member", "forget", "1", "--date", "2026-08-01"]);
    assert_eq!(crate::postgres_personal_rows(&env.store(), &name), 0);
    assert!(!in_file(&name), "the erased name is still in the table's file");
    let v = env.ok(&["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true, "{v}");
}

/// A subscription of one process receives what another process appends (LISTEN/NOTIFY), once
/// and in order, without polling the log.
#[test]
fn a_subscription_follows_what_another_process_appends() {
    let _ = url();
    let env = Env::new();
    env.init();
    let store = Store::open(env.store()).unwrap();
    let head = store.head().seq;
    let mut feed = store.subscribe(head + 1).unwrap();
    assert!(feed.try_next().unwrap().is_none());
    env.ok(&["member", "admit", "--name", "Other Process", "--category", "employees", "--date", "2020-01-01"]);
    let mut got = Vec::new();
    while got.len() < 2 {
        let e = feed.next_timeout(Duration::from_secs(10)).unwrap().expect("the other process's events arrive");
        got.push(e.seq);
    }
    assert_eq!(got, [head + 1, head + 2]);
    assert_eq!(store.acknowledged(), head + 2);
    // The state this handle answers with follows too.
    assert_eq!(store.state().unwrap().members.len(), 1);
}

/// `export events` of a sled store imports into PostgreSQL and back with the same head hash
/// and the same bytes; a backup restores into PostgreSQL with every name.
#[test]
fn a_log_moves_from_sled_to_postgres_and_back_with_the_same_head_hash() {
    let _ = url();
    let env = Env::new();
    let sled_store = env.dir.path().join("sled.db");
    let pg_store = env.store();
    let back = env.dir.path().join("back.db");
    env.run_on(&sled_store, &["demo"]);
    let export = env.run_on(&sled_store, &["export", "events"]).stdout;
    let file = env.file("log.jsonl", &export);
    let r = env.run_on(&pg_store, &["import", "events", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pg_export = env.run_on(&pg_store, &["export", "events"]).stdout;
    assert_eq!(pg_export, export, "the same log, byte for byte");
    let file = env.file("log2.jsonl", &pg_export);
    assert_eq!(env.run_on(&back, &["import", "events", file.to_str().unwrap()]).code, 0);
    let hash = |p: &std::path::Path| env.run_on(p, &["audit", "verify", "--json"]).json()["head_hash"].clone();
    assert_eq!(hash(&sled_store), hash(&pg_store));
    assert_eq!(hash(&sled_store), hash(&back));
    // A backup carries the names too.
    let backup = env.dir.path().join("scic.coop");
    assert_eq!(env.run_on(&sled_store, &["backup", backup.to_str().unwrap()]).code, 0);
    let restored = crate::location(env.dir.path(), "restored");
    let r = env.run_on(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run_on(&restored, &["register", "--json"]).stdout, env.run_on(&sled_store, &["register", "--json"]).stdout);
    assert_eq!(hash(&restored), hash(&sled_store));
}

/// Processes creating cooperatives at once in a database that has no coop tables yet: the
/// tables are created once (under a lock held until they are committed), and every process
/// founds its cooperative. (Before, the lock was let go before the commit: one process in
/// twelve failed on the catalog.)
#[test]
fn processes_founding_cooperatives_at_once_in_a_new_database_all_succeed() {
    let base = url();
    let db = format!("coop_fresh_{}", coop::Ulid::new().to_string().to_lowercase());
    crate::psql(&format!("CREATE DATABASE {db}"));
    let (prefix, _) = base.rsplit_once('/').expect("a URL naming its database");
    let env = Env::new();
    let statutes = env.file("statutes.toml", coop::SAMPLE_STATUTES);
    let children: Vec<_> = (0..12)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
                .arg("--store")
                .arg(format!("{prefix}/{db}#c{i}"))
                .args(["init", "--statutes", statutes.to_str().unwrap()])
                .env("COOP_TODAY", "2026-11-28")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    for (i, out) in outputs.iter().enumerate() {
        assert!(out.status.success(), "process {i}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for i in 0..12 {
        let store = Store::open(format!("{prefix}/{db}#c{i}")).unwrap();
        assert!(store.state().unwrap().statutes.is_some(), "cooperative {i} is founded");
        assert!(store.verify().unwrap().ok);
    }
}
