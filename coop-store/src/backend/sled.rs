//! The embedded backend: sled trees in one directory, the personal data in files beside them.

use super::{Backend, Batch, Kind, Pair, Pairs, PersonalStore, Table, Tables, Value};
use crate::packs::PackFile;
use crate::personal::{Pending, PersonalEntry, PersonalFiles};
use crate::runs;
use crate::Result;
use coop_core::PartyId;

pub(crate) struct SledTable(pub(crate) sled::Tree);

fn pair(item: sled::Result<(sled::IVec, sled::IVec)>) -> Result<Pair> {
    let (k, v) = item?;
    Ok((Value::Shared(k), Value::Shared(v)))
}

impl Table for SledTable {
    fn get(&self, key: &[u8]) -> Result<Option<Value>> {
        Ok(self.0.get(key)?.map(Value::Shared))
    }
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.0.insert(key, value)?;
        Ok(())
    }
    fn remove(&self, key: &[u8]) -> Result<()> {
        self.0.remove(key)?;
        Ok(())
    }
    fn range_from<'a>(&'a self, from: &[u8]) -> Pairs<'a> {
        Box::new(self.0.range(from.to_vec()..).map(pair))
    }
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Pairs<'a> {
        Box::new(self.0.scan_prefix(prefix).map(pair))
    }
    fn last_at_or_before(&self, key: &[u8]) -> Result<Option<Pair>> {
        self.0.range(..=key.to_vec()).next_back().map(pair).transpose()
    }
    fn last(&self) -> Result<Option<Pair>> {
        Ok(self.0.last()?.map(|(k, v)| (Value::Shared(k), Value::Shared(v))))
    }
    fn clear(&self) -> Result<()> {
        Ok(self.0.clear()?)
    }
    fn is_empty(&self) -> Result<bool> {
        Ok(self.0.is_empty())
    }
    fn apply(&self, batch: Batch) -> Result<()> {
        Ok(self.0.apply_batch(to_batch(batch))?)
    }
    /// In key order, one write at a time: sled applies a batch in its hash map's order, and
    /// writes in random order into a tree larger than its cache read and rewrite a leaf each.
    fn fill(&self, mut batch: Batch) -> Result<()> {
        batch.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, v) in batch {
            match v {
                Some(v) => self.0.insert(k, v)?,
                None => self.0.remove(k)?,
            };
        }
        Ok(())
    }
}

fn to_batch(writes: Batch) -> sled::Batch {
    let mut batch = sled::Batch::default();
    for (k, v) in writes {
        match v {
            Some(v) => batch.insert(k, v),
            None => batch.remove(k),
        }
    }
    batch
}

/// What a sled database keeps in files beside it, shared by every handle on it: the personal
/// data, and the sealed packs of the log (none for a temporary store, which keeps its packs in
/// the tree).
#[derive(Clone)]
pub(crate) struct Beside {
    pub(crate) personal: std::sync::Arc<PersonalFiles>,
    pub(crate) packs: Option<std::sync::Arc<PackFile>>,
}

/// A sled database and the files beside it.
pub(crate) struct SledBackend {
    pub(crate) db: sled::Db,
    tables: Tables,
    log: sled::Tree,
    meta: sled::Tree,
    personal: std::sync::Arc<PersonalFiles>,
    packs: Option<std::sync::Arc<PackFile>>,
}

impl SledBackend {
    /// The backend on an open database and the files beside it.
    pub(crate) fn on(db: sled::Db, beside: Beside) -> Result<SledBackend> {
        let Beside { personal, packs } = beside;
        let tree = |name: &str| -> Result<sled::Tree> { Ok(db.open_tree(name)?) };
        let (log, meta) = (tree("log")?, tree("meta")?);
        let boxed = |t: sled::Tree| -> Box<dyn Table> { Box::new(SledTable(t)) };
        let tables = Tables {
            log: boxed(log.clone()),
            meta: boxed(meta.clone()),
            commands: boxed(tree("commands")?),
            imported: boxed(tree("imported-commands")?),
            pieces: [
                boxed(tree("state-totals")?),
                boxed(tree("state-members")?),
                boxed(tree("state-assemblies")?),
                boxed(tree("state-projects")?),
            ],
            checkpoints: boxed(tree("state-checkpoints")?),
        };
        Ok(SledBackend { db, tables, log, meta, personal, packs })
    }
}

impl Backend for SledBackend {
    fn kind(&self) -> Kind {
        Kind::Sled
    }
    fn tables(&self) -> &Tables {
        &self.tables
    }
    fn personal(&self) -> &dyn PersonalStore {
        &*self.personal
    }
    fn begin(&self) -> Result<()> {
        Ok(())
    }
    fn commit(&self, _head: &crate::Head) -> Result<()> {
        Ok(())
    }
    fn rollback(&self) {}
    fn log_and_meta(&self, log: Batch, meta: Batch) -> Result<()> {
        use sled::transaction::{ConflictableTransactionResult, TransactionalTree};
        use sled::Transactional;
        (&self.log, &self.meta).transaction(
            |(l, m): &(TransactionalTree, TransactionalTree)| -> ConflictableTransactionResult<(), crate::Error> {
                for (k, v) in &log {
                    match v {
                        Some(v) => l.insert(k.as_slice(), v.as_slice())?,
                        None => l.remove(k.as_slice())?,
                    };
                }
                for (k, v) in &meta {
                    match v {
                        Some(v) => m.insert(k.as_slice(), v.as_slice())?,
                        None => m.remove(k.as_slice())?,
                    };
                }
                Ok(())
            },
        )?;
        Ok(())
    }
    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
    fn put_packs(&self, batch: Batch) -> Result<Batch> {
        let Some(file) = &self.packs else { return Ok(batch) };
        let sealed: Vec<&[u8]> = batch.iter().filter_map(|(_, v)| v.as_deref().filter(|v| runs::is_sealed(v))).collect();
        if sealed.is_empty() {
            return Ok(batch);
        }
        let mut pointers = file.append(&sealed)?.into_iter();
        Ok(batch
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) if runs::is_sealed(&v) => (k, pointers.next()),
                other => (k, other),
            })
            .collect())
    }
    fn sync_packs(&self) -> Result<()> {
        if let Some(file) = &self.packs {
            file.sync()?;
        }
        Ok(())
    }
    fn read_pack(&self, pointer: &[u8]) -> std::result::Result<Vec<u8>, String> {
        match &self.packs {
            Some(file) => file.read(pointer),
            None => Err("a pointer to a pack outside a temporary store".into()),
        }
    }
}

impl PersonalStore for PersonalFiles {
    fn get(&self, id: PartyId) -> Result<Option<PersonalEntry>> {
        Ok(PersonalFiles::get(self, id)?)
    }
    fn put_all(&self, entries: &[(PartyId, PersonalEntry)]) -> Result<String> {
        Ok(PersonalFiles::put_all(self, entries)?)
    }
    fn pending(&self) -> Result<Vec<Pending>> {
        Ok(PersonalFiles::pending(self)?)
    }
    fn settle(&self, token: Option<&str>) -> Result<()> {
        Ok(PersonalFiles::settle(self, token)?)
    }
    fn all(&self) -> Result<Vec<(PartyId, PersonalEntry)>> {
        Ok(PersonalFiles::all(self)?)
    }
    fn remove_all(&self, ids: &[PartyId]) -> Result<()> {
        Ok(PersonalFiles::remove_all(self, ids)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fill writes what a batch applied at once would: the last write of a key wins, a removal
    /// removes, whatever the order the pairs come in.
    #[test]
    fn a_fill_ends_as_the_batch_applied_at_once() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let pairs: Batch = vec![
            (b"b".to_vec(), Some(b"1".to_vec())),
            (b"a".to_vec(), Some(b"2".to_vec())),
            (b"b".to_vec(), Some(b"3".to_vec())),
            (b"c".to_vec(), Some(b"4".to_vec())),
            (b"c".to_vec(), None),
            (b"d".to_vec(), None),
            (b"d".to_vec(), Some(b"5".to_vec())),
        ];
        let (filled, applied) = (SledTable(db.open_tree("filled").unwrap()), SledTable(db.open_tree("applied").unwrap()));
        filled.fill(pairs.clone()).unwrap();
        applied.apply(pairs).unwrap();
        let all = |t: &SledTable| t.range_from(&[]).map(|p| p.map(|(k, v)| (k.to_vec(), v.to_vec()))).collect::<Result<Vec<_>>>().unwrap();
        assert_eq!(all(&filled), vec![(b"a".to_vec(), b"2".to_vec()), (b"b".to_vec(), b"3".to_vec()), (b"d".to_vec(), b"5".to_vec())]);
        assert_eq!(all(&filled), all(&applied));
    }
}
