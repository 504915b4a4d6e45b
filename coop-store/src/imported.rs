//! The command ids of an imported log. A store indexes each command it runs under its id, one
//! key each; an import would pay sled's per-key cost a million times for a million commands. It
//! writes them instead sorted, in chunks of [`CHUNK`] under the first id of each, in a tree of
//! their own that nothing writes afterwards: an id is then found in the chunk with the greatest
//! first id not above it.

use crate::backend::Table;
use crate::{Error, Result};

/// Ids per chunk.
pub const CHUNK: usize = 256;

/// The ids and sequence ranges of the commands read so far, kept compactly (an arena of id
/// bytes and fixed-size entries: about 50 bytes a command).
#[derive(Default)]
pub struct Collector {
    bytes: Vec<u8>,
    entries: Vec<(u32, u32, u64, u64)>,
}

impl Collector {
    /// Records that command `id` appended events `first..=last`.
    pub fn push(&mut self, id: &str, first: u64, last: u64) {
        let at = self.bytes.len() as u32;
        self.bytes.extend_from_slice(id.as_bytes());
        self.entries.push((at, id.len() as u32, first, last));
    }

    fn id(&self, e: &(u32, u32, u64, u64)) -> &str {
        std::str::from_utf8(&self.bytes[e.0 as usize..(e.0 + e.1) as usize]).unwrap_or_default()
    }

    /// Writes the ids sorted, in chunks.
    pub(crate) fn write(mut self, tree: &dyn Table) -> Result<()> {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.id(a).cmp(self.id(b)));
        for group in entries.chunks(CHUNK * 64) {
            let mut batch: crate::backend::Batch = Vec::new();
            for chunk in group.chunks(CHUNK) {
                let rows: Vec<(&str, u64, u64)> = chunk.iter().map(|e| (self.id(e), e.2, e.3)).collect();
                let value = serde_json::to_vec(&rows).map_err(|e| Error::Integrity { seq: 0, reason: format!("command index: {e}") })?;
                batch.push((rows[0].0.as_bytes().to_vec(), Some(value)));
            }
            tree.apply(batch)?;
        }
        Ok(())
    }
}

/// The events `(first, last)` an imported command appended, if `id` is one.
pub(crate) fn find(tree: &dyn Table, id: &str) -> Result<Option<(u64, u64)>> {
    let Some((_, value)) = tree.last_at_or_before(id.as_bytes())? else { return Ok(None) };
    let rows: Vec<(String, u64, u64)> =
        serde_json::from_slice(&value).map_err(|e| Error::Integrity { seq: 0, reason: format!("unreadable command index: {e}") })?;
    Ok(rows.binary_search_by(|r| r.0.as_str().cmp(id)).ok().map(|i| (rows[i].1, rows[i].2)))
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
}
