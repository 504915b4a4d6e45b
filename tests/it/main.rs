//! Integration tests: the library through its public API, and the real `coop` binary on
//! temporary stores. One test binary, several modules, to keep build times down.

mod assembly;
mod batch;
mod bodies;
mod checkpoints;
mod cli;
mod crash;
mod faults;
mod handles;
mod history;
mod hostile;
mod keys;
mod money;
mod personal;
#[cfg(feature = "postgres")]
mod postgres;
mod project;
mod scale;
mod secretary;
mod store;
mod tamper;

/// The PostgreSQL database the suites also run on, when `COOP_TEST_POSTGRES` names one
/// (`postgres://USER@HOST/DB`; see the README's "Running on PostgreSQL").
pub fn postgres_url() -> Option<String> {
    std::env::var("COOP_TEST_POSTGRES").ok().filter(|u| !u.is_empty())
}

/// Where a test keeps store `name`: `dir/name`, or, on PostgreSQL, a cooperative of its own in
/// the test database (named after `dir/name`, so the same arguments give the same store).
pub fn location(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    use sha2::Digest as _;
    let path = dir.join(name);
    match postgres_url() {
        Some(url) => {
            let digest = hex::encode(sha2::Sha256::digest(path.to_string_lossy().as_bytes()));
            format!("{url}#t{}", &digest[..24]).into()
        }
        None => path,
    }
}

/// True when the suites run on PostgreSQL: tests of sled's files (damage, crashes inside a
/// write, the witness beside the directory) stop there, saying so.
pub fn on_postgres(test: &str) -> bool {
    let on = postgres_url().is_some();
    if on {
        eprintln!("{test}: about sled's files; not run on PostgreSQL");
    }
    on
}

/// Removes a store: its directory, or its cooperative's rows.
pub fn remove_store(path: &std::path::Path) {
    match path.to_str().and_then(|s| s.split_once('#')).filter(|_| postgres_url().is_some()) {
        Some((_, coop)) => {
            for table in ["coop_kv", "coop_personal", "coop_personal_pending"] {
                psql(&format!("DELETE FROM {table} WHERE coop = '{coop}'"));
            }
        }
        None => std::fs::remove_dir_all(path).unwrap(),
    }
}

/// Runs one SQL statement with `psql` on the test database; its output, trimmed.
pub fn psql(query: &str) -> String {
    let url = postgres_url().expect("on PostgreSQL");
    let out = std::process::Command::new("psql").arg(&url).args(["-Atc", query]).output().expect("psql runs");
    assert!(out.status.success(), "psql {query}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// On PostgreSQL: how many personal-data rows of the cooperative at `store` hold `text`.
pub fn postgres_personal_rows(store: &std::path::Path, text: &str) -> u64 {
    let coop = store.to_str().and_then(|s| s.split_once('#')).map(|(_, c)| c.to_string()).expect("a cooperative's URL");
    psql(&format!("SELECT count(*) FROM coop_personal WHERE coop = '{coop}' AND position('{text}' in convert_from(entry, 'UTF8')) > 0"))
        .parse()
        .unwrap()
}

/// Copies a store directory (to damage the copy).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The records of a store's `log` tree by sequence number, whatever runs they are stored in
/// (each value is a run of records joined by newlines, under its first sequence number).
pub fn log_records(dir: &std::path::Path, log: &sled::Tree) -> std::collections::BTreeMap<u64, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for item in log.iter() {
        let (k, v) = item.unwrap();
        let first = u64::from_be_bytes(k.as_ref().try_into().unwrap());
        // A sealed pack is stored compressed, in the packs file beside the database
        // (`coop_store::open_stored_run` reads every form).
        let v = coop_store::open_stored_run(dir, &v).unwrap();
        for (i, r) in v.split(|b| *b == b'\n').enumerate() {
            out.insert(first + i as u64, r.to_vec());
        }
    }
    out
}

/// Rewrites a store's `log` tree one record per key (a layout the store reads like any other).
pub fn put_log_records(log: &sled::Tree, records: &std::collections::BTreeMap<u64, Vec<u8>>) {
    log.clear().unwrap();
    for (seq, r) in records {
        log.insert(seq.to_be_bytes(), r.as_slice()).unwrap();
    }
}

/// Changes record `seq` inside its run, with `f`; a pack is written back compressed in the tree
/// (a form the store reads like a pack in the packs file).
pub fn edit_record_in_place(dir: &std::path::Path, log: &sled::Tree, seq: u64, f: impl Fn(&str) -> String) {
    let (k, v) = log.range(..=seq.to_be_bytes()).next_back().unwrap().unwrap();
    let first = u64::from_be_bytes(k.as_ref().try_into().unwrap());
    let packed = v.first() != Some(&b'{');
    let v = coop_store::open_stored_run(dir, &v).unwrap();
    let mut records: Vec<String> = String::from_utf8(v.to_vec()).unwrap().split('\n').map(String::from).collect();
    let i = (seq - first) as usize;
    let edited = f(&records[i]);
    assert_ne!(edited, records[i], "the edit changes record {seq}");
    records[i] = edited;
    // Stored back as it was: a pack compressed again, a run plain.
    let joined = records.join("\n").into_bytes();
    log.insert(k, if packed { coop_store::seal_pack(&joined) } else { joined }).unwrap();
}

/// Opens a store's sled database directly (to damage it), waiting a moment for sled's threads
/// of a handle just dropped to let go of its lock.
pub fn open_sled(path: &std::path::Path) -> sled::Db {
    for _ in 0..40 {
        if let Ok(db) = sled::open(path) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    sled::open(path).expect("sled opens once the store's handle is gone")
}

/// One step of a xorshift generator: the harnesses' random delays, reproducible run to run.
pub fn next_seed(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Runs the `coop` binary on `store` with `args` to its end, and returns 120 % of the time it
/// took in microseconds: the kills of a harness land within that span.
pub fn kill_span(store: &std::path::Path, args: &[&std::ffi::OsStr]) -> u64 {
    let started = std::time::Instant::now();
    let status = coop_child(store, args).status().unwrap();
    assert!(status.success(), "the calibration run failed");
    (started.elapsed().as_micros() as u64 * 6 / 5).max(1)
}

/// Runs the `coop` binary on `store` with `args` and kills it (SIGKILL) `after_us` microseconds
/// later unless it has exited; returns whether it was killed while running.
pub fn run_killed(store: &std::path::Path, args: &[&std::ffi::OsStr], after_us: u64) -> bool {
    let mut child = coop_child(store, args).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_micros(after_us));
    let running = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    child.wait().unwrap();
    running
}

/// The `coop` binary on `store` with `args`, quiet, on the tests' fixed today.
fn coop_child(store: &std::path::Path, args: &[&std::ffi::OsStr]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_coop"));
    c.arg("--store")
        .arg(store)
        .args(args)
        .env("COOP_TODAY", "2026-11-28")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

/// The library's side of the suites: founding on the sample statutes, an admission, a member
/// by number.
pub mod lib {
    use coop::{Command, MemberNo, MemberRef, PartyKind, Personal, Request, Statutes, Store};

    /// Founds the sample cooperative on its founding date.
    pub fn found(store: &Store) {
        let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
        let day = statutes.founded;
        store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(day)).unwrap();
    }

    /// A store `s` in `dir` (in PostgreSQL when the suite runs there), founded ([`found`]).
    pub fn founded_in(dir: &std::path::Path) -> Store {
        let store = Store::open(crate::location(dir, "s")).unwrap();
        found(&store);
        store
    }

    /// The admission of `name`, subscribing `shares` of its category's class.
    pub fn admit(name: &str, kind: PartyKind, category: &str, shares: u64) -> Command {
        Command::Admit {
            personal: Personal { name: name.into(), email: None, address: None },
            kind,
            category: category.into(),
            shares: Some(shares),
            class: None,
            paid: None,
        }
    }

    /// Member `n`, by number.
    pub fn m(n: u32) -> MemberRef {
        MemberRef::Number(MemberNo(n))
    }
}
