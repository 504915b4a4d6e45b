//! Running commands: deciding each on the state at the head (or on the timeline, for a fact
//! entered late), sealing the records, and writing them with what they change, the head last
//! (sled) or in one transaction under the cooperative's lock (PostgreSQL).

use chrono::Utc;
use coop_core::timeline::{self, Fact, Unplaced};
use coop_core::{decide, Command, Context, Event, MemberNo, PartyId};
use ulid::Ulid;

use super::late::{self, IndexUpdate, Placement};
use super::retry::{batch_ids_prefix, batch_key, fingerprint_bytes, fingerprint_text, CommandEntry, BATCH_INDEX_MIN};
use super::*;
use crate::backend::Transaction;
use crate::pieces::{self, Changes};
use crate::runs::{self, key, PACK_BYTES};

/// How many personal entries a batch must hold for them to be written on a second thread while
/// its records are sealed (see `decide_and_write`); fewer are written first, on its own thread.
const PERSONAL_ASIDE_MIN: usize = 256;

impl Store {
    /// Decides a command as [`Store::execute`] would, and writes nothing: what it would record,
    /// or why it would be refused. For a caller that must do something first only if the
    /// command will be accepted (write the convocations it records as sent).
    pub fn check(&self, request: &Request) -> Result<Vec<Event>> {
        self.refuse_if_damaged()?;
        let mut inner = self.lock_checked()?;
        let state = self.loaded(&mut inner)?;
        let fresh = Ulid::new();
        let resolved = self.pseudonymize(state, request, fresh, &Default::default())?;
        let request = &resolved;
        let ctx = Context {
            today: request.today,
            fresh_id: fresh,
            salt: fresh_salt(),
            actor: request.actor.clone(),
            number: None,
            signer: request.key.as_ref().map(|k| k.public_hex()),
        };
        if timeline::on_current_state(state, request.date, &request.command) {
            let decided = decide(state, request.date, &request.command, &ctx);
            return match decided {
                Ok(events) => Ok(events),
                Err(r) => Err(Error::Refused(self.named(state, r)?)),
            };
        }
        // A late share movement: from the timeline's index, as `execute` places it.
        let inner = &mut *inner;
        let head = inner.head.clone();
        if let Some(state) = inner.state.as_mut() {
            let placed = self.place_local(&mut inner.index, &head, state, request, &ctx);
            if placed.is_err() {
                // The state may have been let go for the index (see `place_local`).
                inner.state = None;
            }
            if let Some(placed) = placed? {
                return placed.map(|patch| patch.events).map_err(Error::Refused);
            }
        }
        let state = self.loaded(inner)?.clone();
        let head = head.seq;
        let facts = self.facts(head, None)?;
        Ok(placed_or_refused(timeline::place(&state, &facts, request.date, &request.command, &ctx))?.map_err(Error::Refused)?.events)
    }

    /// Refuses what a store found damaged by `audit verify` may not do (commands, exports).
    pub(super) fn refuse_if_damaged(&self) -> Result<()> {
        match self.damage()? {
            None => Ok(()),
            Some(found) => Err(Error::Damaged {
                seq: 0,
                reason: format!("a verification found this store damaged ({found}); it takes no command and makes no export until repaired (the kept state is rebuilt from the log; a damaged log is restored from a backup)"),
                remedy: if found.contains("kept beside the log is not the fold") { crate::Remedy::Repair } else { crate::Remedy::Restore },
            }),
        }
    }

    /// Decides and appends one command, flushed to disk before returning.
    pub fn execute(&self, request: Request) -> Result<Receipt> {
        self.execute_all(vec![request]).map(|mut v| v.remove(0)).map_err(|e| match e {
            Error::BatchRefused(mut v) if v.len() == 1 => Error::Refused(v.remove(0).1),
            other => other,
        })
    }

    /// Decides commands in order, each on the state the previous ones leave, and appends all
    /// of their events in one atomic write, or nothing if any is refused (every refusal is
    /// reported, with its index). Flushed to disk before returning.
    pub fn execute_all(&self, requests: Vec<Request>) -> Result<Vec<Receipt>> {
        match self.run_batch(requests, true)? {
            Outcome::Receipts(r) => Ok(r),
            Outcome::Report(_) => Err(integrity(0, "a batch gave a report where its receipts were asked")),
        }
    }

    /// [`Store::execute_all`] for a large batch (a register of a hundred thousand rows): the
    /// same decisions, refusals and single atomic write, but what it appended is reported as
    /// counts and the member numbers taken, without the events of every command (which a
    /// receipt carries: about 1 KB a command, held until the write ends).
    pub fn execute_batch(&self, requests: Vec<Request>) -> Result<BatchReport> {
        match self.run_batch(requests, false)? {
            Outcome::Report(r) => Ok(r),
            Outcome::Receipts(_) => Err(integrity(0, "a batch gave receipts where its report was asked")),
        }
    }

    fn run_batch(&self, mut requests: Vec<Request>, receipts: bool) -> Result<Outcome> {
        let mut inner = self.lock_checked()?;
        if let Some(why) = &inner.damaged {
            return Err(integrity(0, format!("the store is damaged and cannot take commands: {why}")));
        }
        self.refuse_if_damaged()?;
        if self.shared() {
            // Many processes write: take the cooperative's lock first, catch up with what the
            // others appended, then decide and write under it (no decision is made twice). The
            // state is loaded first: loading takes the write lock itself.
            self.loaded_as_is(&mut inner)?;
            let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
            let transaction = Transaction::begin(&*self.backend)?;
            let head = read_head(self.meta())?;
            if head != inner.head {
                self.catch_up(&mut inner, &head, true)?;
            }
            return self.try_execute_in(&mut inner, &mut requests, Some(transaction), receipts);
        }
        loop {
            match self.try_execute_in(&mut inner, &mut requests, None, receipts) {
                Err(Error::Conflict) => {
                    // The head moved under us: catch up with the log and decide again.
                    inner.head = read_head(self.meta())?;
                    inner.state = None;
                    inner.tail = None;
                }
                other => return other,
            }
        }
    }

    /// Decides and writes `requests`; `begun` is the transaction (and the write lock) a shared
    /// backend's caller took before deciding. Gives a receipt per command when `full`, else a
    /// [`BatchReport`]. The requests are changed where they are while they are decided (officers'
    /// names turned into their keys), and put back as asked if another writer moved the head.
    fn try_execute_in(
        &self,
        inner: &mut Inner,
        requests: &mut Vec<Request>,
        begun: Option<Transaction<'_>>,
        full: bool,
    ) -> Result<Outcome> {
        // Retries: a command id already in the log returns its first result.
        self.loaded_as_is(inner)?;
        let mut receipts: Vec<Option<Receipt>> = Vec::with_capacity(requests.len());
        for r in requests.iter() {
            receipts.push(match &r.command_id {
                Some(id) => {
                    let head = inner.head.seq;
                    let state = self.loaded_as_is(inner)?;
                    self.previous(id, r, state, head)?
                }
                None => None,
            });
        }
        // A retry is recognised by the command as asked (its officers named as they were).
        let fingerprints = fingerprints_of(requests);
        // No person's name goes into the log: officers are recorded by party id (see
        // `pseudonymize`); each request draws its fresh identity here.
        let fresh: Vec<Ulid> = requests.iter().map(|_| Ulid::new()).collect();
        let given = {
            let state = self.loaded_as_is(inner)?;
            self.pseudonymize_all(state, requests, &fresh)?
        };
        let batch = Resolved { requests, receipts, fresh, fingerprints };
        let out = self.decide_and_write(inner, batch, begun, full);
        if matches!(out, Err(Error::Conflict)) {
            officers::give_back(requests, given);
        }
        out
    }

    /// [`Store::try_execute_in`] once the requests are resolved.
    fn decide_and_write(&self, inner: &mut Inner, batch: Resolved<'_>, begun: Option<Transaction<'_>>, full: bool) -> Result<Outcome> {
        let Resolved { requests, receipts, fresh, fingerprints } = batch;
        let old = inner.head.clone();
        // On a shared backend no pack is sealed (see `runs::one_run`): no tail is kept.
        let tail = match inner.tail.take() {
            Some(t) => t,
            None if self.shared() => Tail::default(),
            None => self.read_tail(&old)?,
        };
        // The state is taken out while the commands are decided and applied: it goes back only
        // once their events are durable. On any other way out it stays out, and is read again
        // from the pieces on disk (which hold the last durable state) when next needed.
        let mut state = inner.state.take().unwrap_or_default();
        let mut changed = false;
        let mut refusals = Vec::new();
        let mut planned: Vec<Planned> = Vec::with_capacity(requests.len());
        // The pieces of the state the batch changes.
        let mut changes = Changes::default();
        // Every fact in timeline order, read when a command is dated before the latest fact.
        let mut facts: Option<Vec<Fact>> = None;
        let mut next_seq = old.seq + 1;
        let mut backdated = false;
        // Admissions take their numbers in the batch's order, whatever order they are decided in.
        let mut number = state.next_number().0;
        let numbers: Vec<Option<MemberNo>> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (receipts[i].is_none() && matches!(r.command, Command::Admit { .. })).then(|| {
                    number += 1;
                    MemberNo(number - 1)
                })
            })
            .collect();
        // In the batch's order, but a command refused for the public bodies' cap while facts of
        // the same date follow it is decided again after them: the founders of one day are judged
        // together, whatever the order of their rows.
        let mut queue: std::collections::VecDeque<(usize, bool)> = (0..requests.len()).map(|i| (i, false)).collect();
        while let Some((i, deferred)) = queue.pop_front() {
            let r = &requests[i];
            if receipts[i].is_some() {
                continue;
            }
            let ctx = Context {
                today: r.today,
                fresh_id: fresh[i],
                salt: fresh_salt(),
                actor: r.actor.clone(),
                number: numbers[i],
                signer: r.key.as_ref().map(|k| k.public_hex()),
            };
            let id = r.command_id.clone().unwrap_or_else(|| Ulid::new().to_string());
            // Each command is decided on the state the previous ones of the batch leave: on the
            // current state when it is dated on or after every fact, else on the timeline.
            let local = if !timeline::on_current_state(&state, r.date, &r.command) && requests.len() == 1 {
                self.place_local(&mut inner.index, &old, &mut state, r, &ctx)?
            } else {
                None
            };
            let decided = if let Some(local) = local {
                local.map(|patch| (patch.events.clone(), Placement::Patched(patch)))
            } else if timeline::on_current_state(&state, r.date, &r.command) {
                decide(&state, r.date, &r.command, &ctx).map(|events| (events, Placement::Current))
            } else {
                if facts.is_none() {
                    let mut all = self.facts(old.seq, None)?;
                    all.extend(planned.iter().flat_map(|p| {
                        let date = requests[p.index].date;
                        p.events.iter().zip(p.first..).map(move |(e, seq)| Fact { seq, date, command_id: p.id.clone(), event: e.clone() })
                    }));
                    timeline::sort(&mut all);
                    facts = Some(all);
                }
                let all = facts.as_deref().unwrap_or_default();
                match placed_or_refused(timeline::place(&state, all, r.date, &r.command, &ctx))? {
                    Ok(placed) => {
                        // The pieces the facts folded anew touch: those that differ are rewritten.
                        let later = all.iter().filter(|f| f.date >= placed.since).map(|f| &f.event);
                        changes.add_differing(later, &state, &placed.state);
                        Ok((placed.events, Placement::Whole(Box::new(placed.state))))
                    }
                    Err(refusal) => Err(refusal),
                }
            };
            match decided {
                Err(refusal) => {
                    let same_day = |j: &usize| requests[*j].date == r.date && receipts[*j].is_none();
                    match queue.iter().rposition(|(j, _)| same_day(j)) {
                        Some(last) if !deferred && refusal.rule == coop_core::Rule::PublicBodiesCap => queue.insert(last + 1, (i, true)),
                        _ => refusals.push((i, self.named(&state, refusal)?)),
                    }
                }
                Ok((events, placed)) => {
                    let erase = r.command.erases(&state);
                    changed = true;
                    let index = match placed {
                        Placement::Whole(new_state) => {
                            backdated = true;
                            state = *new_state;
                            IndexUpdate::Rebuild
                        }
                        Placement::Patched(patch) => {
                            backdated = true;
                            patch.apply(&mut state);
                            changes.add_members(patch.members.iter().map(|m| m.number));
                            IndexUpdate::Patch(Box::new(patch))
                        }
                        Placement::Current => {
                            for e in &events {
                                state.apply(r.date, e).map_err(|e| integrity(old.seq, format!("decided event does not apply: {e}")))?;
                            }
                            IndexUpdate::Record(state.capital)
                        }
                    };
                    if let Some(all) = facts.as_mut() {
                        if let Some(Event::CommandVoided { command_id, .. }) = events.first() {
                            all.retain(|f| f.command_id != *command_id);
                        }
                        for (e, seq) in events.iter().zip(next_seq..) {
                            let at = all.partition_point(|f| f.key() <= (r.date, seq));
                            all.insert(at, Fact { seq, date: r.date, command_id: id.clone(), event: e.clone() });
                        }
                    }
                    let personal = r
                        .command
                        .personal()
                        .zip(r.command.personal_party(&state, ctx.fresh_id))
                        .map(|(_, party)| Box::new((party, ctx.salt.clone())));
                    let mut events = events;
                    events.shrink_to_fit();
                    planned.push(Planned { index: i, first: next_seq, id, events, personal, erase, update: index });
                    next_seq += planned.last().map_or(0, |p| p.events.len() as u64);
                }
            }
        }
        refusals.sort_by_key(|(i, _)| *i);
        if !refusals.is_empty() {
            if !changed {
                inner.state = Some(state);
            }
            inner.tail = Some(tail);
            return Err(Error::BatchRefused(refusals));
        }

        // A batch with events to write takes the write lock (on sled; on PostgreSQL the caller
        // holds a transaction with the cooperative's lock) and checks the head before its records
        // are sealed, so that its personal data can be written while they are: once it is, no
        // conflict can send the batch back to be decided again.
        let write = match (next_seq > old.seq + 1, begun) {
            (false, _) => None,
            (true, Some(t)) => Some((None, t)),
            (true, None) => Some((Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())), Transaction::begin(&*self.backend)?)),
        };
        if write.is_some() && read_head(self.meta())? != old {
            // Another handle (or process) moved the head since this one decided: decide again.
            return Err(Error::Conflict);
        }
        // Personal data first: an acknowledged admission always has its name. If the log write
        // below fails, the entry is an orphan no event refers to (undone on the next open), or
        // rolled back with the rest.
        let mut personal: Vec<(PartyId, PersonalEntry)> = Vec::with_capacity(planned.iter().filter(|p| p.personal.is_some()).count());
        for p in &mut planned {
            if let (Some(b), Some(data)) = (p.personal.take(), requests[p.index].command.personal()) {
                let (party, salt) = *b;
                personal.push((party, PersonalEntry { salt, data: data.clone() }));
            }
        }

        // Seal the records, chained from the head. On sled, a batch's personal data is written on
        // a thread of its own meanwhile (a register's 100,000 names: 0.4 s of 2.6), on disk before
        // any record is written below; a few names are written first, on this thread (starting a
        // thread cost a command of today a tenth of its time); on PostgreSQL, in the command's
        // transaction, on its thread.
        let mut sealing = Sealing::new(self, &old, &tail, planned.len(), full);
        let pending_personal = std::thread::scope(|scope| -> Result<Option<String>> {
            let put = || if personal.is_empty() { Ok(None) } else { self.personal_data().put_all(&personal).map(Some) };
            let aside = if self.shared() || personal.len() < PERSONAL_ASIDE_MIN { Err(put()) } else { Ok(scope.spawn(put)) };
            let sealed = sealing.seal(self, &planned, requests, &fingerprints, &mut changes, full);
            let written = match aside {
                Ok(thread) => thread.join().unwrap_or_else(|_| Err(integrity(old.seq, "the write of the personal data stopped"))),
                Err(written) => written,
            };
            sealed?;
            written
        })?;
        drop(personal);
        let Sealing { seq, hash, records, packer, mut packs, queued, large, mut chunked, cmd_entries, mut envelopes, .. } = sealing;
        let new_head = Head { seq, hash };
        let voids: Vec<(String, Voided)> = planned
            .iter()
            .flat_map(|p| p.events.iter().zip(p.first..))
            .filter_map(|(e, seq)| match e {
                Event::CommandVoided { command_id, reason, .. } => Some((command_id.clone(), Voided { seq, reason: reason.clone() })),
                _ => None,
            })
            .collect();
        // A report is counted now: a batch that gives one holds its events no longer than it
        // needs them. Sealed, packed and their pieces marked, they are needed again only to carry
        // the timeline's index forward, which a process importing a register has not built.
        let report = if full { None } else { Some(report_of(&receipts, &planned, requests.len())?) };
        if !full && !late::follows(&inner.index, &old) {
            for p in &mut planned {
                p.events = Vec::new();
            }
        }
        let plan = match packer {
            Some(packer) => {
                packs.extend(self.backend.put_packs(queued)?);
                packer.finish(packs.into_iter().filter_map(|(k, v)| Some((runs::seq_of(&k), v?))).collect())
            }
            None => runs::one_run(records),
        };

        // Records to write (a batch with events has them): its write was begun before sealing.
        if let Some((writes, transaction)) = write {
            let head_bytes = serde_json::to_vec(&new_head).unwrap_or_default();
            let erased: Vec<PartyId> = planned.iter().flat_map(|p| p.erase.iter().copied()).collect();
            let pending = serde_json::to_vec(&erased).unwrap_or_default();
            let mut large = large || plan.inserts.iter().any(|(_, b)| b.len() > LARGE_VALUE);
            // The head is the commit point (see `recover`): the command ids first (an id whose
            // events did not follow is recognised as such), the records, the totals (their stamp
            // names the new head), the other pieces, the head last. Plain inserts: sled keeps a
            // prefix of them through a crash, and a sled transaction would cost its flush double.
            // The write was begun before sealing (above), unless the caller holds it (a shared
            // backend): the write lock, and on PostgreSQL one transaction holding the
            // cooperative's lock to its commit (rolled back on any way out before it); on sled,
            // plain writes.
            if !full && !late::follows(&inner.index, &old) {
                // Nothing below reads the requests or the plans once the personal data is
                // taken (no receipt to build, no index to carry forward), and no conflict can
                // send the batch to be decided again: a register's 100,000 rows (24 MB, and
                // their text) and plans (14 MB) are let go before its pieces are written.
                *requests = Vec::new();
                planned = Vec::new();
            }
            if !erased.is_empty() {
                // Before the records: an erasure whose events committed is finished on the next
                // open if this process stops before finishing it below (`finish_pending_erasure`).
                self.meta().insert(K_PENDING_ERASE, pending.as_slice())?;
            }
            if backdated && self.meta().get(K_ORDERED)?.is_some() {
                // Before the records: the log is no longer in date order. It was up to the old
                // head, whose checkpoints stay for that prefix.
                self.meta().insert(K_ORDERED_UNTIL, &old.seq.to_be_bytes())?;
                self.meta().remove(K_ORDERED)?;
            }
            for (k, entry) in &cmd_entries {
                self.meta().insert(k.as_slice(), entry.as_slice())?;
            }
            if let Some(ids) = chunked.take() {
                // The batch is listed first: listed without its chunks, its ids are not found
                // (and its events were not written).
                let first = (old.seq + 1).to_be_bytes();
                self.meta().insert(&batch_key(old.seq + 1), b"".as_slice())?;
                ids.chunks(&batch_ids_prefix(&first), |pairs| {
                    for (k, v) in pairs {
                        self.meta().insert(&k, &v)?;
                    }
                    Ok(())
                })?;
            }
            for (id, v) in &voids {
                self.meta().insert(&voided_key(id), &serde_json::to_vec(v).unwrap_or_default())?;
            }
            if plan.removes.is_empty() && plan.sealed.is_none() {
                for (s, run) in &plan.inserts {
                    self.log().insert(&key(*s), run.as_slice())?;
                }
            } else {
                // Sealing replaces runs by packs, atomically: no record is ever in two runs.
                let log = plan.inserts.iter().map(|(s, run)| (key(*s).to_vec(), Some(run.clone())));
                let log = log.chain(plan.removes.iter().map(|s| (key(*s).to_vec(), None))).collect();
                // The packs themselves first, where the backend keeps them (sled: in the packs
                // file beside it), durable before the pointers to them are.
                let log = self.backend.put_packs(log)?;
                if self.fsync {
                    self.backend.sync_packs()?;
                }
                let meta = plan.sealed.map(|s| (K_SEALED.to_vec(), Some(key(s).to_vec()))).into_iter().collect();
                self.backend.log_and_meta(log, meta)?;
            }
            // The pieces of the state these events change, as they are after them, each written
            // as it is encoded (a register's 100,000 members are never all encoded at once), and
            // the admitted parties in the party index.
            pieces::encode_into(&self.pieces(), &state, &changes, &new_head, &mut |k, v| {
                if v.is_empty() {
                    // A piece whose subject a void took away.
                    self.pieces().of(&k).remove(k.as_slice())?;
                } else {
                    large |= v.len() > LARGE_VALUE;
                    self.pieces().of(&k).insert(k.as_slice(), v.as_slice())?;
                }
                Ok(())
            })?;
            if self.shared() {
                // In the command's transaction (see `checkpoint_if_due`).
                self.checkpoint_if_due(&state, &new_head)?;
            }
            self.meta().insert(K_HEAD, head_bytes.as_slice())?;
            if !self.shared() {
                // After the head, its commit point: a checkpoint is never of events a crash
                // could take back. Not written, it is written after a later command.
                let _ = self.checkpoint_if_due(&state, &new_head);
            }
            transaction.commit(&new_head)?;
            drop(writes);
            self.sync(large)?;
            if let Some(token) = &pending_personal {
                // Committed: the personal data written before the records stays.
                self.personal_data().settle(Some(token))?;
            }
            // The command is committed and durable: a witness that cannot be written (a
            // read-only file, a full disk) must not turn it into an error. The witness then lags,
            // which opening accepts (it only guards against a log younger than it).
            let _ = self.write_witness(&new_head);
            if !erased.is_empty() {
                self.finish_erasure(&erased)?;
            }
        }

        // The write is durable: the state after it is the kept one, and the index follows it.
        inner.index = late::follow(inner.index.take(), &old, &new_head, &planned, requests);
        inner.state = Some(state);
        inner.tail = Some(plan.tail);
        self.feed.publish(&new_head);
        inner.head = new_head;
        if let Some(report) = report {
            return Ok(Outcome::Report(report));
        }
        let mut out: Vec<Receipt> = Vec::with_capacity(requests.len());
        envelopes.sort_by_key(|(i, _, _)| *i);
        let mut fresh = envelopes.into_iter().peekable();
        for (i, prev) in receipts.into_iter().enumerate() {
            match prev {
                Some(r) => out.push(r),
                None => {
                    let (j, id, events) = fresh.next().filter(|(j, _, _)| *j == i).ok_or_else(|| integrity(0, "receipts out of order"))?;
                    debug_assert_eq!(i, j);
                    out.push(Receipt { command_id: id, events, replayed: false });
                }
            }
        }
        Ok(Outcome::Receipts(out))
    }
}

/// A batch's records as they are sealed, chained from the head. On sled, they go into packs as
/// they are sealed, and each group of packs into the packs file (unreferenced until the batch's
/// write commits; left there if it does not): a large batch never holds its records. On a shared
/// backend, one run of them all.
struct Sealing {
    recorded: chrono::DateTime<Utc>,
    /// The last record sealed, and its hash.
    seq: u64,
    hash: String,
    /// The records, on a shared backend.
    records: Vec<(u64, Vec<u8>)>,
    packer: Option<runs::Packer>,
    /// Packs written to the packs file, and packs waiting to be.
    packs: crate::backend::Batch,
    queued: crate::backend::Batch,
    /// Whether a record is large (see `LARGE_VALUE`).
    large: bool,
    /// A large batch's command ids, in chunks (see `retry::BATCH_INDEX_MIN`); else one entry
    /// each.
    chunked: Option<crate::imported::Collector>,
    cmd_entries: Vec<(Vec<u8>, Vec<u8>)>,
    /// Each command's envelopes, when the caller asked for receipts.
    envelopes: Vec<(usize, String, Vec<Envelope>)>,
}

impl Sealing {
    fn new(store: &Store, old: &Head, tail: &Tail, commands: usize, full: bool) -> Sealing {
        let chunked = (commands >= BATCH_INDEX_MIN).then(crate::imported::Collector::fingerprinted);
        Sealing {
            recorded: Utc::now(),
            seq: old.seq,
            hash: old.hash.clone(),
            records: Vec::new(),
            packer: (!store.shared()).then(|| runs::Packer::after(tail, PACK_BYTES)),
            packs: Vec::new(),
            queued: Vec::new(),
            large: false,
            cmd_entries: Vec::with_capacity(if chunked.is_some() { 0 } else { commands }),
            chunked,
            envelopes: Vec::with_capacity(if full { commands } else { 0 }),
        }
    }

    /// Seals the events of `planned`, noting in `changes` the pieces they change.
    fn seal(
        &mut self,
        store: &Store,
        planned: &[Planned],
        requests: &[Request],
        fingerprints: &[[u8; 32]],
        changes: &mut Changes,
        full: bool,
    ) -> Result<()> {
        for Planned { index: i, id, events, .. } in planned {
            let r = &requests[*i];
            let first = self.seq + 1;
            let mut envs = Vec::with_capacity(if full { events.len() } else { 0 });
            for event in events {
                self.seq += 1;
                let seq = self.seq;
                let eid = Ulid::new();
                let (bytes, h) = record::seal(seq, eid, &self.recorded, r.date, &r.actor, id, &self.hash, event, r.key.as_ref());
                changes.add(event);
                if full {
                    envs.push(Envelope {
                        seq,
                        id: eid,
                        recorded: self.recorded,
                        effective: r.date,
                        actor: r.actor.clone(),
                        command_id: id.clone(),
                        schema: coop_core::EVENT_SCHEMA,
                        prev_hash: self.hash.clone(),
                        hash: h.clone(),
                        signed_by: r.key.as_ref().map(|k| k.public_hex()),
                        event: event.clone(),
                    });
                }
                self.large |= bytes.len() > LARGE_VALUE;
                match self.packer.as_mut() {
                    Some(packer) => {
                        if let Some((first, pack)) = packer.push(seq, bytes) {
                            self.queued.push((key(first).to_vec(), Some(pack)));
                        }
                        if self.queued.len() >= 64 {
                            self.packs.extend(store.backend.put_packs(std::mem::take(&mut self.queued))?);
                        }
                    }
                    None => self.records.push((seq, bytes)),
                }
                self.hash = h;
            }
            // The command as asked (a retry names its officers as it did).
            match self.chunked.as_mut() {
                Some(ids) => ids.push_fingerprinted(id, first, self.seq, fingerprints[*i]),
                None => {
                    let entry = CommandEntry { first, last: self.seq, fingerprint: fingerprint_text(&fingerprints[*i]) };
                    self.cmd_entries.push((command_key(id), serde_json::to_vec(&entry).unwrap_or_default()));
                }
            }
            if full {
                self.envelopes.push((*i, id.clone(), envs));
            }
        }
        Ok(())
    }
}

/// Each request's fingerprint (`retry::fingerprint_bytes`); a large batch's on two threads, half
/// each (a register of 100,000 rows: 150 ms on one).
fn fingerprints_of(requests: &[Request]) -> Vec<[u8; 32]> {
    let each = |part: &[Request]| part.iter().map(fingerprint_bytes).collect::<Vec<_>>();
    if requests.len() < BATCH_INDEX_MIN {
        return each(requests);
    }
    let (first, second) = requests.split_at(requests.len() / 2);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| each(second));
        let mut all = each(first);
        all.extend(later.join().unwrap_or_else(|_| each(second)));
        all
    })
}

/// What a batch appended, counted from the retries' receipts and the commands decided.
fn report_of(receipts: &[Option<Receipt>], planned: &[Planned], commands: usize) -> Result<BatchReport> {
    let mut report = BatchReport { commands, ..BatchReport::default() };
    let mut fresh: Vec<Option<&Planned>> = vec![None; commands];
    for p in planned {
        fresh[p.index] = Some(p);
    }
    for (prev, p) in receipts.iter().zip(fresh) {
        let events: Vec<&Event> = match (prev, p) {
            (Some(r), _) => {
                report.replayed += 1;
                r.events.iter().map(|e| &e.event).collect()
            }
            (None, Some(p)) => p.events.iter().collect(),
            (None, None) => return Err(integrity(0, "a command of the batch was neither decided nor found")),
        };
        report.events += events.len() as u64;
        report.admitted.extend(events.iter().find_map(|e| match e {
            Event::MemberAdmitted { number, .. } => Some(*number),
            _ => None,
        }));
    }
    Ok(report)
}

/// A batch whose officers are named by their keys, with what was found or drawn for it.
struct Resolved<'a> {
    /// Let go once nothing reads them (see `decide_and_write`).
    requests: &'a mut Vec<Request>,
    /// The first result of each command already in the log (a retry).
    receipts: Vec<Option<Receipt>>,
    /// Each command's fresh identity.
    fresh: Vec<Ulid>,
    /// Each command's fingerprint as asked.
    fingerprints: Vec<[u8; 32]>,
}

/// What a batch gives back.
enum Outcome {
    Receipts(Vec<Receipt>),
    Report(BatchReport),
}

/// What a batch run with [`Store::execute_batch`] appended, without its events.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchReport {
    /// Commands in the batch.
    pub commands: usize,
    /// Of which retries of commands already in the log (under the same id): they appended
    /// nothing, and are counted with the events they had appended.
    pub replayed: usize,
    /// Events appended, retries' included.
    pub events: u64,
    /// The member numbers the batch's admissions took, in the batch's order.
    pub admitted: Vec<MemberNo>,
}

/// A decided command, ready to be written.
pub(super) struct Planned {
    /// Its index in the batch.
    pub(super) index: usize,
    /// The sequence number its first event will have.
    pub(super) first: u64,
    /// Its command id.
    pub(super) id: String,
    /// The events decided.
    pub(super) events: Vec<Event>,
    /// The party whose personal data it brings (the request's), to store beside the log, and
    /// the salt of its digest.
    pub(super) personal: Option<Box<(PartyId, String)>>,
    /// The parties whose personal data it erases.
    pub(super) erase: Vec<PartyId>,
    /// How the timeline's index takes it in.
    pub(super) update: IndexUpdate,
}

/// 16 bytes of the OS's randomness, in hexadecimal: drawn from a pool filled 4 KiB at a time (a
/// system call per salt was 2 % of importing a register, which asks one per row).
fn fresh_salt() -> String {
    const POOL: usize = 4096;
    thread_local! {
        static DRAWN: std::cell::RefCell<([u8; POOL], usize)> = const { std::cell::RefCell::new(([0; POOL], POOL)) };
    }
    let drawn = DRAWN.with(|pool| {
        let (bytes, used) = &mut *pool.borrow_mut();
        if *used == POOL {
            getrandom::fill(bytes).ok()?;
            *used = 0;
        }
        let salt: [u8; 16] = bytes[*used..*used + 16].try_into().ok()?;
        *used += 16;
        Some(salt)
    });
    // No OS randomness: fall back on a ULID's random bits (still unique per party).
    hex::encode(drawn.unwrap_or_else(|| Ulid::new().to_bytes()))
}

/// A placement's refusal stays a refusal; a history that does not fold is an integrity failure.
pub(super) fn placed_or_refused<T>(placed: std::result::Result<T, Unplaced>) -> Result<std::result::Result<T, coop_core::Refusal>> {
    match placed {
        Ok(p) => Ok(Ok(p)),
        Err(Unplaced::Refused(r)) => Ok(Err(r)),
        Err(Unplaced::Inconsistent { seq, reason }) => Err(integrity(seq, reason.to_string())),
    }
}

#[cfg(test)]
mod tests {
    /// Salts drawn from the pool are 16 bytes in hexadecimal, and none repeats across several
    /// refills of the pool (the pool moves on after each salt and draws anew once used up).
    #[test]
    fn salts_are_fresh_across_refills_of_their_pool() {
        let salts: std::collections::BTreeSet<String> = (0..1000).map(|_| super::fresh_salt()).collect();
        assert_eq!(salts.len(), 1000);
        assert!(salts.iter().all(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))));
    }
}
