//! The durable log of coop: a hash-chained, append-only sequence of events kept in sled, and
//! the [`Store`] that runs commands against it.
//!
//! The store knows no governance rule: it asks `coop_core::decide` what to append and folds
//! events with `State::apply`. What it guarantees is about the log itself:
//!
//! - a command is committed by writing the head, last: its command id, its records and the
//!   pieces of the decision state its events change are written before it, all flushed (and
//!   fsynced) before `execute` returns; the personal data they bring is written first; a write
//!   cut short is completed on the next open from the records found past the head;
//! - a command is decided on the state at the head it appends after (the head is compared under
//!   the write lock shared by every handle; on a moved head it is decided again);
//! - the same command id twice appends nothing the second time;
//! - opening reads nothing but the head: the state is read from its pieces when first needed,
//!   and a query may read only the pieces it needs ([`Store::state_part`]).

#![warn(missing_docs)]

mod backend;
mod backup;
mod imported;
pub mod keys;
mod packs;
mod personal;
mod pieces;
mod record;
mod runs;
mod sled_files;
mod store;

pub use backend::is_database_url;
pub use backup::RestoreReport;
pub use packs::location as pack_location;
pub use pieces::{Part, Pick, Roll, RollEntry};
pub use record::{open as check_record, Envelope, RecordError, GENESIS_HASH};
pub use runs::{open as open_run, seal as seal_pack};

/// The records of a value of the `log` tree of the sled store at `dir`, whatever its form: a
/// plain run, a sealed pack, or a pointer to a pack in the packs file beside the database. For
/// tools (and tests) that read a store's trees directly.
pub fn open_stored_run(dir: &std::path::Path, value: &[u8]) -> std::result::Result<Vec<u8>, String> {
    runs::open_stored(value, |pointer| packs::PackFile::new(dir).read(pointer)).map(std::borrow::Cow::into_owned)
}
pub use store::{
    check_export_anchors, seal_line, Anchor, BatchReport, ExportHeader, Head, ImportReport, Options, PersonalReport, ProgressFn, Receipt,
    ReplayReport, Request, SealSignature, Snapshot, Store, Subscription, VerifyReport, Voided,
};

use coop_core::Refusal;

/// What can go wrong in the store. Match on [`Error::kind`] to decide what to do; the variants
/// carry the details and more may come.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A governance rule refused the command; nothing was written.
    #[error("{0}")]
    Refused(Refusal),
    /// Some commands of a batch were refused; nothing was written. Indexes are 0-based.
    #[error("{} of the commands were refused; nothing was written: {}", .0.len(), refusal_list(.0))]
    BatchRefused(Vec<(usize, Refusal)>),
    /// Another process holds the store.
    #[error("the store {0} is in use by another process; try again when it has finished")]
    InUse(String),
    /// The storage underneath failed (the embedded database, or the disk).
    #[error("storage failure: {0}")]
    Storage(StorageError),
    /// The log or what is kept beside it is inconsistent, and an operator can act on it:
    /// [`Remedy`] says how.
    #[error("integrity failure at event {seq}: {reason}")]
    Damaged {
        /// The first bad sequence number.
        seq: u64,
        /// What is wrong.
        reason: String,
        /// What to do about it.
        remedy: Remedy,
    },
    /// The log or what is kept beside it is inconsistent.
    #[error("integrity failure at event {seq}: {reason}")]
    Integrity {
        /// The first bad sequence number.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// A file to import is not what it should be.
    #[error("line {line}: {reason}")]
    BadImport {
        /// 1-based line in the file.
        line: usize,
        /// What is wrong and what would be accepted.
        reason: String,
        /// True when the line is well-formed but breaks the hash chain (an integrity failure).
        integrity: bool,
    },
    /// The log moved while a command was decided. `execute` catches up and decides again, so
    /// callers do not see this.
    #[error("the log moved while the command was decided")]
    Conflict,
    /// A command id was used before for a different command.
    #[error("command id '{0}' was already used for a different command; use a new id")]
    CommandIdReused(String),
    /// The store's location is not one coop can open (a malformed PostgreSQL URL, or one given to
    /// a coop built without PostgreSQL).
    #[error("{0}")]
    BadLocation(String),
    /// The operation needs an empty store.
    #[error("the store already holds {}; an import or a restore needs an empty store", coop_core::count(*.0, "event", "events"))]
    NotEmpty(u64),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// This thread already holds the store: a `with_state` closure called a method that needs
    /// it (`state`, `with_state`, `execute`…); nothing was done.
    #[error("the store is already held by this thread (inside a with_state closure): use the state the closure is given, or a snapshot")]
    Reentrant,
    /// The log holds an event this coop cannot read because a newer coop wrote it.
    #[error("event {seq} was written by a newer coop: {reason}")]
    WrittenByNewer {
        /// Its sequence number.
        seq: u64,
        /// What this coop does not know.
        reason: String,
    },
}

/// What an operator can do about a damaged store ([`Error::Damaged`], [`VerifyReport::remedy`]).
/// The messages say what is wrong; an application says which of its commands does this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Remedy {
    /// The head witness is missing or unreadable: check the log's head against a seal or the
    /// last minutes, then accept it knowingly ([`Store::verify_accepting_head`]).
    AcceptHead,
    /// The state kept beside the log is not the log's fold: rebuild it ([`Store::repair`]).
    Repair,
    /// The log itself is damaged: restore the store from a backup or an export.
    Restore,
}

/// What kind of failure an [`Error`] is: what a caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A governance rule refused the command (see the [`coop_core::Rule`]); nothing was written.
    Refused,
    /// The input is malformed or names what does not exist (an unknown member, a bad file);
    /// nothing was written.
    BadInput,
    /// A command id was used before for another command (another date, actor or personal data);
    /// nothing was written.
    CommandIdReused,
    /// Another process holds the store, or the log moved: try again.
    Busy,
    /// The storage underneath failed.
    Storage,
    /// The log or what is kept beside it is not what was written.
    Integrity,
    /// The log was written by a newer coop: upgrade.
    WrittenByNewer,
}

impl Error {
    /// What an operator can do about it, when the store is damaged in a way they can act on.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            Error::Damaged { remedy, .. } => Some(*remedy),
            _ => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        let by_rule = |bad: bool| if bad { ErrorKind::BadInput } else { ErrorKind::Refused };
        match self {
            Error::Refused(r) => by_rule(r.rule.is_bad_input()),
            Error::BatchRefused(v) => by_rule(v.iter().any(|(_, r)| r.rule.is_bad_input())),
            Error::InUse(_) | Error::Conflict => ErrorKind::Busy,
            Error::Storage(_) | Error::Io(_) => ErrorKind::Storage,
            Error::Integrity { .. } | Error::Damaged { .. } | Error::BadImport { integrity: true, .. } => ErrorKind::Integrity,
            Error::BadImport { .. } | Error::NotEmpty(_) | Error::Reentrant | Error::BadLocation(_) => ErrorKind::BadInput,
            Error::CommandIdReused(_) => ErrorKind::CommandIdReused,
            Error::WrittenByNewer { .. } => ErrorKind::WrittenByNewer,
        }
    }
}

/// A failure of the storage underneath, kept opaque: the embedded database is an implementation
/// detail. Its [`std::error::Error::source`] is the underlying error.
#[derive(Debug)]
pub struct StorageError(Box<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

#[doc(hidden)]
impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Self {
        match e {
            // A file-system failure is reported as such, not as the database's.
            sled::Error::Io(io) => Error::Io(io),
            other => Error::Storage(StorageError(Box::new(other))),
        }
    }
}

impl From<sled::transaction::TransactionError<Error>> for Error {
    fn from(e: sled::transaction::TransactionError<Error>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => Error::from(e),
        }
    }
}

fn refusal_list(v: &[(usize, Refusal)]) -> String {
    let shown: Vec<String> = v.iter().take(10).map(|(i, r)| format!("command {}: {r}", i + 1)).collect();
    let more = if v.len() > 10 { format!("; and {} more", v.len() - 10) } else { String::new() };
    format!("{}{more}", shown.join("; "))
}

/// Result alias of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;
