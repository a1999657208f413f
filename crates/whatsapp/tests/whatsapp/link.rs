//! The WhatsApp link end to end: real Chromium driving the simulator, the engine on a temporary
//! data directory. Scenarios share a browser where they can (each launch costs seconds), and run
//! one at a time (a static lock) because two Chromiums on a two-core machine only slow each other.

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
const LONG: Duration = Duration::from_secs(60);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

struct Harness {
    runtime: Option<tokio::runtime::Runtime>,
    sim: wa_sim::Simulator,
    dir: tempfile::TempDir,
    engine: Engine,
    link: Option<Arc<WhatsAppLink>>,
    events: tokio::sync::broadcast::Receiver<whatsflow_engine::EventEnvelope>,
    /// Every status seen since the last `forget_history`, from the event bus and from polling.
    seen: Vec<ConnectionStatus>,
}

impl Harness {
    fn new() -> Harness {
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

    fn config(&self) -> LinkConfig {
        let mut config = LinkConfig::new(self.dir.path());
        config.url = self.sim.url();
        if Path::new("/usr/bin/chromium").is_file() {
            config.chromium = Some(PathBuf::from("/usr/bin/chromium"));
        }
        config
    }

    fn start(&mut self) -> Arc<WhatsAppLink> {
        self.start_with(self.config())
    }

    fn start_with(&mut self, config: LinkConfig) -> Arc<WhatsAppLink> {
        let runtime = self.runtime.get_or_insert_with(new_runtime);
        let link = WhatsAppLink::start_on(runtime.handle(), self.engine.clone(), config);
        self.engine.set_link(link.clone());
        self.link = Some(link.clone());
        link
    }

    fn link(&self) -> Arc<WhatsAppLink> {
        self.link.clone().expect("the link is started")
    }

    fn stop(&mut self) {
        if let Some(link) = self.link.take() {
            link.stop().unwrap();
        }
    }

    /// The app dies without stopping: its runtime goes away with every task, and Chromium is killed
    /// with the plaintext profile still on disk.
    fn crash_app(&mut self) {
        self.link = None;
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    fn record(&mut self) {
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

    fn forget_history(&mut self) {
        self.record();
        self.seen.clear();
    }

    fn saw(&self, state: ConnectionState) -> bool {
        self.seen.iter().any(|s| s.state == state)
    }

    /// Waits until the link reports `state`; fails with the history if it never does.
    fn wait_state(&mut self, state: ConnectionState) -> ConnectionStatus {
        self.wait_state_within(state, LONG)
    }

    fn wait_state_within(
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

    fn control(&self, path: &str, body: Value) -> Value {
        let url = format!("{}control/{path}", self.sim.url());
        let response = ureq::post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        response.into_body().read_json().unwrap_or(Value::Null)
    }

    fn control_get(&self, path: &str) -> Value {
        let url = format!("{}control/{path}", self.sim.url());
        ureq::get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .into_body()
            .read_json()
            .unwrap()
    }

    fn count(&self, sql: &str, param: &str) -> i64 {
        self.engine
            .db()
            .with(|c| Ok(c.query_row(sql, [param], |r| r.get(0))?))
            .unwrap()
    }

    /// Waits until `sql` (one text parameter) counts at least `at_least` rows.
    fn wait_rows(&self, sql: &str, param: &str, at_least: i64) -> i64 {
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

    fn vault_file(&self) -> PathBuf {
        self.dir.path().join("session.vault")
    }

    fn profile_dir(&self) -> PathBuf {
        self.config().profile_dir()
    }

    fn wait_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let until = Instant::now() + LONG;
        while !done() {
            assert!(Instant::now() < until, "timed out waiting until {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// From a fresh start: the QR, a scan, connected.
    fn link_by_qr(&mut self) -> ConnectionStatus {
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

fn new_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn new_key_id() -> String {
    format!("3EB0{:016X}", rand::random::<u64>())
}

fn message_rows(h: &Harness, wa_id: &str) -> i64 {
    h.count(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        wa_id,
    )
}

/// An outbound row as the engine's outbox would have stored it before sending.
fn store_outbound(h: &Harness, chat: &str, wa_id: &str) {
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

fn outgoing(chat: &str, body: &str, media: Option<MediaFile>) -> OutgoingMessage {
    let key_id = new_key_id();
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
        link.find_message(&format!("true_4917123456789@c.us_{}", new_key_id()))
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
fn a_renamed_module_is_reported_by_name() {
    let _serial = serial();
    let mut h = Harness::new();
    h.control("config", json!({"missingModules": ["WAWebQueryExistsJob"]}));
    let link = h.start();
    let changed = h.wait_state(ConnectionState::WhatsappChanged);
    let detail = changed.detail.unwrap_or_default();
    assert!(
        detail.contains("WhatsApp Web changed: module WAWebQueryExistsJob not found"),
        "{detail}"
    );
    assert!(
        changed.wa_version.is_some(),
        "the version that changed is recorded"
    );
    let refused = link.check_number("15550000001").unwrap_err();
    assert!(
        refused.message.contains("WAWebQueryExistsJob"),
        "calls say why they cannot run: {}",
        refused.message
    );
    h.stop();
}
