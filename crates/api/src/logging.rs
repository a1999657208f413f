//! Logging for both programs: tracing to stderr and to a daily file in the OS log folder (7 files
//! kept), set up once by [`init`]. Message bodies and phone numbers are logged at debug level at
//! most, so the files (which a user may attach to a bug report) stay free of them at the default
//! `info` level.

use std::path::PathBuf;
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Log files kept (one a day).
pub const KEEP_FILES: usize = 7;

/// The default filter when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "info,chromiumoxide=error";

/// The folder logs go to, once [`init`] ran (it may have fallen back to stderr only).
static LOG_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Keeps the file writer flushing; hold it until the program ends (dropping it flushes the rest).
#[derive(Debug)]
#[must_use = "dropping the guard stops writing the log file"]
pub struct LogGuard {
    _flush: Option<WorkerGuard>,
}

/// The OS log folder for WhatsFlow: `$WHATSFLOW_LOG_DIR` if set, else `$XDG_STATE_HOME/whatsflow/logs`
/// (`~/.local/state/whatsflow/logs`) on Linux, `~/Library/Logs/WhatsFlow` on macOS,
/// `%LOCALAPPDATA%\WhatsFlow\logs` on Windows, or `./whatsflow-logs` when none can be found.
pub fn default_log_dir() -> PathBuf {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("WHATSFLOW_LOG_DIR") {
        return dir;
    }
    let found = if cfg!(target_os = "windows") {
        env("LOCALAPPDATA").map(|d| d.join("WhatsFlow").join("logs"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Logs/WhatsFlow"))
    } else {
        env("XDG_STATE_HOME")
            .or_else(|| env("HOME").map(|h| h.join(".local/state")))
            .map(|d| d.join("whatsflow").join("logs"))
    };
    found.unwrap_or_else(|| PathBuf::from("whatsflow-logs"))
}

/// Where this program writes its log files (the default folder before [`init`]).
pub fn log_dir() -> PathBuf {
    LOG_DIR.get().cloned().unwrap_or_else(default_log_dir)
}

/// Sets up logging for `program` (the files are `<program>.<date>.log`): stderr always, the log
/// folder when it can be created (otherwise a warning on stderr, and stderr only).
pub fn init(program: &str) -> LogGuard {
    let filter =
        || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let dir = default_log_dir();
    let appender = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix(program)
                .filename_suffix("log")
                .max_log_files(KEEP_FILES)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            let _ = tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .try_init();
            let _ = LOG_DIR.set(dir);
            LogGuard {
                _flush: Some(guard),
            }
        }
        Err(error) => {
            let _ = tracing_subscriber::registry().with(stderr).try_init();
            tracing::warn!(%error, dir = %dir.display(), "could not open the log folder; logging to stderr only");
            LogGuard { _flush: None }
        }
    }
}
