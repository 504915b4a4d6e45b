//! The decision state: what the cooperative is after a sequence of events, and `evolve`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assembly::Assembly;
use crate::event::{EndCause, Event, PartyKind};
use crate::project::{Participant, Project, Spell};
use crate::statutes::Statutes;
use crate::units::{Cents, MemberNo, PartyId};

/// A block of shares of one class subscribed on one date, with what has been paid of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// Share class code.
    pub class: crate::Code,
    /// Date of subscription (or of transfer to this member).
    #[serde(with = "crate::day")]
    pub date: NaiveDate,
    /// Number of shares.
    pub count: u64,
    /// Nominal value of one share at subscription.
    pub nominal_cents: Cents,
    /// Amount paid of this lot.
    pub paid_cents: Cents,
}

impl Lot {
    /// Nominal value of the whole lot.
    pub fn subscribed(&self) -> Cents {
        self.nominal_cents.times(self.count).unwrap_or(Cents(i64::MAX))
    }
    /// Number of fully paid shares in the lot (payments fill shares in order).
    pub fn fully_paid_count(&self) -> u64 {
        if self.nominal_cents.0 <= 0 {
            return self.count;
        }
        ((self.paid_cents.0 / self.nominal_cents.0) as u64).min(self.count)
    }
}

/// How a membership ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    /// Effective date.
    #[serde(with = "crate::day")]
    pub date: NaiveDate,
    /// Cause.
    pub cause: EndCause,
}

/// A member (current or former) as the log knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Register number.
    pub number: MemberNo,
    /// Party identity.
    #[serde(with = "crate::party_id")]
    pub party: PartyId,
    /// Person, organisation or public body.
    pub kind: PartyKind,
    /// Current (or last) category code.
    pub category: String,
    /// Admission date.
    #[serde(with = "crate::day")]
    pub admitted: NaiveDate,
    /// When and why membership ended, if it did.
    pub ended: Option<Ended>,
    /// Since when the member has lost the quality of its category, if flagged.
    #[serde(with = "crate::day::opt")]
    pub flagged_since: Option<NaiveDate>,
    /// Shares held, by lot.
    pub lots: Vec<Lot>,
    /// The latest effective date of any fact about this member.
    #[serde(with = "crate::day")]
    pub last_date: NaiveDate,
    /// Digest of the personal data kept outside the log.
    #[serde(with = "crate::hex32")]
    pub personal_digest: String,
    /// Categories over time: (from date, category), in date order.
    #[serde(with = "crate::day::pairs")]
    pub categories: Vec<(NaiveDate, String)>,
    /// When its personal data was erased, if it was.
    #[serde(default, with = "crate::day::opt")]
    pub erased: Option<NaiveDate>,
    /// For an organisation or a public body: the natural persons designated to represent it,
    /// in date order. (Always written: members are also kept in a binary form.)
    #[serde(default)]
    pub representatives: Vec<Representative>,
    /// The offices it holds by decisions, for mandates, in date order. (Always written.)
    #[serde(default)]
    pub mandates: Vec<crate::bodies::Mandate>,
}

/// The natural person designated to represent a legal person, from a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    /// From when.
    #[serde(with = "crate::day")]
    pub since: NaiveDate,
    /// Their party id: their name, e-mail and address are kept beside the log under it.
    #[serde(with = "crate::party_id")]
    pub party: PartyId,
    /// Digest of that personal data.
    #[serde(with = "crate::hex32")]
    pub personal_digest: String,
}

impl Member {
    /// Whether the party was a member at the end of `date`.
    pub fn member_on(&self, date: NaiveDate) -> bool {
        self.admitted <= date && self.ended.is_none_or(|e| e.date > date)
    }
    /// The member's category at the end of `date`.
    pub fn category_on(&self, date: NaiveDate) -> &str {
        self.categories.iter().rev().find(|(d, _)| *d <= date).map_or(self.category.as_str(), |(_, c)| c.as_str())
    }
    /// Whether the membership is current.
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
    /// Total number of shares (all classes).
    pub fn shares(&self) -> u64 {
        self.lots.iter().map(|l| l.count).sum()
    }
    /// Number of shares of one class.
    pub fn shares_of(&self, class: &str) -> u64 {
        self.lots.iter().filter(|l| l.class == class).map(|l| l.count).sum()
    }
    /// Subscribed capital.
    pub fn subscribed(&self) -> Cents {
        Cents(self.lots.iter().map(|l| l.subscribed().0).sum())
    }
    /// Paid capital.
    pub fn paid(&self) -> Cents {
        Cents(self.lots.iter().map(|l| l.paid_cents.0).sum())
    }
    /// The nominal value of `count` shares of `class`, taken from the newest lots first, and
    /// the part of it that was paid.
    pub fn newest_value(&self, class: &str, count: u64) -> (Cents, Cents) {
        let mut left = count;
        let (mut nominal, mut paid) = (0i64, 0i64);
        for lot in self.lots.iter().rev().filter(|l| l.class == class) {
            if left == 0 {
                break;
            }
            let take = left.min(lot.count);
            let after = lot.nominal_cents.times(lot.count - take).unwrap_or(Cents::ZERO);
            nominal += lot.nominal_cents.0 * take as i64;
            paid += lot.paid_cents.0 - lot.paid_cents.0.min(after.0);
            left -= take;
        }
        (Cents(nominal), Cents(paid))
    }
}

/// Capital totals, kept up to date by `evolve`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalTotals {
    /// Subscribed capital (including shares of former members not yet redeemed).
    pub subscribed: Cents,
    /// Paid capital.
    pub paid: Cents,
    /// Capital subscribed by public bodies.
    pub public_subscribed: Cents,
    /// The highest subscribed capital ever reached.
    pub highest: Cents,
}

/// Pushes onto a member's short list (its lots, its categories) one place at a time while it is
/// short: `Vec::push` first makes room for four, and a state holds every member (100,000 members
/// with one lot each kept 17 MB of room for lots they never had).
fn push_tight<T>(list: &mut Vec<T>, item: T) {
    if list.len() == list.capacity() && list.len() < 8 {
        list.reserve_exact(1);
    }
    list.push(item);
}

/// An event that cannot apply to the state it follows: the log is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event does not fit the state before it: {0}")]
pub struct Inconsistency(pub String);

/// The decision state of a cooperative: a plain fold of its events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Statutes in force, once adopted.
    pub statutes: Option<Statutes>,
    /// Effective date of the statutes in force.
    pub statutes_since: Option<NaiveDate>,
    /// Date of the first adoption: nothing may be dated before it.
    pub founded_on: Option<NaiveDate>,
    /// Every member ever admitted, by number.
    pub members: BTreeMap<MemberNo, Member>,
    /// Member numbers by party.
    pub parties: BTreeMap<PartyId, MemberNo>,
    /// Capital totals.
    pub capital: CapitalTotals,
    /// General assemblies, by slug.
    pub assemblies: BTreeMap<String, Assembly>,
    /// Date of the last cooperative review (révision), if any.
    pub last_review: Option<NaiveDate>,
    /// Cooperative projects, by slug.
    pub projects: BTreeMap<String, Project>,
    /// Partners who are not members, with the digest of their personal data.
    pub partners: BTreeMap<PartyId, String>,
    /// Who holds which office, by the name they act under.
    #[serde(default)]
    pub roster: BTreeMap<String, Officer>,
    /// The public key each name that signs its acts registered last (64 hexadecimal digits):
    /// every act in that name is signed with it, in office or not.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Officers recorded by party id (the roster key), with the digest of the name kept beside
    /// the log; never removed with an office (their acts stay theirs).
    #[serde(default)]
    pub officer_digests: BTreeMap<String, String>,
    /// Officers who are members: erasing the member's personal data erases theirs.
    #[serde(default)]
    pub officer_members: BTreeMap<String, MemberNo>,
    /// Officers whose name was erased with their member's personal data.
    #[serde(default)]
    pub officers_erased: std::collections::BTreeSet<String>,
    /// The date an assembly first elected a board: from then on the roster's board and chair
    /// follow from mandates, and the founders' offices have lapsed.
    #[serde(default)]
    pub board_since: Option<NaiveDate>,
    /// The board's meetings (under `board`) and the committees, by slug.
    #[serde(default)]
    pub bodies: BTreeMap<String, crate::bodies::Body>,
    /// Shares and subscribed capital by class, former members' unredeemed shares included.
    #[serde(default)]
    pub by_class: BTreeMap<String, ClassCount>,
    /// Number of current members.
    #[serde(default)]
    pub active_members: u64,
    /// The latest effective date of any fact: a command dated on or after it is decided on this
    /// state; one dated before it is placed on the timeline (see [`crate::timeline`]).
    #[serde(default)]
    pub latest: Option<NaiveDate>,
    /// The highest member number given by an admission that was voided since: numbers are never
    /// given twice.
    #[serde(default)]
    pub retired_number: u32,
}

/// Shares of one class held by all members, kept up to date by `apply`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    /// Number of shares.
    pub shares: u64,
    /// Their nominal value.
    pub subscribed: Cents,
}

/// The parts of a [`State`] that one event changes, besides the small totals every event may
/// move (capital, counts, roster, review date). A store that keeps the state in pieces rewrites
/// these pieces in the same write as the event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// The statutes (and the dates that go with them).
    pub statutes: bool,
    /// Members whose record changes.
    pub members: Vec<MemberNo>,
    /// Whether the event changes only the lots of `members` (and their latest date): a share
    /// movement. Their standing (party, admission, end, category over time, what a store's roll
    /// of every member holds) stays as it was. `false` says nothing: any part may change.
    pub lots_only: bool,
    /// The assembly that changes, by slug.
    pub assembly: Option<String>,
    /// The project that changes, by slug.
    pub project: Option<String>,
    /// A partner (not a member) first recorded.
    pub partner: Option<PartyId>,
    /// The body that changes: `board`, or a committee's slug.
    pub body: Option<String>,
}

impl Touched {
    /// What `event` changes.
    pub fn by(event: &Event) -> Touched {
        let mut t = Touched { assembly: event.assembly().map(String::from), ..Touched::default() };
        match event {
            Event::StatutesAdopted { decided_by, .. } => {
                t.statutes = true;
                // An amendment carries out its resolution (`Assembly::executed`).
                t.assembly = decided_by.as_ref().map(|d| d.assembly.clone());
            }
            Event::MemberExcluded { member, decided_by } => {
                t.members.push(*member);
                t.assembly = Some(decided_by.assembly.clone());
            }
            Event::MemberAdmitted { number: member, .. }
            | Event::SharesSubscribed { member, .. }
            | Event::SharesPaid { member, .. }
            | Event::SharesRedeemed { member, .. }
            | Event::MemberMoved { member, .. }
            | Event::QualityLost { member }
            | Event::MembershipEnded { member, .. }
            | Event::PersonalDataErased { member }
            | Event::PersonalDataChanged { member, .. }
            | Event::RepresentativeDesignated { member, .. } => t.members.push(*member),
            Event::MandateGranted { member, decided_by, .. } => {
                t.members.push(*member);
                t.assembly = Some(decided_by.assembly.clone());
            }
            Event::MandateEnded { member, decided_by, .. } => {
                t.members.push(*member);
                t.assembly = decided_by.as_ref().map(|d| d.assembly.clone());
            }
            Event::CommitteeCreated { committee: body, .. }
            | Event::CommitteeLeft { committee: body, .. }
            | Event::BodyMet { body, .. } => t.body = Some(body.clone()),
            Event::CommitteeJoined { committee, who, .. } => {
                t.body = Some(committee.clone());
                if let Participant::Partner(id) = who {
                    t.partner = Some(*id);
                }
            }
            Event::SharesTransferred { from, to, .. } => t.members.extend([*from, *to]),
            // An assembly's facts change their assembly (`Event::assembly`, above).
            Event::AssemblyConvened { .. }
            | Event::ConvocationsSent { .. }
            | Event::ConvocationReissued { .. }
            | Event::OfficersAppointed { .. }
            | Event::MemberAttended { .. }
            | Event::ProxyGiven { .. }
            | Event::ProxyRevoked { .. }
            | Event::PostalVoteReceived { .. }
            | Event::VoteCast { .. }
            | Event::VoterMarked { .. }
            | Event::BallotsCounted { .. }
            | Event::HandsCounted { .. }
            | Event::AssemblyClosed { .. } => {}
            Event::ReviewCompleted {}
            | Event::OfficerAppointed { .. }
            | Event::OfficerRemoved { .. }
            | Event::OfficerKeyRegistered { .. }
            | Event::CommandVoided { .. } => {}
            Event::ProjectCreated { project, .. }
            | Event::ProjectStageChanged { project, .. }
            | Event::RoleChanged { project, .. }
            | Event::ParticipantLeft { project, .. } => t.project = Some(project.clone()),
            Event::ParticipantJoined { project, who, .. } => {
                t.project = Some(project.clone());
                if let Participant::Partner(id) = who {
                    t.partner = Some(*id);
                }
            }
        }
        t.lots_only = matches!(
            event,
            Event::SharesSubscribed { .. } | Event::SharesPaid { .. } | Event::SharesTransferred { .. } | Event::SharesRedeemed { .. }
        );
        t
    }
}

/// What applying one event reads of a [`State`]: the pieces it changes ([`Touched::by`]) and
/// those it only looks at. A fold started from a partial state (the pieces as of a checkpoint)
/// loads these before applying the event, and gets what a fold of the whole state gets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// What the event changes.
    pub changes: Touched,
    /// A member it requires to be in the register without changing it (a member joining a
    /// project).
    pub member: Option<MemberNo>,
    /// An assembly it reads without changing it (the first convocation of a second one, whose
    /// proxies and postal forms carry over).
    pub assembly: Option<String>,
}

impl Reads {
    /// What applying `event` reads.
    pub fn by(event: &Event) -> Reads {
        let mut r = Reads { changes: Touched::by(event), ..Reads::default() };
        match event {
            Event::ParticipantJoined { who: Participant::Member(n), .. } => r.member = Some(*n),
            Event::AssemblyConvened { second_of: Some(first), .. } => r.assembly = Some(first.clone()),
            _ => {}
        }
        r
    }
}

/// The offices one person holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Offices held.
    pub offices: std::collections::BTreeSet<crate::statutes::Office>,
    /// The member they are, if any.
    pub member: Option<MemberNo>,
}

impl State {
    /// The next member number to give.
    pub fn next_number(&self) -> MemberNo {
        MemberNo(self.members.keys().next_back().map_or(0, |n| n.0).max(self.retired_number) + 1)
    }

    /// Applies one event with its effective date. Refuses events that do not fit (unknown
    /// member, missing shares): such a log was not written by `decide`.
    pub fn apply(&mut self, date: NaiveDate, event: &Event) -> Result<(), Inconsistency> {
        self.latest = Some(self.latest.map_or(date, |l| l.max(date)));
        let missing = |n: &MemberNo| Inconsistency(format!("member {n} is unknown"));
        match event {
            Event::StatutesAdopted { statutes, decided_by, .. } => {
                if let Some(a) = decided_by.as_ref().and_then(|d| self.assemblies.get_mut(&d.assembly)) {
                    a.executed.insert(decided_by.as_ref().map_or(0, |d| d.resolution));
                }
                self.statutes = Some((**statutes).clone());
                self.statutes_since = Some(date);
                self.founded_on.get_or_insert(date);
            }
            Event::MemberAdmitted { party, number, kind, category, personal_digest } => {
                if self.members.contains_key(number) || self.parties.contains_key(party) {
                    return Err(Inconsistency(format!("member {number} is admitted twice")));
                }
                self.parties.insert(*party, *number);
                self.members.insert(
                    *number,
                    Member {
                        number: *number,
                        party: *party,
                        kind: *kind,
                        category: category.clone(),
                        admitted: date,
                        ended: None,
                        flagged_since: None,
                        lots: Vec::new(),
                        last_date: date,
                        personal_digest: personal_digest.clone(),
                        categories: vec![(date, category.clone())],
                        erased: None,
                        representatives: Vec::new(),
                        mandates: Vec::new(),
                    },
                );
                self.active_members += 1;
            }
            Event::SharesSubscribed { member, class, count, paid_cents } => {
                let nominal = self
                    .statutes
                    .as_ref()
                    .and_then(|s| s.share_class(class))
                    .map(|c| c.nominal_cents)
                    .ok_or_else(|| Inconsistency(format!("share class {class} is unknown")))?;
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                let lot = Lot { class: class.as_str().into(), date, count: *count, nominal_cents: nominal, paid_cents: *paid_cents };
                let sub = lot.subscribed();
                push_tight(&mut m.lots, lot);
                let total = self.by_class.entry(class.clone()).or_default();
                total.shares += count;
                total.subscribed.0 += sub.0;
                m.last_date = m.last_date.max(date);
                let public = m.kind == PartyKind::PublicBody;
                self.capital.subscribed.0 += sub.0;
                self.capital.paid.0 += paid_cents.0;
                if public {
                    self.capital.public_subscribed.0 += sub.0;
                }
                self.capital.highest = self.capital.highest.max(self.capital.subscribed);
            }
            Event::SharesPaid { member, amount_cents } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                let mut left = amount_cents.0;
                for lot in m.lots.iter_mut() {
                    let due = lot.subscribed().0 - lot.paid_cents.0;
                    let pay = due.min(left).max(0);
                    lot.paid_cents.0 += pay;
                    left -= pay;
                }
                if left != 0 {
                    return Err(Inconsistency(format!("member {member} pays more than it owes")));
                }
                m.last_date = m.last_date.max(date);
                self.capital.paid.0 += amount_cents.0;
            }
            Event::SharesTransferred { from, to, class, count } => {
                let giver = self.members.get_mut(from).ok_or_else(|| missing(from))?;
                let taken = take_newest(&mut giver.lots, class, *count)
                    .ok_or_else(|| Inconsistency(format!("member {from} holds fewer than {count} class {class} shares")))?;
                giver.last_date = giver.last_date.max(date);
                let giver_public = giver.kind == PartyKind::PublicBody;
                let receiver = self.members.get_mut(to).ok_or_else(|| missing(to))?;
                let receiver_public = receiver.kind == PartyKind::PublicBody;
                let moved: i64 = taken.iter().map(|l| l.subscribed().0).sum();
                for mut lot in taken {
                    lot.date = date;
                    push_tight(&mut receiver.lots, lot);
                }
                receiver.last_date = receiver.last_date.max(date);
                if giver_public {
                    self.capital.public_subscribed.0 -= moved;
                }
                if receiver_public {
                    self.capital.public_subscribed.0 += moved;
                }
            }
            Event::SharesRedeemed { member, class, count, .. } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                let taken = take_newest(&mut m.lots, class, *count)
                    .ok_or_else(|| Inconsistency(format!("member {member} holds fewer than {count} class {class} shares")))?;
                m.last_date = m.last_date.max(date);
                let sub: i64 = taken.iter().map(|l| l.subscribed().0).sum();
                let paid: i64 = taken.iter().map(|l| l.paid_cents.0).sum();
                let total = self.by_class.entry(class.clone()).or_default();
                total.shares -= count;
                total.subscribed.0 -= sub;
                self.capital.subscribed.0 -= sub;
                self.capital.paid.0 -= paid;
                if m.kind == PartyKind::PublicBody {
                    self.capital.public_subscribed.0 -= sub;
                }
            }
            Event::MemberMoved { member, to, .. } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                m.category = to.clone();
                push_tight(&mut m.categories, (date, to.clone()));
                m.flagged_since = None;
                m.last_date = m.last_date.max(date);
            }
            Event::QualityLost { member } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                m.flagged_since = Some(date);
                m.last_date = m.last_date.max(date);
            }
            Event::MembershipEnded { member, cause } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                if m.ended.is_none() {
                    self.active_members -= 1;
                }
                m.ended = Some(Ended { date, cause: *cause });
                m.flagged_since = None;
                m.last_date = m.last_date.max(date);
            }
            Event::MemberExcluded { member, decided_by } => {
                if let Some(a) = self.assemblies.get_mut(&decided_by.assembly) {
                    a.executed.insert(decided_by.resolution);
                }
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                if m.ended.is_none() {
                    self.active_members -= 1;
                }
                m.ended = Some(Ended { date, cause: EndCause::Exclusion });
                m.flagged_since = None;
                m.last_date = m.last_date.max(date);
            }
            Event::AssemblyConvened { assembly, kind, date: meeting, place, time, agenda, second_of, edition, roll_cutoff } => {
                if self.assemblies.contains_key(assembly) {
                    return Err(Inconsistency(format!("assembly {assembly} is convened twice")));
                }
                // Proxies and postal forms given for a first convocation hold for the second,
                // convened on its agenda (R. 225-77, R. 225-79); directions follow their
                // resolutions to the second's numbering.
                let (proxies, postal) = match second_of.as_ref().and_then(|f| self.assemblies.get(f)).filter(|_| *edition >= 1) {
                    Some(first) => carried_over(first, agenda),
                    None => (BTreeMap::new(), BTreeMap::new()),
                };
                self.assemblies.insert(
                    assembly.clone(),
                    Assembly {
                        slug: assembly.clone(),
                        kind: *kind,
                        date: *meeting,
                        place: place.clone(),
                        time: *time,
                        agenda: agenda.clone(),
                        second_of: second_of.clone(),
                        convened_on: date,
                        convocations: BTreeMap::new(),
                        present: BTreeMap::new(),
                        proxies,
                        postal,
                        votes: BTreeMap::new(),
                        officers: None,
                        voted: BTreeMap::new(),
                        ballots: BTreeMap::new(),
                        hands: BTreeMap::new(),
                        reissued: BTreeMap::new(),
                        closed: None,
                        closed_on: None,
                        edition: *edition,
                        roll_cutoff: *roll_cutoff,
                        not_put_to_vote: Default::default(),
                        executed: Default::default(),
                    },
                );
            }
            Event::ConvocationsSent { assembly, members } => {
                let a = self.open_assembly(assembly)?;
                for m in members {
                    a.convocations.insert(*m, date);
                }
            }
            Event::OfficersAppointed { assembly, officers } => {
                self.open_assembly(assembly)?.officers = Some(officers.clone());
            }
            Event::MemberAttended { assembly, member, remote } => {
                self.open_assembly(assembly)?.present.insert(*member, *remote);
            }
            Event::ProxyGiven { assembly, from, to } => {
                self.open_assembly(assembly)?.proxies.insert(*from, *to);
            }
            Event::ProxyRevoked { assembly, from } => {
                self.open_assembly(assembly)?.proxies.remove(from);
            }
            Event::PostalVoteReceived { assembly, member, votes } => {
                let form = crate::assembly::PostalForm { received: date, votes: votes.iter().map(|v| (v.resolution, v.choice)).collect() };
                self.open_assembly(assembly)?.postal.insert(*member, form);
            }
            Event::VoteCast { assembly, resolution, member, choice, .. } => {
                let a = self.open_assembly(assembly)?;
                if a.resolution(*resolution).is_none() {
                    return Err(Inconsistency(format!("assembly {assembly} has no resolution {resolution}")));
                }
                a.votes.entry(*resolution).or_default().insert(*member, *choice);
            }
            Event::VoterMarked { assembly, resolution, member, by } => {
                self.open_assembly(assembly)?.voted.entry(*resolution).or_default().insert(*member, *by);
            }
            Event::BallotsCounted { assembly, resolution, college, tally } => {
                let a = self.open_assembly(assembly)?;
                let code = college.clone().unwrap_or_else(|| "all".into());
                let t = a.ballots.entry(*resolution).or_default().entry(code).or_default();
                t.r#for += tally.r#for;
                t.against += tally.against;
                t.abstain += tally.abstain;
                t.blank += tally.blank;
            }
            Event::ConvocationReissued { assembly, member } => {
                self.open_assembly(assembly)?.reissued.entry(*member).or_default().push(date);
            }
            Event::HandsCounted { assembly, resolution, college, tally } => {
                let a = self.open_assembly(assembly)?;
                let code = college.clone().unwrap_or_else(|| "all".into());
                a.hands.entry(*resolution).or_default().insert(code, *tally);
            }
            Event::AssemblyClosed { assembly, roll, not_put_to_vote } => {
                let a = self.open_assembly(assembly)?;
                a.not_put_to_vote = not_put_to_vote.iter().copied().collect();
                a.closed = Some(roll.clone());
                a.closed_on = Some(date);
            }
            Event::PersonalDataErased { member } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                m.erased = Some(date);
                let linked = self.officer_members.iter().filter(|(_, n)| *n == member).map(|(k, _)| k.clone());
                self.officers_erased.extend(linked.collect::<Vec<_>>());
            }
            Event::OfficerAppointed { person, office, member, personal_digest, .. } => {
                if let Some(d) = personal_digest {
                    self.officer_digests.insert(person.clone(), d.clone());
                }
                if let Some(n) = member {
                    self.officer_members.insert(person.clone(), *n);
                }
                let o = self.roster.entry(person.clone()).or_default();
                o.offices.insert(*office);
                if member.is_some() {
                    o.member = *member;
                }
            }
            Event::OfficerRemoved { person, office } => {
                if let Some(o) = self.roster.get_mut(person) {
                    o.offices.remove(office);
                    if o.offices.is_empty() {
                        self.roster.remove(person);
                    }
                }
            }
            Event::OfficerKeyRegistered { person, public_key } => {
                self.keys.insert(person.clone(), public_key.clone());
            }
            Event::CommandVoided { retired, .. } => {
                // What it voids is left out of the fold (`timeline::without_voided`).
                self.retired_number = retired.iter().map(|n| n.0).fold(self.retired_number, u32::max);
            }
            Event::MandateGranted { member, office, until, decided_by } => {
                if let Some(a) = self.assemblies.get_mut(&decided_by.assembly) {
                    a.executed.insert(decided_by.resolution);
                }
                let m = self.members.get_mut(member).ok_or_else(|| Inconsistency(format!("member {member} is not in the register")))?;
                let mandate =
                    crate::bodies::Mandate { office: *office, from: date, until: *until, decided_by: decided_by.clone(), ended: None };
                let at = m.mandates.partition_point(|x| x.from <= date);
                m.mandates.insert(at, mandate);
                m.last_date = m.last_date.max(date);
                if self.board_since.is_none_or(|d| date < d) {
                    // The first body elected (a board, an SAS's président, an SARL's gérants):
                    // the offices the founders gave by hand lapse.
                    self.board_since = Some(date);
                    self.roster.clear();
                }
            }
            Event::MandateEnded { member, office, decided_by } => {
                if let Some(a) = decided_by.as_ref().and_then(|d| self.assemblies.get_mut(&d.assembly).map(|a| (a, d.resolution))) {
                    a.0.executed.insert(a.1);
                }
                let m = self.members.get_mut(member).ok_or_else(|| Inconsistency(format!("member {member} is not in the register")))?;
                let last = date.pred_opt().unwrap_or(date);
                let current = m.mandates.iter_mut().rev().find(|x| x.office == *office && x.from <= date && date <= x.until);
                let x = current.ok_or_else(|| Inconsistency(format!("member {member} holds no mandate as {} to end", office.as_str())))?;
                x.until = last.max(x.from);
                x.ended = Some(date);
                m.last_date = m.last_date.max(date);
            }
            Event::CommitteeCreated { committee, name, project } => {
                if self.bodies.contains_key(committee) {
                    return Err(Inconsistency(format!("committee {committee} is set up twice")));
                }
                self.bodies.insert(committee.clone(), crate::bodies::Body::committee(name, project.clone(), date));
            }
            Event::CommitteeJoined { committee, who, role, personal_digest } => {
                if let (Participant::Partner(id), Some(d)) = (who, personal_digest) {
                    self.partners.insert(*id, d.clone());
                }
                let b = self.bodies.get_mut(committee).ok_or_else(|| Inconsistency(format!("committee {committee} is unknown")))?;
                b.seats.push(crate::bodies::Seat { who: *who, role: role.clone(), from: date, until: None });
            }
            Event::CommitteeLeft { committee, who } => {
                let b = self.bodies.get_mut(committee).ok_or_else(|| Inconsistency(format!("committee {committee} is unknown")))?;
                let seat = b.seats.iter_mut().rev().find(|s| s.who == *who && s.until.is_none());
                seat.ok_or_else(|| Inconsistency(format!("{who:?} has no seat on {committee}")))?.until = Some(date);
            }
            Event::BodyMet { body, meeting, present, decisions, chair, secretary } => {
                let b = self.bodies.entry(body.clone()).or_insert_with(|| crate::bodies::Body::board(date));
                let m = crate::bodies::Meeting {
                    slug: meeting.clone(),
                    date,
                    present: present.clone(),
                    decisions: decisions.clone(),
                    chair: *chair,
                    secretary: *secretary,
                };
                let at = b.meetings.partition_point(|x| x.date <= date);
                b.meetings.insert(at, m);
            }
            Event::RepresentativeDesignated { member, representative, personal_digest } => {
                let m = self.members.get_mut(member).ok_or_else(|| Inconsistency(format!("member {member} is not in the register")))?;
                let r = Representative { since: date, party: *representative, personal_digest: personal_digest.clone() };
                let at = m.representatives.partition_point(|x| x.since <= date);
                m.representatives.insert(at, r);
                m.last_date = m.last_date.max(date);
            }
            Event::PersonalDataChanged { member, personal_digest } => {
                let m = self.members.get_mut(member).ok_or_else(|| missing(member))?;
                m.personal_digest = personal_digest.clone();
            }
            Event::ReviewCompleted {} => {
                self.last_review = Some(self.last_review.map_or(date, |d| d.max(date)));
            }
            Event::ProjectCreated { project, name, description, stage } => {
                if self.projects.contains_key(project) {
                    return Err(Inconsistency(format!("project {project} is created twice")));
                }
                let p = Project {
                    slug: project.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    created: date,
                    stages: vec![(date, *stage)],
                    spells: Vec::new(),
                    last_date: date,
                };
                self.projects.insert(project.clone(), p);
            }
            Event::ProjectStageChanged { project, to, .. } => {
                let p = self.project_mut(project)?;
                p.stages.push((date, *to));
                p.last_date = p.last_date.max(date);
            }
            Event::ParticipantJoined { project, who, role, personal_digest } => {
                match who {
                    Participant::Member(n) if !self.members.contains_key(n) => return Err(missing(n)),
                    Participant::Partner(id) => {
                        if let Some(d) = personal_digest {
                            self.partners.insert(*id, d.clone());
                        } else if !self.partners.contains_key(id) {
                            return Err(Inconsistency(format!("partner {id} is unknown")));
                        }
                    }
                    _ => {}
                }
                let p = self.project_mut(project)?;
                p.spells.push(Spell { who: *who, joined: date, left: None, roles: vec![(date, *role)] });
                p.last_date = p.last_date.max(date);
            }
            Event::RoleChanged { project, who, to, .. } => {
                let p = self.project_mut(project)?;
                let spell = p.spells.iter_mut().rev().find(|s| s.who == *who && s.left.is_none());
                spell.ok_or_else(|| Inconsistency(format!("no open participation in {project}")))?.roles.push((date, *to));
                p.last_date = p.last_date.max(date);
            }
            Event::ParticipantLeft { project, who } => {
                let p = self.project_mut(project)?;
                let spell = p.spells.iter_mut().rev().find(|s| s.who == *who && s.left.is_none());
                spell.ok_or_else(|| Inconsistency(format!("no open participation in {project}")))?.left = Some(date);
                p.last_date = p.last_date.max(date);
            }
        }
        Ok(())
    }

    fn project_mut(&mut self, slug: &str) -> Result<&mut Project, Inconsistency> {
        self.projects.get_mut(slug).ok_or_else(|| Inconsistency(format!("project {slug} is unknown")))
    }

    fn open_assembly(&mut self, slug: &str) -> Result<&mut Assembly, Inconsistency> {
        match self.assemblies.get_mut(slug) {
            Some(a) if a.closed.is_none() => Ok(a),
            Some(_) => Err(Inconsistency(format!("assembly {slug} is closed"))),
            None => Err(Inconsistency(format!("assembly {slug} is unknown"))),
        }
    }

    /// The latest effective date the pieces of this state show (for a state kept before
    /// [`State::latest`] was): members', projects' and assemblies' facts, the statutes, the
    /// last review.
    pub fn latest_shown(&self) -> Option<NaiveDate> {
        let members = self.members.values().map(|m| m.last_date);
        let projects = self.projects.values().map(|p| p.last_date);
        let assemblies = self.assemblies.values().flat_map(|a| [Some(a.convened_on), Some(a.date), a.closed_on].into_iter().flatten());
        let dates = [self.founded_on, self.statutes_since, self.last_review].into_iter().flatten();
        members.chain(projects).chain(assemblies).chain(dates).max()
    }

    /// Every party whose personal data is kept beside the log, with the digest the log keeps
    /// for it: members (their latest digest) and officers not erased, and partners.
    pub fn digests(&self) -> BTreeMap<PartyId, &str> {
        let members = self.members.values().filter(|m| m.erased.is_none()).flat_map(|m| {
            std::iter::once((m.party, m.personal_digest.as_str()))
                .chain(m.representatives.iter().map(|r| (r.party, r.personal_digest.as_str())))
        });
        let partners = self.partners.iter().map(|(id, d)| (*id, d.as_str()));
        let officers = self
            .officer_digests
            .iter()
            .filter(|(k, _)| !self.officers_erased.contains(*k))
            .filter_map(|(k, d)| k.parse().ok().map(|id: PartyId| (id, d.as_str())));
        members.chain(partners).chain(officers).collect()
    }

    /// The member with this number or party id.
    pub fn member(&self, r: crate::units::MemberRef) -> Option<&Member> {
        match r {
            crate::units::MemberRef::Number(n) => self.members.get(&n),
            crate::units::MemberRef::Id(id) => self.parties.get(&id).and_then(|n| self.members.get(n)),
        }
    }
}

/// Takes `count` shares of `class` from the newest lots, splitting the last lot touched so that
/// the shares taken carry the part of the payment that belongs to them (payments fill shares in
/// order, so the newest, least-paid shares go first). `None` if there are not enough shares.
fn take_newest(lots: &mut Vec<Lot>, class: &str, count: u64) -> Option<Vec<Lot>> {
    let have: u64 = lots.iter().filter(|l| l.class == class).map(|l| l.count).sum();
    if have < count {
        return None;
    }
    let mut left = count;
    let mut taken = Vec::new();
    for lot in lots.iter_mut().rev().filter(|l| l.class == class) {
        if left == 0 {
            break;
        }
        let take = left.min(lot.count);
        let keep = lot.count - take;
        let keep_paid = lot.paid_cents.0.min(lot.nominal_cents.0 * keep as i64);
        taken.push(Lot {
            class: lot.class.clone(),
            date: lot.date,
            count: take,
            nominal_cents: lot.nominal_cents,
            paid_cents: Cents(lot.paid_cents.0 - keep_paid),
        });
        lot.count = keep;
        lot.paid_cents = Cents(keep_paid);
        left -= take;
    }
    lots.retain(|l| l.count > 0);
    taken.reverse();
    Some(taken)
}

/// Applies `event` and checks that it changed nothing outside what [`Touched`] says it changes
/// (a store that rewrites only those pieces would otherwise keep a stale state), and that
/// applied to a state holding only what [`Reads`] says it reads (besides the small totals, the
/// statutes, partners and bodies), it changes those pieces as it does the whole state (a fold
/// from a checkpoint would otherwise go wrong).
#[cfg(test)]
pub(crate) fn apply_checked(state: &mut State, date: NaiveDate, event: &Event) {
    let before = state.clone();
    let reads = Reads::by(event);
    let mut partial = state.clone();
    let needed: Vec<MemberNo> = reads.changes.members.iter().copied().chain(reads.member).collect();
    partial.members.retain(|n, _| needed.contains(n));
    let kept = &partial.members;
    partial.parties.retain(|_, n| kept.contains_key(n));
    partial.assemblies.retain(|slug, _| reads.changes.assembly.as_ref() == Some(slug) || reads.assembly.as_ref() == Some(slug));
    partial.projects.retain(|slug, _| reads.changes.project.as_ref() == Some(slug));
    state.apply(date, event).expect("decided events apply");
    partial.apply(date, event).unwrap_or_else(|e| panic!("{event:?} applies to the pieces it reads ({reads:?}): {e}"));
    for n in &reads.changes.members {
        assert_eq!(partial.members.get(n), state.members.get(n), "{event:?} on the pieces it reads: member {n}");
    }
    if let Some(slug) = &reads.changes.assembly {
        assert_eq!(partial.assemblies.get(slug), state.assemblies.get(slug), "{event:?} on the pieces it reads: assembly {slug}");
    }
    if let Some(slug) = &reads.changes.project {
        assert_eq!(partial.projects.get(slug), state.projects.get(slug), "{event:?} on the pieces it reads: project {slug}");
    }
    assert_eq!(
        (&partial.capital, &partial.by_class, partial.active_members, &partial.roster, &partial.partners, &partial.bodies, partial.latest),
        (&state.capital, &state.by_class, state.active_members, &state.roster, &state.partners, &state.bodies, state.latest),
        "{event:?} on the pieces it reads: the totals"
    );
    let t = Touched::by(event);
    for (n, m) in &state.members {
        assert!(before.members.get(n) == Some(m) || t.members.contains(n), "{event:?} changed member {n}, not in {t:?}");
        if let (true, Some(was)) = (t.lots_only, before.members.get(n)) {
            let standing = Member { lots: was.lots.clone(), last_date: was.last_date, ..m.clone() };
            assert_eq!(&standing, was, "{event:?} changed more of member {n} than its lots");
        }
    }
    for (slug, a) in &state.assemblies {
        assert!(before.assemblies.get(slug) == Some(a) || t.assembly.as_ref() == Some(slug), "{event:?} changed assembly {slug}");
    }
    for (slug, p) in &state.projects {
        assert!(before.projects.get(slug) == Some(p) || t.project.as_ref() == Some(slug), "{event:?} changed project {slug}");
    }
    for (id, d) in &state.partners {
        assert!(before.partners.get(id) == Some(d) || t.partner == Some(*id), "{event:?} changed partner {id}");
    }
    let same_statutes = before.statutes == state.statutes && before.statutes_since == state.statutes_since;
    assert!(same_statutes || t.statutes, "{event:?} changed the statutes");
    // The party index moves with the members it indexes.
    for (party, n) in &state.parties {
        assert!(before.parties.get(party) == Some(n) || t.members.contains(n), "{event:?} indexed party {party}");
    }
}

/// The proxies and postal forms of a first convocation, for a second convened on `agenda` (the
/// first's resolutions that could not be voted on): each direction renumbered to the second's.
#[allow(clippy::type_complexity)]
fn carried_over(
    first: &Assembly,
    agenda: &[crate::assembly::Resolution],
) -> (BTreeMap<MemberNo, Option<MemberNo>>, BTreeMap<MemberNo, crate::assembly::PostalForm>) {
    // The second's agenda is the first's resolutions that could not be voted on, in order
    // (checked when it was convened): each is found after the one before it.
    let mut renumber = BTreeMap::new();
    let mut from = 0;
    for (i, r) in agenda.iter().enumerate() {
        if let Some(j) = first.agenda.iter().skip(from).position(|x| x == r).map(|k| k + from) {
            renumber.insert(j as u32 + 1, i as u32 + 1);
            from = j + 1;
        }
    }
    let postal = first
        .postal
        .iter()
        .map(|(m, f)| {
            let votes = f.votes.iter().filter_map(|(n, c)| renumber.get(n).map(|k| (*k, *c))).collect();
            (*m, crate::assembly::PostalForm { received: f.received, votes })
        })
        .collect();
    (first.proxies.clone(), postal)
}
