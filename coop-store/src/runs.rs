//! How records are laid out in the `log` tree: each value is a *run* of consecutive records
//! joined by newlines, under the big-endian sequence number of its first record.
//!
//! A write stores its new records as one run. Once the runs after the last sealed pack hold at
//! least [`PACK_BYTES`], they are rewritten as packs of about that size, so that a scan or a bulk
//! write of the log pays sled's per-key cost once per pack instead of once per event. A store
//! written one record per key (the first layout) reads the same way: each value is a run of one.
//!
//! A record never holds a raw newline (it is compact JSON; a newline inside a string is escaped),
//! so splitting a run on newlines gives back its records byte for byte.
//!
//! A sealed pack is stored compressed ([`seal`]: a tag byte no JSON text starts with, the length
//! of the records, then one LZ4 block); the tail's runs stay plain, as they are rewritten. A
//! reader opens every value with [`open`], which takes both (so do stores written before packs
//! were compressed) and turns damage into an error, never a panic or an unbounded allocation.
//! What is hashed and verified is the records, byte for byte, whatever their storage.

use std::borrow::Cow;

/// The first byte of a compressed pack (a run of records starts with `{`).
const PACKED: u8 = 0;

/// Runs after the last pack are sealed into packs once they hold this many bytes: about 10 KiB
/// once compressed (kept in the packs file beside sled, or in the tree of a temporary store,
/// far under sled's blob threshold there: a quarter of its 512 KiB segments).
pub const PACK_BYTES: usize = 32 * 1024;

/// A pack as stored: tagged, with the length of the records it holds, compressed.
pub fn seal(records: &[u8]) -> Vec<u8> {
    let block = lz4_flex::block::compress(records);
    let mut out = Vec::with_capacity(5 + block.len());
    out.push(PACKED);
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    out.extend_from_slice(&block);
    out
}

/// Whether a stored value is a sealed pack (as [`seal`] makes it).
pub(crate) fn is_sealed(value: &[u8]) -> bool {
    value.first() == Some(&PACKED)
}

/// The records of a stored value: a plain run as it is, a compressed pack decompressed. A
/// damaged pack is an error naming what is wrong. (A pointer to a pack kept outside the tree
/// is read by the store first: see `packs`.)
pub fn open(value: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    match value.split_first() {
        Some((&PACKED, rest)) => {
            let (len, block) = rest.split_at_checked(4).ok_or("a compressed pack shorter than its header")?;
            let len = u32::from_le_bytes(len.try_into().map_err(|_| "a compressed pack shorter than its header")?) as usize;
            // LZ4 expands at most 255 times: a longer length is damage, not data to allocate.
            if len > block.len().saturating_mul(255) + 16 {
                return Err(format!("a compressed pack says it holds {len} bytes in {} compressed", block.len()));
            }
            let records = lz4_flex::block::decompress(block, len).map_err(|e| format!("a compressed pack does not decompress: {e}"))?;
            if records.len() != len {
                return Err(format!("a compressed pack holds {} bytes where its header says {len}", records.len()));
            }
            Ok(Cow::Owned(records))
        }
        _ => Ok(Cow::Borrowed(value)),
    }
}

/// The records of a value of the log whatever its form: a plain run, a sealed pack, or a pointer
/// to a pack kept outside the tree (see `packs`), which `read_pack` reads.
pub(crate) fn open_stored<'v>(value: &'v [u8], read_pack: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>) -> Result<Cow<'v, [u8]>, String> {
    if value.first() == Some(&crate::packs::EXTERNAL) {
        return Ok(Cow::Owned(open(&read_pack(value)?)?.into_owned()));
    }
    open(value)
}

/// The key of a run starting at `seq`.
pub fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// The sequence number a key stands for (0 for a malformed key).
pub fn seq_of(k: &[u8]) -> u64 {
    <[u8; 8]>::try_from(k).map(u64::from_be_bytes).unwrap_or(0)
}

/// The records of a run stored under `first`, with the sequence number each has by its place.
pub fn split(first: u64, run: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    run.split(|b| *b == b'\n').enumerate().map(move |(i, r)| (first + i as u64, r))
}

/// The runs written since the last pack, as they are on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tail {
    /// Keys of the runs.
    pub keys: Vec<u64>,
    /// Their records, in order.
    pub records: Vec<(u64, Vec<u8>)>,
}

impl Tail {
    fn bytes(&self) -> usize {
        self.records.iter().map(|(_, r)| r.len() + 1).sum()
    }
}

/// What one write does to the `log` tree.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Runs to insert, by first sequence number.
    pub inserts: Vec<(u64, Vec<u8>)>,
    /// Keys to remove (runs of the tail now inside a pack).
    pub removes: Vec<u64>,
    /// The tail after the write.
    pub tail: Tail,
    /// The first sequence number after the last pack, when the write sealed packs.
    pub sealed: Option<u64>,
}

fn join(records: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|(_, r)| r.len() + 1).sum());
    for (i, (_, r)) in records.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(r);
    }
    out
}

/// Plans the write of `new` records as one run of their own, never sealing packs: the log's
/// keys are then never rewritten (PostgreSQL, where readers in other processes scan it a chunk
/// at a time while writers append).
pub fn one_run(new: Vec<(u64, Vec<u8>)>) -> Plan {
    match new.first().map(|(s, _)| *s) {
        Some(first) => Plan { inserts: vec![(first, join(&new))], ..Plan::default() },
        None => Plan::default(),
    }
}

/// Plans the write of `new` records (consecutive, following the tail's) after `tail`, all at
/// once (the tests' model of [`Packer`]).
#[cfg(test)]
pub fn plan(tail: &Tail, new: Vec<(u64, Vec<u8>)>, pack_bytes: usize) -> Plan {
    let mut packer = Packer::after(tail, pack_bytes);
    let packs: Vec<(u64, Vec<u8>)> = new.into_iter().filter_map(|(seq, r)| packer.push(seq, r)).collect();
    packer.finish(packs)
}

/// [`plan`] for records given one at a time, handing out each pack as soon as it is full: a
/// large write (a register of a hundred thousand rows) then never holds its records, only the
/// packs its caller has not stored yet (see `Store::execute_all`, which puts them in the packs
/// file as they come, unreferenced until the write commits).
pub struct Packer {
    pack_bytes: usize,
    /// The tail's runs, as they were.
    tail: Tail,
    /// The records not in a pack yet: the tail's, then the new ones (until a pack takes them).
    pending: Vec<(u64, Vec<u8>)>,
    pending_bytes: usize,
    /// The first new record.
    first_new: Option<u64>,
    /// The record after the last one given.
    next: u64,
    /// Whether a pack was made.
    sealed: bool,
}

impl Packer {
    /// Packs records following `tail`'s into packs of at least `pack_bytes`.
    pub fn after(tail: &Tail, pack_bytes: usize) -> Packer {
        Packer {
            pack_bytes,
            tail: tail.clone(),
            pending: tail.records.clone(),
            pending_bytes: tail.bytes(),
            first_new: None,
            next: 0,
            sealed: false,
        }
    }

    /// Adds record `seq`; returns a pack (its first record and its sealed bytes) when the
    /// records not yet packed reach the pack size.
    pub fn push(&mut self, seq: u64, record: Vec<u8>) -> Option<(u64, Vec<u8>)> {
        self.first_new.get_or_insert(seq);
        self.next = seq + 1;
        self.pending_bytes += record.len() + 1;
        self.pending.push((seq, record));
        if self.pending_bytes < self.pack_bytes {
            return None;
        }
        self.sealed = true;
        self.pending_bytes = 0;
        let records = std::mem::take(&mut self.pending);
        Some((records[0].0, seal(&join(&records))))
    }

    /// The plan of the write: `packs` are the packs [`Packer::push`] gave, in order, as the
    /// caller stores them (sealed, or pointers to where it put them); the records left become
    /// the new tail, as one run. With no pack made, the new records are one run of their own
    /// after the tail's, which stay.
    pub fn finish(self, packs: Vec<(u64, Vec<u8>)>) -> Plan {
        let Some(first_new) = self.first_new else {
            return Plan { tail: self.tail, ..Plan::default() };
        };
        if !self.sealed {
            let new = &self.pending[self.tail.records.len()..];
            let inserts = vec![(first_new, join(new))];
            let mut tail = self.tail;
            tail.keys.push(first_new);
            tail.records = self.pending;
            return Plan { inserts, tail, ..Plan::default() };
        }
        let mut inserts = packs;
        let sealed = self.pending.first().map_or(self.next, |(s, _)| *s);
        let mut new_tail = Tail::default();
        if let Some((s, _)) = self.pending.first() {
            inserts.push((*s, join(&self.pending)));
            new_tail = Tail { keys: vec![*s], records: self.pending };
        }
        let removes = self.tail.keys.iter().copied().filter(|k| !inserts.iter().any(|(w, _)| w == k)).collect();
        Plan { inserts, removes, tail: new_tail, sealed: Some(sealed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rec(seq: u64, len: usize) -> (u64, Vec<u8>) {
        (seq, format!("{seq:0>width$}", width = len.max(4)).into_bytes())
    }

    /// Applies a plan to a model of the tree.
    fn apply(tree: &mut std::collections::BTreeMap<u64, Vec<u8>>, p: &Plan) {
        for k in &p.removes {
            tree.remove(k);
        }
        for (k, v) in &p.inserts {
            tree.insert(*k, v.clone());
        }
    }

    proptest! {
        /// Whatever the sizes of the writes, the tree read run by run gives every record once,
        /// in order, under keys that are the first sequence number of each run; every run before
        /// the tail is a pack of at least `PACK`, and the tail stays under it.
        #[test]
        fn runs_hold_every_record_once_in_order(writes in proptest::collection::vec(proptest::collection::vec(1usize..300, 1..6), 1..60)) {
            const PACK: usize = 1000;
            let mut tree = std::collections::BTreeMap::new();
            let mut tail = Tail::default();
            let mut seq = 0u64;
            let mut sealed = 1u64;
            for w in &writes {
                let new: Vec<_> = w.iter().map(|len| { seq += 1; rec(seq, *len) }).collect();
                let p = plan(&tail, new, PACK);
                apply(&mut tree, &p);
                if let Some(s) = p.sealed { sealed = s; }
                tail = p.tail;
                prop_assert!(tail.records.iter().map(|(_, r)| r.len() + 1).sum::<usize>() < PACK);
            }
            let mut expected = 1u64;
            for (k, stored) in &tree {
                prop_assert_eq!(*k, expected);
                let v = open(stored).unwrap();
                let n = split(*k, &v).count() as u64;
                for (s, r) in split(*k, &v) {
                    prop_assert_eq!(std::str::from_utf8(r).unwrap().parse::<u64>().unwrap(), s);
                }
                if *k < sealed {
                    prop_assert!(v.len() + 1 >= PACK, "run {} is not a full pack", k);
                    prop_assert_eq!(stored[0], PACKED, "a sealed pack is stored compressed");
                } else {
                    prop_assert_eq!(stored.as_slice(), &*v, "the tail stays plain");
                }
                expected += n;
            }
            prop_assert_eq!(expected, seq + 1);
            prop_assert_eq!(tail.keys.iter().all(|k| tree.contains_key(k)), true);
        }
    }

    #[test]
    fn a_small_write_is_one_run_and_removes_nothing() {
        let p = plan(&Tail::default(), vec![rec(1, 10), rec(2, 10)], 1000);
        assert_eq!(p.inserts.len(), 1);
        assert_eq!(p.inserts[0].0, 1);
        assert!(p.removes.is_empty() && p.sealed.is_none());
        assert_eq!(p.tail.keys, vec![1]);
    }

    #[test]
    fn sealing_replaces_the_tail_runs_by_a_pack() {
        let first = plan(&Tail::default(), vec![rec(1, 400)], 1000);
        let second = plan(&first.tail, vec![rec(2, 400)], 1000);
        let third = plan(&second.tail, vec![rec(3, 400)], 1000);
        assert_eq!(third.sealed, Some(4));
        assert_eq!(third.inserts.len(), 1);
        assert_eq!(third.inserts[0].0, 1);
        assert_eq!(split(1, &open(&third.inserts[0].1).unwrap()).count(), 3);
        assert_eq!(third.removes, vec![2]);
        assert!(third.tail.records.is_empty());
    }

    proptest! {
        /// A pack reads back byte for byte; any damage to a stored pack is an error or other
        /// bytes, never a panic, and never an allocation beyond what its size allows.
        #[test]
        fn a_pack_reads_back_and_damage_never_panics(records in proptest::collection::vec(proptest::collection::vec(32u8..127, 1..200), 1..40), at in 0usize..10_000, byte in any::<u8>()) {
            let joined = join(&records.into_iter().enumerate().map(|(i, r)| (i as u64, r)).collect::<Vec<_>>());
            let stored = seal(&joined);
            prop_assert_eq!(&*open(&stored).unwrap(), joined.as_slice());
            let mut damaged = stored.clone();
            let i = at % damaged.len();
            damaged[i] ^= byte | 1;
            let _ = open(&damaged);
            prop_assert!(open(&stored[..stored.len() / 2]).map_or(true, |r| r.as_ref() != joined.as_slice()));
        }
    }

    #[test]
    fn a_pack_claiming_more_than_lz4_can_hold_is_refused_without_allocating_it() {
        let mut stored = seal(b"{\"a\":1}");
        stored[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = open(&stored).unwrap_err();
        assert!(e.contains("says it holds 4294967295 bytes"), "{e}");
        assert_eq!(open(b"{\"plain\":true}").unwrap().as_ref(), b"{\"plain\":true}", "a plain run is read as it is");
        assert!(open(&[PACKED, 1]).is_err());
    }
}
