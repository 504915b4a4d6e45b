//! Events: the facts the log keeps. Each carries no personal data: a party is named by its
//! ULID and member number, with a salted digest of its personal data (kept elsewhere, erasable).
//!
//! The serialized form of [`Event`] is a persisted contract. Fields are only ever added with a
//! default; a change of meaning bumps [`EVENT_SCHEMA`] and gets an upcaster in [`upcast`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assembly::{Choice, Officers, Resolution, ResolutionKind, RollEntry};
use crate::project::{Participant, ProjectRole, Stage};
use crate::statutes::{Office, Statutes};
use crate::units::{Cents, MemberNo, PartyId};

/// The schema version written in every envelope.
pub const EVENT_SCHEMA: u32 = 1;

/// Whether a party is a natural person, an organisation or a public body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyKind {
    /// A natural person.
    Person,
    /// A company, association or other legal person.
    Organisation,
    /// A local authority, a grouping of them, or a public establishment.
    PublicBody,
}

impl PartyKind {
    /// The kind as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Organisation => "organisation",
            PartyKind::PublicBody => "public-body",
        }
    }
    /// The kind with its article, as a sentence writes it: `a person`, `an organisation`,
    /// `a public body`.
    pub fn with_article(self) -> &'static str {
        match self {
            PartyKind::Person => "a person",
            PartyKind::Organisation => "an organisation",
            PartyKind::PublicBody => "a public body",
        }
    }
    /// Parses `person`, `organisation` (or `organization`) or `public-body`.
    pub fn parse(s: &str) -> Option<PartyKind> {
        match s.trim() {
            "person" => Some(PartyKind::Person),
            "organisation" | "organization" => Some(PartyKind::Organisation),
            "public-body" | "public_body" => Some(PartyKind::PublicBody),
            _ => None,
        }
    }
}

/// Why a membership ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndCause {
    /// The member withdrew (démission).
    Withdrawal,
    /// The member, a natural person, died.
    Death,
    /// The member, a legal person, was dissolved.
    Dissolution,
    /// The member lost the quality of its category and the statutes end membership then.
    LossOfQuality,
    /// Excluded by an extraordinary assembly.
    Exclusion,
}

impl EndCause {
    /// The cause as typed on the command line and shown in the register.
    pub fn as_str(self) -> &'static str {
        match self {
            EndCause::Withdrawal => "withdrawal",
            EndCause::Death => "death",
            EndCause::Dissolution => "dissolution",
            EndCause::LossOfQuality => "loss-of-quality",
            EndCause::Exclusion => "exclusion",
        }
    }
}

crate::event_de::events! {
/// A fact of the cooperative's life.
///
/// Written internally tagged, its `type` first; read by the reader in `event_de`, which hands
/// the fields after the tag straight to their variant (see there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// The statutes make one variant large; events are decoded and folded one at a time, and a box
// would change every pattern that reads them for no measured gain.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// The statutes were adopted (at founding) or replaced by an amendment.
    StatutesAdopted {
        /// The statutes in force from the event's effective date.
        statutes: Box<Statutes>,
        /// For an amendment: the assembly resolution that decided it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<Decision>,
        /// For an amendment: SHA-256 of the statutes file adopted, when the resolution named it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
    /// A party was admitted as a member.
    MemberAdmitted {
        /// The party's identity.
        party: PartyId,
        /// Its register number.
        number: MemberNo,
        /// Person, organisation or public body.
        kind: PartyKind,
        /// Its category code.
        category: String,
        /// Hex SHA-256 of the salted personal data kept outside the log.
        personal_digest: String,
    },
    /// A member subscribed shares, paying at least a quarter at once.
    SharesSubscribed {
        /// Who.
        member: MemberNo,
        /// Share class code.
        class: String,
        /// Number of shares.
        count: u64,
        /// Amount paid at subscription.
        paid_cents: Cents,
    },
    /// A member paid up part of its subscribed capital.
    SharesPaid {
        /// Who.
        member: MemberNo,
        /// Amount paid.
        amount_cents: Cents,
    },
    /// Fully paid shares passed from one member to another.
    SharesTransferred {
        /// Giver.
        from: MemberNo,
        /// Receiver.
        to: MemberNo,
        /// Share class code.
        class: String,
        /// Number of shares.
        count: u64,
    },
    /// Shares were cancelled and reimbursed at nominal value (what was paid of them).
    SharesRedeemed {
        /// Whose.
        member: MemberNo,
        /// Share class code.
        class: String,
        /// Number of shares.
        count: u64,
        /// Amount reimbursed.
        reimbursed_cents: Cents,
    },
    /// A member moved to another category.
    MemberMoved {
        /// Who.
        member: MemberNo,
        /// Former category.
        from: String,
        /// New category.
        to: String,
    },
    /// A member lost the quality of its category and stays a member, flagged until moved.
    QualityLost {
        /// Who.
        member: MemberNo,
    },
    /// A membership ended. Shares stay in capital until redeemed.
    MembershipEnded {
        /// Who.
        member: MemberNo,
        /// Why.
        cause: EndCause,
    },
    /// A member was excluded by an extraordinary resolution. Shares stay until redeemed.
    MemberExcluded {
        /// Who.
        member: MemberNo,
        /// The resolution that decided it.
        decided_by: Decision,
    },
    /// A general assembly was convened (the event's date is the convening date).
    AssemblyConvened {
        /// Slug.
        assembly: String,
        /// Ordinary or extraordinary assembly.
        kind: ResolutionKind,
        /// Date of the meeting.
        date: NaiveDate,
        /// Where.
        place: String,
        /// The meeting's hour, when the convocation gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<chrono::NaiveTime>,
        /// The resolutions, in order.
        agenda: Vec<Resolution>,
        /// The first convocation this one follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        second_of: Option<String>,
        /// The rules it was convened under (absent: 0, before [`crate::ASSEMBLY_EDITION`] 1).
        #[serde(default, skip_serializing_if = "is_zero")]
        edition: u8,
        /// Members admitted after this date are not on its roll.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        roll_cutoff: Option<NaiveDate>,
    },
    /// Convocations were sent to these members (proof of convocation).
    ConvocationsSent {
        /// Slug.
        assembly: String,
        /// To whom.
        members: Vec<MemberNo>,
    },
    /// A member's convocation was sent again (it was lost, or went to an old address). The
    /// first sending stays the one the notice runs from.
    ConvocationReissued {
        /// Slug.
        assembly: String,
        /// To whom.
        member: MemberNo,
    },
    /// The assembly's officers were appointed.
    OfficersAppointed {
        /// Slug.
        assembly: String,
        /// Chair, secretary, tellers.
        officers: Officers,
    },
    /// A member attended (signing the attendance sheet, or connected remotely).
    MemberAttended {
        /// Slug.
        assembly: String,
        /// Who.
        member: MemberNo,
        /// Remotely rather than in person.
        remote: bool,
    },
    /// A member gave a proxy; `to: None` is a blank proxy.
    ProxyGiven {
        /// Slug.
        assembly: String,
        /// The delegator.
        from: MemberNo,
        /// The holder, if named.
        to: Option<MemberNo>,
    },
    /// A proxy was revoked (by its giver, before the meeting, or by attending).
    ProxyRevoked {
        /// Slug.
        assembly: String,
        /// The delegator.
        from: MemberNo,
    },
    /// A postal voting form was received in time.
    PostalVoteReceived {
        /// Slug.
        assembly: String,
        /// Who.
        member: MemberNo,
        /// Directions, by resolution (a resolution left out has no direction).
        votes: Vec<Direction>,
    },
    /// A vote was cast at the meeting, by the member or by its proxy holder.
    VoteCast {
        /// Slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// Whose vote.
        member: MemberNo,
        /// The choice.
        choice: Choice,
        /// The proxy holder who cast it, if not the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<MemberNo>,
    },
    /// Under a secret ballot: a member's vote on a resolution was cast (by itself or its proxy
    /// holder), without its choice. The roll shows who voted.
    VoterMarked {
        /// Slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// Whose vote.
        member: MemberNo,
        /// The proxy holder who cast it, if not the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<MemberNo>,
    },
    /// Under a secret ballot: the tellers counted ballots of one college on a resolution.
    BallotsCounted {
        /// Slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// The college (none without colleges).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        college: Option<String>,
        /// Ballots for, against, abstaining, blank.
        tally: BallotTally,
    },
    /// In an open vote: the hands counted in one college on a resolution (a show of hands),
    /// covering every member present or represented there whose vote was not recorded one by one.
    HandsCounted {
        /// Slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// The college (none without colleges).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        college: Option<String>,
        /// Voices for, against, abstaining, blank.
        tally: BallotTally,
    },
    /// The assembly was closed: nothing more can be recorded; the roll is frozen.
    AssemblyClosed {
        /// Slug.
        assembly: String,
        /// The voting roll, as it stood on the assembly's date.
        roll: Vec<RollEntry>,
        /// Resolutions the chair did not put to the vote.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        not_put_to_vote: Vec<u32>,
    },
    /// A cooperative review (révision coopérative) was completed on the event's date.
    ReviewCompleted {},
    /// Someone (named as they act, with `--actor`) took an office: board member, chair or
    /// secretary of the board.
    OfficerAppointed {
        /// The name they act under.
        person: String,
        /// The office.
        office: Office,
        /// The member they are, if they are one (links them to an assembly's officers).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberNo>,
        /// When `person` is a party id first recorded here: the digest of their name, which is
        /// kept beside the log (erased with their member's data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal_digest: Option<String>,
        /// The board meeting that appointed them, and the decision's number in its minutes
        /// (none for an appointment by hand while the founders act as the board).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<Decision>,
    },
    /// Someone left an office.
    OfficerRemoved {
        /// The name they act under.
        person: String,
        /// The office.
        office: Office,
    },
    /// An officer registered the public key that signs their acts from this event on: every
    /// later event they record must carry a signature by it (`audit verify` checks them).
    OfficerKeyRegistered {
        /// The name they act under.
        person: String,
        /// Their Ed25519 public key, 64 hexadecimal digits.
        public_key: String,
    },
    /// A former member's personal data was erased from beside the log (its digest stays).
    PersonalDataErased {
        /// Whose.
        member: MemberNo,
    },
    /// A cooperative project started (the event's date is its start date).
    ProjectCreated {
        /// Slug.
        project: String,
        /// Name.
        name: String,
        /// What it is about.
        description: String,
        /// The stage it starts at.
        stage: Stage,
    },
    /// A project moved to another stage of the pipeline.
    ProjectStageChanged {
        /// Slug.
        project: String,
        /// Former stage.
        from: Stage,
        /// New stage.
        to: Stage,
    },
    /// A member, or a partner who is not a member, joined a project.
    ParticipantJoined {
        /// Slug.
        project: String,
        /// Who.
        who: Participant,
        /// Role.
        role: ProjectRole,
        /// For a partner's first appearance: digest of its name kept beside the log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal_digest: Option<String>,
    },
    /// A participant's role changed.
    RoleChanged {
        /// Slug.
        project: String,
        /// Who.
        who: Participant,
        /// Former role.
        from: ProjectRole,
        /// New role.
        to: ProjectRole,
    },
    /// A participant left a project.
    ParticipantLeft {
        /// Slug.
        project: String,
        /// Who.
        who: Participant,
    },
    /// A command recorded by mistake was voided: its events stay in the log, and every state,
    /// document and query (as known from this event on) leaves them out.
    CommandVoided {
        /// The command voided.
        command_id: String,
        /// Its first event.
        first: u64,
        /// Its last event.
        last: u64,
        /// Why, in the secretary's words.
        reason: String,
        /// Member numbers its admissions gave: never given again.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        retired: Vec<MemberNo>,
    },
    /// A member's personal data was corrected: the digest of the new data (the previous
    /// digest stays in the log with the event that recorded it).
    PersonalDataChanged {
        /// Whose.
        member: MemberNo,
        /// Hex SHA-256 of the salted new personal data kept outside the log.
        personal_digest: String,
    },
    /// A member elected by an adopted resolution holds an office from the event's date until
    /// `until` (its last day).
    MandateGranted {
        /// Who.
        member: MemberNo,
        /// The office.
        office: crate::statutes::Office,
        /// The last day of the mandate.
        until: NaiveDate,
        /// The resolution that elected it.
        decided_by: Decision,
    },
    /// An organisation or public body designated the natural person who represents it (from
    /// the event's date, until another is designated). The person's name, e-mail and address
    /// are kept beside the log under a party id of their own.
    RepresentativeDesignated {
        /// The member represented.
        member: MemberNo,
        /// The representative's party id (their personal data is kept under it).
        representative: PartyId,
        /// Hex SHA-256 of the salted personal data kept outside the log.
        personal_digest: String,
    },
    /// A member's mandate ended before its term: revoked by an adopted resolution, or resigned
    /// (no decision). The mandate's last day is the day before the event's date.
    MandateEnded {
        /// Who.
        member: MemberNo,
        /// The office.
        office: crate::statutes::Office,
        /// The resolution that revoked it; none for a resignation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<Decision>,
    },
    /// A committee was set up, by the cooperative or for one of its projects.
    CommitteeCreated {
        /// Slug.
        committee: String,
        /// Its name ("Comité de pilotage du PAT").
        name: String,
        /// The project it serves, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
    },
    /// A member, or a partner by its representative, took a seat on a committee.
    CommitteeJoined {
        /// Slug.
        committee: String,
        /// Who.
        who: Participant,
        /// Their role in it ("représentant de la chambre d'agriculture").
        role: String,
        /// For a partner first recorded here: the digest of its name, kept beside the log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal_digest: Option<String>,
    },
    /// A member or partner left a committee.
    CommitteeLeft {
        /// Slug.
        committee: String,
        /// Who.
        who: Participant,
    },
    /// The board or a committee met on the event's date: who was present and what it decided
    /// (its minutes). Decisions with an effect (the board electing its chair, appointing a
    /// secretary) follow as events of their own, decided by this meeting.
    BodyMet {
        /// `board`, or the committee's slug.
        body: String,
        /// The meeting's slug (unique among assemblies and meetings).
        meeting: String,
        /// Who was present.
        present: Vec<Participant>,
        /// The decisions, in order, as the minutes word them.
        decisions: Vec<String>,
        /// The member the board elected its chair (the decision after those worded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chair: Option<MemberNo>,
        /// The member the board appointed its secretary (the last decision).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secretary: Option<MemberNo>,
    },
}
}

fn who_text(who: &Participant) -> String {
    match who {
        Participant::Member(n) => format!("member {n}"),
        Participant::Partner(id) => format!("partner {id}"),
    }
}

/// Every event type's name, as [`Event::type_name`] gives it (what `coop log --type` accepts).
pub const EVENT_TYPES: &[&str] = &[
    "statutes_adopted",
    "member_admitted",
    "shares_subscribed",
    "shares_paid",
    "shares_transferred",
    "shares_redeemed",
    "member_moved",
    "quality_lost",
    "membership_ended",
    "member_excluded",
    "assembly_convened",
    "convocations_sent",
    "convocation_reissued",
    "officers_appointed",
    "member_attended",
    "proxy_given",
    "proxy_revoked",
    "postal_vote_received",
    "vote_cast",
    "assembly_closed",
    "voter_marked",
    "ballots_counted",
    "hands_counted",
    "review_completed",
    "officer_appointed",
    "officer_removed",
    "officer_key_registered",
    "personal_data_erased",
    "project_created",
    "project_stage_changed",
    "participant_joined",
    "role_changed",
    "participant_left",
    "command_voided",
    "personal_data_changed",
    "representative_designated",
    "mandate_granted",
    "mandate_ended",
    "committee_created",
    "committee_joined",
    "committee_left",
    "body_met",
];

/// Ballots counted by the tellers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotTally {
    /// For.
    pub r#for: u64,
    /// Against.
    pub against: u64,
    /// Abstentions.
    pub abstain: u64,
    /// Blank ballots.
    pub blank: u64,
}

impl BallotTally {
    /// Number of ballots.
    pub fn total(&self) -> u64 {
        self.r#for + self.against + self.abstain + self.blank
    }
}

/// One direction of a postal voting form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Direction {
    /// Resolution number.
    pub resolution: u32,
    /// The choice.
    pub choice: Choice,
}

/// An adopted resolution of a closed assembly, cited by a fact it decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The assembly's slug, or the board meeting's (the two share one namespace): a board
    /// decision's `resolution` is its number in the meeting's minutes.
    pub assembly: String,
    /// Resolution number.
    pub resolution: u32,
}

impl Event {
    /// A short name of the event's type, as in its JSON `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::StatutesAdopted { .. } => "statutes_adopted",
            Event::MemberAdmitted { .. } => "member_admitted",
            Event::SharesSubscribed { .. } => "shares_subscribed",
            Event::SharesPaid { .. } => "shares_paid",
            Event::SharesTransferred { .. } => "shares_transferred",
            Event::SharesRedeemed { .. } => "shares_redeemed",
            Event::MemberMoved { .. } => "member_moved",
            Event::QualityLost { .. } => "quality_lost",
            Event::MembershipEnded { .. } => "membership_ended",
            Event::MemberExcluded { .. } => "member_excluded",
            Event::AssemblyConvened { .. } => "assembly_convened",
            Event::ConvocationsSent { .. } => "convocations_sent",
            Event::ConvocationReissued { .. } => "convocation_reissued",
            Event::OfficersAppointed { .. } => "officers_appointed",
            Event::MemberAttended { .. } => "member_attended",
            Event::ProxyGiven { .. } => "proxy_given",
            Event::ProxyRevoked { .. } => "proxy_revoked",
            Event::PostalVoteReceived { .. } => "postal_vote_received",
            Event::VoteCast { .. } => "vote_cast",
            Event::AssemblyClosed { .. } => "assembly_closed",
            Event::VoterMarked { .. } => "voter_marked",
            Event::BallotsCounted { .. } => "ballots_counted",
            Event::HandsCounted { .. } => "hands_counted",
            Event::ReviewCompleted {} => "review_completed",
            Event::OfficerAppointed { .. } => "officer_appointed",
            Event::OfficerRemoved { .. } => "officer_removed",
            Event::OfficerKeyRegistered { .. } => "officer_key_registered",
            Event::PersonalDataErased { .. } => "personal_data_erased",
            Event::ProjectCreated { .. } => "project_created",
            Event::ProjectStageChanged { .. } => "project_stage_changed",
            Event::ParticipantJoined { .. } => "participant_joined",
            Event::RoleChanged { .. } => "role_changed",
            Event::ParticipantLeft { .. } => "participant_left",
            Event::CommandVoided { .. } => "command_voided",
            Event::PersonalDataChanged { .. } => "personal_data_changed",
            Event::RepresentativeDesignated { .. } => "representative_designated",
            Event::MandateGranted { .. } => "mandate_granted",
            Event::MandateEnded { .. } => "mandate_ended",
            Event::CommitteeCreated { .. } => "committee_created",
            Event::CommitteeJoined { .. } => "committee_joined",
            Event::CommitteeLeft { .. } => "committee_left",
            Event::BodyMet { .. } => "body_met",
        }
    }

    /// The assembly the event is recorded for, if any.
    pub fn assembly(&self) -> Option<&str> {
        match self {
            Event::AssemblyConvened { assembly, .. }
            | Event::ConvocationsSent { assembly, .. }
            | Event::ConvocationReissued { assembly, .. }
            | Event::OfficersAppointed { assembly, .. }
            | Event::MemberAttended { assembly, .. }
            | Event::ProxyGiven { assembly, .. }
            | Event::ProxyRevoked { assembly, .. }
            | Event::PostalVoteReceived { assembly, .. }
            | Event::VoteCast { assembly, .. }
            | Event::VoterMarked { assembly, .. }
            | Event::BallotsCounted { assembly, .. }
            | Event::HandsCounted { assembly, .. }
            | Event::AssemblyClosed { assembly, .. } => Some(assembly),
            _ => None,
        }
    }

    /// Whether the event is about member `n` (its register facts and its part in assemblies).
    pub fn concerns(&self, n: MemberNo) -> bool {
        use Event::*;
        match self {
            StatutesAdopted { .. }
            | ReviewCompleted {}
            | AssemblyConvened { .. }
            | AssemblyClosed { .. }
            | OfficersAppointed { .. }
            | ProjectCreated { .. }
            | OfficerRemoved { .. }
            | OfficerKeyRegistered { .. }
            | ProjectStageChanged { .. }
            | CommitteeCreated { .. } => false,
            OfficerAppointed { member, .. } => *member == Some(n),
            ParticipantJoined { who, .. }
            | RoleChanged { who, .. }
            | ParticipantLeft { who, .. }
            | CommitteeJoined { who, .. }
            | CommitteeLeft { who, .. } => *who == Participant::Member(n),
            BodyMet { present, .. } => present.contains(&Participant::Member(n)),
            MemberAdmitted { number, .. } => *number == n,
            SharesSubscribed { member, .. }
            | SharesPaid { member, .. }
            | SharesRedeemed { member, .. }
            | MemberMoved { member, .. }
            | QualityLost { member }
            | MembershipEnded { member, .. }
            | MemberExcluded { member, .. }
            | PersonalDataErased { member }
            | PersonalDataChanged { member, .. }
            | RepresentativeDesignated { member, .. }
            | MandateEnded { member, .. }
            | MandateGranted { member, .. }
            | MemberAttended { member, .. }
            | ConvocationReissued { member, .. }
            | PostalVoteReceived { member, .. } => *member == n,
            VoteCast { member, by, .. } | VoterMarked { member, by, .. } => *member == n || *by == Some(n),
            BallotsCounted { .. } | HandsCounted { .. } => false,
            SharesTransferred { from, to, .. } => *from == n || *to == n,
            ProxyGiven { from, to, .. } => *from == n || *to == Some(n),
            ProxyRevoked { from, .. } => *from == n,
            ConvocationsSent { members, .. } => members.contains(&n),
            CommandVoided { retired, .. } => retired.contains(&n),
        }
    }

    /// One line describing the event for logs, in plain words.
    pub fn describe(&self) -> String {
        match self {
            Event::StatutesAdopted { statutes, decided_by: None, .. } => format!("statutes of {} adopted", statutes.name),
            Event::StatutesAdopted { statutes, decided_by: Some(d), .. } => {
                format!("statutes of {} amended by resolution {} of {}", statutes.name, d.resolution, d.assembly)
            }
            Event::MemberAdmitted { number, kind, category, .. } => {
                format!("member {number} ({}) admitted into {category}", kind.as_str())
            }
            Event::SharesSubscribed { member, class, count, paid_cents } => {
                format!(
                    "member {member} subscribed {}, paying {paid_cents}",
                    crate::units::count(*count, &format!("class {class} share"), &format!("class {class} shares"))
                )
            }
            Event::SharesPaid { member, amount_cents } => format!("member {member} paid {amount_cents}"),
            Event::SharesTransferred { from, to, class, count } => {
                format!(
                    "{} transferred from member {from} to member {to}",
                    crate::units::count(*count, &format!("class {class} share"), &format!("class {class} shares"))
                )
            }
            Event::SharesRedeemed { member, class, count, reimbursed_cents } => {
                format!(
                    "{} of member {member} redeemed, {reimbursed_cents} reimbursed",
                    crate::units::count(*count, &format!("class {class} share"), &format!("class {class} shares"))
                )
            }
            Event::MemberMoved { member, from, to } => format!("member {member} moved from {from} to {to}"),
            Event::QualityLost { member } => format!("member {member} lost the quality of its category"),
            Event::MembershipEnded { member, cause } => {
                format!("membership of member {member} ended ({})", cause.as_str())
            }
            Event::MemberExcluded { member, decided_by } => {
                format!("member {member} excluded by resolution {} of {}", decided_by.resolution, decided_by.assembly)
            }
            Event::AssemblyConvened { assembly, kind, date, agenda, second_of, .. } => format!(
                "{} assembly {assembly} convened for {date} ({}{})",
                kind.as_str(),
                crate::units::count(agenda.len() as u64, "resolution", "resolutions"),
                if second_of.is_some() { ", second convocation" } else { "" }
            ),
            Event::ConvocationsSent { assembly, members } => {
                format!("convocations to {assembly} sent to {}", crate::units::count(members.len() as u64, "member", "members"))
            }
            Event::ConvocationReissued { assembly, member } => format!("convocation to {assembly} sent again to member {member}"),
            Event::OfficersAppointed { assembly, officers } => {
                format!("officers of {assembly}: chair {}, secretary {}", officers.chair, officers.secretary)
            }
            Event::MemberAttended { assembly, member, remote } => {
                format!("member {member} attended {assembly}{}", if *remote { " remotely" } else { "" })
            }
            Event::ProxyGiven { assembly, from, to: Some(to) } => format!("member {from} gave a proxy to member {to} for {assembly}"),
            Event::ProxyGiven { assembly, from, to: None } => format!("member {from} gave a blank proxy for {assembly}"),
            Event::ProxyRevoked { assembly, from } => format!("proxy of member {from} for {assembly} revoked"),
            Event::PostalVoteReceived { assembly, member, .. } => format!("postal vote of member {member} for {assembly} received"),
            Event::VoteCast { assembly, resolution, member, choice, by } => format!(
                "member {member} voted {} on resolution {resolution} of {assembly}{}",
                choice.as_str(),
                by.map(|b| format!(" (by proxy, member {b})")).unwrap_or_default()
            ),
            Event::AssemblyClosed { assembly, roll, .. } => {
                format!("assembly {assembly} closed ({} on the roll)", crate::units::count(roll.len() as u64, "member", "members"))
            }
            Event::VoterMarked { assembly, resolution, member, .. } => {
                format!("member {member} voted (secret ballot) on resolution {resolution} of {assembly}")
            }
            Event::BallotsCounted { assembly, resolution, college, tally } => format!(
                "{} counted{} on resolution {resolution} of {assembly}",
                crate::units::count(tally.total(), "ballot", "ballots"),
                college.as_ref().map(|c| format!(" in college {c}")).unwrap_or_default()
            ),
            Event::HandsCounted { assembly, resolution, college, tally } => format!(
                "show of hands on resolution {resolution} of {assembly}{}: {} for, {} against, {} abstaining, {} blank",
                college.as_ref().map(|c| format!(", college {c}")).unwrap_or_default(),
                tally.r#for,
                tally.against,
                tally.abstain,
                tally.blank
            ),
            Event::ReviewCompleted {} => "cooperative review completed".to_string(),
            Event::OfficerAppointed { person, office, .. } => format!("{person} appointed {}", office.title()),
            Event::OfficerRemoved { person, office } => format!("{person} is no longer {} of the board", office.as_str()),
            Event::OfficerKeyRegistered { person, public_key } => {
                format!("{person} signs their acts with key {}…", public_key.chars().take(16).collect::<String>())
            }
            Event::PersonalDataErased { member } => format!("personal data of former member {member} erased"),
            Event::ProjectCreated { project, stage, .. } => format!("project {project} started at stage {}", stage.as_str()),
            Event::ProjectStageChanged { project, from, to } => {
                format!("project {project} moved from {} to {}", from.as_str(), to.as_str())
            }
            Event::ParticipantJoined { project, who, role, .. } => {
                format!("{} joined project {project} as {}", who_text(who), role.as_str())
            }
            Event::RoleChanged { project, who, to, .. } => format!("{} is now {} in project {project}", who_text(who), to.as_str()),
            Event::ParticipantLeft { project, who } => format!("{} left project {project}", who_text(who)),
            Event::CommandVoided { first, last, reason, .. } if first == last => format!("event {first} voided: {reason}"),
            Event::CommandVoided { first, last, reason, .. } => format!("events {first} to {last} voided: {reason}"),
            Event::PersonalDataChanged { member, .. } => format!("personal data of member {member} corrected"),
            Event::RepresentativeDesignated { member, .. } => format!("member {member} designated its representative"),
            Event::MandateGranted { member, office, until, decided_by } => format!(
                "member {member} elected {} until {until} by resolution {} of {}",
                office.title(),
                decided_by.resolution,
                decided_by.assembly
            ),
            Event::MandateEnded { member, office, decided_by: Some(d) } => {
                format!("member {member} is no longer {}: revoked by resolution {} of {}", office.title(), d.resolution, d.assembly)
            }
            Event::MandateEnded { member, office, decided_by: None } => format!("member {member} resigned as {}", office.title()),
            Event::CommitteeCreated { committee, name, project: Some(p) } => {
                format!("committee {committee} ({name}) set up for project {p}")
            }
            Event::CommitteeCreated { committee, name, project: None } => format!("committee {committee} ({name}) set up"),
            Event::CommitteeJoined { committee, who, role, .. } => format!("{} sits on committee {committee} as {role}", who_text(who)),
            Event::CommitteeLeft { committee, who } => format!("{} left committee {committee}", who_text(who)),
            Event::BodyMet { body, meeting, present, decisions, chair, secretary } => format!(
                "{} met ({meeting}): {} present, {}",
                if body == "board" { "the board".to_string() } else { format!("committee {body}") },
                present.len(),
                crate::units::count(
                    (decisions.len() + usize::from(chair.is_some()) + usize::from(secretary.is_some())) as u64,
                    "decision",
                    "decisions"
                )
            ),
        }
    }
}

/// Why a stored event could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpcastError {
    /// The event was written by a newer coop.
    #[error("event schema version {0} is newer than this coop understands ({EVENT_SCHEMA}); upgrade coop")]
    TooNew(u32),
    /// An event type this coop does not know, under a schema it knows: a newer coop wrote it.
    #[error("event type '{kind}' is unknown to this coop (event schema {EVENT_SCHEMA}); it was written by a newer coop: upgrade coop")]
    UnknownType {
        /// The type the record names.
        kind: String,
    },
    /// The JSON does not match the schema.
    #[error("event does not match schema version {version}: {source}")]
    Invalid {
        /// The version it claimed.
        version: u32,
        /// The decoding error.
        source: serde_json::Error,
    },
}

/// Reads an event body stored under schema `version`, converting older versions to the
/// current one. Version 1 is the first and current schema.
pub fn upcast(version: u32, body: &str) -> Result<Event, UpcastError> {
    match version {
        1 => serde_json::from_str(body).map_err(|source| {
            // A well-formed event whose type is not one of ours was written by a newer coop.
            let kind = serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| v.get("type")?.as_str().map(str::to_string));
            match kind {
                Some(kind) if source.to_string().contains("unknown variant") => UpcastError::UnknownType { kind },
                _ => UpcastError::Invalid { version, source },
            }
        }),
        v => Err(UpcastError::TooNew(v)),
    }
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
