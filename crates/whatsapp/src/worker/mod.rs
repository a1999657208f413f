//! The link's one tokio task: owns Chromium and the vault, turns page reports into statuses,
//! messages and acks for the engine, runs calls into the page, and restarts Chromium when it dies.
//! Where the link is lives in [`Phase`] and [`Login`]; what the engine asks of it in `commands`;
//! vault work in [`VaultJobs`]; files in [`crate::media`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use whatsflow_engine::clock::to_rfc3339;
use whatsflow_engine::inbox::HistorySync;
use whatsflow_engine::link::{MessageChange, OutgoingMessage};
use whatsflow_engine::{ConnectionState, ConnectionStatus, Engine, Error, ErrorCode};

use crate::browser::Session;
use crate::config::LinkConfig;
use crate::inbound::{phone_of, to_inbound};
use crate::media::{self, Downloads};
use crate::page::{self, CallError, PageEvent, RawMessage, CALL_DEADLINE, SEND_DEADLINE};
use crate::phase::{Backoff, Login, Phase};
use crate::sink::{EngineCall, Sink};
use crate::status::{changed_detail, describe, PageView, SocketState};
use crate::vault_jobs::VaultJobs;

mod commands;

use commands::unavailable;

/// A pairing code expires; WhatsApp Web wants a new one about every three minutes.
const PAIRING_CODE_LIFETIME: Duration = Duration::from_secs(170);
/// After a load timeout (no network, site down), how long before trying the page again.
const RELOAD_AFTER: Duration = Duration::from_secs(15);
/// How long a user's logout may take to reach WhatsApp before Chromium is closed anyway.
const LOGOUT_GRACE: Duration = Duration::from_secs(10);

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

pub(crate) struct Worker {
    engine: Engine,
    config: LinkConfig,
    shared: Arc<Shared>,
    sink: Sink,
    vault: VaultJobs,
    internal: mpsc::UnboundedSender<Internal>,
    /// The browser's life: idle, waiting to launch, or running.
    phase: Phase,
    /// What the profile holds: decides what is sealed and what a QR says.
    login: Login,
    backoff: Backoff,
    /// What the page said about the connection.
    view: PageView,
    version: Option<String>,
    me: Option<String>,
    push_name: Option<String>,
    /// The phone number of a pairing code on screen, and when the code was made.
    pairing: Option<(String, Instant)>,
    /// The page showed a QR or pairing code since the last seal: the session about to connect is new.
    linking: bool,
    /// When a newly linked session is first sealed.
    first_save_at: Option<Instant>,
    downloads: Downloads,
    /// Messages sent in this run: key id -> the id the engine stored, so acks find their row even
    /// if WhatsApp filed the message under another chat id (a phone number's hidden linked id).
    sent: HashMap<String, String>,
}

/// Starts the worker on `runtime`: it opens the vault, then runs until `Stop` or until every
/// command sender is gone.
pub(crate) fn spawn(
    engine: Engine,
    config: LinkConfig,
    shared: Arc<Shared>,
    sink: Sink,
    commands: mpsc::UnboundedReceiver<Command>,
    runtime: &tokio::runtime::Handle,
) -> tokio::task::JoinHandle<()> {
    runtime.spawn(async move {
        let vault = VaultJobs::open(config.data_dir.clone(), config.profile_dir()).await;
        let (internal, internal_rx) = mpsc::unbounded_channel();
        let worker = Worker {
            engine,
            config,
            shared,
            sink,
            vault,
            internal,
            phase: Phase::Idle,
            login: Login::Unlinked,
            backoff: Backoff::default(),
            view: PageView::default(),
            version: None,
            me: None,
            push_name: None,
            pairing: None,
            linking: false,
            first_save_at: None,
            downloads: Downloads::default(),
            sent: HashMap::new(),
        };
        worker.run(commands, internal_rx).await;
    })
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
    ) {
        if self.config.connect_at_start {
            self.phase = Phase::LaunchAt(Instant::now());
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
                let session = self.phase.session_mut();
                let browser_event = async {
                    match session {
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
                    let browser_gone = self.phase.session_mut().is_some_and(Session::has_exited);
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
        status.detail = match (self.vault.problem(), state) {
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
            .key_location()
            .map(|location| location.as_str().to_owned());
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

    /// Publishes what the page's own state says, unless the page lacks parts the app needs (then
    /// that is what the user must hear).
    fn refresh(&mut self) {
        if self.phase.is_changed() {
            return;
        }
        if let Some((state, detail)) = describe(&self.view) {
            // After the phone logged this computer out, the page moves on to a new QR by itself;
            // the user sees `logged-out` (and why) until they press Connect.
            let linked = matches!(
                state,
                ConnectionState::Connected
                    | ConnectionState::Syncing
                    | ConnectionState::PhoneOffline
                    | ConnectionState::Conflict
            );
            if self.login == Login::LoggedOutByPhone && !linked {
                return;
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
                self.phase.page_ready();
                // Pieces of a file whose message died with the previous document.
                self.downloads.clear();
            }
            PageEvent::Changed { version, missing } => {
                tracing::error!(%version, ?missing, "WhatsApp Web lacks parts the app relies on");
                self.version = Some(version);
                self.phase.page_changed();
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
                if let Some(session) = self.phase.session() {
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
            PageEvent::Media { id, index, data } => self.downloads.add_piece(id, index, &data),
            PageEvent::Msgs { messages } => self.on_messages(messages),
            PageEvent::History {
                run,
                messages,
                chats_done,
                chats_total,
                messages_read,
                done,
            } => {
                let now = self.engine.now();
                let messages = messages
                    .into_iter()
                    .filter_map(|raw| to_inbound(raw, None, now))
                    .collect();
                let progress = HistorySync {
                    chats_done,
                    chats_total,
                    messages_read,
                    messages_added: 0,
                    done,
                };
                self.sink.send(EngineCall::History {
                    run,
                    messages,
                    progress,
                });
            }
            PageEvent::Ack { id, key_id, ack } => {
                let wa_message_id = self.sent.get(&key_id).cloned().unwrap_or(id);
                self.sink.send(EngineCall::Ack { wa_message_id, ack });
            }
            PageEvent::Revoke { id } => {
                self.sink.send(EngineCall::Change(MessageChange::Revoked {
                    wa_message_id: id,
                }))
            }
            PageEvent::Edit { id, text } => {
                self.sink.send(EngineCall::Change(MessageChange::Edited {
                    wa_message_id: id,
                    text,
                }))
            }
            PageEvent::Log { text } => tracing::debug!(%text, "page"),
        }
    }

    fn on_socket_state(
        &mut self,
        state: SocketState,
        synced: bool,
        me: Option<String>,
        push_name: Option<String>,
    ) {
        if me.is_some() {
            self.me = me;
        }
        if push_name.is_some() {
            self.push_name = push_name;
        }
        if state.is_unpaired() {
            // Nothing linked in the profile (never linked, or the session was revoked meanwhile).
            self.me = None;
            self.push_name = None;
            self.linking = true;
            self.first_save_at = None;
        } else {
            self.view.qr = None;
            self.view.pairing_code = None;
            self.pairing = None;
        }
        if state == SocketState::Connected {
            self.backoff.reset();
            self.view.outdated_reloads = 0;
        }
        let outdated = state == SocketState::DeprecatedVersion
            && self.view.socket != Some(SocketState::DeprecatedVersion);
        if outdated {
            self.view.outdated_reloads += 1;
        }
        let (login, checkpoint) = self.login.on_socket(&state, synced);
        self.login = login;
        self.view.socket = Some(state);
        self.view.synced = synced;
        self.refresh();
        if outdated {
            self.reload_outdated_page();
        }
        if checkpoint && std::mem::take(&mut self.linking) {
            // A new session: WhatsApp Web is still writing its stores; seal them once settled.
            self.first_save_at = Some(Instant::now() + self.config.first_save_after);
        } else if checkpoint {
            // Back after a restart: checkpoint now, so a crash from here on loses nothing.
            self.vault.checkpoint();
        }
    }

    /// `DEPRECATED_VERSION`: the loaded web client is outdated, not the number blocked; loading the
    /// page again fetches the current one (after a back-off, should the site keep saying so).
    fn reload_outdated_page(&mut self) {
        let Some(session) = self.phase.session() else {
            return;
        };
        let page = session.page.clone();
        let wait = self.backoff.next_pause();
        tracing::info!(
            wait_s = wait.as_secs(),
            "WhatsApp Web is out of date; reloading it"
        );
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            if let Err(error) = page.reload().await {
                tracing::warn!(%error, "reloading the outdated WhatsApp Web failed");
            }
        });
    }

    /// `connect` on the pairing-code screen: back to QR codes.
    pub(super) fn back_to_qr(&mut self) {
        let Some(session) = self.phase.session() else {
            return;
        };
        let page = session.page.clone();
        self.pairing = None;
        self.view.pairing_code = None;
        self.view.qr = None;
        self.refresh();
        tokio::spawn(async move {
            if let Err(error) = page::call(&page, "qrLinking", &json!({}), CALL_DEADLINE).await {
                tracing::warn!(%error, "WhatsApp Web did not go back to QR codes");
            }
        });
    }

    fn on_logout(&mut self, reason: &str) {
        // The page reports one logout more than once (the command, then the reload after it), and
        // the user may have pressed Connect in between: only a linked session can be logged out.
        if !self.login.is_linked() {
            return;
        }
        tracing::info!(reason, "WhatsApp Web logged out");
        self.login = Login::LoggedOutByPhone;
        self.me = None;
        self.push_name = None;
        self.view = PageView::default();
        self.vault.destroy_in_background();
        self.publish(
            ConnectionState::LoggedOut,
            Some(
                "WhatsApp on the phone logged this computer out. Connect to link a phone again"
                    .to_owned(),
            ),
        );
    }

    fn on_messages(&mut self, messages: Vec<RawMessage>) {
        let now = self.engine.now();
        let mut batch = Vec::with_capacity(messages.len());
        for raw in messages {
            let media = match &raw.media {
                Some(info) => self.downloads.take(&raw.id, info.size),
                None => None,
            };
            if let Some(error) = &raw.media_error {
                tracing::warn!(id = %raw.id, %error, "the file of a received message was not downloaded");
            }
            match to_inbound(raw, media, now) {
                Some(message) => batch.push(message),
                None => tracing::debug!("ignored a message outside a one-to-one chat"),
            }
        }
        if !batch.is_empty() {
            self.sink.send(EngineCall::Ingest(batch));
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
        if let Some(session) = self.phase.session_mut() {
            if session.has_exited() {
                self.on_browser_died("Chromium stopped unexpectedly").await;
                return;
            }
        }
        if self.phase.launch_due(Instant::now()) {
            self.launch().await;
            return;
        }
        let state = self.current_state();
        if let Some(at) = self.first_save_at {
            if Instant::now() >= at && self.login.is_linked() {
                self.first_save_at = None;
                self.vault.checkpoint();
            }
        } else if self.login.is_linked()
            && state == ConnectionState::Connected
            && self.vault.checkpoint_due(self.config.checkpoint_every)
        {
            self.vault.checkpoint();
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

    /// `LaunchAt` → `Running`, or back to `LaunchAt` after a back-off, or `Idle` when trying again
    /// cannot help. Prepares the profile first (restoring the vault if the session is not there).
    async fn launch(&mut self) {
        self.phase = Phase::Idle;
        self.publish(
            ConnectionState::Starting,
            Some("Starting the browser".to_owned()),
        );
        match self.vault.prepare_profile().await {
            Ok(true) => self.login = self.login.found_in_profile(),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "starting without the saved session"),
        }
        self.view = PageView::default();
        self.downloads.clear();
        match Session::launch(&self.config, self.vault.profile_dir()).await {
            Ok(session) => {
                self.shared
                    .pid
                    .store(session.pid.unwrap_or(0), Ordering::SeqCst);
                self.phase = Phase::Running(Box::new(session));
                self.publish(
                    ConnectionState::Starting,
                    Some("Opening WhatsApp Web".to_owned()),
                );
            }
            Err(error) => {
                tracing::error!(error = %error.message, "Chromium did not start");
                if error.retry {
                    let wait = self.relaunch_later();
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

    /// Moves to `LaunchAt` after the next back-off and returns how long that is.
    fn relaunch_later(&mut self) -> Duration {
        let wait = self.backoff.next_pause();
        self.phase = Phase::LaunchAt(Instant::now() + wait);
        wait
    }

    /// `Running` or `Changed` → `LaunchAt`: the browser or its tab died; the session stays in the
    /// profile for the relaunch.
    async fn on_browser_died(&mut self, what: &str) {
        let Some(session) = self.phase.leave(Phase::Idle) else {
            return;
        };
        session.kill().await;
        self.shared.pid.store(0, Ordering::SeqCst);
        self.view = PageView::default();
        let wait = self.relaunch_later();
        tracing::warn!(what, wait_s = wait.as_secs(), "restarting Chromium");
        self.publish(
            ConnectionState::BrowserCrashed,
            Some(format!(
                "{what}; restarting in {} s. The session is kept",
                wait.as_secs()
            )),
        );
    }

    /// Any phase → `Idle`, for good. Chromium is closed first so its files are consistent, then
    /// the session sealed, then the plaintext removed.
    async fn shut_down(&mut self) {
        if let Some(session) = self.phase.leave(Phase::Idle) {
            session.close().await;
        }
        self.shared.pid.store(0, Ordering::SeqCst);
        self.vault
            .seal_and_remove_plaintext(self.login.is_linked())
            .await;
        self.publish(ConnectionState::Disconnected, Some("Stopped".to_owned()));
        // The caller may shut the runtime down next: make sure the engine has heard everything.
        let (flushed, done) = oneshot::channel();
        self.sink.send(EngineCall::Flush(flushed));
        let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
    }
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
    fn state_names_are_the_public_spelling() {
        assert_eq!(state_name(ConnectionState::PhoneOffline), "phone-offline");
    }
}
