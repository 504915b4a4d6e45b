//! The timeline: every recorded fact in the order of its effective date (facts of one date in
//! the order they were recorded), and the one rule for every fact, whenever it is entered:
//! **the history with it must be valid at its date and at every date after.**
//!
//! A fact dated on or after every fact recorded is decided on the current state, as always. A
//! fact dated earlier ("entered late": a migration, a forgotten payment) is decided by [`place`]
//! on the state as of its date (the statutes then in force included); then every fact dated
//! after it is decided again, in timeline order, on the history that now holds the new one, and
//! must be accepted and give the very events that were recorded. The first that is not names
//! the refusal. So the capital floor, the public bodies' cap, category minimums, a member being
//! a member at the date of each of its facts, participation inside membership and the project's
//! life, stage order, and the voting roll of every assembly are checked across the whole
//! timeline, by the same rules as a command of today, with nothing written twice.
//!
//! The state a timeline folds to is the state the store keeps: the order of effective dates is
//! the order in which facts apply (the highest capital reached, the newest shares taken first).

mod inverse;
mod local;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use inverse::command_of;
pub use local::{moves_shares, place_local, Check, Index, IndexBuilder, Known, Local, Patch, Step};

use crate::decide::{decide_at, redecide, Command, Context, Refusal, Rule};
use crate::event::Event;
use crate::state::{Inconsistency, State};

/// One recorded event, with what places it on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// Its sequence number in the log (the order it was recorded in).
    pub seq: u64,
    /// Its effective date.
    pub date: NaiveDate,
    /// The command it was recorded by: the events of one command are decided together.
    pub command_id: String,
    /// The event.
    pub event: Event,
}

impl Fact {
    /// The timeline's order: by effective date, then as recorded.
    pub fn key(&self) -> (NaiveDate, u64) {
        (self.date, self.seq)
    }
}

/// Sorts facts into timeline order.
pub fn sort(facts: &mut [Fact]) {
    facts.sort_by_key(Fact::key);
}

/// Why a command could not be placed on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unplaced {
    /// A rule refuses it, at its date or at a later fact's.
    #[error("{0}")]
    Refused(Refusal),
    /// The recorded history does not fold: the log was not written by `decide`.
    #[error("event {seq}: {reason}")]
    Inconsistent {
        /// The event that does not apply.
        seq: u64,
        /// Why.
        reason: Inconsistency,
    },
}

impl From<Refusal> for Unplaced {
    fn from(r: Refusal) -> Self {
        Unplaced::Refused(r)
    }
}

/// A command placed on the timeline: its events, and the state the whole timeline folds to with
/// them (the new current state).
#[derive(Clone, Debug)]
pub struct Placed {
    /// The events to record, dated as the command.
    pub events: Vec<Event>,
    /// The fold of every fact, the new ones included, in timeline order.
    pub state: State,
    /// The earliest date from which facts were folded anew: what they touch may differ.
    pub since: NaiveDate,
}

/// Whether a command is decided on the current state (`decide`) rather than placed on the
/// timeline: dated on or after every fact recorded, and not a void.
pub fn on_current_state(now: &State, date: NaiveDate, command: &Command) -> bool {
    !matches!(command, Command::Void { .. }) && now.latest.is_none_or(|l| date >= l)
}

/// Whether a fact keeps a log in date order after facts whose latest date is `latest`: dated on
/// or after it, and not a void (which takes earlier facts out of the timeline). A log in date
/// order folds as it is read; a store keeps checkpoints of it.
pub fn keeps_date_order(latest: Option<NaiveDate>, date: NaiveDate, event: &Event) -> bool {
    !matches!(event, Event::CommandVoided { .. }) && latest.is_none_or(|l| date >= l)
}

/// Folds facts (in timeline order) into `state`.
pub fn fold<'f>(state: &mut State, facts: impl IntoIterator<Item = &'f Fact>) -> Result<(), Unplaced> {
    for f in facts {
        state.apply(f.date, &f.event).map_err(|reason| Unplaced::Inconsistent { seq: f.seq, reason })?;
    }
    Ok(())
}

/// Decides `command` dated `date` against a recorded history: `now` is the fold of every fact
/// and `timeline` those facts in timeline order ([`sort`]). The command is decided on the state
/// as of `date`, then every fact dated after it is decided again on the new history. Returns
/// the command's events and the new current state, or the first refusal.
///
/// A void ([`Command::Void`]) is placed by [`void`].
pub fn place(now: &State, timeline: &[Fact], date: NaiveDate, command: &Command, ctx: &Context) -> Result<Placed, Unplaced> {
    if let Command::Void { seq, reason } = command {
        return void(now, timeline, *seq, reason, date, ctx);
    }
    let split = timeline.partition_point(|f| f.date <= date);
    let mut at = State::default();
    fold(&mut at, &timeline[..split])?;
    let events = decide_at(now, &at, date, command, ctx)?;
    for e in &events {
        at.apply(date, e).map_err(|reason| Unplaced::Inconsistent { seq: 0, reason })?;
    }
    recheck(&mut at, &timeline[split..], &format!("{} on that date", what(&events)))?;
    Ok(Placed { events, state: at, since: date })
}

/// The facts that count: those of commands not voided by a `CommandVoided` among them.
pub fn without_voided(facts: Vec<Fact>) -> Vec<Fact> {
    let voided: std::collections::BTreeSet<String> = facts
        .iter()
        .filter_map(|f| match &f.event {
            Event::CommandVoided { command_id, .. } => Some(command_id.clone()),
            _ => None,
        })
        .collect();
    if voided.is_empty() {
        return facts;
    }
    facts.into_iter().filter(|f| !voided.contains(&f.command_id)).collect()
}

/// Voids the whole command that recorded event `seq`, on the recorded history (`now` and
/// `timeline`, its facts that count in timeline order, see [`without_voided`]): the timeline
/// without that command must still be valid at every date, each later fact decided again as in
/// [`place`]. A vote or any fact of an assembly is voided only while the assembly is open; the
/// founding, an erasure of personal data and a void are not voided. Who may record the command
/// may void it. Returns the `CommandVoided` event, dated `date`, and the new state.
pub fn void(now: &State, timeline: &[Fact], seq: u64, reason: &str, date: NaiveDate, ctx: &Context) -> Result<Placed, Unplaced> {
    let refuse = |rule: Rule, message: String| Err(Unplaced::Refused(Refusal { rule, message }));
    if date > ctx.today {
        return refuse(Rule::FutureDate, format!("the date {date} is after today ({})", ctx.today));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return refuse(Rule::InvalidValue, "the reason for a void is 1 to 500 printable characters".into());
    }
    let Some(target) = timeline.iter().find(|f| f.seq == seq) else {
        return refuse(
            Rule::InvalidValue,
            format!("event {seq} is not among the events that count (it is voided already, or not in the log)"),
        );
    };
    let id = target.command_id.clone();
    let group: Vec<&Fact> = timeline.iter().filter(|f| f.command_id == id).collect();
    let events: Vec<Event> = group.iter().map(|f| f.event.clone()).collect();
    let (first, last) = (group.iter().map(|f| f.seq).min().unwrap_or(seq), group.iter().map(|f| f.seq).max().unwrap_or(seq));
    for e in &events {
        match e {
            Event::StatutesAdopted { decided_by: None, .. } => {
                return refuse(Rule::InvalidValue, "the founding statutes are not voided: the store is the cooperative's".into())
            }
            Event::PersonalDataErased { member } => {
                return refuse(Rule::InvalidValue, format!("the erasure of member {member}'s personal data cannot be undone"))
            }
            Event::CommandVoided { .. } => return refuse(Rule::InvalidValue, "a void is not voided; record the command again".into()),
            Event::OfficerKeyRegistered { person, .. } => {
                return refuse(Rule::InvalidValue, format!("{person}'s key registration is not voided: register a new key"))
            }
            _ => {}
        }
        if let Some(slug) = e.assembly() {
            if let Some(on) = now.assemblies.get(slug).and_then(|a| a.closed_on) {
                return refuse(
                    Rule::AssemblyClosed,
                    format!("assembly {slug} was closed on {on}: what was recorded for it can no longer be voided"),
                );
            }
        }
    }
    if let Some(statutes) = now.statutes.as_ref() {
        let command = inverse::redo(&events, target.date).map(|r| r.command).unwrap_or(Command::RecordReview);
        crate::roster::authorize(now, statutes, &command, &ctx.actor, ctx.today)?;
    }
    crate::roster::signed(now, &Command::Void { seq, reason: reason.to_string() }, ctx)?;
    let rest: Vec<&Fact> = timeline.iter().filter(|f| f.command_id != id).collect();
    let key = (target.date, first);
    let split = rest.partition_point(|f| f.key() < key);
    let mut at = State::default();
    fold(&mut at, rest[..split].iter().copied())?;
    let later: Vec<Fact> = rest[split..].iter().map(|f| (*f).clone()).collect();
    let what = format!("Voiding events {first} to {last} ({})", events.first().map(Event::describe).unwrap_or_default());
    recheck(&mut at, &later, &what)?;
    let retired = events
        .iter()
        .filter_map(|e| match e {
            Event::MemberAdmitted { number, .. } => Some(*number),
            _ => None,
        })
        .collect();
    let void = Event::CommandVoided { command_id: id, first, last, reason: reason.to_string(), retired };
    at.apply(date, &void).map_err(|reason| Unplaced::Inconsistent { seq: 0, reason })?;
    Ok(Placed { events: vec![void], state: at, since: target.date })
}

/// Decides again, on `state`, each command of `later` (facts in timeline order), and folds its
/// recorded events. `what` names the change, for the refusal's words.
fn recheck(state: &mut State, later: &[Fact], what: &str) -> Result<(), Unplaced> {
    let mut i = 0;
    while i < later.len() {
        let first = &later[i];
        let n = later[i..].iter().take_while(|f| f.command_id == first.command_id && f.date == first.date).count();
        let group = &later[i..i + n];
        let events: Vec<Event> = group.iter().map(|f| f.event.clone()).collect();
        if let Some(inverse::Redo { command, ctx }) = inverse::redo(&events, first.date) {
            match redecide(state, first.date, &command, &ctx) {
                Err(r) => return Err(breach(what, first, r.rule, format!("be refused: {}", r.message))),
                Ok(again) => {
                    if let Some((was, now)) = differs(&events, &again) {
                        let why = format!("read differently: '{}' instead of '{}'", now.describe(), was.describe());
                        return Err(breach(what, first, Rule::BreaksLaterFact, why));
                    }
                }
            }
        }
        fold(state, group)?;
        i += n;
    }
    Ok(())
}

/// The refusal of `what` (a change to the history) because `first`, the first fact of a later
/// command, would then `why` (by `rule`).
fn breach(what: &str, first: &Fact, rule: Rule, why: String) -> Unplaced {
    Unplaced::Refused(Refusal {
        rule: Rule::BreaksLaterFact,
        message: format!(
            "{what} would break a later fact: {}, recorded on {} as event {}, would then {why} (rule {})",
            first.event.describe(),
            first.date,
            first.seq,
            rule_name(rule)
        ),
    })
}

/// The first recorded event that the same command, decided again, does not give; identities and
/// digests (drawn fresh when it was recorded) aside.
fn differs<'e>(recorded: &'e [Event], again: &'e [Event]) -> Option<(&'e Event, &'e Event)> {
    for (was, now) in recorded.iter().zip(again) {
        if !inverse::same_fact(was, now) {
            return Some((was, now));
        }
    }
    match recorded.len().cmp(&again.len()) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some((&recorded[again.len()], &recorded[again.len()])),
        std::cmp::Ordering::Less => Some((&again[recorded.len()], &again[recorded.len()])),
    }
}

fn what(events: &[Event]) -> String {
    match events.first() {
        Some(e) => {
            let d = e.describe();
            let mut c = d.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
        None => "This command".into(),
    }
}

fn rule_name(rule: Rule) -> String {
    serde_json::to_value(rule).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_else(|| format!("{rule:?}"))
}
