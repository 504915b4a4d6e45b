//! A whole general assembly through the real binary: convocation to minutes.

use crate::cli::Env;

const AGENDA: &str = r#"
[[resolution]]
title = "Approbation des comptes 2025"
kind = "ordinary"
board_approved = true

[[resolution]]
title = "Modification de l'article 12 des statuts"
kind = "extraordinary"
board_approved = true
amend = "st2.toml"

[[resolution]]
title = "Motion d'un membre <non agréée> & débattue"
kind = "ordinary"
board_approved = false

[[resolution]]
title = "Exclusion du membre 10"
kind = "extraordinary"
board_approved = true
exclude = 10
"#;

/// The statutes resolution 2 of [`AGENDA`] proposes: 21 days' notice, new college weights.
fn amended_statutes() -> String {
    coop::SAMPLE_STATUTES
        .replace("notice_days = 15", "notice_days = 21")
        .replacen("weight_percent = 30", "weight_percent = 20", 1)
        .replacen("weight_percent = 40", "weight_percent = 50", 1)
}

/// The agenda, with the statutes file it names beside it.
fn agenda_file(env: &Env) -> std::path::PathBuf {
    env.file("st2.toml", &amended_statutes());
    env.file("agenda.toml", AGENDA)
}

const A: &str = "ago-2026";
const LILAS: &str = "3 rue des Lilas, 39000 Lons-le-Saunier";

/// Parses an HTML page as XML: our pages are written to be well-formed.
fn well_formed(html: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(html, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() })
}

fn members(env: &Env) {
    for (cat, n) in [("employees", 3), ("beneficiaries", 4), ("volunteers", 3)] {
        for i in 0..n {
            let name = format!("{cat} {i}");
            // The first member has no e-mail: it is convened by post.
            let reach = if cat == "employees" && i == 0 { ["--address", LILAS] } else { ["--email", "x@example.org"] };
            env.ok(&["member", "admit", "--name", &name, "--category", cat, reach[0], reach[1], "--date", "2020-01-01"]);
        }
    }
}

#[test]
fn a_secretary_runs_an_assembly_from_convocation_to_minutes() {
    let env = Env::new();
    env.init();
    members(&env);
    let agenda = agenda_file(&env);
    let ag = agenda.to_str().unwrap();
    let convene = |sent: &str| {
        env.run(&[
            "assembly",
            "convene",
            A,
            "--kind",
            "ordinary",
            "--date",
            "2026-06-20",
            "--sent",
            sent,
            "--place",
            "Salle des fêtes",
            "--agenda",
            ag,
        ])
    };
    let r = convene("2026-06-10");
    assert_eq!(r.code, 1, "10 days is short notice: {}", r.stderr);
    assert!(r.stderr.contains("require 15"), "{}", r.stderr);
    assert_eq!(convene("2026-06-01").code, 0);
    let bad_agenda = env.file("bad.toml", "[[resolution]]\ntitle = \"x\"\nkind = \"sometimes\"\n");
    let r = env.run(&[
        "assembly",
        "convene",
        "x",
        "--kind",
        "ordinary",
        "--date",
        "2026-07-20",
        "--place",
        "P",
        "--agenda",
        bad_agenda.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    // A subject the agenda cannot name: a missing statutes file, an exclusion voted as ordinary.
    let bad_subjects = env.file(
        "subjects.toml",
        "[[resolution]]\ntitle = \"x\"\nkind = \"extraordinary\"\namend = \"missing.toml\"\n[[resolution]]\ntitle = \"y\"\nkind = \"ordinary\"\nexclude = 3\n",
    );
    let r = env.run(&[
        "assembly",
        "convene",
        "y",
        "--kind",
        "ordinary",
        "--date",
        "2026-07-20",
        "--place",
        "P",
        "--agenda",
        bad_subjects.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing.toml") && r.stderr.contains("line 8") && r.stderr.contains("extraordinary"), "{}", r.stderr);

    // Convocation pack. Someone the statutes do not entitle writes none of it.
    let refused = env.dir.path().join("refused-pack");
    let r = env.run(&["--actor", "nobody", "assembly", "convocations", A, "--out", refused.to_str().unwrap(), "--date", "2026-06-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!refused.exists(), "a refused sending writes no file");
    let out = env.dir.path().join("pack");
    env.ok(&["assembly", "convocations", A, "--out", out.to_str().unwrap(), "--date", "2026-06-01"]);
    let files = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(files, 10 * 2 + 1);
    let list = std::fs::read_to_string(out.join("mailing-list.csv")).unwrap();
    assert_eq!(list.lines().next(), Some("number,name,email,address,college"));
    assert_eq!(list.lines().count(), 11);
    let conv = std::fs::read_to_string(out.join("convocation-00001.html")).unwrap();
    well_formed(&conv).expect("a convocation is well-formed");
    assert!(conv.contains("Formulaire A") && conv.contains("Formulaire B") && conv.contains("17 juin 2026"), "postal deadline shown");
    // The pack shows what each resolution decides, and the text of the statutes proposed with
    // the SHA-256 the log recorded.
    let sha = coop::sha256_hex(amended_statutes().as_bytes());
    assert!(conv.contains(&sha) && conv.contains("notice_days = 21") && conv.contains("exclusion du membre n° 10"), "{conv}");
    // Member 1, without e-mail, is convened by post: its address heads its convocation and is
    // in the mailing list; a member with e-mail has no address line.
    assert!(conv.contains(&format!("Adresse postale : {LILAS}")), "{conv}");
    assert!(list.contains(&format!("1,employees 0,,\"{LILAS}\",")), "{list}");
    let other = std::fs::read_to_string(out.join("convocation-00002.md")).unwrap();
    assert!(!other.contains("Adresse postale"), "{other}");
    assert_eq!(env.run(&["assembly", "convocations", A, "--out", out.to_str().unwrap()]).code, 1, "already sent");

    // Proxies and postal votes before the meeting.
    env.ok(&["assembly", "proxy", A, "2", "--to", "1", "--date", "2026-06-10"]);
    let r = env.run(&["assembly", "proxy", A, "3", "--to", "2", "--date", "2026-06-10"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("one level of proxy"), "{}", r.stderr);
    env.ok(&["assembly", "proxy", A, "8", "--date", "2026-06-11"]);
    let r = env.run(&["assembly", "postal", A, "9", "--votes", "1=for,2=abstain", "--date", "2026-06-18"]);
    assert_eq!(r.code, 1, "after the deadline: {}", r.stderr);
    env.ok(&["assembly", "postal", A, "9", "--votes", "1=for,2=abstain", "--date", "2026-06-17"]);
    assert_eq!(env.run(&["assembly", "postal", A, "10", "--votes", "1=maybe"]).code, 2);

    // The meeting: attendance, officers, quorum, votes.
    for m in ["1", "4", "5"] {
        env.ok(&["assembly", "attend", A, m]);
    }
    env.ok(&["assembly", "attend", A, "6", "--remote"]);
    assert_eq!(env.run(&["assembly", "attend", A, "99"]).code, 2);
    env.ok(&["assembly", "officers", A, "--chair", "1", "--secretary", "4", "--scrutineer", "5"]);
    let q = env.ok(&["assembly", "quorum", A, "--json"]).json();
    let kinds = q.as_array().expect("a list when the agenda mixes kinds");
    assert_eq!(kinds.len(), 2);
    for key in ["kind", "convocation", "eligible", "present", "represented", "postal", "counted", "required", "reached"] {
        assert!(kinds[0].get(key).is_some(), "quorum lacks {key}");
    }
    assert_eq!(kinds[1]["counted"], 7, "4 present, 2 represented (one blank), 1 by post");
    for (n, m, c) in [
        ("1", "1", "for"),
        ("1", "2", "for"),
        ("1", "4", "against"),
        ("2", "1", "for"),
        ("2", "2", "for"),
        ("2", "4", "for"),
        ("2", "5", "for"),
        ("2", "6", "against"),
        ("3", "1", "for"),
        ("4", "1", "for"),
        ("4", "4", "for"),
        ("4", "5", "for"),
    ] {
        env.ok(&["assembly", "vote", A, n, m, c]);
    }
    let r = env.run(&["assembly", "vote", A, "1", "1", "against"]);
    assert_eq!(r.code, 1, "voting twice");
    assert!(r.stderr.contains("already voted"), "{}", r.stderr);
    assert_eq!(env.run(&["assembly", "vote", A, "9", "1", "for"]).code, 1, "no resolution 9");
    assert_eq!(env.run(&["assembly", "vote", A, "1", "3", "for"]).code, 1, "neither present nor represented");

    let res = env.ok(&["assembly", "result", A, "--json"]).json();
    assert_eq!(res["assembly"], A);
    let r2 = &res["resolutions"][1];
    for key in ["number", "title", "kind", "adopted", "for_share", "colleges"] {
        assert!(r2.get(key).is_some(), "result lacks {key}");
    }
    for key in ["code", "weight_percent", "for", "against", "abstain", "blank"] {
        assert!(r2["colleges"][0].get(key).is_some(), "college lacks {key}");
    }
    assert_eq!(r2["adopted"], true);
    // Resolution 3 was not approved by the board: the blank proxy votes against it.
    let supporters = res["resolutions"][2]["colleges"].as_array().unwrap().iter().find(|c| c["code"] == "supporters").unwrap().clone();
    assert_eq!(supporters["against"], 1);

    env.ok(&["assembly", "close", A]);
    let r = env.run(&["assembly", "attend", A, "7"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("closed"), "{}", r.stderr);

    // Documents.
    for (doc, lang) in [("sheet", "fr"), ("sheet", "en"), ("minutes", "fr"), ("minutes", "en")] {
        let md = env.ok(&["assembly", doc, A, "--lang", lang]).stdout;
        let html = env.ok(&["assembly", doc, A, "--format", "html", "--lang", lang]).stdout;
        let parsed = well_formed(&html).unwrap_or_else(|e| panic!("{doc} {lang} HTML is not well-formed: {e}"));
        let text: String = parsed.descendants().filter_map(|n| n.text()).collect();
        if doc == "minutes" {
            for title in
                ["Approbation des comptes 2025", "Modification de l'article 12 des statuts", "Motion d'un membre <non agréée> & débattue"]
            {
                assert!(text.contains(title), "{lang} minutes lack {title}");
                // In Markdown, text from the agenda is inert: no raw HTML.
                let inert = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
                assert!(md.contains(&inert), "{lang} Markdown minutes lack {inert}");
            }
            assert!(text.contains(if lang == "fr" { "ADOPTÉE" } else { "ADOPTED" }));
        } else {
            assert!(text.contains("employees 0"), "the sheet names members");
        }
    }
    // The minutes anchor the log: the closing's event number and hash, checked by verify.
    let minutes = env.ok(&["assembly", "minutes", A]).stdout;
    let after = |text: &str, key: &str| -> String {
        let i = text.find(key).unwrap_or_else(|| panic!("no '{key}' in the minutes: {text}")) + key.len();
        text[i..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
    };
    let (seq, hash) = (after(&minutes, "événement "), after(&minutes, "empreinte "));
    assert_eq!(hash.len(), 64, "{minutes}");
    env.ok(&["audit", "verify", "--expect", &format!("{seq}:{hash}")]);
    let sheet = env.ok(&["assembly", "sheet", A]).stdout;
    assert!(
        sheet.contains("représenté par le n° 1") && sheet.contains("vote par correspondance") && sheet.contains("| 1er juin 2026 |"),
        "{sheet}"
    );

    // Effects of the extraordinary resolutions: each decides what it names, once.
    let r = env.run(&["member", "exclude", "10", "--assembly", A, "--resolution", "1", "--date", "2026-06-21"]);
    assert_eq!(r.code, 1, "resolution 1 is ordinary");
    assert!(r.stderr.contains("extraordinary"), "{}", r.stderr);
    let r = env.run(&["member", "exclude", "9", "--assembly", A, "--resolution", "4"]);
    assert_eq!(r.code, 1, "a typo excludes no one");
    assert!(r.stderr.contains("excludes member 10, not member 9"), "{}", r.stderr);
    let r = env.run(&["member", "exclude", "10", "--assembly", A, "--resolution", "2"]);
    assert_eq!(r.code, 1, "the amendment excludes no one: {}", r.stderr);
    // Without --date, an exclusion is dated on the meeting that decided it.
    env.ok(&["member", "exclude", "10", "--assembly", A, "--resolution", "4"]);
    let excluded = env.ok(&["member", "show", "10", "--json"]).json();
    assert_eq!(excluded["member"]["ended"], "2026-06-20", "{excluded}");
    let before = env.ok(&["assembly", "result", A, "--json"]).json();
    // Another file than the one the assembly voted is refused, even with the same statutes.
    let other = env.file("st3.toml", &format!("{}\n# edited after the vote\n", amended_statutes()));
    let r = env.run(&["statutes", "amend", other.to_str().unwrap(), "--assembly", A, "--resolution", "2", "--date", "2026-06-21"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("SHA-256"), "{}", r.stderr);
    let amended = env.dir.path().join("st2.toml");
    env.ok(&["statutes", "amend", amended.to_str().unwrap(), "--assembly", A, "--resolution", "2", "--date", "2026-06-21"]);
    let r = env.run(&["statutes", "amend", amended.to_str().unwrap(), "--assembly", A, "--resolution", "2", "--date", "2026-06-22"]);
    assert_eq!(r.code, 1, "a resolution decides once: {}", r.stderr);
    assert!(r.stderr.contains("already carried out"), "{}", r.stderr);
    // The results kept for the closed assembly follow the statutes, as a fold of the log does.
    let after = env.ok(&["assembly", "result", A, "--json"]).json();
    assert_ne!(before, after, "new college weights change the weighted results");
    assert_eq!(after, env.ok(&["assembly", "result", A, "--json", "--as-of", "2026-11-28"]).json());
    let st = env.ok(&["statutes", "show", "--json"]).json();
    assert_eq!(st["statutes"]["assembly"]["notice_days"], 21);
    let old = env.ok(&["statutes", "show", "--json", "--as-of", "2026-06-20"]).json();
    assert_eq!(old["statutes"]["assembly"]["notice_days"], 15);
    env.ok(&["audit", "verify"]);
    env.ok(&["audit", "replay"]);
}

#[test]
fn the_demo_holds_an_assembly_with_proxies_and_postal_votes() {
    let env = Env::new();
    env.ok(&["demo"]);
    let q = env.ok(&["assembly", "quorum", "ago-2026", "--json"]).json();
    assert!(q["represented"].as_u64().unwrap() > 0 && q["postal"].as_u64().unwrap() > 0, "{q}");
    let res = env.ok(&["assembly", "result", "ago-2026", "--json"]).json();
    assert_eq!(res["closed"], true);
    assert_eq!(res["resolutions"].as_array().unwrap().len(), 4);
    let check = env.run(&["check", "--json"]).json();
    let codes: Vec<&str> = check["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(!codes.contains(&"annual_assembly_overdue") && !codes.contains(&"review_overdue"), "{codes:?}");
}

#[test]
fn under_a_secret_ballot_the_log_never_links_a_voter_to_a_choice() {
    let env = Env::new();
    let statutes = env.file("statutes.toml", &coop::SAMPLE_STATUTES.replace("secret_ballot = false", "secret_ballot = true"));
    env.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
    members(&env);
    let agenda = agenda_file(&env);
    env.ok(&[
        "assembly",
        "convene",
        A,
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
    for m in ["1", "2", "4", "5", "8"] {
        env.ok(&["assembly", "attend", A, m]);
    }
    env.ok(&["assembly", "officers", A, "--chair", "1", "--secretary", "2"]);
    let r = env.run(&["assembly", "vote", A, "1", "1", "for"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("secret"), "{}", r.stderr);
    for m in ["1", "2", "4", "5", "8"] {
        env.ok(&["assembly", "vote", A, "1", m]);
    }
    let r = env.run(&["assembly", "close", A]);
    assert_eq!(r.code, 1, "ballots not counted: {}", r.stderr);
    env.ok(&["assembly", "ballots", A, "1", "--college", "workers", "--for", "1", "--against", "1"]);
    let r = env.run(&["assembly", "ballots", A, "1", "--college", "users", "--for", "3"]);
    assert_eq!(r.code, 1, "two users voted: {}", r.stderr);
    env.ok(&["assembly", "ballots", A, "1", "--college", "users", "--for", "2"]);
    env.ok(&["assembly", "ballots", A, "1", "--college", "supporters", "--blank", "1"]);
    env.ok(&["assembly", "close", A, "--not-put-to-vote", "2", "--not-put-to-vote", "3", "--not-put-to-vote", "4"]);
    let res = env.ok(&["assembly", "result", A, "1", "--json"]).json();
    assert_eq!(res["resolutions"][0]["adopted"], true);
    let roll = env.ok(&["assembly", "roll", A, "--json"]).json();
    assert_eq!(roll["roll"][0]["voted"], serde_json::json!([1]), "the roll shows who voted");
    let export = env.ok(&["export", "events"]).stdout;
    for line in export.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let e = &v["body"]["event"];
        assert_ne!(e["type"], "vote_cast");
        if e["type"] == "voter_marked" {
            assert!(e.get("choice").is_none(), "{e}");
        }
        if e["type"] == "ballots_counted" {
            assert!(e.get("member").is_none(), "{e}");
        }
    }
}

/// The law around the votes, through the binary: proxies dated after the convening, revoked and
/// replaced; convocations recorded within the notice; the roll closed on the convening date; an
/// assembly without quorum closing with minutes that say it could not deliberate; a second
/// convocation on the same agenda counting the first's proxies and postal forms; a resolution
/// not put to the vote said so.
#[test]
fn a_first_convocation_without_quorum_and_its_second_follow_the_law() {
    let env = Env::new();
    env.init();
    members(&env);
    let agenda = env.file(
        "simple.toml",
        "[[resolution]]\ntitle = \"Comptes 2025\"\nkind = \"ordinary\"\naccounts = 2025\n\n[[resolution]]\ntitle = \"Questions diverses\"\nkind = \"ordinary\"\n",
    );
    let ag = agenda.to_str().unwrap();
    let convene = |slug: &str, date: &str, sent: &str, agenda: &str, second_of: Option<&str>| {
        let mut args =
            vec!["assembly", "convene", slug, "--kind", "ordinary", "--date", date, "--sent", sent, "--place", "Lons", "--agenda", agenda];
        if let Some(f) = second_of {
            args.extend(["--second-of", f]);
        }
        env.run(&args)
    };
    assert_eq!(convene("ago", "2026-06-20", "2026-06-01", ag, None).code, 0);

    // A proxy dated before the convening is refused.
    let r = env.run(&["assembly", "proxy", "ago", "2", "--to", "1", "--date", "2026-05-20"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Convocations recorded too late for the notice are refused, and write no file.
    let late = env.dir.path().join("late-pack");
    let r = env.run(&["assembly", "convocations", "ago", "--out", late.to_str().unwrap(), "--date", "2026-06-10"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("notice"), "{}", r.stderr);
    assert!(!late.exists());
    let pack = env.dir.path().join("pack");
    env.ok(&["assembly", "convocations", "ago", "--out", pack.to_str().unwrap(), "--date", "2026-06-02"]);
    // Admitted after the convening: not on this assembly's roll.
    env.ok(&["member", "admit", "--name", "Latecomer", "--category", "beneficiaries", "--date", "2026-06-03"]);
    let r = env.run(&["assembly", "proxy", "ago", "11", "--to", "1", "--date", "2026-06-04"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("after the roll was closed on 2026-06-01"), "{}", r.stderr);

    // A proxy revoked and given again before the meeting (R. 225-79).
    env.ok(&["assembly", "proxy", "ago", "2", "--to", "1", "--date", "2026-06-05"]);
    assert_eq!(env.run(&["assembly", "proxy", "ago", "2", "--to", "3", "--date", "2026-06-06"]).code, 1, "one proxy at a time");
    env.ok(&["assembly", "revoke-proxy", "ago", "2", "--date", "2026-06-06"]);
    assert_eq!(env.run(&["assembly", "revoke-proxy", "ago", "2", "--date", "2026-06-06"]).code, 1, "nothing left to revoke");
    env.ok(&["assembly", "proxy", "ago", "2", "--to", "3", "--date", "2026-06-07"]);
    env.ok(&["assembly", "postal", "ago", "9", "--votes", "1=for", "--date", "2026-06-10"]);

    // Nobody comes: 1 postal form of 10 members, below the fifth. The bureau closes the meeting.
    let r = env.run(&["assembly", "close", "ago"]);
    assert_eq!(r.code, 1, "officers first: {}", r.stderr);
    env.ok(&["assembly", "officers", "ago", "--chair", "1", "--secretary", "4"]);
    env.ok(&["assembly", "close", "ago"]);
    let minutes = env.ok(&["assembly", "minutes", "ago"]).stdout;
    assert!(minutes.contains("n'a pu valablement délibérer") && !minutes.contains("met aux voix"), "{minutes}");
    assert!(!minutes.contains("REJETÉE"), "{minutes}");

    // The second convocation puts the same agenda, with ten days' notice.
    let other = env.file("other.toml", "[[resolution]]\ntitle = \"Comptes 2025\"\nkind = \"ordinary\"\naccounts = 2025\n");
    let r = convene("ago-2", "2026-07-01", "2026-06-21", other.to_str().unwrap(), Some("ago"));
    assert_eq!(r.code, 1, "another agenda: {}", r.stderr);
    assert_eq!(convene("ago-2", "2026-07-01", "2026-06-21", ag, Some("ago")).code, 0);
    // The first's proxy (2 to 3) and postal form (9) count at the second.
    env.ok(&["assembly", "attend", "ago-2", "3"]);
    env.ok(&["assembly", "officers", "ago-2", "--chair", "3", "--secretary", "3"]);
    let q = env.ok(&["assembly", "quorum", "ago-2", "--json"]).json();
    assert_eq!((q["present"].as_u64(), q["represented"].as_u64(), q["postal"].as_u64()), (Some(1), Some(1), Some(1)), "{q}");
    env.ok(&["assembly", "vote", "ago-2", "1", "3", "for"]);
    env.ok(&["assembly", "vote", "ago-2", "1", "2", "for"]);
    let r = env.run(&["assembly", "close", "ago-2"]);
    assert_eq!(r.code, 1, "resolution 2 was not voted on: {}", r.stderr);
    // The library says what is wrong; the command line adds which of its commands helps.
    assert!(
        r.stderr.contains("nobody voted on resolution 2")
            && r.stderr.contains("hint: close with `coop assembly close SLUG --not-put-to-vote N`"),
        "{}",
        r.stderr
    );
    env.ok(&["assembly", "close", "ago-2", "--not-put-to-vote", "2"]);
    let res = env.ok(&["assembly", "result", "ago-2", "--json"]).json();
    let for_total: u64 = res["resolutions"][0]["colleges"].as_array().unwrap().iter().map(|c| c["for"].as_u64().unwrap()).sum();
    assert_eq!(for_total, 3, "3 present, 2 by proxy, 9 by its postal form to the first: {res}");
    assert_eq!(res["resolutions"][1]["put_to_vote"], false);
    assert_eq!(res["resolutions"][1]["adopted"], false);
    let minutes = env.ok(&["assembly", "minutes", "ago-2"]).stdout;
    assert!(minutes.contains("n'a pas été mise aux voix") && minutes.contains("seconde convocation"), "{minutes}");
    env.ok(&["audit", "verify"]);
}

/// A SARL's statutes count an extraordinary resolution's votes among the members taking part:
/// an abstention counts against, and `assembly result` says which base it used.
#[test]
fn a_sarls_result_counts_abstentions_against_where_an_sas_does_not() {
    let result = |form: &str| {
        let env = Env::new();
        let statutes =
            env.file("statutes.toml", &coop::SAMPLE_STATUTES.replace("legal_form = \"sas\"", &format!("legal_form = \"{form}\"")));
        env.ok(&["init", "--statutes", statutes.to_str().unwrap()]);
        members(&env);
        let agenda = env.file("age.toml", "[[resolution]]\ntitle = \"Transformation\"\nkind = \"extraordinary\"\n");
        env.ok(&[
            "assembly",
            "convene",
            A,
            "--kind",
            "extraordinary",
            "--date",
            "2026-06-20",
            "--sent",
            "2026-06-01",
            "--place",
            "Lons",
            "--agenda",
            agenda.to_str().unwrap(),
        ]);
        for m in ["1", "2", "4", "5", "8"] {
            env.ok(&["assembly", "attend", A, m]);
        }
        env.ok(&["assembly", "officers", A, "--chair", "1", "--secretary", "2"]);
        for (m, c) in [("1", "for"), ("2", "for"), ("4", "for"), ("5", "against"), ("8", "abstain")] {
            env.ok(&["assembly", "vote", A, "1", m, c]);
        }
        env.ok(&["assembly", "result", A, "1", "--json"]).json()["resolutions"][0].clone()
    };
    // Workers 30 % all for, users 40 % half for, supporters 30 % abstaining.
    let sas = result("sas");
    assert_eq!(
        (sas["majority_base"].as_str(), sas["for_share_exact"].as_str(), sas["adopted"].as_bool()),
        (Some("cast"), Some("5/7"), Some(true))
    );
    let sarl = result("sarl");
    assert_eq!(
        (sarl["majority_base"].as_str(), sarl["for_share_exact"].as_str(), sarl["adopted"].as_bool()),
        (Some("present"), Some("1/2"), Some(false))
    );
}
