//! A share movement entered late, placed without folding the whole timeline.
//!
//! [`super::place`] decides every fact dated after a late one again: at a million events that is
//! seconds. A subscription, payment, transfer or redemption changes little: the records of the
//! members it names and the capital totals. A later fact's decision can only turn out otherwise
//! if it reads one of them, so [`place_local`] decides again exactly those facts:
//!
//! - every later fact of the members concerned that reads their shares (subscriptions,
//!   payments, transfers, redemptions, category moves), on a partial state that holds these
//!   members (and, through transfers, the members they dealt with), their history folded from
//!   their own facts;
//! - the capital rules of every later movement of capital (the public bodies' cap, the capital
//!   floor), on the totals shifted by what the late fact changes, with the same code as
//!   [`crate::decide`] ([`crate::capital::rules::capital_rules`]), from an [`Index`] of the totals after
//!   each such movement.
//!
//! Nothing else reads shares or totals: assemblies' rolls and votes, projects, the roster read
//! membership, which a share movement does not change. An amendment of the statutes reads every
//! member's shares: a movement dated before one is placed on the whole timeline ([`Local::Whole`]),
//! as are the other commands. The answer is the whole-timeline answer: the same events, the same
//! refusal, the same state (the tests compare them on every late fact they enter).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::{breach, differs, fold, inverse, what, Fact, Unplaced};
use crate::capital::rules::capital_rules;
use crate::decide::{decide_at, redecide, Command, Context};
use crate::event::Event;
use crate::state::{CapitalTotals, ClassCount, Member, State, Touched};
use crate::statutes::Statutes;
use crate::units::MemberNo;

/// What the capital rules read of one command that moved the capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// A payment: no capital rule.
    None,
    /// An admission, subscription or transfer: the public bodies' cap.
    PublicCap,
    /// A redemption of `count` shares of `member`: the capital floor, then the public bodies' cap.
    Redemption {
        /// The member whose shares are redeemed.
        member: MemberNo,
        /// How many.
        count: u64,
    },
}

impl Check {
    fn of(events: &[Event]) -> Option<Check> {
        let mut check = None;
        for e in events {
            check = match (e, check) {
                (Event::SharesRedeemed { member, count, .. }, _) => Some(Check::Redemption { member: *member, count: *count }),
                (Event::SharesSubscribed { .. } | Event::SharesTransferred { .. }, Some(Check::Redemption { .. })) => check,
                (Event::SharesSubscribed { .. } | Event::SharesTransferred { .. }, _) => Some(Check::PublicCap),
                (Event::SharesPaid { .. }, None) => Some(Check::None),
                _ => check,
            };
        }
        check
    }
}

/// A command that moved the capital, on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Its effective date.
    pub date: NaiveDate,
    /// The sequence number of its first event.
    pub first: u64,
    /// The capital rules its decision applied.
    pub check: Check,
    /// The capital totals after it.
    pub after: CapitalTotals,
}

impl Step {
    fn key(&self) -> (NaiveDate, u64) {
        (self.date, self.first)
    }
}

/// The recorded history, indexed for [`place_local`]: the capital totals after each command
/// that moved them, the statutes adopted, and where each member's facts are. Built once from
/// the facts that count ([`Index::build`]), then kept up to date as commands are recorded
/// ([`Index::record`], [`Index::patch`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    steps: Vec<Step>,
    statutes: Vec<(NaiveDate, u64, Statutes)>,
    members: HashMap<MemberNo, Vec<(NaiveDate, u64)>>,
}

impl Index {
    /// Indexes `facts`, the facts that count in timeline order (see [`super::without_voided`]).
    pub fn build(facts: &[Fact]) -> Result<Index, Unplaced> {
        let mut builder = IndexBuilder::default();
        for f in facts {
            builder.push(f.clone())?;
        }
        builder.finish()
    }

    /// Adds a command recorded on or after every fact: its facts, and the totals after it.
    pub fn record(&mut self, facts: &[Fact], after: CapitalTotals) {
        self.add(facts, after);
    }

    fn add(&mut self, group: &[Fact], after: CapitalTotals) {
        let Some(first) = group.first() else { return };
        let events: Vec<Event> = group.iter().map(|f| f.event.clone()).collect();
        if let Some(check) = Check::of(&events) {
            let step = Step { date: first.date, first: first.seq, check, after };
            let at = self.steps.partition_point(|s| s.key() <= step.key());
            self.steps.insert(at, step);
        }
        for f in group {
            if let Event::StatutesAdopted { statutes, .. } = &f.event {
                let at = self.statutes.partition_point(|(d, s, _)| (*d, *s) <= f.key());
                self.statutes.insert(at, (f.date, f.seq, (**statutes).clone()));
            }
            for n in Touched::by(&f.event).members {
                let list = self.members.entry(n).or_default();
                let at = list.partition_point(|k| *k <= f.key());
                list.insert(at, f.key());
            }
        }
    }

    /// Takes in a command placed by [`place_local`]: its facts, and the totals it shifted.
    pub fn patch(&mut self, patch: &Patch, facts: &[Fact]) {
        let split = self.steps.partition_point(|s| s.date <= patch.since);
        for (step, after) in self.steps[split..].iter_mut().zip(&patch.series) {
            step.after = *after;
        }
        self.add(facts, patch.step_after);
    }

    /// The facts that change member `n`'s record: (date, sequence number), in timeline order.
    pub fn facts_of(&self, n: MemberNo) -> &[(NaiveDate, u64)] {
        self.members.get(&n).map_or(&[], Vec::as_slice)
    }

    /// How many commands moved the capital.
    pub fn steps(&self) -> usize {
        self.steps.len()
    }
}

/// Builds an [`Index`] from the facts that count given one at a time in timeline order: a
/// store reads them from its log without holding them all (a million facts: about 500 MB).
#[derive(Default)]
pub struct IndexBuilder {
    index: Index,
    /// The fold of the facts given, up to the last command.
    state: State,
    /// The facts of the last command (its facts are consecutive: same id, same date).
    group: Vec<Fact>,
}

impl IndexBuilder {
    /// Takes the next fact.
    pub fn push(&mut self, fact: Fact) -> Result<(), Unplaced> {
        if self.group.first().is_some_and(|g| g.command_id != fact.command_id || g.date != fact.date) {
            self.flush()?;
        }
        self.group.push(fact);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Unplaced> {
        fold(&mut self.state, &self.group)?;
        self.index.add(&self.group, self.state.capital);
        self.group.clear();
        Ok(())
    }

    /// The index of every fact given.
    pub fn finish(self) -> Result<Index, Unplaced> {
        self.finish_with_state().map(|(index, _)| index)
    }

    /// The index of every fact given, and their fold: the current state, which a store that
    /// builds the index can keep instead of the one it had loaded (one state in memory, not two).
    pub fn finish_with_state(mut self) -> Result<(Index, State), Unplaced> {
        if !self.group.is_empty() {
            self.flush()?;
        }
        Ok((self.index, self.state))
    }
}

/// The facts read from the log for [`place_local`], which says which it needs ([`Local::Need`]).
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Each member's facts ([`Index::facts_of`]), by member.
    pub members: BTreeMap<MemberNo, Vec<Fact>>,
    /// Other facts, by sequence number.
    pub facts: BTreeMap<u64, Fact>,
}

/// A late share movement placed: its events, and what it changes in the current state and in
/// the [`Index`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The events to record, dated as the command.
    pub events: Vec<Event>,
    /// The command's date: facts after it were decided again where they read what it changes.
    pub since: NaiveDate,
    /// The new records of the members concerned.
    pub members: Vec<Member>,
    /// The new capital totals.
    pub capital: CapitalTotals,
    /// The new share counts of the classes the members concerned hold or held.
    pub classes: BTreeMap<String, ClassCount>,
    /// The capital totals after the command.
    step_after: CapitalTotals,
    /// The capital totals after each later movement of capital, in timeline order.
    series: Vec<CapitalTotals>,
}

impl Patch {
    /// Brings `state`, the current state the command was placed against, to the state after it.
    pub fn apply(&self, state: &mut State) {
        for m in &self.members {
            state.members.insert(m.number, m.clone());
        }
        state.capital = self.capital;
        for (class, count) in &self.classes {
            state.by_class.insert(class.clone(), *count);
        }
    }
}

/// What [`place_local`] found.
#[derive(Clone, Debug)]
pub enum Local {
    /// Placed.
    Placed(Patch),
    /// Refused: by a rule at its date, or at a later fact's.
    Refused(Unplaced),
    /// Read these facts from the log into [`Known`] and ask again.
    Need {
        /// Members whose facts ([`Index::facts_of`]) are needed.
        members: Vec<MemberNo>,
        /// Facts needed by sequence number.
        facts: Vec<u64>,
    },
    /// Not a share movement, or one this path does not place (dated before an amendment of the
    /// statutes, naming an unknown member, touching too many members through transfers): place
    /// it on the whole timeline ([`super::place`]).
    Whole,
}

/// The most members one late movement may reach through transfers before it is placed on the
/// whole timeline instead.
const REACH: usize = 64;

/// Whether `command` is a share movement, which [`place_local`] may place when it is late.
pub fn moves_shares(command: &Command) -> bool {
    matches!(command, Command::Subscribe { .. } | Command::Pay { .. } | Command::Redeem { .. } | Command::Transfer { .. })
}

/// Places a subscription, payment, transfer or redemption dated `date`, before the latest fact,
/// against the recorded history: `now` its fold, `index` its [`Index`], `known` the facts read
/// so far. The same answer as [`super::place`], from the facts that can change.
pub fn place_local(now: &State, index: &Index, known: &Known, date: NaiveDate, command: &Command, ctx: &Context) -> Local {
    let named = match command {
        Command::Subscribe { member, .. } | Command::Pay { member, .. } | Command::Redeem { member, .. } => vec![*member],
        Command::Transfer { from, to, .. } => vec![*from, *to],
        _ => return Local::Whole,
    };
    if now.latest.is_none_or(|l| date >= l) || index.statutes.iter().any(|(d, _, _)| *d > date) {
        return Local::Whole;
    }
    // The members concerned: those named, and whoever they exchanged shares with, at any date.
    let mut reach = BTreeSet::new();
    for r in named {
        match now.member(r) {
            Some(m) => reach.insert(m.number),
            None => return Local::Whole,
        };
    }
    loop {
        let missing: Vec<MemberNo> = reach.iter().filter(|n| !known.members.contains_key(n)).copied().collect();
        if !missing.is_empty() {
            return Local::Need { members: missing, facts: Vec::new() };
        }
        let before = reach.len();
        for n in reach.clone() {
            for f in &known.members[&n] {
                if let Event::SharesTransferred { from, to, .. } = &f.event {
                    reach.extend([*from, *to]);
                }
            }
        }
        if reach.len() > REACH {
            return Local::Whole;
        }
        if reach.len() == before {
            break;
        }
    }
    match place_known(now, index, known, &reach, date, command, ctx) {
        Ok(local) => local,
        Err(e) => Local::Refused(e),
    }
}

/// The facts of the members reached, once each, grouped by command, in timeline order.
fn commands_of<'k>(known: &'k Known, reach: &BTreeSet<MemberNo>) -> Vec<Vec<&'k Fact>> {
    let mut facts: Vec<&Fact> = reach.iter().flat_map(|n| known.members[n].iter()).collect();
    facts.sort_by_key(|f| f.key());
    facts.dedup_by_key(|f| f.seq);
    let mut groups: Vec<Vec<&Fact>> = Vec::new();
    for f in facts {
        match groups.last_mut() {
            Some(g) if g[0].command_id == f.command_id && g[0].date == f.date => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    groups
}

/// Whether a command reads the shares of the members it names: decided again when they change.
fn reads_shares(command: &Command) -> bool {
    matches!(
        command,
        Command::Subscribe { .. } | Command::Pay { .. } | Command::Transfer { .. } | Command::Redeem { .. } | Command::Move { .. }
    )
}

fn place_known(
    now: &State,
    index: &Index,
    known: &Known,
    reach: &BTreeSet<MemberNo>,
    date: NaiveDate,
    command: &Command,
    ctx: &Context,
) -> Result<Local, Unplaced> {
    let groups = commands_of(known, reach);
    let later_group = groups.partition_point(|g| g[0].date <= date);
    // The partial state as of `date`: the statutes then in force, the members reached, and the
    // capital totals after the last movement on or before it.
    let mut at = State { founded_on: now.founded_on, ..State::default() };
    if let Some((d, _, s)) = index.statutes.iter().rev().find(|(d, _, _)| *d <= date) {
        at.statutes = Some(s.clone());
        at.statutes_since = Some(*d);
    }
    for g in &groups[..later_group] {
        fold(&mut at, g.iter().copied())?;
    }
    let split = index.steps.partition_point(|s| s.date <= date);
    let old_after = |k: usize| if k == 0 { CapitalTotals::default() } else { index.steps[k - 1].after };
    at.capital = old_after(split);
    let events = decide_at(now, &at, date, command, ctx)?;
    for e in &events {
        at.apply(date, e).map_err(|reason| Unplaced::Inconsistent { seq: 0, reason })?;
    }
    let step_after = at.capital;
    let change = format!("{} on that date", what(&events));

    // Every later movement of capital and every later command of the members reached, in
    // timeline order; a command that is both is decided as the members' (its totals included).
    let statutes = at.statutes.clone();
    let mut cur = at.capital;
    let mut series = Vec::with_capacity(index.steps.len() - split);
    let mut g = later_group;
    let mut k = split;
    while g < groups.len() || k < index.steps.len() {
        let group_key = groups.get(g).map(|grp| grp[0].key());
        let step_key = index.steps.get(k).map(Step::key);
        if let Some(gk) = group_key.filter(|gk| step_key.is_none_or(|sk| *gk <= sk)) {
            let group = &groups[g];
            let is_step = step_key == Some(gk);
            let first = group[0];
            let evs: Vec<Event> = group.iter().map(|f| f.event.clone()).collect();
            at.capital = cur;
            let redo = inverse::redo(&evs, first.date);
            let decided = redo.as_ref().is_some_and(|r| reads_shares(&r.command));
            if let Some(r) = redo.as_ref().filter(|_| decided) {
                match redecide(&at, first.date, &r.command, &r.ctx) {
                    Err(refusal) => return Err(breach(&change, first, refusal.rule, format!("be refused: {}", refusal.message))),
                    Ok(again) => {
                        if let Some((was, now)) = differs(&evs, &again) {
                            let why = format!("read differently: '{}' instead of '{}'", now.describe(), was.describe());
                            return Err(breach(&change, first, crate::decide::Rule::BreaksLaterFact, why));
                        }
                    }
                }
            }
            fold(&mut at, group.iter().copied())?;
            if is_step {
                if !decided {
                    let statutes = statutes.as_ref().ok_or_else(|| no_statutes(first.seq))?;
                    check(statutes, &index.steps[k], cur, at.capital)
                        .map_err(|r| breach(&change, first, r.rule, format!("be refused: {}", r.message)))?;
                }
                cur = at.capital;
                series.push(cur);
                k += 1;
            }
            g += 1;
        } else {
            let step = &index.steps[k];
            let before = cur;
            let old_before = old_after(k);
            cur.subscribed.0 += step.after.subscribed.0 - old_before.subscribed.0;
            cur.paid.0 += step.after.paid.0 - old_before.paid.0;
            cur.public_subscribed.0 += step.after.public_subscribed.0 - old_before.public_subscribed.0;
            cur.highest = cur.highest.max(cur.subscribed);
            let statutes = statutes.as_ref().ok_or_else(|| no_statutes(step.first))?;
            if let Err(r) = check(statutes, step, before, cur) {
                // The first breach decides: its fact is read to name it.
                return match known.facts.get(&step.first) {
                    Some(first) => Err(breach(&change, first, r.rule, format!("be refused: {}", r.message))),
                    None => Ok(Local::Need { members: Vec::new(), facts: vec![step.first] }),
                };
            }
            series.push(cur);
            k += 1;
        }
    }

    // The current state: the members reached as the whole history now makes them, the totals
    // after the last movement, and the share counts of their classes.
    let mut classes: BTreeMap<String, ClassCount> = BTreeMap::new();
    let mut members = Vec::new();
    for n in reach {
        let (old, new) = (now.members.get(n), at.members.get(n));
        for (lots, sign) in [(old.map(|m| &m.lots), -1i64), (new.map(|m| &m.lots), 1)] {
            for lot in lots.into_iter().flatten() {
                let c = classes
                    .entry(lot.class.to_string())
                    .or_insert_with(|| now.by_class.get(lot.class.as_str()).copied().unwrap_or_default());
                c.shares = c.shares.wrapping_add_signed(sign * lot.count as i64);
                c.subscribed.0 += sign * lot.subscribed().0;
            }
        }
        members.extend(new.cloned());
    }
    Ok(Local::Placed(Patch { events, since: date, members, capital: cur, classes, step_after, series }))
}

/// The capital rules of `step` on the totals `before` it, its effect being `after - before`.
fn check(statutes: &Statutes, step: &Step, before: CapitalTotals, after: CapitalTotals) -> Result<(), crate::decide::Refusal> {
    let public_delta = after.public_subscribed.0 - before.public_subscribed.0;
    let total_delta = after.subscribed.0 - before.subscribed.0;
    match step.check {
        Check::None => Ok(()),
        Check::PublicCap => capital_rules(statutes, before, public_delta, total_delta, None),
        Check::Redemption { member, count } => capital_rules(statutes, before, public_delta, total_delta, Some((member, count))),
    }
}

fn no_statutes(seq: u64) -> Unplaced {
    Unplaced::Inconsistent { seq, reason: crate::state::Inconsistency("capital moves before any statutes".into()) }
}
