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
