//! Facts entered late, through the real binary and the library: decided at their date, checked
//! against every later fact, and the store's state always the fold of the timeline.

use coop::{Command, Options, Store};

use crate::cli::Env;

fn capital_as_of(env: &Env, date: &str) -> serde_json::Value {
    env.ok(&["--as-of", date, "capital", "--json"]).json()
}

#[test]
fn a_backdated_redemption_is_checked_at_its_date_and_later_facts_are_checked_again() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--shares", "100", "--date", "2020-01-10"]);
    env.ok(&["member", "admit", "--name", "B", "--category", "beneficiaries", "--date", "2020-06-01"]);
    let before = env.events();
    // Below the floor on its date (1,000 € of a 5,000 € highest): refused, nothing written.
    let r = env.run(&["shares", "redeem", "1", "--count", "80", "--date", "2020-03-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("below the floor"), "{}", r.stderr);
    assert_eq!(env.events(), before);
    // Within it: recorded, and the capital as of its date shows it.
    env.ok(&["shares", "redeem", "1", "--count", "50", "--date", "2020-03-01"]);
    assert_eq!(capital_as_of(&env, "2020-03-31")["subscribed_cents"], 250_000);
    assert_eq!(env.ok(&["capital", "--json"]).json()["subscribed_cents"], 255_000);
    // A later redemption in 2021, then a fact entered before it that would break it.
    env.ok(&["shares", "redeem", "1", "--count", "20", "--date", "2021-01-01"]);
    let r = env.run(&[
        "member",
        "admit",
        "--name",
        "P",
        "--kind",
        "public-body",
        "--category",
        "public",
        "--shares",
        "120",
        "--date",
        "2020-02-01",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("public bodies would hold"), "{}", r.stderr);
    // Member 1 gives 35 of its 50 shares away in 2020: the 2021 redemption of 20 would lack them.
    let r = env.run(&["shares", "transfer", "1", "2", "--count", "35", "--date", "2020-07-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("would break a later fact") && r.stderr.contains("2021-01-01"), "{}", r.stderr);
    assert!(r.stderr.contains("not_enough_shares"), "{}", r.stderr);
    env.ok(&["shares", "transfer", "1", "2", "--count", "25", "--date", "2020-07-01"]);
    // The chain verifies and a rebuild in timeline order equals the state kept.
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    assert!(env.ok(&["audit", "replay"]).stdout.contains("gives the state kept"));
}

#[test]
fn a_migration_enters_participants_with_their_past_dates() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2020-01-10"]);
    env.ok(&["member", "admit", "--name", "B", "--category", "beneficiaries", "--date", "2020-01-10"]);
    env.ok(&["project", "create", "bouteilles", "--name", "Bouteilles", "--date", "2024-01-01"]);
    env.ok(&["project", "stage", "bouteilles", "qualification", "--date", "2025-09-01"]);
    // Refused before the timeline: "project bouteilles has a fact recorded on 2025-09-01".
    env.ok(&["project", "join", "bouteilles", "2", "--role", "tester", "--date", "2024-03-01"]);
    let past = env.ok(&["--as-of", "2024-06-01", "project", "show", "bouteilles", "--json"]).json();
    assert_eq!(past["members"][0]["number"], 2, "{past}");
    assert_eq!(past["stage"], "idea");
    // A member's fact before its admission is refused with both dates.
    let r = env.run(&["shares", "subscribe", "2", "--count", "1", "--date", "2019-05-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("admitted on 2020-01-10"), "{}", r.stderr);
}

#[test]
fn a_store_with_facts_entered_late_reopens_exports_and_reimports_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let store = Store::open(&path).unwrap();
    let statutes = coop::Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let founded = statutes.founded;
    store.execute(coop::Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded)).unwrap();
    let date = |s: &str| coop::parse_date(s).unwrap();
    let admit = |cat: &str, shares: u64| Command::Admit {
        personal: coop::Personal { name: format!("{cat}{shares}"), email: None, address: None },
        kind: coop::PartyKind::Person,
        category: cat.into(),
        shares: Some(shares),
        class: None,
        paid: None,
    };
    store.execute(coop::Request::new(admit("employees", 10)).dated(date("2022-01-10"))).unwrap();
    // Entered late: an admission in 2019 and a redemption in 2021 (lots then taken in date order).
    store.execute(coop::Request::new(admit("beneficiaries", 4)).dated(date("2019-01-10"))).unwrap();
    let sub = Command::Subscribe { member: coop::MemberRef::Number(coop::MemberNo(2)), count: 3, class: None, paid: None };
    store.execute(coop::Request::new(sub).dated(date("2020-01-10"))).unwrap();
    let red = Command::Redeem { member: coop::MemberRef::Number(coop::MemberNo(2)), count: 2, class: None };
    store.execute(coop::Request::new(red).dated(date("2021-01-10"))).unwrap();
    let kept = store.state().unwrap();
    // 7 shares in 2020, 5 after the 2021 redemption, 15 in 2022 (in the order recorded, 17
    // would have been counted before the redemption).
    assert_eq!(kept.capital.highest.0, 15 * 5_000, "the highest capital of the timeline");
    assert_eq!(kept.members[&coop::MemberNo(2)].shares(), 5);
    assert!(store.replay_check().unwrap().matches);
    let as_of = store.state_as_of(date("2020-12-31")).unwrap();
    assert_eq!(as_of.members.len(), 1);
    assert_eq!(as_of.capital.subscribed.0, 7 * 5_000);
    let mut export = Vec::new();
    store.export_events(&mut export).unwrap();
    drop(store);
    // Reopened: the same state.
    let reopened = Store::open_with(&path, Options::default()).unwrap();
    assert_eq!(reopened.state().unwrap(), kept);
    // Imported elsewhere: folded in timeline order to the same state.
    let other = Store::open(crate::location(dir.path(), "t")).unwrap();
    other.import_events(export.as_slice()).unwrap();
    let imported = other.state().unwrap();
    assert_eq!(imported.capital, kept.capital);
    assert_eq!(imported.members, kept.members);
    assert!(other.replay_check().unwrap().matches);
    assert_eq!(other.state_as_of(date("2020-12-31")).unwrap().capital, as_of.capital);
}

#[test]
fn time_flags_belong_to_queries_or_commands_and_known_at_reproduces_an_earlier_answer() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--shares", "10", "--date", "2020-01-10"]);
    let seq_then = env.events();
    let then = env.ok(&["capital", "--json"]).json();
    env.ok(&["member", "admit", "--name", "B", "--category", "beneficiaries", "--shares", "3", "--date", "2019-06-01"]);
    // --as-of on a command, --date on a query, --known-at on a command: usage errors, nothing written.
    let before = env.events();
    for (args, text) in [
        (vec!["--as-of", "2025-01-01", "member", "admit", "--name", "C", "--category", "employees"], "--date"),
        (vec!["--date", "2025-01-01", "capital"], "--as-of"),
        (vec!["--known-at", "3", "shares", "pay", "1", "--amount", "1"], "not a query"),
        (vec!["--as-of", "2025-01-01", "audit", "verify"], "takes no date"),
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(text), "{args:?}: {}", r.stderr);
    }
    assert_eq!(env.events(), before);
    // The capital as the log stood before B was entered, though B's admission is dated earlier.
    assert_eq!(env.ok(&["--known-at", &seq_then.to_string(), "capital", "--json"]).json(), then);
    let now = env.ok(&["capital", "--json"]).json();
    assert_eq!(now["subscribed_cents"], 65_000);
    // Both times: as of 2019-12-31, as known now and as known then.
    assert_eq!(env.ok(&["--as-of", "2019-12-31", "capital", "--json"]).json()["subscribed_cents"], 15_000);
    let known_then = env.ok(&["--as-of", "2019-12-31", "--known-at", &seq_then.to_string(), "capital", "--json"]).json();
    assert_eq!(known_then["subscribed_cents"], 0);
    let r = env.run(&["--known-at", "999", "capital"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The history of a member in date order, up to --as-of.
    env.ok(&["shares", "subscribe", "2", "--count", "1", "--date", "2021-01-01"]);
    env.ok(&["shares", "subscribe", "2", "--count", "2", "--date", "2020-01-01"]);
    let h = env.ok(&["member", "show", "2", "--history", "--json"]).json();
    let dates: Vec<&str> = h["history"].as_array().unwrap().iter().map(|e| e["effective"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2019-06-01", "2019-06-01", "2020-01-01", "2021-01-01"], "{h}");
    let h = env.ok(&["--as-of", "2020-06-30", "member", "show", "2", "--history", "--json"]).json();
    assert_eq!(h["history"].as_array().unwrap().len(), 3, "{h}");
}

#[test]
fn a_command_recorded_by_mistake_is_voided_and_stays_in_the_log_marked() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Léa Roux", "--category", "employees", "--date", "2020-01-10"]);
    env.ok(&["member", "admit", "--name", "Léa Roux", "--category", "employees", "--date", "2020-01-10"]);
    let twice = env.events();
    let before = env.ok(&["register", "--json"]).json();
    assert_eq!(before.as_array().unwrap().len(), 2);
    // Bad input first: a reason is needed, the event must exist.
    assert_eq!(env.run(&["void", &twice.to_string(), "--reason", " "]).code, 2);
    assert_eq!(env.run(&["void", "999", "--reason", "x"]).code, 2);
    assert_eq!(env.events(), twice);
    let out = env.ok(&["void", &twice.to_string(), "--reason", "imported twice"]).stdout;
    assert!(out.contains(&format!("events {} to {twice} voided", twice - 1)), "{out}");
    let after = env.ok(&["register", "--json"]).json();
    assert_eq!(after.as_array().unwrap().len(), 1, "{after}");
    assert_eq!(env.ok(&["capital", "--json"]).json()["subscribed_cents"], 5_000);
    // The events stay in the log, marked, and the chain verifies.
    let log = env.ok(&["log"]).stdout;
    assert!(log.contains("[VOIDED by event") && log.contains("imported twice"), "{log}");
    let json = env.ok(&["log", "--json"]).json();
    let marked: Vec<u64> =
        json.as_array().unwrap().iter().filter(|e| e.get("voided").is_some()).map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(marked, vec![twice - 1, twice]);
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    assert!(env.ok(&["audit", "replay"]).stdout.contains("gives the state kept"));
    // As known before the void, the register had both.
    let known = env.ok(&["--known-at", &twice.to_string(), "register", "--json"]).json();
    assert_eq!(known.as_array().unwrap().len(), 2);
    // As of a date before the void was recorded (today), the voided admission never happened;
    // as known before the void, on that date, it had.
    let past = env.ok(&["--as-of", "2020-12-31", "register", "--json"]).json();
    assert_eq!(past.as_array().unwrap().len(), 1, "{past}");
    assert_eq!(capital_as_of(&env, "2020-12-31")["subscribed_cents"], 5_000);
    let known_past = env.ok(&["--known-at", &twice.to_string(), "--as-of", "2020-12-31", "register", "--json"]).json();
    assert_eq!(known_past.as_array().unwrap().len(), 2);
    // An export imported elsewhere folds to the same state: the void is not folded as a fact in
    // date order.
    let export = env.file("log.jsonl", &env.ok(&["export", "events"]).stdout);
    let other = Env::new();
    other.ok(&["import", "events", export.to_str().unwrap()]);
    assert_eq!(other.ok(&["register", "--json"]).json().as_array().unwrap().len(), 1);
    assert_eq!(other.ok(&["capital", "--json"]).json(), env.ok(&["capital", "--json"]).json());
    assert_eq!(capital_as_of(&other, "2020-12-31")["subscribed_cents"], 5_000);
    assert_eq!(other.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    // The number is not given again.
    let out = env.ok(&["member", "admit", "--name", "Marc", "--category", "beneficiaries", "--date", "2020-02-01"]).stdout;
    assert!(out.contains("as member 3"), "{out}");
    // What a later fact depends on is not voided.
    env.ok(&["shares", "subscribe", "1", "--count", "2", "--date", "2021-01-01"]);
    let r = env.run(&["void", "3", "--reason", "x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("would break a later fact"), "{}", r.stderr);
}

#[test]
fn a_members_personal_data_is_corrected_and_the_log_keeps_the_digests() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Camile Martin", "--category", "employees", "--email", "c@example.org", "--date", "2020-01-10"]);
    assert_eq!(env.run(&["member", "edit", "1"]).code, 2, "nothing to correct");
    assert_eq!(env.run(&["member", "edit", "1", "--email", "not-an-address"]).code, 2);
    env.ok(&["member", "edit", "1", "--name", "Camille Martin", "--address", "3 rue des Lilas, 39000 Lons"]);
    let show = env.ok(&["member", "show", "1", "--json"]).json();
    assert_eq!(show["member"]["name"], "Camille Martin");
    assert_eq!(show["email"], "c@example.org", "the e-mail is kept");
    assert_eq!(show["address"], "3 rue des Lilas, 39000 Lons");
    env.ok(&["member", "edit", "1", "--email", ""]);
    assert_eq!(env.ok(&["member", "show", "1", "--json"]).json()["email"], serde_json::Value::Null);
    let log = env.ok(&["member", "show", "1", "--history"]).stdout;
    assert_eq!(log.matches("personal data of member 1 corrected").count(), 2, "{log}");
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    assert!(env.ok(&["audit", "replay"]).stdout.contains("gives the state kept"));
}

#[test]
fn a_backup_restores_names_minutes_and_head_and_an_export_warns_that_it_does_not() {
    let env = Env::new();
    env.ok(&["demo"]);
    let backup = env.dir.path().join("scic.coop");
    env.ok(&["backup", backup.to_str().unwrap()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600, "personal data: owner only");
    }
    let copy = env.dir.path().join("restored.db");
    let on = |store: &std::path::Path, args: &[&str]| env.run_on(store, args);
    let r = on(&copy, &["restore", backup.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for query in
        [vec!["register", "--json"], vec!["assembly", "minutes", "ago-2026"], vec!["audit", "verify", "--json"], vec!["capital", "--json"]]
    {
        let here = env.ok(&query).stdout;
        let r = on(&copy, &query);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let there = r.stdout;
        if query[0] == "audit" {
            let (a, b): (serde_json::Value, serde_json::Value) =
                (serde_json::from_str(&here).unwrap(), serde_json::from_str(&there).unwrap());
            assert_eq!(a["head_hash"], b["head_hash"]);
        } else {
            assert_eq!(here, there, "{query:?} differs after restore");
        }
    }
    assert!(!on(&copy, &["register"]).stdout.contains("(erased)"));
    // Restoring into a store that holds a cooperative: refused.
    assert_eq!(on(&copy, &["restore", backup.to_str().unwrap()]).code, 2);
    // An altered name in the backup is caught against the digest the log keeps.
    let text = std::fs::read_to_string(&backup).unwrap();
    let line = text.lines().nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let name = v["name"].as_str().unwrap().to_string();
    let altered = text.replacen(&format!("\"name\":\"{name}\""), "\"name\":\"Mallory\"", 1);
    let bad = env.file("altered.coop", &altered);
    let r = on(&env.dir.path().join("other.db"), &["restore", bad.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("does not match the digest"), "{}", r.stderr);
    // A plain export loses the names, and says so.
    let export = env.ok(&["export", "events"]).stdout;
    let file = env.file("log.jsonl", &export);
    let r = on(&env.dir.path().join("plain.db"), &["import", "events", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("coop backup"), "{}", r.stderr);
}

#[test]
fn a_register_imported_twice_is_noticed_and_rows_are_admitted_in_date_order() {
    let env = Env::new();
    env.init();
    let csv = env.file(
        "register.csv",
        "name,category,shares,admitted,email\nB,beneficiaries,1,2019-05-01,b@example.org\nA,employees,1,2017-01-10,a@example.org\n",
    );
    env.ok(&["import", "members", csv.to_str().unwrap()]);
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[0]["name"], "A", "number 1 is the first admitted: {reg}");
    let before = env.events();
    let r = env.run(&["import", "members", csv.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("already member 2") && r.stderr.contains("--allow-duplicates"), "{}", r.stderr);
    assert_eq!(env.events(), before);
    env.ok(&["import", "members", csv.to_str().unwrap(), "--allow-duplicates"]);
    assert_eq!(env.ok(&["register", "--json"]).json().as_array().unwrap().len(), 4);
}

#[test]
fn a_movement_register_migrates_in_any_row_order_all_or_nothing() {
    let env = Env::new();
    env.init();
    let header = "date,movement,member,name,category,kind,count,class,amount_euros,to,cause,email\n";
    // Rows out of order: the payment and the transfer come before the admissions they need.
    let good = format!(
        "{header}2019-05-01,pay,1,,,,,,75,,,\n2018-01-10,subscribe,1,,,,2,,25,,,\n2016-07-01,admit,1,Camille Martin,employees,,1,,,,,camille@example.org\n2017-03-15,admit,2,Domaine des Coteaux,businesses,organisation,4,,,,,\n2020-01-01,transfer,1,,,,1,,,2,,\n2021-06-30,withdraw,1,,,,,,,,,\n"
    );
    // Bad versions first: an admission numbered out of order; a public body holding more than
    // half the capital at its date. Nothing is written; the bad row is named.
    let bad = good.replace("2017-03-15,admit,2,", "2017-03-15,admit,7,");
    let before = env.events();
    let r = env.run(&["import", "movements", env.file("bad.csv", &bad).to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("line 5") && r.stderr.contains("next number is 2"), "{}", r.stderr);
    let public = format!("{good}2017-04-01,admit,3,Commune de Montval,public,public-body,10,,,,,\n");
    let r = env.run(&["import", "movements", env.file("public.csv", &public).to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("line 8") && r.stderr.contains("public bodies would hold"), "{}", r.stderr);
    assert_eq!(env.events(), before, "nothing written");
    let out = env.ok(&["import", "movements", env.file("good.csv", &good).to_str().unwrap()]).stdout;
    assert!(out.contains("imported 6 movements"), "{out}");
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[0]["name"], "Camille Martin");
    assert_eq!(reg[0]["shares"], 2, "1 + 2 subscribed - 1 given: {reg}");
    assert_eq!(reg[1]["shares"], 5, "{reg}");
    assert_eq!(reg[0]["status"], "ended", "{reg}");
    assert_eq!(env.ok(&["--as-of", "2018-12-31", "capital", "--json"]).json()["paid_cents"], 5_000 + 2_500 + 20_000);
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    // An optional `address` column brings a member's postal address with its admission.
    let with_address = "date,movement,member,name,category,email,address\n2022-01-10,admit,3,Jo,employees,,\"1 rue Haute, Dole\"\n";
    env.ok(&["import", "movements", env.file("address.csv", with_address).to_str().unwrap()]);
    assert_eq!(env.ok(&["member", "show", "3", "--json"]).json()["address"], "1 rue Haute, Dole");
}

#[test]
fn founders_of_one_day_are_judged_together_whatever_the_row_order() {
    let env = Env::new();
    env.init();
    // The public body's row comes first: alone on that day it would hold all the capital.
    let header = "date,movement,member,name,category,kind,count,class,amount_euros,to,cause,email\n";
    let rows = "2016-07-01,admit,1,Commune de Montval,public,public-body,10,,,,,\n2016-07-01,admit,2,A,employees,,6,,,,,\n2016-07-01,admit,3,B,beneficiaries,,6,,,,,\n";
    // Over half at the end of the day: refused, naming the public body's line.
    let over = format!("{header}{}", rows.replace("beneficiaries,,6", "beneficiaries,,1"));
    let r = env.run(&["import", "movements", env.file("over.csv", &over).to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("line 2") && r.stderr.contains("public bodies would hold"), "{}", r.stderr);
    env.ok(&["import", "movements", env.file("ok.csv", &format!("{header}{rows}")).to_str().unwrap()]);
    let reg = env.ok(&["register", "--json"]).json();
    let names: Vec<(u64, &str)> =
        reg.as_array().unwrap().iter().map(|r| (r["number"].as_u64().unwrap(), r["name"].as_str().unwrap())).collect();
    assert_eq!(names, vec![(1, "Commune de Montval"), (2, "A"), (3, "B")], "numbers follow the rows");
    let cap = env.ok(&["capital", "--json"]).json();
    assert_eq!(cap["public_bodies_share"].as_f64().map(|x| (x * 1000.0).round()), Some(455.0), "{cap}");
    // The same through a members spreadsheet.
    let env = Env::new();
    env.init();
    let csv = "name,category,shares,admitted,kind\nCommune,public,10,2016-07-01,public-body\nA,employees,6,2016-07-01,person\nB,beneficiaries,6,2016-07-01,person\n";
    env.ok(&["import", "members", env.file("m.csv", csv).to_str().unwrap()]);
    assert_eq!(env.ok(&["register", "--json"]).json()[0]["name"], "Commune");
}

#[test]
fn late_share_movements_are_placed_from_the_index_and_the_kept_state_stays_the_fold_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::location(dir.path(), "s");
    let store = Store::open(&path).unwrap();
    let statutes = coop::Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    store
        .execute(coop::Request::new(Command::Found { statutes: Box::new(statutes.clone()), founder: None }).dated(statutes.founded))
        .unwrap();
    let date = |s: &str| coop::parse_date(s).unwrap();
    let n = |k: u32| coop::MemberRef::Number(coop::MemberNo(k));
    let run = |c: Command, on: &str| store.execute(coop::Request::new(c).dated(date(on)));
    let admit = |shares: u64| Command::Admit {
        personal: coop::Personal { name: format!("M{shares}"), email: None, address: None },
        kind: coop::PartyKind::Person,
        category: "employees".into(),
        shares: Some(shares),
        class: None,
        paid: None,
    };
    for (k, on) in ["2019-01-10", "2019-02-10", "2019-03-10"].iter().enumerate() {
        run(admit(20 + k as u64), on).unwrap();
    }
    run(Command::Subscribe { member: n(1), count: 4, class: None, paid: Some(coop::Cents(5_000)) }, "2021-01-10").unwrap();
    run(Command::Redeem { member: n(2), count: 10, class: None }, "2023-01-10").unwrap();
    assert_eq!(store.index_steps(), None, "no index before a late movement");
    let check = |what: &str| {
        let replay = store.replay_check().unwrap();
        assert!(replay.matches, "{what}: the state kept is the fold of the log ({:?})", replay.differing_members);
        // The state in memory, which the index's build replaced with its own fold, too.
        let fold = store.state_known_at(store.head().seq, None).unwrap();
        assert!(store.state().unwrap() == fold, "{what}: the state in memory is the fold of the log");
    };
    // A late payment: placed from the index, which is built then (5 movements, and this one).
    run(Command::Pay { member: n(1), amount: coop::Cents(2_500) }, "2022-01-10").unwrap();
    assert_eq!(store.index_steps(), Some(6));
    check("late payment");
    // A command of today: the index follows it.
    run(Command::Subscribe { member: n(3), count: 2, class: None, paid: None }, "2024-01-10").unwrap();
    assert_eq!(store.index_steps(), Some(7));
    // A late transfer and a late redemption, then one that breaks member 2's 2023 redemption.
    run(Command::Transfer { from: n(3), to: n(2), count: 3, class: None }, "2020-06-01").unwrap();
    run(Command::Redeem { member: n(3), count: 5, class: None }, "2020-07-01").unwrap();
    assert_eq!(store.index_steps(), Some(9));
    check("late transfer and redemption");
    let head = store.head();
    let late = coop::Request::new(Command::Redeem { member: n(2), count: 14, class: None }).dated(date("2022-06-01"));
    let checked = store.check(&late).unwrap_err();
    let r = run(Command::Redeem { member: n(2), count: 14, class: None }, "2022-06-01").unwrap_err();
    assert!(r.to_string().contains("would break a later fact") && r.to_string().contains("2023-01-10"), "{r}");
    assert_eq!(checked.to_string(), r.to_string(), "a dry run answers as the command");
    let ok = coop::Request::new(Command::Pay { member: n(1), amount: coop::Cents(100) }).dated(date("2021-03-01"));
    assert!(matches!(store.check(&ok).unwrap().as_slice(), [coop::Event::SharesPaid { .. }]));
    assert_eq!(store.head(), head, "nothing written");
    assert_eq!(store.index_steps(), Some(9), "a refusal leaves the index as it was");
    // A late admission is placed on the whole timeline: the index is built anew when needed.
    run(admit(10), "2020-02-01").unwrap();
    assert_eq!(store.index_steps(), None);
    run(Command::Pay { member: n(1), amount: coop::Cents(2_500) }, "2021-02-01").unwrap();
    assert_eq!(store.index_steps(), Some(11));
    check("late admission, then a late payment");
    // A void (placed on the whole timeline), then a late subscription: the index is built again from
    // the facts that count, read in the timeline's order without the voided subscription.
    let voided = store.events(1, 1_000).unwrap().into_iter().find(|e| e.effective == date("2024-01-10")).unwrap().seq;
    run(Command::Void { seq: voided, reason: "entered twice".into() }, "2024-02-01").unwrap();
    assert_eq!(store.index_steps(), None);
    run(Command::Subscribe { member: n(1), count: 1, class: None, paid: None }, "2020-08-01").unwrap();
    assert!(store.index_steps().is_some());
    check("a void, then a late subscription");
    let kept = store.state().unwrap();
    drop(store);
    let reopened = Store::open_with(&path, Options::default()).unwrap();
    assert_eq!(reopened.state().unwrap(), kept, "the pieces written are the state in memory");
    assert!(reopened.verify().unwrap().ok);
}

/// The state a store had loaded is let go while the timeline's index is built for a late share
/// movement, and replaced by the build's fold: when the build fails (a record of the log
/// damaged), the movement fails and the state is read again as it was, never left empty.
#[test]
fn a_late_movement_whose_index_cannot_be_built_fails_and_leaves_the_state_as_it_was() {
    if crate::on_postgres("the damage is made in sled's log tree") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let date = |s: &str| coop::parse_date(s).unwrap();
    let n = crate::lib::m;
    let admitted = {
        let store = Store::open(&path).unwrap();
        crate::lib::found(&store);
        for (name, on) in [("A", "2019-01-10"), ("B", "2019-02-10")] {
            let admit = crate::lib::admit(name, coop::PartyKind::Person, "employees", 20);
            store.execute(coop::Request::new(admit).dated(date(on))).unwrap();
        }
        store
            .execute(coop::Request::new(Command::Subscribe { member: n(1), count: 4, class: None, paid: None }).dated(date("2021-01-10")))
            .unwrap();
        store.events(1, 100).unwrap().into_iter().find(|e| e.effective == date("2019-01-10")).unwrap().seq
    };
    {
        let db = crate::open_sled(&path);
        let log = db.open_tree("log").unwrap();
        crate::edit_record_in_place(&path, &log, admitted, |r| {
            r.replacen("\"effective\":\"2019-01-10\"", "\"effective\":\"2019-01-11\"", 1)
        });
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let before = store.state().unwrap();
    assert_eq!(before.members.len(), 2);
    let late = || coop::Request::new(Command::Pay { member: n(1), amount: coop::Cents(2_500) }).dated(date("2020-01-10"));
    let checked = store.check(&late()).unwrap_err();
    let at = format!("event {admitted}");
    assert!(checked.to_string().contains(&at), "{checked}");
    assert!(store.state().unwrap() == before, "a dry run that failed keeps the state");
    let r = store.execute(late()).unwrap_err();
    assert!(r.to_string().contains(&at), "{r}");
    assert!(store.state().unwrap() == before, "a command that failed keeps the state");
    assert_eq!(store.index_steps(), None, "no index was kept");
}

/// A store that an earlier coop imported from an export holding a void kept the log marked as in
/// date order and folded the voided facts in: opened now, its state is built again in timeline
/// order, without them.
#[test]
fn a_store_marked_in_date_order_despite_a_void_is_folded_again_without_the_voided_facts() {
    if crate::on_postgres("the marker is set in sled's meta tree") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let admit = |name: &str| crate::lib::admit(name, coop::PartyKind::Person, "employees", 2);
    let d = |s: &str| coop::parse_date(s).unwrap();
    let (state, head) = {
        let store = Store::open_with(&path, Options { fsync: false, ..Options::default() }).unwrap();
        crate::lib::found(&store);
        store.execute(coop::Request::new(admit("A")).dated(d("2020-01-01"))).unwrap();
        let second = store.execute(coop::Request::new(admit("B")).dated(d("2020-02-01"))).unwrap();
        let (first, _) = second.seqs().unwrap();
        store.execute(coop::Request::new(Command::Void { seq: first, reason: "keyed twice".into() }).dated(d("2020-03-01"))).unwrap();
        (store.state().unwrap(), store.head())
    };
    assert_eq!(state.members.len(), 1);
    {
        // Imported into another store, in the same process: the void is folded in timeline
        // order there too.
        let mut export = Vec::new();
        Store::open(&path).unwrap().export_events(&mut export).unwrap();
        let other = Store::open_with(dir.path().join("other"), Options::temporary()).unwrap();
        other.import_events(&export[..]).unwrap();
        assert_eq!(other.state().unwrap().members.len(), 1);
        assert_eq!(other.state_as_of(d("2020-12-31")).unwrap().members.len(), 1);
    }
    {
        // What the earlier import left: the marker, and pieces folded with the voided facts.
        let db = crate::open_sled(&path);
        db.open_tree("meta").unwrap().insert("ordered", "1").unwrap();
        for tree in ["state-totals", "state-members"] {
            db.open_tree(tree).unwrap().clear().unwrap();
        }
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head(), head);
    assert_eq!(store.state().unwrap(), state);
    assert_eq!(store.state_as_of(d("2020-12-31")).unwrap().members.len(), 1);
    assert!(store.verify().unwrap().ok);
}
