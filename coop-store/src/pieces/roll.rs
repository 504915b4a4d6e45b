//! The roll: every member's standing (party, admission, end, category over time) kept apart
//! from the member pieces, in chunks of [`CHUNK`] members by register number.
//!
//! A member's piece carries its shares, mandates and representatives: reading 100,000 of them
//! to learn who was a member in which category on a date (what the involvement report needs)
//! decodes every lot. The roll holds only the standing, dates as day numbers and categories as
//! indexes into the chunk's list of codes, so such a report reads a few hundred values of a few
//! kilobytes and allocates almost nothing per member.
//!
//! A chunk is written whole from the state after a batch, whenever one of its members' pieces
//! is: the roll is always that of the member pieces (`audit verify` compares them).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use coop_core::{Member, MemberNo, PartyId, State};
use serde::{Deserialize, Serialize};

use crate::backend::{Table, Value};
use crate::{Error, Result};

/// The tag of the roll's keys (in the members' table), followed by the chunk's number.
pub(super) const ROLL: u8 = b'l';

/// Members per chunk: a command rewrites one chunk (a few kilobytes) beside its member's piece.
const CHUNK: u32 = 256;

/// The chunks a whole roll is read with room made for at once: 400 (100,000 members).
pub(super) const ROOM_FOR_CHUNKS: usize = 400;

/// One chunk as stored: the category codes its rows use, and the rows.
#[derive(Debug, Serialize, Deserialize)]
struct Chunk {
    codes: Vec<String>,
    rows: Vec<Row>,
}

/// One member's standing as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    number: u32,
    party: u128,
    admitted: i32,
    ended: Option<i32>,
    category: u16,
    /// The categories over time, when it is more than the one it has always been in.
    history: Vec<(i32, u16)>,
}

/// One member's standing as the roll holds it: 28 bytes (a report reads 100,000 of them into
/// fresh memory, whose first touch is most of what it costs), its category and history as
/// indexes into the roll's codes and histories, its party apart (read only when asked).
#[derive(Clone, Debug)]
struct Held {
    number: MemberNo,
    /// Dates as day numbers (see [`day`]), as stored: nothing to convert when read.
    admitted: i32,
    ended: Option<i32>,
    category: u16,
    /// Its categories over time, `histories[at..at + len]`, when it is more than the one it
    /// has always been in.
    history: (u32, u32),
}

/// One member's standing: what the involvement report needs to know of a member on a date.
#[derive(Clone, Copy, Debug)]
pub struct RollEntry<'r> {
    held: &'r Held,
    /// Its place in its run (that of its party too).
    at: usize,
    run: &'r Run,
}

impl<'r> RollEntry<'r> {
    /// The member's party (its name is kept beside the log under it), if the roll was read
    /// with the parties (see [`crate::Store::state_part_with_roll`]).
    pub fn party(&self) -> Option<PartyId> {
        self.run.parties.get(self.at).map(|p| PartyId::from(u128::from_be_bytes(*p)))
    }

    fn code(&self, i: u16) -> &'r str {
        // Every index was checked against the codes when the roll was built.
        self.run.codes.get(usize::from(i)).map_or("", |c| &**c)
    }

    fn history(&self) -> impl DoubleEndedIterator<Item = (i32, &'r str)> + use<'r> {
        let (at, len) = self.held.history;
        let this = *self;
        self.run.histories.get(at as usize..(at + len) as usize).unwrap_or_default().iter().map(move |(d, c)| (*d, this.code(*c)))
    }
}

/// Two entries are equal when they say the same of the same member, whatever their indexes.
impl PartialEq for RollEntry<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.held, other.held);
        a.number == b.number
            && self.party() == other.party()
            && a.admitted == b.admitted
            && a.ended == b.ended
            && self.code(a.category) == other.code(b.category)
            && self.history().eq(other.history())
    }
}

impl<'r> coop_core::Standing<'r> for RollEntry<'r> {
    fn number(self) -> MemberNo {
        self.held.number
    }
    fn member_on(self, date: NaiveDate) -> bool {
        let date = day(date);
        self.held.admitted <= date && self.held.ended.is_none_or(|e| e > date)
    }
    fn category_on(self, date: NaiveDate) -> &'r str {
        let date = day(date);
        self.history().rev().find(|(d, _)| *d <= date).map_or_else(|| self.code(self.held.category), |(_, c)| c)
    }
}

/// Every member's standing, in register order (see the module's documentation): in runs of
/// consecutive chunks as they were read (by two threads, a group of chunks at a time), kept
/// apart rather than copied into one (joining 100,000 standings into fresh memory cost the
/// involvement report 3 ms).
#[derive(Clone, Debug, Default)]
pub struct Roll {
    /// In order, none empty, each numbered after the one before.
    runs: Vec<Run>,
}

/// The standings of consecutive chunks.
#[derive(Clone, Debug, Default)]
struct Run {
    held: Vec<Held>,
    /// The members' parties, in the same order, when the roll was read with them; else empty.
    parties: Vec<[u8; 16]>,
    /// The category codes, each once.
    codes: Vec<Arc<str>>,
    /// The members' categories over time (day, code), each member's in one run.
    histories: Vec<(i32, u16)>,
}

/// Two rolls are equal when they hold the same standings.
impl PartialEq for Roll {
    fn eq(&self, other: &Self) -> bool {
        use coop_core::Roll as _;
        self.standings().eq(other.standings())
    }
}

impl coop_core::Roll for Roll {
    type Entry<'r> = RollEntry<'r>;
    fn standing(&self, n: MemberNo) -> Option<RollEntry<'_>> {
        // The run that holds it: the first whose last member is not numbered before it.
        let run = self.runs.get(self.runs.partition_point(|r| r.held.last().is_some_and(|h| h.number < n)))?;
        // Numbers are given in order and rarely retired: member n is usually at n - first.
        let first = run.held.first()?.number.0;
        let at =
            n.0.checked_sub(first)
                .map(|i| i as usize)
                .filter(|i| run.held.get(*i).is_some_and(|h| h.number == n))
                .or_else(|| run.held.binary_search_by_key(&n, |h| h.number).ok())?;
        Some(RollEntry { held: &run.held[at], at, run })
    }
    fn standings(&self) -> impl Iterator<Item = RollEntry<'_>> {
        self.runs.iter().flat_map(|run| run.held.iter().enumerate().map(move |(at, held)| RollEntry { held, at, run }))
    }
}

impl Roll {
    /// The standings of the members of `state`.
    pub fn of(state: &State) -> Roll {
        let mut run = Run::default();
        for m in state.members.values() {
            let category = run.code(&m.category);
            let at = run.histories.len() as u32;
            if !plain(m) {
                for (d, c) in &m.categories {
                    let c = run.code(c);
                    run.histories.push((day(*d), c));
                }
            }
            let len = run.histories.len() as u32 - at;
            run.parties.push(u128::from(m.party).to_be_bytes());
            run.held.push(Held {
                number: m.number,
                admitted: day(m.admitted),
                ended: m.ended.map(|e| day(e.date)),
                category,
                history: (at, len),
            });
        }
        Roll::from(run)
    }

    /// This roll followed by `more`, the standings of members numbered after all of this one's
    /// (read from the chunks that follow).
    #[cfg(test)]
    pub(super) fn append(self, more: Roll) -> Result<Roll> {
        Roll::joined(vec![self, more])
    }

    /// The rolls read from consecutive runs of chunks, in order, as one: their runs kept as
    /// they are. Runs out of order (or overlapping) are refused.
    pub(super) fn joined(parts: Vec<Roll>) -> Result<Roll> {
        let mut runs: Vec<Run> = Vec::with_capacity(parts.iter().map(|p| p.runs.len()).sum());
        for run in parts.into_iter().flat_map(|p| p.runs) {
            if let (Some(last), Some(next)) = (runs.last().and_then(|r| r.held.last()), run.held.first()) {
                if next.number <= last.number {
                    return Err(bad(format!("member {} out of order", next.number)));
                }
            }
            runs.push(run);
        }
        Ok(Roll { runs })
    }
}

impl From<Run> for Roll {
    fn from(run: Run) -> Roll {
        Roll { runs: if run.held.is_empty() { Vec::new() } else { vec![run] } }
    }
}

impl Run {
    /// The index of `code` in the roll's codes, added if new. A roll's codes are its statutes'
    /// categories, a handful; past 65,536 the last index is reused, which no statutes reach.
    fn code(&mut self, code: &str) -> u16 {
        let i = self.codes.iter().position(|c| **c == *code).unwrap_or_else(|| {
            self.codes.push(Arc::from(code));
            self.codes.len() - 1
        });
        u16::try_from(i).unwrap_or(u16::MAX)
    }
}

/// Whether `m` has always been in its category (its history says nothing more).
fn plain(m: &Member) -> bool {
    m.categories.iter().all(|(_, c)| *c == m.category)
}

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn bad(reason: String) -> Error {
    Error::Integrity { seq: 0, reason: format!("unreadable state piece (roll): {reason}") }
}

fn chunk_key(chunk: u32) -> Vec<u8> {
    let mut k = vec![ROLL];
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

/// The stored chunks from number `from` (included) to `to` (excluded; the last if none), in
/// order, from the members' table.
pub(super) fn chunks(members: &dyn Table, from: u32, to: Option<u32>) -> impl Iterator<Item = Result<Value>> + '_ {
    let to = to.map(chunk_key);
    members
        .range_from(&chunk_key(from))
        .take_while(move |item| match item {
            Ok((k, _)) => k.first() == Some(&ROLL) && to.as_ref().is_none_or(|to| k.as_ref() < to.as_slice()),
            Err(_) => true,
        })
        .map(|item| item.map(|(_, v)| v))
}

/// The number of the last chunk stored, if any.
pub(super) fn last_chunk(members: &dyn Table) -> Result<Option<u32>> {
    Ok(match members.last_at_or_before(&chunk_key(u32::MAX))? {
        Some((k, _)) if k.first() == Some(&ROLL) => k.get(1..5).and_then(|n| n.try_into().ok()).map(u32::from_be_bytes),
        _ => None,
    })
}

fn encode_chunk<'a>(members: impl Iterator<Item = &'a Member>) -> Result<Vec<u8>> {
    let mut codes: Vec<String> = Vec::new();
    let mut index = |code: &str| -> Result<u16> {
        let i = codes.iter().position(|c| c == code).unwrap_or_else(|| {
            codes.push(code.to_string());
            codes.len() - 1
        });
        u16::try_from(i).map_err(|_| bad("more than 65,536 categories in one chunk".into()))
    };
    let mut rows = Vec::new();
    for m in members {
        rows.push(Row {
            number: m.number.0,
            party: u128::from(m.party),
            admitted: day(m.admitted),
            ended: m.ended.map(|e| day(e.date)),
            category: index(&m.category)?,
            history: if plain(m) {
                Vec::new()
            } else {
                m.categories.iter().map(|(d, c)| Ok((day(*d), index(c)?))).collect::<Result<_>>()?
            },
        });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    super::binary(&Chunk { codes, rows })
}

/// The chunks to write after `members` changed, from `state` (which holds every member): empty
/// for a chunk that no longer has any member (the store removes it).
pub(super) fn encode<'a>(state: &State, members: impl IntoIterator<Item = &'a MemberNo>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let chunks: BTreeSet<u32> = members.into_iter().map(|n| n.0 / CHUNK).collect();
    chunks
        .into_iter()
        .map(|c| {
            let in_chunk = state.members.range(MemberNo(c * CHUNK)..).take_while(|(n, _)| n.0 / CHUNK == c).map(|(_, m)| m);
            Ok((chunk_key(c), encode_chunk(in_chunk)?))
        })
        .collect()
}

/// The roll from its stored chunks, in key order.
///
/// A chunk is written with postcard (see [`Chunk`]) and read here by hand, straight into the
/// roll's entries: decoding it through serde built a `Vec<Row>` per chunk and took 12 ms for
/// 100,000 members, most of what the involvement report spends above `capital`. The format is
/// postcard's (unsigned integers as LEB128 varints, signed ones zigzagged first, an option as
/// a 0 or 1 byte before its value, a sequence or a string as its length first); anything else,
/// including bytes left over, is an integrity failure.
pub(super) fn decode<V: AsRef<[u8]>>(chunks: impl Iterator<Item = Result<V>>, parties: bool, room_for_chunks: usize) -> Result<Roll> {
    let mut run = Run::default();
    // Each chunk's codes, as indexes into the roll's.
    let mut codes: Vec<u16> = Vec::new();
    for value in chunks {
        let value = value?;
        let mut r = Reader(value.as_ref());
        codes.clear();
        for _ in 0..r.len()? {
            let code = r.str()?;
            codes.push(run.code(code));
        }
        let code = |i: u16| codes.get(usize::from(i)).copied().ok_or_else(|| bad(format!("category {i} of {}", codes.len())));
        let rows = r.len()?;
        if run.held.is_empty() {
            // Room for as many chunks as it is likely to read at once, not grown by doubling:
            // room never touched takes no memory.
            run.held.reserve(rows * room_for_chunks);
            if parties {
                run.parties.reserve(rows * room_for_chunks);
            }
        }
        for _ in 0..rows {
            let number = MemberNo(r.u32()?);
            if run.held.last().is_some_and(|h| h.number >= number) {
                return Err(bad(format!("member {number} out of order")));
            }
            // A party is 19 of a row's 28 bytes: skipped unless asked for.
            if parties {
                let party = r.u128()?.to_be_bytes();
                run.parties.push(party);
            } else {
                r.skip_u128()?;
            }
            let admitted = r.i32()?;
            let ended = r.option(Reader::i32)?;
            let category = code(r.u16()?)?;
            let at = run.histories.len() as u32;
            for _ in 0..r.len()? {
                let change = (r.i32()?, code(r.u16()?)?);
                run.histories.push(change);
            }
            let len = run.histories.len() as u32 - at;
            run.held.push(Held { number, admitted, ended, category, history: (at, len) });
        }
        if !r.0.is_empty() {
            return Err(bad(format!("{} bytes after the last member", r.0.len())));
        }
    }
    Ok(Roll::from(run))
}

/// Reads postcard's encoding of a chunk (see [`decode`]).
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    /// An unsigned LEB128 varint of a type `BITS` wide (at most 64): at most as many bytes as
    /// that needs, and no bits beyond it. Most are one byte (a code, a length, a tag).
    #[inline]
    fn varint<const BITS: u32>(&mut self) -> Result<u64> {
        match self.0.split_first() {
            Some((&byte, rest)) if byte < 0x80 => {
                self.0 = rest;
                Ok(u64::from(byte))
            }
            _ => self.long_varint::<BITS>(),
        }
    }

    fn long_varint<const BITS: u32>(&mut self) -> Result<u64> {
        let most = BITS.div_ceil(7) as usize;
        let Some(last) = self.0.iter().take(most).position(|b| b & 0x80 == 0) else {
            return Err(bad(if self.0.len() < most { "cut short" } else { "a number longer than its type" }.into()));
        };
        let (number, rest) = self.0.split_at(last + 1);
        self.0 = rest;
        let top = 7 * last as u32;
        if top + 7 > BITS && u64::from(number[last]) >> (BITS - top) != 0 {
            return Err(bad("a number too large for its type".into()));
        }
        Ok(number.iter().enumerate().fold(0, |v, (i, b)| v | u64::from(b & 0x7f) << (7 * i)))
    }

    /// A u128 as a varint: its low 63 bits in up to nine bytes, then the rest as a varint of
    /// the 65 bits left.
    fn u128(&mut self) -> Result<u128> {
        let low = self.0.iter().take(9).position(|b| b & 0x80 == 0);
        match low {
            Some(_) => Ok(u128::from(self.varint::<63>()?)),
            None if self.0.len() < 9 => Err(bad("cut short".into())),
            None => {
                let (first, rest) = self.0.split_at(9);
                self.0 = rest;
                let low = first.iter().enumerate().fold(0u64, |v, (i, b)| v | u64::from(b & 0x7f) << (7 * i));
                // The ten bytes left hold 65 bits at most: the first nine 63, the tenth 2.
                let high = match self.0.iter().take(10).position(|b| b & 0x80 == 0) {
                    Some(9) if self.0[9] >> 2 != 0 => return Err(bad("a number too large for its type".into())),
                    Some(last) => {
                        let (number, rest) = self.0.split_at(last + 1);
                        self.0 = rest;
                        number.iter().enumerate().fold(0u128, |v, (i, b)| v | u128::from(b & 0x7f) << (7 * i))
                    }
                    None => return Err(bad("a number longer than its type".into())),
                };
                Ok(u128::from(low) | high << 63)
            }
        }
    }

    /// Passes over a u128 as [`Reader::u128`] reads it, refusing what it refuses.
    fn skip_u128(&mut self) -> Result<()> {
        // A party's id takes all nineteen bytes: the first sixteen are looked at at once (their
        // high bits, for the first that ends the number), the last three one by one.
        let end = match self.0.first_chunk::<16>() {
            Some(first) => match !u128::from_le_bytes(*first) & u128::from_le_bytes([0x80; 16]) {
                0 => self.0.iter().take(19).skip(16).position(|b| b & 0x80 == 0).map(|p| p + 16),
                stops => Some((stops.trailing_zeros() / 8) as usize),
            },
            None => self.0.iter().take(19).position(|b| b & 0x80 == 0),
        };
        match end {
            Some(18) if self.0[18] >> 2 != 0 => Err(bad("a number too large for its type".into())),
            Some(last) => {
                self.0 = &self.0[last + 1..];
                Ok(())
            }
            None if self.0.len() < 19 => Err(bad("cut short".into())),
            None => Err(bad("a number longer than its type".into())),
        }
    }

    #[inline]
    fn u32(&mut self) -> Result<u32> {
        Ok(self.varint::<{ u32::BITS }>()? as u32)
    }

    #[inline]
    fn u16(&mut self) -> Result<u16> {
        Ok(self.varint::<{ u16::BITS }>()? as u16)
    }

    #[inline]
    fn i32(&mut self) -> Result<i32> {
        let z = self.u32()?;
        Ok((z >> 1) as i32 ^ -((z & 1) as i32))
    }

    /// A sequence's or a string's length (a usize, as postcard writes it: 64 bits at most), no
    /// more than the bytes left could hold.
    #[inline]
    fn len(&mut self) -> Result<usize> {
        let n = self.varint::<{ u64::BITS }>()?;
        usize::try_from(n).ok().filter(|n| *n <= self.0.len()).ok_or_else(|| bad(format!("a length of {n} in {} bytes", self.0.len())))
    }

    fn str(&mut self) -> Result<&str> {
        let n = self.len()?;
        let (text, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(text).map_err(|_| bad("a category code that is not UTF-8".into()))
    }

    #[inline]
    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        let Some((&tag, rest)) = self.0.split_first() else {
            return Err(bad("cut short".into()));
        };
        self.0 = rest;
        match tag {
            0 => Ok(None),
            1 => read(self).map(Some),
            t => Err(bad(format!("an option tagged {t}"))),
        }
    }
}

/// The members whose standing in `kept` differs from their record in `rebuilt`, or who are in
/// only one of them.
pub(super) fn differing(kept: &Roll, rebuilt: &State) -> Vec<MemberNo> {
    use coop_core::{Roll as _, Standing as _};
    let mut kept: std::collections::BTreeMap<MemberNo, RollEntry<'_>> = kept.standings().map(|e| (e.number(), e)).collect();
    let rebuilt = Roll::of(rebuilt);
    let mut out: Vec<MemberNo> = rebuilt.standings().filter(|e| kept.remove(&e.number()) != Some(*e)).map(|e| e.number()).collect();
    out.extend(kept.into_keys());
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use coop_core::{EndCause, Ended, PartyKind, Roll as _, Standing as _};

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn member(n: u32) -> Member {
        Member {
            number: MemberNo(n),
            party: ulid::Ulid::from_parts(u64::from(n), 7),
            kind: PartyKind::Organisation,
            category: "users".into(),
            admitted: d("2021-03-01"),
            ended: (n == 255).then(|| Ended { date: d("2024-12-31"), cause: EndCause::Withdrawal }),
            flagged_since: None,
            lots: Vec::new(),
            last_date: d("2024-12-31"),
            personal_digest: String::new(),
            categories: if n == 255 {
                vec![(d("2021-03-01"), "workers".into()), (d("2023-01-01"), "users".into())]
            } else {
                vec![(d("2021-03-01"), "users".into())]
            },
            erased: None,
            representatives: Vec::new(),
            mandates: Vec::new(),
        }
    }

    #[test]
    fn the_roll_reads_back_each_members_standing_on_any_date() {
        let mut state = State::default();
        for n in [1u32, 255, 256, 700] {
            state.members.insert(MemberNo(n), member(n));
        }
        let pairs = encode(&state, &[MemberNo(1), MemberNo(700)]).unwrap();
        // Members 1 and 255 share chunk 0; 256 is in chunk 1, not asked for; 700 in chunk 2.
        assert_eq!(pairs.iter().map(|(k, _)| k[1..].to_vec()).collect::<Vec<_>>(), vec![vec![0, 0, 0, 0], vec![0, 0, 0, 2]]);
        let roll = decode(pairs.iter().map(|(_, v)| Ok(v)), true, 1).unwrap();
        assert_eq!(roll.standings().map(|e| e.number().0).collect::<Vec<_>>(), vec![1, 255, 700]);
        for e in roll.standings() {
            let m = &state.members[&e.number()];
            assert_eq!(e.party(), Some(m.party));
            for on in ["2021-02-28", "2021-03-01", "2022-06-01", "2023-01-01", "2024-12-30", "2024-12-31", "2030-01-01"] {
                assert_eq!(e.member_on(d(on)), m.member_on(d(on)), "member {} on {on}", e.number());
                assert_eq!(e.category_on(d(on)), m.category_on(d(on)), "member {} on {on}", e.number());
            }
        }
        assert_eq!(roll.standing(MemberNo(255)).unwrap().category_on(d("2022-06-01")), "workers");
        assert!(roll.standing(MemberNo(256)).is_none());
        // What is read back is what the state says: nothing differs.
        let whole = decode(encode(&state, state.members.keys()).unwrap().iter().map(|(_, v)| Ok(v)), true, 1).unwrap();
        assert_eq!(whole, Roll::of(&state));
        assert!(differing(&whole, &state).is_empty());
        // A member whose category changed, one missing, one unknown: each is named.
        let mut other = state.clone();
        other.members.get_mut(&MemberNo(1)).unwrap().categories.push((d("2024-01-01"), "workers".into()));
        other.members.remove(&MemberNo(256));
        other.members.insert(MemberNo(900), member(900));
        assert_eq!(differing(&whole, &other), vec![MemberNo(1), MemberNo(256), MemberNo(900)]);
        // A chunk whose members are all gone is written empty: the store removes it.
        state.members.remove(&MemberNo(700));
        assert_eq!(encode(&state, &[MemberNo(700)]).unwrap(), vec![(vec![ROLL, 0, 0, 0, 2], Vec::new())]);
    }

    /// A roll read in parts (on two threads, see `load_with_roll_on_two_threads`) and put
    /// together is the roll read at once, wherever it is split; parts out of order are refused.
    #[test]
    fn a_roll_read_in_two_parts_and_appended_is_the_roll_read_at_once() {
        let mut state = State::default();
        for n in [1u32, 255, 256, 300, 700, 1000, 1030] {
            let mut m = member(n);
            if n == 700 {
                m.category = "partners".into();
                m.categories =
                    vec![(d("2021-03-01"), "partners".into()), (d("2022-01-01"), "workers".into()), (d("2023-01-01"), "partners".into())];
            }
            state.members.insert(MemberNo(n), m);
        }
        let chunks = encode(&state, state.members.keys()).unwrap();
        assert_eq!(chunks.len(), 5, "members in chunks 0, 1, 2, 3 and 4");
        for parties in [true, false] {
            let whole = decode(chunks.iter().map(|(_, v)| Ok(v)), parties, 1).unwrap();
            assert_eq!(whole.standings().count(), 7);
            for at in 0..=chunks.len() {
                let first = decode(chunks[..at].iter().map(|(_, v)| Ok(v)), parties, 1).unwrap();
                let later = decode(chunks[at..].iter().map(|(_, v)| Ok(v)), parties, 1).unwrap();
                let joined = first.append(later).unwrap();
                assert_eq!(joined, whole, "split at chunk {at}");
                assert_eq!(joined.standing(MemberNo(700)).unwrap().category_on(d("2022-06-01")), "workers");
                assert_eq!(joined.standing(MemberNo(1030)).unwrap().party(), parties.then(|| state.members[&MemberNo(1030)].party));
            }
            // Each chunk read alone (as the groups two threads take in turn), joined in order.
            let each = |c: &[(Vec<u8>, Vec<u8>)]| c.iter().map(|(_, v)| decode(std::iter::once(Ok(v)), parties, 1).unwrap()).collect();
            let joined = Roll::joined(each(&chunks)).unwrap();
            assert_eq!(joined, whole);
            assert_eq!(joined.standing(MemberNo(700)).unwrap().category_on(d("2022-06-01")), "workers");
            assert_eq!(joined.standing(MemberNo(1030)).unwrap().party(), parties.then(|| state.members[&MemberNo(1030)].party));
            let mut reversed: Vec<Roll> = each(&chunks);
            reversed.reverse();
            assert!(matches!(Roll::joined(reversed), Err(Error::Integrity { .. })));
            // The later part first: refused.
            let first = decode(chunks[..2].iter().map(|(_, v)| Ok(v)), parties, 1).unwrap();
            let later = decode(chunks[2..].iter().map(|(_, v)| Ok(v)), parties, 1).unwrap();
            assert!(matches!(later.append(first), Err(Error::Integrity { .. })));
        }
    }

    #[test]
    fn a_damaged_chunk_is_an_integrity_failure() {
        let mut state = State::default();
        state.members.insert(MemberNo(3), member(3));
        let (_, v) = encode(&state, &[MemberNo(3)]).unwrap().remove(0);
        let cut = &v[..v.len() - 2];
        assert!(matches!(decode(std::iter::once(Ok(cut)), true, 1), Err(Error::Integrity { .. })));
        // The same chunk twice: member 3 out of order.
        let twice = decode([Ok(&v), Ok(&v)].into_iter(), true, 1);
        assert!(matches!(twice, Err(Error::Integrity { ref reason, .. }) if reason.contains("out of order")), "{twice:?}");
    }
}

#[cfg(test)]
mod by_hand {
    //! The roll's chunks are written with postcard and read by hand: the two must agree on
    //! every chunk, and a damaged chunk must be refused, never misread into a panic.
    use coop_core::{Roll as _, Standing as _};
    use proptest::prelude::*;

    use super::*;

    fn row() -> impl Strategy<Value = Row> {
        (
            any::<u32>(),
            any::<u128>(),
            any::<i32>(),
            proptest::option::of(any::<i32>()),
            0u16..4,
            proptest::collection::vec((any::<i32>(), 0u16..4), 0..3),
        )
            .prop_map(|(number, party, admitted, ended, category, history)| Row {
                number,
                party,
                admitted,
                ended,
                category,
                history,
            })
    }

    fn chunk() -> impl Strategy<Value = Chunk> {
        proptest::collection::vec(row(), 0..20).prop_map(|mut rows| {
            rows.sort_by_key(|r| r.number);
            rows.dedup_by_key(|r| r.number);
            Chunk { codes: vec!["users".into(), "workers".into(), "é-partners".into(), String::new()], rows }
        })
    }

    proptest! {
        #[test]
        fn what_postcard_writes_reads_back_by_hand_as_serde_reads_it(chunk in chunk()) {
            let bytes = postcard::to_stdvec(&chunk).unwrap();
            let roll = decode(std::iter::once(Ok(&bytes)), true, 1).unwrap();
            let read: Chunk = postcard::from_bytes(&bytes).unwrap();
            prop_assert_eq!(roll.standings().count(), read.rows.len());
            for (e, r) in roll.standings().zip(&read.rows) {
                prop_assert_eq!(e.number(), MemberNo(r.number));
                prop_assert_eq!(e.party(), Some(PartyId::from(r.party)));
                prop_assert_eq!((e.held.admitted, e.held.ended), (r.admitted, r.ended));
                prop_assert_eq!(e.code(e.held.category), read.codes[usize::from(r.category)].as_str());
                let history: Vec<(i32, &str)> = r.history.iter().map(|(d, c)| (*d, read.codes[usize::from(*c)].as_str())).collect();
                prop_assert_eq!(e.history().collect::<Vec<_>>(), history);
            }
            // Read without the parties: the same standings, and no party.
            let lean = decode(std::iter::once(Ok(&bytes)), false, 1).unwrap();
            prop_assert_eq!(lean.standings().count(), roll.standings().count());
            for (a, b) in lean.standings().zip(roll.standings()) {
                prop_assert_eq!(a.party(), None);
                prop_assert_eq!((a.held.number, a.held.admitted, a.held.ended), (b.held.number, b.held.admitted, b.held.ended));
                prop_assert_eq!(a.code(a.held.category), b.code(b.held.category));
                prop_assert!(a.history().eq(b.history()));
            }
        }

        #[test]
        fn a_damaged_chunk_is_refused_or_read_never_a_panic(chunk in chunk(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = postcard::to_stdvec(&chunk).unwrap();
            // Cut short anywhere: always refused (every field is needed).
            let cut = at.index(bytes.len());
            prop_assert!(decode(std::iter::once(Ok(&bytes[..cut])), true, 1).is_err());
            prop_assert!(decode(std::iter::once(Ok(&bytes[..cut])), false, 1).is_err());
            // One byte changed: refused, or read as what postcard would read, if anything; read
            // without the parties, refused alike.
            bytes[cut] = byte;
            let whole = decode(std::iter::once(Ok(&bytes)), true, 1);
            if let Ok(roll) = &whole {
                let read: Chunk = postcard::from_bytes(&bytes).unwrap();
                prop_assert_eq!(roll.standings().count(), read.rows.len());
            }
            prop_assert_eq!(whole.is_ok(), decode(std::iter::once(Ok(&bytes)), false, 1).is_ok());
        }
    }

    #[test]
    fn numbers_too_long_or_too_large_for_their_type_are_refused() {
        // A chunk of no codes and one row, whose number is `number`, the rest zeros.
        let chunk = |number: &[u8]| {
            let mut b = vec![0, 1];
            b.extend_from_slice(number);
            b.extend_from_slice(&[0, 0, 0, 0, 0]);
            b
        };
        assert!(decode(std::iter::once(Ok(chunk(&[0xff, 0xff, 0xff, 0xff, 0x0f]))), true, 1).is_err(), "no category 0 without codes");
        let one_code = |number: &[u8]| {
            let mut b = vec![1, 1, b'u', 1];
            b.extend_from_slice(number);
            b.extend_from_slice(&[0, 0, 0, 0, 0]);
            decode(std::iter::once(Ok(b)), true, 1)
        };
        assert_eq!(one_code(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap().standings().next().unwrap().number(), MemberNo(u32::MAX));
        assert!(one_code(&[0xff, 0xff, 0xff, 0xff, 0x1f]).is_err(), "33 bits in a u32");
        assert!(one_code(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err(), "six bytes for a u32");
        // A party of 128 bits set reads back; one more bit is refused.
        // (Read with the parties, or skipping them: refused alike.)
        let party = |last: u8, parties: bool| {
            let mut b = vec![1, 1, b'u', 1, 7];
            b.extend_from_slice(&[0xff; 18]);
            b.push(last);
            b.extend_from_slice(&[0, 0, 0, 0]);
            decode(std::iter::once(Ok(b)), parties, 1)
        };
        assert_eq!(party(0x03, true).unwrap().standings().next().unwrap().party(), Some(PartyId::from(u128::MAX)));
        assert!(party(0x03, false).is_ok());
        for parties in [true, false] {
            assert!(party(0x07, parties).is_err(), "129 bits in a u128");
            assert!(party(0x83, parties).is_err(), "twenty bytes for a u128");
        }
    }
}
