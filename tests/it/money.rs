//! The money of the cooperative through the real binary: what it owes its former members.

use crate::cli::Env;

#[test]
fn former_members_are_owed_their_shares_by_the_statutes_delay_and_check_says_when_not() {
    let env = Env::new();
    env.init();
    // Highest capital 13 shares (650 €), floor a quarter (162.50 €).
    for (name, cat, shares) in [("Anne", "employees", "10"), ("Bruno", "beneficiaries", "2"), ("Chloé", "volunteers", "1")] {
        env.ok(&["member", "admit", "--name", name, "--category", cat, "--shares", shares, "--date", "2020-01-01"]);
    }
    let empty = env.ok(&["reimbursements"]).stdout;
    assert!(empty.contains("no former member is owed"), "{empty}");
    env.ok(&["member", "withdraw", "anne", "--date", "2024-06-30"]);
    env.ok(&["member", "withdraw", "2", "--date", "2025-03-31"]);
    // Anne's 10 shares would take the capital to 150 €: her redemption is refused, and check says
    // so rather than "nothing out of line".
    let r = env.run(&["shares", "redeem", "1", "--count", "10", "--date", "2025-04-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("below the floor"), "{}", r.stderr);
    let owed = env.ok(&["reimbursements", "--json"]).json();
    let rows = owed["reimbursements"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["member"], 1);
    assert_eq!(rows[0]["name"], "Anne");
    assert_eq!(rows[0]["amount_cents"], 50_000);
    assert_eq!(rows[0]["due"], "2029-06-29", "1825 days after leaving");
    assert_eq!(rows[0]["status"], "pending");
    assert_eq!(rows[0]["held_back_by_floor"], true);
    assert_eq!((rows[1]["member"].as_u64(), rows[1]["held_back_by_floor"].as_bool()), (Some(2), Some(false)));
    let check = env.run(&["check", "--json"]).json();
    let codes: Vec<&str> = check["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"reimbursement_held_back") && !codes.contains(&"reimbursement_overdue"), "{codes:?}");
    // Past the due date, Anne's is overdue too.
    let later = env.ok(&["--as-of", "2029-07-01", "reimbursements"]).stdout;
    assert!(later.contains("overdue, held back by the capital floor"), "{later}");
    // Bruno's is settled by redeeming his shares: it leaves the list.
    env.ok(&["shares", "redeem", "bruno", "--count", "2", "--date", "2025-05-01"]);
    let owed = env.ok(&["reimbursements", "--json"]).json();
    assert_eq!(owed["reimbursements"].as_array().unwrap().len(), 1);
    let text = env.ok(&["reimbursements"]).stdout;
    assert!(text.contains("on 2026-11-28: 500 € owed to 1 former member"), "{text}");
}

#[test]
fn a_delay_in_months_is_read_from_the_statutes_and_shown() {
    let env = Env::new();
    let statutes = env.file("s.toml", &coop::SAMPLE_STATUTES.replace("reimbursement_delay_days = 1825", "reimbursement_delay_months = 60"));
    env.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    env.ok(&["member", "admit", "--name", "Anne", "--category", "employees", "--shares", "3", "--date", "2020-01-01"]);
    env.ok(&["member", "withdraw", "1", "--date", "2024-06-30"]);
    let owed = env.ok(&["reimbursements", "--json"]).json();
    assert_eq!(owed["reimbursements"][0]["due"], "2029-06-30");
    assert!(env.ok(&["statutes", "show"]).stdout.contains("reimbursement_delay_months"));
    let both = env.file(
        "b.toml",
        &coop::SAMPLE_STATUTES
            .replace("reimbursement_delay_days = 1825", "reimbursement_delay_days = 1825\nreimbursement_delay_months = 60"),
    );
    let r = env.run(&["statutes", "check", both.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("give the reimbursement delay once"), "{}", r.stderr);
}

#[test]
fn the_register_of_share_movements_is_numbered_in_date_order_as_of_any_date() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "Anne", "--category", "employees", "--shares", "3", "--paid", "50", "--date", "2020-01-01"]);
    env.ok(&["member", "admit", "--name", "Bruno", "--category", "beneficiaries", "--shares", "2", "--date", "2020-02-01"]);
    env.ok(&["shares", "pay", "anne", "--amount", "100", "--date", "2020-03-01"]);
    env.ok(&["shares", "subscribe", "bruno", "--count", "40", "--date", "2021-01-01"]);
    env.ok(&["shares", "transfer", "bruno", "anne", "--count", "1", "--date", "2021-02-01"]);
    // A subscription keyed by mistake, then voided: not in the register.
    let r = env.ok(&["shares", "subscribe", "anne", "--count", "7", "--date", "2021-03-01", "--json"]).json();
    let seq = r["events"][0]["seq"].as_u64().unwrap().to_string();
    env.ok(&["void", &seq, "--reason", "keyed twice"]);
    // Entered late, with an earlier date: it takes its place in the order of dates.
    env.ok(&["shares", "subscribe", "anne", "--count", "1", "--date", "2020-06-01"]);
    let rows = env.ok(&["shares", "movements", "--json"]).json()["movements"].as_array().unwrap().clone();
    let summary: Vec<(u64, &str, &str, u64, i64)> = rows
        .iter()
        .map(|m| {
            (
                m["number"].as_u64().unwrap(),
                m["date"].as_str().unwrap(),
                m["kind"].as_str().unwrap(),
                m["shares"].as_u64().unwrap(),
                m["capital_after_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "2020-01-01", "subscription", 3, 15_000),
            (2, "2020-02-01", "subscription", 2, 25_000),
            (3, "2020-03-01", "payment", 0, 25_000),
            (4, "2020-06-01", "subscription", 1, 30_000),
            (5, "2021-01-01", "subscription", 40, 230_000),
            (6, "2021-02-01", "transfer", 1, 230_000),
        ]
    );
    assert_eq!((rows[5]["name"].as_str(), rows[5]["to_name"].as_str()), (Some("Bruno"), Some("Anne")));
    assert_eq!(rows[2]["paid_after_cents"], 25_000, "50 € at admission, 100 € of Bruno's, then 100 € paid by Anne");
    // As of an earlier date: the late entry of 2020-06-01 is in it.
    assert_eq!(env.ok(&["--as-of", "2020-12-31", "shares", "movements", "--json"]).json()["movements"].as_array().unwrap().len(), 4);
    let fr = env.ok(&["shares", "movements"]).stdout;
    assert!(fr.contains("| 5 | 1er janvier 2021 | souscription | 2 Bruno | A | 40 | 2\u{a0}000 € | 2\u{a0}300 € |"), "{fr}");
    assert!(fr.contains("arrêté au 28 novembre 2026"), "{fr}");
    let en = env.ok(&["shares", "movements", "--lang", "en", "--format", "html"]).stdout;
    assert!(en.contains("<td>transfer</td>") && en.contains("2 Bruno → 1 Anne") && en.contains("2,300 €"), "{en}");
}

#[test]
fn a_member_s_share_certificate_shows_its_lots_in_french_or_english() {
    let env = Env::new();
    env.init();
    env.ok(&[
        "member",
        "admit",
        "--name",
        "Anne Martin",
        "--category",
        "employees",
        "--shares",
        "3",
        "--paid",
        "50",
        "--date",
        "2020-01-01",
    ]);
    env.ok(&["shares", "subscribe", "anne", "--count", "2", "--date", "2022-05-01"]);
    let fr = env.ok(&["member", "certificate", "martin"]).stdout;
    assert!(fr.contains("# Certificat de parts sociales — Clus'Ter Jura — Anne Martin"), "{fr}");
    assert!(fr.contains("par actions simplifiée à capital variable") && fr.contains("membre n° 1"), "{fr}");
    assert!(fr.contains("| A | 1er janvier 2020 | 3 | 50 € | 150 € | 50 € |"), "{fr}");
    assert!(fr.contains("| A | 1er mai 2022 | 2 | 50 € | 100 € | 100 € |"), "{fr}");
    assert!(fr.contains("| Total |  | 5 |  | 250 € | 150 € |"), "{fr}");
    // As of a date before the second lot.
    let then = env.ok(&["--as-of", "2021-12-31", "member", "certificate", "1"]).stdout;
    assert!(then.contains("| Total |  | 3 |  | 150 € | 50 € |") && then.contains("au 31 décembre 2021"), "{then}");
    let en = env.ok(&["member", "certificate", "1", "--lang", "en", "--format", "html"]).stdout;
    assert!(en.contains("Share certificate") && en.contains("simplified joint-stock company") && en.contains("<table>"), "{en}");
    let data = env.ok(&["member", "certificate", "1", "--json"]).json();
    assert_eq!((data["shares"].as_u64(), data["paid_cents"].as_i64()), (Some(5), Some(15_000)));
    assert_eq!(env.run(&["member", "certificate", "99"]).code, 2);
}

#[test]
fn a_surplus_is_allocated_within_the_legal_floors_and_the_reserves_follow() {
    let env = Env::new();
    let statutes = env.file("s.toml", &coop::SAMPLE_STATUTES.replace("floor_fraction", "interest_rate_cap_percent = 4.25\nfloor_fraction"));
    env.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    for (name, cat) in [("Anne", "employees"), ("Bruno", "beneficiaries"), ("Chloé", "volunteers")] {
        env.ok(&["member", "admit", "--name", name, "--category", cat, "--shares", "20", "--date", "2020-01-01"]);
    }
    // 3,000 € paid up: interest at most 127.50 €.
    let agenda = |legal: &str, interest: &str, carried: &str| {
        env.file(
            "agenda.toml",
            &format!(
                "[[resolution]]\ntitle = \"Comptes 2025\"\nkind = \"ordinary\"\naccounts = 2025\nresult_euros = 10000\n\n\
                 [[resolution]]\ntitle = \"Affectation\"\nkind = \"ordinary\"\n\
                 allocate = {{ legal_reserve = {legal}, statutory_reserve = 4250, interest = {interest}, carried_forward = {carried} }}\n"
            ),
        )
    };
    let convene = |file: &std::path::Path| {
        env.run(&[
            "assembly",
            "convene",
            "ago-2026",
            "--kind",
            "ordinary",
            "--date",
            "2026-06-20",
            "--sent",
            "2026-06-01",
            "--place",
            "Lons",
            "--agenda",
            file.to_str().unwrap(),
        ])
    };
    let r = convene(&agenda("1499.99", "0", "4250.01"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("below the 15 %") && r.stderr.contains("art. 16"), "{}", r.stderr);
    let file = agenda("1499.99", "0", "4250.01");
    let r = env.run(&[
        "--json",
        "assembly",
        "convene",
        "ago-2026",
        "--kind",
        "ordinary",
        "--date",
        "2026-06-20",
        "--sent",
        "2026-06-01",
        "--place",
        "Lons",
        "--agenda",
        file.to_str().unwrap(),
    ]);
    let err: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(err["rule"], "legal_reserve");
    let r = convene(&agenda("1500", "127.51", "4122.49"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("art. 14"), "{}", r.stderr);
    let r = convene(&agenda("1500", "0", "4250.01"));
    assert_eq!(r.code, 2, "the parts must add up to the result: {}", r.stderr);
    env.ok(&[
        "assembly",
        "convene",
        "ago-2026",
        "--kind",
        "ordinary",
        "--date",
        "2026-06-20",
        "--sent",
        "2026-06-01",
        "--place",
        "Lons",
        "--agenda",
        agenda("1500", "127.50", "4122.50").to_str().unwrap(),
    ]);
    let out = env.dir.path().join("pack");
    env.ok(&["assembly", "convocations", "ago-2026", "--out", out.to_str().unwrap(), "--date", "2026-06-01"]);
    let conv = std::fs::read_to_string(out.join("convocation-00001.md")).unwrap();
    assert!(conv.contains("Excédent à affecter : 10\u{a0}000 €") && conv.contains("au moins 5\u{a0}750 €, 57,5 %"), "{conv}");
    for m in ["1", "2", "3"] {
        env.ok(&["assembly", "attend", "ago-2026", m, "--date", "2026-06-20"]);
    }
    env.ok(&["assembly", "officers", "ago-2026", "--chair", "1", "--secretary", "2", "--date", "2026-06-20"]);
    for n in ["1", "2"] {
        env.ok(&["assembly", "vote", "ago-2026", n, "--all-present", "for", "--date", "2026-06-20"]);
    }
    assert!(env.ok(&["reserves"]).stdout.contains("no allocation"), "nothing before the assembly closes");
    env.ok(&["assembly", "close", "ago-2026", "--date", "2026-06-20"]);
    let minutes = env.ok(&["assembly", "minutes", "ago-2026"]).stdout;
    assert!(minutes.contains("intérêts aux parts : 127,50 € (au plus 127,50 €"), "{minutes}");
    let r = env.ok(&["reserves", "--json"]).json();
    assert_eq!(
        (r["legal_cents"].as_i64(), r["statutory_cents"].as_i64(), r["carried_forward_cents"].as_i64()),
        (Some(150_000), Some(425_000), Some(412_250))
    );
    assert_eq!(env.ok(&["--as-of", "2026-06-19", "reserves", "--json"]).json()["moves"].as_array().unwrap().len(), 0);
}
