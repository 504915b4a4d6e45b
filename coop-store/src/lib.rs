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

mod backup;
mod imported;
pub mod keys;
mod personal;
mod pieces;
mod record;
mod runs;
mod sled_files;
mod store;

pub use backup::RestoreReport;
pub use pieces::{Part, Pick};
pub use record::{open as check_record, Envelope, RecordError, GENESIS_HASH};
pub use store::{
    check_export_anchors, seal_line, Anchor, ExportHeader, Head, ImportReport, Options, PersonalReport, ProgressFn, Receipt, ReplayReport,
    Request, SealSignature, Store, VerifyReport, Voided,
};

use coop_core::Refusal;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
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
    /// sled failed.
    #[error("storage failure: {0}")]
    Storage(#[from] sled::Error),
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
    /// The operation needs an empty store.
    #[error("the store already holds {0} events; import into a new store (--store PATH)")]
    NotEmpty(u64),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<sled::transaction::TransactionError<Error>> for Error {
    fn from(e: sled::transaction::TransactionError<Error>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => Error::Storage(e),
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
