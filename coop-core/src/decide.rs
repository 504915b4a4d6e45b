//! The decider: `decide` and `decide_at` check who acts and the date, then hand each command to
//! the rules of its area (`membership/`, `capital/`, `assembly/`, `project/`, `roster.rs`), all
//! methods of one `Decider` holding the state the command is decided on.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::command::{Command, Personal, Who};
use crate::event::{Event, PartyKind};
use crate::roster::{authorize, signed};
use crate::state::{Member, State};
use crate::statutes::{Office, Role, Statutes};
use crate::units::{Cents, MemberNo, MemberRef, PartyId};

/// Slugs name assemblies and projects: 1 to 64 lowercase letters, digits and dashes, and never
/// 26 characters long, so that they can't be taken for a ULID.
pub(crate) fn valid_slug(slug: &str, what: &str, example: &str) -> Result<(), Refusal> {
    let valid = !slug.is_empty() && slug.len() <= 64 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid || slug.len() == 26 {
        let shown: String = slug.chars().take(70).collect();
        return refuse(
            Rule::InvalidValue,
            format!("'{shown}' is not a slug for {what}: use 1 to 64 lowercase letters, digits and dashes (not 26), such as {example}"),
        );
    }
    Ok(())
}

pub(crate) fn valid_person(name: &str) -> Result<String, Refusal> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return refuse(Rule::InvalidValue, "an actor's name must be 1 to 100 printable characters");
    }
    Ok(n.to_string())
}

/// What the caller supplies that the core may not produce itself: the clock and randomness.
#[derive(Clone, Debug)]
pub struct Context {
    /// Today's date; no fact may be dated after it.
    pub today: NaiveDate,
    /// A fresh identity for a party the command creates.
    pub fresh_id: PartyId,
    /// A fresh random salt for the personal-data digest.
    pub salt: String,
    /// Who asks: checked against the roster of officers and the statutes' permissions.
    pub actor: String,
    /// The public key (64 hexadecimal digits) the command is signed with, if it is: the store
    /// checks that the caller holds its secret key and signs the records with it; the rules
    /// check it is the actor's registered key.
    pub signer: Option<String>,
    /// The number an admission gives; `None`: the next one. A batch gives its admissions their
    /// numbers in its order, whatever order they are decided in (see `Store::execute_all`).
    pub number: Option<MemberNo>,
}

/// The rule a refused command broke. Stable names, shown in JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// A member number or id that the register does not know.
    UnknownMember,
    /// A category the statutes do not define.
    UnknownCategory,
    /// A share class the statutes do not define.
    UnknownShareClass,
    /// A value that is malformed in itself (an empty name, zero shares).
    InvalidValue,
    /// Statutes that break the law or refer to nothing.
    InvalidStatutes,
    /// Nothing can be recorded before the statutes are adopted.
    NotFounded,
    /// The founding statutes are adopted once.
    AlreadyFounded,
    /// A fact cannot be dated after today.
    FutureDate,
    /// A fact cannot be dated before the facts it follows.
    DateBeforeHistory,
    /// The member's membership has ended.
    NotAMember,
    /// A category admits only some kinds of party.
    KindNotAllowed,
    /// The cause of an end does not fit the party.
    CauseDoesNotFit,
    /// Already in that category, already flagged.
    NoChange,
    /// Each member holds at least its category's minimum shares.
    MinimumShares,
    /// At least a quarter of a subscription is paid at once.
    QuarterPaid,
    /// Payments do not exceed what is owed.
    Overpayment,
    /// Only fully paid shares are transferred.
    UnpaidShares,
    /// Shares that do not exist cannot be transferred or redeemed.
    NotEnoughShares,
    /// Capital may not fall below the floor.
    CapitalFloor,
    /// Public bodies hold at most half of the capital.
    PublicBodiesCap,
    /// An assembly slug that is not in the log.
    UnknownAssembly,
    /// A resolution number not on the agenda.
    UnknownResolution,
    /// Assembly slugs are unique.
    AssemblyExists,
    /// The notice between convening and meeting.
    NoticePeriod,
    /// A second convocation follows a first one that lacked quorum.
    SecondConvocation,
    /// Nothing is recorded for a closed assembly.
    AssemblyClosed,
    /// Only members on the voting roll take part.
    NotOnRoll,
    /// One level of proxy only: a holder cannot delegate, a delegator cannot hold.
    ProxyChain,
    /// The statutes cap proxies per holder.
    ProxyCap,
    /// Postal forms count only if received by the deadline.
    PostalDeadline,
    /// Each member takes part once: present, represented or by post, and votes once.
    AlreadyRecorded,
    /// Only members present or represented vote at the meeting.
    NotPresent,
    /// A resolution is voted on only if the quorum of its kind is reached.
    QuorumNotReached,
    /// Attendance and votes are dated on the meeting's date.
    AssemblyDate,
    /// An exclusion or amendment needs an adopted extraordinary resolution of a closed assembly.
    NoDecision,
    /// A project slug that is not in the log.
    UnknownProject,
    /// Project slugs are unique.
    ProjectExists,
    /// Projects move forward through the pipeline, one stage at a time, and never back from an end.
    StageOrder,
    /// Nobody joins a project that has ended.
    ProjectEnded,
    /// A leave or a role change needs a current participation.
    NotParticipating,
    /// Personal data is kept for the statutes' retention period after a member leaves.
    RetentionPeriod,
    /// Only those the statutes entitle may take an action.
    NotEntitled,
    /// The board keeps a secretary.
    LastSecretary,
    /// Votes are secret, or open, as the statutes say.
    SecretBallot,
    /// Under a secret ballot, the ballots counted match the voters marked.
    BallotCount,
    /// In an open vote, the hands counted in a college add up to its members present and
    /// represented whose vote was not recorded one by one.
    HandCount,
    /// A fact entered with an earlier date than facts already recorded must leave each of them
    /// valid at its own date (see [`crate::timeline`]).
    BreaksLaterFact,
    /// An officer who registered a signing key acted without it (or with another key).
    UnsignedAct,
    /// Votes, ballots and closing need the meeting's officers (chair, secretary; tellers in an
    /// SA) recorded first.
    MeetingOfficers,
    /// A convocation is sent again only to a member it was sent to once.
    NotConvened,
    /// At least 15 % of a surplus goes to the legal reserve until it reaches the highest
    /// capital (art. 16 of the law of 10 September 1947).
    LegalReserve,
    /// A SCIC puts at least 57.5 % of a surplus in its impartible reserves (art. 19 nonies).
    ImpartibleReserves,
    /// Interest on shares is at most the paid-up capital times the statutes' rate cap (art. 14).
    InterestCap,
    /// A mandate lasts at most what the statutes allow (6 years in an SA, L. 225-18).
    Mandate,
    /// The board has as many members as the statutes allow (3 to 18 in an SA, L. 225-17).
    BoardSize,
    /// An assembly that reached its quorum closes once each resolution was voted on or recorded
    /// as not put to the vote.
    NotVotedOn,
    /// Board members are elected by an assembly and the chair by the board: neither office is
    /// given by hand, nor, once a board is elected, the secretary's.
    ElectedOffice,
    /// The board deliberates only with at least half of its members present (L. 225-37).
    BoardQuorum,
    /// A board meeting needs a board elected.
    NoBoard,
    /// Only those who sit on a body take part in its meeting (or leave it).
    NotSeated,
    /// A committee the cooperative has not set up.
    UnknownBody,
}

/// The rule's stable name, as in JSON output (`capital_floor`).
impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string));
        f.write_str(name.as_deref().unwrap_or("unknown_rule"))
    }
}

impl Rule {
    /// Whether the refusal is about malformed or unknown input (exit 2) rather than a
    /// governance rule (exit 1).
    pub fn is_bad_input(self) -> bool {
        matches!(
            self,
            Rule::UnknownMember
                | Rule::UnknownCategory
                | Rule::UnknownShareClass
                | Rule::InvalidValue
                | Rule::InvalidStatutes
                | Rule::UnknownAssembly
                | Rule::UnknownProject
                | Rule::UnknownBody
        )
    }
}

/// A command refused, with the rule and a sentence a secretary understands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct Refusal {
    /// The rule broken.
    pub rule: Rule,
    /// What was wrong, with the numbers.
    pub message: String,
}

pub(crate) fn refuse<T>(rule: Rule, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { rule, message: message.into() })
}

/// Decides a command dated `date` on `state`: the events to append, or the rule it breaks.
/// Pure: the same inputs always give the same answer.
///
/// `state` must hold no fact dated after `date`, as when `date` is on or after every fact
/// recorded (the usual case). A fact dated earlier is decided by [`crate::timeline::place`],
/// which calls [`decide_at`] with the state as of its date and checks every later fact again.
pub fn decide(state: &State, date: NaiveDate, command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    decide_at(state, state, date, command, ctx)
}

/// Decides a command dated `date` against `at`, the state as of that date (the timeline's facts
/// dated on or before it), while `now` (every fact recorded) answers what does not depend on
/// the date: who may act, which member numbers, identities and slugs are taken, which
/// assemblies are closed.
pub fn decide_at(now: &State, at: &State, date: NaiveDate, command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    if date > ctx.today {
        return refuse(
            Rule::FutureDate,
            format!("the date {date} is after today ({}): facts are recorded once they have happened", ctx.today),
        );
    }
    if let (None, Some(founded)) = (&at.statutes, now.founded_on) {
        return refuse(Rule::DateBeforeHistory, format!("the date {date} is before the cooperative was founded ({founded})"));
    }
    if let Some(statutes) = now.statutes.as_ref() {
        authorize(now, statutes, command, &ctx.actor, date)?;
    }
    signed(now, command, ctx)?;
    rules(now, at, date, command, ctx)
}

/// Decides a command recorded earlier again, on the state as of its date in a changed history:
/// the rules only (who may act was settled when it was recorded), and nothing known only later.
/// An admission keeps the member number it was given (`ctx.number`).
pub(crate) fn redecide(at: &State, date: NaiveDate, command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    rules(at, at, date, command, ctx)
}

fn rules(now: &State, state: &State, date: NaiveDate, command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    let Some(statutes) = state.statutes.as_ref() else {
        return match command {
            Command::Found { statutes, .. } if date < statutes.founded => refuse(
                Rule::DateBeforeHistory,
                format!("the statutes cannot be adopted on {date}, before the founding date {}", statutes.founded),
            ),
            Command::Found { statutes, founder } => {
                let person = valid_person(&ctx.actor)?;
                if let Some(p) = founder {
                    valid_personal(p, "the founder's name")?;
                }
                let personal_digest = founder.as_ref().map(|p| p.digest(&ctx.salt));
                Ok(vec![
                    Event::StatutesAdopted { statutes: statutes.clone(), decided_by: None, sha256: None },
                    // Whoever founds the store keeps it until the roster says otherwise.
                    Event::OfficerAppointed { person, office: Office::Secretary, member: None, personal_digest, decided_by: None },
                ])
            }
            _ => refuse(Rule::NotFounded, "no cooperative in this store yet: its statutes are adopted first"),
        };
    };
    if let Some(since) = state.statutes_since {
        if date < since {
            return refuse(Rule::DateBeforeHistory, format!("the date {date} is before the statutes in force were adopted ({since})"));
        }
    }
    let d = Decider { state, now, statutes, date };
    match command {
        Command::Found { .. } => refuse(
            Rule::AlreadyFounded,
            "this store already holds a cooperative: its founding statutes are adopted once (amend them instead)",
        ),
        Command::Admit { personal, kind, category, shares, class, paid } => {
            d.admit(personal, *kind, category, *shares, class.as_deref(), *paid, ctx)
        }
        Command::Move { member, category } => d.move_member(*member, category),
        Command::Withdraw { member } => d.withdraw(*member),
        Command::End { member, cause } => d.end(*member, *cause),
        Command::Subscribe { member, count, class, paid } => d.subscribe(*member, *count, class.as_deref(), *paid),
        Command::Pay { member, amount } => d.pay(*member, *amount),
        Command::Transfer { from, to, count, class } => d.transfer(*from, *to, *count, class.as_deref()),
        Command::Redeem { member, count, class } => d.redeem(*member, *count, class.as_deref()),
        Command::Exclude { member, assembly, resolution } => d.exclude(*member, assembly, *resolution),
        Command::Amend { statutes: new, sha256, assembly, resolution } => d.amend(new, sha256.as_deref(), assembly, *resolution),
        Command::Convene { slug, kind, date: meeting, place, time, agenda, second_of, edition } => {
            d.convene(slug, *kind, *meeting, place, *time, agenda, second_of.as_deref(), *edition)
        }
        Command::SendConvocations { assembly } => d.send_convocations(assembly),
        Command::ReissueConvocation { assembly, member } => d.reissue_convocation(assembly, *member),
        Command::AppointOfficers { assembly, chair, secretary, scrutineers } => {
            d.appoint_meeting_officers(assembly, *chair, *secretary, scrutineers)
        }
        Command::Attend { assembly, member, remote } => d.attend(assembly, *member, *remote),
        Command::Proxy { assembly, from, to } => d.proxy(assembly, *from, *to),
        Command::Postal { assembly, member, votes } => d.postal(assembly, *member, votes),
        Command::Vote { assembly, resolution, member, choice } => d.vote(assembly, *resolution, *member, *choice),
        Command::MarkVoter { assembly, resolution, member } => d.mark_voter(assembly, *resolution, *member),
        Command::CountBallots { assembly, resolution, college, tally } => {
            d.count_ballots(assembly, *resolution, college.as_deref(), *tally)
        }
        Command::CountHands { assembly, resolution, college, tally } => d.count_hands(assembly, *resolution, college.as_deref(), *tally),
        Command::VoteAll { assembly, resolution, choice, except } => d.vote_all(assembly, *resolution, *choice, except),
        Command::Close { assembly, not_put_to_vote } => d.close(assembly, not_put_to_vote),
        Command::RevokeProxy { assembly, from } => d.revoke_proxy(assembly, *from),
        Command::RecordReview => Ok(vec![Event::ReviewCompleted {}]),
        Command::AppointOfficer { person, office, member, personal } => d.appoint_officer(person, *office, *member, personal.as_ref(), ctx),
        Command::RegisterKey { person, public_key } => d.register_key(person, public_key),
        Command::RemoveOfficer { person, office } => d.remove_officer(person, *office),
        Command::Forget { member } => d.forget(*member),
        Command::CreateProject { slug, name, description, stage } => d.create_project(slug, name, description, *stage),
        Command::MoveProject { project, stage } => d.move_project(project, *stage),
        Command::Join { project, who, role } => d.join(project, who, *role, ctx),
        Command::ChangeRole { project, who, role } => d.change_role(project, who, *role),
        Command::Leave { project, who } => d.leave(project, who),
        Command::Void { .. } => {
            refuse(Rule::InvalidValue, "a void is decided on the whole timeline (coop_core::timeline::void, which Store::execute calls)")
        }
        Command::EditMember { member, personal } => d.edit_member(*member, personal, ctx),
        Command::Represent { member, personal } => d.represent(*member, personal, ctx),
        Command::Elect { assembly, resolution } => d.elect(assembly, *resolution),
        Command::Resign { member, office } => d.resign(*member, *office),
        Command::HoldMeeting(m) => d.hold_meeting(m),
        Command::CreateCommittee { slug, name, project } => d.create_committee(slug, name, project.as_deref()),
        Command::JoinCommittee { committee, who, role } => d.join_committee(committee, who, role, ctx),
        Command::LeaveCommittee { committee, who } => d.leave_committee(committee, who),
    }
}

/// A name, e-mail and postal address as a register keeps them.
pub(crate) fn valid_personal(personal: &Personal, what: &str) -> Result<(), Refusal> {
    let name = personal.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return refuse(Rule::InvalidValue, format!("{what} must be 1 to 200 printable characters"));
    }
    if let Some(e) = &personal.email {
        let ok =
            e.len() <= 254 && e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.')) && !e.contains(char::is_whitespace);
        if !ok {
            return refuse(Rule::InvalidValue, format!("'{e}' is not an e-mail address such as name@example.org"));
        }
    }
    if let Some(a) = &personal.address {
        if a.trim().is_empty() || a.chars().count() > 300 || a.chars().any(|c| c.is_control() && c != '\n') {
            return refuse(Rule::InvalidValue, "a postal address is 1 to 300 characters (lines separated by newlines)");
        }
    }
    Ok(())
}

pub(crate) struct Decider<'a> {
    /// The state as of the command's date.
    pub(crate) state: &'a State,
    /// Every fact recorded: for what a later-dated fact may already have taken (a member
    /// number, an identity, a slug) and for assemblies closed since.
    pub(crate) now: &'a State,
    pub(crate) statutes: &'a Statutes,
    pub(crate) date: NaiveDate,
}

impl<'a> Decider<'a> {
    pub(crate) fn known(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
        let Some(m) = self.state.member(r) else {
            if let Some(later) = self.now.member(r) {
                return refuse(
                    Rule::DateBeforeHistory,
                    format!("member {} was admitted on {}; a fact about it cannot be dated {}", later.number, later.admitted, self.date),
                );
            }
            let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
            return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
        };
        if self.date < m.last_date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("member {} has a fact recorded on {}; a later fact cannot be dated {}", m.number, m.last_date, self.date),
            );
        }
        Ok(m)
    }

    pub(crate) fn active(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
        let m = self.known(r)?;
        if let Some(e) = m.ended {
            return refuse(
                Rule::NotAMember,
                format!("member {} is no longer a member (membership ended on {} by {})", m.number, e.date, e.cause.as_str()),
            );
        }
        Ok(m)
    }

    pub(crate) fn category(&self, code: &str) -> Result<&'a crate::statutes::Category, Refusal> {
        self.statutes.category(code).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.categories.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownCategory,
                message: format!("category '{code}' is not in the statutes (categories: {})", known.join(", ")),
            }
        })
    }

    pub(crate) fn class(&self, code: &str) -> Result<Cents, Refusal> {
        self.statutes.share_class(code).map(|c| c.nominal_cents).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.share_classes.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownShareClass,
                message: format!("share class '{code}' is not in the statutes (classes: {})", known.join(", ")),
            }
        })
    }

    /// The class a member's command applies to: the one named, or its category's.
    pub(crate) fn class_for(&self, m: &Member, class: Option<&str>) -> Result<(String, Cents), Refusal> {
        let code = match class {
            Some(c) => c.to_string(),
            None => self.statutes.category(&m.category).map(|c| c.class.clone()).unwrap_or_default(),
        };
        let nominal = self.class(&code)?;
        Ok((code, nominal))
    }

    pub(crate) fn kind_fits(&self, kind: PartyKind, cat: &crate::statutes::Category) -> Result<(), Refusal> {
        match cat.role {
            Role::Volunteers if kind != PartyKind::Person => refuse(
                Rule::KindNotAllowed,
                format!("category '{}' is for volunteers, who are natural persons; {} cannot join it", cat.code, kind.with_article()),
            ),
            Role::Public if kind != PartyKind::PublicBody => refuse(
                Rule::KindNotAllowed,
                format!("category '{}' is for public bodies; {} cannot join it", cat.code, kind.with_article()),
            ),
            _ => Ok(()),
        }
    }

    pub(crate) fn count(&self, count: u64) -> Result<(), Refusal> {
        if count == 0 || count > 1_000_000_000 {
            return refuse(Rule::InvalidValue, format!("{count} is not a number of shares: expected 1 to 1,000,000,000"));
        }
        Ok(())
    }
}
