//! Late share movements placed from the timeline's index (`coop_core::timeline::place_local`):
//! the index is built on the first one, kept beside the state at the head it is up to date at,
//! and the facts the core asks for are read from the log one by one.

use super::*;

impl Store {
    /// Places a late share movement from the timeline's index (built on first use, at the head
    /// `head`), reading from the log the facts it asks for; `None` when the command is placed on
    /// the whole timeline instead. `state` is the state at `head`: while the index is built it is
    /// let go, and the fold the build makes of every fact takes its place (the same state, by
    /// definition: a million events' state was held twice, 100 MiB at 100,000 members). On an
    /// error `state` may be left empty: the caller must not keep it.
    pub(super) fn place_local(
        &self,
        slot: &mut Option<(Head, timeline::Index)>,
        head: &Head,
        state: &mut State,
        r: &Request,
        ctx: &Context,
    ) -> Result<Option<std::result::Result<timeline::Patch, coop_core::Refusal>>> {
        if !timeline::moves_shares(&r.command) {
            return Ok(None);
        }
        if slot.as_ref().is_none_or(|(at, _)| at != head) {
            // Built from the facts as they are read, in the timeline's order: never all held.
            let unplaced = |e| match e {
                Unplaced::Inconsistent { seq, reason } => integrity(seq, reason.to_string()),
                Unplaced::Refused(r) => integrity(0, r.to_string()),
            };
            *state = State::default();
            let mut builder = timeline::IndexBuilder::default();
            self.each_fact(head.seq, |f| builder.push(f).map_err(unplaced))?;
            let (index, folded) = builder.finish_with_state().map_err(unplaced)?;
            *slot = Some((head.clone(), index));
            *state = folded;
        }
        let Some((_, index)) = slot.as_ref() else { return Ok(None) };
        let mut known = timeline::Known::default();
        loop {
            match timeline::place_local(state, index, &known, r.date, &r.command, ctx) {
                timeline::Local::Whole => return Ok(None),
                timeline::Local::Placed(patch) => return Ok(Some(Ok(patch))),
                timeline::Local::Refused(e) => return placed_or_refused(Err(e)).map(Some),
                timeline::Local::Need { members, facts } => {
                    for n in members {
                        let mut of = Vec::new();
                        for (_, seq) in index.facts_of(n) {
                            of.push(self.fact_at(*seq)?);
                        }
                        known.members.insert(n, of);
                    }
                    for seq in facts {
                        known.facts.insert(seq, self.fact_at(seq)?);
                    }
                }
            }
        }
    }

    /// How many movements of capital the timeline's index holds, if it is built and up to date
    /// (for tests: late share movements are placed from it).
    #[doc(hidden)]
    pub fn index_steps(&self) -> Option<usize> {
        let inner = self.lock_checked().ok()?;
        inner.index.as_ref().filter(|(at, _)| *at == inner.head).map(|(_, i)| i.steps())
    }

    /// The recorded fact `seq`, read alone (its own hash and place checked).
    pub(super) fn fact_at(&self, seq: u64) -> Result<Fact> {
        let bytes = self.record_at(seq)?.ok_or_else(|| integrity(seq, "the event is missing from the log"))?;
        let env = record::open_alone(&bytes, seq).map_err(|e| super::unreadable(seq, e))?;
        Ok(Fact { seq, date: env.effective, command_id: env.command_id, event: env.event })
    }
}

/// Whether the index kept is at `old`, so that [`follow`] carries it past the commands written
/// after it (and needs their events).
pub(super) fn follows(index: &Option<(Head, timeline::Index)>, old: &Head) -> bool {
    matches!(index, Some((at, _)) if at == old)
}

/// The timeline's index after a write from head `old` to `new_head`: carried forward with each
/// command (`record`, `patch`), or dropped (to be built again) after a command placed on the whole
/// timeline, or when it was not up to date at `old`.
pub(super) fn follow(
    index: Option<(Head, timeline::Index)>,
    old: &Head,
    new_head: &Head,
    planned: &[Planned],
    requests: &[Request],
) -> Option<(Head, timeline::Index)> {
    if !follows(&index, old) {
        return None;
    }
    let (_, mut index) = index?;
    let mut kept = true;
    for p in planned {
        let date = requests[p.index].date;
        let facts: Vec<Fact> =
            p.events.iter().zip(p.first..).map(|(e, seq)| Fact { seq, date, command_id: p.id.clone(), event: e.clone() }).collect();
        match &p.update {
            IndexUpdate::Record(after) => index.record(&facts, *after),
            IndexUpdate::Patch(patch) => index.patch(patch, &facts),
            IndexUpdate::Rebuild => kept = false,
        }
    }
    kept.then(|| (new_head.clone(), index))
}

/// How a command was decided: on the current state, on the whole timeline (the new state), or
/// from the timeline's index (a patch to the current state).
pub(super) enum Placement {
    Current,
    Whole(Box<State>),
    Patched(timeline::Patch),
}

/// How the timeline's index takes in a recorded command.
pub(super) enum IndexUpdate {
    /// Dated on or after every fact: added, with the capital totals after it.
    Record(coop_core::CapitalTotals),
    /// Placed from the index.
    Patch(Box<timeline::Patch>),
    /// Placed on the whole timeline (or a void): built anew when next needed.
    Rebuild,
}
