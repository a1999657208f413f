//! The embedded SQLite store: one `open()` with every pragma, migrations from the root `migrations/`,
//! and a small connection pool. SQL lives only in this module's children, one per table.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

pub(crate) mod chats;
pub(crate) mod connection;
pub(crate) mod contacts;
pub(crate) mod messages;
pub(crate) mod profile;
pub(crate) mod settings;
pub(crate) mod stats;
pub(crate) mod tags;

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "whatsflow.db";

/// Connections kept open for reuse; more are opened on demand and dropped when the pool is full.
const MAX_IDLE: usize = 8;

/// A handle on the database. Cheap to share by reference; each call borrows one connection.
pub struct Db {
    target: Target,
    idle: Mutex<Vec<Connection>>,
}

enum Target {
    File(PathBuf),
    /// A named shared-cache in-memory database; `_keep` holds it alive.
    Memory {
        uri: String,
        _keep: Mutex<Connection>,
    },
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        let db = Db {
            target: Target::File(path.to_owned()),
            idle: Mutex::new(Vec::new()),
        };
        db.migrate()?;
        Ok(db)
    }

    /// A fresh in-memory database with every migration applied; for tests.
    pub fn in_memory() -> Result<Db> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let uri = format!(
            "file:whatsflow-mem-{}-{}?mode=memory&cache=shared",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let keep = open_connection(&uri, true)?;
        let db = Db {
            target: Target::Memory {
                uri,
                _keep: Mutex::new(keep),
            },
            idle: Mutex::new(Vec::new()),
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> Result<()> {
        // refinery wants `&mut Connection`, so it gets a connection of its own.
        let mut conn = self.connect()?;
        embedded::migrations::runner()
            .run(&mut conn)
            .map_err(|e| Error::internal(format!("could not update the database schema: {e}")))?;
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
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// Runs `f` with a connection (autocommit).
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        let out = f(&conn);
        self.give_back(conn);
        out
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds. `BEGIN IMMEDIATE` takes the
    /// write lock up front, so two writers queue on the busy timeout instead of failing to upgrade.
    pub fn with_tx<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        self.give_back(conn);
        out
    }
}

fn open_connection(target: &str, uri: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if uri {
        flags |= OpenFlags::SQLITE_OPEN_URI;
    }
    let conn = Connection::open_with_flags(target, flags)
        .map_err(|e| Error::internal(format!("could not open the database at {target}: {e}")))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if !uri {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
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
}
