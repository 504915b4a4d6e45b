//! A store as an application holds it: subscriptions to the log, handles shared by threads,
//! snapshots, the caller's clock, and what a handle refuses instead of deadlocking.

use coop::{PartyKind, Request, Store};

use crate::lib::{admit, founded_in};

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// An application follows the log: a subscription delivers each acknowledged event once, in
/// order, while another thread writes; polls never see a write whose command has not returned.
#[test]
fn a_subscription_delivers_each_acknowledged_event_once_in_order_and_polls_see_nothing_unacknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let writes = 60;
    let expected_last = 2 + 2 * writes; // founding, then an admission (2 events) per write
    let (delivered, leaks, polls) = std::thread::scope(|s| {
        let follower = s.spawn(|| {
            let mut seqs = Vec::new();
            for e in store.subscribe(1).unwrap() {
                let e = e.unwrap();
                seqs.push(e.seq);
                if e.seq == expected_last {
                    break;
                }
            }
            seqs
        });
        let poller = s.spawn(|| {
            let (mut leaks, mut polls) = (0, 0);
            while store.acknowledged() < expected_last {
                let seen = store.events_since(0).unwrap().last().map_or(0, |e| e.seq);
                let paged = store.events(1, usize::MAX).unwrap().last().map_or(0, |e| e.seq);
                // Acknowledged before the poll returned: read the mark after the poll.
                if seen.max(paged) > store.acknowledged() {
                    leaks += 1;
                }
                polls += 1;
            }
            (leaks, polls)
        });
        for i in 0..writes {
            store.execute(Request::new(admit(&format!("M{i}"), PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).unwrap();
        }
        let (leaks, polls) = poller.join().unwrap();
        (follower.join().unwrap(), leaks, polls)
    });
    assert_eq!(delivered, (1..=expected_last).collect::<Vec<_>>(), "each event once, in order");
    assert_eq!(leaks, 0, "of {polls} polls");
    assert!(polls > 0);
    // Caught up, a subscription has nothing more without waiting.
    let mut sub = store.subscribe(expected_last + 1).unwrap();
    assert!(sub.try_next().unwrap().is_none());
    assert!(sub.next_timeout(std::time::Duration::from_millis(20)).unwrap().is_none());
}

/// Async code polls a subscription with its own waker: woken when an event is acknowledged.
#[test]
fn a_subscription_wakes_an_async_task_without_a_runtime() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    let mut sub = store.subscribe(store.acknowledged() + 1).unwrap();
    assert!(matches!(sub.poll_event(&mut cx), Poll::Pending));
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "woken once by the write");
    match sub.poll_event(&mut cx) {
        Poll::Ready(Ok(e)) => assert_eq!(e.seq, 3),
        other => panic!("expected the admission, got {:?}", other.map(|r| r.map(|e| e.seq))),
    }
}

/// Setting a store up: create (the founding included), refuse to create over a cooperative, a
/// throwaway store removed when dropped, and the caller's clock.
#[test]
fn a_store_is_created_founded_or_temporary_and_takes_the_callers_clock() {
    let dir = tempfile::tempdir().unwrap();
    let statutes = || coop::Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let path = crate::location(dir.path(), "s");
    {
        let store = Store::create(&path, statutes(), "Claire").unwrap();
        assert_eq!(store.head().seq, 2, "statutes adopted, Claire secretary");
        store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).by("Claire")).unwrap();
    }
    let err = Store::create(&path, statutes(), "Claire").unwrap_err();
    assert!(matches!(err, coop::Error::NotEmpty(4)), "{err}");
    let temp = dir.path().join("t");
    {
        let store = Store::create_with(&temp, statutes(), "Claire", coop::Options::temporary()).unwrap();
        assert!(temp.exists());
        // Today is the caller's: a fact dated after it is refused, one on it accepted.
        let today = d("2021-03-01");
        let late = Request::new(admit("B", PartyKind::Person, "employees", 1)).by("Claire").today(today).dated(d("2021-03-02"));
        let err = store.execute(late).unwrap_err();
        assert!(matches!(&err, coop::Error::Refused(r) if r.rule == coop::Rule::FutureDate), "{err}");
        store.execute(Request::new(admit("B", PartyKind::Person, "employees", 1)).by("Claire").today(today).dated(today)).unwrap();
    }
    assert!(!temp.exists(), "a temporary store is removed when dropped");
}

/// The head is read without the store's lock: from inside `with_state` (which holds it), and
/// so never behind a write in progress; `Debug` neither waits.
#[test]
fn the_head_and_debug_are_read_without_waiting_for_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let (seq, shown) = store.with_state(|s| (store.head().seq, format!("{store:?} {}", s.members.len()))).unwrap();
    assert_eq!(seq, 2);
    assert!(shown.contains("(busy)"), "{shown}");
    assert!(format!("{store:?}").contains("head: \"2\""), "{store:?}");
}

/// A `Store` is a cheap handle: clones share one store, a subscription moves to another thread,
/// and a temporary store goes when its last clone does.
#[test]
fn a_store_handle_is_cloned_into_threads_and_closes_with_its_last_clone() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    send_sync::<Store>();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t");
    let statutes = coop::Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let store = Store::create_with(&path, statutes, "Claire", coop::Options::temporary()).unwrap();
    let follower = {
        let sub = store.subscribe(3).unwrap();
        std::thread::spawn(move || sub.take(4).map(|e| e.unwrap().seq).collect::<Vec<_>>())
    };
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for name in ["A", "B"] {
                store.execute(Request::new(admit(name, PartyKind::Person, "employees", 1)).by("Claire")).unwrap();
            }
        })
    };
    writer.join().unwrap();
    assert_eq!(follower.join().unwrap(), vec![3, 4, 5, 6]);
    assert_eq!(store.head().seq, 6, "the clone's writes are the store's");
    let other = store.clone();
    drop(store);
    assert!(path.exists(), "a clone still holds it");
    drop(other);
    assert!(!path.exists(), "removed with its last clone");
}

/// A snapshot never waits for the store: while another thread holds it (as a write does), the
/// last snapshot is returned, naming its head; once the head moved, a new one is taken.
#[test]
fn a_snapshot_is_read_while_the_store_is_held_and_names_its_head() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let first = store.snapshot().unwrap();
    assert_eq!(first.head.seq, 2);
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    let second = store.snapshot().unwrap();
    assert_eq!((second.head.seq, second.state.members.len()), (4, 1));
    assert_eq!(first.state.members.len(), 0, "an earlier snapshot stays as it was");
    assert!(std::sync::Arc::ptr_eq(&second.state, &store.snapshot().unwrap().state), "the same head shares one state");
    let held = std::sync::Barrier::new(2);
    let release = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            store
                .with_state(|_| {
                    held.wait();
                    release.wait();
                })
                .unwrap();
        });
        held.wait();
        // The store is held: the snapshot does not wait for it.
        let during = store.snapshot().unwrap();
        assert_eq!(during.head.seq, 4);
        assert_eq!(store.head().seq, 4);
        release.wait();
    });
}

/// A `with_state` closure that calls the store gets an error, never a deadlock; the store works
/// on afterwards.
#[test]
fn calling_the_store_from_inside_with_state_is_refused_not_a_deadlock() {
    let dir = tempfile::tempdir().unwrap();
    let store = founded_in(dir.path());
    let (state, write, snapshot) = store
        .with_state(|_| {
            let state = store.state().map(|_| ()).unwrap_err();
            let write = store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap_err();
            let snapshot = store.snapshot().map(|_| ()).unwrap_err();
            (state, write, snapshot)
        })
        .unwrap();
    for e in [&state, &write, &snapshot] {
        assert!(matches!(e, coop::Error::Reentrant), "{e}");
        assert_eq!(e.kind(), coop::ErrorKind::BadInput);
    }
    assert_eq!(store.head().seq, 2, "nothing was written");
    store.execute(Request::new(admit("A", PartyKind::Person, "employees", 1)).dated(d("2020-01-01"))).unwrap();
    assert_eq!(store.snapshot().unwrap().head.seq, 4);
}

/// A command decided on a state another handle has since moved past is decided again from the
/// request as it was asked (its actor named by name, as the caller named them): its id then
/// stands for that request, and the same request sent again is recognised as its retry.
#[test]
fn a_command_decided_again_after_another_handle_wrote_keeps_the_request_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let a = founded_in(dir.path());
    let b = a.second_handle().unwrap();
    a.execute(Request::new(admit("M1", PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).unwrap();
    // The head moves under `a`, which decides its next command on the state it holds.
    b.execute(Request::new(admit("M2", PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01"))).unwrap();
    let asked = Request::new(admit("M3", PartyKind::Person, "beneficiaries", 1)).dated(d("2020-01-01")).with_id("the-third");
    let first = a.execute(asked.clone()).unwrap();
    assert!(!first.replayed);
    assert_eq!(first.admitted().map(|n| n.0), Some(3), "decided again on the latest state");
    for (who, store) in [("a", &a), ("b", &b)] {
        let again = store.execute(asked.clone()).unwrap();
        assert!(again.replayed, "{who}: the same request under the same id is its retry");
        assert_eq!(again.events, first.events);
    }
    assert_eq!(a.head().seq, 2 + 3 * 2);
}
