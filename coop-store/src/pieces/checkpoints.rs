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
//! Members are many and touched by most events: a checkpoint keeps those it holds in one
//! compressed block (`M` followed by `S`), sorted by number with an index, which the store
//! keeps where it keeps the log's sealed packs (the packs file beside a sled database): one
//! sequential write instead of thousands of values in the tree. A member as of `S` is found in
//! the newest block not after `S` that holds it.
//!
//! A checkpoint is written in one batch (all or none) after its block. `audit verify` checks
//! every one against the fold of the log ([`Check`]), and `audit repair` writes them again.

use std::cell::RefCell;

use super::*;
use crate::backend::{Pairs, Table, Value};

/// The key of a checkpoint's block of members (followed by its event).
const MEMBERS: &[u8] = b"M";

/// Where the store keeps the members' blocks: beside the log's sealed packs.
pub(crate) trait Blocks {
    /// Keeps a sealed block (`runs::seal`); returns what the table keeps for it.
    fn put(&self, sealed: Vec<u8>) -> Result<Vec<u8>>;
    /// The block a table's value stands for, decompressed.
    fn get(&self, kept: &[u8]) -> Result<Vec<u8>>;
}

/// A block of members built as they are encoded, in place: the index's room made first, each
/// value appended as it comes (a checkpoint after a register's import holds 100,000 members:
/// never a value apart for each, nor the block copied once built).
struct Building {
    out: Vec<u8>,
    /// Index entries made room for.
    slots: usize,
    /// Members pushed.
    count: usize,
}

impl Building {
    /// Room for `slots` members (a member takes about 128 bytes).
    fn with_room(slots: usize) -> Building {
        let mut out = Vec::with_capacity(4 + slots * (8 + 128));
        out.resize(4 + slots * 8, 0);
        Building { out, slots, count: 0 }
    }
    fn push(&mut self, n: u32, value: &[u8]) {
        if self.count == self.slots {
            // More members than made room for: one more entry, before the values.
            let at = 4 + self.slots * 8;
            self.out.splice(at..at, [0; 8]);
            self.slots += 1;
        }
        self.out.extend_from_slice(value);
        let end = (self.out.len() - 4 - self.slots * 8) as u32;
        let at = 4 + self.count * 8;
        self.out[at..at + 4].copy_from_slice(&n.to_be_bytes());
        self.out[at + 4..at + 8].copy_from_slice(&end.to_be_bytes());
        self.count += 1;
    }
    fn is_empty(&self) -> bool {
        self.count == 0
    }
    fn finish(mut self) -> Vec<u8> {
        // Fewer members than made room for: the entries left empty go.
        self.out.drain(4 + self.count * 8..4 + self.slots * 8);
        self.out[..4].copy_from_slice(&(self.count as u32).to_be_bytes());
        self.out
    }
}

/// A block of members read back: `n`, then `n` (number, end of its value) pairs, then the
/// values, all numbers big-endian `u32`, members in increasing number.
struct Block(Vec<u8>);

impl Block {
    fn u32_at(&self, at: usize) -> Option<u32> {
        self.0.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn len(&self) -> usize {
        self.u32_at(0).unwrap_or(0) as usize
    }
    fn entry(&self, i: usize) -> Result<(u32, &[u8])> {
        let damaged = || Error::Integrity { seq: 0, reason: "a checkpoint's block of members is damaged".into() };
        let n = self.u32_at(4 + i * 8).ok_or_else(damaged)?;
        let end = self.u32_at(8 + i * 8).ok_or_else(damaged)? as usize;
        let start = if i == 0 { 0 } else { self.u32_at(i * 8).ok_or_else(damaged)? as usize };
        let base = 4 + self.len() * 8;
        let value = self.0.get(base + start..base + end).ok_or_else(damaged)?;
        Ok((n, value))
    }
    fn find(&self, n: u32) -> Result<Option<&[u8]>> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (m, v) = self.entry(mid)?;
            match m.cmp(&n) {
                std::cmp::Ordering::Equal => return Ok(Some(v)),
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        Ok(None)
    }
}

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
/// `state` (the state after event `head.seq`), the members in one block kept by `blocks`.
pub(crate) fn write(table: &dyn Table, blocks: &dyn Blocks, state: &State, changes: &Changes, head: &Head) -> Result<()> {
    let mut batch: crate::backend::Batch = Vec::new();
    let mut members = Building::with_room(changes.members.iter().filter(|n| state.members.contains_key(n)).count());
    encode_primary_each(state, changes, head, &mut |k, v| {
        if !v.is_empty() {
            match member_number(&k) {
                Some(n) => members.push(n, &v),
                None => batch.push((key_at(&k, head.seq), Some(v))),
            }
        }
        Ok(())
    })?;
    if !members.is_empty() {
        let kept = blocks.put(crate::runs::seal(&members.finish()))?;
        batch.push((key_at(MEMBERS, head.seq), Some(kept)));
    }
    table.apply(batch)
}

/// A checkpoint: the head it was taken at, and the latest date of the facts up to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) head: Head,
    pub(crate) latest: Option<NaiveDate>,
}

/// The last checkpoint at or before event `seq`.
pub(crate) fn last_at_or_before(table: &dyn Table, seq: u64) -> Result<Option<Mark>> {
    let Some((k, v)) = table.last_at_or_before(&key_at(GLOBALS, seq))? else { return Ok(None) };
    if k.len() != GLOBALS.len() + 8 || !k.starts_with(GLOBALS) {
        return Ok(None);
    }
    header(&k, &v).map(Some)
}

fn header(k: &[u8], v: &[u8]) -> Result<Mark> {
    let (_, at) = split(k)?;
    let g: Globals = decode("checkpoint totals", v)?;
    if g.seq != at {
        return Err(Error::Integrity { seq: at, reason: format!("the checkpoint at event {at} says it is at event {}", g.seq) });
    }
    Ok(Mark { head: Head { seq: g.seq, hash: g.hash }, latest: g.latest })
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
    table: &'t dyn Table,
    blocks: &'t dyn Blocks,
    seq: u64,
    /// The members' blocks not after `seq`, newest first: each one's event, and the block once
    /// read.
    members: RefCell<Option<Newest>>,
}

/// Blocks of members, newest first: each one's event, and the block once read.
type Newest = Vec<(u64, Option<Block>)>;

impl<'t> At<'t> {
    pub(crate) fn new(table: &'t dyn Table, blocks: &'t dyn Blocks, seq: u64) -> At<'t> {
        At { table, blocks, seq, members: RefCell::new(None) }
    }

    /// Calls `f` on each block not after `seq`, newest first, until it returns true.
    fn each_block(&self, mut f: impl FnMut(&Block) -> Result<bool>) -> Result<()> {
        let mut members = self.members.borrow_mut();
        if members.is_none() {
            let mut list = Vec::new();
            for item in self.table.scan_prefix(MEMBERS) {
                let (k, _) = item?;
                let (_, at) = split(&k)?;
                if at <= self.seq {
                    list.push((at, None));
                }
            }
            list.reverse();
            *members = Some(list);
        }
        for (at, block) in members.iter_mut().flatten() {
            if block.is_none() {
                let kept = self.table.get(&key_at(MEMBERS, *at))?.ok_or_else(|| Error::Integrity {
                    seq: *at,
                    reason: format!("the checkpoint at event {at} lost its block of members"),
                })?;
                *block = Some(Block(self.blocks.get(&kept)?));
            }
            if let Some(b) = block {
                if f(b)? {
                    break;
                }
            }
        }
        Ok(())
    }
}

impl Source for At<'_> {
    fn get(&self, piece: &[u8]) -> Result<Option<Value>> {
        if let Some(n) = member_number(piece) {
            let mut found = None;
            self.each_block(|b| {
                found = b.find(n)?.map(|v| v.to_vec());
                Ok(found.is_some())
            })?;
            return Ok(found.map(Value::Owned));
        }
        let Some((k, v)) = self.table.last_at_or_before(&key_at(piece, self.seq))? else { return Ok(None) };
        Ok((k.len() == piece.len() + 8 && k.starts_with(piece) && !v.is_empty()).then_some(v))
    }

    /// Checkpoints keep the state's pieces, not what is derived from them.
    fn taking_part(&self, _: MemberNo) -> Result<Option<Vec<String>>> {
        Ok(None)
    }

    fn scan<'s>(&'s self, tag: u8) -> Pairs<'s> {
        if tag == MEMBER {
            // Each member from the newest block that holds it.
            let mut all: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
            let read = self.each_block(|b| {
                for i in 0..b.len() {
                    let (n, v) = b.entry(i)?;
                    all.entry(n).or_insert_with(|| v.to_vec());
                }
                Ok(false)
            });
            if let Err(e) = read {
                return Box::new(std::iter::once(Err(e)));
            }
            return Box::new(all.into_iter().map(|(n, v)| Ok((Value::Owned(member_key(MemberNo(n))), Value::Owned(v)))));
        }
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

/// The pieces the events since the last checkpoint changed: what the next one holds. The members
/// are marked one bit a number (a fold marks one or two an event, where a set of numbers took a
/// tree insertion each: a twentieth of the thread that folds a verify); numbers past
/// [`Since::BITS`] (no store has that many members) go to a set.
#[derive(Default)]
pub(crate) struct Since {
    changes: Changes,
    bits: Vec<u64>,
    beyond: BTreeSet<MemberNo>,
}

impl Since {
    /// The member numbers kept as bits (2 MiB of them at most).
    const BITS: u32 = 1 << 24;

    pub(crate) fn add(&mut self, event: &Event) {
        for n in self.changes.add_but_members(event, coop_core::Touched::by(event)) {
            if n.0 >= Self::BITS {
                self.beyond.insert(n);
                continue;
            }
            let word = (n.0 / 64) as usize;
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            self.bits[word] |= 1 << (n.0 % 64);
        }
    }

    /// The changes since the last checkpoint, members included; the next ones start empty.
    pub(crate) fn take(&mut self) -> Changes {
        let mut changes = std::mem::take(&mut self.changes);
        let mut members = Vec::new();
        for (i, word) in self.bits.iter_mut().enumerate() {
            let mut w = std::mem::take(word);
            while w != 0 {
                members.push(MemberNo(i as u32 * 64 + w.trailing_zeros()));
                w &= w - 1;
            }
        }
        members.extend(std::mem::take(&mut self.beyond));
        // In increasing order: the set is built in bulk.
        changes.members = members.into_iter().collect();
        changes
    }
}

/// Writes a checkpoint every `every` events of a fold in the log's order (an import, a repair).
pub(crate) struct Writer {
    every: u64,
    last: u64,
    since: Since,
}

impl Writer {
    /// A checkpoint every `every` events (never with 0).
    pub(crate) fn new(every: u64) -> Writer {
        Writer { every, last: 0, since: Since::default() }
    }

    /// After event `seq` (its hash `hash`), `event`, was applied to `state`.
    pub(crate) fn after(
        &mut self,
        table: &dyn Table,
        blocks: &dyn Blocks,
        seq: u64,
        hash: &str,
        event: &Event,
        state: &State,
    ) -> Result<()> {
        if self.every == 0 {
            return Ok(());
        }
        self.since.add(event);
        if seq - self.last >= self.every {
            write(table, blocks, state, &self.since.take(), &Head { seq, hash: hash.to_string() })?;
            self.last = seq;
        }
        Ok(())
    }
}

/// Checks the checkpoints against a fold of the log in its order: at each one, every piece the
/// events since the one before touched must be kept there as the fold has it, and nothing else
/// may be kept.
pub(crate) struct Check<'t> {
    table: &'t dyn Table,
    blocks: &'t dyn Blocks,
    at: Vec<u64>,
    next: usize,
    since: Since,
    expected: u64,
    problem: Option<String>,
}

impl<'t> Check<'t> {
    pub(crate) fn new(table: &'t dyn Table, blocks: &'t dyn Blocks) -> Result<Check<'t>> {
        Ok(Check { table, blocks, at: all(table)?, next: 0, since: Since::default(), expected: 0, problem: None })
    }

    /// After event `seq` (its hash `hash`), `event`, was applied to `state`.
    pub(crate) fn after(&mut self, seq: u64, hash: &[u8; 32], event: &Event, state: &State) -> Result<()> {
        if self.at.is_empty() || self.problem.is_some() {
            return Ok(());
        }
        self.since.add(event);
        if self.at.get(self.next) != Some(&seq) {
            return Ok(());
        }
        self.next += 1;
        let head = &Head { seq, hash: coop_core::digest_hex(hash) };
        let at = At::new(self.table, self.blocks, seq);
        let kept = match self.table.get(&key_at(MEMBERS, seq))? {
            Some(kept) => Some(Block(self.blocks.get(&kept)?)),
            None => None,
        };
        // Each piece compared as it is encoded; the members with the block's entries in turn,
        // never a block built to compare whole.
        let (mut members, mut values, mut others) = (0usize, 0usize, 0u64);
        let mut differing: Option<String> = None;
        encode_primary_each(state, &self.since.take(), head, &mut |piece, value| {
            if differing.is_some() {
                return Ok(());
            }
            if let (Some(n), false) = (member_number(&piece), value.is_empty()) {
                let same = kept.as_ref().is_some_and(|b| members < b.len() && b.entry(members).ok() == Some((n, value.as_slice())));
                if !same {
                    differing = Some(format!("member {n}"));
                }
                members += 1;
                values += value.len();
                return Ok(());
            }
            let kept = if value.is_empty() { at.get(&piece)? } else { self.table.get(&key_at(&piece, seq))? };
            others += u64::from(!value.is_empty());
            if kept.as_deref().unwrap_or_default() != value.as_slice() {
                differing = Some(describe(&piece));
            }
            Ok(())
        })?;
        self.expected += others + u64::from(members > 0);
        // Every entry matched: the block is the one they make if it has no other entry and no
        // other byte (its entries' ends follow from their values).
        let whole = match &kept {
            None => members == 0,
            Some(b) => members > 0 && b.len() == members && b.0.len() == 4 + 8 * members + values,
        };
        if differing.is_none() && !whole {
            differing = Some("its members".into());
        }
        if let Some(what) = differing {
            self.problem = Some(format!("the checkpoint at event {seq} does not hold {what} as the log has it"));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks kept in the table itself, as a temporary store keeps its packs.
    struct InTable;

    impl Blocks for InTable {
        fn put(&self, sealed: Vec<u8>) -> Result<Vec<u8>> {
            Ok(sealed)
        }
        fn get(&self, kept: &[u8]) -> Result<Vec<u8>> {
            crate::runs::open(kept).map(std::borrow::Cow::into_owned).map_err(|reason| Error::Integrity { seq: 0, reason })
        }
    }

    /// The checkpoints written along a fold check against it; a block of members that holds
    /// every member the fold gives, and one entry more, or one byte more, does not.
    #[test]
    fn a_block_with_an_entry_or_a_byte_more_than_the_fold_gives_is_found() {
        use coop_core::{Event, MemberNo, PartyKind, Statutes};
        let day = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let statutes = Statutes::from_toml(coop_core::SAMPLE_STATUTES).unwrap();
        let mut events = vec![Event::StatutesAdopted { statutes: Box::new(statutes), decided_by: None, sha256: None }];
        events.extend((1..=5u32).map(|n| Event::MemberAdmitted {
            party: ulid::Ulid(u128::from(n) << 80 | 7),
            number: MemberNo(n),
            kind: PartyKind::Person,
            category: "employees".into(),
            personal_digest: "ab".repeat(32),
        }));
        let db = sled::Config::new().temporary(true).open().unwrap();
        let table = crate::backend::sled::SledTable(db.open_tree("checkpoints").unwrap());
        let fold = |check: &mut dyn FnMut(u64, &Event, &State)| {
            let mut state = State::default();
            for (i, e) in events.iter().enumerate() {
                state.apply(day, e).unwrap();
                check(i as u64 + 1, e, &state);
            }
        };
        let mut writer = Writer::new(3);
        fold(&mut |seq, e, state| writer.after(&table, &InTable, seq, &format!("{seq:064}"), e, state).unwrap());
        let checked = || {
            let mut check = Check::new(&table, &InTable).unwrap();
            fold(&mut |seq, e, state| {
                check.after(seq, &coop_core::digest_bytes(format!("{seq:064}").as_bytes()).unwrap(), e, state).unwrap()
            });
            check.finish().unwrap()
        };
        assert_eq!(checked(), None);
        let key = key_at(MEMBERS, 6);
        let block = InTable.get(&table.get(&key).unwrap().unwrap()).unwrap();
        let members: Vec<(u32, Vec<u8>)> =
            (0..Block(block.clone()).len()).map(|i| Block(block.clone()).entry(i).map(|(n, v)| (n, v.to_vec())).unwrap()).collect();
        assert_eq!(members.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 4, 5], "the members admitted by events 4 to 6");
        let one_more = {
            let mut b = Building::with_room(3);
            members.iter().chain([&(9, b"x".to_vec())]).for_each(|(n, v)| b.push(*n, v));
            b.finish()
        };
        for damaged in [one_more, [block.as_slice(), b"!"].concat()] {
            table.insert(&key, &crate::runs::seal(&damaged)).unwrap();
            let problem = checked().unwrap_or_default();
            assert!(problem.contains("checkpoint at event 6 does not hold its members"), "{problem}");
        }
    }

    /// The members marked since the last checkpoint come out once each, in order, whether kept
    /// as bits or past them; the next checkpoint starts empty.
    #[test]
    fn the_members_since_a_checkpoint_come_out_once_each_in_order() {
        let paid = |n| Event::SharesPaid { member: MemberNo(n), amount_cents: coop_core::Cents(1) };
        let far = Since::BITS + 5;
        let mut since = Since::default();
        for e in [paid(65), paid(3), paid(far), paid(64), paid(3), paid(0), paid(far - 6)] {
            since.add(&e);
        }
        since.add(&Event::MemberMoved { member: MemberNo(63), from: "a".into(), to: "b".into() });
        let changes = since.take();
        assert_eq!(changes.members.iter().map(|n| n.0).collect::<Vec<_>>(), [0, 3, 63, 64, 65, far - 6, far]);
        assert!(since.take().members.is_empty(), "taken: the next checkpoint starts empty");
        since.add(&paid(64));
        assert_eq!(since.take().members.iter().map(|n| n.0).collect::<Vec<_>>(), [64]);
    }

    /// A block is the same whatever room was made for it: too little, too much, or just enough;
    /// each member is found in it by number.
    #[test]
    fn a_block_is_the_same_whatever_room_was_made_and_finds_each_member() {
        let members: Vec<(u32, Vec<u8>)> = vec![(2, b"two".to_vec()), (5, Vec::new()), (9, b"nine!".to_vec())];
        let mut expected = 3u32.to_be_bytes().to_vec();
        for (n, end) in [(2u32, 3u32), (5, 3), (9, 8)] {
            expected.extend_from_slice(&n.to_be_bytes());
            expected.extend_from_slice(&end.to_be_bytes());
        }
        expected.extend_from_slice(b"twonine!");
        for room in [0, 1, 3, 7] {
            let mut built = Building::with_room(room);
            for (n, v) in &members {
                built.push(*n, v);
            }
            assert_eq!(built.finish(), expected, "room for {room}");
        }
        let block = Block(expected);
        assert_eq!(block.len(), 3);
        for (n, v) in &members {
            assert_eq!(block.find(*n).unwrap(), Some(v.as_slice()));
        }
        assert_eq!(block.find(4).unwrap(), None);
        assert!(Building::with_room(4).is_empty());
    }
}
