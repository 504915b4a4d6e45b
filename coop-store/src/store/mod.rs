use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use coop_core::timeline::{self, Fact, Unplaced};
use coop_core::{Command, Context, Event, MemberNo, PartyId, Personal, RegisterRow, State};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

use crate::backend::{self, Backend, Kind, Location, PersonalStore, Table, Tables, Transaction};
use crate::imported;
use crate::personal::{PersonalEntry, PersonalFiles};
use crate::pieces::{self, Part};
use crate::record::{self, Envelope, RecordError, GENESIS_HASH};
use crate::runs::{self, key, seq_of, Tail, PACK_BYTES};
use crate::{Error, Result};

mod feed;
mod held;
mod late;
mod officers;
mod retry;
mod transfer;
pub use feed::{Snapshot, Subscription};
pub use transfer::{ExportHeader, ImportReport};
mod asof;
mod execute;
pub use execute::BatchReport;
mod log;
mod open;
use execute::{placed_or_refused, Planned};
mod verify;
mod witness;
pub use verify::{check_export_anchors, seal_line, Anchor, PersonalReport, ReplayReport, SealSignature, VerifyReport};
use witness::{blob_files, read_witness, Witness};

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
/// - `coop-store/4`: the same trees; the binary pieces of assemblies carry the hands counted in
///   open votes. A `/3` store's pieces are built again from the log on its first open, like a
///   `/2` store's.
/// - `coop-store/5`: the same trees; a member's binary piece marks a mandate that ended before
///   its term, and the board's meetings and the committees have pieces of their own. A `/4`
///   store's pieces are built again from the log on its first open.
/// - `coop-store/6`: the members' table also holds the roll (every member's standing in chunks,
///   see `pieces::roll`), and packs sealed from then on are kept in the `packs` file beside the
///   database, the `log` tree holding a pointer to each (see `packs`; packs already in the tree
///   are read as they are). A `/5` store's pieces are built again from the log on its first
///   open.
/// - `coop-store/7`: members' binary pieces hold their dates as day numbers and their digests as
///   32 bytes, and the `state-checkpoints` table keeps the pieces as of some events of a log in
///   date order (see `pieces::checkpoints`). A `/6` store's pieces are built again from the log
///   on its first open; its checkpoints are written from its next command on.
/// - `coop-store/8`: the same trees; the party index keeps the parties in 4,096 buckets (by the
///   last 12 bits of their ids) instead of a value each. A `/7` store's pieces are built again
///   from the log on its first open.
/// - `coop-store/9`: the same trees; the members' pieces are kept eight to a value, by register
///   number (see `pieces::members`). A `/8` store's pieces are built again from the log on its
///   first open.
/// - `coop-store/10`: the same trees; the projects' table also lists, under each member, the
///   projects it took part in (see `pieces::taking_part`). A `/9` store's pieces are built again
///   from the log on its first open.
const FORMAT: &[u8] = b"coop-store/10";
const FORMAT_9: &[u8] = b"coop-store/9";
const FORMAT_8: &[u8] = b"coop-store/8";
const FORMAT_7: &[u8] = b"coop-store/7";
const FORMAT_6: &[u8] = b"coop-store/6";
const FORMAT_5: &[u8] = b"coop-store/5";
const FORMAT_4: &[u8] = b"coop-store/4";
const FORMAT_3: &[u8] = b"coop-store/3";
const FORMAT_2: &[u8] = b"coop-store/2";
const FORMAT_1: &[u8] = b"coop-store/1";

const K_FORMAT: &[u8] = b"format";
const K_HEAD: &[u8] = b"head";
/// Where stores written before the state was kept in pieces kept a whole-state snapshot.
const K_SNAPSHOT: &[u8] = b"snapshot";
const K_IMPORTING: &[u8] = b"importing";
const K_PENDING_ERASE: &[u8] = b"pending-erase";
/// Present while the log's records are in the order of their effective dates (each dated on or
/// after every one before it) and it holds no void, so that it folds as it is read; removed
/// before a fact entered late or a void is written. Absent in a store written before it was
/// kept: its log is sorted when folded.
const K_ORDERED: &[u8] = b"ordered";
/// Once the log left date order: the last event of the prefix that was in date order, without a
/// void (big-endian u64). Checkpoints are kept for that prefix (see `asof`). Absent in a log in
/// date order, and in a store that left it before this was kept.
const K_ORDERED_UNTIL: &[u8] = b"ordered-until";
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
    /// The sled database and the files beside it, shared by a second handle on it.
    sled: Option<(sled::Db, backend::sled::Beside)>,
    /// Shared by every handle on the database: held while a command's writes are made, and while
    /// the state is read whole, so that no one reads a write half made.
    write_lock: std::sync::Arc<Mutex<()>>,
    fsync: bool,
    /// How many events apart checkpoints are written ([`Options::checkpoint_every`]).
    checkpoint_every: u64,
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
    fn checkpoints(&self) -> &dyn Table {
        &*self.tables().checkpoints
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
    /// While the log is in date order, the state's pieces are kept as of every this many events
    /// (a checkpoint), so that a query as of a date folds only the events after the last
    /// checkpoint before it (see [`Store::state_part_as_of`]). 0: none are written. Default
    /// [`CHECKPOINT_EVERY`].
    pub checkpoint_every: u64,
}

/// How many events apart checkpoints are written by default: an as-of query folds at most
/// about this many events, and the checkpoints hold each piece these many events touched.
pub const CHECKPOINT_EVERY: u64 = 16_384;

impl Default for Options {
    fn default() -> Self {
        Options { cache_bytes: 64 * 1024 * 1024, audit: false, fsync: true, temporary: false, checkpoint_every: CHECKPOINT_EVERY }
    }
}

impl Options {
    /// A throwaway store: nothing is synced to disk, and the whole directory is removed when the
    /// `Store` is dropped. For tests and examples.
    pub fn temporary() -> Options {
        Options { fsync: false, temporary: true, cache_bytes: 8 * 1024 * 1024, ..Options::default() }
    }

    /// For a process that makes one pass over most of the store (an import, a repair, an audit):
    /// sled's page cache kept to [`BULK_CACHE_BYTES`]. sled keeps in its cache what it writes
    /// until the cache is full (and pages out by size per shard of the cache): with the default
    /// cache, the pieces an import writes last stayed in memory (at a million events, 420 MiB
    /// peak against 250 with this one, for 7 % more time).
    pub fn bulk() -> Options {
        Options { cache_bytes: BULK_CACHE_BYTES, ..Options::default() }
    }
}

/// sled's page cache for [`Options::bulk`]: 1 MiB.
pub const BULK_CACHE_BYTES: u64 = 1024 * 1024;

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

    /// Gives up the handle in a process about to exit: what sled still holds in memory is
    /// written and synced, as dropping the last handle would do, but its caches and page table
    /// are left for the operating system to take back with the process (freeing them entry by
    /// entry took 90 ms of CPU after a register's import, a millisecond or two after a report).
    /// Another handle on the same store, a temporary store or a PostgreSQL store is simply
    /// dropped. For a program's end only: the memory is never freed otherwise, and on sled the
    /// store stays locked by this process (another `Store::open` of it in the same process is
    /// refused as in use).
    pub fn close_at_exit(self) -> Result<()> {
        if std::sync::Arc::strong_count(&self.core) > 1 || self.remove_on_drop.is_some() || self.shared() {
            drop(self);
            return Ok(());
        }
        self.backend.flush()?;
        std::mem::forget(self);
        Ok(())
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
        self.read_at_head(|trees| pieces::load(trees, part), |state| state)
    }

    /// [`Store::state_part`], with every member's standing (who is a member on a date, in which
    /// category, and, with `parties`, under which party) read from the roll kept beside the
    /// members' pieces: what a report over every member needs, without reading their shares.
    /// See [`coop_core::involvement_in`].
    pub fn state_part_with_roll(&self, part: &Part, parties: bool) -> Result<(State, pieces::Roll)> {
        self.read_at_head(
            |trees| {
                if self.shared() {
                    Ok((pieces::load(trees, part)?, pieces::load_roll(trees, parties)?))
                } else {
                    pieces::load_with_roll_on_two_threads(trees, part, parties)
                }
            },
            |state| {
                let roll = pieces::Roll::of(&state);
                (state, roll)
            },
        )
    }

    /// What `read` reads of the pieces, at one moment, when they are those of the head; else
    /// `whole` of the whole state (read, recovered or folded as [`Store::state`] does). A
    /// damaged store gives `whole` of an empty state.
    fn read_at_head<T>(&self, read: impl FnOnce(&pieces::Trees) -> Result<T>, whole: impl FnOnce(State) -> T) -> Result<T> {
        let inner = self.lock_checked()?;
        if inner.damaged.is_some() {
            return Ok(whole(State::default()));
        }
        let writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let moment = Transaction::read(&*self.backend)?;
        if pieces::stamp(&self.pieces())?.as_ref() != Some(&inner.head) {
            drop((moment, writes, inner));
            return Ok(whole(self.state()?));
        }
        read(&self.pieces())
    }

    /// The results of a closed assembly, read from disk without its roll (`None` if it is not
    /// closed, or unknown). They equal `coop_core::results` on the current state.
    pub fn closed_results(&self, slug: &str) -> Result<Option<Vec<coop_core::ResolutionResult>>> {
        let inner = self.lock_checked()?;
        let writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let moment = Transaction::read(&*self.backend)?;
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

    /// The partner (not a member) of `state` known under this name, if any.
    /// Names are compared folded ([`coop_core::fold_text`]): "Région BFC" is "région  bfc".
    pub fn partner_named(&self, state: &State, name: &str) -> Result<Option<PartyId>> {
        let wanted = coop_core::fold_text(name);
        for id in state.partners.keys() {
            if self.personal(*id)?.is_some_and(|p| coop_core::fold_text(&p.name) == wanted) {
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
}

/// The head recorded in the `meta` tree (the genesis head for an empty store).
fn read_head(meta: &dyn Table) -> Result<Head> {
    match meta.get(K_HEAD)? {
        Some(h) => serde_json::from_slice(&h).map_err(|e| integrity(0, format!("unreadable head: {e}"))),
        None => Ok(Head { seq: 0, hash: GENESIS_HASH.into() }),
    }
}
