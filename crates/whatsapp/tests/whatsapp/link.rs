//! The WhatsApp link end to end: real Chromium driving the simulator, the engine on a temporary
//! data directory. Scenarios share a browser where they can (each launch costs seconds), and run
//! one at a time (a static lock) because two Chromiums on a two-core machine only slow each other.
//! The harness is shared with `site`, the scenarios for what the real site insists on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use whatsflow_engine::link::{MediaFile, OutgoingMessage};
use whatsflow_engine::{
    ConnectionState, ConnectionStatus, Engine, Event, Link, Options, SystemClock,
};
use whatsflow_whatsapp::{LinkConfig, WhatsAppLink};

/// Deadlines are generous: they only bound how long a broken build takes to fail.
pub(super) const LONG: Duration = Duration::from_secs(60);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub(super) fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

pub(super) struct Harness {
    pub(super) runtime: Option<tokio::runtime::Runtime>,
    pub(super) sim: wa_sim::Simulator,
    pub(super) dir: tempfile::TempDir,
    pub(super) engine: Engine,
    pub(super) link: Option<Arc<WhatsAppLink>>,
    pub(super) events: tokio::sync::broadcast::Receiver<whatsflow_engine::EventEnvelope>,
    /// Every status seen since the last `forget_history`, from the event bus and from polling.
    pub(super) seen: Vec<ConnectionStatus>,
}

impl Harness {
    pub(super) fn new() -> Harness {
        // The vault's key goes to a file in the temporary data directory: no keychain on test boxes.
        std::env::set_var("WHATSFLOW_KEYSTORE", "file");
        // `RUST_LOG=whatsflow_whatsapp=debug` shows the link's side of a failing scenario.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let runtime = Some(new_runtime());
        let sim = wa_sim::Simulator::start(0).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine =
            Engine::open(Options::new(dir.path().to_owned(), Arc::new(SystemClock))).unwrap();
        let events = engine.subscribe();
        Harness {
            runtime,
            sim,
            dir,
            engine,
            link: None,
            events,
            seen: Vec::new(),
        }
    }

    pub(super) fn config(&self) -> LinkConfig {
        let mut config = LinkConfig::new(self.dir.path());
        config.url = self.sim.url();
        // Sealed at once, so scenarios can wait for the vault (the default waits a minute).
        config.first_save_after = Duration::ZERO;
        if Path::new("/usr/bin/chromium").is_file() {
            config.chromium = Some(PathBuf::from("/usr/bin/chromium"));
        }
        config
    }

    pub(super) fn start(&mut self) -> Arc<WhatsAppLink> {
        self.start_with(self.config())
    }

    pub(super) fn start_with(&mut self, config: LinkConfig) -> Arc<WhatsAppLink> {
        let runtime = self.runtime.get_or_insert_with(new_runtime);
        let link = WhatsAppLink::start_on(runtime.handle(), self.engine.clone(), config);
        self.engine.set_link(link.clone());
        self.link = Some(link.clone());
        link
    }

    pub(super) fn link(&self) -> Arc<WhatsAppLink> {
        self.link.clone().expect("the link is started")
    }

    pub(super) fn stop(&mut self) {
        if let Some(link) = self.link.take() {
            link.stop().unwrap();
        }
    }

    /// The app dies without stopping: its runtime goes away with every task, and Chromium is killed
    /// with the plaintext profile still on disk.
    pub(super) fn crash_app(&mut self) {
        self.link = None;
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    pub(super) fn record(&mut self) {
        while let Ok(envelope) = self.events.try_recv() {
            if let Event::ConnectionChanged(status) = envelope.event {
                self.seen.push(status);
            }
        }
        if let Some(link) = &self.link {
            let status = link.status();
            if self.seen.last() != Some(&status) {
                self.seen.push(status);
            }
        }
    }

    pub(super) fn forget_history(&mut self) {
        self.record();
        self.seen.clear();
    }

    pub(super) fn saw(&self, state: ConnectionState) -> bool {
        self.seen.iter().any(|s| s.state == state)
    }

    /// Waits until the link reports `state`; fails with the history if it never does.
    pub(super) fn wait_state(&mut self, state: ConnectionState) -> ConnectionStatus {
        self.wait_state_within(state, LONG)
    }

    pub(super) fn wait_state_within(
        &mut self,
        state: ConnectionState,
        deadline: Duration,
    ) -> ConnectionStatus {
        let until = Instant::now() + deadline;
        loop {
            self.record();
            let status = self.link().status();
            if status.state == state {
                return status;
            }
            assert!(
                Instant::now() < until,
                "no {state:?} within {deadline:?}; statuses seen: {:#?}",
                self.seen
                    .iter()
                    .map(|s| (s.state, s.detail.clone()))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(super) fn control(&self, path: &str, body: Value) -> Value {
        let url = format!("{}control/{path}", self.sim.url());
        let response = ureq::post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        response.into_body().read_json().unwrap_or(Value::Null)
    }

    pub(super) fn control_get(&self, path: &str) -> Value {
        let url = format!("{}control/{path}", self.sim.url());
        ureq::get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .into_body()
            .read_json()
            .unwrap()
    }

    pub(super) fn count(&self, sql: &str, param: &str) -> i64 {
        self.engine
            .db()
            .with(|c| Ok(c.query_row(sql, [param], |r| r.get(0))?))
            .unwrap()
    }

    /// Waits until `sql` (one text parameter) counts at least `at_least` rows.
    pub(super) fn wait_rows(&self, sql: &str, param: &str, at_least: i64) -> i64 {
        let until = Instant::now() + LONG;
        loop {
            let n = self.count(sql, param);
            if n >= at_least {
                return n;
            }
            assert!(
                Instant::now() < until,
                "{sql} [{param}] stayed at {n}, wanted {at_least}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(super) fn vault_file(&self) -> PathBuf {
        self.dir.path().join("session.vault")
    }

    pub(super) fn profile_dir(&self) -> PathBuf {
        self.config().profile_dir()
    }

    pub(super) fn wait_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let until = Instant::now() + LONG;
        while !done() {
            assert!(Instant::now() < until, "timed out waiting until {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// From a fresh start: the QR, a scan, connected.
    pub(super) fn link_by_qr(&mut self) -> ConnectionStatus {
        let qr = self.wait_state(ConnectionState::Qr);
        let text = qr.qr.clone().expect("a QR status carries the QR string");
        assert_eq!(
            text.split(',').count(),
            5,
            "WhatsApp's QR string has five parts: {text}"
        );
        // Drawing it is whatsflow-api's job (and tested there); here every part must be filled.
        assert!(
            text.split(',').all(|part| !part.is_empty()),
            "no part of the QR string is empty: {text}"
        );
        self.control(
            "scan",
            json!({"phoneNumber": "+15550000001", "pushName": "Demo Shop"}),
        );
        self.wait_state(ConnectionState::Connected)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            let _ = link.stop();
        }
    }
}

pub(super) fn new_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub(super) fn message_rows(h: &Harness, wa_id: &str) -> i64 {
    h.count(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        wa_id,
    )
}

/// An outbound row as the engine's outbox would have stored it before sending.
pub(super) fn store_outbound(h: &Harness, chat: &str, wa_id: &str) {
    let phone = format!("+{}", chat.trim_end_matches("@c.us"));
    h.engine
        .db()
        .with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO contacts (phone_number, wa_id, created_at, updated_at) VALUES (?1, ?2, 0, 0)",
                [&phone, chat],
            )?;
            let inserted = c.execute(
                "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, status, wa_timestamp,
                 created_at, updated_at)
                 SELECT ?1, id, 'out', 'chat', 'hi', 'sending', 0, 0, 0 FROM contacts
                 WHERE wa_id = ?2 OR phone_number = ?3 LIMIT 1",
                [wa_id, chat, &phone],
            )?;
            assert_eq!(inserted, 1, "the outbound row is stored");
            Ok(())
        })
        .unwrap();
}

pub(super) fn outgoing(chat: &str, body: &str, media: Option<MediaFile>) -> OutgoingMessage {
    let key_id = whatsflow_engine::inbox::new_key_id();
    OutgoingMessage {
        wa_message_id: format!("true_{chat}_{key_id}"),
        key_id,
        chat_id: chat.to_owned(),
        body: body.to_owned(),
        media,
        quoted_wa_id: None,
    }
}

#[test]
fn qr_login_messages_acks_and_a_restored_session() {
    let _serial = serial();
    let mut h = Harness::new();
    h.start();
    let connected = h.link_by_qr();
    assert_eq!(connected.phone_number.as_deref(), Some("+15550000001"));
    assert!(
        connected.wa_version.is_some(),
        "the site's version is recorded with the connection"
    );
    h.wait_until("the session is sealed after login", || {
        h.vault_file().is_file()
    });
    let link = h.link();

    // Inbound text, and the same message delivered twice: one row.
    let sent = h.control("inbound", json!({"from": "+5511912345678", "pushName": "Ana", "body": "Oi, tudo bem?", "id": "AAA111"}));
    let wa_id = sent["id"]
        .as_str()
        .expect("the simulator names the message")
        .to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        &wa_id,
        1,
    );
    h.control(
        "inbound",
        json!({"from": "+5511912345678", "body": "Oi, tudo bem?", "id": "AAA111"}),
    );
    let marker = h.control(
        "inbound",
        json!({"from": "+5511912345678", "body": "after the duplicate"}),
    );
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        marker["id"].as_str().unwrap(),
        1,
    );
    assert_eq!(
        message_rows(&h, &wa_id),
        1,
        "a repeated delivery must not store the message twice"
    );
    let body: String = h
        .engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT body FROM messages WHERE wa_message_id = ?1",
                [&wa_id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(body, "Oi, tudo bem?");
    assert_eq!(
        h.count(
            "SELECT count(*) FROM contacts WHERE phone_number = ?1",
            "+5511912345678"
        ),
        1
    );

    // A message that arrives undecrypted is stored once it is readable, with its text.
    let late = h.control(
        "inbound",
        json!({"from": "+5511912345678", "body": "decrypted later", "decryptDelayMs": 400}),
    );
    let late_id = late["id"].as_str().unwrap().to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND body = 'decrypted later'",
        &late_id,
        1,
    );

    // Hidden linked ids: with a known phone the contact gets it; without, the contact has none.
    h.control(
        "inbound",
        json!({"from": "98765432109876@lid", "lidPhone": "+4917123456789", "body": "Hallo"}),
    );
    h.wait_rows(
        "SELECT count(*) FROM contacts WHERE phone_number = ?1",
        "+4917123456789",
        1,
    );
    let anonymous = h.control(
        "inbound",
        json!({"from": "11112222333344@lid", "body": "who am I"}),
    );
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        anonymous["id"].as_str().unwrap(),
        1,
    );
    assert_eq!(
        h.count(
            "SELECT count(*) FROM contacts WHERE wa_id = ?1 AND phone_number IS NULL",
            "11112222333344@lid"
        ),
        1,
        "an @lid sender whose phone WhatsApp does not know is kept without a phone"
    );

    // An inbound picture: its bytes are saved under the data directory.
    let picture: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let image = h.control(
        "inbound",
        json!({"from": "+27821234567", "caption": "the menu", "media": {
            "data": base64::engine::general_purpose::STANDARD.encode(&picture), "mimetype": "image/jpeg", "filename": "menu.jpg"}}),
    );
    let image_id = image["id"].as_str().unwrap().to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND media_path IS NOT NULL",
        &image_id,
        1,
    );
    let (path, caption): (String, Option<String>) = h
        .engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT media_path, caption FROM messages WHERE wa_message_id = ?1",
                [&image_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(
        std::fs::read(h.dir.path().join(path)).unwrap(),
        picture,
        "the saved file is the sent file"
    );
    assert_eq!(caption.as_deref(), Some("the menu"));

    // Numbers: on WhatsApp, and not.
    h.control("config", json!({"notOnWhatsApp": ["+15559990000"]}));
    assert_eq!(link.check_number("15559990000").unwrap(), None);
    assert_eq!(
        link.check_number("4917123456789").unwrap().as_deref(),
        Some("4917123456789@c.us")
    );

    // Sending: the page has it under the engine's id, and the acks reach the stored row.
    let message = outgoing("4917123456789@c.us", "Guten Tag!", None);
    store_outbound(&h, &message.chat_id, &message.wa_message_id);
    let ack = link.send(&message).unwrap();
    assert!(ack >= 0, "a sent message has an ack, got {ack}");
    let outbound = h.control_get("outbound");
    assert!(
        outbound
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["body"] == "Guten Tag!"
                && m["id"]
                    .as_str()
                    .is_some_and(|id| id.ends_with(&message.key_id))),
        "the simulator received the message under the engine's id: {outbound}"
    );
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND ack >= 3",
        &message.wa_message_id,
        1,
    );
    assert_eq!(
        link.find_message(&message.wa_message_id).unwrap(),
        Some(3),
        "find_message sees the read ack"
    );
    assert_eq!(
        link.find_message(&format!(
            "true_4917123456789@c.us_{}",
            whatsflow_engine::inbox::new_key_id()
        ))
        .unwrap(),
        None
    );
    link.send(&message).unwrap();
    let copies = h
        .control_get("outbound")
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"] == "Guten Tag!")
        .count();
    assert_eq!(copies, 1, "sending the same id again must not send twice");

    // A picture with a caption.
    let photo = MediaFile {
        bytes: picture.clone(),
        mimetype: "image/jpeg".into(),
        filename: Some("photo.jpg".into()),
    };
    link.send(&outgoing("4917123456789@c.us", "our shop", Some(photo)))
        .unwrap();
    let outbound = h.control_get("outbound");
    let sent_photo = outbound
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "image")
        .cloned();
    let sent_photo = sent_photo.unwrap_or_else(|| panic!("no image among {outbound}"));
    assert_eq!(sent_photo["caption"], "our shop");
    assert_eq!(sent_photo["mimetype"], "image/jpeg");

    link.mark_read("5511912345678@c.us").unwrap();
    link.set_typing("5511912345678@c.us", true).unwrap();
    link.set_typing("5511912345678@c.us", false).unwrap();
    let activity = h.control_get("activity");
    let seen = activity["seen"].as_array().unwrap();
    assert!(
        seen.iter().any(|chat| chat == "5511912345678@c.us"),
        "the chat was marked read: {activity}"
    );
    let typing: Vec<&str> = activity["typing"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["state"].as_str())
        .collect();
    assert_eq!(
        typing,
        ["composing", "paused"],
        "typing on, then off: {activity}"
    );

    // A clean stop seals the session and leaves no plaintext; the next start needs no QR.
    h.stop();
    assert!(h.vault_file().is_file(), "the session is sealed at stop");
    assert!(
        !h.profile_dir().exists(),
        "no plaintext profile after a clean stop"
    );
    h.forget_history();
    h.start();
    h.wait_state(ConnectionState::Connected);
    assert!(
        !h.saw(ConnectionState::Qr),
        "a restored session connects without a QR: {:?}",
        h.seen
    );

    // The app crashes: the plaintext it leaves is sealed at the next start, before anything else.
    // (The vault is deleted first, so only that seal can bring the session back.)
    h.crash_app();
    assert!(
        h.profile_dir().join("Default").is_dir(),
        "a crash leaves the plaintext profile behind"
    );
    std::fs::remove_file(h.vault_file()).unwrap();
    let mut config = h.config();
    config.connect_at_start = false;
    let link = h.start_with(config);
    h.wait_until("the leftover session is sealed at start", || {
        h.vault_file().is_file()
    });
    assert_eq!(
        link.browser_pid(),
        None,
        "connect_at_start=false leaves Chromium off"
    );
    h.forget_history();
    link.connect().unwrap();
    h.wait_state(ConnectionState::Connected);
    assert!(
        !h.saw(ConnectionState::Qr),
        "the recovered session connects without a QR: {:?}",
        h.seen
    );
    h.stop();
    assert!(
        !h.profile_dir().exists(),
        "no plaintext profile after a clean stop"
    );
}

#[test]
fn chromium_killed_conflict_offline_logout_and_ban() {
    let _serial = serial();
    let mut h = Harness::new();
    h.start();
    h.link_by_qr();
    let link = h.link();

    // Chromium killed: back within 15 s, no QR, and a message sent meanwhile arrives.
    let pid = link.browser_pid().expect("Chromium runs");
    h.forget_history();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    h.wait_state(ConnectionState::BrowserCrashed);
    let meanwhile = h.control(
        "inbound",
        json!({"from": "+919876543210", "body": "sent while you were down"}),
    );
    h.wait_state_within(ConnectionState::Connected, Duration::from_secs(15));
    assert!(
        !h.saw(ConnectionState::Qr),
        "the session survives a browser crash: {:?}",
        h.seen
    );
    assert_ne!(link.browser_pid(), Some(pid), "a new Chromium runs");
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        meanwhile["id"].as_str().unwrap(),
        1,
    );

    // Opened elsewhere: conflict, then "use here".
    h.control("conflict", json!({}));
    let conflict = h.wait_state(ConnectionState::Conflict);
    assert!(conflict.detail.is_some(), "the user is told what to do");
    link.take_over().unwrap();
    h.wait_state(ConnectionState::Connected);

    // The phone offline and back.
    h.control("offline", json!({}));
    h.wait_state(ConnectionState::PhoneOffline);
    h.control("online", json!({}));
    h.wait_state(ConnectionState::Connected);

    // Logged out from the phone: the vault goes, and the link stays logged out (with why) while
    // the page moves on to a new QR, until the user connects again.
    h.forget_history();
    h.control("logout", json!({}));
    let logged_out = h.wait_state(ConnectionState::LoggedOut);
    assert!(
        logged_out.detail.unwrap_or_default().contains("phone"),
        "the user is told the phone did it"
    );
    h.wait_until("the vault is destroyed", || !h.vault_file().exists());
    h.wait_until("the page shows a new QR", || {
        let state = h.control_get("state");
        state["qr"].is_string() && state["pageState"] == "UNPAIRED"
    });
    h.record();
    assert!(
        !h.saw(ConnectionState::Qr),
        "no QR before the user connects: {:?}",
        h.seen
    );
    assert_eq!(link.status().state, ConnectionState::LoggedOut);
    link.connect().unwrap();
    h.wait_state(ConnectionState::Qr);

    // Linked again, then blocked by WhatsApp.
    h.link_by_qr();
    h.control("ban", json!({}));
    let banned = h.wait_state(ConnectionState::Banned);
    assert!(
        banned.detail.unwrap_or_default().contains("TOS_BLOCK"),
        "the detail names the block"
    );
    h.stop();
}

#[test]
fn pairing_code_links_and_disconnect_forgets_the_session() {
    let _serial = serial();
    let mut h = Harness::new();
    let link = h.start();
    h.wait_state(ConnectionState::Qr);

    // An unscanned QR rotates, then goes idle; the link asks for fresh ones so the screen never
    // shows a dead code. The simulator idles after six codes, so more than that means refreshes.
    h.control("config", json!({"qrRotateMs": 150}));
    let mut codes = std::collections::HashSet::new();
    h.wait_until("QR codes keep coming after the page went idle", || {
        if let Some(qr) = link.status().qr {
            codes.insert(qr);
        }
        codes.len() > 8
    });
    h.control("config", json!({"qrRotateMs": 20000}));

    // Connect on the code screen goes back to QR codes (refreshQR, then initializeQRLinking).
    link.request_pairing_code("+1 555 000 0001").unwrap();
    h.wait_state(ConnectionState::PairingCode);
    link.connect().unwrap();
    let back = h.wait_state(ConnectionState::Qr);
    assert!(back.pairing_code.is_none());
    assert!(
        !codes.contains(back.qr.as_deref().unwrap_or_default()),
        "a fresh QR, not one from before the code"
    );

    let code = link.request_pairing_code("+1 555 000 0001").unwrap();
    let status = h.wait_state(ConnectionState::PairingCode);
    assert_eq!(status.pairing_code.as_deref(), Some(code.as_str()));
    h.control("pairing", json!({"code": code}));
    h.wait_state(ConnectionState::Connected);
    h.wait_until("the session is sealed after login", || {
        h.vault_file().is_file()
    });

    link.disconnect().unwrap();
    let out = h.wait_state(ConnectionState::LoggedOut);
    assert!(out.detail.is_some());
    assert!(
        !h.vault_file().exists(),
        "disconnect forgets the saved session"
    );
    assert!(!h.profile_dir().exists(), "and its plaintext");
    assert_eq!(link.browser_pid(), None, "Chromium is closed");
    assert!(
        link.check_number("15550000001").is_err(),
        "nothing can be sent while logged out"
    );

    link.connect().unwrap();
    h.wait_state(ConnectionState::Qr);
    h.stop();
}

#[test]
fn a_renamed_login_module_is_reported_by_name() {
    let _serial = serial();
    let mut h = Harness::new();
    h.control("config", json!({"missingModules": ["WAWebConnModel"]}));
    let link = h.start();
    let changed = h.wait_state(ConnectionState::WhatsappChanged);
    let detail = changed.detail.unwrap_or_default();
    assert!(
        detail.contains("WhatsApp Web changed: module WAWebConnModel not found"),
        "{detail}"
    );
    assert!(
        changed.wa_version.is_some(),
        "the version that changed is recorded"
    );
    let refused = link.check_number("15550000001").unwrap_err();
    assert!(
        refused.message.contains("WAWebConnModel"),
        "calls say why they cannot run: {}",
        refused.message
    );
    h.stop();
}

/// Waits for the `history.sync` report that ends a backfill, draining `events`.
fn wait_history_done(
    events: &mut tokio::sync::broadcast::Receiver<whatsflow_engine::EventEnvelope>,
) -> whatsflow_engine::inbox::HistorySync {
    let until = Instant::now() + Duration::from_secs(180);
    loop {
        match events.try_recv() {
            Ok(envelope) => {
                if let Event::HistorySync(progress) = envelope.event {
                    if progress.done {
                        return progress;
                    }
                }
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => {
                assert!(
                    Instant::now() < until,
                    "the history backfill never finished"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn history_backfill_brings_the_phones_chats_once() {
    let _serial = serial();
    let mut h = Harness::new();
    let (chats, per_chat) = (200_usize, 50_usize);
    let preloaded = h.control(
        "history",
        json!({"chats": chats, "messagesPerChat": per_chat, "lidEvery": 10, "media": true}),
    );
    assert_eq!(preloaded["messages"], chats * per_chat);
    let mut events = h.engine.subscribe();
    h.start();
    h.link_by_qr();
    let done = wait_history_done(&mut events);
    assert_eq!(
        (done.chats_done, done.chats_total),
        (chats, chats),
        "every loaded chat was read: {done:?}"
    );
    assert_eq!(done.messages_added, chats * per_chat, "{done:?}");

    // The inbox as the REST API shows it: every chat, every message once, in order, counted.
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = h
            .engine
            .chats(&Default::default(), cursor.as_deref(), 100)
            .unwrap();
        listed.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(listed.len(), chats, "one chat per customer");
    let outbound_per_chat = (0..per_chat).filter(|n| n % 4 == 3).count() as i64;
    for chat in &listed {
        let phone =
            chat.contact.phone_number.clone().expect(
                "every sender has a phone, hidden linked ids included (their phone is known)",
            );
        let index: usize = phone.trim_start_matches("+15552").parse().unwrap();
        assert_eq!(chat.unread_count, 0, "history is not unread");
        let contact = h.engine.contact(chat.contact.id).unwrap();
        assert_eq!(
            (contact.messages_in, contact.messages_out),
            (per_chat as i64 - outbound_per_chat, outbound_per_chat),
            "{phone}"
        );
        let thread = h
            .engine
            .conversation(chat.contact.id, None, 100)
            .unwrap()
            .items;
        let texts: Vec<String> = thread
            .iter()
            .rev()
            .map(|m| m.caption.clone().unwrap_or_else(|| m.body.clone()))
            .collect();
        let expected: Vec<String> = (0..per_chat)
            .map(|n| format!("Message {n} in chat {index}"))
            .collect();
        assert_eq!(texts, expected, "{phone}: every message once, in order");
        assert!(thread.iter().all(|m| m.history), "marked as history");
        assert_eq!(
            contact.last_message_at,
            Some(thread[0].timestamp.clone()),
            "{phone}: the last message time is the newest message's"
        );
    }
    let kinds: std::collections::BTreeSet<String> = h
        .engine
        .db()
        .with(|c| {
            let mut stmt = c.prepare("SELECT DISTINCT type FROM messages")?;
            let kinds = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(kinds)
        })
        .unwrap();
    assert_eq!(
        kinds,
        ["chat", "document", "image"].map(String::from).into(),
        "texts and media"
    );

    // Connecting again (the app restarted on the saved session) reads the chats again and adds nothing.
    h.stop();
    let mut events = h.engine.subscribe();
    h.start();
    h.wait_state(ConnectionState::Connected);
    let again = wait_history_done(&mut events);
    assert_eq!(again.chats_total, chats);
    assert_eq!(again.messages_added, 0, "{again:?}");
    let stored: i64 = h
        .engine
        .db()
        .with(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(stored, (chats * per_chat) as i64);
    h.stop();
}
