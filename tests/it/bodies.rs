//! Legal persons and the natural persons who represent them, through the real binary.

use crate::cli::Env;

#[test]
fn a_public_body_is_convened_through_its_representative_and_named_with_them() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Anne", "--category", "employees", "--email", "anne@example.org", "--date", "2020-01-01"]);
    env.ok(&["member", "admit", "--name", "Bruno", "--category", "beneficiaries", "--shares", "20", "--date", "2020-01-01"]);
    env.ok(&[
        "member",
        "admit",
        "--name",
        "Commune de Montval",
        "--kind",
        "public-body",
        "--category",
        "public",
        "--email",
        "mairie@montval.example",
        "--date",
        "2020-01-01",
    ]);
    let r = env.run(&["member", "represent", "anne", "--by", "X"]);
    assert_eq!(r.code, 1, "a natural person has no representative: {}", r.stderr);
    assert!(r.stderr.contains("only an organisation or a public body"), "{}", r.stderr);
    let r = env.run(&["member", "represent", "montval", "--by", "Jeanne Maire", "--email", "not-an-email"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    env.ok(&["member", "represent", "montval", "--by", "Jeanne Maire", "--email", "j.maire@montval.example", "--date", "2021-03-01"]);
    env.ok(&["member", "represent", "3", "--by", "Paul Adjoint", "--date", "2026-07-01"]);
    let agenda = env.file("agenda.toml", "[[resolution]]\ntitle = \"Comptes\"\nkind = \"ordinary\"\n");
    env.ok(&[
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
        "Lons",
        "--agenda",
        agenda.to_str().unwrap(),
    ]);
    let out = env.dir.path().join("pack");
    env.ok(&["assembly", "convocations", "ago", "--out", out.to_str().unwrap(), "--date", "2026-06-01"]);
    // On the meeting's date Jeanne Maire represents the commune (Paul Adjoint only from July).
    let conv = std::fs::read_to_string(out.join("convocation-00003.md")).unwrap();
    assert!(conv.contains("membre n° 3 — Commune de Montval, représentée par Jeanne Maire"), "{conv}");
    let list = std::fs::read_to_string(out.join("mailing-list.csv")).unwrap();
    assert!(list.contains("3,\"Commune de Montval, représentée par Jeanne Maire\",j.maire@montval.example,"), "{list}");
    let sheet = env.ok(&["assembly", "sheet", "ago"]).stdout;
    assert!(sheet.contains("| 3 | Commune de Montval, représentée par Jeanne Maire |"), "{sheet}");
    let en = env.ok(&["assembly", "sheet", "ago", "--lang", "en"]).stdout;
    assert!(en.contains("Commune de Montval, represented by Jeanne Maire"), "{en}");
    // The representatives' names are personal data, checked by verify like the members'.
    let v = env.ok(&["audit", "verify", "--json"]).json();
    assert_eq!(v["personal"]["checked"], 6, "3 members, 2 representatives and the founder: {v}");
    let log = env.ok(&["log", "--type", "representative_designated", "--json"]).json();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert!(!log.to_string().contains("Jeanne"), "no name in the log: {log}");
}

#[test]
fn an_assembly_elects_the_board_for_a_mandate_and_check_watches_it() {
    let env = Env::new();
    let sa =
        coop::SAMPLE_STATUTES.replace("legal_form = \"sas\"", "legal_form = \"sa\"").replace("minimum_euros = 0", "minimum_euros = 18500");
    let statutes = env.file("sa.toml", &sa);
    env.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    for (i, cat) in ["employees", "beneficiaries", "volunteers"].iter().cycle().take(9).enumerate() {
        env.ok(&["member", "admit", "--name", &format!("M{i}"), "--category", cat, "--shares", "100", "--date", "2020-01-01"]);
    }
    let agenda = |years: u32| {
        env.file("agenda.toml", &format!("[[resolution]]\ntitle = \"Élection du conseil\"\nkind = \"ordinary\"\nelect = [1, 2]\noffice = \"board\"\nyears = {years}\n"))
    };
    let convene = |years: u32| {
        env.run(&[
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
            "Lons",
            "--agenda",
            agenda(years).to_str().unwrap(),
        ])
    };
    let r = convene(7);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("1 to 6"), "{}", r.stderr);
    assert_eq!(convene(6).code, 0);
    for m in ["1", "2", "3", "4"] {
        env.ok(&["assembly", "attend", "ago", m, "--date", "2026-06-20"]);
    }
    env.ok(&["assembly", "officers", "ago", "--chair", "1", "--secretary", "2", "--scrutineer", "3", "--date", "2026-06-20"]);
    env.ok(&["assembly", "vote", "ago", "1", "--all-present", "for", "--date", "2026-06-20"]);
    let r = env.run(&["board", "elect", "--assembly", "ago", "--resolution", "1"]);
    assert_eq!(r.code, 1, "not closed yet: {}", r.stderr);
    env.ok(&["assembly", "close", "ago", "--date", "2026-06-20"]);
    let r = env.ok(&["board", "elect", "--assembly", "ago", "--resolution", "1"]);
    assert!(r.stdout.contains("2 members elected by resolution 1 of ago"), "{}", r.stdout);
    let board = env.ok(&["board", "list", "--json"]).json();
    let rows = board["board"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["from"].as_str(), rows[0]["until"].as_str()), (Some("2026-06-20"), Some("2032-06-19")));
    // An SA's board has at least 3 members: check says so.
    let check = env.run(&["check", "--json"]).json();
    let codes: Vec<&str> = check["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"board_size"), "{codes:?}");
    let later = env.run(&["--as-of", "2032-07-01", "check", "--json"]).json();
    assert!(later.to_string().contains("mandate_expired"), "{later}");
    assert!(env.ok(&["statutes", "show"]).stdout.contains("[board] mandate_years"));
    let minutes = env.ok(&["assembly", "minutes", "ago"]).stdout;
    assert!(minutes.contains("élection des membres n° 1, 2 au conseil (6 ans)"), "{minutes}");
}

#[test]
fn the_elected_board_acts_meets_elects_its_chair_and_sets_up_a_committee() {
    let env = Env::new();
    env.init();
    let names = ["Anne Roy", "Bruno Petit", "Chloé Martin", "Denis Faure", "Emma Girard", "Félix Roux"];
    for (i, name) in names.iter().enumerate() {
        let cat = ["employees", "beneficiaries", "volunteers"][i % 3];
        env.ok(&["member", "admit", "--name", name, "--category", cat, "--shares", "5", "--date", "2020-01-01"]);
    }
    let agenda = env.file(
        "agenda.toml",
        "[[resolution]]\ntitle = \"Élection du conseil\"\nkind = \"ordinary\"\nelect = [1, 2, 3, 4]\noffice = \"board\"\nyears = 4\n",
    );
    env.ok(&[
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
        "Lons",
        "--agenda",
        agenda.to_str().unwrap(),
    ]);
    for m in ["1", "2", "3", "4", "5"] {
        env.ok(&["assembly", "attend", "ago", m, "--date", "2026-06-20"]);
    }
    env.ok(&["assembly", "officers", "ago", "--chair", "1", "--secretary", "2", "--date", "2026-06-20"]);
    env.ok(&["assembly", "vote", "ago", "1", "--all-present", "for", "--date", "2026-06-20"]);
    env.ok(&["assembly", "close", "ago", "--date", "2026-06-20"]);
    env.ok(&["board", "elect", "--assembly", "ago", "--resolution", "1"]);
    // The founder's office lapsed: the secretary acting by default is refused, an elected member
    // acts under their own name.
    let r = env.run(&["review", "--date", "2026-06-21"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("coop officer list"), "the hint says where to look: {}", r.stderr);
    let r = env.run(&["--actor", "Emma Girard", "review", "--date", "2026-06-21"]);
    assert_eq!(r.code, 1, "member 5 is not on the board: {}", r.stderr);
    assert!(r.stderr.contains("'Emma Girard' may not") && r.stderr.contains("holds no office"), "{}", r.stderr);
    // A board meeting: half of the four present at least (L. 225-37).
    let meeting = |slug: &str, present: &str, extra: &[&str]| {
        let mut args = vec!["--actor", "Anne Roy", "board", "meeting", slug, "--date", "2026-06-27", "--present", present];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let r = meeting("ca-1", "1", &["--decision", "Calendrier"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("at least half of its members must be present (L. 225-37)"), "{}", r.stderr);
    let r = meeting("ca-1", "1,5", &["--decision", "Calendrier"]);
    assert!(r.code == 1 && r.stderr.contains("member 5 does not sit on the board"), "{}", r.stderr);
    let r = meeting("ca-1", "1,2", &[]);
    assert_eq!(r.code, 2, "a meeting decides something: {}", r.stderr);
    let r = meeting("ca-1", "1,2,3", &["--decision", "Le conseil arrête son calendrier.", "--chair", "Chloé Martin", "--secretary", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let roster = env.ok(&["officer", "list", "--json"]).json();
    let offices =
        |name: &str| roster.as_array().unwrap().iter().find(|o| o["person"] == name).map(|o| o["offices"].clone()).unwrap_or_default();
    assert_eq!(offices("Chloé Martin"), serde_json::json!(["chair", "board"]), "{roster}");
    assert_eq!(offices("Bruno Petit"), serde_json::json!(["secretary", "board"]), "{roster}");
    assert!(!roster.to_string().contains("\"secretary\",\"id\"") && offices("secretary").is_null(), "the founder lapsed: {roster}");
    // The secretary the board appointed keeps the roster; a secretary by hand is refused now.
    let r = env.run(&["--actor", "Bruno Petit", "officer", "appoint", "Zoé", "--office", "secretary"]);
    assert!(r.code == 1 && r.stderr.contains("the board appoints its secretary at a meeting"), "{}", r.stderr);
    let minutes = env.ok(&["board", "minutes", "ca-1"]).stdout;
    assert!(minutes.contains("3 administrateurs présents sur 4"), "{minutes}");
    assert!(minutes.contains("2. Le conseil élit à sa présidence Chloé Martin, membre n° 3"), "{minutes}");
    assert!(minutes.contains("3. Le conseil nomme secrétaire Bruno Petit, membre n° 2"), "{minutes}");
    assert!(minutes.contains("Absents : Denis Faure, membre n° 4"), "{minutes}");
    // A committee for a project, with a member and a partner; its meeting and minutes.
    let bruno = |args: &[&str]| {
        let mut a = vec!["--actor", "Bruno Petit"];
        a.extend_from_slice(args);
        env.run(&a)
    };
    assert_eq!(bruno(&["project", "create", "pat", "--name", "Projet alimentaire", "--date", "2026-07-01"]).code, 0);
    let r = bruno(&["committee", "create", "copil", "--name", "Comité de pilotage", "--project", "pat", "--date", "2026-07-01"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = bruno(&[
        "committee",
        "join",
        "copil",
        "--partner",
        "Chambre d'agriculture",
        "--role",
        "chambre consulaire",
        "--date",
        "2026-07-02",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(bruno(&["committee", "join", "copil", "emma", "--role", "cantine", "--date", "2026-07-02"]).code, 0);
    let r = bruno(&["committee", "meeting", "copil", "copil-1", "--date", "2026-09-01", "--present", "6", "--decision", "x"]);
    assert!(r.code == 1 && r.stderr.contains("does not sit on committee copil"), "{}", r.stderr);
    let r = bruno(&[
        "committee",
        "meeting",
        "copil",
        "copil-1",
        "--date",
        "2026-09-01",
        "--present",
        "Emma Girard",
        "--partner",
        "chambre d'agriculture",
        "--decision",
        "Choix des cantines pilotes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let show = env.ok(&["project", "show", "pat", "--json"]).json();
    let seats = show["committees"][0]["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 2, "{show}");
    assert_eq!(show["committees"][0]["meetings"], 1);
    let inv = env.ok(&["involvement", "--json"]).json();
    assert_eq!(inv["committees"][0]["partners"], 1, "{inv}");
    let cm = env.ok(&["committee", "minutes", "copil-1", "--lang", "en"]).stdout;
    assert!(cm.contains("Chambre d'agriculture, partner (chambre consulaire)") && cm.contains("1. Choix des cantines pilotes"), "{cm}");
    // A resignation: Denis Faure leaves the board; check flags a board of 3 as fine.
    assert_eq!(bruno(&["board", "resign", "denis", "--date", "2026-10-01"]).code, 0);
    let board = env.ok(&["board", "list", "--json"]).json();
    assert_eq!(board["board"].as_array().unwrap().len(), 3, "{board}");
    let v = env.ok(&["audit", "verify", "--json"]).json();
    assert_eq!(v["ok"], true, "{v}");
}
