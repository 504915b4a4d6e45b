//! The PostgreSQL backend: a cooperative's tables as rows of shared tables, keyed by the
//! cooperative's name, in a database many processes and machines use at once.
//!
//! - `coop_kv (coop, tab, k, v)`: the log's runs, `meta`, command ids and the pieces of the
//!   state, one `tab` number each, in key order (`bytea` compares byte by byte, as sled does).
//!   The log's keys are its sequence numbers: unique per cooperative.
//! - `coop_personal (coop, party, entry)`: the personal data, apart, so that an erasure deletes
//!   its rows (followed by `VACUUM FULL coop_personal`, see [`PgPersonal::remove_all`]).
//! - `coop_personal_pending (coop, token, body)`: personal data written outside a command's
//!   transaction (a restore) until the events naming it commit.
//!
//! A command's writes are one transaction on a connection of their own, begun by
//! `pg_advisory_xact_lock` on the cooperative: writers of one cooperative queue there (others
//! go on), and the head the store reads next is the last committed. The transaction ends with
//! `pg_notify` on the cooperative's channel, which the database delivers at commit to the
//! processes that `LISTEN` (subscriptions). Reads by other threads go through a second
//! connection, in autocommit, and see only what is committed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;

use postgres::{Client, NoTls, Statement};
use sha2::Digest as _;

use super::{Backend, Batch, Kind, Pair, Pairs, PersonalStore, Table, Tables, Value};
use crate::personal::{Pending, PersonalEntry};
use crate::{Error, Result, StorageError};
use coop_core::PartyId;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS coop_kv (
    coop text NOT NULL,
    tab smallint NOT NULL,
    k bytea NOT NULL,
    v bytea NOT NULL,
    PRIMARY KEY (coop, tab, k)
);
CREATE TABLE IF NOT EXISTS coop_personal (
    coop text NOT NULL,
    party text NOT NULL,
    entry bytea NOT NULL,
    PRIMARY KEY (coop, party)
);
CREATE TABLE IF NOT EXISTS coop_personal_pending (
    coop text NOT NULL,
    token text NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (coop, token)
);
";

/// Rows read at a time by a scan.
const CHUNK: i64 = 512;

/// A client or server error; the server's message, and its detail, are shown (the client's own
/// Display says only "db error").
fn storage(e: postgres::Error) -> Error {
    let shown = match e.as_db_error() {
        Some(db) => {
            let detail = db.detail().map(|d| format!(" ({d})")).unwrap_or_default();
            format!("PostgreSQL: {}: {}{detail} [SQLSTATE {}]", db.severity(), db.message(), db.code().code())
        }
        None => format!("PostgreSQL: {e}"),
    };
    Error::Storage(StorageError(shown.into()))
}

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Conn {
    fn connect(url: &str) -> Result<Conn> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| Error::Storage(StorageError(format!("cannot connect to {}: {e}", super::redact(url)).into())))?;
        Ok(Conn { client, prepared: HashMap::new() })
    }

    fn statement(&mut self, sql: &'static str) -> std::result::Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.prepared.insert(sql, s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &'static str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<postgres::Row>> {
        let s = self.statement(sql).map_err(storage)?;
        self.client.query(&s, params).map_err(storage)
    }

    /// Runs `f` in a transaction of its own on this (autocommit) connection: committed if it
    /// succeeds, rolled back otherwise.
    fn transaction(&mut self, f: impl FnOnce(&mut Conn) -> Result<()>) -> Result<()> {
        self.client.batch_execute("BEGIN").map_err(storage)?;
        match f(self) {
            Ok(()) => self.client.batch_execute("COMMIT").map_err(storage),
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK");
                Err(e)
            }
        }
    }

    fn execute(&mut self, sql: &'static str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<u64> {
        let s = self.statement(sql).map_err(storage)?;
        self.client.execute(&s, params).map_err(storage)
    }
}

/// Writes waiting to be sent, by table and key: a value to put, or `None` to remove.
type Buffered = std::collections::BTreeMap<(i16, Vec<u8>), Option<Vec<u8>>>;

/// One cooperative in one database: two connections, and which thread has a transaction open.
pub(crate) struct Pg {
    url: String,
    coop: String,
    /// Reads, and writes outside a transaction (autocommit).
    auto: Mutex<Conn>,
    /// The connection a transaction is open on, used by its thread only.
    tx: Mutex<Conn>,
    owner: Mutex<Option<ThreadId>>,
    /// The writes of the open transaction not sent yet, the last per key: sent together (one
    /// statement for the puts, one for the removals) before a read in the transaction, when
    /// many, and at its commit. A command's dozen writes cost two round trips, not a dozen.
    buffer: Mutex<Buffered>,
    /// The cooperative's advisory lock and notification channel.
    lock_key: i64,
    channel: String,
    /// Its rows are deleted when the backend is dropped (`Options::temporary`).
    temporary: bool,
}

impl Pg {
    fn in_tx(&self) -> bool {
        *self.owner.lock().unwrap_or_else(|p| p.into_inner()) == Some(std::thread::current().id())
    }

    /// The connection this thread uses: its transaction's (with the writes buffered so far
    /// sent, so that it reads them), or the autocommit one.
    fn conn(&self) -> Result<MutexGuard<'_, Conn>> {
        if self.in_tx() {
            let mut c = self.tx.lock().unwrap_or_else(|p| p.into_inner());
            self.send_buffer(&mut c)?;
            return Ok(c);
        }
        Ok(self.auto.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Sends the buffered writes of the transaction on `c`.
    fn send_buffer(&self, c: &mut Conn) -> Result<()> {
        let writes = std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|p| p.into_inner()));
        if writes.is_empty() {
            return Ok(());
        }
        let (mut put_tabs, mut put_keys, mut put_values) = (Vec::new(), Vec::new(), Vec::new());
        let (mut del_tabs, mut del_keys) = (Vec::new(), Vec::new());
        for ((tab, k), v) in writes {
            match v {
                Some(v) => {
                    put_tabs.push(tab);
                    put_keys.push(k);
                    put_values.push(v);
                }
                None => {
                    del_tabs.push(tab);
                    del_keys.push(k);
                }
            }
        }
        if !del_keys.is_empty() {
            c.execute(
                "DELETE FROM coop_kv WHERE coop = $1 AND (tab, k) IN (SELECT * FROM unnest($2::int2[], $3::bytea[]))",
                &[&self.coop, &del_tabs, &del_keys],
            )?;
        }
        if !put_keys.is_empty() {
            c.execute(
                "INSERT INTO coop_kv (coop, tab, k, v) SELECT $1, * FROM unnest($2::int2[], $3::bytea[], $4::bytea[]) \
                 ON CONFLICT (coop, tab, k) DO UPDATE SET v = EXCLUDED.v",
                &[&self.coop, &put_tabs, &put_keys, &put_values],
            )?;
        }
        Ok(())
    }

    /// Writes to table `tab`: buffered in this thread's transaction (sent when large), else in
    /// a transaction of their own on the autocommit connection.
    fn write(&self, tab: i16, batch: Batch) -> Result<()> {
        if self.in_tx() {
            let mut buffer = self.buffer.lock().unwrap_or_else(|p| p.into_inner());
            for (k, v) in batch {
                buffer.insert((tab, k), v);
            }
            let large = buffer.len() >= 2048;
            drop(buffer);
            if large {
                let mut c = self.tx.lock().unwrap_or_else(|p| p.into_inner());
                self.send_buffer(&mut c)?;
            }
            return Ok(());
        }
        self.conn()?.transaction(|c| write(c, &self.coop, tab, &batch))
    }
}

/// One table of a cooperative: the rows of `coop_kv` with its `tab` number.
struct PgTable {
    pg: Arc<Pg>,
    tab: i16,
}

fn owned(row: &postgres::Row) -> Pair {
    (Value::Owned(row.get(0)), Value::Owned(row.get(1)))
}

impl PgTable {
    fn scan<'a>(&'a self, from: Vec<u8>, prefix: Option<Vec<u8>>) -> Pairs<'a> {
        Box::new(Scan { table: self, next: from, inclusive: true, buf: VecDeque::new(), done: false, prefix })
    }
}

/// Rows in key order, read a chunk at a time.
struct Scan<'a> {
    table: &'a PgTable,
    next: Vec<u8>,
    inclusive: bool,
    buf: VecDeque<Pair>,
    done: bool,
    prefix: Option<Vec<u8>>,
}

impl Iterator for Scan<'_> {
    type Item = Result<Pair>;
    fn next(&mut self) -> Option<Result<Pair>> {
        if self.buf.is_empty() && !self.done {
            let t = self.table;
            let rows = if self.inclusive {
                t.pg.conn().and_then(|mut c| {
                    c.query(
                        "SELECT k, v FROM coop_kv WHERE coop = $1 AND tab = $2 AND k >= $3 ORDER BY k LIMIT $4",
                        &[&t.pg.coop, &t.tab, &self.next, &CHUNK],
                    )
                })
            } else {
                t.pg.conn().and_then(|mut c| {
                    c.query(
                        "SELECT k, v FROM coop_kv WHERE coop = $1 AND tab = $2 AND k > $3 ORDER BY k LIMIT $4",
                        &[&t.pg.coop, &t.tab, &self.next, &CHUNK],
                    )
                })
            };
            let rows = match rows {
                Ok(r) => r,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            self.done = (rows.len() as i64) < CHUNK;
            self.inclusive = false;
            if let Some(last) = rows.last() {
                self.next = last.get(0);
            }
            self.buf.extend(rows.iter().map(owned));
        }
        let pair = self.buf.pop_front()?;
        if let Some(p) = &self.prefix {
            if !pair.0.starts_with(p) {
                self.done = true;
                self.buf.clear();
                return None;
            }
        }
        Some(Ok(pair))
    }
}

impl Table for PgTable {
    fn get(&self, key: &[u8]) -> Result<Option<Value>> {
        let rows =
            self.pg.conn()?.query("SELECT v FROM coop_kv WHERE coop = $1 AND tab = $2 AND k = $3", &[&self.pg.coop, &self.tab, &key])?;
        Ok(rows.first().map(|r| Value::Owned(r.get(0))))
    }
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<()> {
        self.pg.write(self.tab, vec![(key.to_vec(), Some(value.to_vec()))])
    }
    fn remove(&self, key: &[u8]) -> Result<()> {
        self.pg.write(self.tab, vec![(key.to_vec(), None)])
    }
    fn range_from<'a>(&'a self, from: &[u8]) -> Pairs<'a> {
        self.scan(from.to_vec(), None)
    }
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Pairs<'a> {
        self.scan(prefix.to_vec(), Some(prefix.to_vec()))
    }
    fn last_at_or_before(&self, key: &[u8]) -> Result<Option<Pair>> {
        let rows = self.pg.conn()?.query(
            "SELECT k, v FROM coop_kv WHERE coop = $1 AND tab = $2 AND k <= $3 ORDER BY k DESC LIMIT 1",
            &[&self.pg.coop, &self.tab, &key],
        )?;
        Ok(rows.first().map(owned))
    }
    fn last(&self) -> Result<Option<Pair>> {
        let rows = self
            .pg
            .conn()?
            .query("SELECT k, v FROM coop_kv WHERE coop = $1 AND tab = $2 ORDER BY k DESC LIMIT 1", &[&self.pg.coop, &self.tab])?;
        Ok(rows.first().map(owned))
    }
    fn clear(&self) -> Result<()> {
        self.pg.conn()?.execute("DELETE FROM coop_kv WHERE coop = $1 AND tab = $2", &[&self.pg.coop, &self.tab])?;
        Ok(())
    }
    fn is_empty(&self) -> Result<bool> {
        let rows = self.pg.conn()?.query("SELECT 1 FROM coop_kv WHERE coop = $1 AND tab = $2 LIMIT 1", &[&self.pg.coop, &self.tab])?;
        Ok(rows.is_empty())
    }
    fn apply(&self, batch: Batch) -> Result<()> {
        self.pg.write(self.tab, batch)
    }
}

fn write(c: &mut Conn, coop: &str, tab: i16, batch: &Batch) -> Result<()> {
    for (k, v) in batch {
        match v {
            Some(v) => c.execute(
                "INSERT INTO coop_kv (coop, tab, k, v) VALUES ($1, $2, $3, $4) ON CONFLICT (coop, tab, k) DO UPDATE SET v = EXCLUDED.v",
                &[&coop, &tab, k, v],
            )?,
            None => c.execute("DELETE FROM coop_kv WHERE coop = $1 AND tab = $2 AND k = $3", &[&coop, &tab, k])?,
        };
    }
    Ok(())
}

/// The personal data of one cooperative.
pub(crate) struct PgPersonal {
    pg: Arc<Pg>,
}

fn entry_of(bytes: &[u8]) -> Result<PersonalEntry> {
    serde_json::from_slice(bytes).map_err(|e| Error::Integrity { seq: 0, reason: format!("unreadable personal data row: {e}") })
}

impl PersonalStore for PgPersonal {
    fn get(&self, id: PartyId) -> Result<Option<PersonalEntry>> {
        let rows =
            self.pg.conn()?.query("SELECT entry FROM coop_personal WHERE coop = $1 AND party = $2", &[&self.pg.coop, &id.to_string()])?;
        rows.first().map(|r| entry_of(r.get(0))).transpose()
    }
    fn put_all(&self, entries: &[(PartyId, PersonalEntry)]) -> Result<String> {
        if self.pg.in_tx() {
            // Committed or rolled back with the command's events: nothing to settle.
            let mut c = self.pg.conn()?;
            for (id, e) in entries {
                let bytes = serde_json::to_vec(e).unwrap_or_default();
                c.execute(
                    "INSERT INTO coop_personal (coop, party, entry) VALUES ($1, $2, $3) ON CONFLICT (coop, party) DO UPDATE SET entry = EXCLUDED.entry",
                    &[&self.pg.coop, &id.to_string(), &bytes],
                )?;
            }
            return Ok(IN_TRANSACTION.to_string());
        }
        let mut write = Pending { token: ulid::Ulid::new().to_string(), ..Pending::default() };
        for (id, _) in entries {
            match self.get(*id)? {
                Some(previous) => write.replaced.push((*id, previous)),
                None => write.added.push(*id),
            }
        }
        let token = write.token.clone();
        let body = serde_json::to_vec(&write).unwrap_or_default();
        let coop = self.pg.coop.clone();
        self.pg.conn()?.transaction(|c| {
            c.execute("INSERT INTO coop_personal_pending (coop, token, body) VALUES ($1, $2, $3)", &[&coop, &token, &body])?;
            for (id, e) in entries {
                let bytes = serde_json::to_vec(e).unwrap_or_default();
                c.execute(
                    "INSERT INTO coop_personal (coop, party, entry) VALUES ($1, $2, $3) ON CONFLICT (coop, party) DO UPDATE SET entry = EXCLUDED.entry",
                    &[&coop, &id.to_string(), &bytes],
                )?;
            }
            Ok(())
        })?;
        Ok(token)
    }
    fn pending(&self) -> Result<Vec<Pending>> {
        let rows = self.pg.conn()?.query("SELECT body FROM coop_personal_pending WHERE coop = $1 ORDER BY token", &[&self.pg.coop])?;
        Ok(rows.iter().filter_map(|r| serde_json::from_slice(r.get::<_, &[u8]>(0)).ok()).collect())
    }
    fn settle(&self, token: Option<&str>) -> Result<()> {
        match token {
            Some(IN_TRANSACTION) => 0,
            Some(t) => self.pg.conn()?.execute("DELETE FROM coop_personal_pending WHERE coop = $1 AND token = $2", &[&self.pg.coop, &t])?,
            None => self.pg.conn()?.execute("DELETE FROM coop_personal_pending WHERE coop = $1", &[&self.pg.coop])?,
        };
        Ok(())
    }
    fn all(&self) -> Result<Vec<(PartyId, PersonalEntry)>> {
        let rows = self.pg.conn()?.query("SELECT party, entry FROM coop_personal WHERE coop = $1 ORDER BY party", &[&self.pg.coop])?;
        rows.iter()
            .map(|r| {
                let party: &str = r.get(0);
                let id =
                    party.parse().map_err(|_| Error::Integrity { seq: 0, reason: format!("personal data row: bad party id {party}") })?;
                Ok((id, entry_of(r.get(1))?))
            })
            .collect()
    }
    /// Deletes the rows; outside a transaction, then `VACUUM FULL coop_personal`, which writes
    /// the table anew without them (a plain `VACUUM` only marks their space reusable, leaving
    /// the bytes in the table's pages until overwritten). The write-ahead log and any backup of
    /// the database keep them until recycled: see the README.
    fn remove_all(&self, ids: &[PartyId]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        self.pg.conn()?.execute("DELETE FROM coop_personal WHERE coop = $1 AND party = ANY($2)", &[&self.pg.coop, &list])?;
        if !self.pg.in_tx() {
            // `VACUUM FULL` keeps a deleted row while a transaction begun before the delete may
            // still see it: wait (half a minute at most) for such transactions, of any process or
            // cooperative sharing the database, to end, so that the row is not copied into the
            // new file. (Ten seconds proved short once, the whole PostgreSQL test suite's
            // commands running at once on two cores.)
            let conn = &mut self.pg.conn()?.client;
            let deleted: std::time::SystemTime = conn.query_one("SELECT clock_timestamp()", &[]).map_err(storage)?.get(0);
            let older = "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() \
                         AND backend_xmin IS NOT NULL AND xact_start < $1";
            let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while std::time::Instant::now() < until {
                let n: i64 = conn.query_one(older, &[&deleted]).map_err(storage)?.get(0);
                if n == 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            conn.batch_execute("VACUUM FULL coop_personal").map_err(storage)?;
        }
        Ok(())
    }
}

/// Whether the database at `url` holds rows of cooperative `coop` (creating nothing).
pub(crate) fn exists(url: &str, coop: &str) -> Result<bool> {
    let mut c = Conn::connect(url)?;
    let rows = c.client.query("SELECT to_regclass('coop_kv') IS NOT NULL", &[]).map_err(storage)?;
    if !rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
        return Ok(false);
    }
    let rows = c.client.query("SELECT 1 FROM coop_kv WHERE coop = $1 LIMIT 1", &[&coop]).map_err(storage)?;
    Ok(!rows.is_empty())
}

/// The token of personal data written in a command's transaction: nothing to settle.
const IN_TRANSACTION: &str = "";

/// A cooperative's store in a PostgreSQL database.
pub(crate) struct PgBackend {
    pg: Arc<Pg>,
    tables: Tables,
    personal: PgPersonal,
}

impl PgBackend {
    /// Connects to `url` (twice: reads, and transactions), creates the tables if missing, and
    /// opens cooperative `coop` (empty until founded).
    pub(crate) fn open(url: &str, coop: &str, temporary: bool) -> Result<PgBackend> {
        let mut auto = Conn::connect(url)?;
        // Two processes creating the tables at once would collide in the catalog: the lock is
        // held until the tables are committed.
        auto.client.batch_execute(&format!("BEGIN; SELECT pg_advisory_xact_lock(7243057); {SCHEMA} COMMIT;")).map_err(storage)?;
        let tx = Conn::connect(url)?;
        let digest = sha2::Sha256::digest(coop.as_bytes());
        let lock_key = i64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
        let channel = format!("coop_{}", hex::encode(&digest[..12]));
        let pg = Arc::new(Pg {
            url: url.to_string(),
            coop: coop.to_string(),
            auto: Mutex::new(auto),
            tx: Mutex::new(tx),
            owner: Mutex::new(None),
            buffer: Mutex::new(Default::default()),
            lock_key,
            channel,
            temporary,
        });
        let table = |tab: i16| -> Box<dyn Table> { Box::new(PgTable { pg: pg.clone(), tab }) };
        let tables = Tables {
            log: table(0),
            meta: table(1),
            commands: table(2),
            imported: table(3),
            pieces: [table(4), table(5), table(6), table(7)],
            checkpoints: table(8),
        };
        Ok(PgBackend { personal: PgPersonal { pg: pg.clone() }, pg, tables })
    }
}

impl PgBackend {
    /// Opens a transaction with `begin` on the transaction connection, for this thread; with
    /// `lock`, under the cooperative's advisory lock.
    fn start(&self, begin: &str, lock: bool) -> Result<()> {
        {
            let mut owner = self.pg.owner.lock().unwrap_or_else(|p| p.into_inner());
            if owner.is_some() {
                return Err(Error::Reentrant);
            }
            *owner = Some(std::thread::current().id());
        }
        let mut c = self.pg.tx.lock().unwrap_or_else(|p| p.into_inner());
        // One round trip: the lock's key is a number this backend made.
        let sql = match lock {
            true => format!("{begin}; SELECT pg_advisory_xact_lock({})", self.pg.lock_key),
            false => begin.to_string(),
        };
        let begun = c.client.batch_execute(&sql).map_err(storage);
        if begun.is_err() {
            let _ = c.client.batch_execute("ROLLBACK");
            *self.pg.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        begun
    }
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        if self.pg.temporary {
            let mut c = self.pg.auto.lock().unwrap_or_else(|p| p.into_inner());
            let _ = c.client.execute("DELETE FROM coop_kv WHERE coop = $1", &[&self.pg.coop]);
            let _ = c.client.execute("DELETE FROM coop_personal WHERE coop = $1", &[&self.pg.coop]);
            let _ = c.client.execute("DELETE FROM coop_personal_pending WHERE coop = $1", &[&self.pg.coop]);
        }
    }
}

impl Backend for PgBackend {
    fn kind(&self) -> Kind {
        Kind::Postgres
    }
    fn tables(&self) -> &Tables {
        &self.tables
    }
    fn personal(&self) -> &dyn PersonalStore {
        &self.personal
    }
    fn begin(&self) -> Result<()> {
        self.start("BEGIN", true)
    }
    fn begin_read(&self) -> Result<()> {
        self.start("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false)
    }
    fn commit(&self, head: &crate::Head) -> Result<()> {
        let mut c = self.pg.tx.lock().unwrap_or_else(|p| p.into_inner());
        let seq = head.seq.to_string();
        let done = self
            .pg
            .send_buffer(&mut c)
            // One round trip: the channel is hex this backend made, the payload a number.
            .and_then(|_| c.client.batch_execute(&format!("SELECT pg_notify('{}', '{seq}'); COMMIT", self.pg.channel)).map_err(storage));
        if done.is_err() {
            let _ = c.client.batch_execute("ROLLBACK");
        }
        *self.pg.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
        done
    }
    fn rollback(&self) {
        self.pg.buffer.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let mut c = self.pg.tx.lock().unwrap_or_else(|p| p.into_inner());
        let _ = c.client.batch_execute("ROLLBACK");
        *self.pg.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
    fn log_and_meta(&self, log: Batch, meta: Batch) -> Result<()> {
        if self.pg.in_tx() {
            self.pg.write(0, log)?;
            return self.pg.write(1, meta);
        }
        self.pg.conn()?.transaction(|c| write(c, &self.pg.coop, 0, &log).and_then(|_| write(c, &self.pg.coop, 1, &meta)))
    }
    fn flush(&self) -> Result<()> {
        Ok(())
    }
    fn watch(&self, moved: Box<dyn Fn() -> bool + Send>) -> Result<()> {
        listen(&self.pg.url, &self.pg.channel, moved)
    }
}

/// Waits for the cooperative's notifications on a connection of its own, from a thread of its
/// own, and calls `moved` on each (and every second, so that it may stop: it returns false to
/// stop). A broken connection is opened again (a notification missed meanwhile is made up by
/// the call that follows).
fn listen(url: &str, channel: &str, moved: Box<dyn Fn() -> bool + Send>) -> Result<()> {
    let connect = {
        let (url, channel) = (url.to_string(), channel.to_string());
        move || -> Result<Conn> {
            let mut conn = Conn::connect(&url)?;
            conn.client.batch_execute(&format!("LISTEN {channel}")).map_err(storage)?;
            Ok(conn)
        }
    };
    let mut conn = connect()?;
    std::thread::Builder::new()
        .name("coop-listen".into())
        .spawn(move || loop {
            use postgres::fallible_iterator::FallibleIterator;
            let broken = conn.client.notifications().timeout_iter(std::time::Duration::from_secs(1)).next().is_err();
            if !moved() {
                return;
            }
            if broken {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                    match connect() {
                        Ok(c) => {
                            conn = c;
                            break;
                        }
                        Err(_) if moved() => continue,
                        Err(_) => return,
                    }
                }
            }
        })
        .map_err(Error::Io)?;
    Ok(())
}
