//! The store through the public API: replays, the state kept in pieces, idempotence, tampering.

use coop::{Cents, Command, EndCause, MemberNo, Options, Part, PartyKind, Pick, Request, Store};
use proptest::prelude::*;

use crate::lib::{admit, found, founded_in, m};
use crate::{copy_dir, log_records, put_log_records};

fn d(s: &str) -> chrono::NaiveDate {
    coop::parse_date(s).unwrap()
}

#[test]
fn a_command_id_appends_once_and_a_reused_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let cmd = admit("Camille", PartyKind::Person, "employees", 1);
    let first = store.execute(Request::new(cmd.clone()).dated(d("2020-01-01")).with_id("abc")).unwrap();
    let again = store.execute(Request::new(cmd).dated(d("2020-01-01")).with_id("abc")).unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.seqs(), again.seqs());
    assert_eq!(store.head().seq, 4, "founding (2 events) and one admission (2)");
    let other = admit("Camille", PartyKind::Person, "employees", 2);
    let err = store.execute(Request::new(other).dated(d("2020-01-01")).with_id("abc")).unwrap_err();
    assert!(matches!(err, coop::Error::CommandIdReused(_)), "{err}");
    assert_eq!(store.head().seq, 4);
    // Another person under the same id, another date or another actor is not a retry: the second
    // person would never be admitted if it answered with the first.
    let reused = |r: Request| {
        let err = store.execute(r.with_id("abc")).unwrap_err();
        assert!(matches!(err, coop::Error::CommandIdReused(_)), "{err}");
    };
    reused(Request::new(admit("Dominique", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")));
    reused(Request::new(admit("Camille", PartyKind::Person, "employees", 1)).dated(d("2020-01-02")));
    reused(Request::new(admit("Camille", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")).by("someone else"));
    assert_eq!(store.head().seq, 4);
    let again =
        store.execute(Request::new(admit("Camille", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")).with_id("abc")).unwrap();
    assert!(again.replayed);
}

#[test]
fn a_refused_command_writes_nothing_and_the_store_reopens_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let (state, head) = {
        let store = Store::open(&path).unwrap();
        found(&store);
        store.execute(Request::new(admit("A", PartyKind::Person, "employees", 2)).dated(d("2020-01-01"))).unwrap();
        let before = store.head();
        let err = store.execute(Request::new(Command::Redeem { member: m(1), count: 2, class: None }).dated(d("2020-02-01"))).unwrap_err();
        assert!(matches!(err, coop::Error::Refused(ref r) if r.rule == coop::Rule::MinimumShares), "{err}");
        assert_eq!(store.head(), before);
        (store.state().unwrap(), store.head())
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head(), head);
    assert_eq!(store.state().unwrap(), state);
    assert!(store.verify().unwrap().ok);
}

#[test]
fn a_batch_with_one_bad_command_writes_nothing_and_names_every_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let reqs = vec![
        Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")),
        Request::new(admit("B", PartyKind::Person, "nowhere", 1)).dated(d("2020-01-01")),
        Request::new(admit("C", PartyKind::Organisation, "volunteers", 1)).dated(d("2020-01-01")),
    ];
    match store.execute_all(reqs) {
        Err(coop::Error::BatchRefused(v)) => assert_eq!(v.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![1, 2]),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.head().seq, 2, "only the founding events");
}

/// In a log in date order, an as-of query reads only the prefix of events dated on or before
/// its date (found by a binary search over the log): on every date around the facts of a log of
/// several packs, it is the fold of the facts dated on or before it, as a whole read finds them.
#[test]
fn an_as_of_query_on_a_log_in_date_order_is_the_fold_of_the_facts_up_to_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(crate::location(dir.path(), "s"), Options { fsync: false, ..Options::default() }).unwrap();
    found(&store);
    let start = d("2020-01-01");
    // Three admissions a day every tenth day: several facts share each date.
    let reqs: Vec<Request> = (0..240u64)
        .map(|i| {
            Request::new(admit(&format!("M{i}"), PartyKind::Person, "employees", 1 + i % 3)).dated(start + chrono::Days::new(i / 3 * 10))
        })
        .collect();
    store.execute_all(reqs).unwrap();
    let head = store.head().seq;
    assert!(head > 480, "admissions and subscriptions: {head} events");
    let mut dates = vec![d("2016-01-01"), d("2019-12-31"), start, d("2030-01-01")];
    for k in [1u64, 9, 10, 11, 400, 790, 791, 800] {
        dates.push(start + chrono::Days::new(k));
    }
    for date in dates {
        let mut expected = coop::State::default();
        coop::timeline::fold(&mut expected, &store.timeline(head, Some(date)).unwrap()).unwrap();
        let got = store.state_as_of(date).unwrap();
        assert_eq!(got, expected, "as of {date}");
        assert_eq!(store.state_known_at(head, Some(date)).unwrap(), expected, "known at the head, as of {date}");
    }
    assert_eq!(store.state_as_of(start + chrono::Days::new(11)).unwrap().members.len(), 6);
}

#[test]
fn as_of_queries_fold_only_facts_dated_on_or_before_the_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 3)).dated(d("2020-01-01"))).unwrap();
    store.execute(Request::new(admit("B", PartyKind::Person, "beneficiaries", 1)).dated(d("2021-01-01"))).unwrap();
    store.execute(Request::new(Command::Withdraw { member: m(1) }).dated(d("2022-01-01"))).unwrap();
    store.execute(Request::new(Command::Redeem { member: m(1), count: 3, class: None }).dated(d("2022-06-01"))).unwrap();
    let s2020 = store.state_as_of(d("2020-12-31")).unwrap();
    assert_eq!(s2020.members.len(), 1);
    assert_eq!(s2020.capital.subscribed, Cents(15_000));
    let s2022 = store.state_as_of(d("2022-03-01")).unwrap();
    assert!(!s2022.members[&MemberNo(1)].is_active());
    assert_eq!(s2022.capital.subscribed, Cents(20_000));
    assert_eq!(store.state_as_of(d("2030-01-01")).unwrap(), store.state().unwrap());
    // "As known after event N": the first 4 events are the founding and A's admission.
    let known = store.state_at_seq(4).unwrap();
    assert_eq!(known.members.len(), 1);
    assert_eq!(store.state_at_seq(store.head().seq).unwrap(), store.state().unwrap());
    let names = store.register(&s2020).unwrap();
    assert_eq!(names[0].name.as_deref(), Some("A"));
}

#[test]
fn edits_deletions_and_swaps_in_the_sled_log_are_found_by_verify() {
    if crate::on_postgres("edits_deletions_and_swaps_in_the_sled_log_are_found_by_verify") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    {
        let store = Store::open(&path).unwrap();
        found(&store);
        for i in 0..6 {
            store.execute(Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).unwrap();
        }
        assert!(store.verify().unwrap().ok);
    }
    type Tamper = fn(&mut std::collections::BTreeMap<u64, Vec<u8>>);
    let cases: Vec<(&str, Tamper, u64)> = vec![
        (
            "edit",
            |log| {
                let v = log[&6].clone();
                let t = String::from_utf8(v.clone()).unwrap().replace("\"count\":1", "\"count\":9");
                assert_ne!(t.as_bytes(), v.as_slice(), "the edit changes the record");
                log.insert(6, t.into_bytes());
            },
            6,
        ),
        (
            "delete",
            |log| {
                log.remove(&7).unwrap();
            },
            7,
        ),
        (
            "swap",
            |log| {
                let (a, b) = (log[&3].clone(), log[&4].clone());
                log.insert(3, b);
                log.insert(4, a);
            },
            3,
        ),
        (
            "truncate",
            |log| {
                log.remove(&14).unwrap();
            },
            14,
        ),
    ];
    for (name, tamper, bad) in cases {
        let copy = dir.path().join(name);
        copy_dir(&path, &copy);
        {
            let db = crate::open_sled(&copy);
            let log = db.open_tree("log").unwrap();
            let mut records = log_records(&copy, &log);
            tamper(&mut records);
            put_log_records(&log, &records);
            db.flush().unwrap();
        }
        // Opening may already refuse (the tail is replayed); verify must name the event.
        match Store::open(&copy) {
            Ok(store) => {
                let r = store.verify().unwrap();
                assert!(!r.ok, "{name} went unseen");
                assert_eq!(r.first_bad_seq, Some(bad), "{name}: {r:?}");
            }
            Err(coop::Error::Integrity { seq, .. }) => assert_eq!(seq, bad, "{name}"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
}

#[test]
fn an_export_reimports_into_an_empty_store_with_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(crate::location(dir.path(), "a")).unwrap();
    found(&store);
    let admitted = store.execute(Request::new(admit("A", PartyKind::Person, "employees", 3)).dated(d("2020-01-01"))).unwrap();
    let end = Command::End { member: m(1), cause: EndCause::LossOfQuality };
    store.execute(Request::new(end.clone()).dated(d("2021-01-01")).with_id("end-1")).unwrap();
    let mut buf = Vec::new();
    assert_eq!(store.export_events(&mut buf).unwrap(), 5);
    let copy = Store::open(crate::location(dir.path(), "b")).unwrap();
    let report = copy.import_events(std::io::Cursor::new(&buf)).unwrap();
    assert_eq!(report.head_hash, store.head().hash);
    assert_eq!(copy.state().unwrap(), store.state().unwrap());
    assert!(copy.verify().unwrap().ok);
    // A second import into the now non-empty store is refused.
    assert!(matches!(copy.import_events(std::io::Cursor::new(&buf)), Err(coop::Error::NotEmpty(5))));
    // The imported command ids are known: a retry under one appends nothing (the export does
    // not carry what the command was, so the retry is refused rather than replayed).
    let retry = copy.execute(Request::new(end).dated(d("2021-01-01")).with_id("end-1")).unwrap_err();
    assert!(matches!(retry, coop::Error::CommandIdReused(_)), "{retry}");
    // So is an id coop drew (a ULID, which the index keeps as its 16 bytes).
    assert!(ulid::Ulid::from_string(&admitted.command_id).is_ok(), "{}", admitted.command_id);
    let again = Request::new(admit("A", PartyKind::Person, "employees", 3)).dated(d("2020-01-01")).with_id(&admitted.command_id);
    let retry = copy.execute(again).unwrap_err();
    assert!(matches!(retry, coop::Error::CommandIdReused(_)), "{retry}");
    // A plain export holds no names: its officers act by their party id (a backup keeps names).
    let fresh = admit("B", PartyKind::Person, "employees", 1);
    let r = copy.execute(Request::new(fresh.clone()).dated(d("2021-02-01")));
    assert!(matches!(r, Err(coop::Error::Refused(_))), "{r:?}");
    let founder = copy.state().unwrap().roster.keys().next().unwrap().clone();
    let r = copy.execute(Request::new(fresh).dated(d("2021-02-01")).with_id("admit-2").by(founder));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(copy.head().seq, 7);
}

#[derive(Clone, Debug)]
enum Op {
    Admit(u8, u8),
    Subscribe(u8, u8),
    Redeem(u8, u8),
    Withdraw(u8),
}

/// The command `o` stands for, its member picked among those of `store`.
fn command(store: &Store, o: &Op) -> Command {
    let n = store.with_state(|s| s.members.len().max(1)).unwrap() as u32;
    let who = |w: &u8| m(*w as u32 % n + 1);
    let cats = ["employees", "beneficiaries", "volunteers"];
    match o {
        Op::Admit(c, k) => admit("X", PartyKind::Person, cats[*c as usize % 3], *k as u64),
        Op::Subscribe(w, k) => Command::Subscribe { member: who(w), count: *k as u64, class: None, paid: None },
        Op::Redeem(w, k) => Command::Redeem { member: who(w), count: *k as u64, class: None },
        Op::Withdraw(w) => Command::Withdraw { member: who(w) },
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4, 1u8..6).prop_map(|(c, n)| Op::Admit(c, n)),
        1 => (any::<u8>(), 1u8..6).prop_map(|(w, n)| Op::Subscribe(w, n)),
        1 => (any::<u8>(), 1u8..6).prop_map(|(w, n)| Op::Redeem(w, n)),
        1 => any::<u8>().prop_map(Op::Withdraw),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Whatever the commands, the state kept on disk in pieces equals a full replay, before
    /// and after reopening; any part of it read alone equals that part of the whole; and the
    /// chain verifies.
    #[test]
    fn the_state_kept_in_pieces_equals_a_full_replay(ops in proptest::collection::vec(op(), 5..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::location(dir.path(), "s");
        let opts = Options::default();
        let store = Store::open_with(&path, opts.clone()).unwrap();
        found(&store);
        for o in &ops {
            let cmd = command(&store, o);
            let _ = store.execute(Request::new(cmd).dated(d("2020-01-01")));
        }
        let kept = store.replay_check().unwrap();
        prop_assert!(kept.matches, "{kept:?}");
        let state = store.state().unwrap();
        drop(store);
        let store = Store::open_with(&path, opts).unwrap();
        prop_assert_eq!(&store.state().unwrap(), &state);
        // Opening read nothing but the head; a part read alone is that part of the whole.
        for (n, member) in &state.members {
            let part = store.state_part(&Part { members: Pick::Only(vec![*n]), ..Part::default() }).unwrap();
            prop_assert_eq!(part.members.len(), 1);
            prop_assert_eq!(&part.members[n], member);
            prop_assert_eq!(part.parties.get(&member.party), Some(n));
            prop_assert_eq!(part.capital, state.capital);
            prop_assert_eq!(&part.by_class, &state.by_class);
            prop_assert_eq!(part.active_members, state.active_members);
            prop_assert_eq!(&part.statutes, &state.statutes);
        }
        prop_assert!(store.replay_check().unwrap().matches);
        prop_assert!(store.verify().unwrap().ok);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    /// Whatever the order the facts are entered in (dated before facts already recorded, or
    /// after) and whatever is voided, the log read back in the timeline's order (`audit verify`
    /// and `audit replay` merge the facts that break the date order, read first, into a read in
    /// the log's order) gives the state the commands kept, and the fold as of today gives it too.
    #[test]
    fn a_log_out_of_date_order_folds_to_the_state_kept(ops in proptest::collection::vec((op(), 0u8..8, 0u8..10), 5..30)) {
        let dir = tempfile::tempdir().unwrap();
        let store = founded_in(dir.path());
        let dates = ["2019-03-01", "2019-11-15", "2020-06-30", "2021-01-04", "2021-09-09", "2022-02-28", "2022-12-01", "2023-06-15"];
        for (o, day, void) in &ops {
            let cmd = command(&store, o);
            let _ = store.execute(Request::new(cmd).dated(d(dates[*day as usize])));
            let head = store.head().seq;
            if *void == 0 && head > 2 {
                let seq = 2 + (u64::from(*day) * 7919) % (head - 1);
                let _ = store.execute(Request::new(Command::Void { seq, reason: "entered by mistake".into() }));
            }
        }
        let kept = store.replay_check().unwrap();
        prop_assert!(kept.matches, "{kept:?}");
        let v = store.verify().unwrap();
        prop_assert!(v.ok, "{v:?}");
        let today = chrono::Local::now().date_naive();
        prop_assert_eq!(&store.state_as_of(today).unwrap(), &store.state().unwrap());
    }
}

#[test]
fn threads_sharing_one_store_keep_the_log_gap_free_and_the_chain_valid() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    std::thread::scope(|s| {
        for t in 0..4 {
            let store = &store;
            s.spawn(move || {
                for i in 0..10 {
                    store
                        .execute(Request::new(admit(&format!("T{t}-{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01")))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(store.head().seq, 2 + 40 * 2);
    let numbers: Vec<u32> = store.state().unwrap().members.keys().map(|n| n.0).collect();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
    assert!(store.verify().unwrap().ok);
    assert!(store.replay_check().unwrap().matches);
}

/// Two handles, each with its own copy of the state, deciding at once: every command must be
/// decided again on the latest state when the head moved under it. A stale decision would give
/// two members the same number, which the replay below would refuse.
#[test]
fn under_contention_no_command_is_appended_on_a_stale_state() {
    let dir = tempfile::tempdir().unwrap();
    let a = founded_in(dir.path());
    let b = a.second_handle().unwrap();
    std::thread::scope(|s| {
        for (t, store) in [(0, &a), (1, &b), (2, &a), (3, &b)] {
            s.spawn(move || {
                for i in 0..15 {
                    let r = store
                        .execute(Request::new(admit(&format!("T{t}-{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01")));
                    r.unwrap();
                }
            });
        }
    });
    let head = a.head().seq.max(b.head().seq);
    assert_eq!(head, 2 + 60 * 2);
    drop((a, b));
    let store = Store::open(crate::location(dir.path(), "s")).unwrap();
    let numbers: Vec<u32> = store.state().unwrap().members.keys().map(|n| n.0).collect();
    assert_eq!(numbers, (1..=60).collect::<Vec<_>>());
    let v = store.verify().unwrap();
    assert!(v.ok, "{v:?}");
    assert!(store.replay_check().unwrap().matches);
    let names: std::collections::BTreeSet<String> =
        store.register(&store.state().unwrap()).unwrap().into_iter().filter_map(|r| r.name).collect();
    assert_eq!(names.len(), 60, "every acknowledged admission kept its name");
}

#[test]
fn a_second_process_gets_store_in_use_not_a_hang() {
    if crate::on_postgres("a_second_process_gets_store_in_use_not_a_hang") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let store = Store::open(&path).unwrap();
    found(&store);
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coop")).arg("--store").arg(&path).arg("register").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another process"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "it must not wait for the lock");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the lines, an import of events into an empty store is refused or exact, never a
    /// panic, and a refused import leaves the store empty.
    #[test]
    fn hostile_event_files_are_refused_and_leave_the_store_empty(
        lines in proptest::collection::vec("(?s).{0,120}", 0..6),
        header in proptest::bool::ANY,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(crate::location(dir.path(), "s")).unwrap();
        let mut text = String::new();
        if header {
            text.push_str(&format!("{{\"coop_export\":1,\"events\":{},\"head_hash\":\"{}\"}}\n", lines.len(), coop::GENESIS_HASH));
        }
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        let r = store.import_events(std::io::Cursor::new(text.into_bytes()));
        if r.is_err() {
            prop_assert_eq!(store.head().seq, 0);
            prop_assert!(store.verify().unwrap().ok);
        }
    }
}

/// A store of the first layout (one record per key, no state pieces, no pack marker) opens: its
/// records read as they are, its state is built from the log, and it takes commands again.
#[test]
fn a_store_of_the_first_layout_opens_and_is_upgraded() {
    if crate::on_postgres("a_store_of_the_first_layout_opens_and_is_upgraded") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let state = {
        let store = Store::open(&path).unwrap();
        found(&store);
        for i in 0..40 {
            store.execute(Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 2)).dated(d("2020-01-01"))).unwrap();
        }
        store.state().unwrap()
    };
    {
        let db = crate::open_sled(&path);
        let log = db.open_tree("log").unwrap();
        let records = log_records(&path, &log);
        assert!(log.len() < records.len(), "the log was packed");
        put_log_records(&log, &records);
        for t in ["state-totals", "state-members", "state-assemblies", "state-projects", "imported-commands"] {
            db.drop_tree(t).unwrap();
        }
        let meta = db.open_tree("meta").unwrap();
        meta.remove("sealed").unwrap();
        meta.insert("format", "coop-store/1").unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.state().unwrap(), state);
    assert!(store.verify().unwrap().ok);
    store.execute(Request::new(admit("N", PartyKind::Person, "employees", 1)).dated(d("2020-02-01"))).unwrap();
    assert!(store.replay_check().unwrap().matches);
    drop(store);
    let db = crate::open_sled(&path);
    assert_eq!(db.open_tree("meta").unwrap().get("format").unwrap().unwrap().as_ref(), b"coop-store/10");
}

/// Stores of the second to seventh layouts kept assemblies and members in a binary form without
/// what came later (the assembly rules' edition 1; hands counted in open votes; mandates ended
/// early; dates as day numbers; the party index in buckets): their pieces are not read but built
/// again from the log on first open.
#[test]
fn a_store_of_an_older_layout_rebuilds_its_pieces_from_the_log() {
    if crate::on_postgres("a_store_of_an_older_layout_rebuilds_its_pieces_from_the_log") {
        return;
    }
    for older in
        ["coop-store/2", "coop-store/3", "coop-store/4", "coop-store/5", "coop-store/6", "coop-store/7", "coop-store/8", "coop-store/9"]
    {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::location(dir.path(), "s");
        let state = {
            let store = Store::open(&path).unwrap();
            found(&store);
            for i in 0..5 {
                store.execute(Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 2)).dated(d("2020-01-01"))).unwrap();
            }
            // A project two of them take part in (listed under them since `coop-store/10`).
            let create = Command::CreateProject { slug: "p".into(), name: "P".into(), description: String::new(), stage: None };
            store.execute(Request::new(create).dated(d("2020-02-01"))).unwrap();
            for n in [2, 4] {
                let join = Command::Join { project: "p".into(), who: coop::Who::Member(m(n)), role: coop::ProjectRole::Contributor };
                store.execute(Request::new(join).dated(d("2020-02-01"))).unwrap();
            }
            store.state().unwrap()
        };
        {
            let db = crate::open_sled(&path);
            // Pieces this coop cannot read, under the older layout's marker.
            let members = db.open_tree("state-members").unwrap();
            let keys: Vec<_> = members.iter().keys().map(|k| k.unwrap()).collect();
            for k in keys {
                members.insert(k, &b"\x07\xff\xff older binary form"[..]).unwrap();
            }
            // Nor do they list who took part in which project.
            let projects = db.open_tree("state-projects").unwrap();
            for k in projects.scan_prefix(b"j").keys() {
                projects.remove(k.unwrap()).unwrap();
            }
            db.open_tree("meta").unwrap().insert("format", older).unwrap();
            db.flush().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.state().unwrap(), state, "{older}");
        let part = Part { members: Pick::Only(vec![MemberNo(4)]), projects_of: vec![MemberNo(4)], ..Part::default() };
        assert_eq!(store.state_part(&part).unwrap().projects.keys().collect::<Vec<_>>(), ["p"], "{older}");
        assert!(store.verify().unwrap().ok);
        assert!(store.replay_check().unwrap().matches);
        drop(store);
        let db = crate::open_sled(&path);
        assert_eq!(db.open_tree("meta").unwrap().get("format").unwrap().unwrap().as_ref(), b"coop-store/10");
    }
}

/// A command writes its command id, its records, the totals, the other pieces and the head last.
/// Cut at each point, the store reopens to a state that is a fold of its log, every record whose
/// write began is kept (rolled forward), and a retry under the same command id appends nothing
/// twice.
#[test]
fn a_write_cut_short_at_any_point_reopens_rolled_forward_or_as_before() {
    if crate::on_postgres("a_write_cut_short_at_any_point_reopens_rolled_forward_or_as_before") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    // Member 2's piece is kept in the bucket of members 0-7 (`n` and the bucket's number).
    let member_2 = [&b"n"[..], &0u32.to_be_bytes()].concat();
    let (before_head, before_g, before_m2) = {
        let store = Store::open(&path).unwrap();
        found(&store);
        for i in 0..5 {
            store.execute(Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).unwrap();
        }
        drop(store);
        // The head witness as it was: a write cut short never got to rewrite it.
        std::fs::copy(path.join("head"), dir.path().join("witness-before")).unwrap();
        let db = crate::open_sled(&path);
        let head = db.open_tree("meta").unwrap().get("head").unwrap().unwrap();
        let g = db.open_tree("state-totals").unwrap().get("g").unwrap().unwrap();
        let m2 = db.open_tree("state-members").unwrap().get(&member_2).unwrap().unwrap();
        (head, g, m2)
    };
    let retried =
        || Request::new(Command::Subscribe { member: m(2), count: 3, class: None, paid: None }).dated(d("2020-02-01")).with_id("sub-1");
    {
        let store = Store::open(&path).unwrap();
        store.execute(retried()).unwrap();
    }
    let after = Store::open(&path).unwrap().state().unwrap();
    // Cut after the records (the totals and head as before), and after the totals (the head as
    // before): both reopen with the subscription kept, as a fold of the log says.
    for (name, old_g) in [("after the records", true), ("after the totals", false)] {
        let copy = dir.path().join(name.replace(' ', "-"));
        copy_dir(&path, &copy);
        {
            let db = crate::open_sled(&copy);
            db.open_tree("meta").unwrap().insert("head", before_head.clone()).unwrap();
            if old_g {
                // Nothing after the records was written: the totals and the member's piece too
                // are as before.
                db.open_tree("state-totals").unwrap().insert("g", before_g.clone()).unwrap();
                db.open_tree("state-members").unwrap().insert(&member_2, before_m2.clone()).unwrap();
            }
            db.flush().unwrap();
        }
        std::fs::copy(dir.path().join("witness-before"), copy.join("head")).unwrap();
        let store = Store::open(&copy).unwrap();
        assert_eq!(store.state().unwrap(), after, "{name}");
        assert!(store.replay_check().unwrap().matches, "{name}");
        assert!(store.verify().unwrap().ok, "{name}");
        let again = store.execute(retried()).unwrap();
        assert!(again.replayed, "{name}: the retry is recognised");
        assert_eq!(store.state().unwrap(), after, "{name}");
    }
    // Cut after the command id only: its records never came, so the id names nothing and the
    // retry appends the subscription once.
    let copy = dir.path().join("after-the-id");
    copy_dir(&path, &copy);
    {
        let db = crate::open_sled(&copy);
        let log = db.open_tree("log").unwrap();
        let mut records = log_records(&copy, &log);
        let last = *records.keys().last().unwrap();
        records.remove(&last);
        put_log_records(&log, &records);
        db.open_tree("meta").unwrap().insert("head", before_head.clone()).unwrap();
        db.open_tree("meta").unwrap().remove("sealed").unwrap();
        db.open_tree("state-totals").unwrap().insert("g", before_g.clone()).unwrap();
        db.open_tree("state-members").unwrap().insert(&member_2, before_m2.clone()).unwrap();
        db.flush().unwrap();
    }
    std::fs::copy(dir.path().join("witness-before"), copy.join("head")).unwrap();
    let store = Store::open(&copy).unwrap();
    assert_ne!(store.state().unwrap(), after);
    // Another command takes the places the cut write had named.
    let other = Command::Subscribe { member: m(3), count: 1, class: None, paid: None };
    store.execute(Request::new(other).dated(d("2020-02-01"))).unwrap();
    let first = store.execute(retried()).unwrap();
    assert!(!first.replayed, "the id of a write cut short before its records names nothing");
    assert_eq!(first.events[0].command_id, "sub-1");
    assert_eq!(store.state().unwrap().members[&coop::MemberNo(2)], after.members[&coop::MemberNo(2)]);
    assert!(store.execute(retried()).unwrap().replayed);
    assert!(store.replay_check().unwrap().matches);
}

/// A batch whose personal data cannot be written (its files are written on another thread while
/// its records are sealed) is an error, and writes no event: the store reopens to the head and
/// state it had, and a batch once the files can be written again admits with names.
#[test]
fn a_batch_whose_personal_data_cannot_be_written_writes_no_event() {
    if crate::on_postgres("a_batch_whose_personal_data_cannot_be_written_writes_no_event") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let batch = |n: usize| -> Vec<Request> {
        (0..n).map(|i| Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).collect()
    };
    let (state, head) = {
        let store = Store::open(&path).unwrap();
        found(&store);
        // Each file of names is written as a temporary file first: a directory in its place
        // stops every write (a permission would not stop the root user).
        let blocked: Vec<std::path::PathBuf> = (0..=255u8).map(|b| path.join("personal").join(format!("{b:02x}.json.tmp"))).collect();
        for p in &blocked {
            std::fs::create_dir_all(p).unwrap();
        }
        let before = (store.state().unwrap(), store.head());
        assert!(store.execute_all(batch(2_000)).is_err());
        assert_eq!(store.head(), before.1);
        assert_eq!(store.state().unwrap(), before.0);
        for p in &blocked {
            std::fs::remove_dir(p).unwrap();
        }
        before
    };
    let store = Store::open(&path).unwrap();
    assert_eq!((store.state().unwrap(), store.head()), (state, head.clone()));
    assert!(store.verify().unwrap().ok);
    store.execute_all(batch(2_000)).unwrap();
    assert_eq!(store.head().seq, head.seq + 4_000);
    let r = store.verify().unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.personal.map(|p| (p.checked, p.orphans)), Some((2_001, 0)));
}

/// `close_at_exit` leaves the last handle's memory to the process's end but writes what sled
/// holds first: a process that closes this way and exits leaves a store the next one opens
/// whole. Another handle on the store, or a temporary store, is simply dropped.
#[test]
fn closing_at_exit_keeps_what_was_written_and_drops_other_handles_as_usual() {
    if crate::on_postgres("closing_at_exit_keeps_what_was_written_and_drops_other_handles_as_usual") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Another handle: dropped, the first one still writes.
    let path = dir.path().join("shared");
    let store = Store::open(&path).unwrap();
    found(&store);
    store.clone().close_at_exit().unwrap();
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    let head = store.head();
    drop(store);
    assert_eq!(Store::open(&path).unwrap().head(), head);
    // A temporary store: removed, as its drop does.
    let temporary = dir.path().join("temporary");
    let store = Store::open_with(&temporary, Options::temporary()).unwrap();
    found(&store);
    assert!(temporary.exists());
    store.close_at_exit().unwrap();
    assert!(!temporary.exists());
    // The last handle, in a process of its own (its memory is never freed): the next process
    // finds every event and a sound store.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(["--store", path.to_str().unwrap(), "--actor", "coop", "import", "members"])
        .arg(write_register(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().seq, head.seq + 6, "three admissions of two events each");
    assert!(store.verify().unwrap().ok);
}

/// A register of three members, as `import members` reads it.
fn write_register(dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("register.csv");
    std::fs::write(&file, "name,category,shares,admitted\nB,employees,1,2020-02-01\nC,employees,1,2020-02-01\nD,employees,1,2020-02-01\n")
        .unwrap();
    file
}

/// A store founded and `members` members admitted in one batch (several runs and sealed
/// packs), verified sound.
fn store_of_admissions(path: &std::path::Path, members: usize) {
    let store = Store::open(path).unwrap();
    found(&store);
    let reqs: Vec<Request> =
        (0..members).map(|i| Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).collect();
    store.execute_all(reqs).unwrap();
    assert!(store.verify().unwrap().ok);
}

/// A run taken out of the middle of the log: `verify` names the first event missing and where
/// the next stored run starts (the runs are opened and checked on other threads; the gap
/// between them is found where they are linked, in order), after the events before it.
#[test]
fn a_run_missing_from_the_middle_of_the_log_is_named_by_verify() {
    if crate::on_postgres("a_run_missing_from_the_middle_of_the_log_is_named_by_verify") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    store_of_admissions(&path, 300);
    let (gone, next) = {
        let db = crate::open_sled(&path);
        let log = db.open_tree("log").unwrap();
        let keys: Vec<u64> = log.iter().keys().map(|k| u64::from_be_bytes(k.unwrap().as_ref().try_into().unwrap())).collect();
        assert!(keys.len() >= 5, "{keys:?}");
        log.remove(keys[2].to_be_bytes()).unwrap();
        db.flush().unwrap();
        (keys[2], keys[3])
    };
    let r = Store::open_for_audit(&path).unwrap().verify().unwrap();
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(gone), "{r:?}");
    assert_eq!(r.events, gone - 1, "{r:?}");
    let said = format!("event {gone} is missing (the next stored run starts at {next})");
    assert!(r.problem.as_deref().is_some_and(|p| p.contains(&said)), "{r:?}");
}

#[test]
fn a_damaged_compressed_pack_is_an_integrity_failure_at_its_run_never_a_panic() {
    if crate::on_postgres("a_damaged_compressed_pack_is_an_integrity_failure_at_its_run_never_a_panic") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    store_of_admissions(&path, 300);
    let (pack_key, pointer) = {
        let db = crate::open_sled(&path);
        let log = db.open_tree("log").unwrap();
        // The log's sealed packs are kept in the packs file beside the database, compressed
        // (they take less room than their records); the tree holds a pointer to each.
        let (k, v) = log.iter().nth(3).unwrap().unwrap();
        assert_eq!(v.len(), 13, "a pointer: tag, offset, length");
        let (_, len) = coop_store::pack_location(&v).unwrap();
        let records = coop_store::open_stored_run(&path, &v).unwrap();
        assert!(len as usize * 2 < records.len(), "{len} bytes stored for {} bytes of records", records.len());
        (k.to_vec(), v.to_vec())
    };
    let (offset, len) = coop_store::pack_location(&pointer).unwrap();
    let first = u64::from_be_bytes(pack_key.as_slice().try_into().unwrap());
    // A damaged pack is found at its run, or (bytes of its block changed into other records)
    // at the first record whose hash no longer matches.
    let check = |copy: &std::path::Path, what: &str| {
        let store = Store::open_for_audit(copy).unwrap();
        let r = store.verify().unwrap();
        assert!(!r.ok, "{what}: {r:?}");
        assert!(r.first_bad_seq.is_some_and(|s| s >= first), "{what}: {r:?}");
        if r.first_bad_seq == Some(first) {
            assert!(
                r.problem.as_deref().is_some_and(|p| p.contains(&format!("the run of events from {first} is damaged"))),
                "{what}: {r:?}"
            );
        }
        r.first_bad_seq
    };
    // The pack's bytes damaged in the file: its length, its block, its end.
    for (i, (what, at)) in [("length", 2u64), ("block", u64::from(len) / 2), ("end", u64::from(len) - 1)].into_iter().enumerate() {
        let copy = dir.path().join(format!("c{i}"));
        copy_dir(&path, &copy);
        let file = copy.join("packs");
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[(offset + at) as usize] ^= 0x5a;
        std::fs::write(&file, bytes).unwrap();
        check(&copy, what);
    }
    // The pointer damaged: past the end of the file; a length no pack has; cut short.
    for (i, (what, damaged)) in [
        ("offset", {
            let mut p = pointer.clone();
            p[1..9].copy_from_slice(&(1u64 << 40).to_le_bytes());
            p
        }),
        ("length", {
            let mut p = pointer.clone();
            p[9..13].copy_from_slice(&u32::MAX.to_le_bytes());
            p
        }),
        ("size", pointer[..12].to_vec()),
    ]
    .into_iter()
    .enumerate()
    {
        let copy = dir.path().join(format!("p{i}"));
        copy_dir(&path, &copy);
        {
            let db = crate::open_sled(&copy);
            db.open_tree("log").unwrap().insert(&pack_key, damaged).unwrap();
            db.flush().unwrap();
        }
        assert_eq!(check(&copy, what), Some(first), "a damaged pointer is found at its run");
    }
    // The packs file gone, or cut short.
    let gone = dir.path().join("gone");
    copy_dir(&path, &gone);
    std::fs::remove_file(gone.join("packs")).unwrap();
    let store = Store::open_for_audit(&gone).unwrap();
    let r = store.verify().unwrap();
    assert!(!r.ok && r.problem.as_deref().is_some_and(|p| p.contains("the packs file cannot be read")), "{r:?}");
    drop(store);
    let short = dir.path().join("short");
    copy_dir(&path, &short);
    std::fs::OpenOptions::new().write(true).open(short.join("packs")).unwrap().set_len(offset + u64::from(len) - 1).unwrap();
    assert_eq!(check(&short, "the file cut short"), Some(first));
    // A pack kept in the tree (as stores written before the packs file keep theirs) reads the same.
    let inline = dir.path().join("inline");
    copy_dir(&path, &inline);
    {
        let db = crate::open_sled(&inline);
        let records = coop_store::open_stored_run(&inline, &pointer).unwrap();
        db.open_tree("log").unwrap().insert(&pack_key, coop_store::seal_pack(&records)).unwrap();
        db.flush().unwrap();
    }
    std::fs::remove_file(inline.join("packs")).unwrap();
    // Only this pack is readable now: every other one was in the file.
    let store = Store::open_for_audit(&inline).unwrap();
    let r = store.verify().unwrap();
    assert_ne!(r.first_bad_seq, Some(first), "{r:?}");
}

/// `verify` checks records on another thread a batch of runs at a time while it links and
/// folds the batch before: damage in a later batch is reported at its own event, with every
/// event before it linked (the report names the hash of the one before), whether it is a
/// record (found by the check) or a run that cannot be opened (found by the read, with a batch
/// still being checked); a record moved out of its place breaks the chain there.
#[test]
fn verify_finds_the_first_bad_event_in_a_long_log() {
    if crate::on_postgres("verify_finds_the_first_bad_event_in_a_long_log") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    {
        let store = Store::open(&path).unwrap();
        found(&store);
        // Enough packs of 32 KiB for several of verify's batches (128 runs each).
        let reqs: Vec<Request> = (0..9000)
            .map(|i| Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01")))
            .collect();
        store.execute_all(reqs).unwrap();
        assert_eq!(store.head().seq, 18002);
        assert!(store.verify().unwrap().ok);
    }
    // The report names the hash of the last event linked: that of the event before the damage.
    let hash_before = |seq: u64| Store::open(&path).unwrap().events(seq - 1, 1).unwrap()[0].hash.clone();
    for (at, edit) in [(17901u64, true), (9777, false)] {
        let copy = dir.path().join(format!("c{at}"));
        copy_dir(&path, &copy);
        {
            let db = crate::open_sled(&copy);
            let log = db.open_tree("log").unwrap();
            assert!(log.len() > 200, "many runs, several batches");
            if edit {
                crate::edit_record_in_place(&copy, &log, at, |r| {
                    r.replacen("\"effective\":\"2020-01-01\"", "\"effective\":\"2020-01-02\"", 1)
                });
            } else {
                // A valid record of another place put here: its own hash holds, its place not.
                let records = log_records(&copy, &log);
                let other = String::from_utf8(records[&(at + 10)].clone()).unwrap();
                crate::edit_record_in_place(&copy, &log, at, |_| other.clone());
            }
            db.flush().unwrap();
        }
        let store = Store::open_for_audit(&copy).unwrap();
        let r = store.verify().unwrap();
        assert!(!r.ok);
        assert_eq!(r.first_bad_seq, Some(at), "{r:?}");
        assert_eq!((r.events, r.head_hash.clone()), (at - 1, hash_before(at)), "every event before it linked: {r:?}");
    }
    // A run in the third batch whose pointer leads nowhere: found at its first event.
    let (first, pointer) = {
        let db = crate::open_sled(&path);
        let (k, v) = db.open_tree("log").unwrap().iter().nth(2 * 128 + 5).unwrap().unwrap();
        (u64::from_be_bytes(k.as_ref().try_into().unwrap()), v.to_vec())
    };
    let cut = dir.path().join("cut");
    copy_dir(&path, &cut);
    {
        let db = crate::open_sled(&cut);
        let mut p = pointer.clone();
        p[1..9].copy_from_slice(&(1u64 << 40).to_le_bytes());
        db.open_tree("log").unwrap().insert(first.to_be_bytes(), p).unwrap();
        db.flush().unwrap();
    }
    let r = Store::open_for_audit(&cut).unwrap().verify().unwrap();
    assert_eq!(r.first_bad_seq, Some(first), "{r:?}");
    assert_eq!((r.events, r.head_hash.clone()), (first - 1, hash_before(first)), "every event before it linked: {r:?}");
    assert!(r.problem.as_deref().is_some_and(|p| p.contains(&format!("the run of events from {first} is damaged"))), "{r:?}");
}

/// An erasure marks its parties before its records; a crash before the files are removed is
/// finished on the next open only for the parties whose erasure is in the log.
#[test]
fn an_interrupted_erasure_is_finished_only_if_its_event_committed() {
    if crate::on_postgres("an_interrupted_erasure_is_finished_only_if_its_event_committed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let before = dir.path().join("before");
    let party = {
        let store = Store::open(&path).unwrap();
        found(&store);
        for name in ["A", "B"] {
            store.execute(Request::new(admit(name, PartyKind::Person, "beneficiaries", 1)).dated(d("2016-07-01"))).unwrap();
        }
        store.execute(Request::new(Command::Withdraw { member: m(2) }).dated(d("2016-08-01"))).unwrap();
        let party = store.state().unwrap().members[&MemberNo(2)].party;
        drop(store);
        copy_dir(&path, &before);
        let store = Store::open(&path).unwrap();
        store.execute(Request::new(Command::Forget { member: m(2) }).dated(d("2026-08-01"))).unwrap();
        assert!(store.personal(party).unwrap().is_none());
        party
    };
    let marker = serde_json::to_vec(&vec![party]).unwrap();
    let set_marker = |store: &std::path::Path| {
        let db = crate::open_sled(store);
        db.open_tree("meta").unwrap().insert("pending-erase", marker.clone()).unwrap();
        db.flush().unwrap();
    };
    // Committed, files not yet removed: the name goes on the next open.
    let committed = dir.path().join("committed");
    copy_dir(&path, &committed);
    std::fs::remove_dir_all(committed.join("personal")).unwrap();
    copy_dir(&before.join("personal"), &committed.join("personal"));
    set_marker(&committed);
    let store = Store::open(&committed).unwrap();
    assert!(store.personal(party).unwrap().is_none(), "the committed erasure is finished");
    assert!(store.personal(store.state().unwrap().members[&MemberNo(1)].party).unwrap().is_some());
    drop(store);
    // Not committed (the crash came before the records): the name stays, the marker goes.
    let uncommitted = dir.path().join("uncommitted");
    copy_dir(&before, &uncommitted);
    set_marker(&uncommitted);
    let store = Store::open(&uncommitted).unwrap();
    assert_eq!(store.personal(party).unwrap().map(|p| p.name), Some("B".to_string()));
    drop(store);
    // sled's threads may hold its lock a moment after the handle is dropped.
    let db = crate::open_sled(&uncommitted);
    assert!(db.open_tree("meta").unwrap().get("pending-erase").unwrap().is_none());
}

/// An application decides what to do from `Error::kind`, never from a storage crate's types.
#[test]
fn errors_are_classified_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    // A path that cannot be a store (a file where a directory is needed): storage.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a store").unwrap();
    let err = Store::open(file.join("coop.db")).unwrap_err();
    assert_eq!(err.kind(), coop::ErrorKind::Storage, "{err}");
    let store = founded_in(dir.path());
    let refused = store.execute(Request::new(Command::Redeem { member: m(99), count: 1, class: None })).unwrap_err();
    assert_eq!(refused.kind(), coop::ErrorKind::BadInput, "{refused}");
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    let floor = store.execute(Request::new(Command::Redeem { member: m(1), count: 1, class: None }).dated(d("2020-02-01"))).unwrap_err();
    assert_eq!(floor.kind(), coop::ErrorKind::Refused, "{floor}");
    if let coop::Error::Refused(r) = &floor {
        assert_eq!(r.rule.to_string(), "minimum_shares", "a rule displays as its stable name");
    }
    store.execute(Request::new(admit("B", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")).with_id("x")).unwrap();
    let reused =
        store.execute(Request::new(admit("C", PartyKind::Person, "employees", 1)).dated(d("2020-01-01")).with_id("x")).unwrap_err();
    assert_eq!(reused.kind(), coop::ErrorKind::CommandIdReused);
    match crate::postgres_url() {
        // One process at a time on sled.
        None => {
            let busy = Store::open(crate::location(dir.path(), "s")).unwrap_err();
            assert_eq!(busy.kind(), coop::ErrorKind::Busy, "{busy}");
        }
        // Many on PostgreSQL: a second handle sees the same log.
        Some(_) => assert_eq!(Store::open(crate::location(dir.path(), "s")).unwrap().head(), store.head()),
    }
}

/// A log holding an event type this coop does not know was written by a newer coop: it says so,
/// rather than calling the log damaged.
#[test]
fn an_event_from_a_newer_coop_is_named_as_such() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    let mut out = Vec::new();
    store.export_events(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // The last record's event becomes one a newer coop might write, its hash and the header's
    // head hash computed again: a well-formed, unbroken chain.
    let last = lines.pop().unwrap();
    let body = &last[last.find("\"body\":").unwrap() + 7..last.len() - 1];
    let event_at = body.find("\"event\":").unwrap();
    let new_body = format!("{}\"event\":{{\"type\":\"board_elected\",\"member\":1}}}}", &body[..event_at]);
    let hash = hex::encode(sha2::Sha256::digest(new_body.as_bytes()));
    lines.push(format!("{{\"hash\":\"{hash}\",\"body\":{new_body}}}"));
    let old_hash = serde_json::from_str::<serde_json::Value>(&last).unwrap()["hash"].as_str().unwrap().to_string();
    lines[0] = lines[0].replace(&old_hash, &hash);
    let target = Store::open(crate::location(dir.path(), "t")).unwrap();
    let err = target.import_events(lines.join("\n").as_bytes()).unwrap_err();
    assert_eq!(err.kind(), coop::ErrorKind::WrittenByNewer, "{err}");
    assert!(err.to_string().contains("board_elected") && err.to_string().contains("newer coop"), "{err}");
    assert_eq!(target.head().seq, 0, "nothing imported");
}

/// An import reads its lines in chunks of 1,024 and opens and folds them on a second thread:
/// over several chunks, with blank lines between them, a bad record is still named by its line
/// and event, the first of two faults is the one reported, nothing is left written, and the
/// whole file imports to the same state.
#[test]
fn an_import_over_several_chunks_names_the_first_bad_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "a");
    store_of_admissions(&path, 1300);
    let store = Store::open(&path).unwrap();
    let mut buf = Vec::new();
    let events = store.export_events(&mut buf).unwrap();
    assert!(events > 2 * 1024, "{events} events: three chunks or more");
    let lines: Vec<String> = String::from_utf8(buf).unwrap().lines().map(String::from).collect();
    // Blank lines after the header and in the second chunk: line numbers count them.
    let mut file = lines.clone();
    file.insert(1500, String::new());
    file.insert(1, String::new());
    let text = |l: &[String]| (l.join("\n") + "\n").into_bytes();
    let import = |name: &str, bytes: Vec<u8>| {
        let s = Store::open(crate::location(dir.path(), name)).unwrap();
        let r = s.import_events(std::io::Cursor::new(bytes));
        (s, r)
    };
    let (whole, r) = import("whole", text(&file));
    assert_eq!(r.unwrap().events, events);
    assert_eq!(whole.state().unwrap(), store.state().unwrap());
    assert!(whole.verify().unwrap().ok);
    // Event 2,600 deleted: line 2,603 of the file (header and two blank lines before) holds event
    // 2,601, whose link is broken.
    let mut deleted = file.clone();
    let at = deleted.iter().position(|l| l.contains("\"seq\":2600,")).unwrap();
    assert_eq!(at, 2602, "event 2,600 on line 2,603");
    deleted.remove(at);
    let (s, r) = import("deleted", text(&deleted));
    match r {
        Err(coop::Error::BadImport { line, reason, integrity: true }) => {
            assert_eq!(line, 2603, "{reason}");
            assert!(reason.contains("event 2600"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.head().seq, 0, "nothing is left written");
    assert_eq!(s.events(1, 10).unwrap().len(), 0);
    // Two faults, in the second and third chunks: the first is reported, though the reader
    // was past the second when the folder met it.
    let mut two = deleted.clone();
    let at = two.iter().position(|l| l.contains("\"seq\":1100,")).unwrap();
    two.swap(at, at + 1);
    let (s, r) = import("two", text(&two));
    match r {
        Err(coop::Error::BadImport { line, reason, .. }) => {
            assert_eq!(line, at + 1, "{reason}");
            assert!(reason.contains("event 1100"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.head().seq, 0);
}
