//! How the cost of the paths a user meets first grows with the size of their input, measured
//! in the same test through the real binary (ratios, never absolute times).

use std::time::{Duration, Instant};

use crate::cli::Env;

// The register the benchmark imports, built the same way.
#[path = "../../examples/bench/register.rs"]
mod register;
use register::register;

/// The wall time of importing a register of `rows` rows into a new store.
fn import(rows: usize, round: usize) -> Duration {
    let env = Env::new();
    env.init();
    let file = env.file(&format!("register-{rows}-{round}.csv"), &register(rows));
    let t = Instant::now();
    let r = env.ok(&["import", "members", file.to_str().unwrap()]);
    let took = t.elapsed();
    assert!(r.stdout.contains(&format!("imported {rows} members")), "{}", r.stdout);
    took
}

/// Importing 20,000 rows costs at most 6 times what 5,000 cost (linear is 4; a cost per row that
/// grows with the rows already imported, as when each row searched what the others brought,
/// gives 16). The best of two runs of each size is compared, so that a moment of load on the
/// machine is not taken for a change in the code.
#[test]
fn importing_a_register_costs_in_proportion_to_its_rows() {
    if crate::on_postgres("importing_a_register_costs_in_proportion_to_its_rows") {
        return;
    }
    let small = import(5_000, 0).min(import(5_000, 1));
    let mut large = import(20_000, 0);
    let ratio = |large: Duration| large.as_secs_f64() / small.as_secs_f64();
    if ratio(large) > 6.0 {
        large = large.min(import(20_000, 1));
    }
    assert!(ratio(large) <= 6.0, "20,000 rows took {large:?}, 5,000 took {small:?}: {:.1} times", ratio(large));
}

/// A register refused throughout lists its first refused rows in the file's order, and says how
/// many more there are, rather than every one.
#[test]
fn a_register_refused_throughout_lists_its_first_rows_and_counts_the_rest() {
    let env = Env::new();
    env.init();
    let mut csv = String::from("name,category,shares,admitted\n");
    for i in 0..300 {
        csv.push_str(&format!("Membre {i},employees,1,2015-0{}-01\n", 1 + i % 9));
    }
    let file = env.file("early.csv", &csv);
    let r = env.run(&["import", "members", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(": 300 rows refused; nothing was written"), "{}", r.stderr);
    assert!(r.stderr.contains("line 2: the date 2015-01-01 is before the cooperative was founded"), "{}", r.stderr);
    assert!(r.stderr.contains("line 51: ") && !r.stderr.contains("line 52: "), "the first 50, in order: {}", r.stderr);
    assert!(r.stderr.contains("… and 250 more rows (the first 50 are listed)"), "{}", r.stderr);
    assert_eq!(env.events(), 2, "nothing was written");
}
