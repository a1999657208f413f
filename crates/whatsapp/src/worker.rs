//! The link's one tokio task: owns Chromium and the vault, turns page reports into statuses,
//! messages and acks for the engine, runs calls into the page, and restarts Chromium when it dies.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use whatsflow_engine::clock::to_rfc3339;
use whatsflow_engine::link::OutgoingMessage;
use whatsflow_engine::{ConnectionState, ConnectionStatus, Engine, Error, ErrorCode};

use crate::browser::Session;
use crate::config::LinkConfig;
use crate::inbound::{phone_of, to_inbound};
use crate::page::{self, CallError, PageEvent, RawMessage};
use crate::sink::{EngineCall, Sink};
use crate::status::{changed_detail, describe, PageView};
use crate::vault::{remove_plaintext, Vault};

/// The first pause before relaunching a Chromium that died; doubled each time, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A pairing code expires; WhatsApp Web wants a new one about every three minutes.
const PAIRING_CODE_LIFETIME: Duration = Duration::from_secs(170);
/// After a load timeout (no network, site down), how long before trying the page again.
const RELOAD_AFTER: Duration = Duration::from_secs(15);
/// How long a user's logout may take to reach WhatsApp before Chromium is closed anyway.
const LOGOUT_GRACE: Duration = Duration::from_secs(10);
/// Received files above this are not kept in memory (the script already refuses them).
const MAX_MEDIA_BYTES: usize = 64 * 1024 * 1024;
/// Outgoing files travel to the page in pieces of this size (base64 inside one CDP message).
const MEDIA_PIECE_BYTES: usize = 3 * 1024 * 1024;

/// A reply channel for a blocking caller.
pub(crate) type Reply<T> = std::sync::mpsc::SyncSender<Result<T, Error>>;

/// What the blocking side of the link asks the worker.
pub(crate) enum Command {
    Connect(Reply<()>),
    Disconnect(Reply<()>),
    PairingCode(String, Reply<String>),
    TakeOver(Reply<()>),
    CheckNumber(String, Reply<Option<String>>),
    Send(Box<OutgoingMessage>, Reply<i32>),
    FindMessage(String, Reply<Option<i32>>),
    MarkRead(String, Reply<()>),
    SetTyping(String, bool, Reply<()>),
    Stop(Reply<()>),
}

/// State shared with the blocking side: read without asking the worker.
pub(crate) struct Shared {
    pub status: Mutex<ConnectionStatus>,
    pub pid: AtomicU32,
}

/// Results of work the worker handed to other tasks.
enum Internal {
    PairingCode {
        digits: String,
        result: Result<String, CallError>,
        reply: Option<Reply<String>>,
    },
}

/// Vault work, done in order on blocking threads so a seal can never land after a destroy.
enum VaultOp {
    Seal,
    Destroy,
    RemovePlaintext,
}

pub(crate) struct Worker {
    engine: Engine,
    config: LinkConfig,
    profile_dir: PathBuf,
    shared: Arc<Shared>,
    sink: Sink,
    vault: Option<Arc<Vault>>,
    /// Why the vault could not be opened, told to the user while connected.
    vault_problem: Option<String>,
    vault_queue: mpsc::UnboundedSender<(VaultOp, oneshot::Sender<Result<(), String>>)>,
    internal: mpsc::UnboundedSender<Internal>,
    session: Option<Session>,
    /// What the page said about the connection.
    view: PageView,
    version: Option<String>,
    me: Option<String>,
    push_name: Option<String>,
    /// The page lacks something the app needs: calls are refused until the next launch.
    changed: bool,
    /// The user wants a connection (start, or `connect`), so a dead browser is relaunched.
    want: bool,
    relaunch_at: Option<Instant>,
    backoff: Duration,
    /// The profile holds a linked session worth sealing.
    linked: bool,
    /// Sealed since the current connection was established.
    sealed_this_connection: bool,
    last_seal: Instant,
    /// The phone logged us out; the next QR says so.
    logged_out: bool,
    /// The user asked to log out: the page's own logout report is expected, not news.
    disconnecting: bool,
    pairing: Option<(String, Instant)>,
    /// Pieces of received files, by message id, until the message itself arrives.
    media_parts: HashMap<String, Vec<u8>>,
    /// Messages sent in this run: key id -> the id the engine stored, so acks find their row even
    /// if WhatsApp filed the message under another chat id (a phone number's hidden linked id).
    sent: HashMap<String, String>,
}

type VaultJob = (VaultOp, oneshot::Sender<Result<(), String>>);

/// Starts the worker on `runtime`; it runs until `Stop` or until every command sender is gone.
pub(crate) fn spawn(
    engine: Engine,
    config: LinkConfig,
    shared: Arc<Shared>,
    sink: Sink,
    commands: mpsc::UnboundedReceiver<Command>,
    runtime: &tokio::runtime::Handle,
) -> tokio::task::JoinHandle<()> {
    let (internal, internal_rx) = mpsc::unbounded_channel();
    let (vault_queue, vault_rx) = mpsc::unbounded_channel();
    let profile_dir = config.profile_dir();
    let worker = Worker {
        engine,
        config,
        profile_dir,
        shared,
        sink,
        vault: None,
        vault_problem: None,
        vault_queue,
        internal,
        session: None,
        view: PageView::default(),
        version: None,
        me: None,
        push_name: None,
        changed: false,
        want: false,
        relaunch_at: None,
        backoff: FIRST_BACKOFF,
        linked: false,
        sealed_this_connection: false,
        last_seal: Instant::now(),
        logged_out: false,
        disconnecting: false,
        pairing: None,
        media_parts: HashMap::new(),
        sent: HashMap::new(),
    };
    runtime.spawn(worker.run(commands, internal_rx, vault_rx))
}

/// What woke the worker up.
enum Wake {
    Command(Option<Command>),
    Page(Option<Arc<chromiumoxide::cdp::js_protocol::runtime::EventBindingCalled>>),
    TabCrashed,
    Internal(Option<Internal>),
    Tick,
}

impl Worker {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut internal: mpsc::UnboundedReceiver<Internal>,
        vault_jobs: mpsc::UnboundedReceiver<VaultJob>,
    ) {
        self.open_vault().await;
        tokio::spawn(run_vault_jobs(
            self.vault.clone(),
            self.profile_dir.clone(),
            vault_jobs,
        ));
        if self.config.connect_at_start {
            self.want = true;
            self.relaunch_at = Some(Instant::now());
        } else {
            self.publish(
                ConnectionState::Disconnected,
                Some("Not connected".to_owned()),
            );
        }
        let mut ticker = tokio::time::interval(Duration::from_millis(500));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wake = {
                let session = &mut self.session;
                let browser_event = async {
                    match session.as_mut() {
                        Some(session) => tokio::select! {
                            event = session.events.next() => Wake::Page(event),
                            _ = session.crashes.next() => Wake::TabCrashed,
                        },
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    command = commands.recv() => Wake::Command(command),
                    wake = browser_event => wake,
                    done = internal.recv() => Wake::Internal(done),
                    _ = ticker.tick() => Wake::Tick,
                }
            };
            match wake {
                Wake::Command(Some(Command::Stop(reply))) => {
                    self.shut_down().await;
                    let _ = reply.send(Ok(()));
                    return;
                }
                // Every handle on the link is gone: stop as cleanly as if asked.
                Wake::Command(None) => {
                    self.shut_down().await;
                    return;
                }
                Wake::Command(Some(command)) => self.on_command(command).await,
                Wake::Page(Some(event)) => match PageEvent::parse(&event.payload) {
                    Ok(event) => self.on_page_event(event),
                    Err(error) => tracing::warn!(%error, "ignored a report from the page"),
                },
                Wake::Page(None) | Wake::TabCrashed => {
                    let browser_gone = self.session.as_mut().is_some_and(Session::has_exited);
                    let what = if browser_gone {
                        "Chromium stopped unexpectedly"
                    } else {
                        "the WhatsApp tab crashed"
                    };
                    self.on_browser_died(what).await;
                }
                Wake::Internal(Some(done)) => self.on_internal(done),
                Wake::Internal(None) => {}
                Wake::Tick => self.on_tick().await,
            }
        }
    }

    // ---- Status ----

    /// Stores and reports a status built from what is known; a repeat of the current one is dropped.
    fn publish(&mut self, state: ConnectionState, detail: Option<String>) {
        let mut status = ConnectionStatus::new(state);
        status.detail = match (&self.vault_problem, state) {
            (Some(problem), ConnectionState::Connected) => Some(format!(
                "Connected, but the session cannot be saved ({problem}); you may need to link again after a restart"
            )),
            _ => detail,
        };
        status.phone_number = self.me.as_deref().and_then(phone_of);
        status.push_name = self.push_name.clone();
        status.wa_version = self.version.clone();
        status.key_location = self
            .vault
            .as_ref()
            .map(|vault| vault.key_location().as_str().to_owned());
        match state {
            ConnectionState::Qr => status.qr = self.view.qr.clone(),
            ConnectionState::PairingCode => status.pairing_code = self.view.pairing_code.clone(),
            ConnectionState::Syncing => status.sync_percent = self.view.progress,
            _ => {}
        }
        let mut current = self.shared.status.lock().unwrap_or_else(|p| p.into_inner());
        status.since = if current.state == state {
            current.since.clone()
        } else {
            Some(to_rfc3339(self.engine.now()))
        };
        if *current == status {
            return;
        }
        tracing::info!(state = ?status.state, detail = ?status.detail, "WhatsApp status");
        *current = status.clone();
        drop(current);
        self.sink.send(EngineCall::Status(status));
    }

    /// Publishes what the page's own state says.
    fn refresh(&mut self) {
        if self.changed {
            return;
        }
        if let Some((state, mut detail)) = describe(&self.view) {
            if state == ConnectionState::Qr && self.logged_out {
                detail = Some("WhatsApp on the phone logged this computer out. Scan the new code to link again".to_owned());
            }
            self.publish(state, detail);
        }
    }

    fn current_state(&self) -> ConnectionState {
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .state
    }

    // ---- Page reports ----

    fn on_page_event(&mut self, event: PageEvent) {
        match event {
            PageEvent::Ready { version } => {
                tracing::info!(%version, "WhatsApp Web loaded");
                self.version = Some(version);
                self.changed = false;
                // Pieces of a file whose message died with the previous document.
                self.media_parts.clear();
            }
            PageEvent::Changed { version, missing } => {
                tracing::error!(%version, ?missing, "WhatsApp Web lacks parts the app relies on");
                self.version = Some(version);
                self.changed = true;
                self.publish(
                    ConnectionState::WhatsappChanged,
                    Some(changed_detail(&missing)),
                );
            }
            PageEvent::LoadTimeout { url } => {
                self.publish(
                    ConnectionState::Starting,
                    Some("WhatsApp Web did not finish loading; check the internet connection. Trying again".to_owned()),
                );
                if let Some(session) = &self.session {
                    let page = session.page.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(RELOAD_AFTER).await;
                        if let Err(error) = page.goto(url).await {
                            tracing::warn!(%error, "reloading WhatsApp Web failed");
                        }
                    });
                }
            }
            PageEvent::State {
                state,
                synced,
                me,
                push_name,
            } => self.on_socket_state(state, synced, me, push_name),
            PageEvent::Qr { qr } => {
                self.view.qr = Some(qr);
                self.refresh();
            }
            PageEvent::Progress { percent } => {
                self.view.progress = Some(percent.clamp(0.0, 100.0).round() as u8);
                self.refresh();
            }
            PageEvent::Logout { reason } => self.on_logout(&reason),
            PageEvent::Media { id, index, data } => self.on_media_piece(id, index, &data),
            PageEvent::Msg(raw) => self.on_message(*raw),
            PageEvent::Ack { id, key_id, ack } => {
                let wa_message_id = self.sent.get(&key_id).cloned().unwrap_or(id);
                self.sink.send(EngineCall::Ack { wa_message_id, ack });
            }
            PageEvent::Log { text } => tracing::debug!(%text, "page"),
        }
    }

    fn on_socket_state(
        &mut self,
        state: String,
        synced: bool,
        me: Option<String>,
        push_name: Option<String>,
    ) {
        let connected = state == "CONNECTED";
        let unpaired = state == "UNPAIRED" || state == "UNPAIRED_IDLE";
        if me.is_some() {
            self.me = me;
        }
        if push_name.is_some() {
            self.push_name = push_name;
        }
        if !unpaired {
            self.view.qr = None;
            self.view.pairing_code = None;
            self.pairing = None;
        }
        if unpaired {
            // Nothing linked in the profile (never linked, or the session was revoked meanwhile).
            self.linked = false;
            self.me = None;
            self.push_name = None;
        }
        if connected {
            self.linked = true;
            self.logged_out = false;
            self.backoff = FIRST_BACKOFF;
        } else {
            self.sealed_this_connection = false;
        }
        self.view.socket = Some(state);
        self.view.synced = synced;
        self.refresh();
        if connected && synced && !self.sealed_this_connection {
            // Just logged in (or back): checkpoint now, so a crash from here on loses nothing.
            self.sealed_this_connection = true;
            self.seal();
        }
    }

    fn on_logout(&mut self, reason: &str) {
        if self.disconnecting || (self.logged_out && !self.linked) {
            return;
        }
        tracing::info!(reason, "WhatsApp Web logged out");
        self.logged_out = true;
        self.linked = false;
        self.me = None;
        self.push_name = None;
        self.view = PageView::default();
        let destroyed = self.vault_job(VaultOp::Destroy);
        tokio::spawn(async move {
            if let Err(error) = destroyed.await {
                tracing::error!(%error, "could not delete the saved session after the logout");
            }
        });
        self.publish(
            ConnectionState::LoggedOut,
            Some("WhatsApp on the phone logged this computer out. A new QR code follows to link again".to_owned()),
        );
    }

    fn on_media_piece(&mut self, id: String, index: usize, data: &str) {
        let bytes = match base64::engine::general_purpose::STANDARD.decode(data) {
            Ok(bytes) => bytes,
            Err(error) => {
                // The message id holds the sender's number: debug level only.
                tracing::warn!(%error, "a piece of a received file was not base64");
                tracing::debug!(%id, "the message of that file");
                self.media_parts.remove(&id);
                return;
            }
        };
        if index == 0 {
            self.media_parts.insert(id.clone(), Vec::new());
        }
        let Some(parts) = self.media_parts.get_mut(&id) else {
            return;
        };
        if parts.len() + bytes.len() > MAX_MEDIA_BYTES {
            tracing::warn!("a received file is too large to keep");
            tracing::debug!(%id, "the message of that file");
            self.media_parts.remove(&id);
            return;
        }
        parts.extend_from_slice(&bytes);
    }

    fn on_message(&mut self, raw: RawMessage) {
        let media = match &raw.media {
            Some(info) => match self.media_parts.remove(&raw.id) {
                Some(bytes) if bytes.len() == info.size => Some(bytes),
                Some(bytes) => {
                    tracing::warn!(id = %raw.id, expected = info.size, got = bytes.len(), "a received file arrived incomplete");
                    None
                }
                None => None,
            },
            None => None,
        };
        if let Some(error) = &raw.media_error {
            tracing::warn!(id = %raw.id, %error, "the file of a received message was not downloaded");
        }
        match to_inbound(raw, media, self.engine.now()) {
            Some(message) => self.sink.send(EngineCall::Ingest(Box::new(message))),
            None => tracing::debug!("ignored a message outside a one-to-one chat"),
        }
    }

    fn on_internal(&mut self, done: Internal) {
        match done {
            Internal::PairingCode {
                digits,
                result,
                reply,
            } => {
                let answer = match result {
                    Ok(code) => {
                        self.pairing = Some((digits, Instant::now()));
                        self.view.pairing_code = Some(code.clone());
                        self.refresh();
                        Ok(code)
                    }
                    Err(error) => {
                        tracing::warn!(%error, "no pairing code");
                        Err(unavailable(&error))
                    }
                };
                if let Some(reply) = reply {
                    let _ = reply.send(answer);
                }
            }
        }
    }

    // ---- Time ----

    async fn on_tick(&mut self) {
        if let Some(session) = self.session.as_mut() {
            if session.has_exited() {
                self.on_browser_died("Chromium stopped unexpectedly").await;
                return;
            }
        }
        if self.session.is_none()
            && self.want
            && self.relaunch_at.is_some_and(|at| at <= Instant::now())
        {
            self.relaunch_at = None;
            self.launch().await;
            return;
        }
        let state = self.current_state();
        if self.linked
            && state == ConnectionState::Connected
            && self.last_seal.elapsed() >= self.config.checkpoint_every
        {
            self.seal();
        }
        if let Some((digits, at)) = &self.pairing {
            if state == ConnectionState::PairingCode && at.elapsed() >= PAIRING_CODE_LIFETIME {
                let digits = digits.clone();
                self.pairing = Some((digits.clone(), Instant::now()));
                self.request_pairing_code(digits, None);
            }
        }
    }

    // ---- Chromium's life ----

    async fn open_vault(&mut self) {
        let data_dir = self.config.data_dir.clone();
        let profile_dir = self.profile_dir.clone();
        let opened = tokio::task::spawn_blocking(move || -> Result<Vault, String> {
            let stopped = crate::browser::stop_leftover_browsers(&profile_dir);
            if stopped > 0 {
                tracing::warn!(
                    stopped,
                    "stopped a browser a previous run left on the session"
                );
            }
            let vault = Vault::open(&data_dir).map_err(|e| e.to_string())?;
            // A crash left plaintext behind: it is newer than the vault, so it becomes the vault.
            match vault.recover_leftover(&profile_dir) {
                Ok(true) => tracing::info!("sealed the session a previous run left behind"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, "could not seal the session a previous run left behind")
                }
            }
            Ok(vault)
        })
        .await;
        match opened {
            Ok(Ok(vault)) => {
                if let Some(warning) = vault.key_location().warning() {
                    tracing::warn!(warning, "session key");
                }
                self.vault = Some(Arc::new(vault));
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "the session vault is unavailable; the session will not survive a restart");
                self.vault_problem = Some(error);
            }
            Err(error) => tracing::error!(%error, "opening the session vault panicked"),
        }
    }

    /// Prepares the profile (restoring the vault if the session is not there) and starts Chromium.
    async fn launch(&mut self) {
        self.publish(
            ConnectionState::Starting,
            Some("Starting the browser".to_owned()),
        );
        let vault = self.vault.clone();
        let profile_dir = self.profile_dir.clone();
        let prepared =
            tokio::task::spawn_blocking(move || prepare_profile(vault.as_deref(), &profile_dir))
                .await;
        match prepared {
            Ok(Ok(restored)) => self.linked = self.linked || restored,
            Ok(Err(error)) => tracing::warn!(%error, "starting without the saved session"),
            Err(error) => tracing::error!(%error, "preparing the profile panicked"),
        }
        self.view = PageView::default();
        self.changed = false;
        self.media_parts.clear();
        match Session::launch(&self.config, &self.profile_dir).await {
            Ok(session) => {
                self.shared
                    .pid
                    .store(session.pid.unwrap_or(0), Ordering::SeqCst);
                self.session = Some(session);
                self.publish(
                    ConnectionState::Starting,
                    Some("Opening WhatsApp Web".to_owned()),
                );
            }
            Err(error) => {
                tracing::error!(error = %error.message, "Chromium did not start");
                if error.retry {
                    let wait = self.next_backoff();
                    self.publish(
                        ConnectionState::BrowserCrashed,
                        Some(format!(
                            "{}. Trying again in {} s",
                            error.message,
                            wait.as_secs()
                        )),
                    );
                } else {
                    self.publish(ConnectionState::BrowserCrashed, Some(error.message));
                }
            }
        }
    }

    /// Schedules the next launch and returns how long until it.
    fn next_backoff(&mut self) -> Duration {
        let wait = self.backoff;
        self.relaunch_at = Some(Instant::now() + wait);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        wait
    }

    async fn on_browser_died(&mut self, what: &str) {
        if let Some(session) = self.session.take() {
            session.kill().await;
        }
        self.shared.pid.store(0, Ordering::SeqCst);
        self.view = PageView::default();
        if !self.want {
            return;
        }
        let wait = self.next_backoff();
        tracing::warn!(what, wait_s = wait.as_secs(), "restarting Chromium");
        self.publish(
            ConnectionState::BrowserCrashed,
            Some(format!(
                "{what}; restarting in {} s. The session is kept",
                wait.as_secs()
            )),
        );
    }

    /// Clean stop: Chromium closed first so its files are consistent, then sealed, then the
    /// plaintext removed. If sealing fails the plaintext stays, to be sealed at the next start.
    async fn shut_down(&mut self) {
        self.want = false;
        if let Some(session) = self.session.take() {
            session.close().await;
        }
        self.shared.pid.store(0, Ordering::SeqCst);
        let sealed = if self.linked {
            self.vault_job(VaultOp::Seal).await
        } else {
            Ok(())
        };
        match sealed {
            Ok(()) => {
                if let Err(error) = self.vault_job(VaultOp::RemovePlaintext).await {
                    tracing::error!(%error, "could not remove the plaintext profile");
                }
            }
            Err(error) => {
                tracing::error!(%error, "could not seal the session at exit; it stays in the profile until the next start")
            }
        }
        self.publish(ConnectionState::Disconnected, Some("Stopped".to_owned()));
        // The caller may shut the runtime down next: make sure the engine has heard everything.
        let (flushed, done) = oneshot::channel();
        self.sink.send(EngineCall::Flush(flushed));
        let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
    }

    fn seal(&mut self) {
        self.last_seal = Instant::now();
        let done = self.vault_job(VaultOp::Seal);
        tokio::spawn(async move {
            if let Err(error) = done.await {
                tracing::warn!(%error, "checkpoint of the session failed");
            }
        });
    }

    /// Queues vault work; the returned future says how it went (ignore it for fire-and-forget).
    fn vault_job(&self, op: VaultOp) -> impl std::future::Future<Output = Result<(), String>> {
        let (done, result) = oneshot::channel();
        let queued = self.vault_queue.send((op, done)).is_ok();
        async move {
            if !queued {
                return Err("the vault task has stopped".to_owned());
            }
            result
                .await
                .unwrap_or_else(|_| Err("the vault task has stopped".to_owned()))
        }
    }

    // ---- Commands ----

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Connect(reply) => {
                self.want = true;
                self.logged_out = false;
                let stuck = self.changed;
                if stuck {
                    if let Some(session) = self.session.take() {
                        session.close().await;
                    }
                }
                if self.session.is_none() {
                    self.backoff = FIRST_BACKOFF;
                    self.relaunch_at = Some(Instant::now());
                }
                let _ = reply.send(Ok(()));
            }
            Command::Disconnect(reply) => {
                self.disconnect().await;
                let _ = reply.send(Ok(()));
            }
            Command::PairingCode(digits, reply) => match self.ready_page(false) {
                Ok(_) => self.request_pairing_code(digits, Some(reply)),
                Err(error) => {
                    let _ = reply.send(Err(error));
                }
            },
            Command::TakeOver(reply) => {
                self.page_call("takeover", json!({}), CALL_DEADLINE, false, reply, |_| {
                    Ok(())
                })
            }
            Command::CheckNumber(digits, reply) => self.page_call(
                "checkNumber",
                json!({ "digits": digits }),
                CALL_DEADLINE,
                true,
                reply,
                |value| Ok(value.as_str().map(str::to_owned)),
            ),
            Command::Send(message, reply) => self.send(*message, reply),
            Command::FindMessage(wa_message_id, reply) => {
                let key_id = key_id_of(&wa_message_id).to_owned();
                let args = json!({ "id": wa_message_id, "keyId": key_id });
                self.page_call("find", args, CALL_DEADLINE, true, reply, |value| {
                    Ok(value.as_i64().map(|ack| ack as i32))
                })
            }
            Command::MarkRead(chat_id, reply) => self.page_call(
                "markRead",
                json!({ "chatId": chat_id }),
                CALL_DEADLINE,
                true,
                reply,
                |_| Ok(()),
            ),
            Command::SetTyping(chat_id, on, reply) => {
                let args = json!({ "chatId": chat_id, "on": on });
                self.page_call("typing", args, CALL_DEADLINE, true, reply, |_| Ok(()))
            }
            Command::Stop(_) => unreachable!("handled by the loop"),
        }
    }

    /// The page, if calls can go to it now; `linked` asks for a linked, connected session.
    fn ready_page(&self, linked: bool) -> Result<chromiumoxide::Page, Error> {
        let state = self.current_state();
        let Some(session) = &self.session else {
            return Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                format!("WhatsApp is not running ({})", state_name(state)),
            ));
        };
        if self.changed {
            let detail = self
                .shared
                .status
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .detail
                .clone();
            return Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                detail.unwrap_or_else(|| "WhatsApp Web changed".to_owned()),
            ));
        }
        if linked && self.view.socket.as_deref() != Some("CONNECTED") {
            return Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                format!("WhatsApp is not connected ({})", state_name(state)),
            ));
        }
        Ok(session.page.clone())
    }

    /// Runs one call into the page on its own task, so the worker keeps handling events meanwhile.
    fn page_call<T: Send + 'static>(
        &self,
        name: &'static str,
        args: Value,
        deadline: Duration,
        linked: bool,
        reply: Reply<T>,
        read: impl FnOnce(Value) -> Result<T, Error> + Send + 'static,
    ) {
        let page = match self.ready_page(linked) {
            Ok(page) => page,
            Err(error) => {
                let _ = reply.send(Err(error));
                return;
            }
        };
        tokio::spawn(async move {
            let answer = page::call(&page, name, &args, deadline)
                .await
                .map_err(|e| unavailable(&e))
                .and_then(read);
            let _ = reply.send(answer);
        });
    }

    fn request_pairing_code(&self, digits: String, reply: Option<Reply<String>>) {
        let page = match self.ready_page(false) {
            Ok(page) => page,
            Err(error) => {
                if let Some(reply) = reply {
                    let _ = reply.send(Err(error));
                }
                return;
            }
        };
        let internal = self.internal.clone();
        tokio::spawn(async move {
            let result = page::call(
                &page,
                "pairingCode",
                &json!({ "digits": digits }),
                CALL_DEADLINE,
            )
            .await
            .and_then(|value| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| CallError::Page("WhatsApp Web gave no pairing code".to_owned()))
            });
            let _ = internal.send(Internal::PairingCode {
                digits,
                result,
                reply,
            });
        });
    }

    fn send(&mut self, message: OutgoingMessage, reply: Reply<i32>) {
        let page = match self.ready_page(true) {
            Ok(page) => page,
            Err(error) => {
                let _ = reply.send(Err(error));
                return;
            }
        };
        if self.sent.len() > 10_000 {
            self.sent.clear();
        }
        self.sent
            .insert(message.key_id.clone(), message.wa_message_id.clone());
        tokio::spawn(async move {
            let answer = send_message(&page, message)
                .await
                .map_err(|e| unavailable(&e));
            let _ = reply.send(answer);
        });
    }

    /// Logs the number out at the user's request and forgets the session.
    async fn disconnect(&mut self) {
        self.want = false;
        self.relaunch_at = None;
        if let Some(mut session) = self.session.take() {
            if self
                .view
                .socket
                .as_deref()
                .is_some_and(|s| s != "UNPAIRED" && s != "UNPAIRED_IDLE")
                && !self.changed
            {
                self.disconnecting = true;
                match page::call(&session.page, "logout", &json!({}), CALL_DEADLINE).await {
                    Ok(_) => wait_for_logout(&mut session).await,
                    Err(error) => {
                        tracing::warn!(%error, "WhatsApp Web did not take the logout; forgetting the session anyway")
                    }
                }
                self.disconnecting = false;
            }
            session.close().await;
        }
        self.shared.pid.store(0, Ordering::SeqCst);
        self.linked = false;
        self.me = None;
        self.push_name = None;
        self.view = PageView::default();
        if let Err(error) = self.vault_job(VaultOp::Destroy).await {
            tracing::error!(%error, "could not delete the saved session");
        }
        if let Err(error) = self.vault_job(VaultOp::RemovePlaintext).await {
            tracing::error!(%error, "could not remove the profile");
        }
        self.publish(
            ConnectionState::LoggedOut,
            Some("Logged out. Connect to link a phone again".to_owned()),
        );
    }
}

/// How long an ordinary call into the page may take, reloads included.
const CALL_DEADLINE: Duration = Duration::from_secs(30);
/// Sending may include uploading a file.
const SEND_DEADLINE: Duration = Duration::from_secs(120);

/// Hands the file (if any) to the page in pieces, then sends.
async fn send_message(
    page: &chromiumoxide::Page,
    message: OutgoingMessage,
) -> Result<i32, CallError> {
    let mut args = json!({
        "id": message.wa_message_id,
        "keyId": message.key_id,
        "chatId": message.chat_id,
        "body": message.body,
    });
    if let Some(media) = &message.media {
        let token = format!("{}-{}", message.key_id, rand::random::<u32>());
        for piece in media.bytes.chunks(MEDIA_PIECE_BYTES) {
            let data = base64::engine::general_purpose::STANDARD.encode(piece);
            page::call(
                page,
                "putMedia",
                &json!({ "token": token, "data": data }),
                CALL_DEADLINE,
            )
            .await?;
        }
        args["media"] =
            json!({ "token": token, "mimetype": media.mimetype, "filename": media.filename });
    }
    let ack = page::call(page, "send", &args, SEND_DEADLINE).await?;
    ack.as_i64()
        .map(|ack| ack as i32)
        .ok_or_else(|| CallError::Page(format!("WhatsApp Web answered {ack} instead of an ack")))
}

/// Waits until the page confirms the logout (its report, or the reload that follows), or gives up.
async fn wait_for_logout(session: &mut Session) {
    let confirmed = tokio::time::timeout(LOGOUT_GRACE, async {
        while let Some(event) = session.events.next().await {
            match PageEvent::parse(&event.payload) {
                Ok(PageEvent::Logout { .. }) => return,
                Ok(PageEvent::State { state, .. }) if state.starts_with("UNPAIRED") => return,
                _ => {}
            }
        }
    })
    .await;
    if confirmed.is_err() {
        tracing::warn!("WhatsApp Web did not confirm the logout in time");
    }
}

/// Creates the private profile and restores the vault into it unless the session is already
/// there (a relaunch after a crash keeps the live copy, which is newer). Returns whether a
/// session was restored.
fn prepare_profile(vault: Option<&Vault>, profile_dir: &std::path::Path) -> Result<bool, String> {
    create_private_dir(profile_dir)
        .map_err(|e| format!("could not create {}: {e}", profile_dir.display()))?;
    let present = ["Default/IndexedDB", "Default/Local Storage"]
        .iter()
        .any(|dir| profile_dir.join(dir).is_dir());
    match vault {
        Some(vault) if !present => vault.restore(profile_dir).map_err(|e| e.to_string()),
        _ => Ok(present),
    }
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

async fn run_vault_jobs(
    vault: Option<Arc<Vault>>,
    profile_dir: PathBuf,
    mut jobs: mpsc::UnboundedReceiver<VaultJob>,
) {
    while let Some((op, done)) = jobs.recv().await {
        let vault = vault.clone();
        let profile_dir = profile_dir.clone();
        let result = tokio::task::spawn_blocking(move || match op {
            VaultOp::Seal => match &vault {
                Some(vault) => vault.seal(&profile_dir).map_err(|e| e.to_string()),
                None => Err("the session vault is unavailable".to_owned()),
            },
            VaultOp::Destroy => match &vault {
                Some(vault) => vault.destroy().map_err(|e| e.to_string()),
                None => Ok(()),
            },
            VaultOp::RemovePlaintext => remove_plaintext(&profile_dir).map_err(|e| e.to_string()),
        })
        .await
        .unwrap_or_else(|e| Err(format!("the vault task panicked: {e}")));
        let _ = done.send(result);
    }
}

/// The id part of a serialized message id: `true_<chat>_<id>` (groups append `_<participant>`).
fn key_id_of(wa_message_id: &str) -> &str {
    wa_message_id.split('_').nth(2).unwrap_or(wa_message_id)
}

fn unavailable(error: &CallError) -> Error {
    Error::new(
        ErrorCode::WhatsappUnavailable,
        format!("WhatsApp Web: {error}"),
    )
}

fn state_name(state: ConnectionState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_come_out_of_serialized_ids() {
        assert_eq!(key_id_of("true_15551234567@c.us_3EB0A1B2"), "3EB0A1B2");
        assert_eq!(key_id_of("false_120363@g.us_ABC_15551234567@c.us"), "ABC");
        assert_eq!(key_id_of("odd"), "odd");
    }

    #[test]
    fn state_names_are_the_public_spelling() {
        assert_eq!(state_name(ConnectionState::PhoneOffline), "phone-offline");
    }
}
