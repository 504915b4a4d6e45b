//! sled's files beside the log: the head witness (the head last acknowledged, in a small file of
//! its own, so that a store sled rolled back to an older consistent point is not taken for a
//! younger one) and the syncs that make an acknowledged command survive a power loss. Nothing
//! here applies to a store in PostgreSQL (`Witness::Elsewhere`).

use std::path::Path;

use sha2::Digest as _;

use super::{integrity, record, unreadable, Head, Kind, Store};
use crate::{Error, Result};

impl Store {
    /// Compares the log's head with the head last acknowledged, which is written in a file of its
    /// own after each commit. sled recovers from a damaged file by going back to the last
    /// consistent point it can read, which may be an empty store: without this check a damaged
    /// store would silently look younger than it is.
    pub(super) fn check_witness(&self, head: &Head) -> Result<()> {
        let w = match &self.witness {
            Witness::Head(w) => w,
            Witness::Elsewhere => return Ok(()),
            // A store is given its witness when it is created, before its first event: on a
            // store with events, a missing or unreadable witness was removed or damaged, and the
            // log may have been rolled back with it. Not accepted silently.
            other if head.seq > 0 => {
                return Err(Error::Damaged {
                    seq: head.seq,
                    reason: format!(
                        "the head witness (the file `head` beside the database) is {}; the log may have been rolled back (it holds {} events, last hash {}). Check the head against a seal or the last minutes, then accept it knowingly",
                        if matches!(other, Witness::Missing) { "missing" } else { "unreadable" },
                        head.seq,
                        head.hash
                    ),
                    remedy: crate::Remedy::AcceptHead,
                })
            }
            _ => {
                self.write_witness(head)?;
                return Ok(());
            }
        };
        if head.seq < w.seq {
            return Err(integrity(
                head.seq + 1,
                format!(
                    "the database holds {} events but {} were acknowledged (last hash {}): the storage is damaged; restore the store from a backup or an export",
                    head.seq, w.seq, w.hash
                ),
            ));
        }
        if self.hash_at(w.seq)?.as_deref() != Some(w.hash.as_str()) {
            return Err(integrity(w.seq, format!("event {} does not have the hash acknowledged for it ({})", w.seq, w.hash)));
        }
        // The newest event's body must still be what its hash says, and follow the one before.
        // (The events before it are checked by `verify`: opening does not read the whole log.)
        if head.seq == 0 {
            return Ok(());
        }
        let prev = self.hash_at(head.seq - 1)?.unwrap_or_default();
        let bytes = self.record_at(head.seq)?.ok_or_else(|| integrity(head.seq, "the event is missing from the log"))?;
        record::open(&bytes, head.seq, &prev).map_err(|e| unreadable(head.seq, e))?;
        Ok(())
    }

    /// Makes the last writes durable: sled's flush, then (unless turned off) `fsync` of sled's
    /// data file, of large values written as blob files, and of the directories.
    pub(super) fn sync(&self, blobs: bool) -> Result<()> {
        self.backend.flush()?;
        if self.fsync && self.backend.kind() == Kind::Sled {
            // `fdatasync` of sled's file: its data and what is needed to read it back (its size).
            let mut file = self.db_file.lock().unwrap_or_else(|p| p.into_inner());
            if file.is_none() {
                *file = Some(std::fs::File::open(self.path.join("db"))?);
                // Once per handle, the directory too: the file's entry must be durable.
                sync_dir(&self.path)?;
            }
            // sled writes a value, or a page, larger than a quarter of its segments as a file of
            // its own in `blobs/`, and does not sync it. Sync the new ones (the directory's
            // modification time says when there are) before the data file that points to them.
            let blob_dir = self.path.join("blobs");
            let mut seen = self.blobs_seen.lock().unwrap_or_else(|p| p.into_inner());
            let stamp = std::fs::metadata(&blob_dir).and_then(|m| m.modified()).ok();
            if blobs || stamp != seen.0 {
                let mut now = std::collections::BTreeSet::new();
                for e in std::fs::read_dir(&blob_dir)? {
                    let name = e?.file_name();
                    if !seen.1.contains(&name) {
                        std::fs::File::open(blob_dir.join(&name))?.sync_all()?;
                    }
                    now.insert(name);
                }
                sync_dir(&blob_dir)?;
                *seen = (stamp, now);
            }
            if let Some(f) = file.as_ref() {
                f.sync_data()?;
            }
        }
        Ok(())
    }

    /// Writes the acknowledged head in its own small file (see `check_witness`), kept open and
    /// rewritten in place. Not synced: it is written after the log is durable, so after a power
    /// loss it can only be as new as the log or older (or torn, and then ignored for its
    /// checksum), never ahead.
    pub(super) fn write_witness(&self, head: &Head) -> Result<()> {
        use std::io::{Seek, Write as _};
        if self.witness == Witness::Elsewhere {
            return Ok(());
        }
        let line = witness_line(head);
        let mut file = self.witness_file.lock().unwrap_or_else(|p| p.into_inner());
        if file.is_none() {
            let f = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(self.path.join(WITNESS))?;
            f.set_len(line.len() as u64)?;
            *file = Some(f);
        }
        if let Some(f) = file.as_mut() {
            f.seek(std::io::SeekFrom::Start(0))?;
            f.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

pub(super) const WITNESS: &str = "head";

/// The witness line for `head`: always the same length (the sequence number is zero-padded), so
/// that it is rewritten in place; the checksum covers `"{seq} {hash}"`.
fn witness_line(head: &Head) -> String {
    let body = format!("{} {}", head.seq, head.hash);
    let check = &hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16];
    format!("coop-head/1 {:020} {} {check}\n", head.seq, head.hash)
}

/// The head last acknowledged, as the file beside the database says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Witness {
    /// No file.
    Missing,
    /// A file that does not parse or whose checksum fails.
    Unreadable,
    /// The head it names.
    Head(Head),
    /// The store is not in a directory (PostgreSQL): the database server answers for what it
    /// acknowledged.
    Elsewhere,
}

pub(super) fn read_witness(dir: &Path) -> Witness {
    match std::fs::metadata(dir.join(WITNESS)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Witness::Missing,
        _ => parse_witness(dir).map_or(Witness::Unreadable, Witness::Head),
    }
}

/// The acknowledged head, if its file is present and intact.
fn parse_witness(dir: &Path) -> Option<Head> {
    let text = std::fs::read_to_string(dir.join(WITNESS)).ok()?;
    let mut parts = text.split_whitespace();
    if parts.next()? != "coop-head/1" {
        return None;
    }
    let seq: u64 = parts.next()?.parse().ok()?;
    let hash = parts.next()?.to_string();
    let check = parts.next()?;
    let body = format!("{seq} {hash}");
    (hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16] == *check).then_some(Head { seq, hash })
}

/// The blob directory's modification time and files: those there when a store is opened were
/// synced by whoever wrote them.
pub(super) fn blob_files(store: &Path) -> (Option<std::time::SystemTime>, std::collections::BTreeSet<std::ffi::OsString>) {
    let dir = store.join("blobs");
    let stamp = std::fs::metadata(&dir).and_then(|m| m.modified()).ok();
    let names = std::fs::read_dir(&dir).map(|rd| rd.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    (stamp, names)
}

pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    let _ = dir;
    Ok(())
}
