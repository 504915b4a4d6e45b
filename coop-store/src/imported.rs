//! The command ids of an imported log. A store indexes each command it runs under its id, one
//! key each; an import would pay sled's per-key cost a million times for a million commands. It
//! writes them instead sorted, in chunks of [`CHUNK`] under the first id of each, in a tree of
//! their own that nothing writes afterwards: an id is then found in the chunk with the greatest
//! first id not above it.
//!
//! A chunk is binary ([`BINARY`], then per command: a byte giving the id's form and length, the
//! id, and the first event and the count as varints); an id that is a ULID in its canonical text
//! (as every id coop draws) is kept as its 16 bytes. Chunks written before were JSON rows
//! (`[["id",first,last],…]`) and read as they are.
//!
//! A large batch of commands (a register of thousands of rows) indexes its ids the same way,
//! under a prefix of its own in `meta`, each row followed by the fingerprint of its command
//! ([`FINGERPRINTED`]): one key per 256 commands instead of one each.

use crate::backend::Table;
use crate::{Error, Result};
use std::cmp::Ordering;
use ulid::Ulid;

/// Ids per chunk.
pub const CHUNK: usize = 256;

/// The first byte of a binary chunk (a JSON one starts with `[`).
const BINARY: u8 = 1;

/// The first byte of a binary chunk whose rows each end with a command's fingerprint (the 32
/// bytes of its SHA-256).
const FINGERPRINTED: u8 = 2;

/// A command's place in the log, and the fingerprint it was indexed with, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub first: u64,
    pub last: u64,
    pub fingerprint: Option<[u8; 32]>,
}

/// The form byte of an id kept as a ULID's 16 bytes (any other form byte is the length of an
/// id kept as text, at most 254 bytes; a longer one is kept whole after [`LONG`] and its length
/// as a varint).
const ULID_FORM: u8 = 0xFF;
const LONG: u8 = 0xFE;

/// The ids and sequence ranges of the commands read so far, kept compactly: an arena of ids (a
/// ULID as its 16 bytes) each followed by its event count, and one 16-byte entry per command
/// (about 36 bytes a command for ULID ids).
#[derive(Default)]
pub struct Collector {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// Each id followed in the arena by a fingerprint.
    fingerprinted: bool,
}

/// Where a command's id is in the arena, and its first event.
#[derive(Clone, Copy)]
struct Entry {
    at: u32,
    /// The id's length in the arena; [`ULID_BIT`] set when it is a ULID's 16 bytes.
    len: u32,
    first: u64,
}

const ULID_BIT: u32 = 1 << 31;

/// An id as the collector keeps it.
enum Id<'a> {
    Ulid([u8; 16]),
    Text(&'a [u8]),
}

impl Id<'_> {
    fn cmp(&self, other: &Id<'_>) -> Ordering {
        match (self, other) {
            // A canonical ULID's text orders as its bytes (big-endian base 32, its alphabet in
            // ASCII order).
            (Id::Ulid(a), Id::Ulid(b)) => a.cmp(b),
            (a, b) => a.with_text(|a| b.with_text(|b| a.cmp(b))),
        }
    }

    fn with_text<T>(&self, f: impl FnOnce(&[u8]) -> T) -> T {
        match self {
            Id::Ulid(b) => {
                let mut buf = [0u8; ulid::ULID_LEN];
                f(Ulid::from_bytes(*b).array_to_str(&mut buf).as_bytes())
            }
            Id::Text(t) => f(t),
        }
    }
}

/// The 16 bytes of `id` when it is a ULID written as coop writes them.
fn as_ulid(id: &str) -> Option<[u8; 16]> {
    let u = Ulid::from_string(id).ok()?;
    let mut buf = [0u8; ulid::ULID_LEN];
    (u.array_to_str(&mut buf) == id).then(|| u.to_bytes())
}

impl Collector {
    /// A collector of ids each with the fingerprint of its command ([`Collector::push_fingerprinted`]).
    pub(crate) fn fingerprinted() -> Collector {
        Collector { fingerprinted: true, ..Collector::default() }
    }

    /// Records that command `id`, whose fingerprint is `fingerprint`, appended events
    /// `first..=last`.
    pub(crate) fn push_fingerprinted(&mut self, id: &str, first: u64, last: u64, fingerprint: [u8; 32]) {
        self.push(id, first, last);
        self.bytes.extend_from_slice(&fingerprint);
    }

    /// Records that command `id` appended events `first..=last`.
    pub fn push(&mut self, id: &str, first: u64, last: u64) {
        let at = self.bytes.len() as u32;
        let len = match as_ulid(id) {
            Some(b) => {
                self.bytes.extend_from_slice(&b);
                16 | ULID_BIT
            }
            None => {
                self.bytes.extend_from_slice(id.as_bytes());
                id.len() as u32
            }
        };
        let count = u32::try_from(last - first + 1).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&count.to_le_bytes());
        self.entries.push(Entry { at, len, first });
    }

    fn id(&self, e: &Entry) -> Id<'_> {
        let (at, len) = (e.at as usize, (e.len & !ULID_BIT) as usize);
        let b = &self.bytes[at..at + len];
        match <[u8; 16]>::try_from(b) {
            Ok(u) if e.len & ULID_BIT != 0 => Id::Ulid(u),
            _ => Id::Text(b),
        }
    }

    fn last(&self, e: &Entry) -> u64 {
        let at = e.at as usize + (e.len & !ULID_BIT) as usize;
        let count = self.bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map_or(1, u32::from_le_bytes);
        e.first + u64::from(count) - 1
    }

    fn fingerprint(&self, e: &Entry) -> Option<[u8; 32]> {
        let at = e.at as usize + (e.len & !ULID_BIT) as usize + 4;
        self.bytes.get(at..at + 32).and_then(|b| b.try_into().ok())
    }

    /// Writes the ids sorted, in chunks.
    pub(crate) fn write(self, tree: &dyn Table) -> Result<()> {
        self.chunks(&[], |pairs| tree.apply(pairs.into_iter().map(|(k, v)| (k, Some(v))).collect()))
    }

    /// The ids sorted, in chunks under `prefix` and the first id of each, given to `put` a few
    /// dozen chunks at a time.
    pub(crate) fn chunks(mut self, prefix: &[u8], mut put: impl FnMut(Vec<(Vec<u8>, Vec<u8>)>) -> Result<()>) -> Result<()> {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.id(a).cmp(&self.id(b)));
        for group in entries.chunks(CHUNK * 64) {
            let mut batch = Vec::new();
            for chunk in group.chunks(CHUNK) {
                let Some(head) = chunk.first() else { continue };
                let key = self.id(head).with_text(|t| [prefix, t].concat());
                let mut value = vec![if self.fingerprinted { FINGERPRINTED } else { BINARY }];
                for e in chunk {
                    match self.id(e) {
                        Id::Ulid(b) => {
                            value.push(ULID_FORM);
                            value.extend_from_slice(&b);
                        }
                        Id::Text(t) if t.len() < LONG as usize => {
                            value.push(t.len() as u8);
                            value.extend_from_slice(t);
                        }
                        Id::Text(t) => {
                            value.push(LONG);
                            varint(&mut value, t.len() as u64);
                            value.extend_from_slice(t);
                        }
                    }
                    varint(&mut value, e.first);
                    varint(&mut value, self.last(e) - e.first);
                    if self.fingerprinted {
                        value.extend_from_slice(&self.fingerprint(e).unwrap_or_default());
                    }
                }
                batch.push((key, value));
            }
            put(batch)?;
        }
        Ok(())
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*at`, moving past it.
fn read_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The rows of a chunk: (id, row).
fn rows(value: &[u8]) -> Result<Vec<(String, Row)>> {
    let unreadable = |why: &str| Error::Integrity { seq: 0, reason: format!("unreadable command index: {why}") };
    let fingerprinted = match value.first() {
        Some(&BINARY) => false,
        Some(&FINGERPRINTED) => true,
        _ => {
            let rows: Vec<(String, u64, u64)> = serde_json::from_slice(value).map_err(|e| unreadable(&e.to_string()))?;
            return Ok(rows.into_iter().map(|(id, first, last)| (id, Row { first, last, fingerprint: None })).collect());
        }
    };
    let mut out = Vec::with_capacity(CHUNK);
    let mut at = 1;
    while at < value.len() {
        let form = value[at];
        at += 1;
        let id = if form == ULID_FORM {
            let b: [u8; 16] = value.get(at..at + 16).and_then(|b| b.try_into().ok()).ok_or_else(|| unreadable("a ULID cut short"))?;
            at += 16;
            Ulid::from_bytes(b).to_string()
        } else {
            let len = if form == LONG {
                read_varint(value, &mut at).ok_or_else(|| unreadable("a length cut short"))? as usize
            } else {
                form as usize
            };
            let t = value.get(at..at.saturating_add(len)).ok_or_else(|| unreadable("an id cut short"))?;
            at += len;
            String::from_utf8(t.to_vec()).map_err(|_| unreadable("an id that is not UTF-8"))?
        };
        let first = read_varint(value, &mut at).ok_or_else(|| unreadable("a first event cut short"))?;
        let more = read_varint(value, &mut at).ok_or_else(|| unreadable("a count cut short"))?;
        let fingerprint = if fingerprinted {
            let f: [u8; 32] =
                value.get(at..at + 32).and_then(|b| b.try_into().ok()).ok_or_else(|| unreadable("a fingerprint cut short"))?;
            at += 32;
            Some(f)
        } else {
            None
        };
        out.push((id, Row { first, last: first.saturating_add(more), fingerprint }));
    }
    Ok(out)
}

/// The events `(first, last)` an imported command appended, if `id` is one.
pub(crate) fn find(tree: &dyn Table, id: &str) -> Result<Option<(u64, u64)>> {
    Ok(find_under(tree, &[], id)?.map(|r| (r.first, r.last)))
}

/// Where command `id` is, in the chunks written under `prefix`.
pub(crate) fn find_under(tree: &dyn Table, prefix: &[u8], id: &str) -> Result<Option<Row>> {
    let Some((key, value)) = tree.last_at_or_before(&[prefix, id.as_bytes()].concat())? else { return Ok(None) };
    if !key.starts_with(prefix) {
        return Ok(None);
    }
    let rows = rows(&value)?;
    Ok(rows.binary_search_by(|r| r.0.as_str().cmp(id)).ok().map(|i| rows[i].1.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_found_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path().join("db")).unwrap();
        let tree = crate::backend::sled::SledTable(db.open_tree("ids").unwrap());
        let mut c = Collector::default();
        // Out of order, of varied lengths, more than a few chunks.
        let ids: Vec<String> = (0..2000u64).map(|i| format!("{:x}-{}", (i * 7919) % 2003, "z".repeat((i % 5) as usize))).collect();
        for (i, id) in ids.iter().enumerate() {
            c.push(id, i as u64 * 2 + 1, i as u64 * 2 + 2);
        }
        c.write(&tree).unwrap();
        assert!(tree.0.len() >= 2000 / CHUNK);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(find(&tree, id).unwrap(), Some((i as u64 * 2 + 1, i as u64 * 2 + 2)), "{id}");
        }
        for absent in ["", "0", "zzzz", "7-zz-", "~"] {
            assert_eq!(find(&tree, absent).unwrap(), None, "{absent}");
        }
    }

    /// ULIDs in their canonical text (kept as 16 bytes), the same in lower case and ids that
    /// only look alike (kept as text), long ids, all mixed: each is found with its range, in
    /// chunks ordered as the ids' text, and the chunks are smaller than JSON rows.
    #[test]
    fn ulids_and_other_ids_mixed_are_found_in_text_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path().join("db")).unwrap();
        let tree = crate::backend::sled::SledTable(db.open_tree("ids").unwrap());
        let mut c = Collector::default();
        let mut ids = Vec::new();
        for i in 0..3000u64 {
            let u = Ulid::from_parts(1_700_000_000_000 + i * 37 % 1000, u128::from(i) * 0x9E37_79B9_7F4A_7C15);
            ids.push(match i % 6 {
                0 => u.to_string().to_lowercase(),
                1 => format!("{u}/{i}"),
                2 => format!("import-{i}-{}", "x".repeat(240 + (i % 13) as usize)),
                3 => u.to_string()[..20].to_string(),
                _ => u.to_string(),
            });
        }
        for (i, id) in ids.iter().enumerate() {
            c.push(id, i as u64 * 3 + 1, i as u64 * 3 + 1 + (i as u64 % 3));
        }
        c.write(&tree).unwrap();
        let keys: Vec<Vec<u8>> = tree.0.iter().keys().map(|k| k.unwrap().to_vec()).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(find(&tree, id).unwrap(), Some((i as u64 * 3 + 1, i as u64 * 3 + 1 + (i as u64 % 3))), "{id}");
        }
        let mut sorted = ids.clone();
        sorted.sort();
        let firsts: Vec<Vec<u8>> = sorted.chunks(CHUNK).map(|c| c[0].as_bytes().to_vec()).collect();
        assert_eq!(keys, firsts, "chunks under the first id of each, in the ids' text order");
        for absent in ["", "01", "zzzz", &ids[4][..25], &format!("{}0", ids[4])] {
            assert_eq!(find(&tree, absent).unwrap(), None, "{absent}");
        }
        let ulids: Vec<String> = ids.iter().filter(|i| as_ulid(i).is_some()).cloned().collect();
        assert_eq!(ulids.len(), 1000, "canonical ULIDs only: {}", ulids.len());
        let binary: usize = tree.0.iter().values().map(|v| v.unwrap().len()).sum();
        let json: usize = sorted
            .chunks(CHUNK)
            .map(|c| serde_json::to_vec(&c.iter().map(|i| (i, 1u64 << 40, 1u64 << 40)).collect::<Vec<_>>()).unwrap().len())
            .sum();
        assert!(binary < json, "{binary} bytes binary, {json} as JSON rows");
    }

    /// A store imported before the binary chunks keeps JSON ones: they are read as they are.
    #[test]
    fn json_chunks_written_before_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path().join("db")).unwrap();
        let tree = crate::backend::sled::SledTable(db.open_tree("ids").unwrap());
        tree.0.insert("a", serde_json::to_vec(&[("a", 1, 2), ("b", 3, 3)]).unwrap()).unwrap();
        tree.0.insert("c", serde_json::to_vec(&[("c", 4, 9)]).unwrap()).unwrap();
        assert_eq!(find(&tree, "b").unwrap(), Some((3, 3)));
        assert_eq!(find(&tree, "c").unwrap(), Some((4, 9)));
        assert_eq!(find(&tree, "bb").unwrap(), None);
    }

    /// A damaged chunk is an error naming the index, never a panic.
    #[test]
    fn a_damaged_chunk_is_an_error() {
        let mut c = Collector::default();
        c.push(&Ulid::from_parts(1, 2).to_string(), 5, 7);
        c.push("some-id", 8, 8);
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path().join("db")).unwrap();
        let tree = crate::backend::sled::SledTable(db.open_tree("ids").unwrap());
        c.write(&tree).unwrap();
        let (k, v) = tree.0.iter().next().unwrap().unwrap();
        assert!(rows(&v).is_ok());
        for cut in 1..v.len() {
            let r = rows(&v[..cut]);
            assert!(r.as_ref().map_or(true, |rows| rows.len() < 2), "cut at {cut}: {r:?}");
        }
        let mut bad = v.to_vec();
        bad[1] = 40;
        tree.0.insert(&k, bad).unwrap();
        let e = find(&tree, "some-id").unwrap_err().to_string();
        assert!(e.contains("command index"), "{e}");
    }
}
