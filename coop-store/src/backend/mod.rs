//! Where a store keeps its bytes: ordered tables of byte keys and values, the personal data
//! apart, and the transaction a command's writes are made in.
//!
//! The store (`crate::store`) knows what the keys and values mean (the log's runs, the pieces of
//! the state, command ids, markers); a backend only keeps them. Two backends:
//!
//! - [`sled`](self::sled): the default, embedded in one directory, one process at a time. A
//!   command's writes are plain inserts made in a fixed order, the head last (its commit
//!   point); a write cut short is completed on the next open.
//! - `postgres` (cargo feature `postgres`): tables in a PostgreSQL database that many processes
//!   and machines share, several cooperatives side by side. A command's writes are one
//!   transaction that starts by taking the cooperative's lock and checking its head.

use std::ops::Deref;

use crate::personal::{Pending, PersonalEntry};
use crate::Result;
use coop_core::PartyId;

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
pub(crate) mod sled;

/// A value read from a table: shared with the backend's cache (sled) or owned.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Shared(::sled::IVec),
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Owned(Vec<u8>),
}

impl Deref for Value {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Value::Shared(v) => v,
            Value::Owned(v) => v,
        }
    }
}

impl AsRef<[u8]> for Value {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// A key and its value.
pub(crate) type Pair = (Value, Value);
/// Pairs in key order.
pub(crate) type Pairs<'a> = Box<dyn Iterator<Item = Result<Pair>> + 'a>;
/// Writes to one table: a value to put, or `None` to remove the key.
pub(crate) type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// One ordered map of byte keys to byte values.
pub(crate) trait Table: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Value>>;
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<()>;
    fn remove(&self, key: &[u8]) -> Result<()>;
    /// The pairs from `from` (included) to the end, in key order.
    fn range_from<'a>(&'a self, from: &[u8]) -> Pairs<'a>;
    /// The pairs whose key starts with `prefix`, in key order.
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Pairs<'a>;
    /// The pair with the greatest key not above `key`.
    fn last_at_or_before(&self, key: &[u8]) -> Result<Option<Pair>>;
    /// The pair with the greatest key.
    fn last(&self) -> Result<Option<Pair>>;
    fn clear(&self) -> Result<()>;
    fn is_empty(&self) -> Result<bool>;
    /// Applies the writes at once (all or none).
    fn apply(&self, batch: Batch) -> Result<()>;
    /// Writes the pairs, not necessarily at once: for a bulk write whose completeness a later
    /// write marks (the pieces written in full, their totals last). By default, [`Table::apply`].
    fn fill(&self, batch: Batch) -> Result<()> {
        self.apply(batch)
    }
}

/// The tables of a store.
pub(crate) struct Tables {
    /// The log's runs and packs, under the sequence number of their first record.
    pub log: Box<dyn Table>,
    /// The head, the layout marker, markers, command ids and voids.
    pub meta: Box<dyn Table>,
    /// The command ids of a first-layout store (read only).
    pub commands: Box<dyn Table>,
    /// The command ids of an imported log, in sorted chunks.
    pub imported: Box<dyn Table>,
    /// The pieces of the state: the small ones, members, assemblies, projects.
    pub pieces: [Box<dyn Table>; 4],
    /// The pieces as of some events of a log in date order (`pieces::checkpoints`).
    pub checkpoints: Box<dyn Table>,
}

/// The personal data kept beside the log, which an erasure really removes.
///
/// Written before the events naming it commit: each `put_all` is recorded as pending (the
/// parties added, the entries replaced as they were) until the store settles it, so that the
/// next open undoes the writes of a command that never committed.
pub(crate) trait PersonalStore: Send + Sync {
    fn get(&self, id: PartyId) -> Result<Option<PersonalEntry>>;
    /// Adds or replaces entries; returns the token that settles them.
    fn put_all(&self, entries: &[(PartyId, PersonalEntry)]) -> Result<String>;
    /// The `put_all`s not settled yet.
    fn pending(&self) -> Result<Vec<Pending>>;
    /// Forgets one `put_all` (its command committed); `None`: every one.
    fn settle(&self, token: Option<&str>) -> Result<()>;
    /// Every entry, by party.
    fn all(&self) -> Result<Vec<(PartyId, PersonalEntry)>>;
    /// Removes entries for good.
    fn remove_all(&self, ids: &[PartyId]) -> Result<()>;
}

/// Which backend a store is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sled,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

/// A store's backend: its tables, its personal data, and how a command's writes are made one.
pub(crate) trait Backend: Send + Sync {
    fn kind(&self) -> Kind;
    fn tables(&self) -> &Tables;
    fn personal(&self) -> &dyn PersonalStore;
    /// Starts the writes of a command (or of a recovery, an import) by this thread. On
    /// PostgreSQL: a transaction holding the cooperative's lock, so that the head read next is
    /// the last committed and no one else appends until it ends. On sled: nothing (the store's
    /// write lock serialises writers; the head written last is the commit point).
    fn begin(&self) -> Result<()>;
    /// Starts reads by this thread that must see one moment of the store (PostgreSQL: a
    /// read-only `REPEATABLE READ` transaction, so that what other processes commit meanwhile is
    /// not mixed in); ended by [`Backend::rollback`]. Nothing on sled, where the store's write
    /// lock keeps writers out.
    fn begin_read(&self) -> Result<()> {
        Ok(())
    }
    /// Ends the writes begun, making them visible together; `head` is the head they leave
    /// (PostgreSQL notifies the cooperative's listeners of it).
    fn commit(&self, head: &crate::Head) -> Result<()>;
    /// Abandons the writes begun (PostgreSQL rolls them back; sled cannot, and completes them
    /// on the next open).
    fn rollback(&self);
    /// Writes to the log and to `meta` at once (sealing packs).
    fn log_and_meta(&self, log: Batch, meta: Batch) -> Result<()>;
    /// Calls `moved` when another process may have appended (PostgreSQL: on each notification
    /// of the cooperative's channel, from a thread of its own, until `moved` returns false).
    /// Nothing on sled, where one process holds the store and its handles share one feed.
    fn watch(&self, moved: Box<dyn Fn() -> bool + Send>) -> Result<()> {
        let _ = moved;
        Ok(())
    }
    /// Makes what was written reach the storage (sled's flush; nothing for PostgreSQL, whose
    /// commit is durable).
    fn flush(&self) -> Result<()>;
    /// The values to write to the log for `batch`, whose sealed packs (see `runs::seal`) the
    /// backend may keep outside its tables (sled: appended to the packs file beside the
    /// database, a pointer written in their place; see `packs`). By default, as they are.
    fn put_packs(&self, batch: Batch) -> Result<Batch> {
        Ok(batch)
    }
    /// Makes the packs put outside the tables reach the disk: before the pointers to them do.
    fn sync_packs(&self) -> Result<()> {
        Ok(())
    }
    /// The sealed pack a pointer in the log names (see [`Backend::put_packs`]).
    fn read_pack(&self, pointer: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let _ = pointer;
        Err("a pointer to a pack outside the database, which this backend does not keep".into())
    }
}

/// A transaction of the backend: rolled back when dropped before [`Transaction::commit`].
pub(crate) struct Transaction<'a> {
    backend: &'a dyn Backend,
    open: bool,
}

impl<'a> Transaction<'a> {
    pub(crate) fn begin(backend: &'a dyn Backend) -> Result<Transaction<'a>> {
        backend.begin()?;
        Ok(Transaction { backend, open: true })
    }

    /// Begins reads of one moment of the store (see [`Backend::begin_read`]), ended when dropped.
    pub(crate) fn read(backend: &'a dyn Backend) -> Result<Transaction<'a>> {
        backend.begin_read()?;
        Ok(Transaction { backend, open: true })
    }

    pub(crate) fn commit(mut self, head: &crate::Head) -> Result<()> {
        self.open = false;
        self.backend.commit(head)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            self.backend.rollback();
        }
    }
}

/// Where a store is: a directory (sled) or a PostgreSQL URL naming the cooperative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    Dir(std::path::PathBuf),
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres {
        /// The connection URL, without the fragment.
        url: String,
        /// The cooperative, from the fragment.
        coop: String,
    },
}

impl Location {
    /// A `postgres://` (or `postgresql://`) URL is a database, `#COOP` naming the cooperative;
    /// anything else is a directory.
    pub(crate) fn of(path: &std::path::Path) -> Result<Location> {
        let Some(text) = path.to_str().filter(|_| is_database_url(path)) else {
            return Ok(Location::Dir(path.to_path_buf()));
        };
        let bad = |why: &str| crate::Error::BadLocation(format!("{}: {why}", redact(text)));
        let (url, coop) = text.split_once('#').ok_or_else(|| bad("name the cooperative after '#', as in postgres://USER@HOST/DB#COOP"))?;
        if coop.is_empty() || coop.len() > 63 || !coop.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad(&format!("the cooperative's name '{coop}' must be 1 to 63 letters, digits, '-' or '_'")));
        }
        if cfg!(not(feature = "postgres")) {
            return Err(bad("this coop was built without PostgreSQL (cargo feature `postgres`)"));
        }
        Ok(Location::Postgres { url: url.to_string(), coop: coop.to_string() })
    }
}

/// True when `path` is a database URL (`postgres://…`) rather than a directory: what a caller
/// must not look for on the file system.
pub fn is_database_url(path: &std::path::Path) -> bool {
    path.to_str().is_some_and(|t| t.starts_with("postgres://") || t.starts_with("postgresql://"))
}

/// A URL with its password, if any, replaced by `***`: what messages show.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (auth, host) = match rest.split_once('@') {
        Some(p) => p,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_names_its_cooperative_and_a_path_is_a_directory() {
        assert_eq!(Location::of("coop.db".as_ref()).unwrap(), Location::Dir("coop.db".into()));
        assert_eq!(Location::of("/tmp/postgres/x".as_ref()).unwrap(), Location::Dir("/tmp/postgres/x".into()));
        let missing = Location::of("postgres://u:secret@h/db".as_ref()).unwrap_err().to_string();
        assert!(missing.contains("after '#'") && !missing.contains("secret"), "{missing}");
        let bad = Location::of("postgres://u@h/db#a b".as_ref()).unwrap_err().to_string();
        assert!(bad.contains("'a b'"), "{bad}");
        #[cfg(feature = "postgres")]
        assert_eq!(
            Location::of("postgresql://u@h:5432/db#jura-ptce".as_ref()).unwrap(),
            Location::Postgres { url: "postgresql://u@h:5432/db".into(), coop: "jura-ptce".into() }
        );
        #[cfg(not(feature = "postgres"))]
        assert!(Location::of("postgres://u@h/db#c".as_ref()).unwrap_err().to_string().contains("feature `postgres`"));
    }

    #[test]
    fn a_password_never_shows() {
        assert_eq!(redact("postgres://coop:hunter2@db.example/coops"), "postgres://coop:***@db.example/coops");
        assert_eq!(redact("postgres://coop@db.example/coops"), "postgres://coop@db.example/coops");
    }
}
