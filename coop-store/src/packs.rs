//! Sealed packs of the log kept outside sled, in one append-only file beside the database
//! (`packs`), the `log` tree holding a small pointer to each.
//!
//! A sealed pack never changes once written. Kept in sled, every pack a scan reads stays in
//! sled's page cache: sled 0.34 evicts in batches per shard of its cache (256 shards, 64
//! accesses each), so a single pass over a log of a thousand pages never evicts, and a node of
//! sixteen packs over sled's blob threshold is counted at the size of its pointer. A whole-log
//! scan (verify, replay, an import, an as-of query) then held the whole log in memory. Read
//! from this file instead, one pack at a time, a scan holds one pack.
//!
//! A pack is appended (and synced, when the store syncs) before the pointer to it is written:
//! a pointer always names bytes on disk. A pack appended by a write that never committed is
//! left where it is, unreferenced (a few kilobytes; the next append goes after it).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The first byte of a pointer to a pack in the file (a run starts with `{`, a pack kept in
/// the tree with `runs::PACKED`).
pub(crate) const EXTERNAL: u8 = 1;

/// A pack never holds more than this (a pack is about `runs::PACK_BYTES` of records, stored
/// compressed): a larger length in a pointer is damage, not a read to make.
const MAX_PACK: u32 = 64 * 1024 * 1024;

/// The packs file of one store. Every handle on a database shares one.
pub(crate) struct PackFile {
    path: PathBuf,
    file: OnceLock<File>,
    appending: Mutex<()>,
}

/// Where a pointer says its pack is, or why it says nothing sound.
pub fn location(pointer: &[u8]) -> Result<(u64, u32), String> {
    match pointer {
        [EXTERNAL, rest @ ..] if rest.len() == 12 => {
            let offset = u64::from_le_bytes(rest[..8].try_into().map_err(|_| "a pointer to a pack shorter than 13 bytes")?);
            let len = u32::from_le_bytes(rest[8..].try_into().map_err(|_| "a pointer to a pack shorter than 13 bytes")?);
            if len > MAX_PACK {
                return Err(format!("a pointer to a pack of {len} bytes"));
            }
            Ok((offset, len))
        }
        _ => Err(format!("a pointer to a pack of {} bytes instead of 13", pointer.len())),
    }
}

fn pointer(offset: u64, len: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(13);
    p.push(EXTERNAL);
    p.extend_from_slice(&offset.to_le_bytes());
    p.extend_from_slice(&len.to_le_bytes());
    p
}

impl PackFile {
    pub(crate) fn new(store_dir: &Path) -> PackFile {
        PackFile { path: store_dir.join("packs"), file: OnceLock::new(), appending: Mutex::new(()) }
    }

    /// The file, opened once: for appending (created if `create`), or only for reading where it
    /// cannot be written (a store read from a read-only copy).
    fn file(&self, create: bool) -> std::io::Result<&File> {
        if let Some(f) = self.file.get() {
            return Ok(f);
        }
        let f = match OpenOptions::new().read(true).append(true).create(create).open(&self.path) {
            Ok(f) => f,
            Err(e) if !create && e.kind() == std::io::ErrorKind::PermissionDenied => File::open(&self.path)?,
            Err(e) => return Err(e),
        };
        Ok(self.file.get_or_init(|| f))
    }

    /// Appends `packs` (sealed, as `runs::seal` makes them) and returns a pointer to each, in
    /// order.
    pub(crate) fn append(&self, packs: &[&[u8]]) -> std::io::Result<Vec<Vec<u8>>> {
        let _one_at_a_time = self.appending.lock().unwrap_or_else(|p| p.into_inner());
        let f = self.file(true)?;
        let mut offset = f.metadata()?.len();
        let mut out = Vec::with_capacity(packs.len());
        // Through a buffer of its own size: a batch of many packs is not copied whole first.
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, f);
        for p in packs {
            let len = u32::try_from(p.len()).ok().filter(|l| *l <= MAX_PACK).ok_or_else(|| std::io::Error::other("a pack over 64 MiB"))?;
            out.push(pointer(offset, len));
            offset += u64::from(len);
            writer.write_all(p)?;
        }
        writer.flush()?;
        Ok(out)
    }

    /// Makes the packs appended reach the disk.
    pub(crate) fn sync(&self) -> std::io::Result<()> {
        match self.file.get() {
            Some(f) => f.sync_data(),
            None => Ok(()),
        }
    }

    /// The pack a pointer names, as stored (sealed).
    pub(crate) fn read(&self, pointer: &[u8]) -> Result<Vec<u8>, String> {
        let (offset, len) = location(pointer)?;
        let f = self.file(false).map_err(|e| format!("the packs file cannot be read: {e}"))?;
        let mut out = vec![0; len as usize];
        f.read_exact_at(&mut out, offset).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => format!("the packs file ends before the {len} bytes at {offset}"),
            _ => format!("the packs file cannot be read: {e}"),
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_are_read_back_where_their_pointers_say() {
        let dir = tempfile::tempdir().unwrap();
        let file = PackFile::new(dir.path());
        assert!(file.read(&pointer(0, 3)).unwrap_err().contains("cannot be read"), "no file yet");
        let first = file.append(&[b"abc", b"defgh"]).unwrap();
        let second = file.append(&[b"ij"]).unwrap();
        file.sync().unwrap();
        assert_eq!(file.read(&first[0]).unwrap(), b"abc");
        assert_eq!(file.read(&first[1]).unwrap(), b"defgh");
        assert_eq!(file.read(&second[0]).unwrap(), b"ij");
        assert_eq!(location(&second[0]).unwrap(), (8, 2));
        // Another handle on the same directory reads them too.
        assert_eq!(PackFile::new(dir.path()).read(&first[1]).unwrap(), b"defgh");
        // A pointer past the end, too long, or malformed: an error, never a panic.
        assert!(file.read(&pointer(9, 5)).unwrap_err().contains("ends before"));
        assert!(file.read(&pointer(0, MAX_PACK + 1)).unwrap_err().contains("a pointer to a pack of"));
        assert!(file.read(&first[0][..12]).unwrap_err().contains("instead of 13"));
    }
}
