//! Helpers for tests of the engine and of the crates above it (behind the `testing` feature): an
//! engine on a fresh database in a temporary data directory with a manual clock, builders for
//! inbound messages and contacts, and a scripted WhatsApp link.

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::clock::{ManualClock, Millis};
use crate::contacts::NewContact;
use crate::error::Result;
use crate::link::{
    ConnectionState, ConnectionStatus, InboundMessage, Link, MediaFile, OutgoingMessage,
};
use crate::profile::{BusinessDetails, ProfileInput};
use crate::Engine;

/// The time a test engine's clock starts at (2026-05-28).
pub const T0: Millis = 1_780_000_000_000;

/// An engine on a fresh in-memory database, its manual clock and its temporary data directory
/// (removed when this is dropped). Derefs to the [`Engine`].
pub struct TestEngine {
    /// The engine.
    pub engine: Engine,
    /// Its clock, to move time forward.
    pub clock: Arc<ManualClock>,
    /// Its data directory (media files go here).
    pub dir: tempfile::TempDir,
}

impl Deref for TestEngine {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

/// A fresh engine with its clock at [`T0`] and no business profile yet.
pub fn test_engine() -> TestEngine {
    test_engine_at(T0)
}

/// A fresh engine with its clock at `now`.
pub fn test_engine_at(now: Millis) -> TestEngine {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let clock = Arc::new(ManualClock::new(now));
    let engine = Engine::in_memory(clock.clone(), dir.path()).expect("an in-memory engine");
    TestEngine { engine, clock, dir }
}

impl TestEngine {
    /// Saves a business profile in `country` (ISO code), which makes it the default region of
    /// numbers typed without a country code.
    pub fn with_business_in(self, country: &str) -> TestEngine {
        self.engine
            .save_profile(ProfileInput {
                details: BusinessDetails {
                    business_name: "Test Shop".into(),
                    country: country.into(),
                    timezone: "America/New_York".into(),
                    ..Default::default()
                },
                ..Default::default()
            })
            .expect("a valid profile");
        self
    }

    /// Attaches a [`ScriptedLink`], connected, and returns it.
    pub fn with_scripted_link(&self) -> Arc<ScriptedLink> {
        let link = Arc::new(ScriptedLink::default());
        link.set_connected(true);
        self.engine.set_link(link.clone());
        link
    }
}

/// A contact as a form would create it: a number and a name.
pub fn new_contact(phone: &str, name: &str) -> NewContact {
    NewContact {
        phone_number: phone.into(),
        name: name.into(),
        ..Default::default()
    }
}

/// Builds an [`InboundMessage`]: a text from a `+<digits>` number on WhatsApp, at [`T0`], unless
/// told otherwise.
#[derive(Debug, Clone)]
pub struct Inbound(InboundMessage);

/// A text message `body` from the WhatsApp user `digits` (`<digits>@c.us`, number `+<digits>`),
/// with WhatsApp id `false_<digits>@c.us_<id>`.
pub fn inbound(id: &str, digits: &str, body: &str) -> Inbound {
    Inbound(InboundMessage {
        wa_message_id: format!("false_{digits}@c.us_{id}"),
        chat_id: format!("{digits}@c.us"),
        phone_number: Some(format!("+{digits}")),
        push_name: None,
        from_me: false,
        kind: "chat".into(),
        body: body.into(),
        caption: None,
        media: None,
        quoted_wa_id: None,
        timestamp: T0,
    })
}

impl Inbound {
    /// Sent at `at`.
    pub fn at(mut self, at: Millis) -> Inbound {
        self.0.timestamp = at;
        self
    }
    /// From someone who calls themselves `name` in WhatsApp.
    pub fn push_name(mut self, name: &str) -> Inbound {
        self.0.push_name = Some(name.into());
        self
    }
    /// Sent from the business's own phone (id `true_...`).
    pub fn from_me(mut self) -> Inbound {
        self.0.from_me = true;
        self.0.wa_message_id = self.0.wa_message_id.replacen("false_", "true_", 1);
        self
    }
    /// With the WhatsApp id `id` exactly.
    pub fn wa_id(mut self, id: &str) -> Inbound {
        self.0.wa_message_id = id.into();
        self
    }
    /// In chat `chat_id` (e.g. a hidden `<n>@lid`), with `phone` as the number, if known.
    pub fn chat(mut self, chat_id: &str, phone: Option<&str>) -> Inbound {
        self.0.chat_id = chat_id.into();
        self.0.phone_number = phone.map(str::to_owned);
        self
    }
    /// A photo with these bytes (JPEG) and an optional caption.
    pub fn image(mut self, bytes: &[u8], caption: Option<&str>) -> Inbound {
        self.0.kind = "image".into();
        self.0.caption = caption.map(str::to_owned);
        self.0.media = Some(MediaFile {
            bytes: bytes.to_vec(),
            mimetype: "image/jpeg".into(),
            filename: None,
        });
        self
    }
    /// The message as the link hands it to the engine.
    pub fn build(self) -> InboundMessage {
        self.0
    }
}

impl From<Inbound> for InboundMessage {
    fn from(b: Inbound) -> InboundMessage {
        b.0
    }
}

/// A WhatsApp link whose other side is a script: it records what is sent, says every number is
/// on WhatsApp except those marked, and finds the messages it sent or was told about.
#[derive(Default)]
pub struct ScriptedLink {
    connected: AtomicBool,
    sent: Mutex<Vec<OutgoingMessage>>,
    not_on_whatsapp: Mutex<Vec<String>>,
    known_ids: Mutex<Vec<String>>,
}

impl ScriptedLink {
    /// Connects or disconnects (shown as "phone offline") the link.
    pub fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::SeqCst);
    }
    /// Everything sent so far, in order.
    pub fn sent(&self) -> Vec<OutgoingMessage> {
        lock(&self.sent).clone()
    }
    /// Makes `check_number` answer that `digits` has no WhatsApp.
    pub fn mark_not_on_whatsapp(&self, digits: &str) {
        lock(&self.not_on_whatsapp).push(digits.into());
    }
    /// Makes `find_message` find `wa_message_id`, as if it had been sent before a crash.
    pub fn mark_known(&self, wa_message_id: &str) {
        lock(&self.known_ids).push(wa_message_id.into());
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Link for ScriptedLink {
    fn status(&self) -> ConnectionStatus {
        let state = if self.connected.load(Ordering::SeqCst) {
            ConnectionState::Connected
        } else {
            ConnectionState::PhoneOffline
        };
        ConnectionStatus::new(state)
    }
    fn connect(&self) -> Result<()> {
        Ok(())
    }
    fn disconnect(&self) -> Result<()> {
        Ok(())
    }
    fn request_pairing_code(&self, _: &str) -> Result<String> {
        Ok("ABCD1234".into())
    }
    fn take_over(&self) -> Result<()> {
        Ok(())
    }
    fn check_number(&self, digits: &str) -> Result<Option<String>> {
        let missing = lock(&self.not_on_whatsapp).iter().any(|d| d == digits);
        Ok((!missing).then(|| format!("{digits}@c.us")))
    }
    fn send(&self, message: &OutgoingMessage) -> Result<i32> {
        lock(&self.sent).push(message.clone());
        self.mark_known(&message.wa_message_id);
        Ok(1)
    }
    fn find_message(&self, id: &str) -> Result<Option<i32>> {
        Ok(lock(&self.known_ids).iter().any(|k| k == id).then_some(1))
    }
    fn mark_read(&self, _: &str) -> Result<()> {
        Ok(())
    }
    fn set_typing(&self, _: &str, _: bool) -> Result<()> {
        Ok(())
    }
}
