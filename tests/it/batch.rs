//! Large batches through the library: a register's rows decided and written as one batch,
//! reported without their events, their command ids indexed in chunks.

use coop::{MemberNo, PartyKind, Request, Store};

use crate::lib::{admit, found};

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// A large batch run for its report (`execute_batch`, as the register import runs) decides and
/// writes what the same batch run for its receipts does: the same member numbers, events and
/// state, a log that verifies (its records packed as they were sealed: many packs, put in the
/// packs file in several groups), and a retry of the whole batch appends nothing and reports
/// what the first run appended.
#[test]
fn a_batch_run_for_its_report_writes_what_one_run_for_its_receipts_does() {
    let dir = tempfile::tempdir().unwrap();
    // Above the size a batch indexes its ids in chunks (1,024); fewer on PostgreSQL, where each
    // write is a round trip.
    let rows = if crate::postgres_url().is_some() { 1_100u64 } else { 3_000 };
    let requests = |tag: &str| -> Vec<Request> {
        (0..rows)
            .map(|i| {
                let day = d("2020-01-01") + chrono::Days::new(i / 40);
                Request::new(admit(&format!("Membre {i} {}", "x".repeat((i % 7) as usize * 30)), PartyKind::Person, "employees", 1 + i % 4))
                    .dated(day)
                    .with_id(format!("{tag}/{i}"))
            })
            .collect()
    };
    let a = Store::open(crate::location(dir.path(), "receipts")).unwrap();
    let b = Store::open(crate::location(dir.path(), "report")).unwrap();
    found(&a);
    found(&b);
    let receipts = a.execute_all(requests("row")).unwrap();
    let report = b.execute_batch(requests("row")).unwrap();
    assert_eq!(report.commands, rows as usize);
    assert_eq!(report.replayed, 0);
    assert_eq!(report.events, receipts.iter().map(|r| r.events.len() as u64).sum::<u64>());
    assert_eq!(report.admitted, receipts.iter().filter_map(|r| r.admitted()).collect::<Vec<_>>());
    assert_eq!(report.admitted.len(), rows as usize);
    assert_eq!(a.head().seq, b.head().seq);
    // The same members, shares and totals (party ids and salts are drawn fresh in each store).
    let same = |s: &coop::State| {
        let members: Vec<_> = s.members.values().map(|m| (m.number, m.category.clone(), m.admitted, m.lots.clone())).collect();
        (members, s.capital, s.active_members)
    };
    assert_eq!(same(&a.state().unwrap()), same(&b.state().unwrap()));
    for store in [&a, &b] {
        let v = store.verify().unwrap();
        assert!(v.ok, "{v:?}");
    }
    if crate::postgres_url().is_none() {
        let packs = std::fs::metadata(dir.path().join("report").join("packs")).unwrap().len();
        assert!(packs > 64 * 10_000, "the batch's packs are in the packs file: {packs} bytes");
    }
    let head = b.head();
    let again = b.execute_batch(requests("row")).unwrap();
    assert_eq!(b.head(), head, "a retried batch appends nothing");
    assert_eq!(again, coop::BatchReport { replayed: rows as usize, ..report.clone() });
    // The batch's ids are indexed with their commands' fingerprints: one retried alone is found,
    // and another command under one of them is refused, on either store.
    for store in [&a, &b] {
        let head = store.head();
        let one = requests("row").swap_remove(1034);
        let r = store.execute(one.clone()).unwrap();
        assert!(r.replayed && r.admitted() == Some(MemberNo(1035)), "{r:?}");
        let mut other = one;
        other.command = admit("Membre 1034", PartyKind::Person, "employees", 9);
        let e = store.execute(other).unwrap_err();
        assert!(matches!(e, coop::Error::CommandIdReused(ref id) if id == "row/1034"), "{e}");
        assert_eq!(store.head(), head);
    }
    // Reopened, the store reads the same log and state.
    let state = b.state().unwrap();
    drop(b);
    let b = Store::open(crate::location(dir.path(), "report")).unwrap();
    assert_eq!(b.state().unwrap(), state);
    assert!(b.verify().unwrap().ok);
}
