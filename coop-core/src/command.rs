//! What a user asks the cooperative to record: the commands, and the personal data a command
//! brings (kept beside the log, never in it). Deciding them is `decide`'s.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::assembly::{Choice, Resolution, ResolutionKind};
use crate::event::{EndCause, PartyKind};
use crate::project::{ProjectRole, Stage};
use crate::state::State;
use crate::statutes::{Office, Statutes};
use crate::units::{Cents, MemberRef, PartyId};

/// Personal data of a party: kept outside the hashed log, erasable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    /// Full name (person) or corporate name.
    pub name: String,
    /// E-mail address, if known.
    pub email: Option<String>,
    /// Postal address, if known (for convocations to members without e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Personal {
    /// Hex SHA-256 of the salt and the data; the log keeps only this. (A postal address enters
    /// the digest only when there is one, so that digests made before addresses stay valid.)
    pub fn digest(&self, salt: &str) -> String {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(self.name.as_bytes());
        h.update([0]);
        h.update(self.email.as_deref().unwrap_or("").as_bytes());
        if let Some(a) = &self.address {
            h.update([0]);
            h.update(a.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// What a user asks the cooperative to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Adopt the founding statutes: the log's first event.
    Found {
        /// The statutes.
        statutes: Box<Statutes>,
        /// The name of whoever founds the store (its first secretary), kept beside the log; the
        /// log holds their party id (the actor) and the name's digest.
        #[serde(default)]
        founder: Option<Personal>,
    },
    /// Admit a party into a category, subscribing shares in the same act.
    Admit {
        /// Name and e-mail, stored outside the log.
        personal: Personal,
        /// Person, organisation or public body.
        kind: PartyKind,
        /// Category code.
        category: String,
        /// Shares to subscribe; the category's minimum when `None`.
        shares: Option<u64>,
        /// Share class; the category's class when `None`.
        class: Option<String>,
        /// Paid at once; everything when `None`.
        paid: Option<Cents>,
    },
    /// Move a member to another category.
    Move {
        /// Who.
        member: MemberRef,
        /// New category code.
        category: String,
    },
    /// Record a member's withdrawal (démission).
    Withdraw {
        /// Who.
        member: MemberRef,
    },
    /// Record the end of a membership by death, dissolution or loss of quality.
    End {
        /// Who.
        member: MemberRef,
        /// Death, dissolution or loss of quality.
        cause: EndCause,
    },
    /// Subscribe more shares.
    Subscribe {
        /// Who.
        member: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the member's category class when `None`.
        class: Option<String>,
        /// Paid at once; everything when `None`.
        paid: Option<Cents>,
    },
    /// Pay up subscribed capital.
    Pay {
        /// Who.
        member: MemberRef,
        /// Amount.
        amount: Cents,
    },
    /// Transfer fully paid shares between members.
    Transfer {
        /// Giver.
        from: MemberRef,
        /// Receiver.
        to: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the giver's category class when `None`.
        class: Option<String>,
    },
    /// Redeem (cancel and reimburse) shares.
    Redeem {
        /// Whose.
        member: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the member's category class when `None`.
        class: Option<String>,
    },
    /// Exclude a member, as decided by an extraordinary resolution of a closed assembly.
    Exclude {
        /// Who.
        member: MemberRef,
        /// The assembly slug.
        assembly: String,
        /// The resolution number.
        resolution: u32,
    },
    /// Amend the statutes, as decided by an extraordinary resolution of a closed assembly.
    Amend {
        /// The new statutes.
        statutes: Box<Statutes>,
        /// SHA-256 of the file they were read from ([`crate::sha256_hex`]): a resolution that
        /// names its statutes file (`amend = "FILE"`) adopts that file and no other.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
        /// The assembly slug.
        assembly: String,
        /// The resolution number.
        resolution: u32,
    },
    /// Convene a general assembly; the command's date is the convening date.
    Convene {
        /// A slug such as `ago-2026` (lowercase letters, digits, dashes).
        slug: String,
        /// Ordinary or extraordinary assembly.
        kind: ResolutionKind,
        /// Date of the meeting.
        date: NaiveDate,
        /// Where.
        place: String,
        /// The meeting's hour, shown on the convocations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<chrono::NaiveTime>,
        /// Resolutions, in order.
        agenda: Vec<Resolution>,
        /// The first convocation this one follows (which lacked quorum).
        second_of: Option<String>,
        /// The rules it is convened under: `None` for the current ones
        /// ([`crate::ASSEMBLY_EDITION`]); an earlier edition only when a convening recorded
        /// under it is decided again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        edition: Option<u8>,
    },
    /// Record that convocations were sent to every member on the roll not yet convened.
    SendConvocations {
        /// The assembly slug.
        assembly: String,
    },
    /// Appoint the assembly's officers.
    AppointOfficers {
        /// The assembly slug.
        assembly: String,
        /// Chair.
        chair: MemberRef,
        /// Secretary.
        secretary: MemberRef,
        /// Tellers.
        scrutineers: Vec<MemberRef>,
    },
    /// Record a member's attendance (revoking any proxy it gave).
    Attend {
        /// The assembly slug.
        assembly: String,
        /// Who.
        member: MemberRef,
        /// Remotely.
        remote: bool,
    },
    /// Record a proxy; `to: None` is a blank proxy.
    Proxy {
        /// The assembly slug.
        assembly: String,
        /// Delegator.
        from: MemberRef,
        /// Holder.
        to: Option<MemberRef>,
    },
    /// Revoke a proxy before the meeting (R. 225-79): the member may then give another, vote by
    /// post or attend.
    RevokeProxy {
        /// The assembly slug.
        assembly: String,
        /// Delegator.
        from: MemberRef,
    },
    /// Record a postal voting form received on the command's date.
    Postal {
        /// The assembly slug.
        assembly: String,
        /// Who.
        member: MemberRef,
        /// Directions: resolution number and choice.
        votes: Vec<(u32, Choice)>,
    },
    /// Record a vote at the meeting (by the member, or by its proxy holder).
    Vote {
        /// The assembly slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// Whose vote.
        member: MemberRef,
        /// The choice.
        choice: Choice,
    },
    /// Under a secret ballot: mark that a member's vote was cast (by itself or its proxy
    /// holder), without its choice.
    MarkVoter {
        /// The assembly slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// Whose vote.
        member: MemberRef,
    },
    /// Under a secret ballot: the tellers' count of one college's ballots on a resolution.
    CountBallots {
        /// The assembly slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// The college (none without colleges).
        college: Option<String>,
        /// The ballots.
        tally: crate::event::BallotTally,
    },
    /// In an open vote: a show of hands counted in one college on a resolution. The count
    /// covers every member present or represented in that college whose vote was not recorded
    /// one by one, and must add up to them.
    CountHands {
        /// The assembly slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// The college (none without colleges).
        college: Option<String>,
        /// The voices.
        tally: crate::event::BallotTally,
    },
    /// In an open vote: the same choice for every member present or represented who has not
    /// voted on the resolution yet, but those named (who vote one by one).
    VoteAll {
        /// The assembly slug.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// The choice.
        choice: Choice,
        /// Members left out.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        except: Vec<MemberRef>,
    },
    /// Send a member's convocation again (lost, or sent to an old address), dated.
    ReissueConvocation {
        /// The assembly slug.
        assembly: String,
        /// To whom.
        member: MemberRef,
    },
    /// Close the assembly: nothing more can be recorded for it.
    Close {
        /// The assembly slug.
        assembly: String,
        /// Resolutions the chair did not put to the vote (the minutes say so).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        not_put_to_vote: Vec<u32>,
    },
    /// Record a completed cooperative review (révision coopérative), dated.
    RecordReview,
    /// Give someone (named as they act) an office of the board.
    AppointOfficer {
        /// The name they act under (`--actor`).
        person: String,
        /// The office.
        office: Office,
        /// The member they are, if they are one.
        member: Option<MemberRef>,
        /// Their name, when this appointment first records them: kept beside the log, while
        /// `person` is their party id and the log holds the name's digest.
        #[serde(default)]
        personal: Option<Personal>,
    },
    /// Register the public key an officer signs their acts with (the officer themselves: the
    /// first key signs its own registration, a new key is registered under the old one).
    RegisterKey {
        /// The name they act under.
        person: String,
        /// The Ed25519 public key, 64 hexadecimal digits.
        public_key: String,
    },
    /// Take an office from someone.
    RemoveOfficer {
        /// The name they act under.
        person: String,
        /// The office.
        office: Office,
    },
    /// Erase a former member's personal data, once the statutes' retention period is over.
    Forget {
        /// Whose.
        member: MemberRef,
    },
    /// Start a cooperative project (the command's date is its start date).
    CreateProject {
        /// Slug (lowercase letters, digits, dashes).
        slug: String,
        /// Name.
        name: String,
        /// What it is about.
        description: String,
        /// The stage it starts at (default `idea`).
        stage: Option<Stage>,
    },
    /// Move a project to the next stage of the pipeline, or to an end.
    MoveProject {
        /// Slug.
        project: String,
        /// The new stage.
        stage: Stage,
    },
    /// A member or a partner joins a project.
    Join {
        /// Slug.
        project: String,
        /// Who.
        who: Who,
        /// Role.
        role: ProjectRole,
    },
    /// A participant's role changes.
    ChangeRole {
        /// Slug.
        project: String,
        /// Who.
        who: Who,
        /// New role.
        role: ProjectRole,
    },
    /// A participant leaves a project.
    Leave {
        /// Slug.
        project: String,
        /// Who.
        who: Who,
    },
    /// Void the whole command that recorded event `seq`, a mistake: decided on the timeline by
    /// [`crate::timeline::void`], which a store calls.
    Void {
        /// Any event of the command.
        seq: u64,
        /// Why, in the secretary's words.
        reason: String,
    },
    /// Correct a member's personal data (name, e-mail, postal address): the new data is kept
    /// beside the log and its digest recorded.
    EditMember {
        /// Whose.
        member: MemberRef,
        /// The data as it should be, whole.
        personal: Personal,
    },
    /// Carry out the election or revocation an adopted resolution of a closed assembly decided:
    /// each member it names holds the office from the command's date, for the mandate it names
    /// (or no longer holds it, for a revocation).
    Elect {
        /// The assembly.
        assembly: String,
        /// The resolution.
        resolution: u32,
    },
    /// Record the natural person who represents an organisation or a public body member, from
    /// the command's date: their name, e-mail and address are kept beside the log.
    Represent {
        /// The legal person represented.
        member: MemberRef,
        /// The representative.
        personal: Personal,
    },
    /// A member resigns an office held by mandate, from the command's date.
    Resign {
        /// Who.
        member: MemberRef,
        /// The office: `board` or `chair`.
        office: Office,
    },
    /// Record a meeting of the board or of a committee: who was present, what it decided, and
    /// for the board the chair it elected and the secretary it appointed.
    HoldMeeting(crate::bodies::MeetingRecord),
    /// Set up a committee, for the cooperative or for one of its projects.
    CreateCommittee {
        /// Slug.
        slug: String,
        /// Name.
        name: String,
        /// The project it serves.
        #[serde(default)]
        project: Option<String>,
    },
    /// A member or partner takes a seat on a committee.
    JoinCommittee {
        /// The committee.
        committee: String,
        /// Who.
        who: Who,
        /// Their role in it.
        role: String,
    },
    /// A member or partner leaves a committee.
    LeaveCommittee {
        /// The committee.
        committee: String,
        /// Who.
        who: Who,
    },
}

/// Who takes part in a project, as a command names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// A member.
    Member(MemberRef),
    /// A partner already known (by party id).
    Partner(PartyId),
    /// A partner taking part for the first time: its name, kept beside the log.
    NewPartner(Personal),
}

impl Command {
    /// The party whose personal data this command erases from beside the log, given the state
    /// it was decided on.
    pub fn erases(&self, state: &State) -> Vec<PartyId> {
        match self {
            Command::Forget { member } => match state.member(*member) {
                // The member, the officer they were, if they were one, and the persons who
                // represented it.
                Some(m) => std::iter::once(m.party)
                    .chain(state.officer_members.iter().filter(|(_, n)| **n == m.number).filter_map(|(k, _)| k.parse().ok()))
                    .chain(m.representatives.iter().map(|r| r.party))
                    .collect(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The personal data this command brings, to be stored beside the log.
    pub fn personal(&self) -> Option<&Personal> {
        match self {
            Command::Admit { personal, .. } | Command::EditMember { personal, .. } | Command::Represent { personal, .. } => Some(personal),
            Command::Join { who: Who::NewPartner(personal), .. } | Command::JoinCommittee { who: Who::NewPartner(personal), .. } => {
                Some(personal)
            }
            Command::Found { founder: Some(personal), .. } | Command::AppointOfficer { personal: Some(personal), .. } => Some(personal),
            _ => None,
        }
    }

    /// The party whose personal data this command stores: the one it creates (`fresh`), or the
    /// member whose data it corrects.
    pub fn personal_party(&self, state: &State, fresh: PartyId) -> Option<PartyId> {
        match self {
            Command::EditMember { member, .. } => state.member(*member).map(|m| m.party),
            _ => self.personal().map(|_| fresh),
        }
    }

    /// Hex SHA-256 of the command without its personal data: recorded with a command id so
    /// that a retry with the same id but another command is told apart.
    pub fn fingerprint(&self) -> String {
        let mut c = self.clone();
        match &mut c {
            Command::Admit { personal, .. }
            | Command::Join { who: Who::NewPartner(personal), .. }
            | Command::JoinCommittee { who: Who::NewPartner(personal), .. }
            | Command::EditMember { personal, .. }
            | Command::Represent { personal, .. } => {
                *personal = Personal { name: String::new(), email: None, address: None };
            }
            Command::Found { founder, .. } | Command::AppointOfficer { personal: founder, .. } => *founder = None,
            _ => {}
        }
        let json = serde_json::to_vec(&c).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}
