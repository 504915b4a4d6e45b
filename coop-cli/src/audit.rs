//! `coop audit …`, and what moves a whole store in or out: `import events`, `backup`,
//! `restore`. Parsing and printing only; the checks are `coop_store`'s.

use std::path::Path;
use std::process::ExitCode;

use coop_store::{Error as StoreError, Store};
use serde_json::json;

use crate::args::AuditCmd;
use crate::{open_bulk, open_existing, open_existing_bulk, open_existing_check, output, read_file, Bar, Ctx, Failure, Out};

pub fn run(ctx: &Ctx, path: &Path, cmd: AuditCmd) -> Out {
    match cmd {
        AuditCmd::Verify { accept_head, mut expect, expect_file, export } => {
            if let Some(f) = expect_file {
                for (i, line) in read_file(&f, "anchors file")?.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    expect.push(line.parse().map_err(|e| Failure::input(format!("{} line {}: {e}", f.display(), i + 1)))?);
                }
            }
            if let Some(file) = export {
                return verify_export(ctx, &file, &expect);
            }
            open_existing_check(path)?;
            let store = Store::open_for_audit(path)?;
            let _bar = Bar::on(ctx, &store);
            let code = verify(ctx, &store, accept_head)?;
            let failed = store.check_anchors(&expect)?;
            anchors_out(&failed, expect.len())?;
            Ok(if failed.is_empty() { code } else { ExitCode::from(3) })
        }
        AuditCmd::Seal => {
            let store = open_existing(path)?;
            let head = store.head();
            let state = store.state()?;
            let name = state.statutes.as_ref().map(|st| st.name.clone()).unwrap_or_default();
            // A signed seal is signed by an officer (by their party id) with the key they registered.
            let officer = store.officer_key(&state, &ctx.actor)?.unwrap_or_else(|| ctx.actor.trim().to_string());
            let registered = state.keys.get(&officer).cloned();
            let officer = officer.as_str();
            let signer = match &ctx.key {
                Some(key) if registered.as_deref() == Some(key.public_hex().as_str()) => Some((officer, key)),
                Some(_) => {
                    return Err(Failure::rule(format!(
                        "the key given is not the one '{officer}' registered: a seal is signed by an officer with their own key (--actor NAME --key FILE)"
                    )))
                }
                None => None,
            };
            let line = coop_store::seal_line(&head, ctx.today, &name, signer);
            if ctx.cli_json {
                let anchor: coop_store::Anchor = line.parse().map_err(Failure::input)?;
                output::json(&json!({"seal": 1, "cooperative": name, "seq": head.seq, "hash": head.hash, "date": ctx.today,
                    "signed": anchor.signed.is_some(), "signature": anchor.signed, "line": line}))?;
            } else {
                println!("{line}");
                let how = if signer.is_some() {
                    format!("signed by {officer}")
                } else {
                    "unsigned: give an officer's registered key (--key) to sign it".to_string()
                };
                eprintln!("keep this line outside the store; `coop audit verify --expect-file FILE` checks the log against it ({how}).");
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Repair => {
            open_existing_check(path)?;
            let store = open_bulk(path)?;
            let _bar = Bar::on(ctx, &store);
            let report = store.repair()?;
            if !report.ok {
                return Err(Failure {
                    rule: None,
                    code: 3,
                    message: format!(
                        "not repaired: {}{}; restore the store from a backup (`coop --store NEW restore FILE`)",
                        report.first_bad_seq.map(|s| format!("event {s}: ")).unwrap_or_default(),
                        report.problem.unwrap_or_default()
                    ),
                });
            }
            println!(
                "repaired: the state kept beside the log was rebuilt from its {}; head hash {}",
                events(report.events),
                report.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Replay => {
            let store = open_existing_bulk(path)?;
            let _bar = Bar::on(ctx, &store);
            replay(ctx, &store)
        }
    }
}

/// Reads `file` into the store at `path`, which must hold nothing yet, with `fill`: all of it or
/// nothing, and a store created for it is removed again when it fails.
fn into_new_store<T>(
    ctx: &Ctx,
    path: &Path,
    file: &Path,
    fill: impl FnOnce(&Store, std::fs::File) -> Result<T, StoreError>,
) -> Result<T, Failure> {
    let f = std::fs::File::open(file).map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
    // A cooperative in a database is left as it was by a failed import (one transaction).
    let existed = coop_store::is_database_url(path) || path.exists();
    let store = open_bulk(path)?;
    let bar = Bar::on(ctx, &store);
    let result = fill(&store, f);
    drop(bar);
    result.map_err(|e| {
        drop(store);
        if !existed {
            // The store was created for this: leave nothing behind.
            let _ = std::fs::remove_dir_all(path);
        }
        let mut f = Failure::from(e);
        f.message = format!("{}: {}; nothing was written", file.display(), f.message);
        f
    })
}

fn verify(ctx: &Ctx, store: &Store, accept_head: bool) -> Out {
    let started = std::time::Instant::now();
    let report = if accept_head { store.verify_accepting_head()? } else { store.verify()? };
    let secs = started.elapsed().as_secs_f64();
    if ctx.cli_json {
        output::json(
            &json!({"events": report.events, "head_hash": report.head_hash, "ok": report.ok, "first_bad_seq": report.first_bad_seq, "problem": report.problem, "remedy": report.remedy, "kept_state_matches": report.kept_state_matches, "personal": report.personal, "seconds": secs}),
        )?;
    } else if report.ok {
        let rate = if secs > 0.0 { report.events as f64 / secs } else { 0.0 };
        println!(
            "ok: {} verified in {:.1} ms ({:.0} events/s)\nhead hash {}",
            coop_core::count(report.events, "event", "events"),
            secs * 1000.0,
            rate,
            report.head_hash
        );
        if let Some(p) = &report.personal {
            println!(
                "personal data: {} the digests in the log, {} erased{}",
                coop_core::count(p.checked, "party matches", "parties match"),
                p.erased,
                if p.orphans > 0 {
                    format!(
                        ", {} for parties the log does not name (left by writes that never committed)",
                        coop_core::count(p.orphans, "entry", "entries")
                    )
                } else {
                    String::new()
                }
            );
            if p.from_export {
                println!(
                    "({} no personal data: the store was imported from an export, which holds none)",
                    coop_core::count(p.missing, "party has", "parties have")
                );
            }
        }
    } else if report.first_bad_seq.is_none() {
        println!("the log's chain is sound ({}, head hash {}), but:", events(report.events), report.head_hash);
        if report.kept_state_matches == Some(false) {
            println!("  the state kept beside the log is not the fold of the log: rebuild it with `coop audit repair`");
        }
        for line in report.personal.iter().flat_map(|p| p.problems.iter()) {
            println!("  personal data: {line}");
        }
        println!("until a verify finds the store sound, it takes no command");
    } else {
        println!(
            "BROKEN at event {}: {}\n{} verified before it; last good hash {}",
            report.first_bad_seq.unwrap_or(0),
            report.problem.clone().unwrap_or_default(),
            events(report.events),
            report.head_hash
        );
        if let Some(remedy) = report.remedy {
            println!("hint: {}", crate::failure::remedy_hint(remedy));
        }
    }
    Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

/// Says which anchors failed (on stderr, each with why), if any were given.
fn anchors_out(failed: &[(coop_store::Anchor, String)], given: usize) -> Result<(), Failure> {
    if given == 0 {
        return Ok(());
    }
    if failed.is_empty() {
        eprintln!("{given} anchors match the log");
    }
    for (_, why) in failed {
        eprintln!("ANCHOR FAILED: {why}");
    }
    Ok(())
}

fn verify_export(ctx: &Ctx, file: &Path, expect: &[coop_store::Anchor]) -> Out {
    let f = std::fs::File::open(file).map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?;
    let (head, failed) = coop_store::check_export_anchors(f, expect).map_err(|e| {
        let mut f = Failure::from(e);
        f.message = format!("{}: {}", file.display(), f.message);
        f
    })?;
    if ctx.cli_json {
        let failed: Vec<&str> = failed.iter().map(|(_, w)| w.as_str()).collect();
        output::json(&json!({"events": head.seq, "head_hash": head.hash, "ok": failed.is_empty(), "anchors_failed": failed}))?;
    } else {
        println!("ok: the export's chain holds {}\nhead hash {}", events(head.seq), head.hash);
        anchors_out(&failed, expect.len())?;
    }
    Ok(if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

fn replay(ctx: &Ctx, store: &Store) -> Out {
    let r = store.replay_check()?;
    if ctx.cli_json {
        output::json(&r)?;
    } else if r.matches {
        println!("ok: rebuilding from {} gives the state kept on disk (which reflects event {})", events(r.events), r.kept_seq);
    } else {
        println!(
            "MISMATCH: the state rebuilt from {} differs from the one kept (members {:?}; totals differ: {}){}",
            events(r.events),
            r.differing_members,
            r.totals_differ,
            r.index_differs.as_ref().map(|d| format!("; {d}")).unwrap_or_default()
        );
    }
    Ok(if r.matches { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

pub fn backup(ctx: &Ctx, store: &Store, file: &Path) -> Out {
    let _bar = Bar::on(ctx, store);
    // Written beside its final name, then renamed: a backup cut short never takes its place.
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().ok_or_else(|| Failure::input(format!("{} is not a file name", file.display())))?;
    let tmp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let cannot = |e: std::io::Error| Failure { rule: None, code: 3, message: format!("cannot write {}: {e}", file.display()) };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let f = options.open(&tmp).map_err(cannot)?;
    let mut out = std::io::BufWriter::new(f);
    let events = store.backup(&mut out).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    let f = out.into_inner().map_err(|e| cannot(e.into_error()))?;
    f.sync_all().map_err(cannot)?;
    std::fs::rename(&tmp, file).map_err(cannot)?;
    let head = store.head();
    if ctx.cli_json {
        output::json(&json!({"file": file, "events": events, "head_hash": head.hash}))?;
    } else {
        println!("backed up {} and the personal data beside them into {}; head hash {}", self::events(events), file.display(), head.hash);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(ctx: &Ctx, path: &Path, file: &Path) -> Out {
    let report = into_new_store(ctx, path, file, |store, f| store.restore(f))?;
    if ctx.cli_json {
        output::json(&report)?;
    } else {
        println!(
            "restored {} and the personal data of {} into {}; head hash {}",
            events(report.log.events),
            coop_core::count(report.parties, "party", "parties"),
            path.display(),
            report.log.head_hash
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import_events(ctx: &Ctx, path: &Path, file: &Path) -> Out {
    let report = into_new_store(ctx, path, file, |store, f| store.import_events(f))?;
    if ctx.cli_json {
        output::json(&report)?;
    } else {
        println!("imported {} into {}; head hash {}", events(report.events), path.display(), report.head_hash);
    }
    if report.events > 0 {
        eprintln!(
            "note: an export holds the log only, not the personal data beside it: every member shows as (erased) in this store. To move a store with its names, use `coop backup FILE` and `coop --store NEW restore FILE`."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `1 event`, `12 events`.
fn events(n: u64) -> String {
    coop_core::count(n, "event", "events")
}
