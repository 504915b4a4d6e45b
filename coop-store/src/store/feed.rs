//! Following the log: which events are acknowledged (durable, their command returned), and
//! subscriptions that deliver each of them once, in order, blocking or polled from async code.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::Store;
use coop_core::State;

use crate::{Envelope, Head, Result, GENESIS_HASH};

/// How many events a subscription reads from the log at a time.
const PAGE: usize = 1024;

/// The last acknowledged sequence number, shared by every handle on a database, and who waits
/// for it to move.
pub(crate) struct Feed {
    acked: Mutex<Head>,
    moved: Condvar,
    wakers: Mutex<Vec<Waker>>,
}

impl Default for Feed {
    fn default() -> Feed {
        Feed { acked: Mutex::new(Head { seq: 0, hash: GENESIS_HASH.into() }), moved: Condvar::new(), wakers: Mutex::new(Vec::new()) }
    }
}

impl Feed {
    /// Events up to `head` are durable and their command has returned (or they were there when
    /// the store was opened).
    pub(crate) fn publish(&self, head: &Head) {
        let mut acked = self.acked.lock().unwrap_or_else(|p| p.into_inner());
        if head.seq >= acked.seq {
            *acked = head.clone();
        }
        drop(acked);
        self.moved.notify_all();
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|p| p.into_inner()));
        for w in wakers {
            w.wake();
        }
    }

    pub(crate) fn acked(&self) -> u64 {
        self.acked.lock().unwrap_or_else(|p| p.into_inner()).seq
    }

    pub(crate) fn head(&self) -> Head {
        self.acked.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until the acknowledged sequence number reaches `seq`, or `until` passes.
    fn wait_for(&self, seq: u64, until: Option<Instant>) -> u64 {
        let mut acked = self.acked.lock().unwrap_or_else(|p| p.into_inner());
        while acked.seq < seq {
            match until {
                None => acked = self.moved.wait(acked).unwrap_or_else(|p| p.into_inner()),
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    acked = self.moved.wait_timeout(acked, left).unwrap_or_else(|p| p.into_inner()).0;
                }
            }
        }
        acked.seq
    }

    fn register(&self, waker: &Waker) {
        let mut wakers = self.wakers.lock().unwrap_or_else(|p| p.into_inner());
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
    }
}

impl Store {
    /// The state at the acknowledged head, shared and immutable: it never waits for a write in
    /// progress (it is then the state before that write, as the head it names says). Taken
    /// again only when the head has moved since the last snapshot (a copy of the state then).
    pub fn snapshot(&self) -> Result<Snapshot> {
        let published = || self.published.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let acked = if self.shared() { self.refresh()? } else { self.feed.head() };
        if let Some(s) = published().filter(|s| s.head == acked) {
            return Ok(s);
        }
        let mut inner = match self.inner.try_lock() {
            Ok(inner) => self.mark(inner),
            Err(std::sync::TryLockError::Poisoned(p)) => self.mark(p.into_inner()),
            // A write is in progress: the last snapshot is the state before it, if one was taken.
            Err(std::sync::TryLockError::WouldBlock) => match published() {
                Some(s) => return Ok(s),
                None => self.lock_checked()?,
            },
        };
        let state = std::sync::Arc::new(self.loaded(&mut inner)?.clone());
        let snap = Snapshot { head: inner.head.clone(), state };
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) = Some(snap.clone());
        Ok(snap)
    }

    /// The last acknowledged sequence number: every event up to it is durable and its command
    /// has returned. Never waits for a write in progress.
    pub fn acknowledged(&self) -> u64 {
        if self.shared() {
            // Other processes append too: the database says how far (a failure to ask leaves
            // what this handle last saw).
            let _ = self.refresh();
        }
        self.feed.acked()
    }

    /// Every acknowledged event after `seq`, in order. A write in progress is not seen until
    /// its command returns (its records may already be in the log, not yet durable).
    pub fn events_since(&self, seq: u64) -> Result<Vec<Envelope>> {
        let last = self.acknowledged();
        if seq >= last {
            return Ok(Vec::new());
        }
        self.events(seq + 1, (last - seq) as usize)
    }

    /// Follows the log from sequence number `from` (1 for the whole log): each acknowledged
    /// event once, in order, as it comes. The iterator blocks while there is nothing new; use
    /// [`Subscription::try_next`], [`Subscription::next_timeout`] or
    /// [`Subscription::poll_event`] (async code, any runtime) not to.
    ///
    /// On PostgreSQL it follows every process's appends: the first subscription of a handle
    /// starts a thread that `LISTEN`s on the cooperative's channel (it ends with the handle).
    pub fn subscribe(&self, from: u64) -> Result<Subscription> {
        if self.shared() && !self.watching.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let core = std::sync::Arc::downgrade(&self.core);
            let watched = self.backend.watch(Box::new(move || match core.upgrade() {
                Some(core) => {
                    let _ = Store { core }.refresh();
                    true
                }
                None => false,
            }));
            if let Err(e) = watched {
                self.watching.store(false, std::sync::atomic::Ordering::SeqCst);
                return Err(e);
            }
        }
        Ok(Subscription { store: self.clone(), next: from.max(1), buffer: VecDeque::new() })
    }
}

/// The decision state at a head, shared: see [`Store::snapshot`].
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The head the state is at.
    pub head: Head,
    /// The state, as of that head.
    pub state: std::sync::Arc<State>,
}

/// Acknowledged events of a [`Store`] as they come: see [`Store::subscribe`]. It holds a handle
/// on the store, so it may move to another thread or task.
pub struct Subscription {
    store: Store,
    next: u64,
    buffer: VecDeque<Envelope>,
}

impl Subscription {
    /// The sequence number of the next event it will deliver.
    pub fn position(&self) -> u64 {
        self.buffer.front().map_or(self.next, |e| e.seq)
    }

    /// Reads what is acknowledged after what was delivered, up to a page.
    fn fill(&mut self, acked: u64) -> Result<()> {
        if self.buffer.is_empty() && acked >= self.next {
            let n = ((acked + 1 - self.next) as usize).min(PAGE);
            let events = self.store.events(self.next, n)?;
            self.next += events.len() as u64;
            self.buffer.extend(events);
        }
        Ok(())
    }

    /// The next event if one is acknowledged, without waiting.
    pub fn try_next(&mut self) -> Result<Option<Envelope>> {
        self.fill(self.store.acknowledged())?;
        Ok(self.buffer.pop_front())
    }

    /// The next event, waiting at most `timeout` for it.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Envelope>> {
        if self.buffer.is_empty() {
            let acked = self.store.feed.wait_for(self.next, Some(Instant::now() + timeout));
            self.fill(acked)?;
        }
        Ok(self.buffer.pop_front())
    }

    /// The next event, for async code: `Pending` until one is acknowledged, when the task's
    /// waker is woken (the library starts no thread and needs no runtime).
    pub fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Envelope>> {
        if let Some(e) = self.try_next().transpose() {
            return Poll::Ready(e);
        }
        self.store.feed.register(cx.waker());
        // An event acknowledged between the check and the registration is not missed.
        match self.try_next().transpose() {
            Some(e) => Poll::Ready(e),
            None => Poll::Pending,
        }
    }
}

/// Blocks until the next event is acknowledged; never ends on its own.
impl Iterator for Subscription {
    type Item = Result<Envelope>;
    fn next(&mut self) -> Option<Result<Envelope>> {
        if self.buffer.is_empty() {
            let acked = self.store.feed.wait_for(self.next, None);
            if let Err(e) = self.fill(acked) {
                return Some(Err(e));
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}
