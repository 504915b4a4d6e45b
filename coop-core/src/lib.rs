//! The pure domain of coop: a SCIC's statutes, members and capital as commands and events.
//!
//! Everything here is deterministic: no I/O, no clock, no randomness. Time and fresh
//! identities come in through [`Context`]. The store (`coop-store`) persists what [`decide`]
//! returns and folds it back with [`State::apply`].
//!
//! ```
//! use coop_core::{decide, Command, Context, Personal, PartyKind, State, Statutes};
//! # let toml = coop_core::SAMPLE_STATUTES;
//! let statutes = Statutes::from_toml(toml).expect("valid statutes");
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
//! let ctx = Context { today, fresh_id: ulid::Ulid::nil(), salt: "s".into(), actor: "secretary".into(), number: None, signer: None };
//! let mut state = State::default();
//! for e in decide(&state, statutes.founded, &Command::Found { statutes: Box::new(statutes.clone()), founder: None }, &ctx).unwrap() {
//!     state.apply(statutes.founded, &e).unwrap();
//! }
//! let admit = Command::Admit {
//!     personal: Personal { name: "Camille Martin".into(), email: None, address: None },
//!     kind: PartyKind::Person, category: "employees".into(),
//!     shares: None, class: None, paid: None,
//! };
//! let events = decide(&state, today, &admit, &ctx).unwrap();
//! assert_eq!(events.len(), 2); // admitted, and the category's minimum shares subscribed
//! ```

#![warn(missing_docs)]

mod assembly;
pub mod bodies;
mod capital;
mod code;
mod command;
mod day;
mod decide;
mod event;
mod event_de;
mod hex32;
mod membership;
pub mod money;
mod party_id;
mod project;
mod projection;
mod roster;
mod state;
mod statutes;
mod text;
pub mod timeline;
mod units;

pub use assembly::{
    ballot_check, choices, live_roll, off_roll, parse_agenda, parse_agenda_with, participation, pending_convocations, quorum,
    quorum_reached, results, roll, sha256_hex, voted_at_meeting, voted_on, Assembly, Choice, CollegeTally, OffRoll, Officers,
    Participation, PostalForm, Proposal, Quorum, Ratio, Resolution, ResolutionKind, ResolutionResult, RollEntry, Subject, ASSEMBLY_EDITION,
    MAX_RESOLUTIONS,
};
pub use capital::{reimbursements, share_movements, Movement, MovementKind, Reimbursement};
pub use code::Code;
pub use decide::{decide, decide_at, Command, Context, Personal, Refusal, Rule, Who};
pub use event::{upcast, BallotTally, Decision, Direction, EndCause, Event, PartyKind, UpcastError, EVENT_SCHEMA, EVENT_TYPES};
pub use hex32::{digest_bytes, digest_hex};
pub use project::{
    funnel, involvement, involvement_in, member_projects, participants, FunnelStage, GroupRate, Involvement, InvolvementLine, Participant,
    ParticipantRow, Project, ProjectCount, ProjectRole, Roll, Spell, Stage, Standing,
};
pub use projection::{capital, college_of, compliance, register, register_row, CapitalSummary, ClassTotal, Finding, RegisterRow};
pub use state::{CapitalTotals, ClassCount, Ended, Inconsistency, Lot, Member, Officer, Reads, State, Touched};
pub use statutes::{
    AssemblyRules, CapitalRules, Category, College, CollegeMethod, Entitled, LegalForm, LossOfQuality, MajorityBase, MemberRules, Office,
    Permissions, Problem, Problems, Role, ShareClass, Statutes, ACTIONS,
};
pub use text::fold_text;
pub use units::{
    add_years, count, parse_date, AmountError, Cents, DateError, Fraction, FractionError, Majority, MajorityError, MemberNo, MemberRef,
    MemberRefError, PartyId,
};

/// A complete, valid statutes file (an SAS SCIC with three weighted colleges and five
/// categories), used by `coop demo`, the examples and tests.
pub const SAMPLE_STATUTES: &str = include_str!("sample-statutes.toml");

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_roster;
