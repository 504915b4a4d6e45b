//! Reading the log: records by sequence number from their runs, walks with every record's place
//! and link checked, folds in log or timeline order, and the acknowledged events.

use chrono::NaiveDate;
use coop_core::timeline::{self, Fact};
use coop_core::State;
use serde::Deserialize;

use super::*;
use crate::record::{self, Envelope, RecordError, GENESIS_HASH};
use crate::runs::{self, key, seq_of, Tail};

impl Store {
    /// The records of a run as stored under `first`: a plain run as it is, a sealed pack
    /// decompressed, read first from the packs file when the log holds a pointer to it. Damage
    /// is an integrity failure at that run.
    pub(super) fn opened<'r>(&self, first: u64, run: &'r [u8]) -> Result<std::borrow::Cow<'r, [u8]>> {
        runs::open_stored(run, |pointer| self.backend.read_pack(pointer))
            .map_err(|e| integrity(first, format!("the run of events from {first} is damaged: {e}")))
    }

    /// The runs of the log after its last pack, as stored.
    pub(super) fn read_tail(&self, head: &Head) -> Result<Tail> {
        let sealed = match self.meta().get(K_SEALED)? {
            Some(v) => seq_of(&v),
            None => head.seq + 1,
        };
        let mut tail = Tail::default();
        for item in self.log().range_from(&key(sealed)) {
            let (k, run) = item?;
            let first = seq_of(&k);
            tail.keys.push(first);
            tail.records.extend(runs::split(first, &self.opened(first, &run)?).map(|(s, r)| (s, r.to_vec())));
        }
        Ok(tail)
    }

    pub(super) fn hash_at(&self, seq: u64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(GENESIS_HASH.into()));
        }
        let Some(bytes) = self.record_at(seq)? else { return Ok(None) };
        #[derive(Deserialize)]
        struct HashOnly<'a> {
            hash: &'a str,
        }
        Ok(serde_json::from_slice::<HashOnly>(&bytes).ok().map(|h| h.hash.to_string()))
    }

    /// The run of records holding `seq`: the sequence number of its first record and its bytes.
    pub(super) fn run_of(&self, seq: u64) -> Result<Option<(u64, backend::Value)>> {
        Ok(self.log().last_at_or_before(&key(seq))?.map(|(k, v)| (seq_of(&k), v)))
    }

    /// The record `seq` as stored, if it is.
    pub(super) fn record_at(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        let Some((first, run)) = self.run_of(seq)? else { return Ok(None) };
        let records = self.opened(first, &run)?;
        let found = runs::split(first, &records).find(|(s, _)| *s == seq).map(|(_, r)| r.to_vec());
        Ok(found)
    }

    /// Calls `f` on each stored record from `from` to `to`, in order, with the sequence number
    /// its place gives it. Returns the sequence number after the last one visited (so
    /// `to + 1` when all were there). A run out of place is an integrity failure.
    ///
    /// A reader in another thread may scan while the writer seals runs into a pack: sled's range
    /// scans are not isolated from the transaction that removes the runs and writes the pack
    /// under an earlier key, so a scan can see the runs gone and not the pack. A gap is therefore
    /// looked up again from the record expected (a few times) before it is called missing; a
    /// record really missing is still reported, and `f` never sees a record twice.
    pub(super) fn walk(&self, from: u64, to: u64, mut f: impl FnMut(u64, &[u8]) -> Result<()>) -> Result<u64> {
        let from = from.max(1);
        let mut expected = from;
        if from > to {
            return Ok(expected);
        }
        let mut retries = 0;
        'scan: loop {
            let start = self.run_of(expected)?.map_or(expected, |(k, _)| k);
            let mut at_start = true;
            for item in self.log().range_from(&key(start)) {
                let (k, run) = item?;
                let first = seq_of(&k);
                // Only the run the scan starts in may begin before the record expected.
                if first < expected && !at_start {
                    return Err(integrity(expected, format!("event {expected} is missing (the next stored run starts at {first})")));
                }
                at_start = false;
                if first > expected {
                    if retries < 5 {
                        retries += 1;
                        std::thread::yield_now();
                        continue 'scan;
                    }
                    return Err(integrity(expected, format!("event {expected} is missing (the next stored run starts at {first})")));
                }
                for (s, r) in runs::split(first, &self.opened(first, &run)?) {
                    if s < expected {
                        continue;
                    }
                    if s > to {
                        return Ok(expected);
                    }
                    f(s, r)?;
                    expected = s + 1;
                }
            }
            return Ok(expected);
        }
    }

    /// Opens the records `from..=to` in order (with `until`, only those dated on or before it)
    /// and gives each to `f`, checking every record's place and link from `prev`, the hash before
    /// `from`. The records given are hashed and decoded; those dated after `until` are skipped
    /// without (`audit verify` checks them).
    pub(super) fn each_record(
        &self,
        from: u64,
        to: u64,
        prev: &str,
        until: Option<NaiveDate>,
        mut f: impl FnMut(Envelope) -> Result<()>,
    ) -> Result<()> {
        let mut prev = prev.to_string();
        let next = self.walk(from, to, |seq, bytes| {
            let bad = |e: RecordError| unreadable(seq, e);
            if let Some(date) = until {
                let (hash, effective) = record::dated(bytes, seq, &prev).map_err(bad)?;
                if effective > date {
                    prev = hash;
                    return Ok(());
                }
            }
            let env = record::open(bytes, seq, &prev).map_err(bad)?;
            self.report("replay", seq, to);
            prev = env.hash.clone();
            f(env)
        })?;
        if next <= to {
            return Err(integrity(next, "the event is missing from the log"));
        }
        Ok(())
    }

    /// Applies the events `from..=to` to `state` in the log's order (with `until`, only those
    /// dated on or before it); see [`Store::each_record`].
    pub(super) fn fold(&self, from: u64, to: u64, prev: &str, until: Option<NaiveDate>, state: &mut State) -> Result<()> {
        self.each_record(from, to, prev, until, |env| apply(state, env.seq, env.effective, &env.event))
    }

    /// The fold of the events `1..=to` (with `until`, only those dated on or before it) in
    /// timeline order: by effective date, then as recorded (see `coop_core::timeline`). A log
    /// known to be in date order is folded as it is read; another is read twice (what breaks its
    /// order, then the rest merged with it: see [`Merge`]), never held whole. As known at `to`,
    /// a command voided by then never happened, whatever the void's date.
    pub(super) fn fold_timeline(&self, to: u64, until: Option<NaiveDate>) -> Result<State> {
        let mut state = State::default();
        if self.meta().get(K_ORDERED)?.is_some() {
            // In date order, the events dated on or before `until` are a prefix of the log: the
            // rest is not read.
            let to = match until {
                Some(date) => self.last_dated(to, date)?,
                None => to,
            };
            self.fold(1, to, GENESIS_HASH, until, &mut state)?;
            return Ok(state);
        }
        // Read twice instead of held whole: first what breaks the date order (and the voids),
        // then every record in the log's order (those dated after `until` skipped), merged with
        // those.
        self.fold_merged(to, until, self.disorder(to, until)?)
    }

    /// The events `1..=to` (with `until`, those dated on or before it) folded in the timeline's
    /// order, read in the log's order and merged with `disorder`, what breaks that order in them.
    pub(super) fn fold_merged(&self, to: u64, until: Option<NaiveDate>, disorder: Disorder) -> Result<State> {
        let mut merge = Merge::new(disorder);
        self.each_record(1, to, GENESIS_HASH, until, |env| merge.take(env.seq, env.effective, &env.command_id, &env.event, &env.hash))?;
        merge.finish()
    }

    /// Each fact of `1..=to` that counts (a voided command's left out) in the timeline's order,
    /// read in the log's order (merged with what breaks it, read first): never all held at once.
    pub(super) fn each_fact(&self, to: u64, mut f: impl FnMut(Fact) -> Result<()>) -> Result<()> {
        // A log in date order holds no void, and nothing that breaks its order.
        let disorder = if self.meta().get(K_ORDERED)?.is_some() { Disorder::default() } else { self.disorder(to, None)? };
        let mut merging = Merging::new(disorder);
        let mut out = |seq, date, command_id: &str, event: &coop_core::Event| {
            f(Fact { seq, date, command_id: command_id.to_string(), event: event.clone() })
        };
        self.each_record(1, to, GENESIS_HASH, None, |env| {
            merging.take(env.seq, env.effective, &env.command_id, &env.event, &env.hash, &mut out)
        })?;
        merging.finish(&mut out)
    }

    /// What folding the events `1..=to` (with `until`, those dated on or before it) in the
    /// timeline's order while reading them in the log's order needs to know first: the facts
    /// dated before one recorded earlier (read whole, with their hashes), and the commands voided
    /// by any void among those events, whatever its date. Reads each record's date and event
    /// type only, checking nothing (the pass that folds checks every record).
    pub(super) fn disorder(&self, to: u64, until: Option<NaiveDate>) -> Result<Disorder> {
        let mut found = DisorderFinder { until, ..DisorderFinder::default() };
        let next = self.walk(1, to, |seq, bytes| {
            let (date, void) = record::peek(bytes).map_err(|e| unreadable(seq, e))?;
            if found.breaks_order(date, void) {
                found.take(seq, &record::open_unlinked(bytes, seq).map_err(|e| unreadable(seq, e))?);
            } else {
                found.latest = found.latest.max(Some(date));
            }
            Ok(())
        })?;
        if next <= to {
            return Err(integrity(next, "the event is missing from the log"));
        }
        Ok(found.finish())
    }

    /// In a log known to be in date order, the last of the events `1..=to` dated on or before
    /// `date` (0 if none is): a binary search, reading about twenty records.
    pub(super) fn last_dated(&self, to: u64, date: NaiveDate) -> Result<u64> {
        let (mut lo, mut hi) = (0, to);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            let bytes = self.record_at(mid)?.ok_or_else(|| integrity(mid, "the event is missing from the log"))?;
            if record::effective_of(&bytes).map_err(|e| unreadable(mid, e))? <= date {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(lo)
    }

    /// The facts of the log up to event `to` (as known then: a void recorded later does not
    /// apply), dated up to `until`, in the timeline's order, voided ones left out.
    pub fn timeline(&self, to: u64, until: Option<NaiveDate>) -> Result<Vec<Fact>> {
        self.facts(to.min(self.head().seq), until)
    }

    pub(super) fn facts(&self, to: u64, until: Option<NaiveDate>) -> Result<Vec<Fact>> {
        let mut facts = Vec::new();
        self.each_record(1, to, GENESIS_HASH, until, |env| {
            facts.push(Fact { seq: env.seq, date: env.effective, command_id: env.command_id, event: env.event });
            Ok(())
        })?;
        let mut facts = in_timeline_order(facts);
        if until.is_some() {
            // A void dated after `until` (recorded then, about facts before it) was not read
            // above; as known at `to` the command it voids never happened, whatever the date.
            let voided: std::collections::BTreeSet<String> =
                self.voided()?.into_iter().filter(|(_, v)| v.seq <= to).map(|(id, _)| id).collect();
            if !voided.is_empty() {
                facts.retain(|f| !voided.contains(&f.command_id));
            }
        }
        Ok(facts)
    }

    /// Up to `limit` acknowledged events from sequence number `from` (records of a write in
    /// progress are not returned: see [`Store::acknowledged`]).
    pub fn events(&self, from: u64, limit: usize) -> Result<Vec<Envelope>> {
        let from = from.max(1);
        let acked = self.feed.acked();
        if from > acked {
            return Ok(Vec::new());
        }
        self.events_unacknowledged(from, limit.min((acked + 1 - from).try_into().unwrap_or(usize::MAX)))
    }

    /// Up to `limit` events from `from`, as the log holds them (the caller knows them written).
    pub(super) fn events_unacknowledged(&self, from: u64, limit: usize) -> Result<Vec<Envelope>> {
        let mut prev = self.hash_at(from - 1)?.unwrap_or_default();
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        self.walk(from, from.saturating_add(limit as u64 - 1), |seq, bytes| {
            let env = record::open(bytes, seq, &prev).map_err(|e| unreadable(seq, e))?;
            prev = env.hash.clone();
            out.push(env);
            Ok(())
        })?;
        Ok(out)
    }
}

/// Facts read in the log's order put in the timeline's order, voided ones left out.
pub(super) fn in_timeline_order(facts: Vec<Fact>) -> Vec<Fact> {
    let mut facts = timeline::without_voided(facts);
    timeline::sort(&mut facts);
    facts
}

/// What breaks the date order of a log, read before folding it in the timeline's order (see
/// [`Store::disorder`]): the records dated before one recorded earlier, and the voids (dated
/// when recorded, they take away facts recorded before them).
#[derive(Default)]
pub(super) struct Disorder {
    /// Those facts, in the timeline's order.
    facts: Vec<Fact>,
    /// Their records' hashes, by sequence number.
    late: std::collections::HashMap<u64, String>,
    /// The commands voided.
    voided: std::collections::BTreeSet<String>,
}

/// Finds the [`Disorder`] of records read in the log's order: [`Store::disorder`] from their
/// dates and types first, `audit verify` from the records it checks.
#[derive(Default)]
pub(super) struct DisorderFinder {
    out: Disorder,
    latest: Option<NaiveDate>,
    /// Only the facts dated on or before it (every void counts).
    until: Option<NaiveDate>,
}

impl DisorderFinder {
    /// Whether a record of that date (a void or not) breaks the date order of those before it.
    fn breaks_order(&self, date: NaiveDate, void: bool) -> bool {
        void || self.latest.is_some_and(|l| date < l)
    }

    /// Takes the next record of the log.
    pub(super) fn take(&mut self, seq: u64, rec: &record::Unlinked) {
        let void = matches!(rec.event, coop_core::Event::CommandVoided { .. });
        if self.breaks_order(rec.effective, void) {
            if let coop_core::Event::CommandVoided { command_id, .. } = &rec.event {
                self.out.voided.insert(command_id.clone());
            }
            if self.until.is_none_or(|u| rec.effective <= u) {
                self.out.late.insert(seq, coop_core::digest_hex(&rec.hash));
                self.out.facts.push(Fact { seq, date: rec.effective, command_id: rec.command_id.clone(), event: rec.event.clone() });
            }
        }
        self.latest = self.latest.max(Some(rec.effective));
    }

    pub(super) fn finish(mut self) -> Disorder {
        timeline::sort(&mut self.out.facts);
        self.out
    }
}

/// The fold of a log in the timeline's order from a read in the log's order: the records that
/// keep the date order are in the timeline's order already (by date, then as recorded), so
/// merging them with the few that break it (read first, see [`Disorder`]) gives the timeline
/// without holding it; the facts of voided commands are left out, as
/// `coop_core::timeline::without_voided` does.
pub(super) struct Merge {
    order: Merging,
    state: State,
}

impl Merge {
    pub(super) fn new(disorder: Disorder) -> Merge {
        Merge { order: Merging::new(disorder), state: State::default() }
    }

    /// Takes record `seq` as the log holds it (`hash` checked against the first read when it
    /// is one of the records read first).
    pub(super) fn take(&mut self, seq: u64, date: NaiveDate, command_id: &str, event: &coop_core::Event, hash: &str) -> Result<()> {
        let state = &mut self.state;
        self.order.take(seq, date, command_id, event, hash, &mut |seq, date, _, event| apply(state, seq, date, event))
    }

    /// The state, once every record was taken.
    pub(super) fn finish(mut self) -> Result<State> {
        let state = &mut self.state;
        self.order.finish(&mut |seq, date, _, event| apply(state, seq, date, event))?;
        Ok(self.state)
    }
}

/// The facts of a log in the timeline's order from a read in the log's order (see [`Merge`]):
/// each given to a callback as (sequence number, date, command id, event), voided ones left out.
pub(super) struct Merging {
    disorder: Disorder,
    next: usize,
    /// The last record taken in the log's order: the next must come after it in the timeline.
    last: Option<(NaiveDate, u64)>,
}

/// Where [`Merging`] gives each fact.
type Out<'a> = dyn FnMut(u64, NaiveDate, &str, &coop_core::Event) -> Result<()> + 'a;

impl Merging {
    pub(super) fn new(disorder: Disorder) -> Merging {
        Merging { disorder, next: 0, last: None }
    }

    /// Takes record `seq` as the log holds it, giving `out` the facts that come before it in the
    /// timeline and then it.
    pub(super) fn take(
        &mut self,
        seq: u64,
        date: NaiveDate,
        command_id: &str,
        event: &coop_core::Event,
        hash: &str,
        out: &mut Out<'_>,
    ) -> Result<()> {
        if let Some(first) = self.disorder.late.get(&seq) {
            if first != hash {
                return Err(integrity(seq, "the event changed while the log was read"));
            }
            return Ok(());
        }
        if self.last.is_some_and(|l| l > (date, seq)) {
            // The first read took this record for one that keeps the order: it read another date.
            return Err(integrity(seq, "the event is not where the first read of the log placed it"));
        }
        self.last = Some((date, seq));
        while let Some(f) = self.disorder.facts.get(self.next).filter(|f| f.key() < (date, seq)) {
            self.give(f.seq, f.date, &f.command_id, &f.event, out)?;
            self.next += 1;
        }
        self.give(seq, date, command_id, event, out)
    }

    /// Gives `out` the facts left, once every record was taken.
    pub(super) fn finish(&mut self, out: &mut Out<'_>) -> Result<()> {
        for f in &self.disorder.facts[self.next..] {
            self.give(f.seq, f.date, &f.command_id, &f.event, out)?;
        }
        self.next = self.disorder.facts.len();
        Ok(())
    }

    /// Gives `out` a fact, unless its command is voided.
    fn give(&self, seq: u64, date: NaiveDate, command_id: &str, event: &coop_core::Event, out: &mut Out<'_>) -> Result<()> {
        if self.disorder.voided.contains(command_id) {
            return Ok(());
        }
        out(seq, date, command_id, event)
    }
}

/// Applies a fact to `state`: one that does not apply is an integrity failure at `seq`.
pub(super) fn apply(state: &mut State, seq: u64, date: NaiveDate, event: &coop_core::Event) -> Result<()> {
    state.apply(date, event).map_err(|e| integrity(seq, e.to_string()))
}
