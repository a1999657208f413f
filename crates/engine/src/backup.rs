//! Backups of the database into `backups/` in the data directory: daily (one a day, the first of
//! each ISO week marked weekly; 7 daily and 4 weekly kept), before every migration, on demand
//! ("Back up now"), and of the current database before a restore replaces it.
//!
//! A backup is SQLite's online copy, taken in small steps on a connection of its own, so the UI and
//! the scheduler carry on meanwhile. It is written under a temporary name and renamed when whole:
//! a backup killed halfway leaves no file named as a backup (and the leftover is removed at start).
//!
//! Media files are included **by reference**: a backup holds the messages' `media/…` paths, not the
//! files. Media files are written once under their message's id and never changed, so a restored
//! backup finds every file whose message still existed when it was deleted; the full export
//! ("Export everything") is what carries the files themselves.
//!
//! A restore is **staged**: the file is checked (a WhatsFlow database of a schema version this
//! build knows) and copied to `restore-pending.db`; the next start backs up the current database,
//! puts the restored one in its place and migrates it. Swapping the file under a running engine
//! would leave its caches (the app lock, the name order), the outbox and the WhatsApp link on
//! data that no longer exists, so the swap waits for the restart the UI asks for.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, Millis};
use crate::error::{Error, ErrorCode, Result};
use crate::{store, Engine};

/// The folder of backups inside the data directory.
pub const BACKUP_DIR: &str = "backups";

/// A restore waiting for the next start.
const PENDING_RESTORE: &str = "restore-pending.db";

/// Daily backups kept.
pub const KEEP_DAILY: usize = 7;
/// Weekly backups kept.
pub const KEEP_WEEKLY: usize = 4;
/// Backups of each other kind kept (on demand, before a migration, before a restore).
pub const KEEP_OTHER: usize = 5;

/// How often the scheduler looks whether today's backup is due.
const TICK: Duration = Duration::from_secs(60);

const PREFIX: &str = "whatsflow-";
const SUFFIX: &str = ".db";
/// Files being written end so; they are never listed and are removed at start.
const PARTIAL: &str = ".partial";
const STAMP: &str = "%Y%m%dT%H%M%S%3fZ";

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BackupKind {
    /// The day's automatic backup.
    Daily,
    /// The first automatic backup of a week, kept longer than the daily ones.
    Weekly,
    /// "Back up now".
    Manual,
    /// Taken just before the schema was upgraded, to go back if the upgrade misbehaves.
    BeforeMigration,
    /// The database a restore replaced.
    BeforeRestore,
}

const KINDS: [(BackupKind, &str); 5] = [
    (BackupKind::Daily, "daily"),
    (BackupKind::Weekly, "weekly"),
    (BackupKind::Manual, "manual"),
    (BackupKind::BeforeMigration, "before-migration"),
    (BackupKind::BeforeRestore, "before-restore"),
];

impl BackupKind {
    fn as_str(self) -> &'static str {
        KINDS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, word)| *word)
            .unwrap_or("manual")
    }

    fn parse(word: &str) -> Option<BackupKind> {
        KINDS
            .iter()
            .find(|(_, w)| *w == word)
            .map(|(kind, _)| *kind)
    }
}

/// A backup file in `backups/`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    /// The file name, which also names it in a restore.
    pub name: String,
    /// Why it was taken, which decides how long it is kept.
    pub kind: BackupKind,
    /// When it was taken (RFC 3339).
    pub created_at: String,
    /// The file's size on disk.
    pub size_bytes: u64,
    #[serde(skip)]
    taken_at: Millis,
}

/// What a restore request offers.
#[derive(Debug)]
pub enum RestoreSource<'a> {
    /// A backup from the list, by name.
    Listed(&'a str),
    /// A file the user picked.
    Upload(&'a [u8]),
}

/// The answer to a restore: the backup is checked and staged; a restart applies it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    /// Always true: the restore is applied when WhatsFlow starts again.
    pub restart_required: bool,
    /// The database version of the backup (older ones are brought up to date at the restart).
    pub schema_version: i64,
    /// Whether this program restarts itself to apply it (the desktop app, through
    /// `POST /api/v1/app/restart`); `whatsflow-server` is restarted by whoever runs it.
    pub restart_available: bool,
    /// A sentence for people saying that WhatsFlow must be restarted (or restarts now).
    pub message: String,
}

fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUP_DIR)
}

fn file_name(kind: BackupKind, at: Millis) -> String {
    let stamp = chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .format(STAMP);
    format!("{PREFIX}{stamp}-{}{SUFFIX}", kind.as_str())
}

fn parse_name(name: &str) -> Option<(Millis, BackupKind)> {
    let middle = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (stamp, kind) = middle.split_once('-')?;
    let at = chrono::NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
    Some((at.and_utc().timestamp_millis(), BackupKind::parse(kind)?))
}

/// The backups in `dir`, newest first. A missing folder is no backups.
fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::internal(format!(
                "could not read the backups folder {}: {e}",
                dir.display()
            )))
        }
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((taken_at, kind)) = parse_name(&name) else {
            continue;
        };
        let size_bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.push(BackupInfo {
            created_at: crate::clock::to_rfc3339(taken_at),
            name,
            kind,
            size_bytes,
            taken_at,
        });
    }
    found.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.name.cmp(&a.name)));
    Ok(found)
}

/// Writes one backup into `dir`: `copy` fills a temporary file, which is renamed when whole. On
/// failure the temporary file is removed, so nothing half-written is ever named as a backup.
fn write(
    dir: &Path,
    kind: BackupKind,
    at: Millis,
    copy: impl FnOnce(&Path) -> Result<()>,
) -> Result<BackupInfo> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::internal(format!(
            "could not create the backups folder {}: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    let name = file_name(kind, at);
    let finished = dir.join(&name);
    let partial = dir.join(format!("{name}{PARTIAL}"));
    let written = copy(&partial).and_then(|()| {
        std::fs::rename(&partial, &finished)
            .map_err(|e| Error::internal(format!("could not finish the backup: {}", io_reason(&e))))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let size_bytes = std::fs::metadata(&finished).map(|m| m.len()).unwrap_or(0);
    Ok(BackupInfo {
        name,
        kind,
        created_at: crate::clock::to_rfc3339(at),
        size_bytes,
        taken_at: at,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "the disk is full".to_owned(),
        Some(30) => "the disk is read-only".to_owned(),
        _ => e.to_string(),
    }
}

/// Removes the backups beyond what is kept: the newest 7 daily, 4 weekly and 5 of each other kind.
fn prune(dir: &Path) -> Result<()> {
    let mut kept = [0usize; KINDS.len()];
    for backup in list(dir)? {
        let index = KINDS
            .iter()
            .position(|(kind, _)| *kind == backup.kind)
            .unwrap_or(0);
        let limit = match backup.kind {
            BackupKind::Daily => KEEP_DAILY,
            BackupKind::Weekly => KEEP_WEEKLY,
            _ => KEEP_OTHER,
        };
        kept[index] += 1;
        if kept[index] > limit {
            let path = dir.join(&backup.name);
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(error = %e, path = %path.display(), "could not remove an old backup");
            }
        }
    }
    Ok(())
}

/// Removes temporary files a killed backup or restore left behind.
fn remove_leftovers(data_dir: &Path) {
    let dir = backup_dir(data_dir);
    let partials = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .chain(std::iter::once(
            data_dir.join(format!("{PENDING_RESTORE}{PARTIAL}")),
        ))
        .filter(|p| p.to_string_lossy().ends_with(PARTIAL));
    for path in partials {
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!(path = %path.display(), "removed an unfinished backup"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "could not remove an unfinished backup")
            }
        }
    }
}

/// Run before the database is opened: removes unfinished backups, applies a staged restore (the
/// current database kept as a backup first), and backs the database up if migrations are pending.
/// Returns the restored backup's schema version when a restore was applied.
pub(crate) fn prepare_data_dir(data_dir: &Path, clock: &dyn Clock) -> Result<Option<i64>> {
    remove_leftovers(data_dir);
    let db_path = data_dir.join(store::DB_FILE);
    let dir = backup_dir(data_dir);
    let restored = apply_pending_restore(data_dir, &db_path, &dir, clock)?;
    if store::backup::needs_migration(&db_path)? {
        write(&dir, BackupKind::BeforeMigration, clock.now(), |dest| {
            store::backup::copy_to_file(&store::backup::connect_file(&db_path)?, dest)
        })
        .map_err(|e| {
            Error::internal(format!(
                "WhatsFlow did not update its database, because it could not back it up first: {}",
                e.message
            ))
        })?;
        prune(&dir)?;
    }
    Ok(restored)
}

fn apply_pending_restore(
    data_dir: &Path,
    db_path: &Path,
    dir: &Path,
    clock: &dyn Clock,
) -> Result<Option<i64>> {
    let pending = data_dir.join(PENDING_RESTORE);
    if !pending.is_file() {
        return Ok(None);
    }
    // Checked when staged; checked again in case the file changed since.
    let checked = match store::backup::check_restorable(&pending) {
        Ok(checked) => checked,
        Err(e) => {
            tracing::error!(error = %e, "the staged restore is not usable; the current data stays");
            let _ = std::fs::remove_file(&pending);
            return Ok(None);
        }
    };
    if db_path.is_file() {
        write(dir, BackupKind::BeforeRestore, clock.now(), |dest| {
            store::backup::copy_to_file(&store::backup::connect_file(db_path)?, dest)
        })?;
        // Whole on its own (no log beside it), so the rename below swaps one file for another.
        store::backup::settle_file(db_path)?;
    }
    std::fs::rename(&pending, db_path).map_err(|e| {
        Error::internal(format!("could not put the restored database in place: {e}"))
    })?;
    tracing::info!(
        schema_version = checked.schema_version,
        "restored the database from a backup"
    );
    Ok(Some(checked.schema_version))
}

impl Engine {
    fn backups_dir(&self) -> PathBuf {
        backup_dir(self.data_dir())
    }

    /// The backups, newest first.
    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        list(&self.backups_dir())
    }

    /// "Back up now": an online copy of the database, kept beside the automatic ones.
    pub fn back_up_now(&self) -> Result<BackupInfo> {
        self.take_backup(BackupKind::Manual)
    }

    fn take_backup(&self, kind: BackupKind) -> Result<BackupInfo> {
        let dir = self.backups_dir();
        let now = self.now();
        // The connection is taken first: once everything was erased, none is handed out, and no
        // backups folder is created again.
        let info = self.db().with(|conn| {
            write(&dir, kind, now, |dest| {
                store::backup::copy_to_file(conn, dest)
            })
        })?;
        prune(&dir)?;
        tracing::info!(name = %info.name, "backed up the database");
        Ok(info)
    }

    /// Takes today's backup if there is none yet (by the engine's clock, UTC days): weekly if it
    /// is the first of its ISO week, daily otherwise. Returns it when one was taken.
    pub fn backup_if_due(&self) -> Result<Option<BackupInfo>> {
        let now = self.now();
        let day = |at: Millis| {
            chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .date_naive()
        };
        let today = day(now);
        let automatic: Vec<BackupInfo> = self
            .backups()?
            .into_iter()
            .filter(|b| matches!(b.kind, BackupKind::Daily | BackupKind::Weekly))
            .collect();
        if automatic.iter().any(|b| day(b.taken_at) == today) {
            return Ok(None);
        }
        let week = today.iso_week();
        let weekly_taken = automatic
            .iter()
            .any(|b| b.kind == BackupKind::Weekly && day(b.taken_at).iso_week() == week);
        let kind = if weekly_taken {
            BackupKind::Daily
        } else {
            BackupKind::Weekly
        };
        self.take_backup(kind).map(Some)
    }

    /// The backup scheduler: takes the day's backup when due, until `stop` is set. Run it on a
    /// thread of its own; it only reads the database, so it never holds up writers.
    pub fn run_backups(&self, stop: &AtomicBool) {
        let step = Duration::from_millis(500);
        while !stop.load(Ordering::SeqCst) {
            if let Err(e) = self.backup_if_due() {
                tracing::warn!(error = %e, "the daily backup failed");
            }
            let mut waited = Duration::ZERO;
            while waited < TICK && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(step);
                waited += step;
            }
        }
    }

    /// Checks a backup and stages it for the next start (see the module's notes on why). The
    /// current data is untouched until then, and kept as a backup when the restore is applied.
    pub fn restore_backup(&self, source: RestoreSource<'_>) -> Result<RestoreOutcome> {
        if !self.db().is_file() {
            return Err(Error::new(
                ErrorCode::Conflict,
                "This WhatsFlow runs on a database in memory: there is nothing to restore over",
            ));
        }
        let staging = self.data_dir().join(format!("{PENDING_RESTORE}{PARTIAL}"));
        let staged = (|| {
            match source {
                RestoreSource::Listed(name) => {
                    let listed = self.backups()?.into_iter().any(|b| b.name == name);
                    if !listed {
                        return Err(Error::not_found("backup"));
                    }
                    std::fs::copy(self.backups_dir().join(name), &staging)
                        .map_err(|e| staging_error(&e))?;
                }
                RestoreSource::Upload(bytes) => {
                    std::fs::write(&staging, bytes).map_err(|e| staging_error(&e))?;
                }
            }
            let checked = store::backup::check_restorable(&staging)?;
            std::fs::rename(&staging, self.data_dir().join(PENDING_RESTORE))
                .map_err(|e| staging_error(&e))?;
            Ok(checked)
        })();
        let checked = match staged {
            Ok(checked) => checked,
            Err(e) => {
                let _ = std::fs::remove_file(&staging);
                return Err(e);
            }
        };
        self.audit(
            "backup.restore_staged",
            serde_json::json!({ "schemaVersion": checked.schema_version }),
        )?;
        let restart_available = self.desktop().map(|d| d.switchable).unwrap_or(false);
        Ok(RestoreOutcome {
            restart_required: true,
            schema_version: checked.schema_version,
            restart_available,
            message: if restart_available {
                "The backup is checked and ready. WhatsFlow restarts now to finish restoring it; \
                 the current data will be kept as a backup"
            } else {
                "The backup is checked and ready. Restart WhatsFlow to finish restoring it; \
                 the current data will be kept as a backup"
            }
            .to_owned(),
        })
    }
}

fn staging_error(e: &std::io::Error) -> Error {
    Error::internal(format!(
        "could not prepare the restore ({}): nothing was changed",
        io_reason(e)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_ignored() {
        let name = file_name(BackupKind::BeforeMigration, 1_700_000_000_123);
        assert_eq!(
            parse_name(&name),
            Some((1_700_000_000_123, BackupKind::BeforeMigration))
        );
        assert_eq!(parse_name(&format!("{name}{PARTIAL}")), None);
        assert_eq!(parse_name("whatsflow-notes.db"), None);
    }
}
