//! Officers' signing keys through the real binary: who signs their acts, what is refused without
//! the key, what `audit verify` finds when a signature is stripped or forged, and signed seals.

use crate::cli::Env;
use crate::{edit_record_in_place, open_sled};

fn admit(name: &str) -> Vec<String> {
    ["member", "admit", "--name", name, "--category", "employees", "--date", "2026-01-10"].iter().map(|s| s.to_string()).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn an_officer_who_registered_a_key_signs_every_act_and_verify_checks_each_signature() {
    let env = Env::new();
    env.init();
    // Without keys, acts are not authenticated, and `check` says so.
    assert!(env.run(&["check"]).stdout.contains("acts are not authenticated"));
    assert_eq!(env.run(&["check", "--json"]).json()["acts_authenticated"], false);
    let key = env.dir.path().join("keys").join("secretary.key");
    let k = key.to_str().unwrap();
    // Someone else cannot register the secretary's key, and a refusal writes no key file.
    let before = env.events();
    let r = env.run(&["--actor", "mallory", "officer", "key", "new", "secretary", "--out", k]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!key.exists(), "a refused registration leaves no key file");
    assert_eq!(env.events(), before);
    let out = env.ok(&["officer", "key", "new", "secretary", "--out", k]).stdout;
    assert!(out.contains("secretary signs their acts with key"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "readable by its owner only");
    }
    assert!(env.run(&["officer", "key", "new", "secretary", "--out", k]).code != 0, "a key file is never overwritten");

    // An unsigned act in the secretary's name is refused, naming the flag; nothing is written.
    let before = env.events();
    let r = env.run(&strs(&admit("A")));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--key"), "{}", r.stderr);
    assert_eq!(env.events(), before);
    // Signed with the key, by the flag or by COOP_KEY.
    let mut signed = vec!["--key".to_string(), k.to_string()];
    signed.extend(admit("A"));
    env.ok(&strs(&signed));
    let r = env.run_with(&env.store(), &[("COOP_KEY", k)], &strs(&admit("B")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Acting as the secretary with another officer's key: refused (the forged actor).
    env.ok(&["--key", k, "officer", "appoint", "Bob", "--office", "secretary"]);
    let bob = env.dir.path().join("bob.key");
    env.ok(&["--actor", "Bob", "officer", "key", "new", "Bob", "--out", bob.to_str().unwrap()]);
    let r = env.run(&["--actor", "secretary", "--key", bob.to_str().unwrap(), "member", "admit", "--name", "C", "--category", "employees"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not the one registered for 'secretary'"), "{}", r.stderr);
    let r = env.run(&["--key", env.file("junk.key", "hello").to_str().unwrap(), "capital"]);
    assert_eq!(r.code, 2, "a file that is not a key: {}", r.stderr);

    // Verify checks every signature; `check` names who signs.
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
    let check = env.run(&["check", "--json"]).json();
    assert_eq!(check["signing_officers"], serde_json::json!(["Bob", "secretary"]));
    assert!(env.ok(&["log", "--json"]).stdout.contains("signed_by"));

    // A signed seal, checked by verify; an altered signature fails it (exit 3).
    let seal = env.ok(&["--key", k, "audit", "seal"]).stdout;
    // Signed by the secretary, named by their party id (no name of a person in a seal either).
    let founder = env.ok(&["log", "--json"]).json()[0]["actor"].as_str().unwrap().to_string();
    assert!(seal.contains(&format!("officer=\"{founder}\"")) && seal.contains(" sig="), "{seal}");
    let seals = env.file("seals.txt", &seal);
    env.ok(&["audit", "verify", "--expect-file", seals.to_str().unwrap()]);
    let sig = seal.trim().rsplit_once(" sig=").unwrap().1;
    let flipped: String = sig.chars().rev().collect();
    let bad = env.file("bad-seals.txt", &seal.replace(sig, &flipped));
    let r = env.run(&["audit", "verify", "--expect-file", bad.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    // A seal signed with a key not registered for that officer is refused when made.
    assert_eq!(env.run(&["--key", bob.to_str().unwrap(), "audit", "seal"]).code, 1);

    // A new key is registered under the old one; the old one then signs nothing.
    let new = env.dir.path().join("secretary-2.key");
    assert_eq!(env.run(&["officer", "key", "new", "secretary", "--out", new.to_str().unwrap()]).code, 1, "unsigned rotation");
    assert!(!new.exists());
    env.ok(&["--key", k, "officer", "key", "new", "secretary", "--out", new.to_str().unwrap()]);
    let mut old = vec!["--key".to_string(), k.to_string()];
    old.extend(admit("D"));
    assert_eq!(env.run(&strs(&old)).code, 1);
    let mut fresh = vec!["--key".to_string(), new.to_str().unwrap().to_string()];
    fresh.extend(admit("D"));
    env.ok(&strs(&fresh));
    assert_eq!(env.ok(&["audit", "verify", "--json"]).json()["ok"], true);
}

#[test]
fn a_stripped_or_forged_signature_is_found_by_verify() {
    if crate::on_postgres("a_stripped_or_forged_signature_is_found_by_verify") {
        return;
    }
    let env = Env::new();
    env.init();
    let key = env.dir.path().join("s.key");
    let k = key.to_str().unwrap();
    env.ok(&["officer", "key", "new", "secretary", "--out", k]);
    for name in ["A", "B"] {
        let mut args = vec!["--key".to_string(), k.to_string()];
        args.extend(admit(name));
        env.ok(&strs(&args));
    }
    let head = env.events();
    let original = env.dir.path().join("original");
    crate::copy_dir(&env.store(), &original);
    // The signature of the last event stripped (as if written without coop, in her name).
    {
        let db = open_sled(&env.store());
        edit_record_in_place(&env.store(), &db.open_tree("log").unwrap(), head, |r| {
            let at = r.find(",\"key\":").expect("a signed record");
            format!("{}}}", &r[..at])
        });
        db.flush().unwrap();
    }
    let r = env.run(&["audit", "verify", "--json"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    let report = r.json();
    assert_eq!(report["first_bad_seq"], head);
    assert!(report["problem"].as_str().unwrap().contains("not signed"), "{report}");
    // One digit of the signature changed: it no longer verifies.
    let restored = env.dir.path().join("forged");
    crate::copy_dir(&original, &restored);
    {
        let db = open_sled(&restored);
        edit_record_in_place(&restored, &db.open_tree("log").unwrap(), head, |r| {
            let at = r.find(",\"sig\":\"").expect("a signed record") + 8;
            let mut s = r.to_string();
            let c = if &s[at..at + 1] == "0" { "1" } else { "0" };
            s.replace_range(at..at + 1, c);
            s
        });
        db.flush().unwrap();
    }
    let r = env.run_on(&restored, &["audit", "verify", "--json"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.json()["problem"].as_str().unwrap().contains("signature"), "{}", r.stdout);
}

#[test]
fn signatures_travel_with_exports_and_backups() {
    let env = Env::new();
    env.init();
    let key = env.dir.path().join("s.key");
    let k = key.to_str().unwrap();
    env.ok(&["officer", "key", "new", "secretary", "--out", k]);
    let mut args = vec!["--key".to_string(), k.to_string()];
    args.extend(admit("A"));
    env.ok(&strs(&args));
    let export = env.ok(&["export", "events"]).stdout;
    assert_eq!(export.matches("\"sig\":").count(), 3, "the registration and the admission's two events are signed");
    let file = env.file("events.jsonl", &export);
    let other = env.dir.path().join("imported.db");
    let r = env.run_on(&other, &["import", "events", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run_on(&other, &["audit", "verify", "--json"]).json()["ok"], true);
    // An export whose last record lost its signature: import and `verify --export` refuse it.
    let last = export.trim_end().rsplit_once('\n').unwrap().1;
    let stripped_last = format!("{}}}", &last[..last.find(",\"key\":").unwrap()]);
    let stripped = env.file("stripped.jsonl", &export.replace(last, &stripped_last));
    let r = env.run_on(&env.dir.path().join("x.db"), &["import", "events", stripped.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("not signed"), "{}", r.stderr);
    let r = env.run(&["audit", "verify", "--export", stripped.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    // The imported store knows the secretary signs: unsigned acts are refused there too.
    assert_eq!(env.run_on(&other, &strs(&admit("B"))).code, 1);
    let backup = env.dir.path().join("b.coop");
    env.ok(&["--key", k, "backup", backup.to_str().unwrap()]);
    let restored = env.dir.path().join("restored.db");
    let r = env.run_on(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run_on(&restored, &["audit", "verify", "--json"]).json()["ok"], true);
}
