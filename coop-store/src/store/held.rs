//! The store's state lock, and which stores this thread holds: a second lock from the same
//! thread (a `with_state` closure calling the store) is refused instead of deadlocking.

use std::sync::Mutex;

use super::{Error, Inner, Result, Store};

impl Store {
    pub(super) fn lock(&self) -> Held<'_> {
        // A panic while holding the lock cannot leave a half-applied state: state changes are
        // made only after a successful write. So a poisoned lock is still consistent.
        self.mark(self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Records that this thread holds the store while `guard` lives.
    pub(super) fn mark<'a>(&'a self, guard: std::sync::MutexGuard<'a, Inner>) -> Held<'a> {
        let addr = &self.inner as *const Mutex<Inner> as usize;
        HELD.with(|h| h.borrow_mut().push(addr));
        Held { guard, addr }
    }

    /// `lock` from a public entry point: refused, rather than deadlocking, when this very
    /// thread already holds the store (a `with_state` closure calling the store).
    pub(super) fn lock_checked(&self) -> Result<Held<'_>> {
        let addr = &self.inner as *const Mutex<Inner> as usize;
        if HELD.with(|h| h.borrow().contains(&addr)) {
            return Err(Error::Reentrant);
        }
        Ok(self.lock())
    }
}

thread_local! {
    /// The stores (by the address of their state's lock) this thread holds: a second lock of
    /// one of them from the same thread would deadlock, and is refused instead.
    static HELD: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The store's state, held by this thread until dropped.
pub(super) struct Held<'a> {
    guard: std::sync::MutexGuard<'a, Inner>,
    addr: usize,
}

impl std::ops::Deref for Held<'_> {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.guard
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.guard
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        HELD.with(|h| {
            let mut held = h.borrow_mut();
            if let Some(i) = held.iter().rposition(|a| *a == self.addr) {
                held.remove(i);
            }
        });
    }
}
