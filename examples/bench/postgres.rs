//! The benchmark on PostgreSQL (`--backend postgres --url postgres://USER@HOST/DB`):
//!
//! - a durable command's latency (p50, p99) beside a raw `INSERT … ; COMMIT` of a record of the
//!   same size into the same server, in the same run (target: p50 ≤ 2×);
//! - throughput with 1, 4 and 8 writer processes on one cooperative and on as many
//!   cooperatives (no errors, no collapse);
//! - a query (`coop register --json`, a process of its own) while eight writers run, beside the
//!   same query idle.
//!
//! Options: `--commands N` (default 400: the latency series, and each writer's share of the
//! throughput runs is `N / 4`).

use std::path::Path;
use std::process::Command as Process;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use coop::{Command, PartyKind, Personal, Request, Statutes, Store};

fn admit(name: String) -> Request {
    let personal = Personal { name, email: None, address: None };
    let command =
        Command::Admit { personal, kind: PartyKind::Person, category: "beneficiaries".into(), shares: None, class: None, paid: None };
    Request::new(command).dated(coop::NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date"))
}

fn founded(location: &str) -> Store {
    let store = Store::open(location).unwrap_or_else(|e| panic!("{location}: {e}"));
    let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).expect("sample statutes");
    let date = statutes.founded;
    store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(date)).expect("founded");
    store
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// `bench --pg-writer LOCATION N`: admits N members one command at a time, then prints its start
/// and end (seconds since the epoch) and how many commands failed.
fn writer(location: &str, n: usize) {
    let store = Store::open(location).unwrap_or_else(|e| panic!("{location}: {e}"));
    let start = now();
    let mut errors = 0;
    for i in 0..n {
        if let Err(e) = store.execute(admit(format!("W{}-{i}", std::process::id()))) {
            eprintln!("{e}");
            errors += 1;
        }
    }
    println!("{start} {} {errors}", now());
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs `writers` writer processes of `each` commands, on one cooperative or one each;
/// returns commands per second over the span from the first start to the last end, and errors.
fn throughput(exe: &Path, url: &str, writers: usize, each: usize, one: bool, tag: &str, during: impl FnOnce(&str)) -> (f64, u64) {
    let coops: Vec<String> = (0..writers)
        .map(|w| format!("{url}#bench-{tag}-{}", if one { 0 } else { w }))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for c in &coops {
        drop(founded(c));
    }
    let children: Vec<_> = (0..writers)
        .map(|w| {
            Process::new(exe)
                .args(["--pg-writer", &coops[w % coops.len()], &each.to_string()])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("a writer process")
        })
        .collect();
    during(&coops[0]);
    let (mut first, mut last, mut errors) = (f64::MAX, 0f64, 0u64);
    for c in children {
        let out = c.wait_with_output().expect("a writer ends");
        assert!(out.status.success(), "a writer failed");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        first = first.min(v[0]);
        last = last.max(v[1]);
        errors += v[2] as u64;
    }
    let store = Store::open(&coops[0]).expect("reopen");
    let per_coop = if one { writers * each } else { each };
    assert_eq!(store.state().expect("state").members.len(), per_coop, "every command of the writers is in the log");
    assert!(store.verify().expect("verify").ok);
    ((writers * each) as f64 / (last - first), errors)
}

/// Times `coop --store LOCATION register --json` (a process of its own), in milliseconds.
fn query(coop_bin: &Path, location: &str) -> f64 {
    let t = Instant::now();
    let out = Process::new(coop_bin).args(["--store", location, "register", "--json"]).output().expect("coop runs");
    assert!(out.status.success(), "coop register failed: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed().as_secs_f64() * 1000.0
}

/// The PostgreSQL benchmark or one of its writer processes, if the arguments ask for it.
pub fn run() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--pg-writer") {
        writer(&args[1], args[2].parse().expect("--pg-writer LOCATION N"));
        return true;
    }
    let Some(at) = args.iter().position(|a| a == "--backend") else { return false };
    assert_eq!(args.get(at + 1).map(String::as_str), Some("postgres"), "--backend postgres");
    let opt = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let url = opt("--url").expect("--url postgres://USER@HOST/DB");
    let commands: usize = opt("--commands").map_or(400, |c| c.parse().expect("--commands N"));
    let exe = std::env::current_exe().expect("exe");
    let coop_bin = exe.parent().and_then(|p| p.parent()).map(|p| p.join("coop")).expect("target dir");
    assert!(coop_bin.exists(), "{} is missing: run `cargo build --release --features postgres` first", coop_bin.display());
    let tag = coop::Ulid::new().to_string().to_lowercase();

    // Latency: one command at a time, and the raw INSERT + COMMIT beside it.
    let store = founded(&format!("{url}#bench-{tag}-latency"));
    let mut coop_ms = Vec::with_capacity(commands);
    for i in 0..commands {
        let t = Instant::now();
        store.execute(admit(format!("L{i}"))).expect("an admission");
        coop_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let record = store.events(3, 1).expect("a record")[0].clone();
    let body = serde_json::to_vec(&record).expect("json");
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    raw.batch_execute("CREATE TABLE IF NOT EXISTS coop_bench_raw (id bigserial PRIMARY KEY, body bytea NOT NULL)").expect("table");
    let insert = raw.prepare("INSERT INTO coop_bench_raw (body) VALUES ($1)").expect("prepare");
    let mut raw_ms = Vec::with_capacity(commands);
    for _ in 0..commands {
        let t = Instant::now();
        raw.batch_execute("BEGIN").expect("begin");
        // Two records a command (an admission and its subscription of shares).
        raw.execute(&insert, &[&body]).expect("insert");
        raw.execute(&insert, &[&body]).expect("insert");
        raw.batch_execute("COMMIT").expect("commit");
        raw_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    raw.batch_execute("DROP TABLE coop_bench_raw").expect("drop");
    let (c50, c99, r50, r99) = (percentile(&coop_ms, 0.5), percentile(&coop_ms, 0.99), percentile(&raw_ms, 0.5), percentile(&raw_ms, 0.99));
    println!("PostgreSQL ({commands} commands a series; {} bytes a record)", body.len());
    println!();
    println!("| measure | coop | raw baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    println!("| durable command p50 (ms) | {c50:.2} | {r50:.2} | {:.2} | ≤ 2 |", c50 / r50);
    println!("| durable command p99 (ms) | {c99:.2} | {r99:.2} | {:.2} | |", c99 / r99);

    // Throughput: 1, 4 and 8 writer processes, on one cooperative and on as many.
    let each = (commands / 4).max(10);
    let idle = {
        let location = format!("{url}#bench-{tag}-latency");
        let runs: Vec<f64> = (0..5).map(|_| query(&coop_bin, &location)).collect();
        percentile(&runs, 0.5)
    };
    let mut busy = Vec::new();
    let mut base = None;
    for (writers, one) in [(1, true), (4, true), (8, true), (4, false), (8, false)] {
        let label = if one { "one cooperative" } else { "as many cooperatives" };
        let (rate, errors) = throughput(&exe, &url, writers, each, one, &format!("{tag}-{writers}-{one}"), |location| {
            if writers == 8 && one {
                // A query from a second process while the eight writers run.
                std::thread::sleep(Duration::from_millis(200));
                busy = (0..5).map(|_| query(&coop_bin, location)).collect();
            }
        });
        let base_rate = *base.get_or_insert(rate);
        println!("| {writers} writer process(es), {label} (commands/s) | {rate:.0} | 1 writer: {base_rate:.0} | {:.2} | no errors ({errors}), no collapse |", rate / base_rate);
        assert_eq!(errors, 0, "writers failed");
    }
    let during = percentile(&busy, 0.5);
    println!("| `coop register --json` while 8 writers run (ms, p50 of 5) | {during:.0} | idle: {idle:.0} | {:.2} | |", during / idle);
    true
}
