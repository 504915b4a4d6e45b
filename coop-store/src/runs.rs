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

/// Runs after the last pack are sealed into packs once they hold this many bytes. Far under
/// sled's blob threshold (a quarter of its 512 KiB segments).
pub const PACK_BYTES: usize = 6 * 1024;

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

/// Plans the write of `new` records (consecutive, following the tail's) after `tail`.
pub fn plan(tail: &Tail, new: Vec<(u64, Vec<u8>)>, pack_bytes: usize) -> Plan {
    let Some(first_new) = new.first().map(|(s, _)| *s) else {
        return Plan { tail: tail.clone(), ..Plan::default() };
    };
    let new_bytes: usize = new.iter().map(|(_, r)| r.len() + 1).sum();
    if tail.bytes() + new_bytes < pack_bytes {
        // Not enough for a pack: the new records go in as one run of their own.
        let mut t = tail.clone();
        t.keys.push(first_new);
        let inserts = vec![(first_new, join(&new))];
        t.records.extend(new);
        return Plan { inserts, tail: t, ..Plan::default() };
    }
    // Seal: the tail and the new records, cut into packs of at least `pack_bytes`; what is left
    // becomes the new tail, as one run.
    let all: Vec<(u64, Vec<u8>)> = tail.records.iter().cloned().chain(new).collect();
    let mut inserts = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (_, r)) in all.iter().enumerate() {
        size += r.len() + 1;
        if size >= pack_bytes {
            inserts.push((all[start].0, join(&all[start..=i])));
            start = i + 1;
            size = 0;
        }
    }
    let sealed = all.get(start).map_or(all.last().map_or(first_new, |(s, _)| s + 1), |(s, _)| *s);
    let rest = &all[start..];
    let mut new_tail = Tail::default();
    if let Some((s, _)) = rest.first() {
        inserts.push((*s, join(rest)));
        new_tail = Tail { keys: vec![*s], records: rest.to_vec() };
    }
    let written: Vec<u64> = inserts.iter().map(|(k, _)| *k).collect();
    let removes = tail.keys.iter().copied().filter(|k| !written.contains(k)).collect();
    Plan { inserts, removes, tail: new_tail, sealed: Some(sealed) }
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
            for (k, v) in &tree {
                prop_assert_eq!(*k, expected);
                let n = split(*k, v).count() as u64;
                for (s, r) in split(*k, v) {
                    prop_assert_eq!(std::str::from_utf8(r).unwrap().parse::<u64>().unwrap(), s);
                }
                if *k < sealed {
                    prop_assert!(v.len() + 1 >= PACK, "run {} is not a full pack", k);
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
        assert_eq!(split(1, &third.inserts[0].1).count(), 3);
        assert_eq!(third.removes, vec![2]);
        assert!(third.tail.records.is_empty());
    }
}
