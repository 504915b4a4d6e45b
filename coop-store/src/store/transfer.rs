//! Moving a whole log in and out: the export (JSON Lines, byte for byte as stored, with a
//! header), and the import into an empty store, checked line by line and written all or nothing.

use super::*;

use std::sync::Arc;

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
    ///
    /// On sled two threads share the work: this one reads the lines and writes them in packs;
    /// a second opens each record (parses it, checks its hash, link and signature) and folds
    /// it. Lines go to it in chunks, at most [`IN_FLIGHT`] ahead, so memory stays bounded; each
    /// chunk's buffer comes back to be filled again. Packs may be written before their records
    /// are checked: nothing is visible until the head is written last, and on any bad line
    /// everything written is cleared. (Opening the records on this thread instead, and sending
    /// them over, was slower: what one thread allocates and the other frees costs glibc more
    /// than the parsing it moved.) On PostgreSQL every write belongs to the transaction of the
    /// thread that began it: one thread does it all, a chunk at a time.
    fn write_import<R: Read>(&self, input: R) -> Result<(State, Head)> {
        let ImportPass { mut lines, chain } = ImportPass::start(BufReader::new(input))?;
        let mut fold = ImportFold::new(self, chain);
        let mut packs = ImportPacks::default();
        let folded = if self.shared() {
            let mut chunk = Chunk::default();
            loop {
                lines.fill(&mut chunk)?;
                if chunk.is_empty() {
                    break;
                }
                fold.chunk(&chunk)?;
                packs.chunk(self, &chunk)?;
            }
            fold.finish()
        } else {
            std::thread::scope(|scope| {
                let (to_fold, chunks) = std::sync::mpsc::sync_channel::<Arc<Chunk>>(IN_FLIGHT);
                let (give_back, given_back) = std::sync::mpsc::channel::<Arc<Chunk>>();
                let folder = scope.spawn(move || {
                    for chunk in chunks {
                        fold.chunk(&chunk)?;
                        // Filled again by the reader, unless it is done.
                        let _ = give_back.send(chunk);
                    }
                    Ok(fold.finish())
                });
                let read = (|| -> Result<()> {
                    loop {
                        let mut chunk = given_back.try_recv().ok().and_then(|c| Arc::try_unwrap(c).ok()).unwrap_or_default();
                        lines.fill(&mut chunk)?;
                        if chunk.is_empty() {
                            return Ok(());
                        }
                        let chunk = Arc::new(chunk);
                        // The folder stops only on a bad record, whose error its result gives.
                        if to_fold.send(Arc::clone(&chunk)).is_err() {
                            return Ok(());
                        }
                        packs.chunk(self, &chunk)?;
                    }
                })();
                drop(to_fold);
                // The folder is behind the reader: its error, if any, is of an earlier line.
                let folded = folder.join().unwrap_or_else(|_| Err(integrity(0, "the records could not be folded")))?;
                read.map(|_| folded)
            })?
        };
        packs.finish(self)?;
        let FoldedImport { mut state, chain, commands, ordered, until } = folded;
        commands.write(&*self.tables().imported)?;
        let head = chain.finish(lines.line_no)?;
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

/// The records of an import opened against their chain and folded, a chunk at a time (see
/// `Store::write_import`), with the checkpoints of a log in date order, the voids and the
/// command index.
struct ImportFold<'s> {
    store: &'s Store,
    chain: Chain,
    state: State,
    commands: imported::Collector,
    current: Option<(String, u64, u64)>,
    /// Folded as it is read while its records are in date order; else folded in timeline
    /// order once written.
    ordered: bool,
    /// The last event of the prefix in date order (all of them while `ordered`).
    until: u64,
    checkpoints: crate::pieces::checkpoints::Writer,
}

impl<'s> ImportFold<'s> {
    fn new(store: &'s Store, chain: Chain) -> Self {
        let checkpoints = store.checkpoint_writer();
        ImportFold {
            store,
            chain,
            state: State::default(),
            commands: imported::Collector::default(),
            current: None,
            ordered: true,
            until: 0,
            checkpoints,
        }
    }

    /// Opens and folds the records of `chunk`; stops at the first bad one.
    fn chunk(&mut self, chunk: &Chunk) -> Result<()> {
        let total = self.chain.header.events;
        for (line_no, line) in chunk.numbered() {
            let env = self.chain.open(line, line_no)?;
            if self.ordered && !coop_core::timeline::keeps_date_order(self.state.latest, env.effective, &env.event) {
                self.ordered = false;
            }
            if self.ordered {
                self.state.apply(env.effective, &env.event).map_err(|e| broken(line_no, format!("event {}: {e}", env.seq)))?;
                self.checkpoints.after(self.store.checkpoints(), &**self.store, env.seq, &env.hash, &env.event, &self.state)?;
                self.until = env.seq;
            }
            if let Event::CommandVoided { command_id, reason, .. } = &env.event {
                let v = Voided { seq: env.seq, reason: reason.clone() };
                self.store.meta().insert(&voided_key(command_id), &serde_json::to_vec(&v).unwrap_or_default())?;
            }
            match &mut self.current {
                Some((id, _, last)) if *id == env.command_id => *last = env.seq,
                _ => {
                    if let Some((id, first, last)) = self.current.take() {
                        self.commands.push(&id, first, last);
                    }
                    self.current = Some((env.command_id, env.seq, env.seq));
                }
            }
            self.store.report("import", env.seq, total);
        }
        Ok(())
    }

    fn finish(mut self) -> FoldedImport {
        if let Some((id, first, last)) = self.current.take() {
            self.commands.push(&id, first, last);
        }
        FoldedImport { state: self.state, chain: self.chain, commands: self.commands, ordered: self.ordered, until: self.until }
    }
}

/// The lines of an import written in packs of about [`PACK_BYTES`], a chunk at a time, each
/// batch of 64 packs as it is complete.
#[derive(Default)]
struct ImportPacks {
    pack: Vec<u8>,
    pack_first: u64,
    packs: crate::backend::Batch,
    seq: u64,
}

impl ImportPacks {
    fn chunk(&mut self, store: &Store, chunk: &Chunk) -> Result<()> {
        for (_, line) in chunk.numbered() {
            self.seq += 1;
            if self.pack.is_empty() {
                self.pack_first = self.seq;
            } else {
                self.pack.push(b'\n');
            }
            self.pack.extend_from_slice(line);
            if self.pack.len() >= PACK_BYTES {
                self.packs.push((key(self.pack_first).to_vec(), Some(runs::seal(&self.pack))));
                self.pack.clear();
            }
        }
        if self.packs.len() >= 64 {
            store.log().apply(store.backend.put_packs(std::mem::take(&mut self.packs))?)?;
        }
        Ok(())
    }

    /// Writes the packs left, the last one short.
    fn finish(mut self, store: &Store) -> Result<()> {
        if !self.pack.is_empty() {
            self.packs.push((key(self.pack_first).to_vec(), Some(runs::seal(&self.pack))));
        }
        store.log().apply(store.backend.put_packs(self.packs)?)?;
        Ok(())
    }
}

/// What folding an import gives.
struct FoldedImport {
    state: State,
    chain: Chain,
    commands: imported::Collector,
    ordered: bool,
    until: u64,
}

/// Chunks of lines on their way to be folded at once (see `Store::write_import`).
const IN_FLIGHT: usize = 2;

/// The lines an import reads at a time (about half a megabyte of records).
const CHUNK_LINES: usize = 1024;

/// Lines of an export, as read: their bytes one after the other, and each one's number and
/// where it ends (empty lines are left out).
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    lines: Vec<(usize, usize)>,
}

impl Chunk {
    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Each line with its number.
    fn numbered(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let starts = std::iter::once(0).chain(self.lines.iter().map(|(_, end)| *end));
        self.lines.iter().zip(starts).map(|((n, end), start)| (*n, &self.bytes[start..*end]))
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
    lines: Lines<R>,
    chain: Chain,
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
        let chain = Chain { header, prev: GENESIS_HASH.to_string(), seq: 0, keys: verify::Keys::default() };
        Ok(ImportPass { lines: Lines { input, line_no: 1, buf }, chain })
    }

    /// The next record, checked and decoded; `None` at the end of the file.
    pub(super) fn next_record(&mut self) -> Result<Option<Envelope>> {
        if !self.lines.next_line()? {
            return Ok(None);
        }
        self.chain.open(&self.lines.buf, self.lines.line_no).map(Some)
    }

    /// Checks the count and the last hash against the header.
    pub(super) fn finish(self) -> Result<Head> {
        self.chain.finish(self.lines.line_no)
    }
}

/// The lines of an export after its header.
struct Lines<R: BufRead> {
    input: R,
    /// The number of the line last read.
    line_no: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// The next non-empty line (in `buf`), or false at the end of the file.
    fn next_line(&mut self) -> Result<bool> {
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

    /// Fills `chunk` with the next [`CHUNK_LINES`] non-empty lines, fewer at the end of the
    /// file (none after it).
    fn fill(&mut self, chunk: &mut Chunk) -> Result<()> {
        chunk.bytes.clear();
        chunk.lines.clear();
        while chunk.lines.len() < CHUNK_LINES && self.next_line()? {
            chunk.bytes.extend_from_slice(&self.buf);
            chunk.lines.push((self.line_no, chunk.bytes.len()));
        }
        Ok(())
    }
}

/// What an export's records must be, one after the other: each linked to the one before from
/// the genesis hash, signed as the keys registered so far require; at the end, as many as the
/// header announces, ending with its hash.
pub(super) struct Chain {
    header: ExportHeader,
    prev: String,
    seq: u64,
    /// The keys registered so far: what each record's signature must be.
    keys: verify::Keys,
}

impl Chain {
    fn error(e: RecordError, seq: u64, line_no: usize) -> Error {
        match e {
            RecordError::Malformed(m) => bad(line_no, format!("not a coop event record: {m}")),
            e @ RecordError::Schema(coop_core::UpcastError::TooNew(_) | coop_core::UpcastError::UnknownType { .. }) => unreadable(seq, e),
            other => broken(line_no, format!("event {seq}: {other}")),
        }
    }

    /// The record on line `line_no`, the next of the chain, checked and decoded.
    fn open(&mut self, line: &[u8], line_no: usize) -> Result<Envelope> {
        let seq = self.seq + 1;
        let env = record::open(line, seq, &self.prev).map_err(|e| Chain::error(e, seq, line_no))?;
        // Signatures, as `audit verify` checks them: a signed record's own signature, and that
        // every record in a name that registered a key is signed with it.
        let signed_by = match env.signed_by {
            Some(_) => record::open_unlinked(line, seq).map_err(|e| Chain::error(e, seq, line_no))?.signed_by,
            None => None,
        };
        let registers = match &env.event {
            Event::OfficerKeyRegistered { person, public_key } => Some((person.clone(), public_key.clone())),
            _ => None,
        };
        self.keys.check_signing(seq, &env.actor, &signed_by, &registers).map_err(|problem| broken(line_no, problem))?;
        self.prev = env.hash.clone();
        self.seq = seq;
        Ok(env)
    }

    /// Checks the count and the last hash against the header (`line_no`: the file's last line).
    fn finish(self, line_no: usize) -> Result<Head> {
        if self.seq != self.header.events || self.prev != self.header.head_hash {
            return Err(broken(
                line_no,
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
