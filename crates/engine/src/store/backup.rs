//! The SQL side of backups: an online copy of the live database in small steps (SQLite's backup
//! API), the schema version a database file carries (refinery's history table), and the checks a
//! file must pass before it may replace the database. Naming, scheduling and retention live in
//! `crate::backup`.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{open_connection, Db, Target};
use crate::error::{Error, ErrorCode, Result};

/// Pages copied per step (4 KiB each): small steps keep each lock short.
const PAGES_PER_STEP: i32 = 256;

/// A short pause between steps, so a backup shares the disk with the app instead of hogging it.
const PAUSE_BETWEEN_STEPS: Duration = Duration::from_millis(2);

/// The newest schema version this build knows (its last migration).
pub(crate) fn known_schema_version() -> i64 {
    super::embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The schema version recorded in a database (`None` when it has no refinery history: a file that
/// is not a WhatsFlow database, or an empty one).
pub(crate) fn schema_version(conn: &Connection) -> Result<Option<i64>> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(None);
    }
    Ok(conn.query_row(
        "SELECT max(version) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?)
}

/// Copies the database `source` reads into a new file at `dest`, step by step. The source holds one
/// read transaction for the whole copy: in WAL mode writers carry on meanwhile, and the copy is the
/// database as of that transaction's start (without it, every write elsewhere would restart the copy).
pub(crate) fn copy_to_file(source: &Connection, dest: &Path) -> Result<()> {
    let mut target = Connection::open(dest).map_err(|e| {
        Error::internal(format!(
            "could not create the backup {}: {e}",
            dest.display()
        ))
    })?;
    // The copy is written once, then renamed into place: no rollback journal needed beside it.
    target.pragma_update(None, "journal_mode", "OFF")?;
    source.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_master;")?;
    let copied = (|| -> rusqlite::Result<()> {
        let backup = Backup::new(source, &mut target)?;
        loop {
            // More, Busy or Locked: the target is ours alone and the source only reads, so a
            // lock is a passing state; the next step carries on.
            if matches!(backup.step(PAGES_PER_STEP)?, StepResult::Done) {
                return Ok(());
            }
            std::thread::sleep(PAUSE_BETWEEN_STEPS);
        }
    })();
    let _ = source.execute_batch("COMMIT");
    copied.map_err(|e| write_error(dest, e))?;
    drop(target);
    // On disk before the rename makes it a backup.
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(|e| write_error(dest, e))
}

fn write_error(dest: &Path, e: impl std::fmt::Display) -> Error {
    let text = e.to_string();
    let reason = if text.contains("full") || text.contains("No space") {
        "the disk is full".to_owned()
    } else {
        text
    };
    Error::internal(format!(
        "could not write the backup {}: {reason}",
        dest.display()
    ))
}

/// What a file offered for a restore turned out to be.
pub(crate) struct Checked {
    pub schema_version: i64,
}

/// Checks that `path` is a sound WhatsFlow database this build can open: SQLite, intact, with
/// WhatsFlow's schema history at a version no newer than this build's.
pub(crate) fn check_restorable(path: &Path) -> Result<Checked> {
    let not_a_backup = || {
        Error::new(
            ErrorCode::ValidationFailed,
            "This file is not a WhatsFlow backup: nothing was changed",
        )
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| not_a_backup())?;
    let intact: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|_| not_a_backup())?;
    if intact != "ok" {
        return Err(Error::new(
            ErrorCode::ValidationFailed,
            "This backup is damaged (SQLite's check failed): nothing was changed",
        ));
    }
    let version = schema_version(&conn)
        .map_err(|_| not_a_backup())?
        .ok_or_else(not_a_backup)?;
    let is_whatsflow: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'business_profile')",
            [],
            |r| r.get(0),
        )
        .map_err(|_| not_a_backup())?;
    if !is_whatsflow {
        return Err(not_a_backup());
    }
    let known = known_schema_version();
    if version > known {
        return Err(Error::new(
            ErrorCode::ValidationFailed,
            format!(
                "This backup comes from a newer WhatsFlow (database version {version}; this one \
                 knows up to {known}). Update WhatsFlow, then restore it: nothing was changed"
            ),
        ));
    }
    Ok(Checked {
        schema_version: version,
    })
}

/// Whether the database file at `path` exists and lacks migrations this build would apply.
pub(crate) fn needs_migration(path: &Path) -> Result<bool> {
    if !path.is_file() {
        return Ok(false);
    }
    let conn = open_connection(&path.to_string_lossy(), false)?;
    Ok(schema_version(&conn)?.is_some_and(|v| v < known_schema_version()))
}

/// Opens a plain connection on a database file (for a backup taken before the `Db` exists).
pub(crate) fn connect_file(path: &Path) -> Result<Connection> {
    open_connection(&path.to_string_lossy(), false)
}

/// Leaves the database file at `path` whole on its own: the log copied in and the file taken out
/// of WAL mode (which deletes `-wal` and `-shm`), so another file may be renamed over it.
pub(crate) fn settle_file(path: &Path) -> Result<()> {
    let conn = open_connection(&path.to_string_lossy(), false)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    Ok(())
}

impl Db {
    /// Whether this is a database file (an in-memory one cannot be restored over).
    pub(crate) fn is_file(&self) -> bool {
        matches!(self.target, Target::File(_))
    }
}
