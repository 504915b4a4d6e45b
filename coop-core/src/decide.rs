//! Commands and the decider: every rule of membership and capital lives here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assembly::{self, Assembly, Choice, Officers, Resolution, ResolutionKind};
use crate::capital_rules::{floor, public_cap};
pub use crate::command::{Command, Personal, Who};
use crate::event::{Decision, EndCause, Event, PartyKind};
use crate::project::{Participant, Project, ProjectRole, Stage};
use crate::roster::{authorize, signed, valid_key};
use crate::state::{Member, State};
use crate::statutes::{LossOfQuality, Office, Role, Statutes};
use crate::units::{Cents, Fraction, MemberNo, MemberRef, PartyId};

/// Slugs name assemblies and projects: 1 to 64 lowercase letters, digits and dashes, and never
/// 26 characters long, so that they can't be taken for a ULID.
fn valid_slug(slug: &str, what: &str, example: &str) -> Result<(), Refusal> {
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

fn valid_person(name: &str) -> Result<String, Refusal> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return refuse(Rule::InvalidValue, "an actor's name must be 1 to 100 printable characters");
    }
    Ok(n.to_string())
}

fn who_label(who: Participant) -> String {
    match who {
        Participant::Member(n) => format!("member {n}"),
        Participant::Partner(id) => format!("partner {id}"),
    }
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
    /// A fact entered with an earlier date than facts already recorded must leave each of them
    /// valid at its own date (see [`crate::timeline`]).
    BreaksLaterFact,
    /// An officer who registered a signing key acted without it (or with another key).
    UnsignedAct,
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
        authorize(now, statutes, command, &ctx.actor)?;
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
                    Event::StatutesAdopted { statutes: statutes.clone(), decided_by: None },
                    // Whoever founds the store keeps it until the roster says otherwise.
                    Event::OfficerAppointed { person, office: Office::Secretary, member: None, personal_digest },
                ])
            }
            _ => refuse(Rule::NotFounded, "no cooperative in this store yet: run `coop init` with its statutes first"),
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
        Command::Withdraw { member } => {
            let m = d.active(*member)?;
            d.not_in_open_assembly(m)?;
            Ok(vec![Event::MembershipEnded { member: m.number, cause: EndCause::Withdrawal }])
        }
        Command::End { member, cause } => d.end(*member, *cause),
        Command::Subscribe { member, count, class, paid } => d.subscribe(*member, *count, class.as_deref(), *paid),
        Command::Pay { member, amount } => d.pay(*member, *amount),
        Command::Transfer { from, to, count, class } => d.transfer(*from, *to, *count, class.as_deref()),
        Command::Redeem { member, count, class } => d.redeem(*member, *count, class.as_deref()),
        Command::Exclude { member, assembly, resolution } => {
            let decided_by = d.decision(assembly, *resolution, "an exclusion")?;
            let m = d.active(*member)?;
            d.not_in_open_assembly(m)?;
            Ok(vec![Event::MemberExcluded { member: m.number, decided_by }])
        }
        Command::Amend { statutes: new, assembly, resolution } => d.amend(new, assembly, *resolution),
        Command::Convene { slug, kind, date: meeting, place, agenda, second_of } => {
            d.convene(slug, *kind, *meeting, place, agenda, second_of.as_deref())
        }
        Command::SendConvocations { assembly } => {
            let a = d.open_assembly(assembly)?;
            let members = assembly::pending_convocations(state, a);
            if members.is_empty() {
                return refuse(
                    Rule::AlreadyRecorded,
                    format!("every member on the roll of {assembly} has already been sent a convocation"),
                );
            }
            Ok(vec![Event::ConvocationsSent { assembly: a.slug.clone(), members }])
        }
        Command::AppointOfficers { assembly, chair, secretary, scrutineers } => {
            let a = d.open_assembly(assembly)?;
            let chair = d.known(*chair)?.number;
            let secretary = d.known(*secretary)?.number;
            let scrutineers = scrutineers.iter().map(|s| d.known(*s).map(|m| m.number)).collect::<Result<Vec<_>, _>>()?;
            Ok(vec![Event::OfficersAppointed { assembly: a.slug.clone(), officers: Officers { chair, secretary, scrutineers } }])
        }
        Command::Attend { assembly, member, remote } => d.attend(assembly, *member, *remote),
        Command::Proxy { assembly, from, to } => d.proxy(assembly, *from, *to),
        Command::Postal { assembly, member, votes } => d.postal(assembly, *member, votes),
        Command::Vote { assembly, resolution, member, choice } => d.vote(assembly, *resolution, *member, *choice),
        Command::MarkVoter { assembly, resolution, member } => d.mark_voter(assembly, *resolution, *member),
        Command::CountBallots { assembly, resolution, college, tally } => {
            d.count_ballots(assembly, *resolution, college.as_deref(), *tally)
        }
        Command::Close { assembly } => {
            let a = d.open_assembly(assembly)?;
            if date < a.date {
                return refuse(
                    Rule::AssemblyDate,
                    format!("assembly {assembly} meets on {}; it cannot be closed on {date}, before it met", a.date),
                );
            }
            for n in 1..=a.agenda.len() as u32 {
                for (college, marked, counted) in assembly::ballot_check(state, a, n) {
                    if marked != counted {
                        return refuse(
                            Rule::BallotCount,
                            format!("resolution {n}: {marked} voters marked in college {college} but {counted} ballots counted; count them before closing"),
                        );
                    }
                }
            }
            Ok(vec![Event::AssemblyClosed { assembly: a.slug.clone(), roll: assembly::live_roll(state, a.date) }])
        }
        Command::RecordReview => Ok(vec![Event::ReviewCompleted {}]),
        Command::AppointOfficer { person, office, member, personal } => {
            let person = valid_person(person)?;
            let member = match member {
                Some(r) => Some(d.known(*r)?.number),
                None => None,
            };
            if state.roster.get(&person).is_some_and(|o| o.offices.contains(office) && (member.is_none() || o.member == member)) {
                return refuse(Rule::NoChange, format!("{person} already holds the office of {}", office.as_str()));
            }
            if let Some(p) = personal {
                valid_personal(p, "an officer's name")?;
                if now.officer_digests.contains_key(&person) {
                    return refuse(Rule::InvalidValue, format!("{person} is already recorded; appoint them by that id"));
                }
            }
            let personal_digest = personal.as_ref().map(|p| p.digest(&ctx.salt));
            Ok(vec![Event::OfficerAppointed { person, office: *office, member, personal_digest }])
        }
        Command::RegisterKey { person, public_key } => {
            let person = person.trim();
            valid_key(public_key)?;
            if !state.roster.contains_key(person) {
                return refuse(Rule::NotEntitled, format!("{person} holds no office: only officers register signing keys"));
            }
            if state.keys.get(person) == Some(public_key) {
                return refuse(Rule::NoChange, format!("{person} already signs with this key"));
            }
            Ok(vec![Event::OfficerKeyRegistered { person: person.to_string(), public_key: public_key.clone() }])
        }
        Command::RemoveOfficer { person, office } => {
            if !state.roster.get(person).is_some_and(|o| o.offices.contains(office)) {
                return refuse(Rule::NoChange, format!("{person} does not hold the office of {}", office.as_str()));
            }
            let secretaries = state.roster.values().filter(|o| o.offices.contains(&Office::Secretary)).count();
            if *office == Office::Secretary && secretaries == 1 {
                return refuse(
                    Rule::LastSecretary,
                    format!("{person} is the board's only secretary: appoint another before removing them"),
                );
            }
            Ok(vec![Event::OfficerRemoved { person: person.clone(), office: *office }])
        }
        Command::Forget { member } => {
            let Some(m) = state.member(*member) else {
                return refuse(Rule::UnknownMember, format!("member {member} is not in the register"));
            };
            let Some(ended) = m.ended else {
                return refuse(Rule::RetentionPeriod, format!("member {} is a current member: its personal data is needed", m.number));
            };
            if let Some(on) = m.erased {
                return refuse(Rule::NoChange, format!("the personal data of member {} was already erased on {on}", m.number));
            }
            let days = statutes.members.retention_days;
            let until = ended.date + chrono::Days::new(days as u64);
            if date < until {
                return refuse(
                    Rule::RetentionPeriod,
                    format!("member {} left on {}; its personal data is kept {days} days, until {until}", m.number, ended.date),
                );
            }
            Ok(vec![Event::PersonalDataErased { member: m.number }])
        }
        Command::CreateProject { slug, name, description, stage } => d.create_project(slug, name, description, *stage),
        Command::MoveProject { project, stage } => d.move_project(project, *stage),
        Command::Join { project, who, role } => d.join(project, who, *role, ctx),
        Command::ChangeRole { project, who, role } => {
            let (p, who, spell) = d.participating(project, who)?;
            let from = spell.role();
            if from == *role {
                return refuse(Rule::NoChange, format!("{} is already {} in {}", who_label(who), role.as_str(), p.slug));
            }
            Ok(vec![Event::RoleChanged { project: p.slug.clone(), who, from, to: *role }])
        }
        Command::Leave { project, who } => {
            let (p, who, _) = d.participating(project, who)?;
            Ok(vec![Event::ParticipantLeft { project: p.slug.clone(), who }])
        }
        Command::Void { .. } => {
            refuse(Rule::InvalidValue, "a void is decided on the whole timeline (coop_core::timeline::void, which Store::execute calls)")
        }
        Command::EditMember { member, personal } => {
            let m = d.known(*member)?;
            if let Some(on) = m.erased {
                return refuse(Rule::RetentionPeriod, format!("the personal data of member {} was erased on {on}", m.number));
            }
            valid_personal(personal, "a member's name")?;
            let digest = personal.digest(&ctx.salt);
            Ok(vec![Event::PersonalDataChanged { member: m.number, personal_digest: digest }])
        }
    }
}

/// A name, e-mail and postal address as a register keeps them.
fn valid_personal(personal: &Personal, what: &str) -> Result<(), Refusal> {
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

struct Decider<'a> {
    /// The state as of the command's date.
    state: &'a State,
    /// Every fact recorded: for what a later-dated fact may already have taken (a member
    /// number, an identity, a slug) and for assemblies closed since.
    now: &'a State,
    statutes: &'a Statutes,
    date: NaiveDate,
}

impl<'a> Decider<'a> {
    fn known(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
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

    fn active(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
        let m = self.known(r)?;
        if let Some(e) = m.ended {
            return refuse(
                Rule::NotAMember,
                format!("member {} is no longer a member (membership ended on {} by {})", m.number, e.date, e.cause.as_str()),
            );
        }
        Ok(m)
    }

    fn category(&self, code: &str) -> Result<&'a crate::statutes::Category, Refusal> {
        self.statutes.category(code).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.categories.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownCategory,
                message: format!("category '{code}' is not in the statutes (categories: {})", known.join(", ")),
            }
        })
    }

    fn class(&self, code: &str) -> Result<Cents, Refusal> {
        self.statutes.share_class(code).map(|c| c.nominal_cents).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.share_classes.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownShareClass,
                message: format!("share class '{code}' is not in the statutes (classes: {})", known.join(", ")),
            }
        })
    }

    /// The class a member's command applies to: the one named, or its category's.
    fn class_for(&self, m: &Member, class: Option<&str>) -> Result<(String, Cents), Refusal> {
        let code = match class {
            Some(c) => c.to_string(),
            None => self.statutes.category(&m.category).map(|c| c.class.clone()).unwrap_or_default(),
        };
        let nominal = self.class(&code)?;
        Ok((code, nominal))
    }

    fn kind_fits(&self, kind: PartyKind, cat: &crate::statutes::Category) -> Result<(), Refusal> {
        match cat.role {
            Role::Volunteers if kind != PartyKind::Person => refuse(
                Rule::KindNotAllowed,
                format!("category '{}' is for volunteers, who are natural persons; a {} cannot join it", cat.code, kind.as_str()),
            ),
            Role::Public if kind != PartyKind::PublicBody => refuse(
                Rule::KindNotAllowed,
                format!("category '{}' is for public bodies; a {} cannot join it (use --kind public-body)", cat.code, kind.as_str()),
            ),
            _ => Ok(()),
        }
    }

    fn count(&self, count: u64) -> Result<(), Refusal> {
        if count == 0 || count > 1_000_000_000 {
            return refuse(Rule::InvalidValue, format!("{count} is not a number of shares: expected 1 to 1,000,000,000"));
        }
        Ok(())
    }

    fn quarter_paid(&self, subscribed: Cents, paid: Option<Cents>) -> Result<Cents, Refusal> {
        let paid = paid.unwrap_or(subscribed);
        let quarter = Fraction::QUARTER.of_ceil(subscribed);
        if paid < quarter {
            return refuse(
                Rule::QuarterPaid,
                format!("paying {paid} of a {subscribed} subscription is less than the quarter the law requires at once ({quarter})"),
            );
        }
        if paid > subscribed {
            return refuse(Rule::Overpayment, format!("paying {paid} is more than the {subscribed} subscribed"));
        }
        Ok(paid)
    }

    /// Public bodies' share after a change of their and the total subscribed capital.
    fn public_cap(&self, public_delta: i64, total_delta: i64) -> Result<(), Refusal> {
        public_cap(self.statutes, self.state.capital, public_delta, total_delta)
    }

    #[allow(clippy::too_many_arguments)]
    fn admit(
        &self,
        personal: &Personal,
        kind: PartyKind,
        category: &str,
        shares: Option<u64>,
        class: Option<&str>,
        paid: Option<Cents>,
        ctx: &Context,
    ) -> Result<Vec<Event>, Refusal> {
        valid_personal(personal, "a member's name")?;
        let cat = self.category(category)?;
        self.kind_fits(kind, cat)?;
        if let Some(c) = class {
            self.class(c)?;
            if c != cat.class {
                return refuse(
                    Rule::UnknownShareClass,
                    format!("category '{}' subscribes class {} shares on admission, not class {c}", cat.code, cat.class),
                );
            }
        }
        let nominal = self.class(&cat.class)?;
        let count = shares.unwrap_or(cat.min_shares as u64);
        self.count(count)?;
        if count < cat.min_shares as u64 {
            return refuse(
                Rule::MinimumShares,
                format!("category '{}' requires at least {} shares on admission; {count} offered", cat.code, cat.min_shares),
            );
        }
        let subscribed =
            nominal.times(count).ok_or_else(|| Refusal { rule: Rule::InvalidValue, message: format!("{count} shares is too many") })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        if self.now.parties.contains_key(&ctx.fresh_id) {
            return refuse(Rule::InvalidValue, "the new member's identity is already taken; retry");
        }
        let next = self.now.next_number().max(self.state.next_number());
        let number = match ctx.number {
            None => next,
            Some(n) if !self.now.members.contains_key(&n) && !self.state.members.contains_key(&n) => n,
            Some(n) => return refuse(Rule::InvalidValue, format!("member number {n} is already given (the next free one is {next})")),
        };
        Ok(vec![
            Event::MemberAdmitted {
                party: ctx.fresh_id,
                number,
                kind,
                category: cat.code.clone(),
                personal_digest: personal.digest(&ctx.salt),
            },
            Event::SharesSubscribed { member: number, class: cat.class.clone(), count, paid_cents: paid },
        ])
    }

    fn move_member(&self, member: MemberRef, category: &str) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        let cat = self.category(category)?;
        if m.category == cat.code {
            return refuse(Rule::NoChange, format!("member {} is already in category '{}'", m.number, cat.code));
        }
        self.kind_fits(m.kind, cat)?;
        let held = m.shares_of(&cat.class);
        if held < cat.min_shares as u64 {
            return refuse(
                Rule::MinimumShares,
                format!(
                    "category '{}' requires at least {} class {} shares; member {} holds {held}: subscribe the difference first",
                    cat.code, cat.min_shares, cat.class, m.number
                ),
            );
        }
        Ok(vec![Event::MemberMoved { member: m.number, from: m.category.clone(), to: cat.code.clone() }])
    }

    /// A membership cannot end on or before the date of an open assembly the member takes part
    /// in: its attendance, proxy or postal vote is on record for that meeting.
    fn not_in_open_assembly(&self, m: &Member) -> Result<(), Refusal> {
        let n = m.number;
        for a in self.state.assemblies.values().filter(|a| a.closed.is_none() && a.date >= self.date) {
            if a.present.contains_key(&n) || a.proxies.contains_key(&n) || a.postal.contains_key(&n) || a.held_by(n) > 0 {
                return refuse(
                    Rule::DateBeforeHistory,
                    format!(
                        "member {n} takes part in assembly {} of {}: its membership cannot end on {}, before that meeting is closed",
                        a.slug, a.date, self.date
                    ),
                );
            }
        }
        Ok(())
    }

    fn end(&self, member: MemberRef, cause: EndCause) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        if cause != EndCause::LossOfQuality || self.statutes.members.loss_of_quality == LossOfQuality::End {
            self.not_in_open_assembly(m)?;
        }
        match cause {
            EndCause::Death if m.kind != PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("member {} is a {}, not a natural person: it cannot die (use dissolution)", m.number, m.kind.as_str()),
                )
            }
            EndCause::Dissolution if m.kind == PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("member {} is a natural person: it is not dissolved (use death or withdrawal)", m.number),
                )
            }
            EndCause::Withdrawal | EndCause::Exclusion => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("'{}' is not recorded with `member end`: use `member withdraw` or `member exclude`", cause.as_str()),
                )
            }
            EndCause::LossOfQuality if self.statutes.members.loss_of_quality == LossOfQuality::Flag => {
                if let Some(since) = m.flagged_since {
                    return refuse(
                        Rule::NoChange,
                        format!("member {} is already flagged as having lost its quality since {since}", m.number),
                    );
                }
                return Ok(vec![Event::QualityLost { member: m.number }]);
            }
            _ => {}
        }
        Ok(vec![Event::MembershipEnded { member: m.number, cause }])
    }

    fn subscribe(&self, member: MemberRef, count: u64, class: Option<&str>, paid: Option<Cents>) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        self.count(count)?;
        let (class, nominal) = self.class_for(m, class)?;
        let subscribed =
            nominal.times(count).ok_or_else(|| Refusal { rule: Rule::InvalidValue, message: format!("{count} shares is too many") })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if m.kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        Ok(vec![Event::SharesSubscribed { member: m.number, class, count, paid_cents: paid }])
    }

    fn pay(&self, member: MemberRef, amount: Cents) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        if amount <= Cents::ZERO {
            return refuse(Rule::InvalidValue, format!("a payment must be above zero; {amount} given"));
        }
        let owed = Cents(m.subscribed().0 - m.paid().0);
        if amount > owed {
            return refuse(
                Rule::Overpayment,
                format!("member {} owes {owed} on its shares; a payment of {amount} is more than that", m.number),
            );
        }
        Ok(vec![Event::SharesPaid { member: m.number, amount_cents: amount }])
    }

    /// A current member keeps its category's minimum in the category's class.
    fn keeps_minimum(&self, m: &Member, class: &str, count: u64, verb: &str) -> Result<(), Refusal> {
        if !m.is_active() {
            return Ok(());
        }
        if let Some(cat) = self.statutes.category(&m.category) {
            let left = m.shares_of(class).saturating_sub(count);
            if cat.class == class && left < cat.min_shares as u64 {
                return refuse(
                    Rule::MinimumShares,
                    format!(
                        "member {} would keep {left} class {class} shares after this {verb}, below the {} its category '{}' requires (to leave, record a withdrawal first)",
                        m.number, cat.min_shares, cat.code
                    ),
                );
            }
        }
        Ok(())
    }

    fn holds(&self, m: &Member, class: &str, count: u64) -> Result<(), Refusal> {
        let have = m.shares_of(class);
        if have < count {
            return refuse(Rule::NotEnoughShares, format!("member {} holds {have} class {class} shares, fewer than {count}", m.number));
        }
        Ok(())
    }

    fn transfer(&self, from: MemberRef, to: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let giver = self.active(from)?;
        let receiver = self.active(to)?;
        if giver.number == receiver.number {
            return refuse(Rule::InvalidValue, format!("member {} cannot transfer shares to itself", giver.number));
        }
        self.count(count)?;
        let (class, _) = self.class_for(giver, class)?;
        self.holds(giver, &class, count)?;
        let (nominal, paid) = giver.newest_value(&class, count);
        if paid < nominal {
            return refuse(
                Rule::UnpaidShares,
                format!("the {count} newest class {class} shares of member {} are paid {paid} of {nominal}: only fully paid shares are transferred", giver.number),
            );
        }
        self.keeps_minimum(giver, &class, count, "transfer")?;
        let delta = |m: &Member, sign: i64| if m.kind == PartyKind::PublicBody { sign * nominal.0 } else { 0 };
        self.public_cap(delta(receiver, 1) + delta(giver, -1), 0)?;
        Ok(vec![Event::SharesTransferred { from: giver.number, to: receiver.number, class, count }])
    }

    fn assembly(&self, slug: &str) -> Result<&'a Assembly, Refusal> {
        if let (None, Some(later)) = (self.state.assemblies.get(slug), self.now.assemblies.get(slug)) {
            return refuse(
                Rule::DateBeforeHistory,
                format!("assembly {slug} was convened on {}; a fact about it cannot be dated {}", later.convened_on, self.date),
            );
        }
        self.state.assemblies.get(slug).ok_or_else(|| {
            let known: Vec<&str> = self.state.assemblies.keys().map(String::as_str).collect();
            Refusal {
                rule: Rule::UnknownAssembly,
                message: format!(
                    "assembly '{slug}' is not in the log (assemblies: {})",
                    if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
                ),
            }
        })
    }

    fn open_assembly(&self, slug: &str) -> Result<&'a Assembly, Refusal> {
        let a = self.assembly(slug)?;
        // Closed as of the command's date, or since: nothing more is recorded for it.
        if let Some(on) = a.closed_on.or_else(|| self.now.assemblies.get(slug).and_then(|n| n.closed_on)) {
            return refuse(Rule::AssemblyClosed, format!("assembly {slug} was closed on {on}: nothing more can be recorded for it"));
        }
        Ok(a)
    }

    /// An adopted extraordinary resolution of a closed assembly.
    fn decision(&self, slug: &str, n: u32, what: &str) -> Result<Decision, Refusal> {
        let a = self.assembly(slug)?;
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        if a.closed.is_none() {
            return refuse(Rule::NoDecision, format!("assembly {slug} is not closed yet: {what} needs the final result of resolution {n}"));
        }
        if res.kind != ResolutionKind::Extraordinary {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} is ordinary: {what} needs an extraordinary resolution"));
        }
        let result = assembly::results(self.state, self.statutes, a).into_iter().nth(n as usize - 1);
        if !result.is_some_and(|r| r.adopted) {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} was not adopted: it cannot decide {what}"));
        }
        if self.date < a.date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("{what} decided by {slug} cannot be dated {}, before the assembly met ({})", self.date, a.date),
            );
        }
        Ok(Decision { assembly: slug.to_string(), resolution: n })
    }

    fn amend(&self, new: &Statutes, slug: &str, n: u32) -> Result<Vec<Event>, Refusal> {
        let decided_by = self.decision(slug, n, "an amendment of the statutes")?;
        for m in self.state.members.values().filter(|m| m.is_active()) {
            let Some(cat) = new.category(&m.category) else {
                return refuse(
                    Rule::InvalidStatutes,
                    format!("the amended statutes drop category '{}', which member {} is in: move its members first", m.category, m.number),
                );
            };
            if m.kind != PartyKind::Person && cat.role == Role::Volunteers {
                return refuse(
                    Rule::InvalidStatutes,
                    format!(
                        "the amended statutes make '{}' a volunteers' category, but member {} is not a natural person",
                        cat.code, m.number
                    ),
                );
            }
        }
        for lot in self.state.members.values().flat_map(|m| m.lots.iter()) {
            if new.share_class(&lot.class).is_none() {
                return refuse(
                    Rule::InvalidStatutes,
                    format!("the amended statutes drop share class '{}', which shares are still held in", lot.class),
                );
            }
        }
        Ok(vec![Event::StatutesAdopted { statutes: new.clone(), decided_by: Some(decided_by) }])
    }

    fn convene(
        &self,
        slug: &str,
        kind: ResolutionKind,
        meeting: NaiveDate,
        place: &str,
        agenda: &[Resolution],
        second_of: Option<&str>,
    ) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "an assembly", "ago-2026")?;
        if self.now.assemblies.contains_key(slug) || self.state.assemblies.contains_key(slug) {
            return refuse(Rule::AssemblyExists, format!("an assembly '{slug}' already exists: choose another slug"));
        }
        if place.trim().is_empty() || place.chars().count() > 300 {
            return refuse(Rule::InvalidValue, "the place of the assembly must be 1 to 300 characters");
        }
        if agenda.is_empty() || agenda.len() > assembly::MAX_RESOLUTIONS {
            return refuse(
                Rule::InvalidValue,
                format!("an agenda has 1 to {} resolutions; this one has {}", assembly::MAX_RESOLUTIONS, agenda.len()),
            );
        }
        let rules = &self.statutes.assembly;
        let notice = if second_of.is_some() { rules.notice_days_second } else { rules.notice_days };
        let days = (meeting - self.date).num_days();
        if days < notice as i64 {
            return refuse(
                Rule::NoticePeriod,
                format!(
                    "convening on {} for {meeting} gives {days} days' notice; the statutes require {notice} on {} convocation",
                    self.date,
                    if second_of.is_some() { "second" } else { "first" }
                ),
            );
        }
        if let Some(first) = second_of {
            let f = self.assembly(first)?;
            if f.second_of.is_some() {
                return refuse(Rule::SecondConvocation, format!("{first} was itself a second convocation"));
            }
            if meeting <= f.date {
                return refuse(Rule::SecondConvocation, format!("a second convocation meets after the first ({first} met on {})", f.date));
            }
            let lacked = f
                .kinds()
                .into_iter()
                .filter(|k| agenda.iter().any(|r| r.kind == *k))
                .any(|k| !assembly::quorum(self.state, self.statutes, f, k).reached);
            if !lacked {
                return refuse(
                    Rule::SecondConvocation,
                    format!("{first} reached its quorum: a second convocation follows only an assembly that lacked it"),
                );
            }
        }
        Ok(vec![Event::AssemblyConvened {
            assembly: slug.to_string(),
            kind,
            date: meeting,
            place: place.trim().to_string(),
            agenda: agenda.to_vec(),
            second_of: second_of.map(str::to_string),
        }])
    }

    /// A member on the assembly's roll.
    fn on_roll(&self, a: &Assembly, r: MemberRef) -> Result<(MemberNo, Option<String>), Refusal> {
        let Some(m) = self.state.member(r) else {
            let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
            return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
        };
        if !m.member_on(a.date) {
            return refuse(
                Rule::NotOnRoll,
                format!("member {} is not on the voting roll of {} (not a member on {})", m.number, a.slug, a.date),
            );
        }
        Ok((m.number, crate::projection::college_of(self.state, m.category_on(a.date))))
    }

    fn on_meeting_day(&self, a: &Assembly, what: &str) -> Result<(), Refusal> {
        if self.date != a.date {
            return refuse(
                Rule::AssemblyDate,
                format!("{what} at {} is dated on the meeting's date, {} (not {})", a.slug, a.date, self.date),
            );
        }
        Ok(())
    }

    fn attend(&self, slug: &str, member: MemberRef, remote: bool) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        self.on_meeting_day(a, "attendance")?;
        if a.present.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} is already recorded as present at {slug}"));
        }
        if a.postal.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} voted by post for {slug}: it cannot also take part in the meeting"));
        }
        let mut events = Vec::new();
        if a.proxies.contains_key(&m) {
            if a.votes.values().any(|v| v.contains_key(&m)) || a.voted.values().any(|v| v.contains_key(&m)) {
                return refuse(
                    Rule::AlreadyRecorded,
                    format!("votes were already cast on behalf of member {m} by its proxy: it can no longer revoke it"),
                );
            }
            events.push(Event::ProxyRevoked { assembly: slug.to_string(), from: m });
        }
        events.push(Event::MemberAttended { assembly: slug.to_string(), member: m, remote });
        Ok(events)
    }

    fn proxy(&self, slug: &str, from: MemberRef, to: Option<MemberRef>) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (giver, _) = self.on_roll(a, from)?;
        if self.date > a.date {
            return refuse(Rule::AssemblyDate, format!("a proxy for {slug} is given by the meeting's date, {}", a.date));
        }
        if a.present.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} is present at {slug}: it votes itself"));
        }
        if a.postal.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} voted by post for {slug}: it cannot also give a proxy"));
        }
        if a.proxies.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} already gave a proxy for {slug}"));
        }
        if a.held_by(giver) > 0 {
            return refuse(
                Rule::ProxyChain,
                format!("member {giver} holds proxies for {slug}: a holder cannot delegate (one level of proxy only)"),
            );
        }
        let holder = match to {
            None => None,
            Some(t) => {
                let (h, _) = self.on_roll(a, t)?;
                if h == giver {
                    return refuse(Rule::InvalidValue, format!("member {giver} cannot give a proxy to itself"));
                }
                if a.proxies.contains_key(&h) {
                    return refuse(
                        Rule::ProxyChain,
                        format!("member {h} gave a proxy for {slug}: a delegator cannot hold proxies (one level of proxy only)"),
                    );
                }
                if a.postal.contains_key(&h) {
                    return refuse(
                        Rule::NotPresent,
                        format!("member {h} voted by post for {slug}: it will not be at the meeting to use a proxy"),
                    );
                }
                let cap = self.statutes.assembly.max_proxies_per_holder;
                if cap > 0 && a.held_by(h) >= cap as usize {
                    return refuse(
                        Rule::ProxyCap,
                        format!("member {h} already holds {} proxies for {slug}, the most the statutes allow", a.held_by(h)),
                    );
                }
                Some(h)
            }
        };
        Ok(vec![Event::ProxyGiven { assembly: slug.to_string(), from: giver, to: holder }])
    }

    fn postal(&self, slug: &str, member: MemberRef, votes: &[(u32, Choice)]) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        let days = self.statutes.assembly.postal_days_before;
        let deadline = a.postal_deadline(self.statutes);
        if self.date > deadline {
            return refuse(
                Rule::PostalDeadline,
                format!("a postal form received on {} is too late for {slug}: forms count if received by {deadline}, {days} days before the meeting", self.date),
            );
        }
        if a.postal.contains_key(&m) || a.present.contains_key(&m) || a.proxies.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} already takes part in {slug} (present, represented or by post)"));
        }
        if a.held_by(m) > 0 {
            return refuse(
                Rule::AlreadyRecorded,
                format!("member {m} holds proxies for {slug}: it is expected at the meeting, not by post"),
            );
        }
        let mut map = std::collections::BTreeMap::new();
        for (n, c) in votes {
            if a.resolution(*n).is_none() {
                return refuse(
                    Rule::UnknownResolution,
                    format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()),
                );
            }
            if map.insert(*n, *c).is_some() {
                return refuse(Rule::InvalidValue, format!("the form gives resolution {n} twice"));
            }
        }
        let votes = map.into_iter().map(|(resolution, choice)| crate::event::Direction { resolution, choice }).collect();
        Ok(vec![Event::PostalVoteReceived { assembly: slug.to_string(), member: m, votes }])
    }

    fn vote(&self, slug: &str, n: u32, member: MemberRef, choice: Choice) -> Result<Vec<Event>, Refusal> {
        if self.statutes.assembly.secret_ballot {
            return refuse(
                Rule::SecretBallot,
                format!("the statutes make votes secret: mark that member {member} voted (no choice) and let the tellers count the ballots per college"),
            );
        }
        let (m, by) = self.voter(slug, n, member)?;
        Ok(vec![Event::VoteCast { assembly: slug.to_string(), resolution: n, member: m, choice, by }])
    }

    /// Under a secret ballot: marks that a member's vote was cast, without its choice.
    fn mark_voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        if !self.statutes.assembly.secret_ballot {
            return refuse(Rule::SecretBallot, "votes are not secret under these statutes: record each vote with its choice");
        }
        let (m, by) = self.voter(slug, n, member)?;
        Ok(vec![Event::VoterMarked { assembly: slug.to_string(), resolution: n, member: m, by }])
    }

    /// Under a secret ballot: the tellers' count of one college's ballots.
    fn count_ballots(&self, slug: &str, n: u32, college: Option<&str>, tally: crate::event::BallotTally) -> Result<Vec<Event>, Refusal> {
        if !self.statutes.assembly.secret_ballot {
            return refuse(Rule::SecretBallot, "votes are not secret under these statutes: there are no ballots to count");
        }
        let a = self.open_assembly(slug)?;
        if a.resolution(n).is_none() {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        }
        self.on_meeting_day(a, "a count of ballots")?;
        let code = match (college, self.statutes.colleges.is_empty()) {
            (None, true) => "all".to_string(),
            (Some(c), false) if self.statutes.colleges.iter().any(|x| x.code == c) => c.to_string(),
            (None, false) => return refuse(Rule::InvalidValue, "name the college whose ballots were counted (--college)"),
            (Some(c), _) => return refuse(Rule::InvalidValue, format!("'{c}' is not a college of the statutes")),
        };
        if tally.total() == 0 {
            return refuse(Rule::InvalidValue, "a count needs at least one ballot");
        }
        let (marked, counted) =
            assembly::ballot_check(self.state, a, n).into_iter().find(|(c, _, _)| *c == code).map_or((0, 0), |(_, m, k)| (m, k));
        if counted + tally.total() > marked {
            return refuse(
                Rule::BallotCount,
                format!(
                    "college {code} has {marked} voters marked on resolution {n} and {counted} ballots already counted: {} more ballots is too many",
                    tally.total()
                ),
            );
        }
        Ok(vec![Event::BallotsCounted { assembly: slug.to_string(), resolution: n, college: college.map(str::to_string), tally }])
    }

    /// The member whose vote is cast on resolution `n`, and the proxy holder casting it.
    fn voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<(MemberNo, Option<MemberNo>), Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        self.on_meeting_day(a, "a vote")?;
        if !assembly::quorum_reached(self.state, self.statutes, a, res.kind) {
            let q = assembly::quorum(self.state, self.statutes, a, res.kind);
            return refuse(
                Rule::QuorumNotReached,
                format!(
                    "the quorum for {} resolutions is not reached ({} of {} members counted, {} required): resolution {n} cannot be voted on",
                    res.kind.as_str(),
                    q.counted,
                    q.eligible,
                    q.required
                ),
            );
        }
        if a.votes.get(&n).is_some_and(|v| v.contains_key(&m)) || a.voted.get(&n).is_some_and(|v| v.contains_key(&m)) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} has already voted on resolution {n} of {slug}"));
        }
        let by = if a.present.contains_key(&m) {
            None
        } else if a.postal.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} voted by post for {slug}: its form counts"));
        } else {
            match a.proxies.get(&m) {
                Some(Some(h)) if a.present.contains_key(h) => Some(*h),
                Some(Some(h)) => {
                    return refuse(Rule::NotPresent, format!("member {m}'s proxy holder, member {h}, is not present at {slug}"))
                }
                Some(None) => {
                    return refuse(
                        Rule::AlreadyRecorded,
                        format!("member {m} gave a blank proxy: it votes for the board's resolutions and against the others"),
                    )
                }
                None => {
                    return refuse(
                        Rule::NotPresent,
                        format!("member {m} is neither present nor represented at {slug}: record its attendance first"),
                    )
                }
            }
        };
        Ok((m, by))
    }

    fn project(&self, slug: &str) -> Result<&'a Project, Refusal> {
        if let (None, Some(later)) = (self.state.projects.get(slug), self.now.projects.get(slug)) {
            return refuse(
                Rule::DateBeforeHistory,
                format!("project {slug} started on {}; a fact about it cannot be dated {}", later.created, self.date),
            );
        }
        let p = self.state.projects.get(slug).ok_or_else(|| {
            let known: Vec<&str> = self.state.projects.keys().map(String::as_str).collect();
            Refusal {
                rule: Rule::UnknownProject,
                message: format!(
                    "project '{slug}' is not in the log (projects: {})",
                    if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
                ),
            }
        })?;
        if self.date < p.last_date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("project {slug} has a fact recorded on {}; a later fact cannot be dated {}", p.last_date, self.date),
            );
        }
        Ok(p)
    }

    fn create_project(&self, slug: &str, name: &str, description: &str, stage: Option<Stage>) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "a project", "bouteilles")?;
        if self.now.projects.contains_key(slug) || self.state.projects.contains_key(slug) {
            return refuse(Rule::ProjectExists, format!("a project '{slug}' already exists: choose another slug"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return refuse(Rule::InvalidValue, "a project's name must be 1 to 200 printable characters");
        }
        if description.chars().count() > 5000 {
            return refuse(Rule::InvalidValue, "a project's description is at most 5,000 characters");
        }
        let stage = stage.unwrap_or(Stage::Idea);
        if stage.is_end() {
            return refuse(Rule::StageOrder, format!("a project cannot start at the end stage '{}'", stage.as_str()));
        }
        Ok(vec![Event::ProjectCreated {
            project: slug.to_string(),
            name: name.to_string(),
            description: description.trim().to_string(),
            stage,
        }])
    }

    fn move_project(&self, slug: &str, to: Stage) -> Result<Vec<Event>, Refusal> {
        let p = self.project(slug)?;
        let from = p.stage();
        if from.is_end() {
            return refuse(Rule::StageOrder, format!("project {slug} ended ({}): nothing comes back from an end stage", from.as_str()));
        }
        if !(to.is_end() || from.next() == Some(to)) {
            let next = from.next().map(|n| format!("'{}' or ", n.as_str())).unwrap_or_default();
            return refuse(
                Rule::StageOrder,
                format!(
                    "project {slug} is at '{}': it moves to {next}an end ('spun-off', 'abandoned'), not to '{}'",
                    from.as_str(),
                    to.as_str()
                ),
            );
        }
        Ok(vec![Event::ProjectStageChanged { project: slug.to_string(), from, to }])
    }

    fn participant(&self, who: &Who) -> Result<Participant, Refusal> {
        match who {
            Who::Member(r) => {
                let Some(m) = self.state.member(*r) else {
                    if self.now.member(*r).is_some() {
                        return self.known(*r).map(|_| Participant::Member(MemberNo(0)));
                    }
                    let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
                    return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
                };
                if !m.member_on(self.date) {
                    return refuse(
                        Rule::NotAMember,
                        format!(
                            "member {} is not a member on {} (admitted {}{})",
                            m.number,
                            self.date,
                            m.admitted,
                            m.ended.map(|e| format!(", left {}", e.date)).unwrap_or_default()
                        ),
                    );
                }
                Ok(Participant::Member(m.number))
            }
            Who::Partner(id) => {
                if !self.state.partners.contains_key(id) {
                    return refuse(Rule::UnknownMember, format!("partner {id} is not known"));
                }
                Ok(Participant::Partner(*id))
            }
            Who::NewPartner(_) => refuse(Rule::NotParticipating, "this partner has not taken part in any project yet"),
        }
    }

    fn join(&self, slug: &str, who: &Who, role: ProjectRole, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        let p = self.project(slug)?;
        if p.stage().is_end() {
            return refuse(Rule::ProjectEnded, format!("project {slug} has ended ({}): nobody joins it any more", p.stage().as_str()));
        }
        let (participant, digest) = match who {
            Who::NewPartner(personal) => {
                let name = personal.name.trim();
                if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
                    return refuse(Rule::InvalidValue, "a partner's name must be 1 to 200 printable characters");
                }
                if self.now.partners.contains_key(&ctx.fresh_id) || self.state.partners.contains_key(&ctx.fresh_id) {
                    return refuse(Rule::InvalidValue, "the new partner's identity is already taken; retry");
                }
                (Participant::Partner(ctx.fresh_id), Some(personal.digest(&ctx.salt)))
            }
            other => (self.participant(other)?, None),
        };
        if p.current_spell(participant).is_some() {
            return refuse(Rule::AlreadyRecorded, format!("{} already takes part in {slug}", who_label(participant)));
        }
        Ok(vec![Event::ParticipantJoined { project: slug.to_string(), who: participant, role, personal_digest: digest }])
    }

    fn participating(&self, slug: &str, who: &Who) -> Result<(&'a Project, Participant, &'a crate::project::Spell), Refusal> {
        let p = self.project(slug)?;
        let participant = match who {
            Who::Member(r) => match self.state.member(*r) {
                Some(m) => Participant::Member(m.number),
                None => return refuse(Rule::UnknownMember, format!("member {r} is not in the register")),
            },
            other => self.participant(other)?,
        };
        match p.current_spell(participant) {
            Some(s) => Ok((p, participant, s)),
            None => refuse(Rule::NotParticipating, format!("{} does not take part in {slug} (join it first)", who_label(participant))),
        }
    }

    fn redeem(&self, member: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        self.count(count)?;
        let (class, _) = self.class_for(m, class)?;
        self.holds(m, &class, count)?;
        self.keeps_minimum(m, &class, count, "redemption")?;
        let (nominal, paid) = m.newest_value(&class, count);
        self.floor(m.number, count, nominal)?;
        let public = if m.kind == PartyKind::PublicBody { -nominal.0 } else { 0 };
        self.public_cap(public, -nominal.0)?;
        Ok(vec![Event::SharesRedeemed { member: m.number, class, count, reimbursed_cents: paid }])
    }

    /// Capital may not fall below its floor: redeeming `count` shares of `member`, worth
    /// `nominal`.
    fn floor(&self, member: MemberNo, count: u64, nominal: Cents) -> Result<(), Refusal> {
        floor(self.statutes, self.state.capital, member, count, nominal)
    }
}
