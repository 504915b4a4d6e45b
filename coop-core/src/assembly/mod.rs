//! General assemblies: what an assembly is (this file), its agenda file (`agenda.rs`), the
//! rules that accept or refuse what is recorded for it (`decide.rs`), the pure computations of
//! roll, quorum and results (`tally.rs`), and their given/when/then tests (`tests.rs`).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::statutes::Statutes;
use crate::units::{Fraction, MemberNo};

mod agenda;
mod decide;
mod hands;
mod tally;
#[cfg(test)]
mod tests;

pub use agenda::{parse_agenda, parse_agenda_with};
pub use tally::{
    ballot_check, choices, live_roll, off_roll, participation, pending_convocations, quorum, quorum_reached, results, roll,
    voted_at_meeting, voted_on, CollegeTally, OffRoll, Participation, Quorum, Ratio, ResolutionResult,
};

/// The rules an assembly is convened under. Edition 1 binds each decision to its subject
/// (`exclude`, `amend`, `accounts`), requires the meeting's officers before votes and closing,
/// refuses closing with resolutions neither voted on nor marked as not put to the vote, admits a
/// second convocation only after the first met without quorum and on its agenda (carrying its
/// proxies and postal forms over), checks the notice against the recorded sending, cuts the roll
/// off on the convening date (or the statutes' `roll_cutoff_days`), and refuses proxies and forms
/// dated before the convening. Assemblies of logs written before it (edition 0) are decided
/// again under the rules they were recorded with.
pub const ASSEMBLY_EDITION: u8 = 1;

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
    /// What adopting it decides, when it decides a fact coop records. (Always written, even
    /// empty: assemblies are also kept in a binary form that has no optional fields.)
    #[serde(default)]
    pub subject: Option<Subject>,
    /// The resolution's text, as the convocation and the minutes show it in full (the agenda's
    /// `text` key; empty when the title says it all). Always written, like `subject`.
    #[serde(default)]
    pub text: String,
    /// With `accounts = YEAR`: the year's result, a surplus or (negative) a loss (the agenda's
    /// `result_euros`). Always written, like `subject`.
    #[serde(default)]
    pub result_cents: Option<crate::units::Cents>,
    /// How it shares out the surplus of the accounts resolution before it on the agenda (the
    /// agenda's `allocate` table), checked against the legal floors when convened.
    #[serde(default)]
    pub allocation: Option<crate::money::Allocation>,
    /// Voted by secret ballot, even where the statutes make votes open (the agenda's
    /// `secret = true`, for an election or an exclusion).
    #[serde(default)]
    pub secret: bool,
}

impl Resolution {
    /// A resolution with no subject and no text beyond its title.
    pub fn new(title: impl Into<String>, kind: ResolutionKind, board_approved: bool) -> Resolution {
        Resolution {
            title: title.into(),
            kind,
            board_approved,
            subject: None,
            text: String::new(),
            result_cents: None,
            allocation: None,
            secret: false,
        }
    }
}

/// What an adopted resolution decides, named in the agenda: it decides that and nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// `exclude = 28`: the exclusion of this member (an extraordinary resolution).
    Exclude(MemberNo),
    /// `amend = "statutes-2027.toml"`: the adoption of these statutes (an extraordinary
    /// resolution); the text is recorded when the assembly is convened.
    Amend(Proposal),
    /// `accounts = 2025`: the approval of the accounts of the financial year ending in that year
    /// (an ordinary resolution).
    Accounts(i32),
    /// `elect = [12, 31]` (with `office` and `years`): the election of these members to an
    /// office for a mandate (an ordinary resolution).
    Elect(crate::bodies::Election),
    /// `revoke = [12]` (with `office`): the end of these members' mandates (an ordinary
    /// resolution; the assembly may revoke a board member at any time, L. 225-18).
    Revoke(crate::bodies::Revocation),
}

/// Statutes proposed to an assembly: the file the agenda names, the SHA-256 of its bytes, and
/// its text (shown in the convocation pack).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The file name as the agenda gives it.
    pub file: String,
    /// SHA-256 of the file, 64 lowercase hexadecimal digits.
    pub sha256: String,
    /// The text of the file.
    pub text: String,
}

/// SHA-256 of `bytes`, as 64 lowercase hexadecimal digits: how a statutes file proposed to an
/// assembly is named in the log.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
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
    pub category: crate::Code,
    /// College on the assembly's date (none without colleges).
    pub college: Option<crate::Code>,
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
    /// The meeting's hour, when the convocation gave one. (Always written: the store keeps
    /// assemblies in a binary form that names no field.)
    #[serde(default)]
    pub time: Option<NaiveTime>,
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
    /// In an open vote: hands counted per resolution and college (`all` without colleges).
    /// (Always written: the store keeps assemblies in a binary form that names no field.)
    #[serde(default)]
    pub hands: BTreeMap<u32, BTreeMap<String, crate::event::BallotTally>>,
    /// Convocations sent again, per member, with the dates (the first sending is in
    /// `convocations`).
    #[serde(default)]
    pub reissued: BTreeMap<MemberNo, Vec<NaiveDate>>,
    /// The rules it was convened under ([`ASSEMBLY_EDITION`]; 0 for logs written before).
    #[serde(default)]
    pub edition: u8,
    /// Members admitted after this date are not on its roll (edition 1).
    #[serde(default)]
    pub roll_cutoff: Option<NaiveDate>,
    /// Resolutions the chair did not put to the vote, as recorded at closing.
    #[serde(default)]
    pub not_put_to_vote: std::collections::BTreeSet<u32>,
    /// Resolutions whose decision was recorded (an exclusion, an amendment): each decides once.
    #[serde(default)]
    pub executed: std::collections::BTreeSet<u32>,
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
