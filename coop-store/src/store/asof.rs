//! Queries as of a date, and the checkpoints that spare them folding the log from its start
//! (see `pieces::checkpoints`).

use chrono::NaiveDate;
use coop_core::timeline::Fact;
use coop_core::{Reads, State};

use super::*;
use crate::pieces::checkpoints::{self, At, Blocks};

/// How much of a log is in date order (see [`Store::date_order`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DateOrder {
    /// All of it.
    All,
    /// Its events up to this one; a fact entered late or a void came after.
    Until(u64),
}

impl Store {
    /// The state as of the end of `date` (effective dates): a fold of the events dated on or
    /// before it, in the order of their dates (then as recorded).
    ///
    /// Every record's place and link are checked; the records dated after `date` are skipped
    /// without hashing their body or decoding their event (`audit verify` checks those).
    pub fn state_as_of(&self, date: NaiveDate) -> Result<State> {
        self.fold_timeline(self.head().seq, Some(date))
    }

    /// The state as the log stood after event `seq` (as known then), and with `as_of`, as of the
    /// end of that date: what a query answered at that point of the log.
    pub fn state_known_at(&self, seq: u64, as_of: Option<NaiveDate>) -> Result<State> {
        self.fold_timeline(seq.min(self.head().seq), as_of)
    }

    /// The state as known after the first `seq` events (folded in the order of their dates).
    pub fn state_at_seq(&self, seq: u64) -> Result<State> {
        self.fold_timeline(seq.min(self.head().seq), None)
    }

    /// The parts of the state as of the end of `date` that `part` asks for (the statutes and
    /// totals always): what [`Store::state_as_of`] gives, with only those members, assemblies
    /// and projects (see [`Part::keep`]).
    ///
    /// While the log is in date order, the fold starts from the last checkpoint before `date`
    /// (the pieces as of some event, kept every [`Options::checkpoint_every`] events) and reads
    /// only the events after it, onto the pieces they read. Once facts were entered late, it
    /// also reads every fact recorded since the log left date order, and starts from a
    /// checkpoint dated no later than the earliest of those it counts (and before any command
    /// voided). A store with no such checkpoint folds the log from its start.
    pub fn state_part_as_of(&self, part: &Part, date: NaiveDate) -> Result<State> {
        self.part_folded(part, self.head().seq, Some(date))
    }

    /// [`Store::state_known_at`] for the parts `part` asks for (see [`Store::state_part_as_of`]).
    pub fn state_part_known_at(&self, part: &Part, seq: u64, as_of: Option<NaiveDate>) -> Result<State> {
        self.part_folded(part, seq.min(self.head().seq), as_of)
    }

    /// How much of the log is known to be in date order (`coop_core::timeline::keeps_date_order`),
    /// as the store marks it: all of it, its events up to one, or none known (a store written
    /// before the marks).
    pub(super) fn date_order(&self) -> Result<Option<DateOrder>> {
        if self.meta().get(K_ORDERED)?.is_some() {
            return Ok(Some(DateOrder::All));
        }
        Ok(self.meta().get(K_ORDERED_UNTIL)?.map(|v| DateOrder::Until(runs::seq_of(&v))))
    }

    fn part_folded(&self, part: &Part, to: u64, until: Option<NaiveDate>) -> Result<State> {
        let prefix = match self.date_order()? {
            Some(DateOrder::All) => Some(to),
            Some(DateOrder::Until(p)) => Some(p),
            None => None,
        };
        if let Some(prefix) = prefix {
            if let Some(state) = self.folded_from_checkpoint(part, to, until, prefix)? {
                return Ok(state);
            }
        }
        Ok(part.keep(self.fold_timeline(to, until)?))
    }

    /// The state as of `until` as known at `to`, from a checkpoint, when the log is in date
    /// order (and holds no void) up to event `prefix`: the events after the checkpoint in that
    /// prefix dated up to `until` (found by a binary search), and every event after the prefix
    /// dated up to it, in timeline order, onto the pieces they and `part` read as of the
    /// checkpoint. The checkpoint must precede every such event in the timeline (dated on or
    /// before the first of them) and every command voided since. `None` if none does.
    fn folded_from_checkpoint(&self, part: &Part, to: u64, until: Option<NaiveDate>, prefix: u64) -> Result<Option<State>> {
        let prefix = prefix.min(to);
        let last = match until {
            Some(date) => self.last_dated(prefix, date)?,
            None => prefix,
        };
        if checkpoints::last_at_or_before(self.checkpoints(), last)?.is_none() {
            // None to start from: the caller folds the whole log, which it would read twice.
            return Ok(None);
        }
        // After the prefix: facts entered late, voids, and whatever came after them.
        let mut after = Vec::new();
        if prefix < to {
            let hash = self.hash_at(prefix)?.ok_or_else(|| integrity(prefix, "the event is missing from the log"))?;
            self.each_record(prefix + 1, to, &hash, None, |env| {
                after.push(Fact { seq: env.seq, date: env.effective, command_id: env.command_id, event: env.event });
                Ok(())
            })?;
        }
        // The voids since: the commands they void (each names its first event).
        let mut voided = std::collections::BTreeSet::new();
        let mut first_voided = u64::MAX;
        for f in &after {
            if let coop_core::Event::CommandVoided { command_id, first, .. } = &f.event {
                voided.insert(command_id.clone());
                first_voided = first_voided.min(*first);
            }
        }
        after.retain(|f| !voided.contains(&f.command_id) && until.is_none_or(|d| f.date <= d));
        // The checkpoint must come before the earliest of those facts and before any fact voided.
        let earliest = after.iter().map(|f| f.date).min();
        let mut below = last.min(first_voided.saturating_sub(1));
        let from = loop {
            match checkpoints::last_at_or_before(self.checkpoints(), below)? {
                None => return Ok(None),
                Some(mark) if earliest.is_none_or(|e| mark.latest.is_none_or(|l| l <= e)) => break mark.head,
                Some(mark) if mark.head.seq == 0 => return Ok(None),
                Some(mark) => below = mark.head.seq - 1,
            }
        };
        let mut facts = Vec::new();
        self.each_record(from.seq + 1, last, &from.hash, None, |env| {
            facts.push(Fact { seq: env.seq, date: env.effective, command_id: env.command_id, event: env.event });
            Ok(())
        })?;
        facts.retain(|f| !voided.contains(&f.command_id));
        facts.extend(after);
        // The prefix's facts are in date order; those after it go where their dates put them.
        facts.sort_by_key(|f| (f.date, f.seq));
        let reads: Vec<Reads> = facts.iter().map(|f| Reads::by(&f.event)).collect();
        if checkpoints::last_at_or_before(self.checkpoints(), from.seq)?.map(|m| m.head).as_ref() != Some(&from) {
            // The checkpoints went meanwhile (a repair).
            return Ok(None);
        }
        let at = At::new(self.checkpoints(), &**self, from.seq);
        let mut state = pieces::load(&at, &part.with(&reads))?;
        for f in &facts {
            super::log::apply(&mut state, f.seq, f.date, &f.event)?;
        }
        Ok(Some(part.keep(state)))
    }

    /// After a write that took the log to `head` with `state` the state there: writes a
    /// checkpoint if the log is in date order and the last one is `checkpoint_every` events
    /// back or more. Its pieces are those the events since the last one touched (read again
    /// from the log), or every piece for the first.
    pub(super) fn checkpoint_if_due(&self, state: &State, head: &Head) -> Result<()> {
        if self.checkpoint_every == 0 || head.seq < self.checkpoint_every || self.meta().get(K_ORDERED)?.is_none() {
            return Ok(());
        }
        let last = checkpoints::last_at_or_before(self.checkpoints(), head.seq)?.map(|m| m.head);
        let changes = match &last {
            Some(l) if head.seq - l.seq < self.checkpoint_every => return Ok(()),
            Some(l) => {
                let mut since = checkpoints::Since::default();
                self.each_record(l.seq + 1, head.seq, &l.hash, None, |env| {
                    since.add(&env.event);
                    Ok(())
                })?;
                since.take()
            }
            None => pieces::Changes::everything(state),
        };
        checkpoints::write(self.checkpoints(), &**self, state, &changes, head)?;
        Ok(())
    }

    /// A writer of checkpoints for a fold of the whole log in its order (an import, a repair).
    pub(super) fn checkpoint_writer(&self) -> checkpoints::Writer {
        checkpoints::Writer::new(self.checkpoint_every)
    }
}

/// The members' blocks of checkpoints are kept where the log's sealed packs are.
impl Blocks for Core {
    fn put(&self, sealed: Vec<u8>) -> Result<Vec<u8>> {
        let mut kept = self.backend.put_packs(vec![(Vec::new(), Some(sealed))])?;
        // In the file before the checkpoint that points to it.
        if self.fsync {
            self.backend.sync_packs()?;
        }
        kept.pop().and_then(|(_, v)| v).ok_or_else(|| integrity(0, "a block of members was not kept"))
    }

    fn get(&self, kept: &[u8]) -> Result<Vec<u8>> {
        runs::open_stored(kept, |pointer| self.backend.read_pack(pointer))
            .map(std::borrow::Cow::into_owned)
            .map_err(|e| integrity(0, format!("a checkpoint's block of members is damaged: {e}")))
    }
}
