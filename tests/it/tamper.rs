//! Tamper evidence: every edit of an exported log is found, naming the first bad event, and
//! storage-level damage is an integrity failure (exit 3), never a panic or a silent partial
//! state.

use crate::cli::Env;
use crate::copy_dir;

fn demo_export(env: &Env) -> Vec<String> {
    env.ok(&["demo"]);
    env.ok(&["export", "events"]).stdout.lines().map(String::from).collect()
}

/// Imports `lines` into a new store; returns the exit code and stderr.
fn import(env: &Env, name: &str, lines: &[String]) -> (i32, String) {
    let file = env.file(&format!("{name}.jsonl"), &(lines.join("\n") + "\n"));
    let target = env.dir.path().join(format!("{name}.db"));
    let r = env.run_on(&target, &["import", "events", file.to_str().unwrap()]);
    assert!(!target.exists() || r.code == 0, "a refused import leaves no store behind");
    (r.code, r.stderr)
}

#[test]
fn deletions_swaps_and_truncations_of_an_export_are_refused_naming_the_first_bad_event() {
    let env = Env::new();
    let lines = demo_export(&env);
    let n = lines.len() - 1;
    assert!(n >= 300, "a few hundred events: {n}");
    let mut cases = 0;
    // Line i + 1 of the file holds event i.
    for at in [1, 2, n / 2, n - 1] {
        let mut deleted = lines.clone();
        deleted.remove(at);
        let (code, err) = import(&env, "deleted", &deleted);
        assert_eq!(code, 3, "deleting event {at}: {err}");
        assert!(err.contains(&format!("event {at}:")), "deleting event {at}: {err}");
        cases += 1;

        let mut swapped = lines.clone();
        swapped.swap(at, at + 1);
        let (code, err) = import(&env, "swapped", &swapped);
        assert_eq!(code, 3);
        assert!(err.contains(&format!("event {at}:")), "swapping events {at} and {}: {err}", at + 1);
        cases += 1;
    }
    for keep in [n - 1, n / 2, 1, 0] {
        let (code, err) = import(&env, "truncated", &lines[..=keep]);
        assert_eq!(code, 3, "keeping {keep} events: {err}");
        assert!(err.contains("truncated"), "{err}");
        cases += 1;
    }
    // A header claiming fewer events than follow is refused too.
    let mut header_lies = lines.clone();
    header_lies[0] = header_lies[0].replacen(&format!("\"events\":{n}"), &format!("\"events\":{}", n - 1), 1);
    assert_eq!(import(&env, "header", &header_lies).0, 3);
    cases += 1;
    eprintln!("{cases} deletion, swap and truncation cases refused");
}

#[test]
fn any_single_byte_changed_in_any_exported_event_is_found_at_that_event() {
    let env = Env::new();
    let lines = demo_export(&env);
    let long = std::env::var("COOP_LONG_TESTS").is_ok();
    let mut checked = 0usize;
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    // Every event, at the first and last byte and at random places (every byte with COOP_LONG_TESTS).
    for (i, line) in lines.iter().enumerate().skip(1) {
        let seq = i as u64;
        let prev = lines.get(i - 1).filter(|_| i > 1).map(|l| hash_of(l)).unwrap_or_else(|| coop::GENESIS_HASH.to_string());
        let bytes = line.as_bytes();
        let positions: Vec<usize> =
            if long { (0..bytes.len()).collect() } else { (0..6).map(|_| rand(bytes.len())).chain([0, bytes.len() - 1]).collect() };
        for p in positions {
            for delta in [0x01u8, 0x20] {
                let mut b = bytes.to_vec();
                b[p] ^= delta;
                assert!(coop::check_record(&b, seq, &prev).is_err(), "event {seq}, byte {p} ^ {delta:#x} went unseen");
                checked += 1;
            }
        }
    }
    // And through the real import, a sample of edited lines.
    for i in [1, lines.len() / 3, lines.len() - 1] {
        let mut edited = lines.clone();
        let mut b = edited[i].clone().into_bytes();
        let p = b.len() / 2;
        b[p] = if b[p] == b'7' { b'8' } else { b'7' };
        edited[i] = String::from_utf8_lossy(&b).into_owned();
        let (code, err) = import(&env, "edited", &edited);
        assert!(code == 3 || code == 2, "{err}");
        assert!(err.contains(&format!("line {}", i + 1)), "{err}");
        checked += 1;
    }
    eprintln!("{checked} single-byte tampering cases detected");
}

fn hash_of(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["hash"].as_str().unwrap().to_string()
}

#[test]
fn storage_damage_is_an_integrity_failure_not_a_panic_nor_a_younger_store() {
    if crate::on_postgres("storage_damage_is_an_integrity_failure_not_a_panic_nor_a_younger_store") {
        return;
    }
    let env = Env::new();
    env.ok(&["demo"]);
    let store = env.store();
    let events = env.events();
    type Damage = Box<dyn Fn(&std::path::Path)>;
    let damages: Vec<(&str, Damage)> = vec![
        ("flipped bytes", Box::new(|p| flip(&p.join("db"), 5000, 64))),
        (
            "flipped bytes near the end",
            Box::new(|p| {
                let len = std::fs::metadata(p.join("db")).unwrap().len() as usize;
                flip(&p.join("db"), len - 2000, 64)
            }),
        ),
        (
            "truncated file",
            Box::new(|p| {
                let f = std::fs::OpenOptions::new().write(true).open(p.join("db")).unwrap();
                let len = f.metadata().unwrap().len();
                f.set_len(len / 2).unwrap();
            }),
        ),
        (
            "random garbage",
            Box::new(|p| {
                let len = std::fs::metadata(p.join("db")).unwrap().len() as usize;
                let junk: Vec<u8> = (0..len).map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[3]).collect();
                std::fs::write(p.join("db"), junk).unwrap();
            }),
        ),
    ];
    for (name, damage) in damages {
        let copy = env.dir.path().join(name.replace(' ', "-"));
        copy_dir(&store, &copy);
        damage(&copy);
        let r = env.run_on(&copy, &["register", "--json"]);
        assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
        if r.code == 0 {
            // sled read it all back: then it must be the whole register, verified.
            assert_eq!(r.json().as_array().unwrap().len(), 70, "{name}: a partial register");
            let v = env.run_on(&copy, &["audit", "verify", "--json"]).json();
            assert_eq!(v["events"].as_u64(), Some(events), "{name}");
        } else {
            assert_eq!(r.code, 3, "{name}: {}", r.stderr);
            assert!(r.stderr.contains("integrity failure") || r.stderr.contains("storage failure"), "{name}: {}", r.stderr);
        }
    }
}

fn flip(file: &std::path::Path, from: usize, len: usize) {
    let mut b = std::fs::read(file).unwrap();
    for x in b.iter_mut().skip(from).take(len) {
        *x ^= 0x5a;
    }
    std::fs::write(file, b).unwrap();
}

/// The state kept beside the log, edited in sled (999,999 € paid; "mallory" added to the roster):
/// before, only `audit replay` noticed, and mallory could then act. Now `audit verify` finds it
/// (exit 3), the store takes no command and makes no export until repaired, and `audit repair`
/// rebuilds the state from the log.
#[test]
fn an_edited_kept_state_is_found_by_verify_and_the_store_refuses_commands_until_repaired() {
    if crate::on_postgres("an_edited_kept_state_is_found_by_verify_and_the_store_refuses_commands_until_repaired") {
        return;
    }
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2016-07-01"]);
    {
        let db = crate::open_sled(&env.store());
        let totals = db.open_tree("state-totals").unwrap();
        let g: serde_json::Value = serde_json::from_slice(&totals.get("g").unwrap().unwrap()).unwrap();
        let mut forged = g.clone();
        forged["capital"]["paid"] = serde_json::json!(99_999_900);
        forged["roster"]["mallory"] = serde_json::json!({"offices": ["secretary"], "member": null});
        totals.insert("g", serde_json::to_vec(&forged).unwrap()).unwrap();
        db.flush().unwrap();
    }
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not the fold of the log"), "{}", r.stdout);
    let r = env.run(&["--actor", "mallory", "member", "admit", "--name", "M", "--category", "employees"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("takes no command and makes no export until repaired"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: rebuild the kept state from the log with `coop audit repair`"), "{}", r.stderr);
    assert_eq!(env.run(&["export", "events"]).code, 3);
    env.ok(&["audit", "repair"]);
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
    assert_eq!(env.ok(&["capital", "--json"]).json()["paid_cents"], 5_000);
    let r = env.run(&["--actor", "mallory", "member", "admit", "--name", "M", "--category", "employees"]);
    assert_eq!(r.code, 1, "mallory holds no office: {}", r.stderr);
    env.ok(&["member", "admit", "--name", "B", "--category", "employees"]);
}

/// The roll (every member's standing, which the involvement report reads instead of the
/// members' pieces) is part of the kept state: a chunk removed is found by verify, which names
/// its members, and `audit repair` writes it again.
#[test]
fn a_damaged_roll_is_found_by_verify_and_repaired() {
    if crate::on_postgres("a_damaged_roll_is_found_by_verify_and_repaired") {
        return;
    }
    let env = Env::new();
    env.init();
    for name in ["A", "B"] {
        env.ok(&["member", "admit", "--name", name, "--category", "employees", "--date", "2016-07-01"]);
    }
    let before = env.ok(&["involvement", "--json"]).json();
    assert_eq!(before["members"], 2, "{before}");
    {
        let db = crate::open_sled(&env.store());
        let members = db.open_tree("state-members").unwrap();
        assert!(members.remove([b'l', 0, 0, 0, 0]).unwrap().is_some(), "members 1 to 255 are in the roll's first chunk");
        db.flush().unwrap();
    }
    let r = env.run(&["audit", "replay", "--json"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["differing_members"], serde_json::json!([1, 2]), "{report}");
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not the fold of the log"), "{}", r.stdout);
    env.ok(&["audit", "repair"]);
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
    assert_eq!(env.ok(&["involvement", "--json"]).json(), before);
}

/// The kept members, assemblies and projects are compared with the fold of the log one piece
/// at a time: a piece removed, or another's put in its place, is found by `audit replay`
/// (members named) and by `audit verify`.
#[test]
fn a_removed_or_swapped_piece_is_found_by_replay_and_verify() {
    if crate::on_postgres("a_removed_or_swapped_piece_is_found_by_replay_and_verify") {
        return;
    }
    let env = Env::new();
    env.ok(&["demo"]);
    // The members' pieces are kept eight to a value (`n` and the bucket's number): each as
    // its number, its length (4 bytes each, big-endian) and its piece. Members 1 and 2 are in
    // bucket 0.
    type Entries = Vec<(u32, Vec<u8>)>;
    let edit_bucket = |db: &sled::Db, bucket: u32, edit: &dyn Fn(&mut Entries)| {
        let t = db.open_tree("state-members").unwrap();
        let key = [&b"n"[..], &bucket.to_be_bytes()].concat();
        let value = t.get(&key).unwrap().unwrap();
        let (mut entries, mut rest) = (Vec::new(), &value[..]);
        while !rest.is_empty() {
            let n = u32::from_be_bytes(rest[..4].try_into().unwrap());
            let len = u32::from_be_bytes(rest[4..8].try_into().unwrap()) as usize;
            entries.push((n, rest[8..8 + len].to_vec()));
            rest = &rest[8 + len..];
        }
        edit(&mut entries);
        let mut out = Vec::new();
        for (n, piece) in entries {
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&(piece.len() as u32).to_be_bytes());
            out.extend_from_slice(&piece);
        }
        t.insert(&key, out).unwrap();
    };
    let at = |entries: &Entries, n: u32| entries.iter().position(|(m, _)| *m == n).unwrap();
    let first_key = |tree: &str, tag: u8, nth: usize| -> Vec<u8> {
        let db = crate::open_sled(&env.store());
        let keys: Vec<Vec<u8>> = db.open_tree(tree).unwrap().scan_prefix([tag]).keys().map(|k| k.unwrap().to_vec()).collect();
        keys[nth].clone()
    };
    let (assembly, project, other_project) =
        (first_key("state-assemblies", b'a', 0), first_key("state-projects", b'p', 0), first_key("state-projects", b'p', 1));
    type Damage = Box<dyn Fn(&sled::Db)>;
    let (p0, p1, a0) = (project.clone(), other_project.clone(), assembly.clone());
    let last = {
        let db = crate::open_sled(&env.store());
        let keys: Vec<Vec<u8>> = db.open_tree("state-members").unwrap().scan_prefix(b"n").keys().map(|k| k.unwrap().to_vec()).collect();
        assert!(keys.len() >= 2, "members in more than one bucket");
        let bucket = u32::from_be_bytes(keys.last().unwrap()[1..5].try_into().unwrap());
        let value = db.open_tree("state-members").unwrap().get(keys.last().unwrap()).unwrap().unwrap();
        // The bucket's last entry: walk its (number, length, piece) entries.
        let (mut rest, mut n) = (&value[..], 0);
        while !rest.is_empty() {
            n = u32::from_be_bytes(rest[..4].try_into().unwrap());
            let len = u32::from_be_bytes(rest[4..8].try_into().unwrap()) as usize;
            rest = &rest[8 + len..];
        }
        assert_eq!(n / 8, bucket);
        n
    };
    let cases: Vec<(&str, Damage, Vec<u32>)> = vec![
        (
            "member 2 removed",
            Box::new(move |db| {
                edit_bucket(db, 0, &|e| {
                    e.remove(at(e, 2));
                })
            }),
            vec![2],
        ),
        // The members are compared in two halves of their buckets at once: one in the later half.
        (
            "the last member removed",
            Box::new(move |db| {
                edit_bucket(db, last / 8, &|e| {
                    e.remove(at(e, last));
                })
            }),
            vec![last],
        ),
        (
            "member 1's piece under the last member",
            Box::new(move |db| {
                let one = std::cell::RefCell::new(Vec::new());
                edit_bucket(db, 0, &|e| *one.borrow_mut() = e[at(e, 1)].1.clone());
                edit_bucket(db, last / 8, &|e| {
                    let i = at(e, last);
                    e[i].1 = one.borrow().clone();
                })
            }),
            vec![1, last],
        ),
        (
            "member 1's piece under member 2",
            Box::new(move |db| {
                edit_bucket(db, 0, &|e| {
                    let (one, two) = (at(e, 1), at(e, 2));
                    e[two].1 = e[one].1.clone();
                })
            }),
            // Member 2 is missing, and member 1 is kept twice.
            vec![1, 2],
        ),
        ("an assembly removed", Box::new(move |db| drop(db.open_tree("state-assemblies").unwrap().remove(&a0).unwrap())), vec![]),
        (
            "a project's piece under another's key",
            Box::new(move |db| {
                let t = db.open_tree("state-projects").unwrap();
                t.insert(&p1, t.get(&p0).unwrap().unwrap()).unwrap();
            }),
            vec![],
        ),
        // The index of who took part in which project (`j`, the member's number, the slug).
        (
            "a member's listing under a project removed",
            Box::new(move |db| {
                let t = db.open_tree("state-projects").unwrap();
                let listed = t.scan_prefix(b"j").keys().next().unwrap().unwrap();
                t.remove(listed).unwrap();
            }),
            vec![],
        ),
        (
            "a member listed under a project it never took part in",
            Box::new(move |db| {
                let t = db.open_tree("state-projects").unwrap();
                t.insert([&b"j"[..], &1u32.to_be_bytes(), b"no-such-project"].concat(), &[1u8][..]).unwrap();
            }),
            vec![],
        ),
    ];
    for (i, (what, damage, named)) in cases.into_iter().enumerate() {
        let copy = env.dir.path().join(format!("copy-{i}"));
        crate::copy_dir(&env.store(), &copy);
        {
            let db = crate::open_sled(&copy);
            damage(&db);
            db.flush().unwrap();
        }
        let store = coop::Store::open_for_audit(&copy).unwrap();
        let replay = store.replay_check().unwrap();
        assert!(!replay.matches, "{what}: {replay:?}");
        assert_eq!(replay.differing_members, named.into_iter().map(coop::MemberNo).collect::<Vec<_>>(), "{what}");
        assert_eq!(store.verify().unwrap().kept_state_matches, Some(false), "{what}");
        if what.contains("listing") || what.contains("listed") {
            let said = replay.index_differs.clone().unwrap_or_default();
            assert!(said.contains("who took part in which project") && said.contains("member"), "{what}: {said}");
            assert!(store.verify().unwrap().problem.unwrap_or_default().contains(&said), "{what}");
        } else {
            assert_eq!(replay.index_differs, None, "{what}");
        }
    }
    // Undamaged, it matches.
    let store = coop::Store::open_for_audit(env.store()).unwrap();
    assert!(store.replay_check().unwrap().matches);
}

/// A record edited in the middle of the log: verify names it, commands stop, and repair does
/// not pretend to mend a log (exit 3: restore a backup).
#[test]
fn a_mid_log_edit_stops_commands_and_is_not_repaired() {
    if crate::on_postgres("a_mid_log_edit_stops_commands_and_is_not_repaired") {
        return;
    }
    let env = Env::new();
    env.init();
    for name in ["A", "B", "C"] {
        env.ok(&["member", "admit", "--name", name, "--category", "employees", "--date", "2016-07-01"]);
    }
    {
        let db = crate::open_sled(&env.store());
        crate::edit_record_in_place(&env.store(), &db.open_tree("log").unwrap(), 4, |r| r.replace("\"count\":1", "\"count\":9"));
        db.flush().unwrap();
    }
    let r = env.run(&["audit", "verify", "--json"]);
    assert_eq!(r.code, 3);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()["first_bad_seq"], 4);
    let r = env.run(&["member", "admit", "--name", "D", "--category", "employees"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = env.run(&["audit", "repair"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("restore the store from a backup"), "{}", r.stderr);
}

/// Out of date order, verify reads what breaks the order first, then the chain: an edited
/// record, or one too damaged for that first read, is still reported at its place (exit 3),
/// never as an error of the read.
#[test]
fn a_damaged_record_of_a_log_out_of_date_order_is_found_at_its_place() {
    if crate::on_postgres("a_damaged_record_of_a_log_out_of_date_order_is_found_at_its_place") {
        return;
    }
    for (what, edit) in [("an edited count", "\"count\":9"), ("a broken date", "\"effective\":\"2016-13-45\"")] {
        let env = Env::new();
        env.init();
        for (name, date) in [("A", "2016-09-01"), ("B", "2016-10-01"), ("C", "2016-07-01")] {
            env.ok(&["member", "admit", "--name", name, "--category", "employees", "--date", date]);
        }
        assert_eq!(env.run(&["audit", "verify", "--json"]).code, 0, "{what}: the late admission verifies");
        {
            let db = crate::open_sled(&env.store());
            crate::edit_record_in_place(&env.store(), &db.open_tree("log").unwrap(), 4, |r| {
                if edit.starts_with("\"count") {
                    r.replace("\"count\":1", edit)
                } else {
                    r.replacen("\"effective\":\"2016-09-01\"", edit, 1)
                }
            });
            db.flush().unwrap();
        }
        let r = env.run(&["audit", "verify", "--json"]);
        assert_eq!(r.code, 3, "{what}: {}", r.stderr);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()["first_bad_seq"], 4, "{what}");
    }
}

/// The head witness (`head`, beside the database) is given to a store when it is created: deleted
/// or damaged on a store with events, it is never silently rewritten (a rolled-back store looks
/// exactly like that); verify says so too, and `--accept-head` accepts the head knowingly.
#[test]
fn a_missing_damaged_or_forged_witness_is_never_silently_rewritten() {
    if crate::on_postgres("a_missing_damaged_or_forged_witness_is_never_silently_rewritten") {
        return;
    }
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2016-07-01"]);
    let early = env.dir.path().join("early");
    crate::copy_dir(&env.store(), &early);
    env.ok(&["member", "admit", "--name", "B", "--category", "employees", "--date", "2016-07-01"]);
    let witness = env.store().join("head");
    let good = std::fs::read_to_string(&witness).unwrap();
    // Deleted.
    std::fs::remove_file(&witness).unwrap();
    let r = env.run(&["capital"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("hint: once the head is checked, accept it with `coop audit verify --accept-head`"), "{}", r.stderr);
    // The library says what is wrong and what to do, in its own terms; the hint is the CLI's.
    let err = coop::Store::open(env.store()).unwrap_err();
    assert_eq!((err.kind(), err.remedy()), (coop::ErrorKind::Integrity, Some(coop::Remedy::AcceptHead)), "{err}");
    assert!(!err.to_string().contains("coop "), "no command line in a library message: {err}");
    let v = env.run(&["audit", "verify", "--json"]);
    assert_eq!(v.code, 3);
    assert_eq!(v.json()["remedy"], "accept_head");
    assert!(!witness.exists(), "not rewritten by a refused open");
    env.ok(&["audit", "verify", "--accept-head"]);
    env.ok(&["capital"]);
    // Flipped (its checksum fails).
    std::fs::write(&witness, good.replacen('0', "1", 1)).unwrap();
    assert_eq!(env.run(&["capital"]).code, 3);
    std::fs::write(&witness, &good).unwrap();
    // Another hash at the same sequence number, with a valid checksum: verify says so.
    let parts: Vec<&str> = good.split_whitespace().collect();
    let seq: u64 = parts[1].parse().unwrap();
    let forged_hash = "ab".repeat(32);
    let body = format!("{seq} {forged_hash}");
    use sha2::Digest;
    let check = &hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16];
    std::fs::write(&witness, format!("coop-head/1 {seq:020} {forged_hash} {check}\n")).unwrap();
    let r = env.run(&["audit", "verify", "--json"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stdout.contains("rewritten") || r.stderr.contains("hash acknowledged"), "{}{}", r.stdout, r.stderr);
    std::fs::write(&witness, &good).unwrap();
    // The whole directory rolled back to an earlier copy, its witness deleted: refused.
    std::fs::remove_dir_all(env.store()).unwrap();
    crate::copy_dir(&early, &env.store());
    std::fs::remove_file(env.store().join("head")).unwrap();
    assert_eq!(env.run(&["capital"]).code, 3);
}

/// A seal kept outside the store anchors the log: a copy of the whole directory from before the
/// seal (witness and all, so it verifies on its own) is found by `verify --expect`, on the store
/// and on an export.
#[test]
fn a_seal_kept_elsewhere_finds_a_rollback_of_the_whole_directory() {
    if crate::on_postgres("a_seal_kept_elsewhere_finds_a_rollback_of_the_whole_directory") {
        return;
    }
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2016-07-01"]);
    let early = env.dir.path().join("early");
    crate::copy_dir(&env.store(), &early);
    env.ok(&["member", "admit", "--name", "B", "--category", "employees", "--date", "2016-07-01"]);
    let seal = env.ok(&["audit", "seal"]).stdout;
    assert!(seal.starts_with("coop-seal/1 seq=6 hash="), "{seal}");
    let seals = env.file("seals.txt", &seal);
    let r = env.run(&["audit", "verify", "--expect-file", seals.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let export = env.file("log.jsonl", &env.ok(&["export", "events"]).stdout);
    assert_eq!(env.run(&["audit", "verify", "--export", export.to_str().unwrap(), "--expect-file", seals.to_str().unwrap()]).code, 0);
    // Rolled back: the earlier directory verifies on its own, but not against the seal.
    assert_eq!(env.run_on(&early, &["audit", "verify"]).code, 0);
    let r = env.run_on(&early, &["audit", "verify", "--expect-file", seals.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("rolled back"), "{}", r.stderr);
    // Another hash at the sealed sequence number: a rewrite.
    let wrong = format!("6:{}", "0".repeat(64));
    let r = env.run(&["audit", "verify", "--expect", &wrong]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("rewritten"), "{}", r.stderr);
    let r = env.run(&["audit", "verify", "--export", export.to_str().unwrap(), "--expect", &wrong]);
    assert_eq!(r.code, 3);
    assert_eq!(env.run(&["audit", "verify", "--expect", "6:xyz"]).code, 2, "a malformed anchor");
}
