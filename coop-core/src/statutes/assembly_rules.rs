//! The rules of general assemblies a statutes file sets: notice, quorums, majorities and what
//! they are counted among, proxies, postal forms, the roll's cutoff and attendance options.

use serde::{Deserialize, Serialize};

use crate::assembly::ResolutionKind;
use crate::units::{Fraction, Majority};

/// How a college's votes count in the weighted result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollegeMethod {
    /// Share of *for* among votes cast in the college, times its weight (default).
    Proportional,
    /// The college's whole weight goes to its internal majority.
    Majority,
    /// A block vote (as at M Comme Médoc): each college decides by the resolution's own
    /// majority among its votes, then the resolution is adopted when the colleges for it weigh
    /// at least the statutes' `college_block_threshold` of the colleges that voted.
    Block,
}

/// What a resolution's share of *for* is counted among.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityBase {
    /// The votes cast, for and against: abstentions and blank votes are not counted (an SA,
    /// L. 225-96 and L. 225-98; the default).
    #[default]
    Cast,
    /// The members taking part (present, represented or voting by post): abstentions and blank
    /// votes count against (a SARL's extraordinary decisions, L. 223-30).
    Present,
    /// Every member on the roll (a SARL's ordinary decisions on first consultation, L. 223-29).
    Members,
}

impl MajorityBase {
    /// `cast`, `present` or `members`.
    pub fn as_str(self) -> &'static str {
        match self {
            MajorityBase::Cast => "cast",
            MajorityBase::Present => "present",
            MajorityBase::Members => "members",
        }
    }
    /// Parses `cast`, `present` or `members`.
    pub fn parse(s: &str) -> Option<MajorityBase> {
        match s.trim() {
            "cast" => Some(MajorityBase::Cast),
            "present" => Some(MajorityBase::Present),
            "members" => Some(MajorityBase::Members),
            _ => None,
        }
    }
}

/// General assembly rules (SA defaults).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssemblyRules {
    /// Notice on first convocation, in days.
    pub notice_days: u32,
    /// Notice on second convocation, in days.
    pub notice_days_second: u32,
    /// Quorum of ordinary resolutions on first and second convocation.
    pub quorum_ordinary: [Fraction; 2],
    /// Quorum of extraordinary resolutions on first and second convocation.
    pub quorum_extraordinary: [Fraction; 2],
    /// Majority of ordinary resolutions, of votes cast.
    pub majority_ordinary: Majority,
    /// Majority of extraordinary resolutions, of votes cast.
    pub majority_extraordinary: Majority,
    /// How a college's votes count.
    pub college_method: CollegeMethod,
    /// Proxies one member may hold; 0 for no cap.
    pub max_proxies_per_holder: u32,
    /// The cap as a share of the members on the roll (`max_proxies_per_holder = "1/20"`, as the
    /// CG Scop model writes it): rounded down, at least one. Replaces the count when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_proxies_fraction: Option<Fraction>,
    /// With `college_method = "block"`: the weight of the colleges for a resolution that adopts
    /// it, such as 3/5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub college_block_threshold: Option<Fraction>,
    /// The quorum is weighted by college: each college's share of its members counted, times
    /// its weight, must reach the quorum fraction (instead of a count per head).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quorum_by_college: bool,
    /// A member may only hold proxies of members of its own college.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proxies_same_college: bool,
    /// Postal forms count if received at least this many days before the meeting.
    pub postal_days_before: u32,
    /// Last day of the financial year, as (month, day); the annual ordinary assembly meets
    /// within six months of it.
    #[serde(default = "default_year_end")]
    pub financial_year_end: (u32, u32),
    /// Votes at the meeting are secret: voters are marked on the roll and the tellers count the
    /// ballots per college, so the log never links a voter to a choice.
    #[serde(default)]
    pub secret_ballot: bool,
    /// The roll is closed this many days before the meeting (the CG Scop model clause says 16):
    /// members admitted later do not vote. Without it, the roll is closed on the convening date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roll_cutoff_days: Option<u32>,
    /// Whether a member who gave a proxy and attends revokes it by attending (true, the default)
    /// or must revoke it first.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub attendance_revokes_proxy: bool,
    /// Whether members may attend remotely and count as present (true, the default).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub remote_attendance: bool,
    /// What ordinary resolutions' share of *for* is counted among, on first and second
    /// convocation (a SARL: all members, then votes cast, L. 223-29).
    #[serde(default, skip_serializing_if = "all_cast")]
    pub majority_base_ordinary: [MajorityBase; 2],
    /// The same for extraordinary resolutions (a SARL: members taking part, L. 223-30).
    #[serde(default, skip_serializing_if = "all_cast")]
    pub majority_base_extraordinary: [MajorityBase; 2],
}

impl AssemblyRules {
    /// The majority base of `kind` on convocation 1 or 2.
    pub fn majority_base(&self, kind: ResolutionKind, convocation: u8) -> MajorityBase {
        let pair = match kind {
            ResolutionKind::Ordinary => self.majority_base_ordinary,
            ResolutionKind::Extraordinary => self.majority_base_extraordinary,
        };
        pair[(convocation.clamp(1, 2) - 1) as usize]
    }
}

fn all_cast(b: &[MajorityBase; 2]) -> bool {
    *b == [MajorityBase::Cast; 2]
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

pub(crate) fn default_year_end() -> (u32, u32) {
    (12, 31)
}

impl MajorityBase {
    /// What `kind`'s share of *for* is counted among when the statutes do not say: the law's
    /// bases for a SARL (L. 223-29, L. 223-30), the votes cast otherwise.
    pub(crate) fn defaults(kind: ResolutionKind, form: Option<super::LegalForm>) -> [MajorityBase; 2] {
        match (form, kind) {
            (Some(super::LegalForm::Sarl), ResolutionKind::Ordinary) => [MajorityBase::Members, MajorityBase::Cast],
            (Some(super::LegalForm::Sarl), ResolutionKind::Extraordinary) => [MajorityBase::Present; 2],
            _ => [MajorityBase::Cast; 2],
        }
    }
}
