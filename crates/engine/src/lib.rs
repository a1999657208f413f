//! WhatsFlow's engine: the store and the domain. Every operation the app offers (save the profile, lock
//! the app, send a message, tag contacts, ...) is one method of [`Engine`]; the desktop shell and the
//! HTTP server only convert wire types and call it. Methods block on SQLite: call them from a blocking
//! thread, never from a tokio worker.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod backup;
pub mod business_hours;
pub mod campaigns;
pub mod chats;
pub mod clock;
pub mod connection;
pub mod contacts;
pub mod cors;
pub mod desktop;
pub mod erase;
pub mod error;
pub mod events;
pub mod export;
pub mod export_all;
pub mod http_client;
pub mod idempotency;
pub mod import;
pub mod inbox;
pub mod link;
pub mod lock;
pub mod media_url;
pub mod meta;
pub mod notifications;
pub mod page;
pub mod phone;
pub mod profile;
pub mod search;
pub mod settings;
pub mod store;
pub mod tags;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod webhooks;
pub mod write;

pub use clock::{to_rfc3339, Clock, ManualClock, Millis, SystemClock};
pub use error::{Error, ErrorCode, FieldError, Result};
pub use events::{Event, EventEnvelope};
pub use link::{
    ConnectionState, ConnectionStatus, InboundMessage, Link, MediaFile, OutgoingMessage,
};
pub use page::Page;
pub use store::Db;
pub use write::Tx;

/// Version of the app, shown in the UI and `/api/v1/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How many events a slow subscriber may fall behind before it is told it lagged.
const EVENT_BUFFER: usize = 1024;

/// A cheap, cloneable handle on the engine's state.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    events: broadcast::Sender<EventEnvelope>,
    next_event_id: std::sync::atomic::AtomicU64,
    lock: lock::LockState,
    link: RwLock<Option<Arc<dyn Link>>>,
    /// The desktop's loopback REST API server, when the program has one.
    rest_api: settings::RestApiState,
    /// The desktop shell (login items, restart), when the program is the desktop app.
    desktop: desktop::DesktopState,
    outbox: inbox::OutboxSignal,
    /// The link calls the user starts, run off the request threads.
    link_calls: connection::LinkCalls,
    /// Wakes the campaign scheduler (a campaign started or paused, a campaign message went out).
    campaigns: inbox::OutboxSignal,
    webhooks: webhooks::WebhookSignal,
    tls_roots: http_client::TlsRoots,
    demo: bool,
    simulator_url: Option<String>,
    /// The dashboard's last reports.
    analytics_reports: analytics::ReportCache,
}

/// How the engine is started.
pub struct Options {
    /// Where the database, media files and the browser profile live.
    pub data_dir: PathBuf,
    /// Where time comes from (the wall clock, or a manual one in tests).
    pub clock: Arc<dyn Clock>,
    /// Demo mode: WhatsApp is the built-in simulator; the UI labels everything as a simulation.
    pub demo: bool,
    /// In demo mode, the simulator's address, for the UI's "simulated phone" panel.
    pub simulator_url: Option<String>,
    /// Whom `https://` webhook receivers and media URLs must have their certificates from.
    pub tls_roots: http_client::TlsRoots,
}

impl Options {
    /// Options for the real app: not a demo, no simulator.
    pub fn new(data_dir: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Options {
        Options {
            data_dir: data_dir.into(),
            clock,
            demo: false,
            simulator_url: None,
            tls_roots: http_client::TlsRoots::PublicWeb,
        }
    }
}

impl Engine {
    /// Opens the engine on a data directory (created if missing), migrating its database.
    pub fn open(options: Options) -> Result<Engine> {
        std::fs::create_dir_all(&options.data_dir).map_err(|e| {
            Error::internal(format!(
                "could not create the data directory {}",
                options.data_dir.display()
            ))
            .with_source(e)
        })?;
        let restored = backup::prepare_data_dir(&options.data_dir, options.clock.as_ref())?;
        let db = Db::open(&options.data_dir.join(store::DB_FILE))?;
        let engine = Engine::with_db(db, options)?;
        if let Some(schema_version) = restored {
            engine.audit(
                "backup.restored",
                serde_json::json!({ "schemaVersion": schema_version }),
            )?;
        }
        Ok(engine)
    }

    /// An engine on a fresh in-memory database, for tests. `data_dir` is still used for files.
    pub fn in_memory(clock: Arc<dyn Clock>, data_dir: &Path) -> Result<Engine> {
        Engine::with_db(Db::in_memory()?, Options::new(data_dir, clock))
    }

    fn with_db(db: Db, options: Options) -> Result<Engine> {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let lock = lock::LockState::load(&db)?;
        Ok(Engine {
            inner: Arc::new(Inner {
                db,
                clock: options.clock,
                data_dir: options.data_dir,
                events,
                next_event_id: std::sync::atomic::AtomicU64::new(1),
                lock,
                link: RwLock::new(None),
                rest_api: Default::default(),
                desktop: Default::default(),
                outbox: inbox::OutboxSignal::default(),
                link_calls: Default::default(),
                campaigns: inbox::OutboxSignal::default(),
                webhooks: webhooks::WebhookSignal::default(),
                tls_roots: options.tls_roots,
                demo: options.demo,
                simulator_url: options.simulator_url,
                analytics_reports: Default::default(),
            }),
        })
    }

    /// Where the link calls the user starts run.
    pub(crate) fn link_calls(&self) -> &connection::LinkCalls {
        &self.inner.link_calls
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The time now, from the engine's clock.
    pub fn now(&self) -> Millis {
        self.inner.clock.now()
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Whether WhatsApp is the built-in simulator.
    pub fn is_demo(&self) -> bool {
        self.inner.demo
    }

    /// Subscribes to everything that happens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.inner.events.subscribe()
    }

    /// Hands an event to every subscriber (UI, event stream) once its change is committed and its
    /// webhook deliveries queued (see `write`). Nobody listening is fine.
    fn publish(&self, event: Event) {
        use std::sync::atomic::Ordering;
        let id = self.inner.next_event_id.fetch_add(1, Ordering::Relaxed);
        let envelope = EventEnvelope {
            id,
            at: self.now(),
            event,
        };
        let _ = self.inner.events.send(envelope);
    }

    /// Attaches the WhatsApp link (done once at start by the program that owns it).
    pub fn set_link(&self, link: Arc<dyn Link>) {
        *self.inner.link.write().unwrap_or_else(|p| p.into_inner()) = Some(link);
    }

    /// The WhatsApp link, or a clear error when the program runs without one.
    pub fn link(&self) -> Result<Arc<dyn Link>> {
        self.inner
            .link
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::WhatsappUnavailable,
                    "WhatsApp is not set up in this program",
                )
            })
    }

    pub(crate) fn rest_api_state(&self) -> &settings::RestApiState {
        &self.inner.rest_api
    }

    pub(crate) fn desktop_state(&self) -> &desktop::DesktopState {
        &self.inner.desktop
    }

    pub(crate) fn outbox_signal(&self) -> &inbox::OutboxSignal {
        &self.inner.outbox
    }

    pub(crate) fn campaign_signal(&self) -> &inbox::OutboxSignal {
        &self.inner.campaigns
    }

    pub(crate) fn tls_roots(&self) -> &http_client::TlsRoots {
        &self.inner.tls_roots
    }

    pub(crate) fn lock_state(&self) -> &lock::LockState {
        &self.inner.lock
    }
}

/// A short name for a data directory (16 hex digits of a SHA-256 of its path), for what must be one
/// per data directory outside it: the session key's keychain entry, the desktop's single-instance id.
pub fn data_dir_id(data_dir: &Path) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        data_dir.as_os_str().as_encoded_bytes(),
    );
    digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The OS app-data directory for WhatsFlow (`$XDG_DATA_HOME/whatsflow`, `~/Library/Application
/// Support/WhatsFlow`, `%APPDATA%\WhatsFlow`), or `./whatsflow-data` when none can be found.
pub fn default_data_dir() -> PathBuf {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let found = if cfg!(target_os = "windows") {
        env("APPDATA").map(|d| d.join("WhatsFlow"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support/WhatsFlow"))
    } else {
        env("XDG_DATA_HOME")
            .or_else(|| env("HOME").map(|h| h.join(".local/share")))
            .map(|d| d.join("whatsflow"))
    };
    found.unwrap_or_else(|| PathBuf::from("whatsflow-data"))
}

/// App-wide facts the UI needs before anything else.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    /// The app's version.
    pub version: String,
    /// Whether the business profile is saved (onboarding is done).
    pub onboarded: bool,
    /// Whether the app lock is set and whether it is locked now.
    pub lock: lock::LockStatus,
    /// Demo mode: WhatsApp is the built-in simulator.
    pub demo: bool,
    /// The WhatsApp Web simulator's address in demo mode.
    pub simulator_url: Option<String>,
    /// Country and time zone suggested by the operating system, for onboarding.
    pub defaults: meta::Defaults,
}

impl Engine {
    /// What the UI needs before anything else.
    pub fn app_state(&self) -> Result<AppState> {
        Ok(AppState {
            version: VERSION.to_owned(),
            onboarded: self.profile()?.is_some(),
            lock: self.lock_status(),
            demo: self.is_demo(),
            simulator_url: self.inner.simulator_url.clone(),
            defaults: meta::os_defaults(),
        })
    }
}
