//! Verification: the chain of records, the head witness, the state kept beside the log and the
//! personal data, and anchors kept elsewhere (seals, minutes). What `audit verify` finds is
//! recorded, and a damaged store takes no command until a verify finds it sound.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use coop_core::{Event, MemberNo, PartyId};
use serde::{Deserialize, Serialize};

use super::log::{apply, Disorder, DisorderFinder, Merge};
use super::transfer::ImportPass;
use super::*;
use crate::backend::Value;

/// The result of `verify`.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Events checked.
    pub events: u64,
    /// Hash of the last good record.
    pub head_hash: String,
    /// Whether the whole chain verifies.
    pub ok: bool,
    /// The first bad sequence number, if any.
    pub first_bad_seq: Option<u64>,
    /// What was wrong there.
    pub problem: Option<String>,
    /// What an operator can do about it, when they can.
    pub remedy: Option<crate::Remedy>,
    /// The personal data beside the log, compared with the digests in it (when the chain is
    /// sound).
    pub personal: Option<PersonalReport>,
    /// Whether the state kept beside the log (what queries and commands read) is the fold of
    /// the log (when the chain is sound).
    pub kept_state_matches: Option<bool>,
}

/// The personal data beside the log, compared with the digests the log keeps.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PersonalReport {
    /// Parties whose data matches its digest.
    pub checked: u64,
    /// Members whose data was erased (and is gone, as it should be).
    pub erased: u64,
    /// Entries for parties the log does not name (left by a write that never committed).
    pub orphans: u64,
    /// The store was imported from an export, which holds no personal data.
    pub from_export: bool,
    /// In such a store, parties without personal data.
    pub missing: u64,
    /// Missing, altered or not erased entries.
    pub problems: Vec<String>,
}

/// The result of `replay_check`.
#[derive(Clone, Debug, Serialize)]
pub struct ReplayReport {
    /// Events replayed.
    pub events: u64,
    /// The head the kept state says it reflects (0: no state kept).
    pub kept_seq: u64,
    /// Whether the rebuilt state equals the kept one.
    pub matches: bool,
    /// Members whose rebuilt record differs from the kept one.
    pub differing_members: Vec<MemberNo>,
    /// Whether the capital totals or the statutes differ.
    pub totals_differ: bool,
    /// The first difference found between an index kept beside the pieces (who took part in
    /// which project) and the fold of the log, said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_differs: Option<String>,
}

impl Store {
    /// The first event (in the log's order) for which `which` holds, with its sequence number
    /// and hash: for a document to print the anchor of the act it records (an assembly's
    /// closing). Reads the log from the start.
    pub fn find_event(&self, which: impl Fn(&Event) -> bool) -> Result<Option<Anchor>> {
        let head = self.head().seq;
        let mut from = 1;
        while from <= head {
            let batch = self.events(from, 10_000)?;
            if batch.is_empty() {
                break;
            }
            from += batch.len() as u64;
            if let Some(e) = batch.into_iter().find(|e| which(&e.event)) {
                return Ok(Some(Anchor { seq: e.seq, hash: e.hash, signed: None }));
            }
        }
        Ok(None)
    }

    /// Every key registration in the log, in its order: (person, public key).
    fn key_registrations(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        self.each_record(1, self.head().seq, GENESIS_HASH, None, |env| {
            if let Event::OfficerKeyRegistered { person, public_key } = env.event {
                out.push((person, public_key));
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Checks anchors of the log kept elsewhere (a seal, the head printed in minutes): the log
    /// must hold event `seq` with exactly that hash, and a signed seal must be signed by a key
    /// its officer registered. Returns the anchors that fail, with why.
    pub fn check_anchors(&self, anchors: &[Anchor]) -> Result<Vec<(Anchor, String)>> {
        let mut failed = Vec::new();
        let registered = if anchors.iter().any(|a| a.signed.is_some()) { self.key_registrations()? } else { Vec::new() };
        for a in anchors {
            if let Some(problem) = a.signature_problem(&registered) {
                failed.push((a.clone(), problem));
                continue;
            }
            match self.hash_at(a.seq)? {
                Some(h) if h == a.hash => {}
                Some(h) => failed.push((a.clone(), format!("event {} has hash {h}, not {}: the log was rewritten", a.seq, a.hash))),
                None => {
                    failed.push((a.clone(), format!("the log has no event {} (it holds {}): it was rolled back", a.seq, self.head().seq)))
                }
            }
        }
        Ok(failed)
    }

    /// Checks the whole chain: every record's hash, place and link, that every event can be
    /// read, and that the head matches the last record. Stops at the first bad record.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_accepting(false)
    }

    /// [`Store::verify`], accepting the log's head as the one acknowledged when the witness
    /// beside the database is missing or unreadable (after checking the head against a seal or
    /// the last minutes): if everything else is sound, the witness is written anew.
    pub fn verify_accepting_head(&self) -> Result<VerifyReport> {
        self.verify_accepting(true)
    }

    fn verify_accepting(&self, accept_head: bool) -> Result<VerifyReport> {
        let report = self.check_all(accept_head)?;
        if report.ok && accept_head {
            self.write_witness(&self.head())?;
        }
        // What verify finds stands until a verify finds the store sound again: a damaged store
        // takes no command, and no export is made of it.
        match (&report.ok, &report.problem) {
            (true, _) => {
                self.meta().remove(K_DAMAGED)?;
            }
            (false, problem) => {
                let at = report.first_bad_seq.map(|s| format!("event {s}: ")).unwrap_or_default();
                self.meta().insert(K_DAMAGED, format!("{at}{}", problem.clone().unwrap_or_default()).as_bytes())?;
            }
        }
        self.backend.flush()?;
        Ok(report)
    }

    /// What `audit verify` found wrong with this store, if it did (and no verify has found it
    /// sound since).
    pub fn damage(&self) -> Result<Option<String>> {
        Ok(self.meta().get(K_DAMAGED)?.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Rebuilds the state kept beside the log from the log itself, when the log's chain and the
    /// personal data are sound and only the kept state is wrong (its pieces were edited or
    /// damaged); then the store takes commands again.
    pub fn repair(&self) -> Result<VerifyReport> {
        let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let head = self.head();
        let chain = self.check_chain(&head, false)?;
        if !chain.ok {
            return Ok(chain);
        }
        let state = self.rebuilt_with_checkpoints(head.seq)?;
        pieces::write_all(&self.pieces(), &state, &head)?;
        self.sync(true)?;
        drop(_writes);
        self.lock().state = None;
        self.verify()
    }

    /// The fold of events `1..=to` in timeline order, the checkpoints written anew for the part
    /// of the log in date order (from its start to the first fact entered late or void), and the
    /// store's marks of that order set from what the log holds.
    fn rebuilt_with_checkpoints(&self, to: u64) -> Result<State> {
        self.checkpoints().clear()?;
        let mut state = State::default();
        let mut writer = self.checkpoint_writer();
        let mut prefix = None;
        self.each_record(1, to, GENESIS_HASH, None, |env| {
            if prefix.is_some() {
                return Ok(());
            }
            if !coop_core::timeline::keeps_date_order(state.latest, env.effective, &env.event) {
                prefix = Some(env.seq - 1);
                return Ok(());
            }
            apply(&mut state, env.seq, env.effective, &env.event)?;
            writer.after(self.checkpoints(), &**self, env.seq, &env.hash, &env.event, &state)
        })?;
        match prefix {
            None => {
                self.meta().insert(K_ORDERED, b"1".as_slice())?;
                self.meta().remove(K_ORDERED_UNTIL)?;
                Ok(state)
            }
            Some(p) => {
                self.meta().insert(K_ORDERED_UNTIL, &p.to_be_bytes())?;
                self.meta().remove(K_ORDERED)?;
                drop(state);
                self.fold_timeline(to, None)
            }
        }
    }

    fn check_all(&self, accept_head: bool) -> Result<VerifyReport> {
        let head = self.head();
        // One read of the log: the chain is checked and its events folded as they are read.
        let order = self.date_order()?;
        let ordered = order == Some(asof::DateOrder::All);
        let prefix = match order {
            Some(asof::DateOrder::Until(p)) => Some(p),
            _ => None,
        };
        let checkpoints =
            if ordered || prefix.is_some() { Some(pieces::checkpoints::Check::new(self.checkpoints(), &**self)?) } else { None };
        // In date order, the log is folded as it is read. Out of date order, what breaks it is
        // read first, so that the fold follows the read (see `log::Merge`); a record that cannot
        // even be read for that is found by the read that checks the chain, and reported as
        // such. Out of date order after a prefix that was in it, the prefix is folded in the
        // log's order as the chain is read (its checkpoints checked) and the timeline by a second
        // read: two states folded at once held twice the memory (a million events after 20 late
        // facts: 305 MiB).
        let timeline = match (ordered, prefix) {
            (true, _) => Timeline::Ordered(State::default()),
            (false, Some(_)) => Timeline::ReadAgain(DisorderFinder::default()),
            (false, None) => match self.disorder(head.seq, None) {
                Ok(disorder) => Timeline::Merged(Merge::new(disorder)),
                Err(e) => {
                    let report = self.check_chain_folding(&head, accept_head, None)?;
                    return if report.ok { Err(e) } else { Ok(report) };
                }
            },
        };
        let mut fold = Folding { timeline, prefix: prefix.map(|p| (p, State::default())), checkpoints, latest: None, disorder: None };
        let mut report = self.check_chain_folding(&head, accept_head, Some(&mut fold))?;
        if !report.ok {
            return Ok(report);
        }
        let (folded, mut checkpoints) = fold.finish()?;
        let rebuilt = match folded {
            Folded::State(state) => *state,
            Folded::ReadAgain(disorder) => self.fold_merged(head.seq, None, disorder)?,
        };
        if !ordered && prefix.is_none() && !self.checkpoints().is_empty()? {
            checkpoints = Some("checkpoints are kept although no part of the log is known to be in date order".into());
        }
        let personal = self.check_personal(&rebuilt)?;
        let replay = self.compare_with_kept(&head, rebuilt)?;
        let mut problems: Vec<String> = personal.problems.iter().map(|p| format!("personal data: {p}")).collect();
        if let Some(problem) = &checkpoints {
            problems.insert(0, format!("{problem}: rebuild the checkpoints from the log"));
        }
        if !replay.matches {
            let members: Vec<String> = replay.differing_members.iter().take(10).map(|n| n.to_string()).collect();
            problems.insert(
                0,
                format!(
                    "the state kept beside the log is not the fold of the log{}{}{}: rebuild it from the log",
                    if members.is_empty() { String::new() } else { format!(" (members {})", members.join(", ")) },
                    if replay.totals_differ { " (totals, statutes or the party index)" } else { "" },
                    replay.index_differs.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
                ),
            );
        }
        report.ok = problems.is_empty();
        report.problem = problems.first().cloned();
        let kept_matches = replay.matches && checkpoints.is_none();
        report.remedy = (!kept_matches).then_some(crate::Remedy::Repair);
        report.kept_state_matches = Some(kept_matches);
        report.personal = Some(personal);
        Ok(report)
    }

    /// The chain of records: each one's hash, place and link, the head and the witness (a
    /// missing or unreadable witness is let pass with `accept_head`).
    fn check_chain(&self, head: &Head, accept_head: bool) -> Result<VerifyReport> {
        self.check_chain_folding(head, accept_head, None)
    }

    /// [`Store::check_chain`], folding each event checked into `fold` when given.
    fn check_chain_folding(&self, head: &Head, accept_head: bool, mut fold: Option<&mut Folding<'_>>) -> Result<VerifyReport> {
        let head = head.clone();
        let mut prev = coop_core::digest_bytes(GENESIS_HASH.as_bytes()).unwrap_or_default();
        let bad = |seq: u64, prev: String, problem: String| VerifyReport {
            events: seq - 1,
            head_hash: prev,
            ok: false,
            first_bad_seq: Some(seq),
            problem: Some(problem),
            // A log found broken is restored; a witness is accepted (below).
            remedy: Some(crate::Remedy::Restore),
            personal: None,
            kept_state_matches: None,
        };
        // Each run is opened (read from the packs file if kept there, decompressed) and each of
        // its records' own hash, place and event checked on other threads, a batch of runs at a
        // time; the links between records, and that no event is missing between runs, in order,
        // here. The batches are a pipeline: while one is checked on the other cores, this
        // thread links and folds the one checked before, then takes its share of the runs left
        // to check. Folding only once each batch was checked on every core left cores idle: at
        // a million events, 8.6 s against 8.1 s the pipeline; and with the batch split between
        // the threads beforehand, the checking thread did 4.2 s of work while this one folded in
        // 2.7 and waited.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let mut expected = 1u64;
        let mut keys = Keys::default();
        let mut iter = self.log().range_from(&[]);
        // Only a fold out of the log's order reads the command ids (to leave out what a void
        // takes back).
        let command_ids = fold.as_deref().is_some_and(|f| !matches!(f.timeline, Timeline::Ordered(_)));
        // Links, signatures and the fold of one checked batch, in order; `Some` is the report of
        // the first bad record.
        let mut link = |checked: Result<Vec<Vec<Checked>>>, prev: &mut [u8; 32], expected: &mut u64| -> Result<Option<VerifyReport>> {
            let hex = coop_core::digest_hex;
            for (seq, result) in checked?.into_iter().flatten() {
                if seq != *expected {
                    let problem = format!("event {expected} is missing (the next stored run starts at {seq})");
                    return Ok(Some(bad(*expected, hex(prev), problem)));
                }
                let rec = match result {
                    Err(problem) => return Ok(Some(bad(seq, hex(prev), problem))),
                    Ok(rec) if rec.prev != Some(*prev) => return Ok(Some(bad(seq, hex(prev), RecordError::BrokenLink.to_string()))),
                    Ok(rec) => rec,
                };
                // Signatures: once a name registered a key, every record in that name is
                // signed with it (the record's own signature was checked above).
                if let Err(problem) = keys.check(seq, &rec) {
                    return Ok(Some(bad(seq, hex(prev), problem)));
                }
                *prev = rec.hash;
                *expected = seq + 1;
                if let Some(f) = fold.as_deref_mut() {
                    f.take(seq, rec)?;
                }
                self.report("verify", seq, head.seq);
            }
            Ok(None)
        };
        let mut checked: Result<Vec<Vec<Checked>>> = Ok(Vec::new());
        let broken = loop {
            // Runs as stored (a sealed pack: a pointer into the packs file).
            let mut batch: Vec<(u64, Value)> = Vec::with_capacity(BATCH_RUNS);
            let mut done = false;
            while batch.len() < BATCH_RUNS {
                let Some(item) = iter.next() else {
                    done = true;
                    break;
                };
                let (k, run) = item?;
                batch.push((seq_of(&k), run));
            }
            let shared = SharedBatch::new(batch, command_ids);
            let report = std::thread::scope(|scope| -> Result<Option<VerifyReport>> {
                let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(|| shared.check(self))).collect();
                let report = link(std::mem::replace(&mut checked, Ok(Vec::new())), &mut prev, &mut expected);
                match report {
                    Ok(None) => shared.check(self),
                    _ => shared.stop(),
                }
                // Joined here: a thread that panicked leaves its run unchecked (a failure there).
                for helper in helpers {
                    let _ = helper.join();
                }
                report
            })?;
            if report.is_some() {
                break report;
            }
            checked = shared.results();
            if done {
                break link(checked, &mut prev, &mut expected)?;
            }
        };
        if let Some(report) = broken {
            return Ok(report);
        }
        let events = expected - 1;
        let prev = coop_core::digest_hex(&prev);
        if events != head.seq || prev != head.hash {
            let seq = events.min(head.seq) + 1;
            return Ok(bad(seq, prev, format!("the log holds {events} events but its head says {}", head.seq)));
        }
        // The witness as it is now (this handle rewrites it after each command).
        let witness = if self.witness == Witness::Elsewhere { Witness::Elsewhere } else { read_witness(&self.path) };
        match &witness {
            Witness::Head(w) if events < w.seq => {
                return Ok(bad(
                    events + 1,
                    prev,
                    format!("the log holds {events} events but {} were acknowledged: events are missing", w.seq),
                ));
            }
            Witness::Head(w) if self.hash_at(w.seq)?.as_deref() != Some(w.hash.as_str()) => {
                return Ok(bad(
                    w.seq,
                    prev,
                    format!("event {} does not have the hash acknowledged for it ({}): the log was rewritten", w.seq, w.hash),
                ));
            }
            Witness::Missing | Witness::Unreadable if events > 0 && !accept_head => {
                let mut report = bad(
                    events + 1,
                    prev,
                    "the head witness (the file `head`) is missing or unreadable: the log may have been rolled back; check its head against a seal or the last minutes, then accept it knowingly".to_string(),
                );
                report.remedy = Some(crate::Remedy::AcceptHead);
                return Ok(report);
            }
            _ => {}
        }
        Ok(VerifyReport {
            events,
            head_hash: prev,
            ok: true,
            first_bad_seq: None,
            problem: None,
            remedy: None,
            personal: None,
            kept_state_matches: None,
        })
    }

    /// Compares each party's personal data beside the log with the digest the log keeps for it
    /// (the log's chain being sound): the digests of `rebuilt`, the fold of the log. (The kept
    /// pieces are compared with the fold apart; reading every kept member again for their
    /// digests cost a twentieth of a verify.)
    fn check_personal(&self, rebuilt: &State) -> Result<PersonalReport> {
        let mut entries: BTreeMap<PartyId, PersonalEntry> = self.personal_data().all()?.into_iter().collect();
        let mut report = PersonalReport { from_export: self.meta().get(K_NO_PERSONAL)?.is_some(), ..PersonalReport::default() };
        for m in rebuilt.members.values() {
            check_member(m, &mut entries, &mut report);
        }
        for (party, digest) in &rebuilt.partners {
            check_party(format!("partner {party}"), *party, digest, &mut entries, &mut report);
        }
        // Officers recorded by party id: checked like members; erased with their member's data.
        for (key, digest) in &rebuilt.officer_digests {
            let Ok(party) = key.parse::<PartyId>() else { continue };
            if rebuilt.officers_erased.contains(key) {
                report.erased += 1;
                if entries.remove(&party).is_some() {
                    report.problems.push(format!("officer {key}: its name was erased with its member's but is still there"));
                }
            } else {
                check_party(format!("officer {key}"), party, digest, &mut entries, &mut report);
            }
        }
        report.orphans = entries.len() as u64;
        Ok(report)
    }

    /// Rebuilds the state from the first event and compares it with the state kept on disk
    /// (its pieces, read afresh).
    pub fn replay_check(&self) -> Result<ReplayReport> {
        let head = self.head();
        let rebuilt = self.fold_timeline(head.seq, None)?;
        self.compare_with_kept(&head, rebuilt)
    }

    /// The state kept beside the log against `rebuilt`, the fold of the log up to `head`. The
    /// kept members, assemblies and projects are read and compared one at a time, each taken
    /// out of `rebuilt` as it is: the two states are never both held whole.
    fn compare_with_kept(&self, head: &Head, mut rebuilt: State) -> Result<ReplayReport> {
        let kept_seq = pieces::stamp(&self.pieces())?.map_or(0, |h| h.seq);
        let trees = self.pieces();
        // Assemblies and projects (and the index of who takes part in which) are compared on one
        // thread while the roll and the members are on this one (their halves on two): on one
        // thread after the other, the comparison left the second core idle for a fifth of a
        // verify. One thread on a shared backend, whose reads belong to this thread.
        let mut assemblies = std::mem::take(&mut rebuilt.assemblies);
        let mut projects = std::mem::take(&mut rebuilt.projects);
        let mut large = move || -> Result<(Option<String>, bool)> {
            let index_differs = pieces::taking_part_difference(&trees, &projects)?;
            let mut large_match = true;
            pieces::each_large(&trees, |piece| {
                match piece {
                    pieces::Large::Assembly(a) => large_match &= assemblies.remove(&a.slug).as_ref() == Some(&*a),
                    pieces::Large::Project(p) => large_match &= projects.remove(&p.slug).as_ref() == Some(&*p),
                }
                Ok(())
            })?;
            // Pieces missing from what is kept.
            Ok((index_differs, large_match && assemblies.is_empty() && projects.is_empty()))
        };
        let by_member = |rebuilt: &mut State| -> Result<(Vec<MemberNo>, bool, bool)> {
            // The roll (every member's standing, which reports read instead of the members' pieces).
            let mut differing = pieces::roll_differing(&trees, rebuilt)?;
            let roll_matches = differing.is_empty();
            let members = std::mem::take(&mut rebuilt.members);
            let parties = std::mem::take(&mut rebuilt.parties);
            let (members_differing, parties_match) = pieces::compare_members(&trees, &members, &parties, !self.shared())?;
            differing.extend(members_differing);
            Ok((differing, roll_matches, parties_match))
        };
        let ((index_differs, large_match), (mut differing, roll_matches, parties_match)) = if self.shared() {
            (large()?, by_member(&mut rebuilt)?)
        } else {
            std::thread::scope(|scope| -> Result<_> {
                let large = scope.spawn(large);
                let members = by_member(&mut rebuilt);
                let large = large.join().unwrap_or_else(|_| Err(integrity(0, "the assemblies and projects could not be compared")));
                Ok((large?, members?))
            })?
        };
        differing.sort_unstable();
        differing.dedup();
        // The rest: totals, statutes, roster, partners, bodies (`rebuilt` holds nothing else now).
        let small = pieces::load(&self.pieces(), &Part::default())?;
        let totals_differ = small.capital != rebuilt.capital || small.statutes != rebuilt.statutes || !parties_match;
        let matches = small == rebuilt
            && differing.is_empty()
            && large_match
            && parties_match
            && roll_matches
            && index_differs.is_none()
            && kept_seq == head.seq;
        Ok(ReplayReport { events: head.seq, kept_seq, matches, differing_members: differing, totals_differ, index_differs })
    }
}

/// Checks the personal data of a party against the digest the log keeps for it.
fn check_party(what: String, party: PartyId, digest: &str, entries: &mut BTreeMap<PartyId, PersonalEntry>, report: &mut PersonalReport) {
    match entries.remove(&party) {
        None if report.from_export => report.missing += 1,
        None => report.problems.push(format!("{what}: its name is missing, though it was never erased")),
        Some(e) if e.data.digest(&e.salt) != digest => {
            report.problems.push(format!("{what}: its name or e-mail does not match the digest the log keeps (altered)"))
        }
        Some(_) => report.checked += 1,
    }
}

/// Checks a member's personal data and its representatives' (or that they are gone, once erased).
fn check_member(m: &coop_core::Member, entries: &mut BTreeMap<PartyId, PersonalEntry>, report: &mut PersonalReport) {
    if let Some(on) = m.erased {
        report.erased += 1;
        if entries.remove(&m.party).is_some() {
            report.problems.push(format!("member {}: its personal data was erased on {on} but is still there", m.number));
        }
    } else {
        check_party(format!("member {}", m.number), m.party, &m.personal_digest, entries, report);
    }
    // The persons who represent it: checked like it, erased with it.
    for r in &m.representatives {
        let what = format!("member {}'s representative since {}", m.number, r.since);
        if m.erased.is_some() {
            if entries.remove(&r.party).is_some() {
                report.problems.push(format!("{what}: erased with the member's data but still there"));
            }
        } else {
            check_party(what, r.party, &r.personal_digest, entries, report);
        }
    }
}

/// The fold a verify makes of the events it checks (see `check_all`).
struct Folding<'t> {
    timeline: Timeline,
    /// The store says its log was in date order up to that event: that prefix is folded as it
    /// is read (the state dropped past it), to check its checkpoints.
    prefix: Option<(u64, State)>,
    /// The checkpoints, checked as the fold reaches each.
    checkpoints: Option<pieces::checkpoints::Check<'t>>,
    /// The latest date met in the part of the log said to be in date order.
    latest: Option<NaiveDate>,
    /// Where the log is not what the store says of its order.
    disorder: Option<String>,
}

/// How the read that checks the chain folds the timeline.
enum Timeline {
    /// The store says its log is in date order: folded as it is read.
    Ordered(State),
    /// Out of date order: merged with what breaks that order, read first.
    Merged(Merge),
    /// Out of date order after a prefix in it: folded by a second read, for which this one
    /// finds what breaks the order.
    ReadAgain(DisorderFinder),
}

/// What the read that checks the chain folded: the state, or what a second read needs to fold it.
enum Folded {
    State(Box<State>),
    ReadAgain(Disorder),
}

impl Folding<'_> {
    fn take(&mut self, seq: u64, rec: record::Unlinked) -> Result<()> {
        // The order the store claims for this event, said only when the event breaks it.
        let claimed = match (&self.timeline, &self.prefix) {
            (Timeline::Ordered(_), _) => Some(None),
            (_, Some((p, _))) if seq <= *p => Some(Some(*p)),
            _ => None,
        };
        if let (Some(until), None) = (claimed, &self.disorder) {
            if !coop_core::timeline::keeps_date_order(self.latest, rec.effective, &rec.event) {
                let claim = until.map_or_else(|| "in date order".to_string(), |p| format!("in date order up to event {p}"));
                let what = if matches!(rec.event, Event::CommandVoided { .. }) { "is a void" } else { "is dated before an earlier one" };
                self.disorder = Some(format!("the store says its log is {claim}, but event {seq} {what}"));
            }
        }
        self.latest = self.latest.max(Some(rec.effective));
        if let Some((p, state)) = &mut self.prefix {
            if seq <= *p {
                apply(state, seq, rec.effective, &rec.event)?;
                if let Some(check) = &mut self.checkpoints {
                    check.after(seq, &rec.hash, &rec.event, state)?;
                }
                if seq == *p {
                    *state = State::default();
                }
            }
        }
        match &mut self.timeline {
            Timeline::Ordered(state) => {
                apply(state, seq, rec.effective, &rec.event)?;
                match &mut self.checkpoints {
                    Some(check) => check.after(seq, &rec.hash, &rec.event, state),
                    None => Ok(()),
                }
            }
            Timeline::Merged(merge) => merge.take(seq, rec.effective, &rec.command_id, &rec.event, &coop_core::digest_hex(&rec.hash)),
            Timeline::ReadAgain(found) => {
                found.take(seq, &rec);
                Ok(())
            }
        }
    }

    /// What was folded, and what is wrong with the checkpoints or the order the store says its
    /// log is in, if anything.
    fn finish(self) -> Result<(Folded, Option<String>)> {
        let problem = match self.checkpoints {
            _ if self.disorder.is_some() => self.disorder,
            Some(check) => check.finish()?,
            None => None,
        };
        let folded = match self.timeline {
            Timeline::Ordered(state) => Folded::State(Box::new(state)),
            Timeline::Merged(merge) => Folded::State(Box::new(merge.finish()?)),
            Timeline::ReadAgain(found) => Folded::ReadAgain(found.finish()),
        };
        Ok((folded, problem))
    }
}

/// A record's sequence number, and its hash and the previous hash it names, or what is wrong
/// (with the record, or with the run it is the first of).
type Checked = (u64, std::result::Result<record::Unlinked, String>);

/// The keys names registered, as the log stood at each record: what its signature must be.
#[derive(Default)]
pub(crate) struct Keys(std::collections::HashMap<String, (String, u64)>);

impl Keys {
    pub(crate) fn check(&mut self, seq: u64, rec: &record::Unlinked) -> std::result::Result<(), String> {
        self.check_signing(seq, &rec.actor, &rec.signed_by, &rec.registers)
    }

    /// [`Keys::check`] on the parts of a record it reads: who recorded it, the key it is signed
    /// with, the key it registers.
    pub(crate) fn check_signing(
        &mut self,
        seq: u64,
        actor: &str,
        signed_by: &Option<String>,
        registers: &Option<(String, String)>,
    ) -> std::result::Result<(), String> {
        let actor = actor.trim();
        match (self.0.get(actor), signed_by) {
            (Some((key, _)), Some(by)) if key == by => {}
            (Some((_, since)), None) => {
                return Err(format!("event {seq} is in the name of '{actor}', who signs their acts since event {since}, but it is not signed: it was not written by them through coop"))
            }
            (Some((_, since)), Some(_)) => {
                return Err(format!("event {seq} is signed with a key that is not the one '{actor}' registered (event {since})"))
            }
            (None, Some(by)) if registers.as_ref().is_some_and(|(p, k)| p.trim() == actor && k == by) => {}
            (None, Some(_)) => return Err(format!("event {seq} is signed with a key '{actor}' never registered")),
            (None, None) => {}
        }
        if let Some((person, key)) = registers {
            self.0.insert(person.trim().to_string(), (key.clone(), seq));
        }
        Ok(())
    }
}

/// Runs checked at a time by `verify` (about 8,000 events).
const BATCH_RUNS: usize = 128;

/// A batch of runs whose records are checked alone (`record::open_unlinked`) by whichever thread
/// takes each run next: the ones started for it, and the linking thread once it has linked the
/// batch before (the work of linking and folding is not the same share of every batch).
struct SharedBatch {
    runs: Vec<(u64, Value)>,
    /// Whether the records' command ids are read (see `record::open_unlinked_in`).
    command_ids: bool,
    next: AtomicUsize,
    stopped: AtomicBool,
    checked: Vec<OnceLock<Result<Vec<Checked>>>>,
}

impl SharedBatch {
    fn new(runs: Vec<(u64, Value)>, command_ids: bool) -> SharedBatch {
        let checked = runs.iter().map(|_| OnceLock::new()).collect();
        SharedBatch { runs, command_ids, next: AtomicUsize::new(0), stopped: AtomicBool::new(false), checked }
    }

    /// Checks runs not taken yet, until none is left or the batch is stopped.
    fn check(&self, store: &Store) {
        while !self.stopped.load(Ordering::Relaxed) {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some((first, run)) = self.runs.get(i) else { return };
            let _ = self.checked[i].set(store.check_run(*first, run, self.command_ids));
        }
    }

    /// No more runs are taken (the log was found broken before this batch).
    fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Each run's results, in order; a run no thread returned (its thread panicked) is one
    /// failure at its first event.
    fn results(self) -> Result<Vec<Vec<Checked>>> {
        let runs = self.runs.iter().zip(self.checked);
        runs.map(|((first, _), checked)| {
            checked.into_inner().unwrap_or_else(|| Ok(vec![(*first, Err("the check of this run failed".into()))]))
        })
        .collect()
    }
}

impl Store {
    /// Opens a run (as stored: from the packs file, decompressed) and checks each of its
    /// records alone (`record::open_unlinked`). A run that cannot be opened is one failure at
    /// its first event.
    fn check_run(&self, first: u64, run: &Value, command_ids: bool) -> Result<Vec<Checked>> {
        match self.opened(first, run) {
            Ok(records) => {
                let mut actor = None;
                let open = |(seq, r)| (seq, record::open_unlinked_in(r, seq, &mut actor, command_ids).map_err(|e| e.to_string()));
                Ok(runs::split(first, &records).map(open).collect())
            }
            Err(Error::Integrity { reason, .. }) => Ok(vec![(first, Err(reason))]),
            Err(e) => Err(e),
        }
    }
}

/// A point of the log noted elsewhere: event `seq` has hash `hash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The sequence number.
    pub seq: u64,
    /// The hash of that event.
    pub hash: String,
    /// The officer's signature, for a signed seal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<SealSignature>,
}

/// The signature of a seal (`coop audit seal --key`): the officer who signed it, with which key,
/// over which text (the seal line before ` sig=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealSignature {
    /// The officer, as they act.
    pub officer: String,
    /// Their public key.
    pub key: String,
    /// The signature.
    pub sig: String,
    /// The text signed.
    pub text: String,
}

impl Anchor {
    /// What is wrong with its signature, if it is signed: it must verify, and its key must be
    /// one the officer registered (`registered`: every key registration, person and key).
    fn signature_problem(&self, registered: &[(String, String)]) -> Option<String> {
        let s = self.signed.as_ref()?;
        if !crate::keys::verify(&s.key, s.text.as_bytes(), &s.sig) {
            return Some(format!("the seal of event {} is not signed by the key it names: it was altered or forged", self.seq));
        }
        if !registered.iter().any(|(p, k)| p.trim() == s.officer && *k == s.key) {
            return Some(format!("the seal of event {} is signed with a key '{}' never registered in this log", self.seq, s.officer));
        }
        None
    }
}

/// Builds the text of a seal of `head`, signed by `officer` with `key` if given.
pub fn seal_line(head: &Head, date: NaiveDate, cooperative: &str, signer: Option<(&str, &crate::keys::SecretKey)>) -> String {
    let base = format!("coop-seal/1 seq={} hash={} date={date} cooperative={cooperative:?}", head.seq, head.hash);
    match signer {
        None => format!("{base} unsigned"),
        Some((officer, key)) => {
            let text = format!("{base} officer=\"{officer}\" key={}", key.public_hex());
            let sig = key.sign_hex(text.as_bytes());
            format!("{text} sig={sig}")
        }
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;
    /// `SEQ:HASH`, or a seal line (`coop-seal/1 seq=SEQ hash=HASH …`).
    fn from_str(s: &str) -> std::result::Result<Anchor, String> {
        let s = s.trim();
        let signed = match (s.starts_with("coop-seal/"), s.rsplit_once(" sig=")) {
            (true, Some((text, sig))) => {
                let officer = text.split_once(" officer=\"").and_then(|(_, rest)| rest.rsplit_once("\" key=")).map(|(o, _)| o.to_string());
                let key = text.rsplit_once(" key=").map(|(_, k)| k.to_string());
                match (officer, key) {
                    (Some(officer), Some(key)) => Some(SealSignature { officer, key, sig: sig.trim().to_string(), text: text.to_string() }),
                    _ => return Err(format!("'{s}' is a signed seal without its officer and key")),
                }
            }
            _ => None,
        };
        let (seq, hash) = if s.starts_with("coop-seal/") {
            let field = |k: &str| s.split_whitespace().find_map(|w| w.strip_prefix(k)).map(str::to_string);
            (field("seq=").unwrap_or_default(), field("hash=").unwrap_or_default())
        } else {
            let (a, b) = s.split_once(':').unwrap_or((s, ""));
            (a.to_string(), b.to_string())
        };
        let seq: u64 = seq.parse().map_err(|_| format!("'{s}' is not an anchor: expected SEQ:HASH such as 1204:3f9a… or a seal line"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{s}' is not an anchor: the hash is 64 hexadecimal digits"));
        }
        Ok(Anchor { seq, hash: hash.to_ascii_lowercase(), signed })
    }
}

/// Checks an export file's chain as it reads it (as `import_events` does, writing nothing) and
/// returns its head and the anchors that fail against it.
pub fn check_export_anchors<R: Read>(input: R, anchors: &[Anchor]) -> Result<(Head, Vec<(Anchor, String)>)> {
    let mut pass = ImportPass::start(BufReader::new(input))?;
    let mut hashes = std::collections::BTreeMap::new();
    let wanted: std::collections::BTreeSet<u64> = anchors.iter().map(|a| a.seq).collect();
    let mut registered = Vec::new();
    while let Some(env) = pass.next_record()? {
        if wanted.contains(&env.seq) {
            hashes.insert(env.seq, env.hash.clone());
        }
        if let Event::OfficerKeyRegistered { person, public_key } = env.event {
            registered.push((person, public_key));
        }
    }
    let head = pass.finish()?;
    let failed = anchors
        .iter()
        .filter_map(|a| match hashes.get(&a.seq) {
            _ if a.signature_problem(&registered).is_some() => a.signature_problem(&registered).map(|p| (a.clone(), p)),
            Some(h) if *h == a.hash => None,
            Some(h) => Some((a.clone(), format!("event {} has hash {h}, not {}: the log was rewritten", a.seq, a.hash))),
            None => {
                Some((a.clone(), format!("the export has no event {} (it holds {}): it was cut short or rolled back", a.seq, head.seq)))
            }
        })
        .collect();
    Ok((head, failed))
}
