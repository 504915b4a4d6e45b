//! The personal data beside the log: checked against the digests the log keeps, never left
//! behind by a write that did not commit.

use crate::cli::Env;

fn verify(env: &Env) -> (i32, serde_json::Value) {
    let r = env.run(&["audit", "verify", "--json"]);
    (r.code, serde_json::from_str(&r.stdout).unwrap_or_default())
}

fn with_members() -> Env {
    let env = Env::new();
    env.init();
    for name in ["Léa Roux", "Marc Jeantet", "Claire Faivre"] {
        env.ok(&["member", "admit", "--name", name, "--category", "employees", "--date", "2016-07-01"]);
    }
    env
}

/// The file holding a party's personal data (by the last byte of its ULID).
fn bucket(env: &Env, party: &str) -> std::path::PathBuf {
    let id: coop::PartyId = party.parse().unwrap();
    env.store().join("personal").join(format!("{:02x}.json", id.to_bytes()[15]))
}

#[test]
fn a_forged_name_and_a_deleted_directory_are_found_by_verify() {
    if crate::on_postgres("a_forged_name_and_a_deleted_directory_are_found_by_verify") {
        return;
    }
    let env = with_members();
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    // Three members and the founder (officers' names are kept beside the log too).
    assert_eq!(v["personal"]["checked"], 4);
    // A name edited in its file.
    let party = env.ok(&["member", "show", "2", "--json"]).json()["member"]["id"].as_str().unwrap().to_string();
    let file = bucket(&env, &party);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("Marc Jeantet", "Mallory")).unwrap();
    let (code, v) = verify(&env);
    assert_eq!(code, 3, "{v}");
    assert!(v["problem"].as_str().unwrap().contains("member 2") && v["problem"].as_str().unwrap().contains("altered"), "{v}");
    std::fs::write(&file, text).unwrap();
    assert_eq!(verify(&env).0, 0);
    // Every file removed: not an erasure.
    std::fs::remove_dir_all(env.store().join("personal")).unwrap();
    let r = env.run(&["audit", "verify"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stdout.contains("member 1: its name is missing, though it was never erased"), "{}", r.stdout);
}

#[test]
fn erased_data_is_told_apart_from_missing_data() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["member", "admit", "--name", "B", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["member", "withdraw", "1", "--date", "2016-07-02"]);
    env.ok(&["member", "forget", "1"]);
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    assert_eq!((v["personal"]["checked"].as_u64(), v["personal"]["erased"].as_u64()), (Some(2), Some(1)), "{v}");
}

/// What a command cut short between its personal data and its head leaves: an entry for a party
/// the log does not name, recorded as pending. The next open removes it.
#[test]
fn personal_data_of_a_command_that_never_committed_is_removed_on_open() {
    if crate::on_postgres("personal_data_of_a_command_that_never_committed_is_removed_on_open") {
        return;
    }
    let env = with_members();
    let orphan = coop::PartyId::new();
    let file = env.store().join("personal").join(format!("{:02x}.json", orphan.to_bytes()[15]));
    let mut bucket: serde_json::Map<String, serde_json::Value> =
        std::fs::read(&file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    bucket.insert(orphan.to_string(), serde_json::json!({"salt": "s", "name": "Never admitted", "email": null}));
    std::fs::write(&file, serde_json::to_vec(&bucket).unwrap()).unwrap();
    // Without a pending record it is only counted.
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["personal"]["orphans"], 1);
    let pending = serde_json::json!([{"token": "t", "added": [orphan.to_string()], "replaced": []}]);
    std::fs::write(env.store().join("personal").join("pending.json"), pending.to_string()).unwrap();
    env.ok(&["capital"]);
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["personal"]["orphans"], 0, "the orphan was removed on open: {v}");
    assert!(!env.store().join("personal").join("pending.json").exists());
}

/// An edit cut short before its head: the entry it replaced is put back on the next open.
#[test]
fn an_edit_that_never_committed_is_undone_on_open() {
    if crate::on_postgres("an_edit_that_never_committed_is_undone_on_open") {
        return;
    }
    let env = with_members();
    let party = env.ok(&["member", "show", "1", "--json"]).json()["member"]["id"].as_str().unwrap().to_string();
    let file = bucket(&env, &party);
    let text = std::fs::read_to_string(&file).unwrap();
    let bucket_json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let previous = bucket_json[&party].clone();
    std::fs::write(&file, text.replace("Léa Roux", "Léa Roux-Martin")).unwrap();
    let pending = serde_json::json!([{"token": "t", "added": [], "replaced": [[party, previous]]}]);
    std::fs::write(env.store().join("personal").join("pending.json"), pending.to_string()).unwrap();
    assert_eq!(env.ok(&["member", "show", "1", "--json"]).json()["member"]["name"], "Léa Roux");
    assert_eq!(verify(&env).0, 0);
}

/// `coop import members` of a large file killed at random: after each kill the store opens,
/// holds all the rows or none, and no name is left for a member the log does not have.
#[test]
fn killed_member_imports_leave_no_orphan() {
    if crate::on_postgres("killed_member_imports_leave_no_orphan") {
        return;
    }
    let env = Env::new();
    env.init();
    let mut csv = String::from("name,category,shares,admitted\n");
    for i in 0..2000 {
        csv.push_str(&format!("Membre {i},beneficiaries,1,2017-01-01\n"));
    }
    let file = env.file("register.csv", &csv);
    let args = [std::ffi::OsStr::new("--actor"), "secretary".as_ref(), "import".as_ref(), "members".as_ref(), file.as_os_str()];
    let (mut all, mut none) = (0, 0);
    let (rounds, kills) = kill_copies(&env, &args, 0x9E3779B97F4A7C15, |round, path| {
        let r = env.run_on(path, &["audit", "verify", "--json"]);
        // The first command after the kill opens the store (and finishes what is pending).
        let r = if r.code == 0 { env.run_on(path, &["audit", "verify", "--json"]) } else { r };
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
        let members = env.run_on(path, &["capital", "--json"]);
        assert_eq!(members.code, 0, "round {round}: {}", members.stderr);
        let v2: serde_json::Value = serde_json::from_str(&env.run_on(path, &["audit", "verify", "--json"]).stdout).unwrap();
        assert_eq!(v2["ok"], true, "round {round}: {v2} (first: {v})");
        assert_eq!(v2["personal"]["orphans"], 0, "round {round}: {v2}");
        match v2["personal"]["checked"].as_u64() {
            // The founder's name, then the 2,000 members'.
            Some(1) => none += 1,
            Some(2001) => all += 1,
            other => panic!("round {round}: {other:?} members"),
        }
    });
    eprintln!("import members crash harness: {rounds} rounds, {kills} kills, {all} complete, {none} untouched, no orphan left");
}

/// `coop member forget` killed at random: after each kill the store opens and verifies, and the
/// former member's name is either erased with its `PersonalDataErased` event or kept without
/// one; never an event whose name is still there, nor a name gone without an event.
#[test]
fn killed_erasures_erase_with_their_event_or_not_at_all() {
    if crate::on_postgres("killed_erasures_erase_with_their_event_or_not_at_all") {
        return;
    }
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Camille Martin", "--category", "employees", "--email", "c@example.org", "--date", "2016-07-01"]);
    env.ok(&["member", "admit", "--name", "B", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["member", "withdraw", "1", "--date", "2016-08-01"]);
    let args = [std::ffi::OsStr::new("member"), "forget".as_ref(), "1".as_ref()];
    let (mut erased, mut kept) = (0, 0);
    let (rounds, kills) = kill_copies(&env, &args, 0xD1B54A32D192ED03, |round, path| {
        // The first command after the kill opens the store and finishes a pending erasure.
        let show = env.run_on(path, &["member", "show", "1", "--json"]);
        assert_eq!(show.code, 0, "round {round}: {}", show.stderr);
        let v: serde_json::Value = serde_json::from_str(&env.run_on(path, &["audit", "verify", "--json"]).stdout).unwrap();
        assert_eq!(v["ok"], true, "round {round}: {v}");
        assert_eq!(v["personal"]["orphans"], 0, "round {round}: {v}");
        let log = env.run_on(path, &["log", "--json"]).json();
        let has_event = log.as_array().unwrap().iter().any(|e| e["event"]["type"] == "personal_data_erased");
        let name_kept = env.run_on(path, &["member", "show", "1"]).stdout.contains("Camille Martin");
        match (has_event, name_kept, v["personal"]["erased"].as_u64()) {
            (true, false, Some(1)) => erased += 1,
            (false, true, Some(0)) => kept += 1,
            other => panic!("round {round}: a killed erasure left (event, name kept, erased) = {other:?}: {v}"),
        }
    });
    eprintln!("member forget crash harness: {rounds} rounds, {kills} kills, {erased} erased with their event, {kept} kept, none half-done");
}

/// Officers are recorded by party id, their names beside the log like members': forgetting a
/// former member who was an officer removes their name from everywhere, the acts they recorded
/// included.
#[test]
fn forgetting_a_member_who_was_an_officer_removes_their_name_everywhere() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Claire Faivre", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["officer", "appoint", "Claire Faivre", "--office", "secretary", "--member", "1"]);
    env.ok(&["--actor", "Claire Faivre", "member", "admit", "--name", "Léa Roux", "--category", "beneficiaries"]);
    let log = env.ok(&["log"]).stdout;
    assert!(log.contains("Claire Faivre"), "her acts are shown under her name: {log}");
    let export = env.ok(&["export", "events"]).stdout;
    assert!(!export.contains("Claire"), "no name of a person in the log itself");
    env.ok(&["--actor", "secretary", "officer", "remove", "Claire Faivre", "--office", "secretary"]);
    env.ok(&["member", "withdraw", "1"]);
    // Ten years later her personal data is erased: the member's and the officer's.
    let later = [("COOP_TODAY", "2037-01-01")];
    let r = env.run_with(&env.store(), &later, &["member", "forget", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = env.run_with(&env.store(), &later, &["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["personal"]["erased"], 2, "the member's entry and the officer's: {v}");
    if crate::postgres_url().is_some() {
        assert_eq!(crate::postgres_personal_rows(&env.store(), "Claire"), 0, "a row of the cooperative's personal data still holds it");
    } else {
        let personal: String = std::fs::read_dir(env.store().join("personal"))
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap_or_default())
            .collect();
        assert!(!personal.contains("Claire"), "no file beside the log holds her name");
    }
    let log = env.run_with(&env.store(), &later, &["log"]).stdout;
    assert!(!log.contains("Claire") && log.contains("(erased)"), "{log}");
    // Someone else may now be called Claire Faivre: a new officer, not the erased one.
    env.run_with(&env.store(), &later, &["officer", "appoint", "Claire Faivre", "--office", "secretary"]);
    let roster = env.run_with(&env.store(), &later, &["officer", "list", "--json"]).json();
    assert!(roster.as_array().unwrap().iter().any(|o| o["person"] == "Claire Faivre"), "{roster}");
}

/// Runs `args` on copies of the store `env` holds, each killed at a random moment within the
/// time a whole run takes, and gives each copy (once killed, or done) to `check` with its
/// round; `COOP_CRASH_ROUNDS` rounds (default 8). Returns (rounds, kills).
fn kill_copies(env: &Env, args: &[&std::ffi::OsStr], mut seed: u64, mut check: impl FnMut(usize, &std::path::Path)) -> (usize, usize) {
    let base = env.dir.path().join("base");
    crate::copy_dir(&env.store(), &base);
    // Twice the time of a whole run: some kills land after the command ended (a complete run).
    let span = 2 * crate::kill_span(&env.store(), args);
    let rounds = std::env::var("COOP_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(8);
    let mut kills = 0;
    for round in 0..rounds {
        let path = env.dir.path().join(format!("r{round}"));
        crate::copy_dir(&base, &path);
        if crate::run_killed(&path, args, crate::next_seed(&mut seed) % span) {
            kills += 1;
        }
        check(round, &path);
        std::fs::remove_dir_all(&path).unwrap();
    }
    (rounds, kills)
}
