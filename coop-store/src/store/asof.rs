//! Queries as of a date, and the checkpoints that spare them folding the log from its start
//! (see `pieces::checkpoints`).

use chrono::NaiveDate;
use coop_core::timeline::Fact;
use coop_core::{Reads, State};

use super::*;
use crate::pieces::checkpoints::{self, At, Blocks};

impl Store {
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

    fn part_folded(&self, part: &Part, to: u64, until: Option<NaiveDate>) -> Result<State> {
        let prefix = match self.meta().get(K_ORDERED_UNTIL)? {
            _ if self.meta().get(K_ORDERED)?.is_some() => Some(to),
            Some(v) => Some(runs::seq_of(&v)),
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
        // After the prefix: facts entered late, voids, and whatever came after them.
        let mut after = Vec::new();
        if prefix < to {
            let hash = self.hash_at(prefix)?.ok_or_else(|| integrity(prefix, "the event is missing from the log"))?;
            self.each_record(prefix + 1, to, &hash, None, |env| {
                after.push(Fact { seq: env.seq, date: env.effective, command_id: env.command_id, event: env.event });
                Ok(())
            })?;
        }
        let voided: std::collections::BTreeSet<String> = after
            .iter()
            .filter_map(|f| match &f.event {
                coop_core::Event::CommandVoided { command_id, .. } => Some(command_id.clone()),
                _ => None,
            })
            .collect();
        after.retain(|f| !voided.contains(&f.command_id) && until.is_none_or(|d| f.date <= d));
        // The checkpoint must come before the earliest of those facts and before any fact voided.
        let earliest = after.iter().map(|f| f.date).min();
        let mut first_voided = u64::MAX;
        for id in &voided {
            if let Some(entry) = self.command_entry(id)? {
                first_voided = first_voided.min(entry.first);
            }
        }
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
            state.apply(f.date, &f.event).map_err(|e| integrity(f.seq, e.to_string()))?;
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
                let mut changes = pieces::Changes::default();
                self.each_record(l.seq + 1, head.seq, &l.hash, None, |env| {
                    changes.add(&env.event);
                    Ok(())
                })?;
                changes
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
