//! Moving a whole log in and out: the export (JSON Lines, byte for byte as stored, with a
//! header), and the import into an empty store, checked line by line and written all or nothing.

use super::*;

/// The first line of an export: what the reader needs to notice a truncated file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExportHeader {
    /// Export format version.
    pub coop_export: u32,
    /// Number of event lines that follow.
    pub events: u64,
    /// Hash of the last event.
    pub head_hash: String,
}

/// What an import wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    /// Events written.
    pub events: u64,
    /// Hash of the last event.
    pub head_hash: String,
}

impl Store {
    /// Writes the log as JSON Lines: a header line, then one record per line, byte for byte
    /// as stored (so an auditor can re-hash each body). Returns the number of events.
    pub fn export_events(&self, out: &mut dyn Write) -> Result<u64> {
        self.refuse_if_damaged()?;
        let head = self.head();
        let header = ExportHeader { coop_export: 1, events: head.seq, head_hash: head.hash.clone() };
        serde_json::to_writer(&mut *out, &header).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        self.walk(1, head.seq, |seq, bytes| {
            out.write_all(bytes)?;
            out.write_all(b"\n")?;
            self.report("export", seq, head.seq);
            Ok(())
        })?;
        out.flush()?;
        Ok(head.seq)
    }

    /// Reads an export into this store, which must be empty. Each line is checked as it is
    /// read: the header, every record's hash, place and link, that every event applies to the
    /// state before it, and at the end that the count and the last hash are the header's. The
    /// records are written in packs as they come, invisible until the head is written last; on
    /// any bad line everything written is cleared and the store is left empty (as it is when
    /// the import is cut short: an import marker makes the next open clear it).
    ///
    /// Memory stays bounded by the state and one batch of packs, whatever the file's size.
    /// Lines longer than 64 MiB are refused.
    pub fn import_events<R: Read>(&self, input: R) -> Result<ImportReport> {
        self.import_checked(input, |_| Ok(()))
    }

    /// [`Store::import_events`], with `check` run on the imported state before the import
    /// commits: an error from it leaves the store empty, like a bad line.
    pub(crate) fn import_checked<R: Read>(&self, input: R, check: impl FnOnce(&State) -> Result<()>) -> Result<ImportReport> {
        let mut inner = self.lock_checked()?;
        // Every handle on the database shares this lock: no other handle writes meanwhile, and
        // the store must still be empty under it.
        let _writes = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        // One transaction on PostgreSQL (nothing is seen until it commits, and an error rolls it
        // all back); on sled, the marker below says an import is under way.
        let writes = Transaction::begin(&*self.backend)?;
        if read_head(self.meta())?.seq != 0 {
            return Err(Error::NotEmpty(read_head(self.meta())?.seq));
        }
        if inner.head.seq != 0 {
            return Err(Error::NotEmpty(inner.head.seq));
        }
        self.meta().insert(K_IMPORTING, b"1".as_slice())?;
        self.backend.flush()?;
        let (state, head) = match self.write_import(input).and_then(|(state, head)| check(&state).map(|_| (state, head))) {
            Ok(done) => done,
            Err(e) => {
                self.log().clear()?;
                self.tables().commands.clear()?;
                self.tables().imported.clear()?;
                self.pieces().clear()?;
                self.checkpoints().clear()?;
                self.meta().insert(K_ORDERED, b"1".as_slice())?;
                self.meta().remove(K_ORDERED_UNTIL)?;
                self.meta().remove(K_IMPORTING)?;
                self.backend.flush()?;
                return Err(e);
            }
        };
        // The packs on disk before the head that makes them part of the log.
        if self.fsync {
            self.backend.sync_packs()?;
        }
        // The state's pieces, stamped with the head: until the head below is written they
        // describe events that are not visible, and an interrupted import clears them.
        pieces::write_all(&self.pieces(), &state, &head)?;
        let head_bytes = serde_json::to_vec(&head).unwrap_or_default();
        let sealed = key(head.seq + 1);
        self.meta().apply(vec![
            (K_HEAD.to_vec(), Some(head_bytes)),
            (K_SEALED.to_vec(), Some(sealed.to_vec())),
            (K_NO_PERSONAL.to_vec(), Some(b"1".to_vec())),
            (K_IMPORTING.to_vec(), None),
        ])?;
        writes.commit(&head)?;
        self.sync(true)?;
        self.write_witness(&head)?;
        inner.state = Some(state);
        inner.tail = Some(Tail::default());
        self.feed.publish(&head);
        inner.head = head.clone();
        Ok(ImportReport { events: head.seq, head_hash: head.hash })
    }

    /// Reads, checks and folds the export, writing its records in packs and its command index
    /// in batches. Returns the state and the head it reaches.
    fn write_import<R: Read>(&self, input: R) -> Result<(State, Head)> {
        let mut pass = ImportPass::start(BufReader::new(input))?;
        let total = pass.header.events;
        let mut state = State::default();
        let (mut pack, mut pack_first) = (Vec::with_capacity(PACK_BYTES * 2), 0u64);
        let (mut packs, mut queued): (crate::backend::Batch, usize) = (Vec::new(), 0);
        let mut commands = imported::Collector::default();
        let mut current: Option<(String, u64, u64)> = None;
        // Folded as it is read while its records are in date order; else folded in timeline
        // order once written.
        let mut ordered = true;
        // The last event of the prefix in date order (all of them while `ordered`).
        let mut until = 0;
        let mut checkpoints = self.checkpoint_writer();
        while let Some(env) = pass.next_record()? {
            if ordered && !coop_core::timeline::keeps_date_order(state.latest, env.effective, &env.event) {
                ordered = false;
            }
            if ordered {
                state.apply(env.effective, &env.event).map_err(|e| broken(pass.line_no, format!("event {}: {e}", env.seq)))?;
                checkpoints.after(self.checkpoints(), &**self, env.seq, &env.hash, &env.event, &state)?;
                until = env.seq;
            }
            if pack.is_empty() {
                pack_first = env.seq;
            } else {
                pack.push(b'\n');
            }
            pack.extend_from_slice(&pass.buf);
            if pack.len() >= PACK_BYTES {
                packs.push((key(pack_first).to_vec(), Some(runs::seal(&std::mem::take(&mut pack)))));
                queued += 1;
            }
            if let Event::CommandVoided { command_id, reason, .. } = &env.event {
                let v = Voided { seq: env.seq, reason: reason.clone() };
                self.meta().insert(&voided_key(command_id), &serde_json::to_vec(&v).unwrap_or_default())?;
            }
            match &mut current {
                Some((id, _, last)) if *id == env.command_id => *last = env.seq,
                _ => {
                    if let Some((id, first, last)) = current.take() {
                        commands.push(&id, first, last);
                    }
                    current = Some((env.command_id, env.seq, env.seq));
                }
            }
            if queued >= 64 {
                self.log().apply(self.backend.put_packs(std::mem::take(&mut packs))?)?;
                queued = 0;
            }
            self.report("import", env.seq, total);
        }
        if !pack.is_empty() {
            packs.push((key(pack_first).to_vec(), Some(runs::seal(&pack))));
        }
        if let Some((id, first, last)) = current {
            commands.push(&id, first, last);
        }
        self.log().apply(self.backend.put_packs(packs)?)?;
        commands.write(&*self.tables().imported)?;
        let head = pass.finish()?;
        if !ordered {
            // In date order up to `until`, whose checkpoints stay for that prefix.
            self.meta().insert(K_ORDERED_UNTIL, &until.to_be_bytes())?;
            self.meta().remove(K_ORDERED)?;
            state = self.fold_timeline(head.seq, None)?;
        }
        self.backend.flush()?;
        Ok((state, head))
    }
}

/// The longest line an import accepts. The longest records are `assembly_closed`, which freeze
/// the voting roll (about 60 bytes a member: 6 MiB for 100,000 members).
const MAX_LINE: usize = 64 * 1024 * 1024;

fn bad(line: usize, reason: String) -> Error {
    Error::BadImport { line, reason, integrity: false }
}

fn broken(line: usize, reason: String) -> Error {
    Error::BadImport { line, reason, integrity: true }
}

/// Reads an export line by line, checking each record against the chain.
pub(super) struct ImportPass<R: BufRead> {
    input: R,
    header: ExportHeader,
    prev: String,
    seq: u64,
    line_no: usize,
    buf: Vec<u8>,
    /// The keys registered so far: what each record's signature must be.
    keys: verify::Keys,
}

impl<R: BufRead> ImportPass<R> {
    pub(super) fn start(mut input: R) -> Result<Self> {
        let mut buf = Vec::new();
        if !read_line(&mut input, &mut buf, 1)? {
            return Err(bad(1, "the file is empty; expected a coop export".into()));
        }
        let header: ExportHeader = serde_json::from_slice(&buf).map_err(|e| {
            bad(1, format!("the first line is not a coop export header ({{\"coop_export\":1,\"events\":N,\"head_hash\":\"...\"}}): {e}"))
        })?;
        if header.coop_export != 1 {
            return Err(bad(1, format!("export format {} is not one this coop reads (1)", header.coop_export)));
        }
        Ok(ImportPass { input, header, prev: GENESIS_HASH.to_string(), seq: 0, line_no: 1, buf, keys: verify::Keys::default() })
    }

    /// The next non-empty line, or `None` at the end of the file.
    pub(super) fn next_line(&mut self) -> Result<bool> {
        loop {
            self.line_no += 1;
            if !read_line(&mut self.input, &mut self.buf, self.line_no)? {
                return Ok(false);
            }
            if !self.buf.is_empty() {
                return Ok(true);
            }
        }
    }

    pub(super) fn error(&self, e: RecordError, seq: u64) -> Error {
        match e {
            RecordError::Malformed(m) => bad(self.line_no, format!("not a coop event record: {m}")),
            e @ RecordError::Schema(coop_core::UpcastError::TooNew(_) | coop_core::UpcastError::UnknownType { .. }) => unreadable(seq, e),
            other => broken(self.line_no, format!("event {seq}: {other}")),
        }
    }

    /// The next record, checked and decoded; `None` at the end of the file.
    pub(super) fn next_record(&mut self) -> Result<Option<Envelope>> {
        if !self.next_line()? {
            return Ok(None);
        }
        let seq = self.seq + 1;
        let env = record::open(&self.buf, seq, &self.prev).map_err(|e| self.error(e, seq))?;
        // Signatures, as `audit verify` checks them: a signed record's own signature, and that
        // every record in a name that registered a key is signed with it.
        let signed_by = match env.signed_by {
            Some(_) => record::open_unlinked(&self.buf, seq).map_err(|e| self.error(e, seq))?.signed_by,
            None => None,
        };
        let registers = match &env.event {
            Event::OfficerKeyRegistered { person, public_key } => Some((person.clone(), public_key.clone())),
            _ => None,
        };
        self.keys.check_signing(seq, &env.actor, &signed_by, &registers).map_err(|problem| broken(self.line_no, problem))?;
        self.prev = env.hash.clone();
        self.seq = seq;
        Ok(Some(env))
    }

    /// Checks the count and the last hash against the header.
    pub(super) fn finish(self) -> Result<Head> {
        if self.seq != self.header.events || self.prev != self.header.head_hash {
            return Err(broken(
                self.line_no,
                format!(
                    "the file holds {} events ending with hash {}, but its header announces {} ending with {}: it was truncated or altered",
                    self.seq, self.prev, self.header.events, self.header.head_hash
                ),
            ));
        }
        Ok(Head { seq: self.seq, hash: self.prev })
    }
}

/// Reads one line without its newline into `buf`, refusing lines over `MAX_LINE`.
/// Returns false at the end of the input.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, line_no: usize) -> Result<bool> {
    buf.clear();
    let n = input.by_ref().take(MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(false);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() > MAX_LINE {
        return Err(bad(line_no, format!("the line is longer than {} MiB: not a coop event record", MAX_LINE / (1024 * 1024))));
    }
    Ok(true)
}
