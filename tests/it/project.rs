//! Projects and involvement through the real binary.

use crate::cli::Env;

fn setup() -> Env {
    let env = Env::new();
    env.init();
    for (cat, n) in [("employees", 2), ("beneficiaries", 3), ("volunteers", 2)] {
        for i in 0..n {
            env.ok(&["member", "admit", "--name", &format!("{cat} {i}"), "--category", cat, "--date", "2020-01-01"]);
        }
    }
    env
}

#[test]
fn who_takes_part_in_which_project_and_who_in_none() {
    let env = setup();
    env.ok(&["project", "create", "bouteilles", "--name", "J'aime mes bouteilles", "--date", "2021-01-10"]);
    env.ok(&["project", "create", "carpe", "--name", "Carpe Diem", "--stage", "prototype", "--date", "2021-02-01"]);
    env.ok(&["project", "join", "bouteilles", "1", "--role", "lead", "--date", "2021-01-15"]);
    env.ok(&["project", "join", "bouteilles", "3", "--role", "tester", "--date", "2021-01-15"]);
    env.ok(&["project", "join", "bouteilles", "--partner", "Chambre d'agriculture du Jura", "--role", "partner", "--date", "2021-01-15"]);
    env.ok(&["project", "join", "carpe", "--partner", "Chambre d'agriculture du Jura", "--role", "mentor", "--date", "2021-02-02"]);
    env.ok(&["project", "join", "carpe", "6", "--role", "contributor", "--date", "2021-02-02"]);
    env.ok(&["project", "stage", "bouteilles", "qualification", "--date", "2021-03-01"]);

    let show = env.ok(&["project", "show", "bouteilles", "--json"]).json();
    for key in ["slug", "name", "stage", "members", "partners"] {
        assert!(show.get(key).is_some(), "project show lacks {key}");
    }
    assert_eq!(show["stage"], "qualification");
    assert_eq!(show["members"].as_array().unwrap().len(), 2);
    for key in ["number", "name", "role", "since"] {
        assert!(show["members"][0].get(key).is_some(), "member row lacks {key}");
    }
    assert_eq!(show["partners"][0]["name"], "Chambre d'agriculture du Jura");
    // The same partner, known by name, takes part in both projects as one party.
    let carpe = env.ok(&["project", "show", "carpe", "--json"]).json();
    assert_eq!(carpe["partners"][0]["id"], show["partners"][0]["id"]);

    let inv = env.ok(&["involvement", "--json", "--as-of", "2021-06-01"]).json();
    for key in ["members", "involved", "not_involved", "by_college", "by_project"] {
        assert!(inv.get(key).is_some(), "involvement lacks {key}");
    }
    assert_eq!(inv["members"], 7);
    assert_eq!(inv["involved"], 3);
    assert_eq!(inv["not_involved"], serde_json::json!([2, 4, 5, 7]));
    let workers = inv["by_college"].as_array().unwrap().iter().find(|c| c["code"] == "workers").unwrap().clone();
    assert_eq!((workers["members"].as_u64(), workers["involved"].as_u64()), (Some(2), Some(1)));
    let carpe_row = inv["by_project"].as_array().unwrap().iter().find(|p| p["slug"] == "carpe").unwrap().clone();
    assert_eq!((carpe_row["members"].as_u64(), carpe_row["partners"].as_u64()), (Some(1), Some(1)));

    // A past date: before any project started, nobody is involved.
    let past = env.ok(&["involvement", "--json", "--as-of", "2021-01-01"]).json();
    assert_eq!(past["involved"], 0);
    // A member's membership ends: it stays in the history, no longer counted.
    env.ok(&["member", "withdraw", "1", "--date", "2021-07-01"]);
    let after = env.ok(&["involvement", "--json", "--as-of", "2021-08-01"]).json();
    assert_eq!(after["involved"], 2);
    let history = env.ok(&["involvement", "--member", "1", "--json", "--as-of", "2021-08-01"]).json();
    assert_eq!(history["projects"][0]["project"], "bouteilles");
    assert_eq!(history["projects"][0]["active"], false);
    let show = env.ok(&["member", "show", "3"]).stdout;
    assert!(show.contains("bouteilles") && show.contains("tester"), "{show}");
    let text = env.ok(&["involvement"]).stdout;
    assert!(text.contains("by college") && text.contains("pipeline") && text.contains("members in no active project"), "{text}");
    // The list names them (their parties read from the roll, their names from beside the log);
    // the rates alone do not read the parties, and say the same.
    let list = text.split("members in no active project").nth(1).unwrap_or_default();
    assert!(list.contains("2 employees 1") && list.contains("7 volunteers 1") && !list.contains("(erased)"), "{text}");
    let lean = env.ok(&["involvement", "--no-list"]).stdout;
    assert_eq!(lean, text.split("\nmembers in no active project").next().unwrap_or_default(), "{lean}");
    assert!(env.ok(&["project", "list"]).stdout.contains("carpe"));
}

/// At the head, the report reads every member's standing from the roll kept beside the members'
/// pieces instead of their pieces: after admissions, a change of category, a withdrawal, a void
/// and a late admission, it says what the fold of the log says (`--as-of` today folds the log).
#[test]
fn the_report_read_from_the_roll_is_the_report_of_the_folded_log() {
    let env = setup();
    env.ok(&["project", "create", "p", "--name", "P", "--date", "2021-01-10"]);
    env.ok(&["project", "create", "q", "--name", "Q", "--date", "2021-01-10"]);
    for (project, m) in [("p", "1"), ("p", "3"), ("q", "3"), ("q", "6")] {
        env.ok(&["project", "join", project, m, "--role", "contributor", "--date", "2021-02-01"]);
    }
    // After each fact, the report at the head is the report of the folded log.
    let same = |after: &str| {
        let at_head = env.ok(&["involvement", "--json"]).json();
        assert_eq!(at_head, env.ok(&["involvement", "--json", "--as-of", "2026-11-28"]).json(), "after {after}");
        at_head
    };
    env.ok(&["member", "move", "3", "--category", "volunteers", "--date", "2022-03-01"]);
    same("a change of category");
    env.ok(&["member", "withdraw", "6", "--date", "2023-06-30"]);
    same("a withdrawal");
    env.ok(&["project", "stage", "q", "abandoned", "--date", "2023-09-01"]);
    env.ok(&["member", "admit", "--name", "Late", "--category", "employees", "--date", "2024-01-01"]);
    env.ok(&["member", "admit", "--name", "Voided", "--category", "employees", "--date", "2024-02-01"]);
    let seq = env.events();
    env.ok(&["void", &seq.to_string(), "--reason", "entered twice"]);
    same("a void");
    // Entered late: dated before the move and the withdrawal above.
    env.ok(&["member", "admit", "--name", "Earlier", "--category", "beneficiaries", "--date", "2021-06-01"]);
    env.ok(&["project", "join", "p", "10", "--role", "tester", "--date", "2024-03-01"]);
    let at_head = same("a late admission");
    // 1 to 7, Late (8) and Earlier (10: the voided admission's number is not given again); 6
    // withdrew.
    assert_eq!(at_head["members"], 8, "{at_head}");
    // 1 and 3 (now a volunteer) in p, 10 joined later; q abandoned.
    assert_eq!(at_head["involved"], 3, "{at_head}");
    assert_eq!(at_head["not_involved"], serde_json::json!([2, 4, 5, 7, 8]));
    let volunteers = at_head["by_category"].as_array().unwrap().iter().find(|c| c["code"] == "volunteers").unwrap().clone();
    assert_eq!((volunteers["members"].as_u64(), volunteers["involved"].as_u64()), (Some(2), Some(1)), "{at_head}");
    // Also on a past date, from the roll's history of each member (as of 2022-06-01: 6 is still
    // a member, 3 a volunteer, q active).
    let past = env.ok(&["involvement", "--json", "--as-of", "2022-06-01"]).json();
    assert_eq!((past["members"].as_u64(), past["involved"].as_u64()), (Some(8), Some(3)), "{past}");

    // Without the list: the same counts, the list left out.
    let short = env.ok(&["involvement", "--json", "--no-list"]).json();
    assert!(short.get("not_involved").is_none(), "{short}");
    assert_eq!((short["not_involved_count"].as_u64(), short["involved"].as_u64()), (Some(5), Some(3)));
    let text = env.ok(&["involvement", "--no-list"]).stdout;
    assert!(text.contains("5 take part in none") && !text.contains("members in no active project"), "{text}");
    let text = env.ok(&["involvement"]).stdout;
    assert!(text.contains("members in no active project") && text.contains("8 Late") && !text.contains("Earlier"), "{text}");
}

/// A member's page reads the projects it took part in through the index kept of them (not
/// every project): after joins, a departure, a void and a join entered late, it lists what the
/// fold of the log lists (`--as-of` today folds the log and reads no index), and `audit replay`
/// finds the index equal to the fold's.
#[test]
fn a_members_projects_are_read_through_the_index_and_follow_voids_and_late_joins() {
    let env = setup();
    for p in ["p", "q", "r"] {
        env.ok(&["project", "create", p, "--name", &p.to_uppercase(), "--date", "2021-01-10"]);
    }
    for (project, m) in [("p", "1"), ("p", "3"), ("q", "3"), ("r", "6")] {
        env.ok(&["project", "join", project, m, "--role", "contributor", "--date", "2021-02-01"]);
    }
    env.ok(&["project", "join", "r", "--partner", "Mairie", "--role", "partner", "--date", "2021-02-01"]);
    env.ok(&["project", "leave", "p", "1", "--date", "2022-01-01"]);
    env.ok(&["project", "join", "q", "5", "--role", "tester", "--date", "2022-02-01"]);
    let seq = env.events();
    env.ok(&["void", &seq.to_string(), "--reason", "joined the wrong project"]);
    // Entered late: dated before the departure above.
    env.ok(&["project", "join", "q", "2", "--role", "tester", "--date", "2021-06-01"]);
    let projects = |m: &str, args: &[&str]| -> Vec<String> {
        let mut a = vec!["member", "show", m, "--json"];
        a.extend(args);
        let v = env.ok(&a).json();
        v["projects"].as_array().unwrap().iter().map(|l| l["project"].as_str().unwrap().to_string()).collect()
    };
    let expected: [(&str, &[&str]); 7] =
        [("1", &["p"]), ("2", &["q"]), ("3", &["p", "q"]), ("4", &[]), ("5", &[]), ("6", &["r"]), ("7", &[])];
    for (m, listed) in expected {
        assert_eq!(projects(m, &[]), listed, "member {m}");
        assert_eq!(projects(m, &["--as-of", "2026-11-28"]), listed, "member {m}, folded");
        let history = env.ok(&["involvement", "--member", m, "--json"]).json();
        let named: Vec<&str> = history["projects"].as_array().unwrap().iter().map(|l| l["project"].as_str().unwrap()).collect();
        assert_eq!(named, listed, "member {m}'s involvement history");
    }
    // On a past date the page lists only the spells begun by then.
    assert_eq!(projects("2", &["--as-of", "2021-03-01"]), Vec::<String>::new());
    let replay = env.ok(&["audit", "replay", "--json"]).json();
    assert_eq!(replay["matches"], true, "{replay}");
}

#[test]
fn project_refusals_are_clear_and_write_nothing() {
    let env = setup();
    env.ok(&["project", "create", "p", "--name", "P", "--date", "2021-01-10"]);
    let before = env.events();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["project", "stage", "p", "launch", "--date", "2021-02-01"], 1, "moves to 'qualification'"),
        (vec!["project", "stage", "p", "sideways"], 2, "is not a stage"),
        (vec!["project", "stage", "nope", "qualification"], 2, "not in the log"),
        (vec!["project", "join", "p", "1", "--role", "boss"], 2, "is not a role"),
        (vec!["project", "join", "p", "99", "--role", "lead"], 2, "not in the register"),
        (
            vec!["project", "join", "p", "1", "--role", "lead", "--date", "2021-01-01"],
            1,
            "started on 2021-01-10; a fact about it cannot be dated 2021-01-01",
        ),
        (vec!["project", "leave", "p", "2"], 1, "does not take part"),
        (vec!["project", "leave", "p", "--partner", "Nobody"], 2, "no partner is named"),
        (vec!["project", "join", "p", "--role", "lead"], 2, "required"),
    ];
    for (args, code, text) in cases {
        let r = env.run(&args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(text), "{args:?}: {}", r.stderr);
    }
    env.ok(&["member", "withdraw", "2", "--date", "2021-01-20"]);
    let r = env.run(&["project", "join", "p", "2", "--role", "tester", "--date", "2021-02-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not a member on 2021-02-01"), "{}", r.stderr);
    env.ok(&["project", "stage", "p", "abandoned", "--date", "2021-03-01"]);
    let r = env.run(&["project", "stage", "p", "idea", "--date", "2021-03-02"]);
    assert!(r.code == 1 && r.stderr.contains("nothing comes back"), "{}", r.stderr);
    assert_eq!(env.events(), before + 2);
}

#[test]
fn the_demo_answers_who_takes_part_in_which_project_by_college_now_and_in_the_past() {
    let env = Env::new();
    env.ok(&["demo"]);
    let now = env.ok(&["involvement", "--json"]).json();
    assert!(now["members"].as_u64().unwrap() >= 60);
    let by_project = now["by_project"].as_array().unwrap();
    assert_eq!(by_project.len(), 15);
    let stages: std::collections::BTreeSet<&str> = by_project.iter().map(|p| p["stage"].as_str().unwrap()).collect();
    assert_eq!(stages.len(), 7, "every stage is represented: {stages:?}");
    assert!(by_project.iter().map(|p| p["partners"].as_u64().unwrap()).sum::<u64>() > 0);
    assert!(!now["not_involved"].as_array().unwrap().is_empty());
    assert_eq!(now["by_college"].as_array().unwrap().len(), 3);
    let past = env.ok(&["involvement", "--json", "--as-of", "2019-12-31"]).json();
    assert!(past["members"].as_u64() < now["members"].as_u64());
    assert!(past["by_project"].as_array().unwrap().len() < 15);
    let employees = env
        .ok(&["register", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["category"] == "employees" && r["status"] != "ended")
        .count();
    assert_eq!(employees, 5, "the hub employs 5");
}
