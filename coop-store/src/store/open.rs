//! Opening a store: creating it, the backend it is on, the layout upgrades and interrupted
//! imports settled on open, and the recovery of a write cut short (the pieces and head completed
//! from the records past the head), with the personal data of a command that never committed.

use super::*;

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, Options::default())
    }

    /// Creates a store for a new cooperative: opens `path` (created if missing), which must
    /// hold no event yet, and adopts `statutes` on their founding date, `actor` founding it (the
    /// board's first secretary, who may then act). [`Error::NotEmpty`] if the store has events.
    pub fn create(path: impl AsRef<Path>, statutes: coop_core::Statutes, actor: &str) -> Result<Store> {
        Store::create_with(path, statutes, actor, Options::default())
    }

    /// [`Store::create`] with options (such as [`Options::temporary`]).
    pub fn create_with(path: impl AsRef<Path>, statutes: coop_core::Statutes, actor: &str, options: Options) -> Result<Store> {
        let store = Store::open_with(path, options)?;
        let head = store.head().seq;
        if head > 0 {
            return Err(Error::NotEmpty(head));
        }
        let founded = statutes.founded;
        store.execute(Request::new(Command::Found { statutes: Box::new(statutes), founder: None }).dated(founded).by(actor))?;
        Ok(store)
    }

    /// Opens (or creates) the store at `path` with options. `path` is a directory (sled), or a
    /// URL `postgres://USER@HOST/DB#COOP` naming a cooperative in a PostgreSQL database (cargo
    /// feature `postgres`; created on first use, beside the others the database holds).
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Store> {
        let path = match Location::of(path.as_ref())? {
            Location::Dir(path) => path,
            #[cfg(feature = "postgres")]
            Location::Postgres { url, coop } => {
                let backend = backend::postgres::PgBackend::open(&url, &coop, options.temporary)?;
                let shown = PathBuf::from(format!("{}#{coop}", backend::redact(&url)));
                return Store::on_backend(std::sync::Arc::new(backend), None, shown, options, None);
            }
            #[cfg(not(feature = "postgres"))]
            Location::Postgres { .. } => unreachable!("Location::of refuses PostgreSQL URLs without the feature"),
        };
        // sled's background threads may hold the lock for a moment after a handle in this very
        // process was dropped: retry briefly before saying the store is in use.
        let mut tries = 0;
        let db = loop {
            match Self::open_db(&path, &options) {
                Err(Error::InUse(_)) if tries < 12 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => break other?,
            }
        };
        let personal = std::sync::Arc::new(PersonalFiles::open(&path)?);
        let packs = (!options.temporary).then(|| std::sync::Arc::new(crate::packs::PackFile::new(&path)));
        Store::on_sled(db, backend::sled::Beside { personal, packs }, path, options, None)
    }

    /// A second, independent handle on the same database, with its own copy of the state. Two
    /// handles deciding at once is how the optimistic check of the head is exercised in tests;
    /// an application shares one `Store` between its threads instead.
    #[doc(hidden)]
    pub fn second_handle(&self) -> Result<Store> {
        match &self.sled {
            Some((db, beside)) => Store::on_sled(
                db.clone(),
                beside.clone(),
                self.path.clone(),
                Options::default(),
                Some((self.write_lock.clone(), self.feed.clone())),
            ),
            None => Store::open(&self.path),
        }
    }

    fn open_db(path: &Path, options: &Options) -> Result<sled::Db> {
        crate::sled_files::discard_unfinished_snapshots(path)?;
        let config = sled::Config::new().path(path).cache_capacity(options.cache_bytes).temporary(options.temporary);
        let db = config.open().map_err(|e| match e {
            sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => Error::InUse(path.display().to_string()),
            other => Error::from(other),
        })?;
        Ok(db)
    }

    fn on_sled(db: sled::Db, beside: backend::sled::Beside, path: PathBuf, options: Options, shared: Option<Shared>) -> Result<Store> {
        let backend = backend::sled::SledBackend::on(db.clone(), beside.clone())?;
        Store::on_backend(std::sync::Arc::new(backend), Some((db, beside)), path, options, shared)
    }

    fn on_backend(
        backend: std::sync::Arc<dyn Backend>,
        sled: Option<(sled::Db, backend::sled::Beside)>,
        path: PathBuf,
        options: Options,
        shared: Option<Shared>,
    ) -> Result<Store> {
        let on_disk = backend.kind() == Kind::Sled;
        let witness = if on_disk { read_witness(&path) } else { Witness::Elsewhere };
        let tables: &Tables = backend.tables();
        let (log, meta, commands) = (&*tables.log, &*tables.meta, &*tables.commands);
        let state_tree = pieces::Trees(&tables.pieces);
        let imported_ids = &*tables.imported;
        let (write_lock, feed) = match shared {
            Some(p) => p,
            None => (std::sync::Arc::new(Mutex::new(())), Default::default()),
        };
        match meta.get(K_FORMAT)? {
            Some(f) if f.as_ref() == FORMAT => {}
            Some(f) if f.as_ref() == FORMAT_1 => {
                if !options.audit {
                    meta.insert(K_FORMAT, FORMAT)?;
                }
            }
            Some(f) if [FORMAT_2, FORMAT_3, FORMAT_4, FORMAT_5, FORMAT_6, FORMAT_7, FORMAT_8, FORMAT_9].contains(&f.as_ref()) => {
                // Pieces written by an older coop are not read: `recover`, below, builds them
                // again from the log (also when opened for audit, so that verify compares the
                // log with pieces this coop can read).
                state_tree.clear()?;
                meta.insert(K_FORMAT, FORMAT)?;
                backend.flush()?;
            }
            Some(f) => {
                return Err(integrity(
                    0,
                    format!("unknown store format '{}'; this coop reads {}", String::from_utf8_lossy(&f), String::from_utf8_lossy(FORMAT)),
                ))
            }
            None if log.is_empty()? => {
                meta.insert(K_FORMAT, FORMAT)?;
                meta.insert(K_ORDERED, b"1")?;
            }
            None => return Err(integrity(0, "the store has events but no format marker")),
        }
        if meta.get(K_ORDERED)?.is_some() && meta.scan_prefix(K_VOIDED).next().is_some() {
            // Imported by a coop that marked a log holding a void as in date order and folded the
            // voided facts in: the log is folded in timeline order from now on, and the pieces
            // (and checkpoints) are built again from it below.
            meta.remove(K_ORDERED)?;
            state_tree.clear()?;
            tables.checkpoints.clear()?;
            backend.flush()?;
        }
        if meta.get(K_IMPORTING)?.is_some() {
            // An import was interrupted: its marker goes in the same transaction as its head, so
            // its records were never part of the log (the store it started on was empty; a new
            // store's head says 0 events, which is why the head's presence proves nothing).
            // Clear them so the store is empty again, all of the file or none of it.
            log.clear()?;
            commands.clear()?;
            imported_ids.clear()?;
            state_tree.clear()?;
            tables.checkpoints.clear()?;
            for item in meta.scan_prefix(K_VOIDED) {
                meta.remove(&item?.0)?;
            }
            meta.remove(K_HEAD)?;
            meta.remove(K_SEALED)?;
            meta.insert(K_ORDERED, b"1")?;
            meta.remove(K_ORDERED_UNTIL)?;
            meta.remove(K_IMPORTING)?;
            backend.flush()?;
        }
        let head = read_head(meta)?;
        if meta.get(K_SEALED)?.is_none() && !options.audit {
            // A store written one record per key: packing starts after its head.
            meta.insert(K_SEALED, key(head.seq + 1).as_slice())?;
        }
        let blobs_seen = blob_files(&path);
        let remove_on_drop = (options.temporary && on_disk).then(|| path.clone());
        let store = Store::from(Core {
            path,
            backend,
            sled,
            write_lock,
            feed,
            remove_on_drop,
            published: Mutex::new(None),
            watching: std::sync::atomic::AtomicBool::new(false),
            fsync: options.fsync,
            checkpoint_every: options.checkpoint_every,
            db_file: Mutex::new(None),
            officer_names: Mutex::new(std::collections::HashMap::new()),
            witness_file: Mutex::new(None),
            blobs_seen: Mutex::new(blobs_seen),
            witness,
            progress: Mutex::new(None),
            inner: Mutex::new(Inner {
                state: None,
                tail: None,
                head: Head { seq: 0, hash: GENESIS_HASH.into() },
                damaged: None,
                index: None,
            }),
        });
        if options.audit {
            // Verifying and exporting read the log itself: the state is not loaded (it may not
            // fold, and it costs memory and time on a large store). A write cut short is still
            // completed if it can be, so that the head is the log's end.
            let checked = store.check_witness(&head).and_then(|_| store.recover());
            let mut inner = store.lock();
            inner.head = head;
            inner.damaged = Some(match checked {
                Err(e) => e.to_string(),
                Ok((recovered, _)) => {
                    inner.head = recovered;
                    "the store was opened for audit only (its state is not loaded)".to_string()
                }
            });
            store.feed.publish(&inner.head);
            drop(inner);
            return Ok(store);
        }
        store.check_witness(&head)?;
        // The pieces of the state are written with the events, so they reflect the head. They do
        // not when a write was cut short (the records come first, the head last), when the store
        // was written by an older coop, or when an import was cut short: then the state is rolled
        // forward or rebuilt from the log, once, here.
        let (head, state) = store.recover()?;
        store.feed.publish(&head);
        let mut inner = store.lock();
        inner.head = head;
        inner.state = state;
        drop(inner);
        store.finish_pending_erasure()?;
        store.finish_pending_personal()?;
        Ok(store)
    }

    /// Whether a store is at `path` (a directory holding sled's files, or a cooperative the
    /// database holds rows of), without creating one.
    pub fn exists(path: impl AsRef<Path>) -> Result<bool> {
        match Location::of(path.as_ref())? {
            Location::Dir(dir) => Ok(dir.join("db").is_file()),
            #[cfg(feature = "postgres")]
            Location::Postgres { url, coop } => backend::postgres::exists(&url, &coop),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres { .. } => unreachable!("Location::of refuses PostgreSQL URLs without the feature"),
        }
    }

    /// Opens a store for auditing, without loading its state: a log that cannot be folded is
    /// still opened, so that [`Store::verify`] can say where it breaks and
    /// [`Store::export_events`] can copy it out. Commands on such a store are refused and its
    /// state is empty. An audit reads the store once: sled's cache is kept small
    /// ([`Options::bulk`]).
    pub fn open_for_audit(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, Options { audit: true, ..Options::bulk() })
    }

    /// Removes erased parties' files, then the marker that says an erasure is pending.
    /// Finishes an erasure a crash interrupted: the marker, written before the command's
    /// records, names the parties; those whose erasure is in the log (their member piece says
    /// erased) lose their files, the others keep them (the command never committed).
    fn finish_pending_erasure(&self) -> Result<()> {
        let Some(bytes) = self.meta().get(K_PENDING_ERASE)? else { return Ok(()) };
        let parties: Vec<PartyId> = serde_json::from_slice(&bytes).unwrap_or_default();
        let mut erased = Vec::new();
        for party in parties {
            let number = self.number_of(party)?;
            let part = Part { members: pieces::Pick::Only(number.into_iter().collect()), ..Part::default() };
            let state = pieces::load(&self.pieces(), &part)?;
            // A member's erasure, or the officer they were, erased with it.
            if state.members.values().any(|m| m.party == party && m.erased.is_some()) || state.officers_erased.contains(&party.to_string())
            {
                erased.push(party);
            }
        }
        self.finish_erasure(&erased)
    }

    /// Undoes the personal data written by a command that never committed (its write was cut
    /// short before the head): entries the log does not name are removed (no orphan is left),
    /// entries replaced by an edit that did not commit are put back.
    fn finish_pending_personal(&self) -> Result<()> {
        let pending = self.personal_data().pending()?;
        if pending.is_empty() {
            return Ok(());
        }
        let added = pending.iter().flat_map(|p| p.added.iter().copied());
        let orphans: Vec<PartyId> = added
            .filter_map(|p| pieces::digest_of(&self.pieces(), p).map(|d| d.is_none().then_some(p)).transpose())
            .collect::<Result<_>>()?;
        self.personal_data().remove_all(&orphans)?;
        let mut restore = Vec::new();
        for (party, previous) in pending.into_iter().flat_map(|p| p.replaced) {
            let kept = pieces::digest_of(&self.pieces(), party)?;
            let current = self.personal_data().get(party)?.map(|e| e.data.digest(&e.salt));
            if kept.is_some() && kept != current && kept == Some(previous.data.digest(&previous.salt)) {
                restore.push((party, previous));
            }
        }
        if !restore.is_empty() {
            self.personal_data().put_all(&restore)?;
        }
        self.personal_data().settle(None)?;
        Ok(())
    }

    /// The sequence number of the log's last record (0 for an empty log).
    fn last_seq(&self) -> Result<u64> {
        Ok(match self.log().last()? {
            Some((k, run)) => seq_of(&k) + runs::split(0, &self.opened(seq_of(&k), &run)?).count() as u64 - 1,
            None => 0,
        })
    }

    /// Completes a write cut short, and builds the pieces a store does not have yet.
    ///
    /// A command writes its records first, then its command ids, the totals (whose stamp then
    /// names the new head), the other pieces, and the head last: the head is the commit point,
    /// and sled keeps a prefix of the writes made. So after a crash the log may hold records past
    /// the head: their chain is checked from the head and they are folded into the state, which
    /// starts from the pieces if their stamp is the head (nothing of the write reached them) or
    /// else from the log's first record; the pieces and the head are then written. Returns the
    /// head, and the state when it had to be built.
    fn recover(&self) -> Result<(Head, Option<State>)> {
        let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.recover_locked(false).map(|(head, state)| (head, state.map(|s| s.0)))
    }

    /// [`Store::recover`], the write lock held by the caller; with `load`, also the state read
    /// from the pieces when it did not have to be built. Returns the state and whether it was
    /// built.
    ///
    /// The head, the log's end and the pieces are read in the backend's writes (on PostgreSQL,
    /// a transaction under the cooperative's lock: no other process commits meanwhile, so they
    /// are read at one head, and what recovery writes cannot move the head back).
    pub(super) fn recover_locked(&self, load: bool) -> Result<(Head, Option<(State, bool)>)> {
        let transaction = Transaction::begin(&*self.backend)?;
        let (head, built) = self.recover_in()?;
        let state = match built {
            Some(state) => {
                transaction.commit(&head)?;
                return Ok((head, Some((state, true))));
            }
            None if load => Some((pieces::load(&self.pieces(), &Part::all())?, false)),
            None => None,
        };
        // Nothing was written: the transaction only read.
        drop(transaction);
        Ok((head, state))
    }

    fn recover_in(&self) -> Result<(Head, Option<State>)> {
        let head = read_head(self.meta())?;
        let last = self.last_seq()?;
        if last < head.seq {
            return Err(integrity(last + 1, format!("the log ends at event {last} but its head says {}", head.seq)));
        }
        let pieces_at_head = pieces::stamp(&self.pieces())?.as_ref() == Some(&head);
        if last == head.seq && pieces_at_head {
            return Ok((head, None));
        }
        let ordered = self.meta().get(K_ORDERED)?.is_some();
        let state = if pieces_at_head && ordered {
            let mut state = pieces::load(&self.pieces(), &Part::all())?;
            self.fold(head.seq + 1, last, &head.hash, None, &mut state)?;
            state
        } else {
            self.fold_timeline(last, None)?
        };
        let end = Head { seq: last, hash: self.hash_at(last)?.unwrap_or_else(|| head.hash.clone()) };
        pieces::write_all(&self.pieces(), &state, &end)?;
        self.meta().insert(K_HEAD, &serde_json::to_vec(&end).unwrap_or_default())?;
        self.meta().remove(K_SNAPSHOT)?;
        self.sync(false)?;
        Ok((end, Some(state)))
    }
}
