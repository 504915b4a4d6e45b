//! The members' pieces as the head's tables keep them: eight members to a value, by register
//! number ([`PER_BUCKET`]).
//!
//! Everything above this module speaks of one piece per member (`m` and the number): the
//! encoders give them one at a time, checkpoints keep them in blocks of their own, and
//! [`super::Source`] reads them one by one. Only the head's tables gather them: sled splits a
//! leaf every sixteen keys, copying it and its parent, and a register's import of 100,000
//! members spent a quarter of its time in those copies with a key each.
//!
//! A bucket's value is its members in number order, each as its number (4 bytes, big-endian),
//! the length of its piece (4 bytes, big-endian) and the piece. A bucket left with no member is
//! removed.

use super::{bad_key, member_key, member_number, Put, Trees};
use crate::backend::{Pairs, Table, Value};
use crate::{Error, Result};
use coop_core::MemberNo;

/// How many register numbers share a bucket: eight pieces of a member (about 130 bytes each)
/// make a value of about 1 KiB, and sixteen such values a sled leaf of 16 KiB. Measured on a
/// million-event import (100,000 members): one to a value left the most leaf splits; sixteen
/// made the import fastest but left the file 82 MB instead of 66 (sled rewrites a whole leaf
/// as it consolidates it, and 32 KiB leaves rewritten as they fill left more of the file's
/// segments empty), and sled 0.34 writes over every empty segment of its file each time it
/// opens: 25 segments of 512 KiB made every query 8 ms slower. Four and eight left 65 and 69
/// MB, queries as fast as before; eight imported a register faster.
const PER_BUCKET: u32 = 8;

/// The register numbers a bulk write ([`super::write_all`]) takes at a time: whole buckets.
pub(super) const BATCH_NUMBERS: u32 = 640 * PER_BUCKET;

/// The tag of a bucket's key, followed by the bucket's number (4 bytes, big-endian).
pub(super) const BUCKET: u8 = b'n';

fn bucket_key(bucket: u32) -> Vec<u8> {
    super::key(BUCKET, &bucket.to_be_bytes())
}

fn malformed(bucket: u32, what: &str) -> Error {
    Error::Integrity {
        seq: 0,
        reason: format!("the bucket of members {}-{} {what}", bucket * PER_BUCKET, bucket * PER_BUCKET + PER_BUCKET - 1),
    }
}

/// A bucket's members and their pieces, checked: each whole, in number order, in the bucket.
fn entries(bucket: u32, value: &[u8]) -> Result<Vec<(u32, &[u8])>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let Some((head, tail)) = rest.split_first_chunk::<8>() else { return Err(malformed(bucket, "ends inside a member's header")) };
        let number = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let len = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
        if number / PER_BUCKET != bucket || out.last().is_some_and(|(n, _)| *n >= number) {
            return Err(malformed(bucket, &format!("holds member {number} out of its place")));
        }
        if tail.len() < len {
            return Err(malformed(bucket, &format!("ends inside member {number}'s piece")));
        }
        let (piece, after) = tail.split_at(len);
        out.push((number, piece));
        rest = after;
    }
    Ok(out)
}

fn encoded<'a>(members: impl Iterator<Item = (u32, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, piece) in members {
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&(piece.len() as u32).to_be_bytes());
        out.extend_from_slice(piece);
    }
    out
}

/// The bucket number a bucket's key names.
fn bucket_of_key(key: &[u8]) -> Result<u32> {
    match key.split_first() {
        Some((&BUCKET, n)) => <[u8; 4]>::try_from(n).map(u32::from_be_bytes).map_err(|_| bad_key(key)),
        _ => Err(bad_key(key)),
    }
}

/// Member `n`'s piece.
pub(super) fn get(table: &dyn Table, n: MemberNo) -> Result<Option<Value>> {
    let bucket = n.0 / PER_BUCKET;
    let Some(value) = table.get(&bucket_key(bucket))? else { return Ok(None) };
    Ok(entries(bucket, &value)?.into_iter().find(|(m, _)| *m == n.0).map(|(_, piece)| Value::Owned(piece.to_vec())))
}

/// Calls `f` with each member's number and piece in the buckets from `from` (included) to `to`
/// (excluded; the last if none), in number order, read in place.
pub(super) fn each_in(table: &dyn Table, from: u32, to: Option<u32>, f: &mut dyn FnMut(u32, &[u8]) -> Result<()>) -> Result<()> {
    let to = to.map(bucket_key);
    for item in table.range_from(&bucket_key(from)) {
        let (k, v) = item?;
        if k.first() != Some(&BUCKET) || to.as_ref().is_some_and(|to| k.as_ref() >= to.as_slice()) {
            break;
        }
        for (n, piece) in entries(bucket_of_key(&k)?, &v)? {
            f(n, piece)?;
        }
    }
    Ok(())
}

/// The number of the last bucket kept, if any.
pub(super) fn last_bucket(table: &dyn Table) -> Result<Option<u32>> {
    match table.last_at_or_before(&bucket_key(u32::MAX))? {
        Some((k, _)) if k.first() == Some(&BUCKET) => bucket_of_key(&k).map(Some),
        _ => Ok(None),
    }
}

/// Every member's piece under its own key (`m` and the number), in number order.
pub(super) fn scan(table: &dyn Table) -> Pairs<'_> {
    Box::new(table.scan_prefix(&[BUCKET]).flat_map(|item| {
        let pieces = item.and_then(|(k, v)| {
            let bucket = bucket_of_key(&k)?;
            Ok(entries(bucket, &v)?
                .into_iter()
                .map(|(n, piece)| Ok((Value::Owned(member_key(MemberNo(n))), Value::Owned(piece.to_vec()))))
                .collect())
        });
        pieces.unwrap_or_else(|e| vec![Err(e)])
    }))
}

/// A bucket being gathered: its number, and its members' changed pieces in number order.
type Open = (u32, Vec<(u32, Vec<u8>)>);

/// Gives `put` what `encoder` gives, the members' pieces gathered into their buckets: each
/// bucket the pieces change is read as kept (unless `fresh`: the tables were just cleared),
/// merged with them (an empty piece takes its member out) and given whole (empty: the bucket
/// goes). The encoder gives members in number order, as every encoder of pieces does; a member
/// given after a later bucket was given is an error, not a bucket written twice.
pub(super) fn gathered(trees: &Trees, fresh: bool, encoder: impl FnOnce(&mut Put<'_>) -> Result<()>, put: &mut Put<'_>) -> Result<()> {
    let mut open: Option<Open> = None;
    let mut last_given: Option<u32> = None;
    let mut flush = |open: &mut Option<Open>, put: &mut Put<'_>| -> Result<()> {
        let Some((bucket, changed)) = open.take() else { return Ok(()) };
        if last_given.is_some_and(|b| b >= bucket) {
            return Err(malformed(bucket, "was given again after a later bucket (members out of order)"));
        }
        last_given = Some(bucket);
        let kept = if fresh { None } else { trees.members().get(&bucket_key(bucket))? };
        let mut members: Vec<(u32, &[u8])> = match &kept {
            Some(v) => entries(bucket, v)?,
            None => Vec::new(),
        };
        for (n, piece) in &changed {
            match (members.binary_search_by_key(n, |(m, _)| *m), piece.is_empty()) {
                (Ok(i), false) => members[i].1 = piece,
                (Ok(i), true) => {
                    members.remove(i);
                }
                (Err(i), false) => members.insert(i, (*n, piece)),
                (Err(_), true) => {}
            }
        }
        put(bucket_key(bucket), encoded(members.into_iter()))
    };
    encoder(&mut |k, v| {
        let Some(n) = member_number(&k) else { return put(k, v) };
        let bucket = n / PER_BUCKET;
        if open.as_ref().is_some_and(|(b, _)| *b != bucket) {
            flush(&mut open, put)?;
        }
        open.get_or_insert_with(|| (bucket, Vec::new())).1.push((n, v));
        Ok(())
    })?;
    flush(&mut open, put)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sled::SledTable;

    fn tables() -> [Box<dyn Table>; 4] {
        let db = sled::Config::new().temporary(true).open().unwrap();
        ["t", "m", "a", "p"].map(|n| Box::new(SledTable(db.open_tree(n).unwrap())) as Box<dyn Table>)
    }

    /// Writes member pieces `(number, piece)` (an empty piece takes the member out) as the
    /// store does: gathered, each bucket inserted or removed.
    fn write(trees: &Trees, fresh: bool, pieces: &[(u32, &[u8])]) -> Result<()> {
        gathered(
            trees,
            fresh,
            |put| {
                for (n, p) in pieces {
                    put(member_key(MemberNo(*n)), p.to_vec())?;
                }
                put(b"g".to_vec(), b"totals".to_vec())
            },
            &mut |k, v| {
                if k.first() == Some(&BUCKET) {
                    if v.is_empty() {
                        trees.members().remove(&k)
                    } else {
                        trees.members().insert(&k, &v)
                    }
                } else {
                    assert_eq!((k.as_slice(), v.as_slice()), (b"g".as_slice(), b"totals".as_slice()), "other pieces pass through");
                    Ok(())
                }
            },
        )
    }

    fn all(trees: &Trees) -> Vec<(u32, Vec<u8>)> {
        scan(trees.members()).map(|item| item.map(|(k, v)| (member_number(&k).unwrap(), v.to_vec()))).collect::<Result<_>>().unwrap()
    }

    /// Members eight to a bucket: each read back alone and in order, a piece replaced or taken
    /// out leaves its bucket's others as they were, and an emptied bucket is removed.
    #[test]
    fn members_are_kept_eight_to_a_bucket_and_each_read_alone() {
        let t = tables();
        let trees = Trees(&t);
        let pieces: Vec<(u32, Vec<u8>)> = (1..=40).map(|n| (n, format!("member {n}").into_bytes())).collect();
        let refs: Vec<(u32, &[u8])> = pieces.iter().map(|(n, p)| (*n, p.as_slice())).collect();
        write(&trees, true, &refs).unwrap();
        assert_eq!(trees.members().scan_prefix(&[BUCKET]).count(), 6, "1-7, 8-15, 16-23, 24-31, 32-39, 40");
        assert_eq!(all(&trees), pieces);
        for (n, p) in &pieces {
            assert_eq!(get(trees.members(), MemberNo(*n)).unwrap().as_deref(), Some(p.as_slice()), "member {n}");
        }
        assert!(get(trees.members(), MemberNo(41)).unwrap().is_none());
        assert!(get(trees.members(), MemberNo(1000)).unwrap().is_none());
        // Member 17 changes, 18 goes, 50 comes; 32-40 go, emptying their two buckets.
        let mut changes: Vec<(u32, &[u8])> = vec![(17, b"moved"), (18, b""), (50, b"new")];
        changes.splice(2..2, (32..=40).map(|n| (n, b"".as_slice())));
        write(&trees, false, &changes).unwrap();
        let mut expected: Vec<(u32, Vec<u8>)> = pieces.into_iter().filter(|(n, _)| *n != 18 && *n < 32).collect();
        expected[16].1 = b"moved".to_vec();
        expected.push((50, b"new".to_vec()));
        assert_eq!(all(&trees), expected);
        assert_eq!(trees.members().scan_prefix(&[BUCKET]).count(), 5, "1-7, 8-15, 16-23, 24-31, 48-55");
        assert!(get(trees.members(), MemberNo(18)).unwrap().is_none());
    }

    /// Members given out of number order across buckets are refused, never a bucket written
    /// twice (a fresh write would lose the first one's members).
    #[test]
    fn members_given_out_of_order_across_buckets_are_refused() {
        let t = tables();
        let trees = Trees(&t);
        assert!(write(&trees, true, &[(20, b"a"), (3, b"b")]).is_err());
        assert!(write(&trees, true, &[(3, b"b"), (20, b"a"), (4, b"c")]).is_err());
    }

    /// A bucket that is cut short, holds a member of another bucket, or holds its members out
    /// of order is refused when read.
    #[test]
    fn a_malformed_bucket_is_refused() {
        let t = tables();
        let trees = Trees(&t);
        let good = encoded([(16u32, b"abc".as_slice()), (17, b"de".as_slice())].into_iter());
        trees.members().insert(&bucket_key(2), &good).unwrap();
        assert_eq!(get(trees.members(), MemberNo(17)).unwrap().as_deref(), Some(b"de".as_slice()));
        for bad in [
            good[..good.len() - 1].to_vec(),
            good[..5].to_vec(),
            encoded([(3u32, b"abc".as_slice())].into_iter()),
            encoded([(17u32, b"abc".as_slice()), (16, b"de".as_slice())].into_iter()),
            encoded([(17u32, b"abc".as_slice()), (17, b"de".as_slice())].into_iter()),
        ] {
            trees.members().insert(&bucket_key(2), &bad).unwrap();
            assert!(get(trees.members(), MemberNo(16)).is_err(), "{bad:?}");
            assert!(scan(trees.members()).any(|r| r.is_err()), "{bad:?}");
        }
    }
}
