//! Hostile input through the real binary: for every parser, a corpus of damaged, absurd and
//! oversized inputs; each must give exit 2 (3 for a broken chain) with a message, no panic, and
//! nothing written.

use crate::cli::Env;

fn corpus_text() -> Vec<(String, Vec<u8>)> {
    let mut c: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("nul bytes".into(), vec![0; 64]),
        ("invalid utf-8".into(), vec![0xff, 0xfe, 0xfd, b'\n', 0xc3, 0x28]),
        ("bom only".into(), "\u{feff}".into()),
        ("random bytes".into(), (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()),
        ("one huge line".into(), vec![b'a'; 5 * 1024 * 1024]),
        ("deep brackets".into(), format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into()),
        ("deep json".into(), format!("{}{}", "{\"a\":".repeat(20_000), "}".repeat(20_000)).into()),
        ("many newlines".into(), "\n".repeat(100_000).into()),
        ("control chars".into(), "\u{1b}[31m\u{7}\r\r\n".into()),
        ("formula".into(), "=cmd|' /C calc'!A0\n".into()),
    ];
    for (name, text) in [
        ("toml number overflow", "min_shares = 99999999999999999999999999\n"),
        ("toml nan", "x = nan\ny = inf\n"),
        ("toml duplicate keys", "name = \"a\"\nname = \"b\"\n"),
        ("toml wrong types", "legal_form = 3\nfounded = 2016-06-30\n[capital]\nfloor_fraction = 0.25\n"),
        ("csv unbalanced quotes", "name,category,shares,admitted\n\"A,employees,1,2020-01-01\n"),
        ("csv 10000 columns", &format!("{}\n", (0..10_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(","))),
        (
            "csv absurd values",
            "name,category,shares,admitted,paid_euros\nA,employees,-1,9999-99-99,1e9\nB,employees,18446744073709551616,2020-02-30,NaN\n",
        ),
        ("jsonl wrong header", "{\"coop_export\":2,\"events\":0,\"head_hash\":\"x\"}\n"),
        ("jsonl header only with count", "{\"coop_export\":1,\"events\":5,\"head_hash\":\"x\"}\n"),
        ("jsonl forged record", "{\"coop_export\":1,\"events\":1,\"head_hash\":\"ab\"}\n{\"hash\":\"ab\",\"body\":{\"v\":1}}\n"),
    ] {
        c.push((name.to_string(), text.as_bytes().to_vec()));
    }
    c
}

#[test]
fn every_parser_refuses_hostile_files_cleanly_and_writes_nothing() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2020-01-01"]);
    let events = env.events();
    let mut cases = 0;
    for (i, (name, bytes)) in corpus_text().into_iter().enumerate() {
        let path = env.dir.path().join(format!("hostile-{i}"));
        std::fs::write(&path, &bytes).unwrap();
        let p = path.to_str().unwrap();
        let fresh = env.dir.path().join(format!("fresh-{i}.db"));
        let runs: Vec<(Vec<&str>, Option<&std::path::Path>)> = vec![
            (vec!["statutes", "check", p], None),
            (vec!["init", "--statutes", p], Some(&fresh)),
            (vec!["import", "members", p], None),
            (vec!["assembly", "convene", "x", "--kind", "ordinary", "--date", "2026-12-31", "--place", "P", "--agenda", p], None),
            (vec!["import", "events", p], Some(&fresh)),
        ];
        for (args, store) in runs {
            let r = match store {
                Some(s) => env.run_on(s, &args),
                None => env.run(&args),
            };
            assert!(!r.stderr.contains("panicked"), "{name}: coop {args:?} panicked: {}", r.stderr);
            assert!(r.code == 2 || r.code == 3, "{name}: coop {args:?} exited {}: {}", r.code, r.stderr);
            assert!(r.stderr.starts_with("coop: ") && r.stderr.len() < 200_000, "{name}: {args:?}: a clear, bounded message");
            if let Some(s) = store {
                assert!(!s.exists(), "{name}: {args:?} left a store behind");
            }
            cases += 1;
        }
    }
    assert_eq!(env.events(), events, "nothing was written");
    eprintln!("{cases} hostile files refused");
}

#[test]
fn hostile_command_line_values_are_refused_with_exit_2() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "A", "--category", "employees", "--date", "2020-01-01"]);
    let events = env.events();
    let long = "9".repeat(10_000);
    let cases: Vec<Vec<&str>> = vec![
        vec!["member", "admit", "--name", "X", "--category", "employees", "--date", "2020-02-30"],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--date", "+002020-01-01"],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--date", &long],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--paid", "-5"],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--paid", "1e3"],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--paid", &long],
        vec!["member", "admit", "--name", "X", "--category", "employees", "--shares", &long],
        vec!["member", "admit", "--name", "X\u{7}", "--category", "employees"],
        vec!["member", "admit", "--name", &long, "--category", "employees"],
        vec!["member", "admit", "--name", "X", "--category", &long],
        vec!["member", "show", "-1"],
        vec!["member", "show", "0"],
        vec!["member", "show", &long],
        vec!["member", "show", "01ARZ3NDEKTSV4RRFFQ69G5FA"],
        vec!["shares", "pay", "1", "--amount", "0"],
        vec!["shares", "transfer", "1", "1", "--count", "1"],
        vec!["project", "create", "../../etc", "--name", "x"],
        vec!["project", "create", "UPPER", "--name", "x"],
        vec!["project", "create", &long, "--name", "x"],
        vec!["assembly", "vote", "x", "1", "1", "perhaps"],
        vec!["assembly", "postal", "x", "1", "--votes", "1=for,=,2"],
        vec!["--as-of", "yesterday", "register"],
        vec!["register", "--format", "xml"],
    ];
    for args in &cases {
        let r = env.run(args);
        assert_eq!(r.code, 2, "coop {args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}");
    }
    assert_eq!(env.events(), events);
    eprintln!("{} hostile command lines refused", cases.len());
}

#[test]
fn very_large_inputs_are_refused_without_reading_them_whole() {
    let env = Env::new();
    env.init();
    // A 100 MB spreadsheet (sparse, so the test stays fast) is refused by its size.
    let big = env.dir.path().join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let r = env.run(&["import", "members", big.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at most 16 MiB"), "{}", r.stderr);
    // A device that says it is empty and never ends: the bytes read are capped, not the size.
    if std::path::Path::new("/dev/zero").exists() {
        let r = env.run(&["import", "members", "/dev/zero"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("at most 16 MiB"), "{}", r.stderr);
    }
    // An agenda of 10,000 resolutions is refused.
    let agenda: String = (0..10_000).map(|i| format!("[[resolution]]\ntitle = \"R{i}\"\nkind = \"ordinary\"\n")).collect();
    let path = env.file("agenda.toml", &agenda);
    let r = env.run(&[
        "assembly",
        "convene",
        "x",
        "--kind",
        "ordinary",
        "--date",
        "2026-12-31",
        "--place",
        "P",
        "--agenda",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at most 1000"), "{}", r.stderr);
}

#[test]
fn names_cannot_inject_into_documents_spreadsheets_or_the_command_line() {
    let env = Env::new();
    env.init();
    env.ok(&["member", "admit", "--name", "<script>alert(1)</script>", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["member", "admit", "--name", "[clic](javascript:alert(1))", "--category", "employees", "--date", "2016-07-01"]);
    env.ok(&["member", "admit", "--name", "=HYPERLINK(\"http://x\",\"y\")", "--category", "employees", "--date", "2016-07-01"]);
    let md = env.ok(&["register", "--format", "md"]).stdout;
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"), "{md}");
    assert!(!md.contains("[clic](") && md.contains("\\[clic\\]"), "{md}");
    let csv = env.ok(&["register", "--format", "csv"]).stdout;
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.lines().any(|l| l.split(',').any(|c| c.trim_matches('"').starts_with('='))), "{csv}");
    // Actors and command ids: one printable line, bounded.
    let before = env.events();
    let long = "x".repeat(120_000);
    for args in [
        vec!["--actor", long.as_str(), "review"],
        vec!["--actor", "secretary\nmallory", "review"],
        vec!["--command-id", "a\nb", "review"],
        vec!["--command-id", long.as_str(), "review"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 2, "{}", r.stderr);
    }
    assert_eq!(env.events(), before);
    // A query pointed at a directory that is not a store creates nothing in it.
    let plain = env.dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let r = env.run_on(&plain, &["capital"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&plain).unwrap().count(), 0, "nothing was created in {}", plain.display());
}
