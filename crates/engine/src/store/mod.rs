//! The embedded SQLite store: one `open()` with every pragma, migrations from the root `migrations/`,
//! and a small connection pool. SQL lives only in this module's children, one per table.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, RwLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

pub(crate) mod analytics;
pub(crate) mod api_keys;
pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod campaigns;
pub(crate) mod chats;
pub(crate) mod connection;
pub(crate) mod contact_import;
pub(crate) mod contact_search;
pub(crate) mod contacts;
pub(crate) mod dump;
pub(crate) mod idempotency;
pub(crate) mod messages;
pub(crate) mod name_order;
pub(crate) mod profile;
pub(crate) mod settings;
pub(crate) mod tags;
pub(crate) mod webhooks;

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "whatsflow.db";

/// Connections kept open for reuse; more are opened on demand and dropped when the pool is full.
/// Above the HTTP server's 16 request threads plus the background loops: a smaller pool made every
/// request beyond it open a connection (file, pragmas, schema parse, statements prepared anew) and
/// drop it again.
const MAX_IDLE: usize = 32;

/// A handle on the database. Cheap to share by reference; each call borrows one connection.
pub struct Db {
    target: Target,
    idle: Mutex<Vec<Connection>>,
    name_order: name_order::NameOrderCache,
    /// Present for a database file (an in-memory one has no write-ahead log).
    checkpointer: Option<Checkpointer>,
    /// True once [`Db::close`] ran (everything erased): no connection is handed out after that.
    closed: RwLock<bool>,
    /// Bumped after every committed write (see [`Db::data_version`]).
    data_version: AtomicU64,
    /// Where this process's write transactions queue (see [`Db::with_tx`]).
    writers: WriterQueue,
}

/// The turn of one write transaction of this process at a time, in the order they asked (a ticket
/// each: with a plain lock, a writer arriving as another finished could take the turn ahead of
/// those already waiting, again and again). Bounded like SQLite's busy timeout: a writer that
/// waited that long gives up its ticket and goes on to SQLite's own lock (and its timeout) rather
/// than wait forever.
#[derive(Default)]
struct WriterQueue {
    tickets: Mutex<Tickets>,
    turn_passed: std::sync::Condvar,
}

#[derive(Default)]
struct Tickets {
    next: u64,
    serving: u64,
    /// Tickets whose writers stopped waiting: skipped when their turn comes.
    given_up: std::collections::BTreeSet<u64>,
}

impl Tickets {
    fn pass_turn(&mut self) {
        self.serving += 1;
        while self.given_up.remove(&self.serving) {
            self.serving += 1;
        }
    }
}

/// A turn in the [`WriterQueue`]; the next writer's when dropped (also on a panic).
struct WriterTurn<'a>(&'a WriterQueue);

impl WriterQueue {
    fn wait_turn(&self) -> Option<WriterTurn<'_>> {
        if WRITING.with(|w| w.get()) {
            // A write inside a write on this thread: waiting here would wait on itself.
            return None;
        }
        let mut tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        let ticket = tickets.next;
        tickets.next += 1;
        let (mut tickets, _) = self
            .turn_passed
            .wait_timeout_while(tickets, BUSY_TIMEOUT, |t| t.serving != ticket)
            .unwrap_or_else(|p| p.into_inner());
        if tickets.serving != ticket {
            tickets.given_up.insert(ticket);
            return None;
        }
        WRITING.with(|w| w.set(true));
        Some(WriterTurn(self))
    }
}

impl Drop for WriterTurn<'_> {
    fn drop(&mut self) {
        WRITING.with(|w| w.set(false));
        self.0
            .tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pass_turn();
        self.0.turn_passed.notify_all();
    }
}

thread_local! {
    /// Whether this thread has a turn in a [`WriterQueue`].
    static WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

enum Target {
    File(PathBuf),
    /// A named in-memory database (`memdb` VFS); `_keep` holds it alive.
    Memory {
        uri: String,
        _keep: Mutex<Connection>,
    },
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let mut db = Db::migrated(Target::File(path.to_owned()))?;
        db.checkpointer = Some(Checkpointer::start(db.connect()?, path)?);
        Ok(db)
    }

    /// A fresh in-memory database with every migration applied; for tests.
    pub fn in_memory() -> Result<Db> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // The `memdb` VFS, not a shared cache: its connections lock the whole database as a file's
        // do, so a busy one waits out `busy_timeout`. A shared cache locks per table and fails at
        // once ("database table is locked") whenever a reader meets a writer, which made tests
        // with background threads (webhook worker, scheduler) fail at random.
        let uri = format!(
            "file:/whatsflow-mem-{}-{}?vfs=memdb",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let keep = open_connection(&uri, true)?;
        Db::migrated(Target::Memory {
            uri,
            _keep: Mutex::new(keep),
        })
    }

    /// A handle on `target` with its schema brought up to date.
    fn migrated(target: Target) -> Result<Db> {
        let db = Db {
            target,
            idle: Mutex::new(Vec::new()),
            name_order: Default::default(),
            checkpointer: None,
            closed: RwLock::new(false),
            data_version: AtomicU64::new(0),
            writers: WriterQueue::default(),
        };
        db.migrate()?;
        Ok(db)
    }

    /// The cached name order of contacts (see `name_order`).
    pub(crate) fn name_order(&self) -> &name_order::NameOrderCache {
        &self.name_order
    }

    fn migrate(&self) -> Result<()> {
        // refinery wants `&mut Connection`, so it gets a connection of its own.
        let mut conn = self.connect()?;
        embedded::migrations::runner()
            .run(&mut conn)
            .map_err(|e| Error::internal("could not update the database schema").with_source(e))?;
        self.give_back(conn);
        Ok(())
    }

    fn connect(&self) -> Result<Connection> {
        match &self.target {
            Target::File(path) => open_connection(&path.to_string_lossy(), false),
            Target::Memory { uri, .. } => open_connection(uri, true),
        }
    }

    fn take(&self) -> Result<Connection> {
        // Held while connecting, so no connection (which could create the file again) is opened
        // once `close` has returned.
        let closed = self.closed.read().unwrap_or_else(|p| p.into_inner());
        if *closed {
            return Err(Error::new(
                crate::error::ErrorCode::Conflict,
                "WhatsFlow's data was erased. Restart WhatsFlow to start again",
            ));
        }
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    /// Stops handing out connections and drops the idle ones, so the files can be deleted. A call
    /// already running finishes on its connection, which is then dropped.
    pub(crate) fn close(&self) {
        *self.closed.write().unwrap_or_else(|p| p.into_inner()) = true;
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn give_back(&self, conn: Connection) {
        if *self.closed.read().unwrap_or_else(|p| p.into_inner()) {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// A number that grows after every write through this handle has committed, so whatever was
    /// computed from the data read after seeing a value stays true while the value stays the same.
    /// Bumped after the commit: a reader that reads it before its snapshot never keeps a result
    /// under a value its data is older than.
    pub(crate) fn data_version(&self) -> u64 {
        self.data_version.load(Ordering::Acquire)
    }

    fn data_changed(&self) {
        self.data_version.fetch_add(1, Ordering::AcqRel);
    }

    /// Runs `f` with a connection (autocommit).
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        // Autocommit writes go this way too: SQLite counts every row they changed.
        let changes_before = conn.total_changes();
        let out = f(&conn);
        if conn.total_changes() != changes_before {
            self.data_changed();
        }
        self.give_back(conn);
        out
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds. `BEGIN IMMEDIATE` takes the
    /// write lock up front, so two writers queue instead of failing to upgrade. Writers of this
    /// process queue on a mutex first: SQLite's busy handler polls in sleeps of up to 100 ms, so
    /// writers waiting on it were woken late and the lock sat idle meanwhile (sends under 100
    /// concurrent clients spent most of their p99 asleep there). Another process still meets the
    /// busy timeout.
    pub fn with_tx<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let _turn = self.writers.wait_turn();
        self.run_tx(f)
    }

    fn run_tx<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        // Also after a failed or rolled-back one: a needless bump only costs a recomputation.
        self.data_changed();
        self.give_back(conn);
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
        out
    }
}

/// Copies committed pages from the write-ahead log back into the database file on a thread of its
/// own, so the writer whose commit crosses the log's size limit does not wait for it (SQLite's
/// automatic checkpoint added 0.3 s to a 100 000-contact import). Woken after each write
/// transaction and every few seconds for autocommit writes; the last checkpoint runs when the
/// database is closed.
struct Checkpointer {
    wake: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The log is copied back once it is this large (SQLite's own default is 1000 pages of 4 KiB).
const CHECKPOINT_FROM_BYTES: u64 = 4 * 1024 * 1024;

/// A connection still checkpoints by itself past this many log pages (400 MiB), in case the
/// checkpointer cannot keep up.
const AUTOCHECKPOINT_PAGES: i64 = 100_000;

impl Checkpointer {
    fn start(conn: Connection, db_path: &Path) -> Result<Checkpointer> {
        let mut wal = db_path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let (wake, woken) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let checkpoint = |mode: &str| {
                    let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                    if size >= CHECKPOINT_FROM_BYTES || mode == "TRUNCATE" {
                        // Busy readers or writers only make a PASSIVE checkpoint stop early;
                        // the next one carries on.
                        if let Err(e) = conn.query_row(
                            &format!("PRAGMA wal_checkpoint({mode})"),
                            [],
                            |_| Ok(()),
                        ) {
                            tracing::warn!("checkpoint of the database log failed: {e}");
                        }
                    }
                };
                // Until the database is closed (the sender dropped): woken, or every 5 s.
                while let Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) =
                    woken.recv_timeout(Duration::from_secs(5))
                {
                    while woken.try_recv().is_ok() {}
                    checkpoint("PASSIVE");
                }
                checkpoint("TRUNCATE");
            })
            .map_err(|e| Error::internal("could not start the checkpoint thread").with_source(e))?;
        Ok(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    fn nudge(&self) {
        if let Some(wake) = &self.wake {
            let _ = wake.send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake.take(); // disconnects: the thread runs its last checkpoint and ends
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Page cache of each connection, in KiB (SQLite's default is 2 MiB): a search over 100 000
/// contacts stays in memory. Pooled connections keep a cache each, so it stays modest; bulk writes
/// take a larger one while they run ([`with_bulk_cache`]).
const CACHE_KIB: i64 = 16 * 1024;

/// Page cache of a bulk write, in KiB: importing 100 000 contacts dirties ~40 MB of pages, which a
/// smaller cache would write out and read back before the commit (a third of the import's time).
const BULK_CACHE_KIB: i64 = 96 * 1024;

/// Runs a bulk write on `conn` with the larger page cache, then shrinks it back (after the commit,
/// the extra pages are released as they are reused).
pub(crate) fn with_bulk_cache<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
    let out = f();
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    out
}

/// How long a connection waits for another's write lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's busy handler on every connection: while another connection holds the write lock, try
/// again every millisecond, for up to [`BUSY_TIMEOUT`]. SQLite's own (`busy_timeout`) sleeps
/// 1, 2, 5, … up to 100 ms between tries, so a writer kept waiting once slept on long after the
/// lock was free. `tries` is how many times it was called for this wait.
fn wait_for_lock(tries: i32) -> bool {
    const PAUSE: Duration = Duration::from_millis(1);
    if PAUSE * tries.max(0) as u32 >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(PAUSE);
    true
}

/// Prepared statements kept per connection (`prepare_cached`).
const STATEMENT_CACHE: usize = 128;

fn open_connection(target: &str, uri: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if uri {
        flags |= OpenFlags::SQLITE_OPEN_URI;
    }
    let mut conn = Connection::open_with_flags(target, flags).map_err(|e| {
        Error::internal(format!("could not open the database at {target}")).with_source(e)
    })?;
    conn.busy_handler(Some(wait_for_lock))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if !uri {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    // Cache pages are allocated only as they are used; the import's staging tables stay in memory.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
    // Room for every statement a send goes through (a campaign send runs about forty), so they are
    // parsed once per connection rather than at every use (rusqlite keeps 16 by default).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_are_a_no_op_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        Db::open(&path).unwrap();
        let count = |db: &Db| {
            db.with(|c| {
                Ok(
                    c.query_row("SELECT count(*) FROM refinery_schema_history", [], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            })
            .unwrap()
        };
        let first = count(&Db::open(&path).unwrap());
        let second = count(&Db::open(&path).unwrap());
        assert!(
            first >= 1,
            "the first open must record the applied migrations"
        );
        assert_eq!(first, second, "reopening must not apply anything again");
    }

    #[test]
    fn open_sets_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join(DB_FILE)).unwrap();
        db.with(|c| {
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
            assert_eq!(mode, "wal");
            assert_eq!(fk, 1);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() {
        let db = Db::in_memory().unwrap();
        let result: Result<()> = db.with_tx(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 0)",
                [],
            )?;
            Err(Error::internal("boom"))
        });
        assert!(result.is_err());
        let n: i64 = db
            .with(|c| Ok(c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(
            n, 0,
            "a rolled-back transaction must not leave its insert behind"
        );
    }

    #[test]
    fn a_large_write_is_copied_into_the_database_file_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let db = Db::open(&path).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        db.with_tx(|tx| {
            tx.execute_batch("CREATE TABLE bulk (data BLOB)")?;
            for _ in 0..8 {
                tx.execute("INSERT INTO bulk VALUES (zeroblob(1024 * 1024))", [])?;
            }
            Ok(())
        })
        .unwrap();
        // The commit left 8 MiB in the log (well under the connections' own limit); the
        // checkpointer, woken by the commit, copies it into the database file.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::fs::metadata(&path).unwrap().len() < before + 8 * 1024 * 1024 {
            assert!(
                std::time::Instant::now() < deadline,
                "the log was not checkpointed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(db);
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        assert!(
            std::fs::metadata(&wal).map_or(0, |m| m.len()) == 0,
            "closing leaves no log behind"
        );
    }
}
