//! # coop
//!
//! The governance of a French SCIC (société coopérative d'intérêt collectif) kept as an
//! append-only, hash-chained event log in sled: statutes, members, categories and colleges,
//! shares and capital, provable at any date.
//!
//! This crate is the one dependency an embedding application needs. It re-exports the pure
//! domain ([`coop_core`]: commands, events, rules, projections) and the store
//! ([`coop_store`]: the durable log). Turn off the default `cli` feature to leave the
//! command line out.
//!
//! ```
//! use coop::{Command, PartyKind, Personal, Request, Statutes, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path().join("coop.db")).unwrap();
//! let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
//! let founded = statutes.founded;
//! // Whoever founds the store becomes the board's first secretary.
//! store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded).by("Claire")).unwrap();
//!
//! let receipt = store
//!     .execute(Request::new(Command::Admit {
//!         personal: Personal { name: "Camille Martin".into(), email: None, address: None },
//!         kind: PartyKind::Person,
//!         category: "employees".into(),
//!         shares: None,
//!         class: None,
//!         paid: None,
//!     }).by("Claire"))
//!     .unwrap();
//! assert_eq!(receipt.admitted().map(|n| n.0), Some(1));
//!
//! let register = store.register(&store.state().unwrap()).unwrap();
//! assert_eq!(register[0].name.as_deref(), Some("Camille Martin"));
//! assert!(store.verify().unwrap().ok);
//! ```

#![warn(missing_docs)]

/// The dates the API takes and gives (`NaiveDate`): callers use this `chrono`, whatever version
/// they depend on themselves.
pub use chrono::{self, NaiveDate};
pub use coop_core::*;
pub use coop_store::{
    check_export_anchors, check_record, Anchor, BatchReport, Envelope, Error, ErrorKind, ExportHeader, Head, ImportReport, Options, Part,
    PersonalReport, Pick, Receipt, RecordError, Remedy, ReplayReport, Request, RestoreReport, Snapshot, StorageError, Store, Subscription,
    VerifyReport, Voided, GENESIS_HASH,
};
/// The party identities the API takes and gives (`PartyId` is a `Ulid`).
pub use ulid::{self, Ulid};

/// The result of the store's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README's Rust snippets, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
