//! General assemblies: what an assembly is (this file), its agenda file (`agenda.rs`), the
//! rules that accept or refuse what is recorded for it (`decide.rs`), the pure computations of
//! roll, quorum and results (`tally.rs`), and their given/when/then tests (`tests.rs`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::statutes::Statutes;
use crate::units::{Fraction, MemberNo};

mod agenda;
mod decide;
mod tally;
#[cfg(test)]
mod tests;

pub use agenda::parse_agenda;
pub use tally::{
    ballot_check, choices, live_roll, participation, pending_convocations, quorum, quorum_reached, results, roll, CollegeTally,
    Participation, Quorum, Ratio, ResolutionResult,
};

/// At most this many resolutions on one agenda.
pub const MAX_RESOLUTIONS: usize = 1000;

/// Ordinary or extraordinary: sets the quorum and the majority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// Accounts, board, ordinary business: simple majority by default.
    Ordinary,
    /// Statutes, capital rules, exclusion, dissolution: two thirds by default.
    Extraordinary,
}

impl ResolutionKind {
    /// `ordinary` or `extraordinary`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionKind::Ordinary => "ordinary",
            ResolutionKind::Extraordinary => "extraordinary",
        }
    }
    /// Parses `ordinary` or `extraordinary`.
    pub fn parse(s: &str) -> Option<ResolutionKind> {
        match s.trim() {
            "ordinary" => Some(ResolutionKind::Ordinary),
            "extraordinary" => Some(ResolutionKind::Extraordinary),
            _ => None,
        }
    }
}

/// One resolution of an agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// What is put to the vote.
    pub title: String,
    /// Ordinary or extraordinary.
    pub kind: ResolutionKind,
    /// Whether the board approved it (a blank proxy votes for it if so, against otherwise).
    pub board_approved: bool,
}

/// A member's choice on a resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// For.
    For,
    /// Against.
    Against,
    /// Abstention: not a vote cast.
    Abstain,
    /// Blank: not a vote cast.
    Blank,
}

impl Choice {
    /// Parses `for`, `against`, `abstain` or `blank`.
    pub fn parse(s: &str) -> Option<Choice> {
        match s.trim() {
            "for" | "pour" => Some(Choice::For),
            "against" | "contre" => Some(Choice::Against),
            "abstain" | "abstention" => Some(Choice::Abstain),
            "blank" | "blanc" => Some(Choice::Blank),
            _ => None,
        }
    }
    /// The choice as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::For => "for",
            Choice::Against => "against",
            Choice::Abstain => "abstain",
            Choice::Blank => "blank",
        }
    }
}

/// A postal voting form as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalForm {
    /// When it was received.
    pub received: NaiveDate,
    /// Its directions, by resolution number (missing: no direction, not a vote cast).
    pub votes: BTreeMap<u32, Choice>,
}

/// The assembly's officers (bureau).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officers {
    /// Who chairs.
    pub chair: MemberNo,
    /// Who keeps the minutes.
    pub secretary: MemberNo,
    /// Tellers (scrutateurs).
    pub scrutineers: Vec<MemberNo>,
}

/// One line of the voting roll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollEntry {
    /// Member number.
    pub member: MemberNo,
    /// Category on the assembly's date.
    pub category: String,
    /// College on the assembly's date (none without colleges).
    pub college: Option<String>,
}

/// A general assembly and everything recorded for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assembly {
    /// Slug, e.g. `ago-2026`.
    pub slug: String,
    /// Ordinary or extraordinary assembly (its agenda may mix both kinds of resolution).
    pub kind: ResolutionKind,
    /// Date of the meeting.
    pub date: NaiveDate,
    /// Where.
    pub place: String,
    /// The resolutions, numbered from 1.
    pub agenda: Vec<Resolution>,
    /// The first convocation this one follows, which lacked quorum.
    pub second_of: Option<String>,
    /// When it was convened (the notice runs from this date).
    pub convened_on: NaiveDate,
    /// When each member's convocation was sent.
    pub convocations: BTreeMap<MemberNo, NaiveDate>,
    /// Members present, and whether remotely.
    pub present: BTreeMap<MemberNo, bool>,
    /// Proxies: delegator to holder (`None`: a blank proxy, given to the chair).
    pub proxies: BTreeMap<MemberNo, Option<MemberNo>>,
    /// Postal voting forms received in time.
    pub postal: BTreeMap<MemberNo, PostalForm>,
    /// Votes recorded at the meeting, by resolution number then member.
    pub votes: BTreeMap<u32, BTreeMap<MemberNo, Choice>>,
    /// The officers, once appointed.
    pub officers: Option<Officers>,
    /// Under a secret ballot: who voted on each resolution (and by whom, for a proxy).
    #[serde(default)]
    pub voted: BTreeMap<u32, BTreeMap<MemberNo, Option<MemberNo>>>,
    /// Under a secret ballot: ballots counted per resolution and college (`all` without colleges).
    #[serde(default)]
    pub ballots: BTreeMap<u32, BTreeMap<String, crate::event::BallotTally>>,
    /// The voting roll frozen at closing; `None` while open.
    pub closed: Option<Vec<RollEntry>>,
    /// Date of closing.
    pub closed_on: Option<NaiveDate>,
}

impl Assembly {
    /// Whether this is a second convocation.
    pub fn convocation(&self) -> u8 {
        if self.second_of.is_some() {
            2
        } else {
            1
        }
    }
    /// The resolution numbered `n` (from 1).
    pub fn resolution(&self, n: u32) -> Option<&Resolution> {
        (n as usize).checked_sub(1).and_then(|i| self.agenda.get(i))
    }
    /// The kinds of resolution on the agenda, ordinary first.
    pub fn kinds(&self) -> Vec<ResolutionKind> {
        let mut k: Vec<ResolutionKind> = self.agenda.iter().map(|r| r.kind).collect();
        k.sort();
        k.dedup();
        k
    }
    /// The last day a postal voting form may be received.
    pub fn postal_deadline(&self, statutes: &Statutes) -> NaiveDate {
        self.date - chrono::Days::new(statutes.assembly.postal_days_before as u64)
    }

    /// The fraction of the roll the quorum of `kind` requires, on this convocation.
    pub fn quorum_fraction(&self, statutes: &Statutes, kind: ResolutionKind) -> Fraction {
        let pair = match kind {
            ResolutionKind::Ordinary => statutes.assembly.quorum_ordinary,
            ResolutionKind::Extraordinary => statutes.assembly.quorum_extraordinary,
        };
        pair[(self.convocation() - 1) as usize]
    }

    /// Proxies held by `holder`.
    pub fn held_by(&self, holder: MemberNo) -> usize {
        self.proxies.values().filter(|h| **h == Some(holder)).count()
    }
}
