//! Personal data (names, e-mails) beside the log, in files that are really rewritten when an
//! entry is erased.
//!
//! sled is log-structured: a value removed from a tree stays in its file until the segment is
//! reclaimed, so erasing a name from a sled tree would not remove it from the disk. Personal
//! data therefore lives in 256 small JSON files (`personal/00.json` … `ff.json`, by the last
//! byte of the party's ULID). A change rewrites one file through a temporary file, `fsync` and
//! `rename`: the old content is unlinked, not kept in an append-only log.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use coop_core::{PartyId, Personal};
use serde::{Deserialize, Serialize};

/// One party's personal data and the salt of its digest in the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalEntry {
    /// The salt hashed with the data into the digest recorded in the log.
    pub salt: String,
    /// The data.
    #[serde(flatten)]
    pub data: Personal,
}

type Bucket = BTreeMap<String, PersonalEntry>;

/// The most entries a change keeps in the cache of files it wrote (see `change_locked`).
const CACHED_CHANGE_MAX: usize = 4096;

/// The file recording what the last `put_all` did until its command has committed.
const PENDING: &str = "pending.json";

/// What a `put_all` did: the parties it added, and the entries it replaced as they were.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pending {
    /// Which `put_all` (settled by it).
    pub token: String,
    /// Parties whose entry it created.
    pub added: Vec<PartyId>,
    /// Entries it replaced, as they were before.
    pub replaced: Vec<(PartyId, PersonalEntry)>,
}

/// The personal-data files of one store. Every handle on a database shares one (see
/// `Store::second_handle`), so its cache and its lock cover every change.
pub struct PersonalFiles {
    dir: PathBuf,
    buckets: Mutex<BTreeMap<u8, Bucket>>,
}

fn bucket_of(id: PartyId) -> u8 {
    id.to_bytes()[15]
}

impl PersonalFiles {
    pub fn open(store_dir: &Path) -> std::io::Result<PersonalFiles> {
        let dir = store_dir.join("personal");
        fs::create_dir_all(&dir)?;
        Ok(PersonalFiles { dir, buckets: Mutex::new(BTreeMap::new()) })
    }

    fn path(&self, b: u8) -> PathBuf {
        self.dir.join(format!("{b:02x}.json"))
    }

    fn load<'a>(&self, cache: &'a mut BTreeMap<u8, Bucket>, b: u8) -> std::io::Result<&'a mut Bucket> {
        match cache.entry(b) {
            std::collections::btree_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::btree_map::Entry::Vacant(v) => {
                let bucket = match fs::read(self.path(b)) {
                    Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("personal data file {b:02x}.json: {e}"))
                    })?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Bucket::new(),
                    Err(e) => return Err(e),
                };
                Ok(v.insert(bucket))
            }
        }
    }

    fn write(&self, b: u8, bucket: &Bucket) -> std::io::Result<()> {
        let path = self.path(b);
        if bucket.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => sync_dir(&self.dir),
            };
        }
        self.write_file(&path, &serde_json::to_vec(bucket).map_err(std::io::Error::other)?)
    }

    /// Replaces a file whole and durably: a temporary file, `fsync`, `rename`, the directory synced.
    fn write_file(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        sync_dir(&self.dir)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u8, Bucket>> {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The entry of a party, if present.
    pub fn get(&self, id: PartyId) -> std::io::Result<Option<PersonalEntry>> {
        let mut cache = self.lock();
        Ok(self.load(&mut cache, bucket_of(id))?.get(&id.to_string()).cloned())
    }

    /// Adds or replaces entries, durably, before the events that refer to them are committed.
    /// What it does is first recorded in `pending.json` (the parties added, the entries replaced
    /// as they were), so that if the command never commits, the next open can undo it
    /// ([`PersonalFiles::pending`]); the store calls [`PersonalFiles::settle`] with the token
    /// returned once the command has committed.
    pub fn put_all(&self, entries: &[(PartyId, PersonalEntry)]) -> std::io::Result<String> {
        let mut cache = self.lock();
        let mut write = Pending { token: ulid::Ulid::new().to_string(), ..Pending::default() };
        for (id, _) in entries {
            match self.load(&mut cache, bucket_of(*id))?.get(&id.to_string()) {
                Some(previous) => write.replaced.push((*id, previous.clone())),
                None => write.added.push(*id),
            }
        }
        let mut pending = self.read_pending()?;
        let token = write.token.clone();
        pending.push(write);
        self.write_pending(&pending)?;
        let by_id: BTreeMap<PartyId, &PersonalEntry> = entries.iter().map(|(id, e)| (*id, e)).collect();
        self.change_locked(&mut cache, entries.iter().map(|(id, _)| *id), |bucket, id| {
            if let Some(e) = by_id.get(&id) {
                bucket.insert(id.to_string(), (*e).clone());
            }
        })?;
        Ok(token)
    }

    /// What the `put_all`s whose commands may not have committed did, if any were cut short.
    pub fn pending(&self) -> std::io::Result<Vec<Pending>> {
        let _cache = self.lock();
        self.read_pending()
    }

    /// Forgets the record of one `put_all` (its command committed); `None`: of every one.
    pub fn settle(&self, token: Option<&str>) -> std::io::Result<()> {
        let _cache = self.lock();
        let mut pending = self.read_pending()?;
        pending.retain(|p| token.is_some_and(|t| t != p.token));
        self.write_pending(&pending)
    }

    fn read_pending(&self) -> std::io::Result<Vec<Pending>> {
        match fs::read(self.dir.join(PENDING)) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn write_pending(&self, pending: &[Pending]) -> std::io::Result<()> {
        let path = self.dir.join(PENDING);
        if pending.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        self.write_file(&path, &serde_json::to_vec(pending).map_err(std::io::Error::other)?)
    }

    /// Every entry, by party (reads every file).
    pub fn all(&self) -> std::io::Result<Vec<(PartyId, PersonalEntry)>> {
        let mut cache = self.lock();
        let mut out = Vec::new();
        for b in 0..=255u8 {
            for (id, e) in self.load(&mut cache, b)?.iter() {
                let id: PartyId = id.parse().map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("personal data file {b:02x}.json: bad party id {id}"))
                })?;
                out.push((id, e.clone()));
            }
        }
        Ok(out)
    }

    /// Removes entries, rewriting their files.
    pub fn remove_all(&self, ids: &[PartyId]) -> std::io::Result<()> {
        self.change(ids.iter().copied(), |bucket, id| {
            bucket.remove(&id.to_string());
        })
    }

    fn change(&self, ids: impl Iterator<Item = PartyId>, edit: impl FnMut(&mut Bucket, PartyId)) -> std::io::Result<()> {
        let mut cache = self.lock();
        self.change_locked(&mut cache, ids, edit)
    }

    fn change_locked(
        &self,
        cache: &mut BTreeMap<u8, Bucket>,
        ids: impl Iterator<Item = PartyId>,
        mut edit: impl FnMut(&mut Bucket, PartyId),
    ) -> std::io::Result<()> {
        let mut by_bucket: BTreeMap<u8, Vec<PartyId>> = BTreeMap::new();
        let mut count = 0;
        for id in ids {
            by_bucket.entry(bucket_of(id)).or_default().push(id);
            count += 1;
        }
        // A bulk change (a register's import) leaves the files it wrote out of the cache: read
        // again when next asked for, instead of every name of the register held until the
        // process ends.
        let keep = count <= CACHED_CHANGE_MAX;
        for (b, ids) in by_bucket {
            let mut bucket = self.load(cache, b)?.clone();
            for id in ids {
                edit(&mut bucket, id);
            }
            self.write(b, &bucket)?;
            if keep {
                cache.insert(b, bucket);
            } else {
                cache.remove(&b);
            }
        }
        Ok(())
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()?;
    }
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> (PartyId, PersonalEntry) {
        let id: PartyId = ulid::Ulid::new().to_string().parse().unwrap();
        (id, PersonalEntry { salt: format!("{i:032x}"), data: Personal { name: format!("Membre {i}"), email: None, address: None } })
    }

    /// A bulk write (a register's import) leaves the files it wrote out of the cache, and every
    /// entry is read back from them; a small write keeps its files cached.
    #[test]
    fn a_bulk_write_is_not_kept_in_the_cache_and_reads_back_from_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = PersonalFiles::open(dir.path()).unwrap();
        let bulk: Vec<_> = (0..=CACHED_CHANGE_MAX).map(entry).collect();
        let token = files.put_all(&bulk).unwrap();
        files.settle(Some(&token)).unwrap();
        assert!(files.lock().is_empty(), "a bulk write keeps no file cached");
        for (id, e) in bulk.iter().step_by(97) {
            assert_eq!(files.get(*id).unwrap().as_ref(), Some(e));
        }
        let small = vec![entry(1)];
        files.put_all(&small).unwrap();
        assert!(files.lock().contains_key(&bucket_of(small[0].0)));
        assert_eq!(files.get(small[0].0).unwrap().as_ref(), Some(&small[0].1));
        assert_eq!(files.all().unwrap().len(), bulk.len() + 1);
    }
}
