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
