//! The secretary's daily work through the real binary: people found by name, votes counted by
//! a show of hands or recorded for all present, convocations re-issued, shell conventions.

use crate::cli::Env;

const A: &str = "ago-2026";

/// Élise Jeantet (1), Paul Jeantet (2), Chloé Humbert (3, e-mail at jeantet.example).
fn three(env: &Env) {
    env.init();
    for (name, email) in
        [("Élise Jeantet", None), ("Paul Jeantet", Some("pj@ferme.example")), ("Chloé Humbert", Some("chloe@jeantet.example"))]
    {
        let mut args = vec!["member", "admit", "--name", name, "--category", "employees", "--date", "2020-01-01"];
        if let Some(e) = email {
            args.extend(["--email", e]);
        }
        env.ok(&args);
    }
}

#[test]
fn a_name_stands_for_a_member_number_and_several_matches_are_listed() {
    let env = Env::new();
    three(&env);
    // One match: the command acts on that member.
    env.ok(&["shares", "subscribe", "humbert", "--count", "2", "--date", "2021-01-01"]);
    let shown = env.ok(&["member", "show", "CHLOÉ", "--json"]).json();
    assert_eq!(shown["member"]["number"], 3);
    assert_eq!(shown["member"]["shares"], 3, "one share at admission, two subscribed");
    // A full name wins over the names that merely hold it.
    assert_eq!(env.ok(&["member", "show", "paul  jeantet", "--json"]).json()["member"]["number"], 2);
    // Several: exit 2, both listed, nothing written.
    let before = env.events();
    let r = env.run(&["shares", "subscribe", "jeantet", "--count", "1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("'jeantet' matches 3 members"), "the e-mail at jeantet.example too: {}", r.stderr);
    assert!(r.stderr.contains("1 Élise Jeantet") && r.stderr.contains("2 Paul Jeantet"), "{}", r.stderr);
    assert_eq!(env.events(), before);
    // None: exit 2.
    let r = env.run(&["member", "show", "Dupont"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no member's name or e-mail holds 'Dupont'"), "{}", r.stderr);
    assert_eq!(env.run(&["member", "show", "0"]).code, 2, "0 is no member number, and no name");
}

#[test]
fn partners_are_one_whatever_the_case_accents_and_spacing() {
    let env = Env::new();
    three(&env);
    env.ok(&["project", "create", "legumerie", "--name", "Légumerie", "--date", "2024-01-01"]);
    env.ok(&["project", "join", "legumerie", "--partner", "Région BFC", "--role", "funder", "--date", "2024-02-01"]);
    let r = env.run(&["project", "join", "legumerie", "--partner", "région  bfc", "--role", "funder", "--date", "2024-03-01"]);
    assert_eq!(r.code, 1, "the same partner already takes part: {}", r.stderr);
    env.ok(&["project", "join", "legumerie", "Elise", "--role", "lead", "--date", "2024-02-01"]);
    let shown = env.ok(&["project", "show", "legumerie", "--json"]).json();
    let text = shown.to_string();
    assert_eq!(text.matches("Région BFC").count(), 1, "{text}");
    env.ok(&["project", "leave", "legumerie", "--partner", "REGION BFC", "--date", "2024-06-01"]);
}

/// The sample statutes with ten members: 1-3 employees (workers), 4-7 beneficiaries (users),
/// 8-10 volunteers (supporters).
fn ten_members(env: &Env) {
    env.init();
    for (cat, n) in [("employees", 3), ("beneficiaries", 4), ("volunteers", 3)] {
        for i in 0..n {
            env.ok(&["member", "admit", "--name", &format!("{cat} {i}"), "--category", cat, "--date", "2020-01-01"]);
        }
    }
}

/// Convenes assembly A for 2026-06-20, sent 2026-06-01, on `agenda` (and `extra` arguments).
fn convene(env: &Env, agenda: &str, extra: &[&str]) {
    let agenda = env.file("agenda.toml", agenda);
    let base =
        ["assembly", "convene", A, "--kind", "ordinary", "--date", "2026-06-20", "--sent", "2026-06-01", "--place", "Salle des fêtes"];
    env.ok(&[&base[..], &["--agenda", agenda.to_str().unwrap()], extra].concat());
}

/// A meeting of [`ten_members`]: 1, 2, 4, 5, 8 present, 6 represented by 4.
fn meeting(env: &Env) {
    ten_members(env);
    convene(
        env,
        "[[resolution]]\ntitle = \"Approbation des comptes 2025\"\nkind = \"ordinary\"\nboard_approved = true\n\n\
         [[resolution]]\ntitle = \"Quitus aux administrateurs\"\nkind = \"ordinary\"\nboard_approved = true\n",
        &[],
    );
    env.ok(&["assembly", "proxy", A, "6", "--to", "4", "--date", "2026-06-10"]);
    for m in ["1", "2", "4", "5", "8"] {
        env.ok(&["assembly", "attend", A, m, "--date", "2026-06-20"]);
    }
    env.ok(&["assembly", "officers", A, "--chair", "1", "--secretary", "4", "--scrutineer", "5", "--date", "2026-06-20"]);
}

#[test]
fn a_show_of_hands_is_counted_per_college_against_those_present_and_represented() {
    let env = Env::new();
    meeting(&env);
    let tally = |college: &str, f: &str, a: &str, ab: &str| {
        env.run(&["assembly", "tally", A, "1", "--college", college, "--for", f, "--against", a, "--abstain", ab, "--date", "2026-06-20"])
    };
    let before = env.events();
    let r = tally("users", "2", "0", "0");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("college users has 3 voices left to vote") && r.stderr.contains("2 present, 1 represented"), "{}", r.stderr);
    assert!(r.stderr.contains("the count gives 2 voices"), "{}", r.stderr);
    let r = tally("nowhere", "1", "0", "0");
    assert_eq!(r.code, 2, "an unknown college is bad input: {}", r.stderr);
    assert!(r.stderr.contains("colleges: workers, users, supporters"), "{}", r.stderr);
    assert_eq!(env.events(), before, "nothing written");
    assert!(tally("users", "2", "0", "1").stdout.contains("show of hands in college users on resolution 1"));
    assert_eq!(tally("users", "2", "0", "1").code, 1, "one count per college");
    env.ok(&["assembly", "tally", A, "1", "--college", "workers", "--for", "1", "--abstain", "1", "--date", "2026-06-20"]);
    env.ok(&["assembly", "tally", A, "1", "--college", "supporters", "--against", "1", "--date", "2026-06-20"]);
    let r = env.run(&["assembly", "vote", A, "1", "5", "against", "--date", "2026-06-20"]);
    assert_eq!(r.code, 1, "member 5's voice is in the users' count: {}", r.stderr);

    // Resolution 2: all present for, but member 2 against.
    let r = env.ok(&["assembly", "vote", A, "2", "--all-present", "for", "--except", "2", "--date", "2026-06-20"]);
    assert!(r.stdout.contains("5 votes for on resolution 2"), "{}", r.stdout);
    env.ok(&["assembly", "vote", A, "2", "2", "against", "--date", "2026-06-20"]);
    let r = env.run(&["assembly", "vote", A, "2", "--all-present", "for", "--date", "2026-06-20"]);
    assert_eq!(r.code, 1, "nobody left: {}", r.stderr);
    assert_eq!(env.run(&["assembly", "vote", A, "2", "--except", "2", "--date", "2026-06-20"]).code, 2, "--except needs --all-present");

    let results = env.ok(&["assembly", "result", A, "--json"]).json();
    let rows = results["resolutions"].as_array().unwrap().clone();
    let users = rows[0]["colleges"].as_array().unwrap().iter().find(|c| c["code"] == "users").unwrap().clone();
    assert_eq!((users["for"].as_u64(), users["against"].as_u64(), users["abstain"].as_u64()), (Some(2), Some(0), Some(1)));
    assert_eq!(rows[0]["show_of_hands"], serde_json::json!(["supporters", "users", "workers"]));
    let workers = rows[1]["colleges"].as_array().unwrap().iter().find(|c| c["code"] == "workers").unwrap().clone();
    assert_eq!((workers["for"].as_u64(), workers["against"].as_u64()), (Some(1), Some(1)));

    env.ok(&["assembly", "close", A, "--date", "2026-06-20"]);
    let minutes = env.ok(&["assembly", "minutes", A]).stdout;
    assert_eq!(minutes.matches("Vote à main levée").count(), 1, "resolution 1 only: {minutes}");
}

#[test]
fn a_lost_convocation_is_written_again_and_its_new_sending_recorded() {
    let env = Env::new();
    three(&env);
    let agenda = env.file("agenda.toml", "[[resolution]]\ntitle = \"Comptes\"\nkind = \"ordinary\"\nboard_approved = true\n");
    let convene = ["assembly", "convene", A, "--kind", "ordinary", "--date", "2026-06-20", "--place", "Lons", "--agenda"];
    env.ok(&[&convene[..], &[agenda.to_str().unwrap(), "--sent", "2026-06-01"]].concat());
    let out = env.dir.path().join("pack");
    let out = out.to_str().unwrap();
    let again = |date: &str| env.run(&["assembly", "convocations", A, "--out", out, "--member", "Humbert", "--reissue", "--date", date]);
    let r = again("2026-06-02");
    assert_eq!(r.code, 1, "never sent: {}", r.stderr);
    assert!(r.stderr.contains("never sent a convocation"), "{}", r.stderr);
    assert!(!std::path::Path::new(out).join("convocation-00003.md").exists(), "a refused sending writes no file");
    env.ok(&["assembly", "convocations", A, "--out", out, "--date", "2026-06-01"]);
    let first = std::fs::read_to_string(std::path::Path::new(out).join("mailing-list.csv")).unwrap();
    std::fs::remove_file(std::path::Path::new(out).join("convocation-00003.md")).unwrap();
    let before = env.events();
    let r = again("2026-06-09");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("convocation of member 3 written again"), "{}", r.stdout);
    assert_eq!(env.events(), before + 1, "the new sending is recorded");
    assert!(std::fs::read_to_string(std::path::Path::new(out).join("convocation-00003.md")).unwrap().contains("Chloé Humbert"));
    let list = std::fs::read_to_string(std::path::Path::new(out).join("mailing-list-00003.csv")).unwrap();
    assert_eq!(list.lines().count(), 2, "{list}");
    assert_eq!(std::fs::read_to_string(std::path::Path::new(out).join("mailing-list.csv")).unwrap(), first, "the first list is kept");
    let log = env.ok(&["log", "--json"]).json();
    assert!(log.to_string().contains("convocation_reissued"), "{log}");
    let minutes = env.ok(&["assembly", "minutes", A]).stdout;
    assert!(minutes.contains("convocation envoyée à nouveau : n° 3 le 9 juin 2026"), "{minutes}");
    let r = env.run(&["assembly", "convocations", A, "--reissue"]);
    assert_eq!(r.code, 2, "--reissue needs --member: {}", r.stderr);
}

#[test]
fn shell_conventions_completions_man_page_log_filters_and_document_data() {
    let env = Env::new();
    meeting(&env);
    // Completion scripts and the manual page need no store.
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = env.ok(&["completions", shell]);
        assert!(r.stdout.contains("coop") && r.stdout.contains("tally") && r.stdout.len() > 1000, "{shell}");
    }
    assert_eq!(env.run(&["completions", "tcsh"]).code, 2);
    let man = env.ok(&["man"]).stdout;
    assert!(man.starts_with(".ie") && man.contains(".TH coop 1"), "{}", &man[..200]);
    assert!(man.contains(".SH \"COOP ASSEMBLY TALLY\"") && man.contains("\\-\\-all\\-present"), "every subcommand has its section");

    // The log: the last events, those about a member, those of a type.
    let seqs = |args: &[&str]| -> Vec<u64> {
        env.ok(&[&["log", "--json"], args].concat()).json().as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect()
    };
    let head = env.events();
    assert_eq!(seqs(&["--last", "3"]), vec![head - 2, head - 1, head]);
    let admitted = seqs(&["--type", "member_admitted"]);
    assert_eq!(admitted.len(), 10);
    assert_eq!(seqs(&["--type", "member_admitted", "--last", "2"]), admitted[8..].to_vec());
    assert_eq!(seqs(&["--type", "member_admitted", "--limit", "2"]), admitted[..2].to_vec());
    let about_6 = env.ok(&["log", "--member", "beneficiaries 2", "--json"]).json();
    let types: Vec<&str> = about_6.as_array().unwrap().iter().map(|e| e["event"]["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["member_admitted", "shares_subscribed", "proxy_given"], "member 6 was admitted with its share and gave a proxy");
    let r = env.run(&["log", "--type", "member_admited"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not an event type") && r.stderr.contains("member_admitted"), "{}", r.stderr);
    assert_eq!(env.run(&["log", "--last", "2", "--from", "3"]).code, 2, "--last and --from conflict");

    // The documents' data.
    let sheet = env.ok(&["assembly", "sheet", A, "--json"]).json();
    assert_eq!(sheet["members"].as_array().unwrap().len(), 10);
    let six = sheet["members"].as_array().unwrap().iter().find(|m| m["number"] == 6).unwrap();
    assert_eq!(six["participation"], serde_json::json!({"mode": "represented", "by": 4}));
    assert_eq!(six["college"], "users");
    assert_eq!(sheet["quorum"][0]["counted"], 6);
    let minutes = env.ok(&["assembly", "minutes", A, "--json"]).json();
    assert_eq!(minutes["officers"]["chair"]["number"], 1);
    assert_eq!(minutes["agenda"][1]["title"], "Quitus aux administrateurs");
    assert_eq!(minutes["results"].as_array().unwrap().len(), 2);
    assert!(minutes["closed_on"].is_null() && minutes["closing"].is_null());
}

/// `coop demo` without --store writes ./coop-demo.db, so that a later command without --store
/// (on ./coop.db) never lands in the demo.
#[test]
fn the_demo_writes_its_own_store() {
    let dir = tempfile::tempdir().unwrap();
    let coop = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
            .current_dir(dir.path())
            .args(args)
            .env("COOP_TODAY", "2026-11-28")
            .env_remove("COOP_STORE")
            .env_remove("COOP_ACTOR")
            .env_remove("COOP_KEY")
            .output()
            .unwrap()
    };
    let out = coop(&["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("in ./coop-demo.db") && text.contains("--store ./coop-demo.db"), "{text}");
    assert!(dir.path().join("coop-demo.db").is_dir());
    assert!(!dir.path().join("coop.db").exists());
    let out = coop(&["register"]);
    assert_eq!(out.status.code(), Some(2), "no store at ./coop.db: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("coop.db").exists(), "a query creates nothing");
    let out = coop(&["--store", "coop-demo.db", "register", "--json"]);
    assert!(out.status.success());
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().len(), 70);
}

/// Whether `text` writes a percentage beside a fraction, as in "82,00 % (41/50)".
fn percent_beside_fraction(text: &str) -> bool {
    text.split('%').skip(1).any(|after| {
        let t = after.trim_start();
        t.starts_with('(')
            && t[1..].split(')').next().is_some_and(|inner| inner.contains('/') && inner.chars().all(|c| c.is_ascii_digit() || c == '/'))
    })
}

#[test]
fn documents_read_as_a_secretary_would_write_them() {
    let env = Env::new();
    ten_members(&env);
    let r = env.run(&["assembly", "convene", A, "--kind", "ordinary", "--date", "2026-06-20", "--time", "18h70", "--place", "Lons"]);
    assert_eq!(r.code, 2, "not an hour: {}", r.stderr);
    convene(
        &env,
        "[[resolution]]\ntitle = \"Approbation des comptes 2025\"\nkind = \"ordinary\"\naccounts = 2025\n\
         text = \"\"\"\nL'assemblée générale approuve les comptes\nde l'exercice 2025.\n\nElle donne quitus au conseil.\"\"\"\n\n\
         [[resolution]]\ntitle = \"Modification des statuts\"\nkind = \"extraordinary\"\n",
        &["--time", "18:30"],
    );
    // The sheet before the meeting: French dates, no one marked absent yet, the officers'
    // signature lines.
    let out = env.dir.path().join("pack");
    env.ok(&["assembly", "convocations", A, "--out", out.to_str().unwrap(), "--date", "2026-06-01"]);
    let sheet = env.ok(&["assembly", "sheet", A]).stdout;
    assert!(sheet.contains("| 1er juin 2026 |") && !sheet.contains("2026-06-01"), "{sheet}");
    assert!(!sheet.contains("absent"), "nobody is absent before the meeting: {sheet}");
    assert!(sheet.contains("## Collège des salariés") && sheet.contains("le samedi 20 juin 2026 à 18 h 30"), "{sheet}");
    assert!(!sheet.contains(A), "no internal slug: {sheet}");

    let conv = std::fs::read_to_string(out.join("convocation-00001.md")).unwrap();
    assert!(conv.contains("qui se tiendra le samedi 20 juin 2026 à 18 h 30"), "{conv}");
    assert!(
        conv.contains("L'assemblée générale approuve les comptes de l'exercice 2025.") && conv.contains("Elle donne quitus au conseil."),
        "{conv}"
    );
    assert!(!conv.contains("form B") && conv.contains("(formulaire B)") && !conv.contains(A), "{conv}");
    let conv_en = {
        let en = env.dir.path().join("pack-en");
        env.ok(&[
            "assembly",
            "convocations",
            A,
            "--out",
            en.to_str().unwrap(),
            "--lang",
            "en",
            "--member",
            "1",
            "--reissue",
            "--date",
            "2026-06-02",
        ]);
        std::fs::read_to_string(en.join("convocation-00001.md")).unwrap()
    };
    assert!(conv_en.contains("to be held on Saturday 20 June 2026 at 18:30") && conv_en.contains("(form B)"), "{conv_en}");
    assert!(!conv_en.contains("formulaire"), "{conv_en}");

    // The meeting, and the minutes with the debates' summary.
    for m in ["1", "2", "4", "5", "8"] {
        env.ok(&["assembly", "attend", A, m, "--date", "2026-06-20"]);
    }
    env.ok(&["assembly", "officers", A, "--chair", "1", "--secretary", "4", "--scrutineer", "5", "--date", "2026-06-20"]);
    env.ok(&["assembly", "vote", A, "1", "--all-present", "for", "--except", "8", "--date", "2026-06-20"]);
    env.ok(&["assembly", "vote", A, "1", "8", "against", "--date", "2026-06-20"]);
    env.ok(&["assembly", "vote", A, "2", "--all-present", "for", "--date", "2026-06-20"]);
    env.ok(&["assembly", "close", A, "--date", "2026-06-20"]);
    let notes = env.file(
        "debats.toml",
        "summary = \"Le président ouvre la séance à 18 h 40.\"\n[resolutions]\n1 = \"Le trésorier présente les comptes.\"\n",
    );
    let fr = env.ok(&["assembly", "minutes", A, "--notes", notes.to_str().unwrap()]).stdout;
    assert!(fr.contains("Le samedi 20 juin 2026 à 18 h 30, les membres"), "{fr}");
    assert!(
        fr.contains("Résumé des débats")
            && fr.contains("Le président ouvre la séance à 18 h 40.")
            && fr.contains("Débats : Le trésorier présente les comptes."),
        "{fr}"
    );
    assert!(fr.contains("majorité simple (plus de la moitié des suffrages exprimés)"), "{fr}");
    assert!(fr.contains("majorité des deux tiers (au moins les deux tiers des suffrages exprimés)"), "{fr}");
    assert!(fr.contains("| Collège des usagers et bénéficiaires |") && !fr.contains("| users |"), "college names: {fr}");
    assert!(fr.contains("Président de séance : employees 0 (membre n° 1)"), "{fr}");
    assert!(fr.contains("Le scrutateur — beneficiaries 1"), "the teller signs by name: {fr}");
    assert!(!percent_beside_fraction(&fr), "a share is never written beside a fraction: {fr}");
    let en = env.ok(&["assembly", "minutes", A, "--lang", "en"]).stdout;
    assert!(!en.contains("(resolution ordinary)") && en.contains("(ordinary resolution)"), "{en}");
    assert!(!en.contains("Chair : n°") && en.contains("Chair: employees 0 (member no. 1)"), "{en}");
    assert!(!en.contains(" ;") && !en.contains(" :"), "English punctuation: {en}");
    assert!(!percent_beside_fraction(&en), "{en}");
    assert!(percent_beside_fraction("Part : 82,00 % (41/50) ;"), "the check itself finds the old form");
    // Notes naming a resolution not on the agenda are refused.
    let bad = env.file("bad.toml", "[resolutions]\n7 = \"x\"\n");
    let r = env.run(&["assembly", "minutes", A, "--notes", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("resolution 7 is not on the agenda"), "{}", r.stderr);

    // The sheet after closing says who was absent.
    assert!(env.ok(&["assembly", "sheet", A]).stdout.contains("| absent |"));
    // Every setting of the statutes is shown.
    let shown = env.ok(&["statutes", "show"]).stdout;
    for key in [
        "max_proxies_per_holder",
        "postal_days_before",
        "secret_ballot",
        "roll_cutoff_days",
        "retention_days",
        "majority_base_ordinary",
        "Collège des salariés",
    ] {
        assert!(shown.contains(key), "{key}: {shown}");
    }
}
