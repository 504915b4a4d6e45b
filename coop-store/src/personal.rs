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
        let tmp = self.dir.join(format!("{b:02x}.json.tmp"));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec(bucket).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
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

    /// Adds entries, durably, before the events that refer to them are committed.
    pub fn put_all(&self, entries: &[(PartyId, PersonalEntry)]) -> std::io::Result<()> {
        self.change(entries.iter().map(|(id, _)| *id), |bucket, id| {
            if let Some((_, e)) = entries.iter().find(|(i, _)| *i == id) {
                bucket.insert(id.to_string(), e.clone());
            }
        })
    }

    /// Removes entries, rewriting their files.
    pub fn remove_all(&self, ids: &[PartyId]) -> std::io::Result<()> {
        self.change(ids.iter().copied(), |bucket, id| {
            bucket.remove(&id.to_string());
        })
    }

    fn change(&self, ids: impl Iterator<Item = PartyId>, mut edit: impl FnMut(&mut Bucket, PartyId)) -> std::io::Result<()> {
        let mut by_bucket: BTreeMap<u8, Vec<PartyId>> = BTreeMap::new();
        for id in ids {
            by_bucket.entry(bucket_of(id)).or_default().push(id);
        }
        let mut cache = self.lock();
        for (b, ids) in by_bucket {
            let mut bucket = self.load(&mut cache, b)?.clone();
            for id in ids {
                edit(&mut bucket, id);
            }
            self.write(b, &bucket)?;
            cache.insert(b, bucket);
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
