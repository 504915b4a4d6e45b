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
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use inverse::command_of;

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
pub fn place(now: &State, timeline: &[Fact], date: NaiveDate, command: &Command, ctx: &Context) -> Result<Placed, Unplaced> {
    let split = timeline.partition_point(|f| f.date <= date);
    let mut at = State::default();
    fold(&mut at, &timeline[..split])?;
    let events = decide_at(now, &at, date, command, ctx)?;
    for e in &events {
        at.apply(date, e).map_err(|reason| Unplaced::Inconsistent { seq: 0, reason })?;
    }
    recheck(&mut at, &timeline[split..], &events)?;
    Ok(Placed { events, state: at })
}

/// Decides again, on `state`, each command of `later` (facts in timeline order), and folds its
/// recorded events. `new` are the events of the command entered late, for the refusal's words.
fn recheck(state: &mut State, later: &[Fact], new: &[Event]) -> Result<(), Unplaced> {
    let mut i = 0;
    while i < later.len() {
        let first = &later[i];
        let n = later[i..].iter().take_while(|f| f.command_id == first.command_id && f.date == first.date).count();
        let group = &later[i..i + n];
        let events: Vec<Event> = group.iter().map(|f| f.event.clone()).collect();
        if let Some(inverse::Redo { command, ctx, number }) = inverse::redo(&events, first.date) {
            let breach = |rule: Rule, why: String| {
                Unplaced::Refused(Refusal {
                    rule: Rule::BreaksLaterFact,
                    message: format!(
                        "{} on that date would break a later fact: {}, recorded on {} as event {}, would then {why} (rule {})",
                        what(new),
                        first.event.describe(),
                        first.date,
                        first.seq,
                        rule_name(rule)
                    ),
                })
            };
            match redecide(state, first.date, &command, &ctx, number) {
                Err(r) => return Err(breach(r.rule, format!("be refused: {}", r.message))),
                Ok(again) => {
                    if let Some((was, now)) = differs(&events, &again) {
                        return Err(breach(
                            Rule::BreaksLaterFact,
                            format!("read differently: '{}' instead of '{}'", now.describe(), was.describe()),
                        ));
                    }
                }
            }
        }
        fold(state, group)?;
        i += n;
    }
    Ok(())
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
