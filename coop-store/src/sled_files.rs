//! sled's own files, put in order before sled opens them.
//!
//! sled 0.34 writes a snapshot of its page table to `snap.<lsn>.generating`, syncs it, and
//! renames it to `snap.<lsn>`. On open it reads the *last* file whose name starts with `snap.`,
//! in sorted order, and `snap.<lsn>.generating` sorts after `snap.<lsn>`: a snapshot whose writing
//! was cut short (a process killed while it opens or closes the store, a full disk) is taken for
//! the newest one, fails its checksum, and the store no longer opens ("Read corrupted data at
//! file offset None"). A `.generating` file is never a finished snapshot, since sled renames it
//! once it is written and synced; without it sled reads the previous snapshot (or none) and scans
//! its log segments from there, which is its ordinary recovery.
//!
//! So such files are removed before sled opens the directory, while holding sled's own lock
//! (`flock` on `db`): a process that has the store open, and may be writing a snapshot at that
//! very moment, is never disturbed.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The unfinished snapshot files in sled's directory `dir`.
fn unfinished_snapshots(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut found = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            found.push(e.path());
        }
    }
    Ok(found)
}

/// Removes the unfinished snapshot files of the sled database in `dir`, unless another handle
/// holds the database (then [`Error::InUse`], and nothing is touched). Returns how many were
/// removed.
pub(crate) fn discard_unfinished_snapshots(dir: &Path) -> Result<usize> {
    let found = unfinished_snapshots(dir)?;
    if found.is_empty() {
        return Ok(0);
    }
    let _lock = match DbLock::take(&dir.join("db"))? {
        Some(lock) => lock,
        None => return Err(Error::InUse(dir.display().to_string())),
    };
    for path in &found {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::File::open(dir)?.sync_all()?;
    Ok(found.len())
}

/// sled's lock on its data file, taken the way sled takes it (an exclusive `flock`, which
/// conflicts with another open file description even in the same process), and released on drop.
struct DbLock {
    _file: Option<std::fs::File>,
}

impl DbLock {
    /// `None` when someone else holds it.
    fn take(db: &Path) -> Result<Option<DbLock>> {
        let file = match std::fs::File::open(db) {
            Ok(f) => f,
            // No data file: no sled has this directory open.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(DbLock { _file: None })),
            Err(e) => return Err(e.into()),
        };
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a file descriptor this function owns; the lock goes with it.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::WouldBlock {
                    return Ok(None);
                }
                return Err(err.into());
            }
        }
        Ok(Some(DbLock { _file: Some(file) }))
    }
}
