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

[[resolution]]
title = "Motion d'un membre <non agréée> & débattue"
kind = "ordinary"
board_approved = false
"#;

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
    let agenda = env.file("agenda.toml", AGENDA);
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
        sheet.contains("représenté par le n° 1") && sheet.contains("vote par correspondance") && sheet.contains("2026-06-01"),
        "{sheet}"
    );

    // Effects of the extraordinary resolution.
    let r = env.run(&["member", "exclude", "10", "--assembly", A, "--resolution", "1", "--date", "2026-06-21"]);
    assert_eq!(r.code, 1, "resolution 1 is ordinary");
    assert!(r.stderr.contains("extraordinary"), "{}", r.stderr);
    // Without --date, an exclusion is dated on the meeting that decided it.
    env.ok(&["member", "exclude", "10", "--assembly", A, "--resolution", "2"]);
    let excluded = env.ok(&["member", "show", "10", "--json"]).json();
    assert_eq!(excluded["member"]["ended"], "2026-06-20", "{excluded}");
    let before = env.ok(&["assembly", "result", A, "--json"]).json();
    let amended = coop::SAMPLE_STATUTES
        .replace("notice_days = 15", "notice_days = 21")
        .replacen("weight_percent = 30", "weight_percent = 20", 1)
        .replacen("weight_percent = 40", "weight_percent = 50", 1);
    let amended = env.file("st2.toml", &amended);
    env.ok(&["statutes", "amend", amended.to_str().unwrap(), "--assembly", A, "--resolution", "2", "--date", "2026-06-21"]);
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
    let agenda = env.file("agenda.toml", AGENDA);
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
    env.ok(&["assembly", "close", A]);
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
