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

use crate::{Error, Result};

/// The tag of the roll's keys (in the members' table), followed by the chunk's number.
pub(super) const ROLL: u8 = b'l';

/// Members per chunk: a command rewrites one chunk (a few kilobytes) beside its member's piece.
const CHUNK: u32 = 256;

/// One chunk as stored: the category codes its rows use, and the rows.
#[derive(Serialize, Deserialize)]
struct Chunk {
    codes: Vec<String>,
    rows: Vec<Row>,
}

/// One member's standing as stored.
#[derive(Serialize, Deserialize)]
struct Row {
    number: u32,
    party: u128,
    admitted: i32,
    ended: Option<i32>,
    category: u16,
    /// The categories over time, when it is more than the one it has always been in.
    history: Vec<(i32, u16)>,
}

/// One member's standing: what the involvement report needs to know of a member on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollEntry {
    number: MemberNo,
    party: PartyId,
    /// Dates as day numbers (see [`day`]), as stored: nothing to convert when read.
    admitted: i32,
    ended: Option<i32>,
    category: Arc<str>,
    history: Vec<(i32, Arc<str>)>,
}

impl RollEntry {
    /// The member's party (its name is kept beside the log under it).
    pub fn party(&self) -> PartyId {
        self.party
    }
}

impl coop_core::Standing for RollEntry {
    fn number(&self) -> MemberNo {
        self.number
    }
    fn member_on(&self, date: NaiveDate) -> bool {
        let date = day(date);
        self.admitted <= date && self.ended.is_none_or(|e| e > date)
    }
    fn category_on(&self, date: NaiveDate) -> &str {
        let date = day(date);
        self.history.iter().rev().find(|(d, _)| *d <= date).map_or(&*self.category, |(_, c)| &**c)
    }
}

/// Every member's standing, in register order (see the module's documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roll {
    entries: Vec<RollEntry>,
}

impl coop_core::Roll for Roll {
    type Entry = RollEntry;
    fn standing(&self, n: MemberNo) -> Option<&RollEntry> {
        // Numbers are given in order and rarely retired: member n is usually at n - first.
        let first = self.entries.first()?.number.0;
        if let Some(e) = n.0.checked_sub(first).and_then(|i| self.entries.get(i as usize)).filter(|e| e.number == n) {
            return Some(e);
        }
        self.entries.binary_search_by_key(&n, |e| e.number).ok().map(|i| &self.entries[i])
    }
    fn standings(&self) -> impl Iterator<Item = &RollEntry> {
        self.entries.iter()
    }
}

impl Roll {
    /// The standings of the members of `state`.
    pub fn of(state: &State) -> Roll {
        let mut codes = Codes::default();
        Roll { entries: state.members.values().map(|m| codes.entry(m)).collect() }
    }
}

/// Category codes shared by every entry that uses them.
#[derive(Default)]
struct Codes(Vec<Arc<str>>);

impl Codes {
    fn get(&mut self, code: &str) -> Arc<str> {
        if let Some(c) = self.0.iter().find(|c| ***c == *code) {
            return c.clone();
        }
        let c: Arc<str> = Arc::from(code);
        self.0.push(c.clone());
        c
    }

    fn entry(&mut self, m: &Member) -> RollEntry {
        RollEntry {
            number: m.number,
            party: m.party,
            admitted: day(m.admitted),
            ended: m.ended.map(|e| day(e.date)),
            category: self.get(&m.category),
            history: if plain(m) { Vec::new() } else { m.categories.iter().map(|(d, c)| (day(*d), self.get(c))).collect() },
        }
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
pub(super) fn decode<V: AsRef<[u8]>>(chunks: impl Iterator<Item = Result<V>>) -> Result<Roll> {
    let mut shared = Codes::default();
    // Room for every row at once (100,000 members: 7 MB, not grown by doubling): a row takes
    // about 28 bytes, 19 of them its party (a ULID, whose time makes it a long varint).
    let chunks: Vec<V> = chunks.collect::<Result<_>>()?;
    let mut entries = Vec::with_capacity(chunks.iter().map(|v| v.as_ref().len() / 24).sum());
    for value in &chunks {
        let chunk: Chunk = super::unbinary("roll", value.as_ref())?;
        entries.reserve(chunk.rows.len());
        let codes: Vec<Arc<str>> = chunk.codes.iter().map(|c| shared.get(c)).collect();
        let code = |i: u16| codes.get(usize::from(i)).cloned().ok_or_else(|| bad(format!("category {i} of {}", codes.len())));
        for r in chunk.rows {
            let number = MemberNo(r.number);
            if entries.last().is_some_and(|e: &RollEntry| e.number >= number) {
                return Err(bad(format!("member {number} out of order")));
            }
            entries.push(RollEntry {
                number,
                party: PartyId::from(r.party),
                admitted: r.admitted,
                ended: r.ended,
                category: code(r.category)?,
                history: if r.history.is_empty() {
                    Vec::new()
                } else {
                    r.history.into_iter().map(|(d, c)| Ok((d, code(c)?))).collect::<Result<_>>()?
                },
            });
        }
    }
    Ok(Roll { entries })
}

/// The members whose standing in `kept` differs from their record in `rebuilt`, or who are in
/// only one of them.
pub(super) fn differing(kept: &Roll, rebuilt: &State) -> Vec<MemberNo> {
    let mut kept: std::collections::BTreeMap<MemberNo, &RollEntry> = kept.entries.iter().map(|e| (e.number, e)).collect();
    let mut out: Vec<MemberNo> = Roll::of(rebuilt).entries.iter().filter(|e| kept.remove(&e.number) != Some(e)).map(|e| e.number).collect();
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
        let roll = decode(pairs.iter().map(|(_, v)| Ok(v))).unwrap();
        assert_eq!(roll.standings().map(|e| e.number.0).collect::<Vec<_>>(), vec![1, 255, 700]);
        for e in roll.standings() {
            let m = &state.members[&e.number];
            assert_eq!(e.party(), m.party);
            for on in ["2021-02-28", "2021-03-01", "2022-06-01", "2023-01-01", "2024-12-30", "2024-12-31", "2030-01-01"] {
                assert_eq!(e.member_on(d(on)), m.member_on(d(on)), "member {} on {on}", e.number);
                assert_eq!(e.category_on(d(on)), m.category_on(d(on)), "member {} on {on}", e.number);
            }
        }
        assert_eq!(roll.standing(MemberNo(255)).unwrap().category_on(d("2022-06-01")), "workers");
        assert!(roll.standing(MemberNo(256)).is_none());
        // What is read back is what the state says: nothing differs.
        let whole = decode(encode(&state, state.members.keys()).unwrap().iter().map(|(_, v)| Ok(v))).unwrap();
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

    #[test]
    fn a_damaged_chunk_is_an_integrity_failure() {
        let mut state = State::default();
        state.members.insert(MemberNo(3), member(3));
        let (_, v) = encode(&state, &[MemberNo(3)]).unwrap().remove(0);
        let cut = &v[..v.len() - 2];
        assert!(matches!(decode(std::iter::once(Ok(cut))), Err(Error::Integrity { .. })));
        // The same chunk twice: member 3 out of order.
        let twice = decode([Ok(&v), Ok(&v)].into_iter());
        assert!(matches!(twice, Err(Error::Integrity { ref reason, .. }) if reason.contains("out of order")), "{twice:?}");
    }
}
