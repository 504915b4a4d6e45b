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
