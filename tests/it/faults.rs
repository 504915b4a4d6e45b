//! Faults of the machine rather than of the input: an unfinished file of sled's left by a crash,
//! a full disk. None may leave a store that does not open once the fault is gone.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use coop::{Command, Options, PartyKind, Personal, Request, Statutes, Store};

fn founded(path: &Path) -> Store {
    let store = Store::open(path).unwrap();
    let statutes = Statutes::from_toml(coop::SAMPLE_STATUTES).unwrap();
    let date = statutes.founded;
    store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(date)).unwrap();
    store
}

fn admission(i: u64) -> Request {
    let admit = Command::Admit {
        personal: Personal { name: format!("Membre {i}"), email: None, address: None },
        kind: PartyKind::Person,
        category: "beneficiaries".into(),
        shares: Some(1),
        class: None,
        paid: None,
    };
    Request::new(admit).dated(coop::parse_date("2020-01-01").unwrap()).with_id(format!("f{i}"))
}

fn unfinished(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".generating"))
        .collect()
}

/// sled reads the last `snap.*` file in sorted order, and an unfinished `snap.X.generating`
/// sorts after every finished one: before the fix, each of these made the store unreadable
/// ("Read corrupted data at file offset None", exit 3 on every command).
#[test]
fn an_unfinished_snapshot_left_by_a_crash_is_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let head = {
        let store = founded(&path);
        for i in 0..5 {
            store.execute(admission(i)).unwrap();
        }
        store.head()
    };
    // sled writes its snapshot while opening a store that has data.
    drop(Store::open(&path).unwrap());
    // An empty file (killed right after creating it), a file cut short after 824 bytes, and the
    // beginning of a real snapshot (killed while writing it).
    let real = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("snap."))
        .expect("sled wrote a snapshot");
    let real = std::fs::read(real).unwrap();
    std::fs::write(path.join("snap.FFFFFFFFFFFFFFF0.generating"), b"").unwrap();
    std::fs::write(path.join("snap.FFFFFFFFFFFFFFF1.generating"), vec![0x5Au8; 824]).unwrap();
    std::fs::write(path.join("snap.FFFFFFFFFFFFFFF2.generating"), &real[..real.len() / 2]).unwrap();

    let store = Store::open(&path).expect("a store with unfinished snapshot files opens");
    assert_eq!(store.head(), head, "every acknowledged command is there");
    assert_eq!(store.state().unwrap().members.len(), 5);
    assert!(store.verify().unwrap().ok);
    assert!(store.replay_check().unwrap().matches);
    assert!(unfinished(&path).is_empty(), "the unfinished snapshots were removed: {:?}", unfinished(&path));
    store.execute(admission(5)).unwrap();
}

/// The binary too: a planted unfinished snapshot, then a query and a command.
#[test]
fn the_cli_opens_a_store_with_an_unfinished_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    drop(founded(&path));
    std::fs::write(path.join("snap.00000000FFFFFFFF.generating"), b"").unwrap();
    let coop = env!("CARGO_BIN_EXE_coop");
    let out = Process::new(coop).args(["--store"]).arg(&path).args(["capital", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Process::new(coop).args(["--store"]).arg(&path).args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// While a handle has the store open, its sled may be writing a snapshot: a second opener must
/// not remove the file under it. It is told the store is in use, and the file stays.
#[test]
fn an_unfinished_snapshot_of_a_store_in_use_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let store = founded(&path);
    let planted = path.join("snap.FFFFFFFFFFFFFFFF.generating");
    std::fs::write(&planted, b"being written").unwrap();
    match Store::open(&path) {
        Err(coop::Error::InUse(_)) => {}
        Err(e) => panic!("expected 'in use', got {e}"),
        Ok(_) => panic!("a second handle opened a store in use"),
    }
    assert!(planted.exists(), "the file of the handle in use was removed");
    drop(store);
    std::fs::remove_file(&planted).unwrap();
}

/// A tmpfs of a few megabytes that the test mounts, and unmounts when dropped. `None` when the
/// test may not mount (not root, or no such permission in this sandbox).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Process::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the disk with a file, leaving `keep` bytes free.
fn fill(disk: &Path, keep: u64) -> PathBuf {
    let filler = disk.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 4096];
    use std::io::Write;
    loop {
        let free = free_bytes(disk);
        if free <= keep + 4096 || f.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = f.sync_all();
    filler
}

fn free_bytes(dir: &Path) -> u64 {
    let out = Process::new("df").args(["-B1", "--output=avail"]).arg(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap_or(0)
}

/// A disk that fills up while commands run: each command either is acknowledged or fails with a
/// storage error (exit 3 from the binary); once space is back, the store opens with every
/// acknowledged command and a valid chain. Runs only where the test may mount a tmpfs (as root).
#[test]
fn a_full_disk_fails_commands_cleanly_and_the_store_opens_once_space_is_back() {
    let Some(disk) = SmallDisk::mount(24) else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let path = disk.path().join("s");
    drop(founded(&path));
    let coop = env!("CARGO_BIN_EXE_coop");
    for keep in [400_000u64, 50_000, 0] {
        let filler = fill(disk.path(), keep);
        let mut acked = Vec::new();
        let mut failures = 0;
        for i in 0..12u64 {
            let out = Process::new(coop)
                .arg("--store")
                .arg(&path)
                .args([
                    "--actor",
                    "coop",
                    "member",
                    "admit",
                    "--name",
                    &format!("K{keep}-{i}"),
                    "--category",
                    "beneficiaries",
                    "--date",
                    "2020-02-01",
                ])
                .output()
                .unwrap();
            match out.status.code() {
                Some(0) => acked.push(format!("K{keep}-{i}")),
                Some(3) => failures += 1,
                other => panic!("keep {keep}, command {i}: exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)),
            }
            // A query and an audit on the full disk too (audit verify once left a store unreadable).
            let _ = Process::new(coop).arg("--store").arg(&path).args(["audit", "verify"]).output().unwrap();
        }
        std::fs::remove_file(filler).unwrap();
        let store = Store::open_with(&path, Options::default())
            .unwrap_or_else(|e| panic!("keep {keep}: the store does not open once space is back: {e}"));
        let state = store.state().unwrap();
        let names: std::collections::BTreeSet<String> = store.register(&state).unwrap().into_iter().filter_map(|r| r.name).collect();
        for a in &acked {
            assert!(names.contains(a), "keep {keep}: acknowledged admission {a} is lost");
        }
        let v = store.verify().unwrap();
        assert!(v.ok, "keep {keep}: {v:?}");
        assert!(store.replay_check().unwrap().matches, "keep {keep}");
        eprintln!("full disk, {keep} bytes left: {} admissions acknowledged, {failures} refused with exit 3", acked.len());
    }
}
