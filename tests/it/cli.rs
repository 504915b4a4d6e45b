//! The real `coop` binary on temporary stores.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().unwrap() }
    }
    pub fn store(&self) -> PathBuf {
        crate::location(self.dir.path(), "coop.db")
    }
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_on(&self.store(), args)
    }
    pub fn run_on(&self, store: &Path, args: &[&str]) -> Run {
        self.run_with(store, &[], args)
    }
    /// Runs the binary with these environment variables set.
    pub fn run_with(&self, store: &Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_coop"))
            .arg("--store")
            .arg(store)
            .args(args)
            .env("COOP_TODAY", "2026-11-28")
            .env_remove("COOP_ACTOR")
            .env_remove("COOP_STORE")
            .env_remove("COOP_KEY")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "coop {args:?} failed: {}{}", r.stdout, r.stderr);
        r
    }
    pub fn init(&self) {
        let statutes = self.file("statutes.toml", coop::SAMPLE_STATUTES);
        self.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    }
    pub fn events(&self) -> u64 {
        self.ok(&["audit", "verify", "--json"]).json()["events"].as_u64().unwrap()
    }
}

#[test]
fn the_demo_prints_its_register_and_answers_every_query() {
    let env = Env::new();
    let demo = env.ok(&["demo"]);
    assert!(demo.stdout.contains("created the sample cooperative") && demo.stdout.contains("capital:"), "{}", demo.stdout);
    let again = env.ok(&["demo"]);
    assert!(again.stdout.contains("already holds the sample cooperative"));
    let reg = env.ok(&["register", "--json"]).json();
    let rows = reg.as_array().unwrap();
    assert_eq!(rows.len(), 70);
    for key in
        ["number", "id", "name", "kind", "category", "college", "shares", "subscribed_cents", "paid_cents", "admitted", "ended", "status"]
    {
        assert!(rows[0].get(key).is_some(), "register lacks {key}");
    }
    let cap = env.ok(&["capital", "--json"]).json();
    for key in ["subscribed_cents", "paid_cents", "highest_cents", "floor_cents", "public_bodies_share"] {
        assert!(cap.get(key).is_some(), "capital lacks {key}");
    }
    let sum: i64 = rows.iter().map(|r| r["subscribed_cents"].as_i64().unwrap()).sum();
    assert_eq!(cap["subscribed_cents"].as_i64().unwrap(), sum);
    let past = env.ok(&["--as-of", "2018-12-31", "register", "--json"]).json();
    assert!(past.as_array().unwrap().len() < 30);
    let v = env.ok(&["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true);
    assert!(v["head_hash"].as_str().unwrap().len() == 64 && v["first_bad_seq"].is_null());
    env.ok(&["audit", "replay"]);
    let check = env.run(&["check", "--json"]);
    assert_eq!(check.code, 1, "the demo has a flagged member: {}", check.stdout);
    assert_eq!(check.json()["findings"][0]["code"], "quality_lost");
    for fmt in ["csv", "md", "table"] {
        let out = env.ok(&["register", "--format", fmt]).stdout;
        assert_eq!(out.lines().count(), 70 + if fmt == "md" { 2 } else { 1 }, "{fmt}");
    }
}

#[test]
fn statutes_check_lists_every_problem_with_lines() {
    let env = Env::new();
    let bad = coop::SAMPLE_STATUTES
        .replace("weight_percent = 40", "weight_percent = 55")
        .replace("floor_fraction = \"1/4\"", "floor_fraction = \"1/8\"\nfloor_fractoin = \"1/2\"");
    let f = env.file("bad.toml", &bad);
    let r = env.run(&["statutes", "check", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("weighs 55 %") && r.stderr.contains("sum to 115 %") && r.stderr.contains("below 1/4"), "{}", r.stderr);
    assert!(r.stderr.contains("line 7: unknown key 'floor_fractoin'"), "{}", r.stderr);
    let good = env.file("good.toml", coop::SAMPLE_STATUTES);
    env.ok(&["statutes", "check", good.to_str().unwrap()]);
    // An SA whose assemblies need no notice, no quorum, and a tenth of the votes to dissolve it:
    // every legal floor it breaks is named with its line.
    let lax = coop::SAMPLE_STATUTES
        .replace("legal_form = \"sas\"", "legal_form = \"sa\"")
        .replace("minimum_euros = 0", "minimum_euros = 18500")
        .replace("notice_days = 15", "notice_days = 0")
        .replace("quorum_extraordinary = [\"1/4\", \"1/5\"]", "quorum_extraordinary = [\"0\", \"0\"]")
        .replace("majority_extraordinary = \">= 2/3\"", "majority_extraordinary = \"> 1/10\"");
    let r = env.run(&["statutes", "check", env.file("lax.toml", &lax).to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for needle in ["line 61: notice_days is 0", "quorum_extraordinary is 0 / 0", "majority_extraordinary is > 1/10"] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
    let not_toml = env.file("x.toml", "name = \n");
    assert_eq!(env.run(&["statutes", "check", not_toml.to_str().unwrap()]).code, 2);
    // Invalid statutes create no store.
    let r = env.run(&["init", "--statutes", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(!env.store().exists());
}

#[test]
fn a_secretary_keeps_the_register_and_bad_input_writes_nothing() {
    let env = Env::new();
    env.init();
    env.ok(&["statutes", "show"]);
    let r = env.ok(&[
        "member",
        "admit",
        "--name",
        "Camille Martin",
        "--category",
        "employees",
        "--shares",
        "10",
        "--date",
        "2020-01-10",
        "--json",
    ]);
    assert_eq!(r.json()["events"][0]["event"]["number"], 1);
    let r = env.ok(&[
        "member",
        "admit",
        "--name",
        "Commune de Montval",
        "--kind",
        "public-body",
        "--category",
        "public",
        "--date",
        "2020-01-10",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("member 2"), "{}", r.stdout);
    let before = env.events();

    // Malformed input: exit 2, one sentence, nothing written.
    for args in [
        vec!["member", "admit", "--name", "X", "--category", "employees", "--date", "2020-13-01"],
        vec!["member", "admit", "--name", "X", "--category", "nowhere"],
        vec!["shares", "pay", "1", "--amount", "12,345"],
        vec!["shares", "pay", "99", "--amount", "10"],
        vec!["shares", "subscribe", "1", "--count", "2", "--class", "Z"],
        vec!["shares", "subscribe", "1", "--count", "0"],
        vec!["member", "show", "abc"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.trim().is_empty());
    }
    // Governance rules: exit 1, nothing written.
    let r = env.run(&["member", "admit", "--name", "Commune 2", "--kind", "public-body", "--category", "public", "--date", "2020-02-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("public bodies would hold"), "{}", r.stderr);
    let r = env.run(&["shares", "redeem", "1", "--count", "10", "--date", "2020-02-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("category 'employees' requires"), "{}", r.stderr);
    assert_eq!(env.events(), before);

    // The life of a member.
    env.ok(&["shares", "subscribe", "1", "--count", "4", "--paid", "50", "--date", "2021-01-01"]);
    env.ok(&["shares", "pay", "1", "--amount", "150", "--date", "2021-06-01"]);
    env.ok(&["member", "admit", "--name", "Léa Roux", "--category", "beneficiaries", "--shares", "40", "--date", "2021-06-01"]);
    env.ok(&["shares", "transfer", "1", "3", "--count", "2", "--date", "2021-07-01"]);
    env.ok(&["member", "move", "3", "--category", "volunteers", "--date", "2021-08-01"]);
    env.ok(&["member", "withdraw", "3", "--date", "2022-01-01"]);
    // Capital peaked at 3,200 €; Léa's 42 shares leave 1,100 €, above the 800 € floor.
    env.ok(&["shares", "redeem", "3", "--count", "42", "--date", "2022-02-01"]);
    env.ok(&["member", "withdraw", "1", "--date", "2022-03-01"]);
    let r = env.run(&["shares", "redeem", "1", "--count", "12", "--date", "2022-04-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("below the floor of 800 €"), "{}", r.stderr);
    let list = env.ok(&["member", "list", "--json"]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let all = env.ok(&["member", "list", "--all", "--json"]).json();
    assert_eq!(all[0]["status"], "ended");
    let show = env.ok(&["member", "show", "1", "--history"]);
    assert!(show.stdout.contains("membership of member 1 ended (withdrawal)"), "{}", show.stdout);
    let log = env.ok(&["log", "--json"]).json();
    assert_eq!(log.as_array().unwrap().len() as u64, env.events());
    // The actor is recorded by party id (the founder's), and shown by name.
    let founder = log[0]["actor"].as_str().unwrap();
    assert_eq!(founder.len(), 26, "a party id: {founder}");
    assert_eq!(log[1]["actor"], founder);
    let export = env.ok(&["export", "events"]).stdout;
    assert!(!export.contains("\"actor\":\"secretary\"") && !export.contains("\"person\":\"secretary\""), "no name of a person in the log");
    assert!(env.ok(&["log"]).stdout.contains("secretary"));
}

#[test]
fn the_same_command_id_records_once() {
    let env = Env::new();
    env.init();
    let args = ["member", "admit", "--name", "A", "--category", "employees", "--command-id", "row-17", "--date", "2020-01-01"];
    env.ok(&args);
    let again = env.ok(&args);
    assert!(again.stdout.contains("already recorded"), "{}", again.stdout);
    assert_eq!(env.events(), 4, "founding (2 events) and one admission (2)");
}

#[test]
fn an_exported_log_reimports_and_one_edited_line_is_refused() {
    let env = Env::new();
    env.ok(&["demo"]);
    let export = env.ok(&["export", "events"]).stdout;
    let good = env.file("log.jsonl", &export);
    let copy = env.dir.path().join("copy.db");
    let r = env.run_on(&copy, &["import", "events", good.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = env.ok(&["capital", "--json"]).stdout;
    let b = env.run_on(&copy, &["capital", "--json"]).stdout;
    assert_eq!(a, b);

    // Change one character in one line: refused, exit 3, naming the line, nothing written.
    let mut lines: Vec<String> = export.lines().map(String::from).collect();
    let at = lines.iter().position(|l| l.contains("\"count\":")).unwrap();
    lines[at] = lines[at].replacen("\"count\":", "\"count\":1", 1);
    let edited = env.file("edited.jsonl", &(lines.join("\n") + "\n"));
    let target = env.dir.path().join("edited.db");
    let r = env.run_on(&target, &["import", "events", edited.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("line {}", at + 1)) && r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!target.exists());

    // A truncated export is noticed thanks to its header.
    let truncated = env.file("short.jsonl", &(export.lines().take(40).collect::<Vec<_>>().join("\n") + "\n"));
    let r = env.run_on(&target, &["import", "events", truncated.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    // Not JSON Lines at all: bad input.
    let junk = env.file("junk.jsonl", "hello\n");
    assert_eq!(env.run_on(&target, &["import", "events", junk.to_str().unwrap()]).code, 2);
}

/// A register saved by a French Excel: semicolons, Windows-1252, `DD/MM/YYYY`, French column
/// names, decimal commas. It imports as it is, saying on stderr how it was read.
#[test]
fn a_french_excel_register_imports_as_saved() {
    let env = Env::new();
    env.init();
    let mut bytes: Vec<u8> = Vec::new();
    // "Jérôme Faivre" and "Hélène Côte" in Windows-1252 (é = E9, ô = F4, è = E8), a semicolon separator.
    bytes.extend_from_slice(b"Nom;Cat\xe9gorie;Parts;Admission;Type;Vers\xe9 euros;Courriel\r\n");
    bytes.extend_from_slice(b"J\xe9r\xf4me Faivre;employees;1;01/10/2016;person;25,50;jerome@example.org\r\n");
    bytes.extend_from_slice(b"H\xe9l\xe8ne C\xf4te;beneficiaries;2;15/03/2017;;;\r\n");
    let file = env.dir.path().join("registre.csv");
    std::fs::write(&file, &bytes).unwrap();
    let r = env.ok(&["import", "members", file.to_str().unwrap()]);
    assert!(r.stdout.contains("imported 2 members (numbers 1-2)"), "{}", r.stdout);
    assert!(r.stderr.contains("is not UTF-8: read as Windows-1252"), "said on stderr: {}", r.stderr);
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[0]["name"], "Jérôme Faivre");
    assert_eq!(reg[0]["admitted"], "2016-10-01");
    assert_eq!(reg[0]["paid_cents"], 2550);
    assert_eq!(reg[1]["name"], "Hélène Côte");
    assert_eq!(reg[1]["admitted"], "2017-03-15");
    // The same file in UTF-8 with a byte-order mark and tabs reads the same, silently.
    let utf8 = env.file("tabs.csv", "\u{feff}nom\tcatégorie\tparts\tadmission\nAnne Roy\temployees\t1\t02/01/2018\n");
    let r = env.ok(&["import", "members", utf8.to_str().unwrap()]);
    assert!(!r.stderr.contains("Windows-1252"), "{}", r.stderr);
    assert_eq!(env.ok(&["register", "--json"]).json()[2]["admitted"], "2018-01-02");
    // Back out for the same spreadsheet: semicolons, decimal commas, a byte-order mark.
    for args in [&["register", "--format", "csv", "--excel"][..], &["export", "register", "--excel"]] {
        let out = env.ok(args).stdout;
        assert!(out.starts_with("\u{feff}number;name;kind;category;"), "{args:?}: {out}");
        assert!(out.contains("1;Jérôme Faivre;person;employees;"), "{out}");
        assert!(out.contains(";25,50;"), "a decimal comma: {out}");
    }
    let plain = env.ok(&["register", "--format", "csv"]).stdout;
    assert!(plain.starts_with("number,name,") && plain.contains(",25.50,"), "{plain}");
}

#[test]
fn a_spreadsheet_register_imports_whole_or_not_at_all() {
    let env = Env::new();
    env.init();
    let good = env.file(
        "members.csv",
        "name,category,shares,admitted,kind,email,paid_euros,address\n\
         Camille Martin,employees,1,2016-07-01,person,camille@example.org,,\n\
         Domaine des Coteaux,businesses,4,2017-03-15,organisation,,50,\n\
         \"Dupont, Marie\",beneficiaries,2,2018-01-01,,,,\"2 place du Marché, 39000 Lons\"\n",
    );
    let r = env.ok(&["import", "members", good.to_str().unwrap()]);
    assert!(r.stdout.contains("imported 3 members (numbers 1-3)"), "{}", r.stdout);
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[2]["name"], "Dupont, Marie");
    // A member without e-mail brings its postal address, for convocations by post.
    assert_eq!(env.ok(&["member", "show", "3", "--json"]).json()["address"], "2 place du Marché, 39000 Lons");
    assert_eq!(reg[1]["paid_cents"], 5000);
    let before = env.events();

    let bad = env.file(
        "bad.csv",
        "name,category,shares,admitted\n\
         A,employees,1,2020-01-01\n\
         B,employees,x,2020-01-01\n\
         C,employees,1,31/02/2020\n\
         D,employees,1,2020-01-01\n",
    );
    let r = env.run(&["import", "members", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("line 3: shares 'x'") && r.stderr.contains("line 4: admitted"), "{}", r.stderr);
    let unknown_col = env.file("col.csv", "name,category,shares,admitted,emial\nA,employees,1,2020-01-01,a@b.c\n");
    let r = env.run(&["import", "members", unknown_col.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown column 'emial'"), "{}", r.stderr);
    let refused = env
        .file("rule.csv", "name,category,shares,admitted\nA,employees,1,2020-01-01\nB,businesses,2,2020-01-01\nC,nowhere,1,2020-01-01\n");
    let r = env.run(&["import", "members", refused.to_str().unwrap()]);
    assert_eq!(r.code, 2, "an unknown category is bad input");
    assert!(
        r.stderr.contains("line 3: category 'businesses' requires at least 4") && r.stderr.contains("line 4: category 'nowhere'"),
        "{}",
        r.stderr
    );
    assert_eq!(env.events(), before);
}

#[test]
fn queries_on_a_missing_store_fail_cleanly_and_create_nothing() {
    let env = Env::new();
    let r = env.run(&["register"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no store at"), "{}", r.stderr);
    assert!(!coop::Store::exists(env.store()).unwrap());
    assert!(!env.store().exists());
    let r = env.run(&["frobnicate"]);
    assert_eq!(r.code, 2);
    assert_eq!(env.run(&["--help"]).code, 0);
}

#[test]
fn a_tampered_store_fails_verify_with_exit_3_and_the_first_bad_event() {
    if crate::on_postgres("a_tampered_store_fails_verify_with_exit_3_and_the_first_bad_event") {
        return;
    }
    let env = Env::new();
    env.ok(&["demo"]);
    {
        let db = sled::open(env.store()).unwrap();
        let log = db.open_tree("log").unwrap();
        // The demo's log is stored in packs of many records: the edit is made inside one.
        assert!(log.len() * 10 < crate::log_records(&env.store(), &log).len(), "the log is packed");
        crate::edit_record_in_place(&env.store(), &log, 42, |r| {
            r.replacen("\"count\":", "\"count\":9", 1).replacen("\"category\":\"", "\"category\":\"x", 1)
        });
        db.flush().unwrap();
    }
    let r = env.run(&["audit", "verify", "--json"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["first_bad_seq"], 42);
    assert_eq!(j["events"], 41);
    // Queries read the state kept beside the log, not the log: a change in the middle of the
    // log does not alter what they answer (only `audit verify` reads every event).
    let r = env.run(&["register", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("\"x"), "the kept state is not the tampered event's: {}", r.stdout);
    // The newest event is checked on every open: changed, the store answers nothing.
    {
        let db = sled::open(env.store()).unwrap();
        let log = db.open_tree("log").unwrap();
        let mut records = crate::log_records(&env.store(), &log);
        let (k, v) = records.pop_last().unwrap();
        let t = String::from_utf8(v.clone()).unwrap().replacen("\"effective\":\"2", "\"effective\":\"1", 1);
        assert_ne!(t.as_bytes(), v.as_slice());
        records.insert(k, t.into_bytes());
        crate::put_log_records(&log, &records);
        db.flush().unwrap();
    }
    let r = env.run(&["register"]);
    assert_eq!(r.code, 3, "a store whose newest event is damaged answers no query: {}", r.stdout);
    assert!(r.stderr.contains("integrity"), "{}", r.stderr);
    let r = env.run(&["member", "admit", "--name", "X", "--category", "employees"]);
    assert_eq!(r.code, 3);
}

#[test]
fn a_former_members_personal_data_is_erased_after_retention_and_the_chain_still_verifies() {
    let env = Env::new();
    env.init();
    env.ok(&[
        "member",
        "admit",
        "--name",
        "Camille Martin",
        "--email",
        "camille@example.org",
        "--category",
        "employees",
        "--date",
        "2016-07-01",
    ]);
    env.ok(&["member", "admit", "--name", "Léa Roux", "--category", "beneficiaries", "--shares", "3", "--date", "2016-07-01"]);
    let r = env.run(&["member", "forget", "2"]);
    assert_eq!(r.code, 1, "a current member: {}", r.stderr);
    env.ok(&["member", "withdraw", "2", "--date", "2016-08-01"]);
    let r = env.run(&["member", "forget", "2", "--date", "2026-07-31"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("kept 3652 days, until 2026-08-01"), "{}", r.stderr);
    let capital_before = env.ok(&["capital", "--json"]).stdout;
    env.ok(&["member", "forget", "2", "--date", "2026-08-01"]);
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[1]["name"], serde_json::Value::Null);
    assert_eq!(reg[1]["erased"], true);
    assert_eq!(reg[1]["shares"], 3, "the shares still wait to be redeemed");
    assert!(env.ok(&["register"]).stdout.contains("(erased)"));
    assert_eq!(env.ok(&["capital", "--json"]).stdout, capital_before);
    let v = env.ok(&["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true);
    env.ok(&["audit", "replay"]);
    let export = env.ok(&["export", "events"]).stdout;
    assert!(!export.contains("Léa Roux") && !export.contains("Camille Martin"), "no personal data in the log");
    // The name is gone from every file of the store, not only from the answers.
    if crate::postgres_url().is_some() {
        assert_eq!(crate::postgres_personal_rows(&env.store(), "Léa Roux"), 0, "a row of the cooperative's personal data still holds it");
    }
    let mut files = if crate::postgres_url().is_some() { vec![] } else { vec![env.store()] };
    let mut found = Vec::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if std::fs::read(&p).unwrap().windows("Léa Roux".len()).any(|w| w == "Léa Roux".as_bytes()) {
            found.push(p);
        }
    }
    assert!(found.is_empty(), "the erased name is still in {found:?}");
    assert!(env.ok(&["register"]).stdout.contains("Camille Martin"), "other members keep theirs");
}

#[test]
fn only_entitled_actors_act_and_the_founder_keeps_the_roster() {
    let env = Env::new();
    let statutes = env.file("statutes.toml", coop::SAMPLE_STATUTES);
    env.ok(&["--actor", "Alice", "init", "--statutes", statutes.to_str().unwrap()]);
    let admit = |actor: &str, name: &str| {
        env.run(&["--actor", actor, "member", "admit", "--name", name, "--category", "employees", "--date", "2020-01-01"])
    };
    let r = admit("Bob", "X");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("'Bob' may not admit members"), "{}", r.stderr);
    let r = env.run(&["member", "admit", "--name", "X", "--category", "employees"]);
    assert_eq!(r.code, 1, "the default actor is not Alice: {}", r.stderr);
    assert_eq!(admit("Alice", "A").code, 0);
    let r = env.run(&["--actor", "Alice", "officer", "remove", "Alice", "--office", "secretary"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("only secretary"), "{}", r.stderr);
    // No board seat and no chair by hand: an assembly elects the board, the board its chair.
    let r = env.run(&["--actor", "Alice", "officer", "appoint", "Bob", "--office", "board", "--member", "1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("elected by a general assembly"), "{}", r.stderr);
    let r = env.run(&["--actor", "Alice", "officer", "appoint", "Bob", "--office", "chair"]);
    assert!(r.code == 1 && r.stderr.contains("the board elects its chair"), "{}", r.stderr);
    env.ok(&["--actor", "Alice", "officer", "appoint", "Bob", "--office", "secretary", "--member", "1"]);
    assert_eq!(admit("Bob", "B").code, 0);
    let roster = env.ok(&["officer", "list", "--json"]).json();
    let officer = |name: &str| roster.as_array().unwrap().iter().find(|o| o["person"] == name).cloned().unwrap();
    assert_eq!(officer("Alice")["offices"], serde_json::json!(["secretary"]));
    assert_eq!(officer("Bob")["member"], 1);
    let log = env.ok(&["log", "--json"]).json();
    let actors: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["actor"].as_str().unwrap()).collect();
    let id = |name: &str| officer(name)["id"].as_str().unwrap().to_string();
    assert!(actors.contains(&id("Bob").as_str()) && actors.contains(&id("Alice").as_str()), "every event records its actor: {actors:?}");
    let text = env.ok(&["log"]).stdout;
    assert!(text.contains("Bob") && text.contains("Alice"), "shown by name: {text}");
}

#[test]
fn queries_reading_only_their_part_of_the_state_answer_as_a_full_fold_of_the_log() {
    // Without --as-of a query reads only the pieces of the state it needs; with --as-of today
    // it folds the whole log. Both must say the same thing.
    let env = Env::new();
    env.ok(&["demo"]);
    let p = env.ok(&["project", "list", "--json"]).json();
    let project = p.as_array().unwrap()[0]["slug"].as_str().unwrap().to_string();
    let shown = env.ok(&["project", "show", &project, "--json"]).json();
    let taking_part = shown["members"][0]["number"].to_string();
    let queries: Vec<Vec<&str>> = vec![
        vec!["member", "show", &taking_part],
        vec!["member", "show", "70"],
        vec!["project", "show", &project],
        vec!["capital"],
        vec!["register"],
        vec!["assembly", "result", "ago-2026"],
        vec!["involvement"],
        vec!["involvement", "--member", "3"],
    ];
    for q in queries {
        let mut partial = q.clone();
        partial.push("--json");
        let mut folded = partial.clone();
        folded.extend(["--as-of", "2026-11-28"]);
        let (a, b) = (env.ok(&partial).json(), env.ok(&folded).json());
        assert_eq!(a, b, "{q:?} differs from the fold of the log");
        assert!(a.to_string().len() > 40, "{q:?} answered almost nothing: {a}");
    }
}

/// Movements saved by a French spreadsheet: semicolons, French columns, `DD/MM/YYYY`, decimal
/// commas.
#[test]
fn french_movements_import_as_saved() {
    let env = Env::new();
    env.init();
    let file = env.file(
        "mouvements.csv",
        "Date;Mouvement;Membre;Nom;Catégorie;Nombre;Montant euros\n\
         01/07/2016;admit;1;Camille Martin;employees;1;\n\
         10/01/2018;subscribe;1;;;2;25,50\n",
    );
    env.ok(&["import", "movements", file.to_str().unwrap()]);
    let reg = env.ok(&["register", "--json"]).json();
    assert_eq!(reg[0]["name"], "Camille Martin");
    assert_eq!(reg[0]["admitted"], "2016-07-01");
    assert_eq!(reg[0]["shares"], 3);
}

/// Counts agree with their nouns, and offices read as English.
#[test]
fn messages_agree_in_number() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Camille Martin", "--category", "employees", "--date", "2020-01-01"]);
    let r = env.ok(&["shares", "subscribe", "1", "--count", "1", "--date", "2021-01-01"]);
    assert!(r.stdout.contains("member 1 subscribed 1 share") && !r.stdout.contains("1 shares"), "{}", r.stdout);
    let r = env.ok(&["shares", "subscribe", "1", "--count", "2", "--date", "2021-01-02"]);
    assert!(r.stdout.contains("subscribed 2 shares"), "{}", r.stdout);
    let bad = env.file("one.csv", "name,category,shares,admitted\nA,employees,x,2020-01-01\n");
    let r = env.run(&["import", "members", bad.to_str().unwrap()]);
    assert!(r.stderr.contains(": 1 problem;"), "{}", r.stderr);
    let r = env.ok(&["officer", "appoint", "Dominique Roy", "--office", "secretary", "--date", "2021-02-01"]);
    assert!(r.stdout.contains("Dominique Roy appointed secretary of the board"), "{}", r.stdout);
    // The log, refusals and reports agree in number and article too.
    let log = env.ok(&["log"]).stdout;
    assert!(log.contains("member 1 subscribed 1 class A share,") && !log.contains("1 class A shares"), "{log}");
    let r = env.run(&["member", "admit", "--name", "Fruitière", "--kind", "organisation", "--category", "volunteers"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("an organisation cannot join it") && !r.stderr.contains("a organisation"), "{}", r.stderr);
    let statutes = env.file("s.toml", coop::SAMPLE_STATUTES);
    let r = env.ok(&["statutes", "check", statutes.to_str().unwrap()]);
    assert!(r.stdout.contains("(5 categories, 3 colleges, 1 share class)"), "{}", r.stdout);
    env.ok(&["project", "create", "p", "--name", "P", "--date", "2024-01-01"]);
    env.ok(&["project", "join", "p", "--partner", "Région", "--role", "funder", "--date", "2024-01-02"]);
    let r = env.ok(&["project", "show", "p"]);
    assert!(r.stdout.contains("1 partner who is not a member\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("1 partners"), "{}", r.stdout);
    let agenda = env.file("a.toml", "[[resolution]]\ntitle = \"Comptes\"\nkind = \"ordinary\"\n");
    let r = env.ok(&[
        "assembly",
        "convene",
        "ago",
        "--kind",
        "ordinary",
        "--date",
        "2026-06-20",
        "--sent",
        "2026-06-01",
        "--place",
        "P",
        "--agenda",
        agenda.to_str().unwrap(),
    ]);
    assert!(r.stdout.contains("with 1 resolution:"), "{}", r.stdout);
    let minutes = env.ok(&["assembly", "minutes", "ago"]).stdout;
    assert!(minutes.contains("fait apparaître 1 membre inscrit sur"), "{minutes}");
}

/// People are found by a part of their name or e-mail, case and accents ignored.
#[test]
fn members_are_found_by_name_or_email_whatever_the_case_and_accents() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Élise Jeantet", "--category", "employees", "--date", "2020-01-01"]);
    env.ok(&[
        "member",
        "admit",
        "--name",
        "Paul Jeantet",
        "--email",
        "pj@ferme.example",
        "--category",
        "employees",
        "--date",
        "2020-01-01",
    ]);
    env.ok(&[
        "member",
        "admit",
        "--name",
        "Chloé Humbert",
        "--email",
        "chloe@jeantet.example",
        "--category",
        "employees",
        "--date",
        "2020-01-01",
    ]);
    let found = |text: &str| -> Vec<u64> {
        env.ok(&["member", "find", text, "--json"]).json().as_array().unwrap().iter().map(|r| r["number"].as_u64().unwrap()).collect()
    };
    assert_eq!(found("elise"), [1]);
    assert_eq!(found("JEANTET"), [1, 2, 3], "two names and an e-mail");
    assert_eq!(found("chloé"), [3]);
    assert_eq!(found("FERME"), [2]);
    let r = env.run(&["member", "find", "nobody"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no member's name or e-mail holds 'nobody'"), "{}", r.stderr);
}

/// With `--json`, an error is a JSON object on stderr: the message, the exit code and the rule.
#[test]
fn json_errors_are_json_on_stderr() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2020-01-01"]);
    let r = env.run(&["--json", "shares", "redeem", "1", "--count", "1", "--date", "2020-02-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let e: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap_or_else(|_| panic!("not JSON: {}", r.stderr));
    assert_eq!(e["exit"], 1);
    assert_eq!(e["rule"], "minimum_shares", "{e}");
    assert!(e["error"].as_str().unwrap().contains("member 1"), "{e}");
    let r = env.run(&["--json", "member", "show", "99"]);
    let e: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap_or_else(|_| panic!("not JSON: {}", r.stderr));
    assert_eq!((e["exit"].as_u64(), r.code), (Some(r.code as u64), r.code));
    assert!(e["error"].is_string());
    // Without --json, the usual line.
    assert!(env.run(&["member", "show", "99"]).stderr.starts_with("coop: "));
}
