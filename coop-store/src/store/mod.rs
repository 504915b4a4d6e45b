use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use coop_core::timeline::{self, Fact, Unplaced};
use coop_core::{decide, Command, Context, Event, MemberNo, PartyId, Personal, RegisterRow, State};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use ulid::Ulid;

use crate::backend::{self, Backend, Kind, Location, PersonalStore, Table, Tables, Writes};
use crate::imported;
use crate::personal::{PersonalEntry, PersonalFiles};
use crate::pieces::{self, Changes, Part};
use crate::record::{self, Envelope, RecordError, GENESIS_HASH};
use crate::runs::{self, key, seq_of, Tail, PACK_BYTES};
use crate::{Error, Result};

mod late;
use late::{IndexUpdate, Placement};
mod feed;
mod held;
mod officers;
mod retry;
mod transfer;
pub use feed::{Snapshot, Subscription};
use retry::{fingerprint, CommandEntry};
pub use transfer::{ExportHeader, ImportReport};
mod verify;
pub use verify::{check_export_anchors, seal_line, Anchor, PersonalReport, ReplayReport, SealSignature, VerifyReport};

/// The on-disk layout version, written once in the `meta` tree.
///
/// - `coop-store/1`: one record per key in `log`, a whole-state snapshot in `meta`.
/// - `coop-store/2`: runs and packs of records in `log` (see `runs`), the state in pieces (see
///   `pieces`), imported command ids in chunks. A `/1` store is read as it is (each of its values
///   is a run of one record; its pieces are built from the log on the first open).
/// - `coop-store/3`: the same trees; the binary pieces of assemblies carry what assembly rules
///   edition 1 added (subjects, roll cutoff, resolutions not put to the vote or carried out). A
///   `/2` store's pieces are cleared on its first open and built again from the log, which is
///   not touched.
const FORMAT: &[u8] = b"coop-store/3";
const FORMAT_2: &[u8] = b"coop-store/2";
const FORMAT_1: &[u8] = b"coop-store/1";

const K_FORMAT: &[u8] = b"format";
const K_HEAD: &[u8] = b"head";
/// Where stores written before the state was kept in pieces kept a whole-state snapshot.
const K_SNAPSHOT: &[u8] = b"snapshot";
const K_IMPORTING: &[u8] = b"importing";
const K_PENDING_ERASE: &[u8] = b"pending-erase";
/// Present while the log's records are in the order of their effective dates (each dated on or
/// after every one before it), so that it folds as it is read; removed before a fact entered
/// late is written. Absent in a store written before it was kept: its log is sorted when folded.
const K_ORDERED: &[u8] = b"ordered";
/// Present in a store imported from an export, which holds no personal data (until a backup's
/// is restored): its members have no names, and that is not damage.
const K_NO_PERSONAL: &[u8] = b"no-personal-data";
/// Written by `verify` when it finds the log, the kept state or the personal data wrong (with
/// what it found), removed when it finds them sound: until then no command is taken.
const K_DAMAGED: &[u8] = b"damaged";
/// Command ids are kept in `meta` under this prefix, so that a command's transaction spans one
/// tree fewer (sled's commit costs per tree).
const K_COMMAND: &[u8] = b"c:";

fn command_key(id: &str) -> Vec<u8> {
    [K_COMMAND, id.as_bytes()].concat()
}

/// Voided command ids are kept in `meta` under this prefix: `{seq, reason}` of the void.
const K_VOIDED: &[u8] = b"v:";

fn voided_key(id: &str) -> Vec<u8> {
    [K_VOIDED, id.as_bytes()].concat()
}

/// A command voided: by which event, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    /// The event that voided it.
    pub seq: u64,
    /// Why.
    pub reason: String,
}
/// The first sequence number after the last pack of the log (see `runs`). Absent in a store
/// written one record per key: its records stay as they are and packing starts after its head.
const K_SEALED: &[u8] = b"sealed";

/// The last event of the log: its sequence number and hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Number of events (the last sequence number).
    pub seq: u64,
    /// Hash of the last record (the genesis hash when empty).
    pub hash: String,
}

/// A command to run, with when, by whom and under which id.
#[derive(Clone, Debug)]
pub struct Request {
    /// What to record.
    pub command: Command,
    /// The legal date of the fact.
    pub date: NaiveDate,
    /// Today, as the caller's clock says: nothing may be dated after it.
    pub today: NaiveDate,
    /// Who asks.
    pub actor: String,
    /// An id that makes retries idempotent; a fresh one when `None`.
    pub command_id: Option<String>,
    /// The actor's secret key, when they sign their acts: each record is signed with it.
    pub key: Option<crate::keys::SecretKey>,
}

impl Request {
    /// A request dated today, by the actor `coop`, with a fresh command id.
    pub fn new(command: Command) -> Request {
        let today = chrono::Local::now().date_naive();
        Request { command, date: today, today, actor: "coop".into(), command_id: None, key: None }
    }
    /// Sets the legal date of the fact.
    pub fn dated(mut self, date: NaiveDate) -> Request {
        self.date = date;
        self
    }
    /// Sets today's date as the caller's clock says (default: the system's local date): nothing
    /// may be dated after it. Tests and replays inject their clock here.
    pub fn today(mut self, today: NaiveDate) -> Request {
        self.today = today;
        self
    }
    /// Sets who asks.
    pub fn by(mut self, actor: impl Into<String>) -> Request {
        self.actor = actor.into();
        self
    }
    /// Signs the command with the actor's key (required once they registered one).
    pub fn signed(mut self, key: crate::keys::SecretKey) -> Request {
        self.key = Some(key);
        self
    }
    /// Sets the command id (a retry with the same id appends nothing).
    pub fn with_id(mut self, id: impl Into<String>) -> Request {
        self.command_id = Some(id.into());
        self
    }
}

/// What a command appended.
#[derive(Clone, Debug, Serialize)]
pub struct Receipt {
    /// The command id.
    pub command_id: String,
    /// The events appended (or appended the first time, for a retry).
    pub events: Vec<Envelope>,
    /// True when the command id was already in the log and nothing was appended now.
    pub replayed: bool,
}

impl Receipt {
    /// The member number a command admitted, if it admitted one.
    pub fn admitted(&self) -> Option<MemberNo> {
        self.events.iter().find_map(|e| match e.event {
            Event::MemberAdmitted { number, .. } => Some(number),
            _ => None,
        })
    }
    /// The sequence numbers appended, as `first..=last`.
    pub fn seqs(&self) -> Option<(u64, u64)> {
        Some((self.events.first()?.seq, self.events.last()?.seq))
    }
}

struct Inner {
    /// The whole decision state, loaded from the pieces on first use.
    state: Option<State>,
    /// The runs after the last pack, read on first use.
    tail: Option<Tail>,
    head: Head,
    /// Set when opened for audit on a log that cannot be folded: no command may run.
    damaged: Option<String>,
    /// The timeline's index for late share movements (`timeline::place_local`), at the head it
    /// was kept up to date to; built by the first late movement.
    index: Option<(Head, timeline::Index)>,
}

/// A cooperative's store: the log on disk and the decision state kept in memory.
///
/// One process at a time may open a store; within it, a `Store` is a cheap handle: clone it into
/// every thread that needs it (the clones share one database, one state and one write lock;
/// `execute` serialises writers). The store closes when its last clone is dropped.
#[derive(Clone)]
pub struct Store {
    core: std::sync::Arc<Core>,
}

impl std::ops::Deref for Store {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}

impl From<Core> for Store {
    fn from(core: Core) -> Store {
        Store { core: std::sync::Arc::new(core) }
    }
}

/// What a [`Store`] handle shares with its clones.
#[doc(hidden)]
pub struct Core {
    /// The directory (sled), or the URL without its password and the cooperative (PostgreSQL).
    path: PathBuf,
    /// Where the bytes are kept (see `backend`): the log, the pieces of the state (see
    /// `pieces`), command ids, markers, and the personal data.
    backend: std::sync::Arc<dyn Backend>,
    /// The sled database and its personal-data files, shared by a second handle on it.
    sled: Option<(sled::Db, std::sync::Arc<PersonalFiles>)>,
    /// Shared by every handle on the database: held while a command's writes are made, and while
    /// the state is read whole, so that no one reads a write half made.
    write_lock: std::sync::Arc<Mutex<()>>,
    fsync: bool,
    /// sled's data file, kept open to sync it.
    db_file: Mutex<Option<std::fs::File>>,
    /// Officers' names already looked up beside the log, and their roster keys (an officer's
    /// name never changes; an erased one is dropped when met).
    officer_names: Mutex<std::collections::HashMap<String, String>>,
    /// The witness file, kept open to rewrite it.
    witness_file: Mutex<Option<std::fs::File>>,
    /// The blob directory's modification time and the blob files already synced.
    blobs_seen: Mutex<(Option<std::time::SystemTime>, std::collections::BTreeSet<std::ffi::OsString>)>,
    /// The head as last acknowledged, kept in a file beside sled's (see `witness`).
    witness: Witness,
    /// Told how far long operations (verify, replay, export, import) have gone.
    progress: Mutex<Option<ProgressFn>>,
    /// How far the log is acknowledged, and who follows it (shared by every handle).
    feed: std::sync::Arc<feed::Feed>,
    /// Removed when the store is dropped ([`Options::temporary`]).
    remove_on_drop: Option<PathBuf>,
    /// The last snapshot taken ([`Store::snapshot`]).
    published: Mutex<Option<Snapshot>>,
    /// Set once the backend tells this handle when other processes append (PostgreSQL).
    watching: std::sync::atomic::AtomicBool,
    inner: Mutex<Inner>,
}

impl Core {
    fn tables(&self) -> &Tables {
        self.backend.tables()
    }
    fn log(&self) -> &dyn Table {
        &*self.tables().log
    }
    fn meta(&self) -> &dyn Table {
        &*self.tables().meta
    }
    fn pieces(&self) -> pieces::Trees<'_> {
        pieces::Trees(&self.tables().pieces)
    }
    fn personal_data(&self) -> &dyn PersonalStore {
        self.backend.personal()
    }
    /// True when other processes may append (PostgreSQL): what this handle knows of the head
    /// is then checked against the database.
    fn shared(&self) -> bool {
        self.backend.kind() == Kind::Postgres
    }
    /// On a shared backend, publishes the head as the database has it now.
    fn refresh(&self) -> Result<Head> {
        let head = read_head(self.meta())?;
        self.feed.publish(&head);
        Ok(self.feed.head())
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if let Some(dir) = self.remove_on_drop.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Receives (what, done, total) during long operations: `verify`, `replay`, `export` and
/// `import`.
pub type ProgressFn = Box<dyn Fn(&str, u64, u64) + Send>;

/// Values larger than this may be written by sled as files of their own (its blob threshold is
/// a quarter of its 512 KiB segments), which must then be synced too.
const LARGE_VALUE: usize = 64 * 1024;

/// How often progress is reported, in events.
const PROGRESS_EVERY: u64 = 8192;

/// How a store is opened.
#[derive(Clone, Debug)]
pub struct Options {
    /// sled's page cache, in bytes. Default 64 MiB.
    pub cache_bytes: u64,
    /// Open even when the log cannot be folded into a state (see [`Store::open_for_audit`]).
    pub audit: bool,
    /// After sled's flush (which only asks the kernel to write the pages, with
    /// `sync_file_range`), also sync sled's new blob files and `fdatasync` its data file (and the
    /// directory once per handle), so that an acknowledged command survives a power loss.
    /// Default true; bulk tools may turn it off and sync once.
    pub fsync: bool,
    /// A throwaway store (tests, examples): not synced, and its directory removed when the
    /// `Store` is dropped. See [`Options::temporary`].
    pub temporary: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { cache_bytes: 64 * 1024 * 1024, audit: false, fsync: true, temporary: false }
    }
}

impl Options {
    /// A throwaway store: nothing is synced to disk, and the whole directory is removed when the
    /// `Store` is dropped. For tests and examples.
    pub fn temporary() -> Options {
        Options { fsync: false, temporary: true, cache_bytes: 8 * 1024 * 1024, ..Options::default() }
    }
}

/// What every handle on one database shares: the write lock, the feed.
type Shared = (std::sync::Arc<Mutex<()>>, std::sync::Arc<feed::Feed>);

/// Where the store is and the head it is at.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never waits (a Debug print from inside a `with_state` closure must not deadlock).
        let head = self.inner.try_lock().map(|i| i.head.seq.to_string()).unwrap_or_else(|_| "(busy)".into());
        f.debug_struct("Store").field("path", &self.path).field("head", &head).finish_non_exhaustive()
    }
}

fn integrity(seq: u64, reason: impl Into<String>) -> Error {
    Error::Integrity { seq, reason: reason.into() }
}

/// A record that cannot be read: written by a newer coop, or not what was written.
pub(crate) fn unreadable(seq: u64, e: RecordError) -> Error {
    match e {
        RecordError::Schema(u @ (coop_core::UpcastError::TooNew(_) | coop_core::UpcastError::UnknownType { .. })) => {
            Error::WrittenByNewer { seq, reason: u.to_string() }
        }
        other => integrity(seq, other.to_string()),
    }
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, Options::default())
    }

    /// Creates a store for a new cooperative: opens `path` (created if missing), which must
    /// hold no event yet, and adopts `statutes` on their founding date, `actor` founding it (the
    /// board's first secretary, who may then act). [`Error::NotEmpty`] if the store has events.
    pub fn create(path: impl AsRef<Path>, statutes: coop_core::Statutes, actor: &str) -> Result<Store> {
        Store::create_with(path, statutes, actor, Options::default())
    }

    /// [`Store::create`] with options (such as [`Options::temporary`]).
    pub fn create_with(path: impl AsRef<Path>, statutes: coop_core::Statutes, actor: &str, options: Options) -> Result<Store> {
        let store = Store::open_with(path, options)?;
        let head = store.head().seq;
        if head > 0 {
            return Err(Error::NotEmpty(head));
        }
        let founded = statutes.founded;
        store.execute(Request::new(Command::Found { statutes, founder: None }).dated(founded).by(actor))?;
        Ok(store)
    }

    /// Opens (or creates) the store at `path` with options. `path` is a directory (sled), or a
    /// URL `postgres://USER@HOST/DB#COOP` naming a cooperative in a PostgreSQL database (cargo
    /// feature `postgres`; created on first use, beside the others the database holds).
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Store> {
        let path = match Location::of(path.as_ref())? {
            Location::Dir(path) => path,
            #[cfg(feature = "postgres")]
            Location::Postgres { url, coop } => {
                let backend = backend::postgres::PgBackend::open(&url, &coop, options.temporary)?;
                let shown = PathBuf::from(format!("{}#{coop}", backend::redact(&url)));
                return Store::on_backend(std::sync::Arc::new(backend), None, shown, options, None);
            }
            #[cfg(not(feature = "postgres"))]
            Location::Postgres { .. } => unreachable!("Location::of refuses PostgreSQL URLs without the feature"),
        };
        // sled's background threads may hold the lock for a moment after a handle in this very
        // process was dropped: retry briefly before saying the store is in use.
        let mut tries = 0;
        let db = loop {
            match Self::open_db(&path, &options) {
                Err(Error::InUse(_)) if tries < 12 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => break other?,
            }
        };
        let personal = std::sync::Arc::new(PersonalFiles::open(&path)?);
        Store::on_sled(db, personal, path, options, None)
    }

    /// A second, independent handle on the same database, with its own copy of the state. Two
    /// handles deciding at once is how the optimistic check of the head is exercised in tests;
    /// an application shares one `Store` between its threads instead.
    #[doc(hidden)]
    pub fn second_handle(&self) -> Result<Store> {
        match &self.sled {
            Some((db, personal)) => Store::on_sled(
                db.clone(),
                personal.clone(),
                self.path.clone(),
                Options::default(),
                Some((self.write_lock.clone(), self.feed.clone())),
            ),
            None => Store::open(&self.path),
        }
    }

    fn open_db(path: &Path, options: &Options) -> Result<sled::Db> {
        crate::sled_files::discard_unfinished_snapshots(path)?;
        let config = sled::Config::new().path(path).cache_capacity(options.cache_bytes).temporary(options.temporary);
        let db = config.open().map_err(|e| match e {
            sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => Error::InUse(path.display().to_string()),
            other => Error::from(other),
        })?;
        Ok(db)
    }

    fn on_sled(
        db: sled::Db,
        personal: std::sync::Arc<PersonalFiles>,
        path: PathBuf,
        options: Options,
        shared: Option<Shared>,
    ) -> Result<Store> {
        let backend = backend::sled::SledBackend::on(db.clone(), personal.clone())?;
        Store::on_backend(std::sync::Arc::new(backend), Some((db, personal)), path, options, shared)
    }

    fn on_backend(
        backend: std::sync::Arc<dyn Backend>,
        sled: Option<(sled::Db, std::sync::Arc<PersonalFiles>)>,
        path: PathBuf,
        options: Options,
        shared: Option<Shared>,
    ) -> Result<Store> {
        let on_disk = backend.kind() == Kind::Sled;
        let witness = if on_disk { read_witness(&path) } else { Witness::Elsewhere };
        let tables: &Tables = backend.tables();
        let (log, meta, commands) = (&*tables.log, &*tables.meta, &*tables.commands);
        let state_tree = pieces::Trees(&tables.pieces);
        let imported_ids = &*tables.imported;
        let (write_lock, feed) = match shared {
            Some(p) => p,
            None => (std::sync::Arc::new(Mutex::new(())), Default::default()),
        };
        match meta.get(K_FORMAT)? {
            Some(f) if f.as_ref() == FORMAT => {}
            Some(f) if f.as_ref() == FORMAT_1 => {
                if !options.audit {
                    meta.insert(K_FORMAT, FORMAT)?;
                }
            }
            Some(f) if f.as_ref() == FORMAT_2 => {
                // Pieces written by an older coop are not read: `recover`, below, builds them
                // again from the log (also when opened for audit, so that verify compares the
                // log with pieces this coop can read).
                state_tree.clear()?;
                meta.insert(K_FORMAT, FORMAT)?;
                backend.flush()?;
            }
            Some(f) => {
                return Err(integrity(
                    0,
                    format!("unknown store format '{}'; this coop reads {}", String::from_utf8_lossy(&f), String::from_utf8_lossy(FORMAT)),
                ))
            }
            None if log.is_empty()? => {
                meta.insert(K_FORMAT, FORMAT)?;
                meta.insert(K_ORDERED, b"1")?;
            }
            None => return Err(integrity(0, "the store has events but no format marker")),
        }
        if meta.get(K_IMPORTING)?.is_some() {
            // An import was interrupted: its marker goes in the same transaction as its head, so
            // its records were never part of the log (the store it started on was empty; a new
            // store's head says 0 events, which is why the head's presence proves nothing).
            // Clear them so the store is empty again, all of the file or none of it.
            log.clear()?;
            commands.clear()?;
            imported_ids.clear()?;
            state_tree.clear()?;
            for item in meta.scan_prefix(K_VOIDED) {
                meta.remove(&item?.0)?;
            }
            meta.remove(K_HEAD)?;
            meta.remove(K_SEALED)?;
            meta.insert(K_ORDERED, b"1")?;
            meta.remove(K_IMPORTING)?;
            backend.flush()?;
        }
        let head = read_head(meta)?;
        if meta.get(K_SEALED)?.is_none() && !options.audit {
            // A store written one record per key: packing starts after its head.
            meta.insert(K_SEALED, key(head.seq + 1).as_slice())?;
        }
        let blobs_seen = blob_files(&path);
        let remove_on_drop = (options.temporary && on_disk).then(|| path.clone());
        let store = Store::from(Core {
            path,
            backend,
            sled,
            write_lock,
            feed,
            remove_on_drop,
            published: Mutex::new(None),
            watching: std::sync::atomic::AtomicBool::new(false),
            fsync: options.fsync,
            db_file: Mutex::new(None),
            officer_names: Mutex::new(std::collections::HashMap::new()),
            witness_file: Mutex::new(None),
            blobs_seen: Mutex::new(blobs_seen),
            witness,
            progress: Mutex::new(None),
            inner: Mutex::new(Inner {
                state: None,
                tail: None,
                head: Head { seq: 0, hash: GENESIS_HASH.into() },
                damaged: None,
                index: None,
            }),
        });
        if options.audit {
            // Verifying and exporting read the log itself: the state is not loaded (it may not
            // fold, and it costs memory and time on a large store). A write cut short is still
            // completed if it can be, so that the head is the log's end.
            let checked = store.check_witness(&head).and_then(|_| store.recover());
            let mut inner = store.lock();
            inner.head = head;
            inner.damaged = Some(match checked {
                Err(e) => e.to_string(),
                Ok((recovered, _)) => {
                    inner.head = recovered;
                    "the store was opened for audit only (its state is not loaded)".to_string()
                }
            });
            store.feed.publish(&inner.head);
            drop(inner);
            return Ok(store);
        }
        store.check_witness(&head)?;
        // The pieces of the state are written with the events, so they reflect the head. They do
        // not when a write was cut short (the records come first, the head last), when the store
        // was written by an older coop, or when an import was cut short: then the state is rolled
        // forward or rebuilt from the log, once, here.
        let (head, state) = store.recover()?;
        store.feed.publish(&head);
        let mut inner = store.lock();
        inner.head = head;
        inner.state = state;
        drop(inner);
        store.finish_pending_erasure()?;
        store.finish_pending_personal()?;
        Ok(store)
    }

    /// Whether a store is at `path` (a directory holding sled's files, or a cooperative the
    /// database holds rows of), without creating one.
    pub fn exists(path: impl AsRef<Path>) -> Result<bool> {
        match Location::of(path.as_ref())? {
            Location::Dir(dir) => Ok(dir.join("db").is_file()),
            #[cfg(feature = "postgres")]
            Location::Postgres { url, coop } => backend::postgres::exists(&url, &coop),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres { .. } => unreachable!("Location::of refuses PostgreSQL URLs without the feature"),
        }
    }

    /// Opens a store for auditing, without loading its state: a log that cannot be folded is
    /// still opened, so that [`Store::verify`] can say where it breaks and
    /// [`Store::export_events`] can copy it out. Commands on such a store are refused and its
    /// state is empty.
    pub fn open_for_audit(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, Options { audit: true, ..Options::default() })
    }

    /// Compares the log's head with the head last acknowledged, which is written in a file of its
    /// own after each commit. sled recovers from a damaged file by going back to the last
    /// consistent point it can read, which may be an empty store: without this check a damaged
    /// store would silently look younger than it is.
    fn check_witness(&self, head: &Head) -> Result<()> {
        let w = match &self.witness {
            Witness::Head(w) => w,
            Witness::Elsewhere => return Ok(()),
            // A store is given its witness when it is created, before its first event: on a
            // store with events, a missing or unreadable witness was removed or damaged, and the
            // log may have been rolled back with it. Not accepted silently.
            other if head.seq > 0 => {
                return Err(Error::Damaged {
                    seq: head.seq,
                    reason: format!(
                        "the head witness (the file `head` beside the database) is {}; the log may have been rolled back (it holds {} events, last hash {}). Check the head against a seal or the last minutes, then accept it knowingly",
                        if matches!(other, Witness::Missing) { "missing" } else { "unreadable" },
                        head.seq,
                        head.hash
                    ),
                    remedy: crate::Remedy::AcceptHead,
                })
            }
            _ => {
                self.write_witness(head)?;
                return Ok(());
            }
        };
        if head.seq < w.seq {
            return Err(integrity(
                head.seq + 1,
                format!(
                    "the database holds {} events but {} were acknowledged (last hash {}): the storage is damaged; restore the store from a backup or an export",
                    head.seq, w.seq, w.hash
                ),
            ));
        }
        if self.hash_at(w.seq)?.as_deref() != Some(w.hash.as_str()) {
            return Err(integrity(w.seq, format!("event {} does not have the hash acknowledged for it ({})", w.seq, w.hash)));
        }
        // The newest event's body must still be what its hash says, and follow the one before.
        // (The events before it are checked by `verify`: opening does not read the whole log.)
        if head.seq == 0 {
            return Ok(());
        }
        let prev = self.hash_at(head.seq - 1)?.unwrap_or_default();
        let bytes = self.record_at(head.seq)?.ok_or_else(|| integrity(head.seq, "the event is missing from the log"))?;
        record::open(&bytes, head.seq, &prev).map_err(|e| unreadable(head.seq, e))?;
        Ok(())
    }

    /// Makes the last writes durable: sled's flush, then (unless turned off) `fsync` of sled's
    /// data file, of large values written as blob files, and of the directories.
    fn sync(&self, blobs: bool) -> Result<()> {
        self.backend.flush()?;
        if self.fsync && self.backend.kind() == Kind::Sled {
            // `fdatasync` of sled's file: its data and what is needed to read it back (its size).
            let mut file = self.db_file.lock().unwrap_or_else(|p| p.into_inner());
            if file.is_none() {
                *file = Some(std::fs::File::open(self.path.join("db"))?);
                // Once per handle, the directory too: the file's entry must be durable.
                sync_dir(&self.path)?;
            }
            // sled writes a value, or a page, larger than a quarter of its segments as a file of
            // its own in `blobs/`, and does not sync it. Sync the new ones (the directory's
            // modification time says when there are) before the data file that points to them.
            let blob_dir = self.path.join("blobs");
            let mut seen = self.blobs_seen.lock().unwrap_or_else(|p| p.into_inner());
            let stamp = std::fs::metadata(&blob_dir).and_then(|m| m.modified()).ok();
            if blobs || stamp != seen.0 {
                let mut now = std::collections::BTreeSet::new();
                for e in std::fs::read_dir(&blob_dir)? {
                    let name = e?.file_name();
                    if !seen.1.contains(&name) {
                        std::fs::File::open(blob_dir.join(&name))?.sync_all()?;
                    }
                    now.insert(name);
                }
                sync_dir(&blob_dir)?;
                *seen = (stamp, now);
            }
            if let Some(f) = file.as_ref() {
                f.sync_data()?;
            }
        }
        Ok(())
    }

    /// Writes the acknowledged head in its own small file (see `check_witness`), kept open and
    /// rewritten in place. Not synced: it is written after the log is durable, so after a power
    /// loss it can only be as new as the log or older (or torn, and then ignored for its
    /// checksum), never ahead.
    fn write_witness(&self, head: &Head) -> Result<()> {
        use std::io::{Seek, Write as _};
        if self.witness == Witness::Elsewhere {
            return Ok(());
        }
        let line = witness_line(head);
        let mut file = self.witness_file.lock().unwrap_or_else(|p| p.into_inner());
        if file.is_none() {
            let f = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(self.path.join(WITNESS))?;
            f.set_len(line.len() as u64)?;
            *file = Some(f);
        }
        if let Some(f) = file.as_mut() {
            f.seek(std::io::SeekFrom::Start(0))?;
            f.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// Removes erased parties' files, then the marker that says an erasure is pending.
    /// Finishes an erasure a crash interrupted: the marker, written before the command's
    /// records, names the parties; those whose erasure is in the log (their member piece says
    /// erased) lose their files, the others keep them (the command never committed).
    fn finish_pending_erasure(&self) -> Result<()> {
        let Some(bytes) = self.meta().get(K_PENDING_ERASE)? else { return Ok(()) };
        let parties: Vec<PartyId> = serde_json::from_slice(&bytes).unwrap_or_default();
        let mut erased = Vec::new();
        for party in parties {
            let number = self.number_of(party)?;
            let part = Part { members: pieces::Pick::Only(number.into_iter().collect()), ..Part::default() };
            let state = pieces::load(&self.pieces(), &part)?;
            // A member's erasure, or the officer they were, erased with it.
            if state.members.values().any(|m| m.party == party && m.erased.is_some()) || state.officers_erased.contains(&party.to_string())
            {
                erased.push(party);
            }
        }
        self.finish_erasure(&erased)
    }

    /// Undoes the personal data written by a command that never committed (its write was cut
    /// short before the head): entries the log does not name are removed (no orphan is left),
    /// entries replaced by an edit that did not commit are put back.
    fn finish_pending_personal(&self) -> Result<()> {
        let pending = self.personal_data().pending()?;
        if pending.is_empty() {
            return Ok(());
        }
        let added = pending.iter().flat_map(|p| p.added.iter().copied());
        let orphans: Vec<PartyId> = added
            .filter_map(|p| pieces::digest_of(&self.pieces(), p).map(|d| d.is_none().then_some(p)).transpose())
            .collect::<Result<_>>()?;
        self.personal_data().remove_all(&orphans)?;
        let mut restore = Vec::new();
        for (party, previous) in pending.into_iter().flat_map(|p| p.replaced) {
            let kept = pieces::digest_of(&self.pieces(), party)?;
            let current = self.personal_data().get(party)?.map(|e| e.data.digest(&e.salt));
            if kept.is_some() && kept != current && kept == Some(previous.data.digest(&previous.salt)) {
                restore.push((party, previous));
            }
        }
        if !restore.is_empty() {
            self.personal_data().put_all(&restore)?;
        }
        self.personal_data().settle(None)?;
        Ok(())
    }

    fn finish_erasure(&self, parties: &[PartyId]) -> Result<()> {
        self.personal_data().remove_all(parties)?;
        self.meta().remove(K_PENDING_ERASE)?;
        self.backend.flush()?;
        Ok(())
    }

    /// Sets the function told how far long operations have gone (a progress bar).
    pub fn set_progress(&self, f: ProgressFn) {
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    fn report(&self, what: &str, done: u64, total: u64) {
        if done % PROGRESS_EVERY == 0 || done == total {
            if let Some(f) = self.progress.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                f(what, done, total);
            }
        }
    }

    /// The path the store was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sequence number of the log's last record (0 for an empty log).
    fn last_seq(&self) -> Result<u64> {
        Ok(match self.log().last()? {
            Some((k, run)) => seq_of(&k) + runs::split(0, &run).count() as u64 - 1,
            None => 0,
        })
    }

    /// Completes a write cut short, and builds the pieces a store does not have yet.
    ///
    /// A command writes its records first, then its command ids, the totals (whose stamp then
    /// names the new head), the other pieces, and the head last: the head is the commit point,
    /// and sled keeps a prefix of the writes made. So after a crash the log may hold records past
    /// the head: their chain is checked from the head and they are folded into the state, which
    /// starts from the pieces if their stamp is the head (nothing of the write reached them) or
    /// else from the log's first record; the pieces and the head are then written. Returns the
    /// head, and the state when it had to be built.
    fn recover(&self) -> Result<(Head, Option<State>)> {
        let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.recover_locked(false).map(|(head, state)| (head, state.map(|s| s.0)))
    }

    /// [`Store::recover`], the write lock held by the caller; with `load`, also the state read
    /// from the pieces when it did not have to be built. Returns the state and whether it was
    /// built.
    ///
    /// The head, the log's end and the pieces are read in the backend's writes (on PostgreSQL,
    /// a transaction under the cooperative's lock: no other process commits meanwhile, so they
    /// are read at one head, and what recovery writes cannot move the head back).
    fn recover_locked(&self, load: bool) -> Result<(Head, Option<(State, bool)>)> {
        let transaction = Writes::begin(&*self.backend)?;
        let (head, built) = self.recover_in()?;
        let state = match built {
            Some(state) => {
                transaction.commit(&head)?;
                return Ok((head, Some((state, true))));
            }
            None if load => Some((pieces::load(&self.pieces(), &Part::all())?, false)),
            None => None,
        };
        // Nothing was written: the transaction only read.
        drop(transaction);
        Ok((head, state))
    }

    fn recover_in(&self) -> Result<(Head, Option<State>)> {
        let head = read_head(self.meta())?;
        let last = self.last_seq()?;
        if last < head.seq {
            return Err(integrity(last + 1, format!("the log ends at event {last} but its head says {}", head.seq)));
        }
        let pieces_at_head = pieces::stamp(&self.pieces())?.as_ref() == Some(&head);
        if last == head.seq && pieces_at_head {
            return Ok((head, None));
        }
        let ordered = self.meta().get(K_ORDERED)?.is_some();
        let state = if pieces_at_head && ordered {
            let mut state = pieces::load(&self.pieces(), &Part::all())?;
            self.fold(head.seq + 1, last, &head.hash, None, &mut state)?;
            state
        } else {
            self.fold_timeline(last, None)?
        };
        let end = Head { seq: last, hash: self.hash_at(last)?.unwrap_or_else(|| head.hash.clone()) };
        pieces::write_all(&self.pieces(), &state, &end)?;
        self.meta().insert(K_HEAD, &serde_json::to_vec(&end).unwrap_or_default())?;
        self.meta().remove(K_SNAPSHOT)?;
        self.sync(false)?;
        Ok((end, Some(state)))
    }

    /// The whole state, read from the pieces if it is not in memory yet (completing a write
    /// cut short first); `inner.head` becomes the head the state is at.
    fn loaded<'i>(&self, inner: &'i mut Inner) -> Result<&'i mut State> {
        if self.shared() && inner.state.is_some() {
            let head = read_head(self.meta())?;
            if head != inner.head {
                // Another process appended: follow it.
                self.catch_up(inner, &head, false)?;
            }
        }
        self.loaded_as_is(inner)
    }

    /// Brings the state kept in memory from `inner.head` to `head`, which another process
    /// appended up to: by folding the new records onto it when the log is in date order (each
    /// appended after every fact), else by reading the pieces again: at once with `locked` (the
    /// caller holds the write lock and the cooperative's transaction, so they are those of
    /// `head`), else on the next load.
    fn catch_up(&self, inner: &mut Inner, head: &Head, locked: bool) -> Result<()> {
        inner.tail = None;
        inner.index = None;
        if let Some(state) = inner.state.as_mut() {
            if head.seq > inner.head.seq && self.meta().get(K_ORDERED)?.is_some() {
                let folded = self.fold(inner.head.seq + 1, head.seq, &inner.head.hash, None, state);
                if folded.is_ok() && self.hash_at(head.seq)?.as_deref() == Some(head.hash.as_str()) {
                    inner.head = head.clone();
                    self.feed.publish(head);
                    return Ok(());
                }
            }
        }
        if locked {
            inner.state = Some(pieces::load(&self.pieces(), &Part::all())?);
            inner.head = head.clone();
            self.feed.publish(head);
        } else {
            inner.state = None;
        }
        Ok(())
    }

    /// [`Store::loaded`] without asking a shared backend whether another process appended
    /// (inside a command's transaction, which has caught up already).
    fn loaded_as_is<'i>(&self, inner: &'i mut Inner) -> Result<&'i mut State> {
        if inner.state.is_none() {
            // No command is writing while the head and the pieces are read.
            let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
            let (head, state) = self.recover_locked(true)?;
            let state = state.map(|s| s.0).unwrap_or_default();
            if inner.head != head {
                inner.tail = None;
            }
            self.feed.publish(&head);
            inner.head = head;
            inner.state = Some(state);
        }
        Ok(inner.state.get_or_insert_with(State::default))
    }

    /// The runs of the log after its last pack, as stored.
    fn read_tail(&self, head: &Head) -> Result<Tail> {
        let sealed = match self.meta().get(K_SEALED)? {
            Some(v) => seq_of(&v),
            None => head.seq + 1,
        };
        let mut tail = Tail::default();
        for item in self.log().range_from(&key(sealed)) {
            let (k, run) = item?;
            let first = seq_of(&k);
            tail.keys.push(first);
            tail.records.extend(runs::split(first, &run).map(|(s, r)| (s, r.to_vec())));
        }
        Ok(tail)
    }

    fn hash_at(&self, seq: u64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(GENESIS_HASH.into()));
        }
        let Some(bytes) = self.record_at(seq)? else { return Ok(None) };
        #[derive(Deserialize)]
        struct HashOnly<'a> {
            hash: &'a str,
        }
        Ok(serde_json::from_slice::<HashOnly>(&bytes).ok().map(|h| h.hash.to_string()))
    }

    /// The run of records holding `seq`: the sequence number of its first record and its bytes.
    fn run_of(&self, seq: u64) -> Result<Option<(u64, backend::Value)>> {
        Ok(self.log().last_at_or_before(&key(seq))?.map(|(k, v)| (seq_of(&k), v)))
    }

    /// The record `seq` as stored, if it is.
    fn record_at(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.run_of(seq)?.and_then(|(first, run)| runs::split(first, &run).find(|(s, _)| *s == seq).map(|(_, r)| r.to_vec())))
    }

    /// Calls `f` on each stored record from `from` to `to`, in order, with the sequence number
    /// its place gives it. Returns the sequence number after the last one visited (so
    /// `to + 1` when all were there). A run out of place is an integrity failure.
    fn walk(&self, from: u64, to: u64, mut f: impl FnMut(u64, &[u8]) -> Result<()>) -> Result<u64> {
        let from = from.max(1);
        let mut expected = from;
        if from > to {
            return Ok(expected);
        }
        let start = self.run_of(from)?.map_or(from, |(k, _)| k);
        for item in self.log().range_from(&key(start)) {
            let (k, run) = item?;
            let first = seq_of(&k);
            if first != expected && !(expected == from && first < from) {
                return Err(integrity(expected, format!("event {expected} is missing (the next stored run starts at {first})")));
            }
            for (s, r) in runs::split(first, &run) {
                if s < expected {
                    continue;
                }
                if s > to {
                    return Ok(expected);
                }
                f(s, r)?;
                expected = s + 1;
            }
        }
        Ok(expected)
    }

    /// Opens the records `from..=to` in order (with `until`, only those dated on or before it)
    /// and gives each to `f`, checking every record's place and link from `prev`, the hash before
    /// `from`. The records given are hashed and decoded; those dated after `until` are skipped
    /// without (`audit verify` checks them).
    fn each_record(
        &self,
        from: u64,
        to: u64,
        prev: &str,
        until: Option<NaiveDate>,
        mut f: impl FnMut(Envelope) -> Result<()>,
    ) -> Result<()> {
        let mut prev = prev.to_string();
        let next = self.walk(from, to, |seq, bytes| {
            let bad = |e: RecordError| unreadable(seq, e);
            if let Some(date) = until {
                let (hash, effective) = record::dated(bytes, seq, &prev).map_err(bad)?;
                if effective > date {
                    prev = hash;
                    return Ok(());
                }
            }
            let env = record::open(bytes, seq, &prev).map_err(bad)?;
            self.report("replay", seq, to);
            prev = env.hash.clone();
            f(env)
        })?;
        if next <= to {
            return Err(integrity(next, "the event is missing from the log"));
        }
        Ok(())
    }

    /// Applies the events `from..=to` to `state` in the log's order (with `until`, only those
    /// dated on or before it); see [`Store::each_record`].
    fn fold(&self, from: u64, to: u64, prev: &str, until: Option<NaiveDate>, state: &mut State) -> Result<()> {
        self.each_record(from, to, prev, until, |env| state.apply(env.effective, &env.event).map_err(|e| integrity(env.seq, e.to_string())))
    }

    /// The fold of the events `1..=to` (with `until`, only those dated on or before it) in
    /// timeline order: by effective date, then as recorded (see `coop_core::timeline`). A log
    /// known to be in date order is folded as it is read; another is read whole and sorted.
    fn fold_timeline(&self, to: u64, until: Option<NaiveDate>) -> Result<State> {
        let mut state = State::default();
        if self.meta().get(K_ORDERED)?.is_some() {
            self.fold(1, to, GENESIS_HASH, until, &mut state)?;
            return Ok(state);
        }
        let facts = self.facts(to, until)?;
        timeline::fold(&mut state, &facts).map_err(|e| match e {
            Unplaced::Inconsistent { seq, reason } => integrity(seq, reason.to_string()),
            Unplaced::Refused(r) => integrity(0, r.to_string()),
        })?;
        Ok(state)
    }

    /// The events `1..=to` (with `until`, only those dated on or before it) in timeline order,
    /// every record's place and link checked.
    fn facts(&self, to: u64, until: Option<NaiveDate>) -> Result<Vec<Fact>> {
        let mut facts = Vec::new();
        self.each_record(1, to, GENESIS_HASH, until, |env| {
            facts.push(Fact { seq: env.seq, date: env.effective, command_id: env.command_id, event: env.event });
            Ok(())
        })?;
        let mut facts = timeline::without_voided(facts);
        timeline::sort(&mut facts);
        Ok(facts)
    }

    /// The head of the log: the last acknowledged event and its hash. Never waits for a write
    /// in progress (it is the head before it until its command returns).
    pub fn head(&self) -> Head {
        self.feed.head()
    }

    /// A copy of the current decision state (read from disk on first use).
    pub fn state(&self) -> Result<State> {
        self.with_state(State::clone)
    }

    /// Runs `f` on the current state without copying it (read from disk on first use). It
    /// holds the store: from `f`, `state`, `with_state`, `execute` and the like return
    /// [`Error::Reentrant`] instead of deadlocking (`head`, `acknowledged` and reading the log
    /// work; use [`Store::snapshot`] to keep a state).
    pub fn with_state<T>(&self, f: impl FnOnce(&State) -> T) -> Result<T> {
        let mut inner = self.lock_checked()?;
        Ok(f(self.loaded(&mut inner)?))
    }

    /// The parts of the current state that `part` asks for (the statutes and totals always),
    /// read from disk without loading the rest: what a query needs on a large store. Functions
    /// of `coop_core` given this state see only those members, assemblies and projects.
    pub fn state_part(&self, part: &Part) -> Result<State> {
        let inner = self.lock_checked()?;
        if inner.damaged.is_some() {
            return Ok(State::default());
        }
        let writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let moment = Writes::read(&*self.backend)?;
        if pieces::stamp(&self.pieces())?.as_ref() != Some(&inner.head) {
            drop((moment, writes, inner));
            return self.state();
        }
        pieces::load(&self.pieces(), part)
    }

    /// The results of a closed assembly, read from disk without its roll (`None` if it is not
    /// closed, or unknown). They equal `coop_core::results` on the current state.
    pub fn closed_results(&self, slug: &str) -> Result<Option<Vec<coop_core::ResolutionResult>>> {
        let inner = self.lock_checked()?;
        let writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let moment = Writes::read(&*self.backend)?;
        if pieces::stamp(&self.pieces())?.as_ref() != Some(&inner.head) {
            drop((moment, writes, inner));
            return self.with_state(|s| {
                let a = s.assemblies.get(slug).filter(|a| a.closed.is_some());
                a.zip(s.statutes.as_ref()).map(|(a, st)| coop_core::results(s, st, a))
            });
        }
        pieces::results(&self.pieces(), slug)
    }

    /// The member number of a party, read from disk.
    pub fn number_of(&self, party: PartyId) -> Result<Option<MemberNo>> {
        pieces::number_of(&self.pieces(), party)
    }

    /// The state as of the end of `date` (effective dates): a fold of the events dated on or
    /// before it, in the order of their dates (then as recorded).
    ///
    /// Every record's place and link are checked; the records dated after `date` are skipped
    /// without hashing their body or decoding their event (`audit verify` checks those).
    pub fn state_as_of(&self, date: NaiveDate) -> Result<State> {
        self.fold_timeline(self.head().seq, Some(date))
    }

    /// The state as the log stood after event `seq` (as known then), and with `as_of`, as of the
    /// end of that date: what a query answered at that point of the log.
    pub fn state_known_at(&self, seq: u64, as_of: Option<NaiveDate>) -> Result<State> {
        self.fold_timeline(seq.min(self.head().seq), as_of)
    }

    /// The state as known after the first `seq` events (folded in the order of their dates).
    pub fn state_at_seq(&self, seq: u64) -> Result<State> {
        self.fold_timeline(seq.min(self.head().seq), None)
    }

    /// The commands voided, by command id: the event that voided each, and why.
    pub fn voided(&self) -> Result<std::collections::BTreeMap<String, Voided>> {
        let mut out = std::collections::BTreeMap::new();
        for item in self.meta().scan_prefix(K_VOIDED) {
            let (k, v) = item?;
            let id = String::from_utf8_lossy(&k[K_VOIDED.len()..]).into_owned();
            let v: Voided = serde_json::from_slice(&v).map_err(|e| integrity(0, format!("unreadable void entry: {e}")))?;
            out.insert(id, v);
        }
        Ok(out)
    }

    /// The personal data of a party with its salt, as kept beside the log.
    pub(crate) fn personal_entry(&self, party: PartyId) -> Result<Option<PersonalEntry>> {
        self.personal_data().get(party)
    }

    /// Writes personal data beside the log before the events that name it (a restore), recorded
    /// as pending; returns the token that settles it.
    pub(crate) fn personal_pending_put(&self, entries: &[(PartyId, PersonalEntry)]) -> Result<String> {
        self.personal_data().put_all(entries)
    }

    /// The events naming the personal data written under `token` committed: it stays, and the
    /// store is no longer one without personal data.
    pub(crate) fn personal_settled(&self, token: &str) -> Result<()> {
        self.personal_data().settle(Some(token))?;
        self.meta().remove(K_NO_PERSONAL)?;
        self.backend.flush()?;
        Ok(())
    }

    /// The events naming the personal data written under `token` did not commit: it goes.
    pub(crate) fn personal_undo(&self, parties: &[PartyId], token: &str) -> Result<()> {
        self.personal_data().remove_all(parties)?;
        self.personal_data().settle(Some(token))
    }

    /// The personal data of a party, unless it was never stored here or has been erased.
    pub fn personal(&self, party: PartyId) -> Result<Option<Personal>> {
        Ok(self.personal_data().get(party)?.map(|p| p.data))
    }

    /// The partner (not a member) of `state` known under exactly this name, if any.
    pub fn partner_named(&self, state: &State, name: &str) -> Result<Option<PartyId>> {
        for id in state.partners.keys() {
            if self.personal(*id)?.is_some_and(|p| p.name == name) {
                return Ok(Some(*id));
            }
        }
        Ok(None)
    }

    /// The register of `state` with names joined from the personal data.
    pub fn register(&self, state: &State) -> Result<Vec<RegisterRow>> {
        let mut rows = coop_core::register(state);
        for r in &mut rows {
            r.name = self.personal(r.id)?.map(|p| p.name);
        }
        Ok(rows)
    }

    /// Decides a command as [`Store::execute`] would, and writes nothing: what it would record,
    /// or why it would be refused. For a caller that must do something first only if the
    /// command will be accepted (write the convocations it records as sent).
    pub fn check(&self, request: &Request) -> Result<Vec<Event>> {
        self.refuse_if_damaged()?;
        let mut inner = self.lock_checked()?;
        let state = self.loaded(&mut inner)?;
        let fresh = Ulid::new();
        let resolved = self.pseudonymize(state, request, fresh, &Default::default())?;
        let request = &resolved;
        let ctx = Context {
            today: request.today,
            fresh_id: fresh,
            salt: fresh_salt(),
            actor: request.actor.clone(),
            number: None,
            signer: request.key.as_ref().map(|k| k.public_hex()),
        };
        if timeline::on_current_state(state, request.date, &request.command) {
            let decided = decide(state, request.date, &request.command, &ctx);
            return match decided {
                Ok(events) => Ok(events),
                Err(r) => Err(Error::Refused(self.named(state, r)?)),
            };
        }
        // A late share movement: from the timeline's index, as `execute` places it.
        let inner = &mut *inner;
        let head = inner.head.clone();
        if let Some(state) = inner.state.as_ref() {
            if let Some(placed) = self.place_local(&mut inner.index, &head, state, request, &ctx)? {
                return placed.map(|patch| patch.events).map_err(Error::Refused);
            }
        }
        let state = self.loaded(inner)?.clone();
        let head = head.seq;
        let facts = self.facts(head, None)?;
        Ok(placed_or_refused(timeline::place(&state, &facts, request.date, &request.command, &ctx))?.map_err(Error::Refused)?.events)
    }

    /// Refuses what a store found damaged by `audit verify` may not do (commands, exports).
    fn refuse_if_damaged(&self) -> Result<()> {
        match self.damage()? {
            None => Ok(()),
            Some(found) => Err(Error::Damaged {
                seq: 0,
                reason: format!("a verification found this store damaged ({found}); it takes no command and makes no export until repaired (the kept state is rebuilt from the log; a damaged log is restored from a backup)"),
                remedy: if found.contains("kept beside the log is not the fold") { crate::Remedy::Repair } else { crate::Remedy::Restore },
            }),
        }
    }

    /// Decides and appends one command, flushed to disk before returning.
    pub fn execute(&self, request: Request) -> Result<Receipt> {
        self.execute_all(vec![request]).map(|mut v| v.remove(0)).map_err(|e| match e {
            Error::BatchRefused(mut v) if v.len() == 1 => Error::Refused(v.remove(0).1),
            other => other,
        })
    }

    /// Decides commands in order, each on the state the previous ones leave, and appends all
    /// of their events in one atomic write, or nothing if any is refused (every refusal is
    /// reported, with its index). Flushed to disk before returning.
    pub fn execute_all(&self, requests: Vec<Request>) -> Result<Vec<Receipt>> {
        let mut inner = self.lock_checked()?;
        if let Some(why) = &inner.damaged {
            return Err(integrity(0, format!("the store is damaged and cannot take commands: {why}")));
        }
        self.refuse_if_damaged()?;
        if self.shared() {
            // Many processes write: take the cooperative's lock first, catch up with what the
            // others appended, then decide and write under it (no decision is made twice). The
            // state is loaded first: loading takes the write lock itself.
            self.loaded_as_is(&mut inner)?;
            let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
            let transaction = Writes::begin(&*self.backend)?;
            let head = read_head(self.meta())?;
            if head != inner.head {
                self.catch_up(&mut inner, &head, true)?;
            }
            return self.try_execute_in(&mut inner, &requests, Some(transaction));
        }
        loop {
            match self.try_execute(&mut inner, &requests) {
                Err(Error::Conflict) => {
                    // The head moved under us: catch up with the log and decide again.
                    inner.head = read_head(self.meta())?;
                    inner.state = None;
                    inner.tail = None;
                }
                other => return other,
            }
        }
    }

    fn try_execute(&self, inner: &mut Inner, requests: &[Request]) -> Result<Vec<Receipt>> {
        self.try_execute_in(inner, requests, None)
    }

    /// Decides and writes `requests`; `begun` is the transaction (and the write lock) a shared
    /// backend's caller took before deciding.
    fn try_execute_in(&self, inner: &mut Inner, requests: &[Request], begun: Option<Writes<'_>>) -> Result<Vec<Receipt>> {
        // Retries: a command id already in the log returns its first result.
        self.loaded_as_is(inner)?;
        let mut receipts: Vec<Option<Receipt>> = Vec::with_capacity(requests.len());
        for r in requests {
            receipts.push(match &r.command_id {
                Some(id) => {
                    let head = inner.head.seq;
                    let state = self.loaded_as_is(inner)?;
                    self.previous(id, r, state, head)?
                }
                None => None,
            });
        }
        let old = inner.head.clone();
        // No person's name goes into the log: officers are recorded by party id (see
        // `pseudonymize`); each request draws its fresh identity here.
        let originals = requests;
        let fresh: Vec<Ulid> = requests.iter().map(|_| Ulid::new()).collect();
        let resolved: Vec<Request> = {
            let state = self.loaded_as_is(inner)?;
            self.pseudonymize_all(state, requests, &fresh)?
        };
        let requests = resolved.as_slice();
        // On a shared backend no pack is sealed (see `runs::one_run`): no tail is kept.
        let tail = match inner.tail.take() {
            Some(t) => t,
            None if self.shared() => Tail::default(),
            None => self.read_tail(&old)?,
        };
        // The state is taken out while the commands are decided and applied: it goes back only
        // once their events are durable. On any other way out it stays out, and is read again
        // from the pieces on disk (which hold the last durable state) when next needed.
        let mut state = inner.state.take().unwrap_or_default();
        let mut changed = false;
        let mut refusals = Vec::new();
        let mut planned: Vec<Planned> = Vec::new();
        // The pieces of the state the batch changes.
        let mut changes = Changes::default();
        // Every fact in timeline order, read when a command is dated before the latest fact.
        let mut facts: Option<Vec<Fact>> = None;
        let mut next_seq = old.seq + 1;
        let mut backdated = false;
        // Admissions take their numbers in the batch's order, whatever order they are decided in.
        let mut number = state.next_number().0;
        let numbers: Vec<Option<MemberNo>> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (receipts[i].is_none() && matches!(r.command, Command::Admit { .. })).then(|| {
                    number += 1;
                    MemberNo(number - 1)
                })
            })
            .collect();
        // In the batch's order, but a command refused for the public bodies' cap while facts of
        // the same date follow it is decided again after them: the founders of one day are judged
        // together, whatever the order of their rows.
        let mut queue: std::collections::VecDeque<(usize, bool)> = (0..requests.len()).map(|i| (i, false)).collect();
        while let Some((i, deferred)) = queue.pop_front() {
            let r = &requests[i];
            if receipts[i].is_some() {
                continue;
            }
            let ctx = Context {
                today: r.today,
                fresh_id: fresh[i],
                salt: fresh_salt(),
                actor: r.actor.clone(),
                number: numbers[i],
                signer: r.key.as_ref().map(|k| k.public_hex()),
            };
            let id = r.command_id.clone().unwrap_or_else(|| Ulid::new().to_string());
            // Each command is decided on the state the previous ones of the batch leave: on the
            // current state when it is dated on or after every fact, else on the timeline.
            let local = if !timeline::on_current_state(&state, r.date, &r.command) && requests.len() == 1 {
                self.place_local(&mut inner.index, &old, &state, r, &ctx)?
            } else {
                None
            };
            let decided = if let Some(local) = local {
                local.map(|patch| (patch.events.clone(), Placement::Patched(patch)))
            } else if timeline::on_current_state(&state, r.date, &r.command) {
                decide(&state, r.date, &r.command, &ctx).map(|events| (events, Placement::Current))
            } else {
                if facts.is_none() {
                    let mut all = self.facts(old.seq, None)?;
                    all.extend(planned.iter().flat_map(|p| {
                        let date = requests[p.index].date;
                        p.events.iter().zip(p.first..).map(move |(e, seq)| Fact { seq, date, command_id: p.id.clone(), event: e.clone() })
                    }));
                    timeline::sort(&mut all);
                    facts = Some(all);
                }
                let all = facts.as_deref().unwrap_or_default();
                match placed_or_refused(timeline::place(&state, all, r.date, &r.command, &ctx))? {
                    Ok(placed) => {
                        // The pieces the facts folded anew touch: those that differ are rewritten.
                        let later = all.iter().filter(|f| f.date >= placed.since).map(|f| &f.event);
                        changes.add_differing(later, &state, &placed.state);
                        Ok((placed.events, Placement::Whole(Box::new(placed.state))))
                    }
                    Err(refusal) => Err(refusal),
                }
            };
            match decided {
                Err(refusal) => {
                    let same_day = |j: &usize| requests[*j].date == r.date && receipts[*j].is_none();
                    match queue.iter().rposition(|(j, _)| same_day(j)) {
                        Some(last) if !deferred && refusal.rule == coop_core::Rule::PublicBodiesCap => queue.insert(last + 1, (i, true)),
                        _ => refusals.push((i, self.named(&state, refusal)?)),
                    }
                }
                Ok((events, placed)) => {
                    let erase = r.command.erases(&state);
                    changed = true;
                    let index = match placed {
                        Placement::Whole(new_state) => {
                            backdated = true;
                            state = *new_state;
                            IndexUpdate::Rebuild
                        }
                        Placement::Patched(patch) => {
                            backdated = true;
                            patch.apply(&mut state);
                            changes.add_members(patch.members.iter().map(|m| m.number));
                            IndexUpdate::Patch(patch)
                        }
                        Placement::Current => {
                            for e in &events {
                                state.apply(r.date, e).map_err(|e| integrity(old.seq, format!("decided event does not apply: {e}")))?;
                            }
                            IndexUpdate::Record(state.capital)
                        }
                    };
                    if let Some(all) = facts.as_mut() {
                        if let Some(Event::CommandVoided { command_id, .. }) = events.first() {
                            all.retain(|f| f.command_id != *command_id);
                        }
                        for (e, seq) in events.iter().zip(next_seq..) {
                            let at = all.partition_point(|f| f.key() <= (r.date, seq));
                            all.insert(at, Fact { seq, date: r.date, command_id: id.clone(), event: e.clone() });
                        }
                    }
                    let personal = r
                        .command
                        .personal()
                        .zip(r.command.personal_party(&state, ctx.fresh_id))
                        .map(|(p, party)| (party, PersonalEntry { salt: ctx.salt.clone(), data: p.clone() }));
                    planned.push(Planned { index: i, first: next_seq, id, events, personal, erase, update: index });
                    next_seq += planned.last().map_or(0, |p| p.events.len() as u64);
                }
            }
        }
        refusals.sort_by_key(|(i, _)| *i);
        if !refusals.is_empty() {
            if !changed {
                inner.state = Some(state);
            }
            inner.tail = Some(tail);
            return Err(Error::BatchRefused(refusals));
        }

        // Seal the records, chained from the head.
        let recorded = Utc::now();
        let mut seq = old.seq;
        let mut hash = old.hash.clone();
        let mut records = Vec::new();
        let mut cmd_entries = Vec::new();
        let mut envelopes: Vec<(usize, String, Vec<Envelope>)> = Vec::new();
        for Planned { index: i, id, events, .. } in &planned {
            let r = &requests[*i];
            let first = seq + 1;
            let mut envs = Vec::new();
            for event in events {
                seq += 1;
                let eid = Ulid::new();
                let (bytes, h) = record::seal(seq, eid, &recorded, r.date, &r.actor, id, &hash, event, r.key.as_ref());
                changes.add(event);
                envs.push(Envelope {
                    seq,
                    id: eid,
                    recorded,
                    effective: r.date,
                    actor: r.actor.clone(),
                    command_id: id.clone(),
                    schema: coop_core::EVENT_SCHEMA,
                    prev_hash: hash.clone(),
                    hash: h.clone(),
                    signed_by: r.key.as_ref().map(|k| k.public_hex()),
                    event: event.clone(),
                });
                records.push((seq, bytes));
                hash = h;
            }
            // The command as asked (a retry names its officers as it did).
            let entry = CommandEntry { first, last: seq, fingerprint: fingerprint(&originals[*i]) };
            cmd_entries.push((command_key(id), serde_json::to_vec(&entry).unwrap_or_default()));
            envelopes.push((*i, id.clone(), envs));
        }
        let new_head = Head { seq, hash };
        let voids: Vec<(String, Voided)> = envelopes
            .iter()
            .flat_map(|(_, _, envs)| envs.iter())
            .filter_map(|e| match &e.event {
                Event::CommandVoided { command_id, reason, .. } => {
                    Some((command_id.clone(), Voided { seq: e.seq, reason: reason.clone() }))
                }
                _ => None,
            })
            .collect();
        let plan = if self.shared() { runs::one_run(records) } else { runs::plan(&tail, records, PACK_BYTES) };

        if !plan.inserts.is_empty() {
            // The pieces of the state these events change, as they are after them.
            let state_pieces = pieces::encode(&state, &changes, &new_head)?;
            let head_bytes = serde_json::to_vec(&new_head).unwrap_or_default();
            let erased: Vec<PartyId> = planned.iter().flat_map(|p| p.erase.iter().copied()).collect();
            let pending = serde_json::to_vec(&erased).unwrap_or_default();
            let large = plan.inserts.iter().map(|(_, b)| b.len()).chain(state_pieces.iter().map(|(_, v)| v.len())).any(|l| l > LARGE_VALUE);
            // The head is the commit point (see `recover`): the command ids first (an id whose
            // events did not follow is recognised as such), the records, the totals (their stamp
            // names the new head), the other pieces, the head last. Plain inserts: sled keeps a
            // prefix of them through a crash, and a sled transaction would cost its flush double.
            // Taken here, unless the caller holds them (a shared backend): the write lock, and on
            // PostgreSQL one transaction holding the cooperative's lock to its commit (rolled
            // back on any way out before it); on sled, plain writes.
            let (writes, transaction) = match begun {
                Some(t) => (None, t),
                None => (Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())), Writes::begin(&*self.backend)?),
            };
            if read_head(self.meta())? != old {
                // Another handle (or process) moved the head since this one decided: decide again.
                return Err(Error::Conflict);
            }
            // Personal data first: an acknowledged admission always has its name. If the log
            // write below fails, the entry is an orphan no event refers to (undone on the next
            // open), or rolled back with the rest.
            let personal: Vec<(PartyId, PersonalEntry)> = planned.iter().filter_map(|p| p.personal.clone()).collect();
            let pending_personal = if personal.is_empty() { None } else { Some(self.personal_data().put_all(&personal)?) };
            if !erased.is_empty() {
                // Before the records: an erasure whose events committed is finished on the next
                // open if this process stops before finishing it below (`finish_pending_erasure`).
                self.meta().insert(K_PENDING_ERASE, pending.as_slice())?;
            }
            if backdated {
                // Before the records: the log is no longer in date order.
                self.meta().remove(K_ORDERED)?;
            }
            for (k, entry) in &cmd_entries {
                self.meta().insert(k.as_slice(), entry.as_slice())?;
            }
            for (id, v) in &voids {
                self.meta().insert(&voided_key(id), &serde_json::to_vec(v).unwrap_or_default())?;
            }
            if plan.removes.is_empty() && plan.sealed.is_none() {
                for (s, run) in &plan.inserts {
                    self.log().insert(&key(*s), run.as_slice())?;
                }
            } else {
                // Sealing replaces runs by packs, atomically: no record is ever in two runs.
                let log = plan.inserts.iter().map(|(s, run)| (key(*s).to_vec(), Some(run.clone())));
                let log = log.chain(plan.removes.iter().map(|s| (key(*s).to_vec(), None))).collect();
                let meta = plan.sealed.map(|s| (K_SEALED.to_vec(), Some(key(s).to_vec()))).into_iter().collect();
                self.backend.log_and_meta(log, meta)?;
            }
            for (k, v) in &state_pieces {
                if v.is_empty() {
                    // A piece whose subject a void took away.
                    self.pieces().of(k).remove(k.as_slice())?;
                } else {
                    self.pieces().of(k).insert(k.as_slice(), v.as_slice())?;
                }
            }
            self.meta().insert(K_HEAD, head_bytes.as_slice())?;
            transaction.commit(&new_head)?;
            drop(writes);
            self.sync(large)?;
            if let Some(token) = &pending_personal {
                // Committed: the personal data written before the records stays.
                self.personal_data().settle(Some(token))?;
            }
            // The command is committed and durable: a witness that cannot be written (a
            // read-only file, a full disk) must not turn it into an error. The witness then lags,
            // which opening accepts (it only guards against a log younger than it).
            let _ = self.write_witness(&new_head);
            if !erased.is_empty() {
                self.finish_erasure(&erased)?;
            }
        }

        // The write is durable: the state after it is the kept one, and the index follows it.
        inner.index = late::follow(inner.index.take(), &old, &new_head, &planned, requests);
        inner.state = Some(state);
        inner.tail = Some(plan.tail);
        self.feed.publish(&new_head);
        inner.head = new_head;
        let mut out: Vec<Receipt> = Vec::with_capacity(requests.len());
        envelopes.sort_by_key(|(i, _, _)| *i);
        let mut fresh = envelopes.into_iter().peekable();
        for (i, prev) in receipts.into_iter().enumerate() {
            match prev {
                Some(r) => out.push(r),
                None => {
                    let (j, id, events) = fresh.next().filter(|(j, _, _)| *j == i).ok_or_else(|| integrity(0, "receipts out of order"))?;
                    debug_assert_eq!(i, j);
                    out.push(Receipt { command_id: id, events, replayed: false });
                }
            }
        }
        Ok(out)
    }

    /// Up to `limit` acknowledged events from sequence number `from` (records of a write in
    /// progress are not returned: see [`Store::acknowledged`]).
    pub fn events(&self, from: u64, limit: usize) -> Result<Vec<Envelope>> {
        let from = from.max(1);
        let acked = self.feed.acked();
        if from > acked {
            return Ok(Vec::new());
        }
        self.events_unacknowledged(from, limit.min((acked + 1 - from).try_into().unwrap_or(usize::MAX)))
    }

    /// Up to `limit` events from `from`, as the log holds them (the caller knows them written).
    fn events_unacknowledged(&self, from: u64, limit: usize) -> Result<Vec<Envelope>> {
        let mut prev = self.hash_at(from - 1)?.unwrap_or_default();
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        self.walk(from, from.saturating_add(limit as u64 - 1), |seq, bytes| {
            let env = record::open(bytes, seq, &prev).map_err(|e| unreadable(seq, e))?;
            prev = env.hash.clone();
            out.push(env);
            Ok(())
        })?;
        Ok(out)
    }
}

/// A decided command, ready to be written.
struct Planned {
    /// Its index in the batch.
    index: usize,
    /// The sequence number its first event will have.
    first: u64,
    /// Its command id.
    id: String,
    /// The events decided.
    events: Vec<Event>,
    /// The personal data it brings, to store beside the log.
    personal: Option<(PartyId, PersonalEntry)>,
    /// The parties whose personal data it erases.
    erase: Vec<PartyId>,
    /// How the timeline's index takes it in.
    update: IndexUpdate,
}

const WITNESS: &str = "head";

/// The witness line for `head`: always the same length (the sequence number is zero-padded), so
/// that it is rewritten in place; the checksum covers `"{seq} {hash}"`.
fn witness_line(head: &Head) -> String {
    let body = format!("{} {}", head.seq, head.hash);
    let check = &hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16];
    format!("coop-head/1 {:020} {} {check}\n", head.seq, head.hash)
}

/// The head last acknowledged, as the file beside the database says it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Witness {
    /// No file.
    Missing,
    /// A file that does not parse or whose checksum fails.
    Unreadable,
    /// The head it names.
    Head(Head),
    /// The store is not in a directory (PostgreSQL): the database server answers for what it
    /// acknowledged.
    Elsewhere,
}

fn read_witness(dir: &Path) -> Witness {
    match std::fs::metadata(dir.join(WITNESS)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Witness::Missing,
        _ => parse_witness(dir).map_or(Witness::Unreadable, Witness::Head),
    }
}

/// The acknowledged head, if its file is present and intact.
fn parse_witness(dir: &Path) -> Option<Head> {
    let text = std::fs::read_to_string(dir.join(WITNESS)).ok()?;
    let mut parts = text.split_whitespace();
    if parts.next()? != "coop-head/1" {
        return None;
    }
    let seq: u64 = parts.next()?.parse().ok()?;
    let hash = parts.next()?.to_string();
    let check = parts.next()?;
    let body = format!("{seq} {hash}");
    (hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16] == *check).then_some(Head { seq, hash })
}

/// The blob directory's modification time and files: those there when a store is opened were
/// synced by whoever wrote them.
fn blob_files(store: &Path) -> (Option<std::time::SystemTime>, std::collections::BTreeSet<std::ffi::OsString>) {
    let dir = store.join("blobs");
    let stamp = std::fs::metadata(&dir).and_then(|m| m.modified()).ok();
    let names = std::fs::read_dir(&dir).map(|rd| rd.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    (stamp, names)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}

/// The head recorded in the `meta` tree (the genesis head for an empty store).
fn read_head(meta: &dyn Table) -> Result<Head> {
    match meta.get(K_HEAD)? {
        Some(h) => serde_json::from_slice(&h).map_err(|e| integrity(0, format!("unreadable head: {e}"))),
        None => Ok(Head { seq: 0, hash: GENESIS_HASH.into() }),
    }
}

fn fresh_salt() -> String {
    let mut buf = [0u8; 16];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness: fall back on a ULID's random bits (still unique per party).
        buf = Ulid::new().to_bytes();
    }
    hex::encode(buf)
}

/// A placement's refusal stays a refusal; a history that does not fold is an integrity failure.
fn placed_or_refused<T>(placed: std::result::Result<T, Unplaced>) -> Result<std::result::Result<T, coop_core::Refusal>> {
    match placed {
        Ok(p) => Ok(Ok(p)),
        Err(Unplaced::Refused(r)) => Ok(Err(r)),
        Err(Unplaced::Inconsistent { seq, reason }) => Err(integrity(seq, reason.to_string())),
    }
}
