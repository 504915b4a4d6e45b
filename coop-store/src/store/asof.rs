//! Queries as of a date, and the checkpoints that spare them folding the log from its start
//! (see `pieces::checkpoints`).

use chrono::NaiveDate;
use coop_core::{Reads, State};

use super::*;
use crate::pieces::checkpoints::{self, At, Blocks};

impl Store {
    /// The parts of the state as of the end of `date` that `part` asks for (the statutes and
    /// totals always): what [`Store::state_as_of`] gives, with only those members, assemblies
    /// and projects (see [`Part::keep`]).
    ///
    /// On a log in date order, the fold starts from the last checkpoint before `date` (the
    /// pieces as of some event, kept every [`Options::checkpoint_every`] events) and reads only
    /// the events after it, onto the pieces they read; else the log is folded from its start.
    pub fn state_part_as_of(&self, part: &Part, date: NaiveDate) -> Result<State> {
        self.part_folded(part, self.head().seq, Some(date))
    }

    /// [`Store::state_known_at`] for the parts `part` asks for (see [`Store::state_part_as_of`]).
    pub fn state_part_known_at(&self, part: &Part, seq: u64, as_of: Option<NaiveDate>) -> Result<State> {
        self.part_folded(part, seq.min(self.head().seq), as_of)
    }

    fn part_folded(&self, part: &Part, to: u64, until: Option<NaiveDate>) -> Result<State> {
        if self.meta().get(K_ORDERED)?.is_some() {
            let last = match until {
                Some(date) => self.last_dated(to, date)?,
                None => to,
            };
            if let Some(from) = checkpoints::last_at_or_before(self.checkpoints(), last)? {
                if let Some(state) = self.folded_from(&from, last, part)? {
                    return Ok(state);
                }
            }
        }
        Ok(part.keep(self.fold_timeline(to, until)?))
    }

    /// The fold of events `from.seq + 1 ..= to` onto the pieces as of checkpoint `from` that
    /// they and `part` read, kept to `part`; `None` if the checkpoint went meanwhile (the log
    /// left date order).
    fn folded_from(&self, from: &Head, to: u64, part: &Part) -> Result<Option<State>> {
        let mut events = Vec::new();
        self.each_record(from.seq + 1, to, &from.hash, None, |env| {
            events.push((env.seq, env.effective, env.event));
            Ok(())
        })?;
        let reads: Vec<Reads> = events.iter().map(|(_, _, e)| Reads::by(e)).collect();
        let at = At::new(self.checkpoints(), &**self, from.seq);
        if checkpoints::last_at_or_before(self.checkpoints(), from.seq)?.as_ref() != Some(from) {
            return Ok(None);
        }
        let mut state = pieces::load(&at, &part.with(&reads))?;
        for (seq, date, event) in &events {
            state.apply(*date, event).map_err(|e| integrity(*seq, e.to_string()))?;
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
        let last = checkpoints::last_at_or_before(self.checkpoints(), head.seq)?;
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
