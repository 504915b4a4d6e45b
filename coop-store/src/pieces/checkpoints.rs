//! Checkpoints: the pieces of the state as the log stood after some of its events, kept in a
//! table of their own so that a query as of a date folds only the events after the last
//! checkpoint before that date, onto the few pieces they read (see `Store::state_part_as_of`).
//!
//! Only a log in date order has checkpoints: there, the state as of a date is the fold of a
//! prefix of the log, and the state after event `S` is the same whenever it is read. A
//! checkpoint at `S` holds the totals (`g`, with `S` and its hash) and every piece the events
//! since the previous checkpoint touched (`coop_core::Touched`), as it is after `S`; a piece
//! untouched since is read from an earlier checkpoint. Each value is kept under the piece's key
//! followed by `S` (8 bytes, big-endian), so that a piece as of `S` is the last of its keys not
//! after `S`. Nothing is removed from a log in date order, so no checkpoint records a removal.
//!
//! A checkpoint is written in one batch (all or none). `audit verify` checks every one against
//! the fold of the log ([`Check`]), and `audit repair` writes them again.

use super::*;
use crate::backend::{Pairs, Table, Value};

/// The key of piece `piece` in the checkpoint at event `seq`.
fn key_at(piece: &[u8], seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(piece.len() + 8);
    k.extend_from_slice(piece);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// A checkpoint key split into its piece's key and its event.
fn split(k: &[u8]) -> Result<(&[u8], u64)> {
    if k.len() < 9 {
        return Err(bad_key(k));
    }
    let (piece, seq) = k.split_at(k.len() - 8);
    Ok((piece, u64::from_be_bytes(seq.try_into().map_err(|_| bad_key(k))?)))
}

/// Writes the checkpoint at `head`: the totals, and the pieces `changes` names as they are in
/// `state` (the state after event `head.seq`). Returns the number of values written.
pub(crate) fn write(table: &dyn Table, state: &State, changes: &Changes, head: &Head) -> Result<usize> {
    let batch: crate::backend::Batch = encode_primary(state, changes, head)?
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (key_at(&k, head.seq), Some(v)))
        .collect();
    let written = batch.len();
    table.apply(batch)?;
    Ok(written)
}

/// The last checkpoint at or before event `seq`: the head it was taken at.
pub(crate) fn last_at_or_before(table: &dyn Table, seq: u64) -> Result<Option<Head>> {
    let Some((k, v)) = table.last_at_or_before(&key_at(GLOBALS, seq))? else { return Ok(None) };
    if k.len() != GLOBALS.len() + 8 || !k.starts_with(GLOBALS) {
        return Ok(None);
    }
    header(&k, &v).map(Some)
}

fn header(k: &[u8], v: &[u8]) -> Result<Head> {
    let (_, at) = split(k)?;
    let g: Globals = decode("checkpoint totals", v)?;
    if g.seq != at {
        return Err(Error::Integrity { seq: at, reason: format!("the checkpoint at event {at} says it is at event {}", g.seq) });
    }
    Ok(Head { seq: g.seq, hash: g.hash })
}

/// Every checkpoint's event, in order.
pub(crate) fn all(table: &dyn Table) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for item in table.scan_prefix(GLOBALS) {
        let (k, _) = item?;
        if k.len() == GLOBALS.len() + 8 {
            out.push(split(&k)?.1);
        }
    }
    Ok(out)
}

/// The pieces as they were at a checkpoint: a [`Source`] for [`load`].
pub(crate) struct At<'t> {
    pub(crate) table: &'t dyn Table,
    pub(crate) seq: u64,
}

impl Source for At<'_> {
    fn get(&self, piece: &[u8]) -> Result<Option<Value>> {
        let Some((k, v)) = self.table.last_at_or_before(&key_at(piece, self.seq))? else { return Ok(None) };
        Ok((k.len() == piece.len() + 8 && k.starts_with(piece) && !v.is_empty()).then_some(v))
    }

    fn scan<'s>(&'s self, tag: u8) -> Pairs<'s> {
        // A piece's values are in the order of their checkpoints: the last one not after `seq`
        // is given when the next piece begins.
        let mut values = self.table.scan_prefix(&[tag]).fuse();
        let mut pending: Option<(Vec<u8>, Value)> = None;
        let at = self.seq;
        Box::new(std::iter::from_fn(move || loop {
            let Some(item) = values.next() else {
                let (piece, v) = pending.take()?;
                return Some(Ok((Value::Owned(piece), v)));
            };
            let (k, v) = match item {
                Ok(pair) => pair,
                Err(e) => return Some(Err(e)),
            };
            let (piece, seq) = match split(&k) {
                Ok(s) => s,
                Err(e) => return Some(Err(e)),
            };
            if seq > at {
                continue;
            }
            match &mut pending {
                Some((p, value)) if p.as_slice() == piece => *value = v,
                _ => {
                    if let Some((p, value)) = pending.replace((piece.to_vec(), v)) {
                        return Some(Ok((Value::Owned(p), value)));
                    }
                }
            }
        }))
    }
}

/// Writes a checkpoint every `every` events of a fold in the log's order (an import, a repair).
pub(crate) struct Writer {
    every: u64,
    last: u64,
    changes: Changes,
}

impl Writer {
    /// A checkpoint every `every` events (never with 0).
    pub(crate) fn new(every: u64) -> Writer {
        Writer { every, last: 0, changes: Changes::default() }
    }

    /// After event `seq` (its hash `hash`), `event`, was applied to `state`.
    pub(crate) fn after(&mut self, table: &dyn Table, seq: u64, hash: &str, event: &Event, state: &State) -> Result<()> {
        if self.every == 0 {
            return Ok(());
        }
        self.changes.add(event);
        if seq - self.last >= self.every {
            write(table, state, &self.changes, &Head { seq, hash: hash.to_string() })?;
            self.last = seq;
            self.changes = Changes::default();
        }
        Ok(())
    }
}

/// Checks the checkpoints against a fold of the log in its order: at each one, every piece the
/// events since the one before touched must be kept there as the fold has it, and nothing else
/// may be kept.
pub(crate) struct Check<'t> {
    table: &'t dyn Table,
    at: Vec<u64>,
    next: usize,
    changes: Changes,
    expected: u64,
    problem: Option<String>,
}

impl<'t> Check<'t> {
    pub(crate) fn new(table: &'t dyn Table) -> Result<Check<'t>> {
        Ok(Check { table, at: all(table)?, next: 0, changes: Changes::default(), expected: 0, problem: None })
    }

    /// After event `seq` (its hash `hash`), `event`, was applied to `state`.
    pub(crate) fn after(&mut self, seq: u64, hash: &str, event: &Event, state: &State) -> Result<()> {
        if self.at.is_empty() || self.problem.is_some() {
            return Ok(());
        }
        self.changes.add(event);
        if self.at.get(self.next) != Some(&seq) {
            return Ok(());
        }
        self.next += 1;
        let head = &Head { seq, hash: hash.to_string() };
        let at = At { table: self.table, seq: head.seq };
        for (piece, value) in encode_primary(state, &std::mem::take(&mut self.changes), head)? {
            let kept = if value.is_empty() { at.get(&piece)? } else { self.table.get(&key_at(&piece, head.seq))? };
            if !value.is_empty() {
                self.expected += 1;
            }
            if kept.as_deref().unwrap_or_default() != value.as_slice() {
                self.problem = Some(format!("the checkpoint at event {} does not hold {} as the log has it", head.seq, describe(&piece)));
                return Ok(());
            }
        }
        Ok(())
    }

    /// What is wrong with the checkpoints, if anything, once the whole log was folded.
    pub(crate) fn finish(self) -> Result<Option<String>> {
        if self.problem.is_some() {
            return Ok(self.problem);
        }
        if let Some(seq) = self.at.get(self.next) {
            return Ok(Some(format!("a checkpoint is kept at event {seq}, which the fold of the log never reached in order")));
        }
        let kept = self.table.range_from(&[]).count() as u64;
        if kept != self.expected {
            return Ok(Some(format!("the checkpoints hold {kept} values where the fold of the log gives {}", self.expected)));
        }
        Ok(None)
    }
}

/// A piece's key, said for a person.
fn describe(piece: &[u8]) -> String {
    match piece.split_first() {
        Some((&MEMBER, n)) => match <[u8; 4]>::try_from(n) {
            Ok(b) => format!("member {}", u32::from_be_bytes(b)),
            Err(_) => "a member".into(),
        },
        Some((&ASSEMBLY, slug)) => format!("assembly {}", String::from_utf8_lossy(slug)),
        Some((&PROJECT, slug)) => format!("project {}", String::from_utf8_lossy(slug)),
        Some((&BODY, slug)) => format!("body {}", String::from_utf8_lossy(slug)),
        Some((&PARTNER, _)) => "a partner".into(),
        _ if piece == STATUTES => "the statutes".into(),
        _ => "the totals".into(),
    }
}
