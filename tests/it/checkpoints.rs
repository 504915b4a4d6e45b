//! Checkpoints (the state's pieces kept as of some events of a log in date order): a query as
//! of a date folded from the last one before it answers what a fold of the whole log answers;
//! `audit verify` finds a damaged or stray checkpoint and `audit repair` writes them again; a
//! fact entered late (the log leaves date order) drops them.

use coop::{Command, MemberNo, Options, Part, PartyKind, Pick, Request, Store};

use crate::lib::{admit, found, m};

use crate::cli::Env;

fn d(s: &str) -> chrono::NaiveDate {
    coop::parse_date(s).unwrap()
}

/// The values kept in the checkpoints' table of a sled store (the store closed).
fn checkpoint_values(path: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let db = crate::open_sled(path);
    let tree = db.open_tree("state-checkpoints").unwrap();
    tree.iter().map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap()).collect()
}

use chrono::Datelike as _;

/// A history in date order written through the binary one command at a time, a checkpoint
/// every 2 events: admissions, subscriptions, a transfer, a redemption, a move, a withdrawal,
/// projects with members and a partner joining, changing role and leaving, a committee, and an
/// assembly convened, attended, voted and closed.
fn busy_history(env: &Env) {
    let ok = |args: &[&str]| {
        let r = env.run_with(&env.store(), &[("COOP_CHECKPOINT_EVERY", "2")], args);
        assert_eq!(r.code, 0, "coop {args:?}: {}{}", r.stdout, r.stderr);
    };
    let statutes = env.file("statutes.toml", coop::SAMPLE_STATUTES);
    ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    let cats = ["employees", "beneficiaries", "volunteers"];
    for i in 0..12 {
        let date = format!("2020-{:02}-10", i + 1);
        ok(&["member", "admit", "--name", &format!("M{i}"), "--category", cats[i % 3], "--shares", "4", "--date", &date]);
    }
    ok(&["shares", "subscribe", "2", "--count", "3", "--date", "2021-01-05"]);
    ok(&["project", "create", "bouteilles", "--name", "Bouteilles", "--date", "2021-01-10"]);
    ok(&["project", "join", "bouteilles", "1", "--role", "lead", "--date", "2021-01-15"]);
    ok(&["project", "join", "bouteilles", "5", "--role", "tester", "--date", "2021-01-15"]);
    ok(&["project", "join", "bouteilles", "--partner", "Chambre d'agriculture", "--role", "partner", "--date", "2021-01-15"]);
    ok(&["shares", "transfer", "2", "7", "--count", "2", "--date", "2021-02-01"]);
    ok(&["project", "create", "carpe", "--name", "Carpe", "--stage", "prototype", "--date", "2021-02-01"]);
    ok(&["project", "join", "carpe", "7", "--role", "contributor", "--date", "2021-02-02"]);
    ok(&["project", "stage", "bouteilles", "qualification", "--date", "2021-03-01"]);
    ok(&["member", "move", "3", "--category", "employees", "--date", "2021-03-15"]);
    ok(&["project", "role", "bouteilles", "5", "--role", "lead", "--date", "2021-04-01"]);
    ok(&["project", "leave", "bouteilles", "1", "--date", "2021-05-01"]);
    let agenda = env.file("agenda.toml", "[[resolution]]\ntitle = \"Comptes 2020\"\nkind = \"ordinary\"\n");
    let agenda = agenda.to_str().unwrap();
    ok(&[
        "assembly",
        "convene",
        "ago",
        "--kind",
        "ordinary",
        "--date",
        "2021-06-20",
        "--sent",
        "2021-06-01",
        "--place",
        "Lons",
        "--agenda",
        agenda,
    ]);
    for m in ["1", "2", "3", "4", "5", "6", "8"] {
        ok(&["assembly", "attend", "ago", m, "--date", "2021-06-20"]);
    }
    ok(&["assembly", "officers", "ago", "--chair", "1", "--secretary", "2", "--scrutineer", "3", "--date", "2021-06-20"]);
    ok(&["assembly", "vote", "ago", "1", "--all-present", "for", "--date", "2021-06-20"]);
    ok(&["assembly", "close", "ago", "--date", "2021-06-20"]);
    ok(&["member", "withdraw", "9", "--date", "2021-09-30"]);
    ok(&["shares", "redeem", "9", "--count", "4", "--date", "2022-01-15"]);
    ok(&["member", "admit", "--name", "Late comer", "--category", "volunteers", "--date", "2022-03-01"]);
}

/// Every query, as of a month end every three or four months, answers the same from the checkpoints a busy
/// history wrote and, on the same store, once `audit repair` without checkpoints took them away
/// (every answer then folded from the log's start).
#[test]
fn as_of_queries_from_checkpoints_answer_what_the_whole_fold_answers() {
    let env = Env::new();
    busy_history(&env);
    let on_sled = !crate::on_postgres("the checkpoints' table is read from sled");
    if on_sled {
        let kept = checkpoint_values(&env.store());
        assert!(kept.iter().filter(|(k, _)| k[0] == b'g').count() > 15, "the commands wrote checkpoints: {} values", kept.len());
    }
    let mut queries: Vec<Vec<&str>> = [
        "capital",
        "register",
        "check",
        "reimbursements",
        "involvement",
        "member list --all",
        "member show 2",
        "member show 9",
        "member certificate 7",
        "committee list",
        "officer list",
        "statutes show",
        "assembly list",
        "assembly roll ago",
        "assembly results ago",
        "project list",
        "project show bouteilles",
        "project show carpe",
    ]
    .iter()
    .map(|q| q.split(' ').collect())
    .collect();
    queries.push(vec!["member", "list"]);
    let mut dates = vec!["2016-06-29".to_string(), "2016-06-30".to_string(), "2030-01-01".to_string()];
    let mut day = d("2020-01-31");
    while day < d("2022-04-30") {
        dates.push(day.to_string());
        day = (day + chrono::Days::new(100)).with_day(1).unwrap().pred_opt().unwrap();
    }
    let answers = |every: &str| -> Vec<(i32, String)> {
        let mut out = Vec::new();
        for date in &dates {
            for q in &queries {
                let mut args: Vec<&str> = vec!["--as-of", date, "--json"];
                args.extend(q.iter().copied());
                let r = env.run_with(&env.store(), &[("COOP_CHECKPOINT_EVERY", every)], &args);
                out.push((r.code, r.stdout));
            }
        }
        out
    };
    let from_checkpoints = answers("2");
    let answered = from_checkpoints.iter().filter(|(code, _)| *code == 0).count();
    assert!(answered * 3 > from_checkpoints.len() * 2, "most queries answer: {answered} of {}", from_checkpoints.len());
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    let r = env.run_with(&env.store(), &[("COOP_CHECKPOINT_EVERY", "0")], &["audit", "repair"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if on_sled {
        assert!(checkpoint_values(&env.store()).is_empty(), "repaired without checkpoints");
    }
    let folded = answers("0");
    for (i, (a, b)) in from_checkpoints.iter().zip(&folded).enumerate() {
        let (date, q) = (&dates[i / queries.len()], &queries[i % queries.len()]);
        assert_eq!(a, b, "coop --as-of {date} {q:?}");
    }
    // An import writes them too, every 5 events here, and they verify.
    let export = env.file("log.jsonl", &env.ok(&["export", "events"]).stdout);
    let imported = Env::new();
    let r = imported.run_with(&imported.store(), &[("COOP_CHECKPOINT_EVERY", "5")], &["import", "events", export.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if on_sled {
        let kept = checkpoint_values(&imported.store());
        assert!(kept.iter().filter(|(k, _)| k[0] == b'g').count() > 8, "the import wrote checkpoints: {} values", kept.len());
    }
    assert_eq!(imported.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    for date in &dates {
        let args = ["--as-of", date.as_str(), "--json", "capital"];
        assert_eq!(imported.ok(&args).stdout, env.ok(&args).stdout, "capital as of {date}");
    }
}

/// A history in date order, one command at a time, a checkpoint every 4 events.
fn history(path: &std::path::Path) -> Store {
    let store = Store::open_with(path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
    found(&store);
    let start = d("2020-01-01");
    for i in 0..30u64 {
        let day = start + chrono::Days::new(i * 7);
        store
            .execute(
                Request::new(admit(&format!("M{i}"), PartyKind::Person, if i % 2 == 0 { "employees" } else { "beneficiaries" }, 1 + i % 3))
                    .dated(day),
            )
            .unwrap();
        if i >= 3 {
            let n = (i % 3 + 1) as u32;
            store.execute(Request::new(Command::Subscribe { member: m(n), count: 1, class: None, paid: None }).dated(day)).unwrap();
        }
        if i == 10 || i == 20 {
            store.execute(Request::new(Command::Withdraw { member: m(i as u32) }).dated(day)).unwrap();
        }
    }
    store
}

/// Every `step` days from the day before the history starts to `end`: the partial state as of
/// that date (from the checkpoints) is the whole fold's, kept to each part.
fn parts_as_of_are_the_whole_fold_kept(store: &Store, parts: &[Part], end: chrono::NaiveDate, step: u64, what: &str) {
    let mut date = d("2019-12-30");
    while date < end {
        let whole = store.state_as_of(date).unwrap();
        for part in parts {
            assert_eq!(store.state_part_as_of(part, date).unwrap(), part.keep(whole.clone()), "{what}: as of {date}, {part:?}");
        }
        date = date + chrono::Days::new(step);
    }
}

/// The library's partial as-of state is the whole fold's, kept to the part asked for, on every
/// date around the facts, for the whole state, none of the members, and some of them; and as
/// known after any event.
#[test]
fn a_partial_state_as_of_any_date_is_the_whole_fold_kept_to_its_part() {
    let dir = tempfile::tempdir().unwrap();
    let store = history(&crate::location(dir.path(), "s"));
    let head = store.head().seq;
    let parts = [
        Part::all(),
        Part::default(),
        Part { members: Pick::Only(vec![MemberNo(1), MemberNo(11), MemberNo(29), MemberNo(99)]), ..Part::default() },
    ];
    parts_as_of_are_the_whole_fold_kept(&store, &parts, d("2020-08-15"), 3, "in date order");
    for seq in [1, 3, 4, 5, 17, 40, head - 1, head] {
        let whole = store.state_known_at(seq, None).unwrap();
        assert_eq!(store.state_part_known_at(&Part::all(), seq, None).unwrap(), whole, "known at {seq}");
        assert_eq!(
            store.state_part_known_at(&parts[2], seq, Some(d("2020-03-01"))).unwrap(),
            parts[2].keep(store.state_known_at(seq, Some(d("2020-03-01"))).unwrap())
        );
    }
}

/// A checkpoint's value changed, removed or added where none belongs is found by `audit
/// verify` (the kept state, repairable) and `audit repair` writes them again; a fact entered late
/// leaves the checkpoints of the prefix in date order, and no new one is written; a mark saying
/// the log is in date order further than it is, is found and repaired.
#[test]
fn verify_finds_damaged_checkpoints_and_a_wrong_order_mark_and_repair_rewrites_them() {
    if crate::on_postgres("the checkpoints' table is edited in sled") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let (as_of, head) = {
        let store = history(&path);
        assert!(store.verify().unwrap().ok);
        (store.state_part_as_of(&Part::default(), d("2020-05-01")).unwrap(), store.head().seq)
    };
    let kept = checkpoint_values(&path);
    assert!(kept.iter().filter(|(k, _)| k[0] == b'M').count() > 10, "{} values", kept.len());
    // The `nth` key of a kind in the checkpoints' table as it is.
    fn key_of(t: &sled::Tree, tag: u8, nth: usize) -> Vec<u8> {
        t.scan_prefix([tag]).keys().nth(nth).unwrap().unwrap().to_vec()
    }
    type Edit = Box<dyn Fn(&sled::Tree)>;
    type Damage = Box<dyn Fn(&sled::Db)>;
    let edits: Vec<Edit> = vec![
        // The totals at one checkpoint, one digit changed.
        Box::new(|t: &sled::Tree| {
            let totals = key_of(t, b'g', 3);
            let text = String::from_utf8(t.get(&totals).unwrap().unwrap().to_vec()).unwrap();
            let at = text.find(|c: char| c.is_ascii_digit() && c != '9').unwrap();
            let mut bytes = text.into_bytes();
            bytes[at] += 1;
            t.insert(&totals, bytes).unwrap();
        }),
        // A block of members gone.
        Box::new(|t: &sled::Tree| {
            t.remove(key_of(t, b'M', 2)).unwrap();
        }),
        // A checkpoint's members swapped for another's.
        Box::new(|t: &sled::Tree| {
            t.insert(key_of(t, b'M', 2), t.get(key_of(t, b'M', 4)).unwrap().unwrap()).unwrap();
        }),
        // A stray copy of a block under an event that is no checkpoint.
        Box::new(move |t: &sled::Tree| {
            let v = t.get(key_of(t, b'M', 4)).unwrap().unwrap();
            let mut stray = b"M".to_vec();
            stray.extend_from_slice(&(head - 1).to_be_bytes());
            t.insert(stray, v).unwrap();
        }),
    ];
    let mut repaired = None;
    for (i, edit) in edits.into_iter().enumerate() {
        {
            let db = crate::open_sled(&path);
            edit(&db.open_tree("state-checkpoints").unwrap());
            db.flush().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let report = store.verify().unwrap();
        assert!(!report.ok, "damage {i} to the checkpoints is found");
        assert_eq!(report.kept_state_matches, Some(false));
        assert!(report.problem.as_deref().unwrap_or_default().contains("checkpoint"), "{:?}", report.problem);
        drop(store);
        let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
        assert!(store.repair().unwrap().ok);
        assert_eq!(store.state_part_as_of(&Part::default(), d("2020-05-01")).unwrap(), as_of);
        drop(store);
        // Repair writes them every 4 events from the first (the commands wrote them after the
        // command that crossed 4 more events): the same each time.
        // The same keys and values each time, but for the blocks of members, which a repair
        // appends to the packs file anew (their pointers differ).
        let rewritten: Vec<(Vec<u8>, Vec<u8>)> =
            checkpoint_values(&path).into_iter().map(|(k, v)| if k[0] == b'M' { (k, Vec::new()) } else { (k, v) }).collect();
        assert!(rewritten.iter().filter(|(k, _)| k[0] == b'M').count() > 10);
        match &repaired {
            None => repaired = Some(rewritten),
            Some(first) => assert!(&rewritten == first, "repair writes the same checkpoints again"),
        }
        assert!(Store::open(&path).unwrap().verify().unwrap().ok);
    }
    let before = checkpoint_values(&path);
    {
        let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
        store.execute(Request::new(admit("Late", PartyKind::Person, "employees", 1)).dated(d("2020-02-02"))).unwrap();
        assert!(store.verify().unwrap().ok);
        let whole = store.state_as_of(d("2020-05-01")).unwrap();
        assert_eq!(store.state_part_as_of(&Part::default(), d("2020-05-01")).unwrap(), Part::default().keep(whole));
    }
    // The log is in date order up to the fact entered late: its checkpoints stay, and no new one
    // is written after it.
    assert!(checkpoint_values(&path) == before, "the checkpoints of the prefix in date order stay");
    {
        let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
        for i in 0..6 {
            store.execute(Request::new(admit(&format!("After {i}"), PartyKind::Person, "employees", 1)).dated(d("2021-01-01"))).unwrap();
        }
    }
    assert!(checkpoint_values(&path) == before, "none after the log left date order");
    // Out of date order, verify still checks the prefix's checkpoints (the prefix folded in the
    // log's order as the chain is read) and the kept state against the timeline's fold (a second
    // read of the log): each found, and repaired.
    let damages: Vec<(&str, Damage)> = vec![
        (
            "checkpoint",
            Box::new(|db: &sled::Db| {
                let t = db.open_tree("state-checkpoints").unwrap();
                t.insert(key_of(&t, b'M', 2), t.get(key_of(&t, b'M', 4)).unwrap().unwrap()).unwrap();
            }),
        ),
        (
            "not the fold of the log",
            Box::new(|db: &sled::Db| {
                let totals = db.open_tree("state-totals").unwrap();
                let mut g: serde_json::Value = serde_json::from_slice(&totals.get("g").unwrap().unwrap()).unwrap();
                g["capital"]["paid"] = serde_json::json!(99_999_900);
                totals.insert("g", serde_json::to_vec(&g).unwrap()).unwrap();
            }),
        ),
    ];
    for (found, damage) in damages {
        {
            let db = crate::open_sled(&path);
            damage(&db);
            db.flush().unwrap();
        }
        let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
        let report = store.verify().unwrap();
        assert!(!report.ok && report.problem.as_deref().unwrap_or_default().contains(found), "{found}: {:?}", report.problem);
        assert!(store.repair().unwrap().ok);
        assert!(store.verify().unwrap().ok);
    }
    // The store saying its log is in date order further than it is: found, and repaired.
    {
        let db = crate::open_sled(&path);
        db.open_tree("meta").unwrap().insert("ordered-until", &(head + 5).to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok && report.problem.as_deref().unwrap_or_default().contains("in date order up to event"), "{:?}", report.problem);
    assert!(store.repair().unwrap().ok);
    drop(store);
    {
        let db = crate::open_sled(&path);
        let meta = db.open_tree("meta").unwrap();
        assert_eq!(meta.get("ordered-until").unwrap().unwrap().as_ref(), &head.to_be_bytes());
        // Or saying it is in date order at all.
        meta.insert("ordered", "1").unwrap();
        db.flush().unwrap();
    }
    let store = Store::open_with(&path, Options { fsync: false, checkpoint_every: 4, ..Options::default() }).unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok && report.problem.as_deref().unwrap_or_default().contains("is in date order, but event"), "{:?}", report.problem);
    assert!(store.repair().unwrap().ok);
    drop(store);
    let db = crate::open_sled(&path);
    assert!(db.open_tree("meta").unwrap().get("ordered").unwrap().is_none());
}

/// A log that left date order (a fact entered late, then a void of a fact of its prefix, then
/// facts of today) keeps the checkpoints of its prefix in date order: as of any date and as known
/// after any event, a partial state from them is the whole fold's, kept to its part.
#[test]
fn after_late_facts_and_voids_the_checkpoints_of_the_prefix_in_date_order_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = history(&crate::location(dir.path(), "s"));
    let prefix = store.head().seq;
    let parts = [
        Part::all(),
        Part::default(),
        Part { members: Pick::Only(vec![MemberNo(2), MemberNo(4), MemberNo(31), MemberNo(99)]), ..Part::default() },
    ];
    let check = |store: &Store, what: &str| {
        let head = store.head().seq;
        parts_as_of_are_the_whole_fold_kept(store, &parts, d("2020-09-01"), 5, what);
        for seq in [3, 17, prefix - 1, prefix, prefix + 1, head - 1, head] {
            for until in [None, Some(d("2020-03-01")), Some(d("2020-06-01"))] {
                let whole = store.state_known_at(seq, until).unwrap();
                assert_eq!(
                    store.state_part_known_at(&parts[2], seq, until).unwrap(),
                    parts[2].keep(whole),
                    "{what}: known at {seq}, {until:?}"
                );
            }
        }
    };
    // A void of an admission of the prefix (member 25's, in June), then a fact of a later date.
    let voided = store.state().unwrap().members[&MemberNo(25)].number;
    let log = store.events(1, 10_000).unwrap();
    let admitted = log.iter().find(|e| matches!(e.event, coop::Event::MemberAdmitted { number, .. } if number == voided)).unwrap().seq;
    store.execute(Request::new(Command::Void { seq: admitted, reason: "keyed twice".into() }).dated(d("2020-08-01"))).unwrap();
    store.execute(Request::new(admit("Today", PartyKind::Person, "employees", 1)).dated(d("2020-08-02"))).unwrap();
    check(&store, "after a void");
    // Late facts whose place matters: a redemption lowers the capital before later
    // subscriptions raise the highest reached; a transfer takes the giver's newest lots as of
    // its date.
    store.execute(Request::new(admit("Late", PartyKind::Person, "volunteers", 2)).dated(d("2020-03-03"))).unwrap();
    store.execute(Request::new(Command::Redeem { member: m(1), count: 2, class: None }).dated(d("2020-03-04"))).unwrap();
    store.execute(Request::new(Command::Transfer { from: m(2), to: m(3), count: 2, class: None }).dated(d("2020-04-02"))).unwrap();
    store.execute(Request::new(Command::Subscribe { member: m(4), count: 2, class: None, paid: None }).dated(d("2020-05-05"))).unwrap();
    check(&store, "after a void and late facts");
    assert!(store.verify().unwrap().ok);
}
