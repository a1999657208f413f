//! The simulator's server side: WhatsApp's servers and the business's phone, as one state machine.
//!
//! Everything here is plain data changed under one lock by the HTTP handlers and the timer thread;
//! nothing blocks or sleeps. The page learns what happens through an ordered list of events it
//! long-polls (`/sim/poll`), and tells the server what it does through `/sim/...` requests.
//! Time is passed in (`now: Instant`) so the timers can be tested without sleeping; message
//! timestamps come from [`wall_clock_ms`], because WhatsApp's own timestamps are wall-clock time.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How many QR references a page shows before giving up and going `UNPAIRED_IDLE`.
pub(crate) const QR_REFS_BEFORE_IDLE: u32 = 6;
/// A page that has not polled for this long is taken for closed (or its browser killed).
pub(crate) const PAGE_GONE_AFTER: Duration = Duration::from_secs(6);
/// The window `banAfterPerMinute` counts sends in.
const BAN_WINDOW: Duration = Duration::from_secs(60);
/// Defaults of `/control/scan`.
pub(crate) const DEFAULT_PHONE: &str = "+15550000001";
pub(crate) const DEFAULT_PUSH_NAME: &str = "Demo Shop";

/// Milliseconds since the Unix epoch, for message timestamps.
#[allow(clippy::disallowed_methods)] // The Clock rule is the engine's; the simulator plays WhatsApp's servers, which stamp messages with wall-clock time.
pub(crate) fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}

/// A failed request: the HTTP status, a stable code and a sentence for the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Fail {
    pub fn bad_request(message: impl Into<String>) -> Fail {
        Fail {
            status: 400,
            code: "bad_request",
            message: message.into(),
        }
    }
    pub fn conflict(message: impl Into<String>) -> Fail {
        Fail {
            status: 409,
            code: "wrong_state",
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Fail {
        Fail {
            status: 404,
            code: "not_found",
            message: message.into(),
        }
    }
}

/// What `/control/config` can change.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Config {
    /// Delay before each automatic ack step after the previous one (server, device, read);
    /// `None` stops automatic progress at that step.
    pub ack_delays_ms: [Option<u64>; 3],
    /// Numbers (`+E164`) that `queryWidExists` says are not on WhatsApp.
    #[serde(rename = "notOnWhatsApp")]
    pub not_on_whatsapp: BTreeSet<String>,
    /// More sends than this within a minute bans the number; `None` never bans.
    pub ban_after_per_minute: Option<u32>,
    /// Module names `window.require` pretends not to know, as after a WhatsApp Web update.
    pub missing_modules: Vec<String>,
    pub qr_rotate_ms: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            ack_delays_ms: [Some(100), Some(300), Some(800)],
            not_on_whatsapp: BTreeSet::new(),
            ban_after_per_minute: None,
            missing_modules: Vec::new(),
            qr_rotate_ms: 20_000,
        }
    }
}

/// A partial config change; `None` leaves a setting as it is.
#[derive(Debug, Default)]
pub(crate) struct ConfigChange {
    pub ack_delays_ms: Option<[Option<u64>; 3]>,
    pub not_on_whatsapp: Option<BTreeSet<String>>,
    pub ban_after_per_minute: Option<Option<u32>>,
    pub missing_modules: Option<Vec<String>>,
    pub qr_rotate_ms: Option<u64>,
}

/// A linked device as the page stores it in IndexedDB and presents it when it loads.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identity {
    pub device_id: String,
    /// The business's number, digits only.
    pub phone: String,
    pub push_name: String,
    /// The business's own hidden linked id, digits only.
    pub lid: String,
    /// The companion device number (the `:N` in `15550000001:N@c.us`).
    pub device: u32,
}

/// The public halves of the keys a page puts in its QR code.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageKeys {
    pub noise_pub: String,
    pub identity_pub: String,
    pub adv_secret: String,
    pub platform: String,
}

/// `/sim/hello`: a page has loaded.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Hello {
    pub keys: PageKeys,
    pub identity: Option<Identity>,
}

/// `/sim/send`: the page sends a message it has added to its `Msg` collection.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Outgoing {
    pub page: String,
    pub id: String,
    pub to: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub mimetype: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub direct_path: Option<String>,
    #[serde(default)]
    pub media_key: Option<String>,
    #[serde(default)]
    pub t: Option<i64>,
    #[serde(default)]
    pub quoted_id: Option<String>,
}

/// The connection state the server has told the current page to show (`Socket.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Opening,
    Unpaired,
    UnpairedIdle,
    Pairing,
    Connected,
    Timeout,
    Conflict,
    TosBlock,
    /// The device was revoked; the page is clearing its storage and navigating away.
    LoggingOut,
}

impl Phase {
    pub fn socket_state(self) -> &'static str {
        match self {
            Phase::Opening => "OPENING",
            Phase::Unpaired => "UNPAIRED",
            Phase::UnpairedIdle => "UNPAIRED_IDLE",
            Phase::Pairing => "PAIRING",
            Phase::Connected => "CONNECTED",
            Phase::Timeout => "TIMEOUT",
            Phase::Conflict => "CONFLICT",
            Phase::TosBlock => "TOS_BLOCK",
            Phase::LoggingOut => "LOGGING_OUT",
        }
    }
}

/// The one browser page currently talking to the simulator.
#[derive(Debug)]
pub(crate) struct Page {
    pub id: String,
    pub keys: PageKeys,
    pub phase: Phase,
    pub has_identity: bool,
    /// Events not yet acknowledged by a poll, oldest first, with their sequence numbers.
    pub events: VecDeque<(u64, Value)>,
    pub qr_ref: Option<String>,
    pub qr_count: u32,
    pub alt_linking: Option<PendingCode>,
    /// The page has finished the offline-delivery progress of the current connection.
    pub synced: bool,
    pub history_sent: bool,
    pub reported_state: Option<String>,
    pub reported_synced: bool,
    pub polls_in_flight: u32,
    pub last_contact: Instant,
}

#[derive(Clone, Debug)]
pub(crate) struct PendingCode {
    pub code: String,
    pub phone: String,
}

/// A message in the account's history, inbound or outbound. Serialised, it is what the page
/// turns into a `Msg` model.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    pub id: String,
    pub key_id: String,
    pub from_me: bool,
    pub remote: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    pub t: i64,
    pub ack: i8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mimetype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_key_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lng: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcard_formatted_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted_id: Option<String>,
    pub is_forwarded: bool,
    /// For `@lid` senders whose number the server knows: `<digits>@c.us`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lid_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_edit_t: Option<i64>,
    #[serde(skip)]
    pub at_ms: i64,
    /// Inbound: the page confirmed it added the message. Outbound: always true.
    #[serde(skip)]
    pub delivered: bool,
    #[serde(skip)]
    pub error: Option<String>,
    /// Bumped to cancel the automatic ack timer (a manual ack takes over).
    #[serde(skip)]
    pub ack_generation: u64,
    /// The next automatic ack waits for the phone to be online again.
    #[serde(skip)]
    pub ack_paused: bool,
}

/// One delivery of an inbound message to the page; the same message may be delivered again
/// (a redelivery after a crash, or a deliberate duplicate from `/control/inbound {id}`).
#[derive(Clone, Debug)]
struct Delivery {
    id: String,
    sent_to: Option<String>,
    decrypt_delay_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Media {
    pub bytes: Vec<u8>,
    pub mimetype: String,
    pub media_key: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Typing {
    pub chat_id: String,
    pub state: String,
    pub t: i64,
    pub at_ms: i64,
}

#[derive(Debug, Default)]
struct Activity {
    seen: Vec<String>,
    typing: Vec<Typing>,
}

#[derive(Debug)]
struct Account {
    linked: Option<Identity>,
    revoked: HashSet<String>,
    online: bool,
    conflict: bool,
    banned: bool,
}

impl Default for Account {
    fn default() -> Account {
        Account {
            linked: None,
            revoked: HashSet::new(),
            online: true,
            conflict: false,
            banned: false,
        }
    }
}

#[derive(Clone, Debug)]
enum TimerKind {
    QrRotate { generation: u64 },
    Ack { id: String, generation: u64 },
}

#[derive(Clone, Debug)]
struct Timer {
    due: Instant,
    kind: TimerKind,
}

/// A new inbound message, validated by the control layer.
#[derive(Debug)]
pub(crate) struct NewInbound {
    pub message: Message,
    pub media: Option<Media>,
    pub lid_phone: Option<(String, String)>,
    pub decrypt_delay_ms: Option<u64>,
}

/// The whole simulated world.
#[derive(Debug, Default)]
pub(crate) struct Sim {
    pub config: Config,
    pub page: Option<Page>,
    account: Account,
    messages: Vec<Message>,
    index: HashMap<String, usize>,
    queue: Vec<Delivery>,
    media: HashMap<String, Media>,
    /// `@lid` user → phone digits, as learnt from `/control/inbound {lidPhone}`.
    lid_phones: HashMap<String, String>,
    activity: Activity,
    timers: Vec<Timer>,
    send_times: VecDeque<Instant>,
    event_seq: u64,
    qr_generation: u64,
    /// Pages replaced by a newer one: told to stop rather than reload, so two tabs don't fight.
    replaced_pages: HashSet<String>,
}

fn random_hex(count: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..count)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect::<String>()
        .to_uppercase()
}

fn random_digits(count: usize) -> String {
    let mut rng = rand::thread_rng();
    let first = char::from_digit(rng.gen_range(1..10), 10).unwrap_or('1');
    std::iter::once(first)
        .chain((1..count).map(|_| char::from_digit(rng.gen_range(0..10), 10).unwrap_or('0')))
        .collect()
}

fn random_b64(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Pairing codes use the alphabet WhatsApp shows: no 0, O, I or U to misread.
const CODE_ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTVWXYZ";

fn random_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A media location in the style of WhatsApp's CDN paths.
pub(crate) fn new_direct_path() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "/v/t62.7118-24/{}_{}_n.enc?ccb=11-4&oh=01_{}&oe={}&_nc_sid=5e03e0",
        rng.gen_range(10_000_000..99_999_999u32),
        rng.gen_range(100_000_000..999_999_999u32),
        random_hex(40),
        random_hex(8)
    )
}

/// A media key: 32 random bytes in base64, as WhatsApp's.
pub(crate) fn new_media_key() -> String {
    random_b64(32)
}

/// An id in the style of the phone apps' message ids.
pub(crate) fn new_inbound_key_id() -> String {
    format!("3A{}", random_hex(18))
}

pub(crate) fn is_media_type(kind: &str) -> bool {
    matches!(
        kind,
        "image" | "video" | "audio" | "ptt" | "document" | "sticker"
    )
}

/// The phone digits of a `<digits>@c.us` wid.
fn phone_of_wid(wid: &str) -> Option<&str> {
    wid.strip_suffix("@c.us")
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

fn wid_user_is_digits(wid: &str, server: &str) -> bool {
    wid.strip_suffix(server)
        .is_some_and(|user| !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit()))
}

impl Sim {
    pub fn new() -> Sim {
        Sim::default()
    }

    // ----- events to the page -------------------------------------------------------------

    fn push(&mut self, event: Value) {
        if let Some(page) = self.page.as_mut() {
            self.event_seq += 1;
            page.events.push_back((self.event_seq, event));
        }
    }

    fn set_phase(&mut self, phase: Phase) {
        let Some(page) = self.page.as_mut() else {
            return;
        };
        if page.phase == phase {
            return;
        }
        page.phase = phase;
        if phase != Phase::Connected {
            page.synced = false;
        }
        if phase != Phase::LoggingOut {
            self.push(json!({"kind": "state", "state": phase.socket_state()}));
        }
    }

    fn phase(&self) -> Option<Phase> {
        self.page.as_ref().map(|page| page.phase)
    }

    fn page_is_connected(&self) -> bool {
        self.phase() == Some(Phase::Connected)
    }

    /// The page's session is linked (so it can hear about its messages), whatever its state.
    fn page_is_linked(&self) -> bool {
        self.page.as_ref().is_some_and(|page| page.has_identity)
    }

    /// Takes the events after `after` (the last sequence number the page has seen), dropping the
    /// ones it has acknowledged. `None` means the page is not the current one any more.
    pub fn take_events(&mut self, page_id: &str, after: u64) -> Option<Vec<Value>> {
        let page = self.page.as_mut().filter(|page| page.id == page_id)?;
        while page.events.front().is_some_and(|(seq, _)| *seq <= after) {
            page.events.pop_front();
        }
        Some(
            page.events
                .iter()
                .map(|(seq, event)| {
                    let mut event = event.clone();
                    event["seq"] = json!(seq);
                    event
                })
                .collect(),
        )
    }

    /// Why a page id is not the current page: `replaced` by a newer page, or `unknown` (the
    /// simulator restarted or dropped it), in which case the page reloads.
    pub fn gone_reason(&self, page_id: &str) -> &'static str {
        if self.replaced_pages.contains(page_id) {
            "replaced"
        } else {
            "unknown"
        }
    }

    pub fn poll_started(&mut self, page_id: &str, now: Instant) -> bool {
        match self.page.as_mut().filter(|page| page.id == page_id) {
            Some(page) => {
                page.polls_in_flight += 1;
                page.last_contact = now;
                true
            }
            None => false,
        }
    }

    pub fn poll_finished(&mut self, page_id: &str, now: Instant) {
        if let Some(page) = self.page.as_mut().filter(|page| page.id == page_id) {
            page.polls_in_flight = page.polls_in_flight.saturating_sub(1);
            page.last_contact = now;
        }
    }

    fn current_page(&mut self, page_id: &str) -> Result<&mut Page, Fail> {
        self.page
            .as_mut()
            .filter(|page| page.id == page_id)
            .ok_or_else(|| Fail {
                status: 410,
                code: "page_gone",
                message: "this page is no longer the simulator's current page; reload it".into(),
            })
    }

    /// Checks that a request comes from the current page.
    pub fn page_matches(&mut self, page_id: &str) -> Result<(), Fail> {
        self.current_page(page_id).map(|_| ())
    }

    // ----- page lifecycle -----------------------------------------------------------------

    /// A page has loaded: it replaces any previous page, and either resumes its stored session
    /// or starts showing QR codes.
    pub fn hello(&mut self, hello: Hello, now: Instant) -> Value {
        if let Some(old) = self.page.take() {
            self.release_deliveries(&old.id);
            self.replaced_pages.insert(old.id);
        }
        let id = random_hex(16);
        self.page = Some(Page {
            id: id.clone(),
            keys: hello.keys,
            phase: Phase::Opening,
            has_identity: false,
            events: VecDeque::new(),
            qr_ref: None,
            qr_count: 0,
            alt_linking: None,
            synced: false,
            history_sent: false,
            reported_state: None,
            reported_synced: false,
            polls_in_flight: 0,
            last_contact: now,
        });
        // A freshly opened page is the one holding the session: any "opened elsewhere" is over.
        self.account.conflict = false;
        match hello.identity {
            Some(identity) if self.account.revoked.contains(&identity.device_id) => {
                self.set_phase(Phase::LoggingOut);
                self.push(json!({"kind": "logout", "reason": "device_revoked"}));
            }
            Some(identity) => {
                // An identity the server does not know is accepted too: the demo app restarts its
                // in-process simulator while the browser profile keeps the session.
                self.account.linked = Some(identity);
                if let Some(page) = self.page.as_mut() {
                    page.has_identity = true;
                }
                self.go_connected();
            }
            None => {
                // This browser has no session: whatever device was linked is not this page.
                self.account.linked = None;
                self.start_qr(now);
            }
        }
        json!({"page": id, "missingModules": self.config.missing_modules})
    }

    /// The page said goodbye (unload) or stopped polling.
    pub fn page_left(&mut self, page_id: &str) {
        if self.page.as_ref().is_some_and(|page| page.id == page_id) {
            self.page = None;
            self.release_deliveries(page_id);
        }
    }

    fn release_deliveries(&mut self, page_id: &str) {
        for delivery in &mut self.queue {
            if delivery.sent_to.as_deref() == Some(page_id) {
                delivery.sent_to = None;
            }
        }
    }

    /// Drops a page that stopped polling (closed tab, killed browser). Returns whether it did.
    pub fn reap(&mut self, now: Instant) -> bool {
        let gone = self.page.as_ref().is_some_and(|page| {
            page.polls_in_flight == 0 && now.duration_since(page.last_contact) > PAGE_GONE_AFTER
        });
        if gone {
            if let Some(id) = self.page.as_ref().map(|page| page.id.clone()) {
                tracing::debug!(page = %id, "wa-sim page stopped polling");
                self.page_left(&id);
            }
        }
        gone
    }

    pub fn report(&mut self, page_id: &str, state: String, has_synced: bool) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        page.reported_state = Some(state);
        page.reported_synced = has_synced;
        Ok(())
    }

    /// The account's link is up from the server's side: show whichever state the world allows.
    fn go_connected(&mut self) {
        if self.page.is_none() {
            return;
        }
        if self.account.banned {
            self.set_phase(Phase::TosBlock);
        } else if self.account.conflict {
            self.set_phase(Phase::Conflict);
        } else if !self.account.online {
            self.set_phase(Phase::Timeout);
        } else {
            self.set_phase(Phase::Connected);
            let history_sent = self.page.as_ref().is_some_and(|page| page.history_sent);
            if history_sent {
                // The page missed acks while it was cut off.
                let acks: Vec<Value> = self
                    .messages
                    .iter()
                    .filter(|message| message.from_me)
                    .map(|message| json!({"kind": "ack", "id": message.id, "ack": message.ack}))
                    .collect();
                for ack in acks {
                    self.push(ack);
                }
            } else {
                let history: Vec<&Message> = self
                    .messages
                    .iter()
                    .filter(|message| message.from_me || message.delivered)
                    .collect();
                let event = json!({"kind": "history", "messages": history});
                self.push(event);
                if let Some(page) = self.page.as_mut() {
                    page.history_sent = true;
                }
            }
            self.push(json!({"kind": "sync"}));
        }
    }

    /// The page finished showing the offline-delivery progress: queued messages may flow.
    pub fn synced(&mut self, page_id: &str) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        if page.phase == Phase::Connected {
            page.synced = true;
        }
        self.flush_inbound();
        Ok(())
    }

    fn flush_inbound(&mut self) {
        let Some(page) = self.page.as_ref() else {
            return;
        };
        if !(page.synced && page.phase == Phase::Connected) {
            return;
        }
        let page_id = page.id.clone();
        // Messages that arrived before any device was linked are addressed now.
        let me = self.me().map(|me| format!("{}@c.us", me.phone));
        let mut events = Vec::new();
        for delivery in &mut self.queue {
            if delivery.sent_to.is_some() {
                continue;
            }
            if let Some(&index) = self.index.get(&delivery.id) {
                delivery.sent_to = Some(page_id.clone());
                if let (true, Some(me)) = (self.messages[index].to.is_empty(), &me) {
                    self.messages[index].to = me.clone();
                }
                events.push(json!({
                    "kind": "inbound",
                    "message": self.messages[index],
                    "decryptDelayMs": delivery.decrypt_delay_ms,
                }));
            }
        }
        for event in events {
            self.push(event);
        }
    }

    /// The page added these inbound messages to its `Msg` collection.
    pub fn delivered(&mut self, page_id: &str, ids: &[String]) -> Result<(), Fail> {
        self.current_page(page_id)?;
        for id in ids {
            let position = self
                .queue
                .iter()
                .position(|d| &d.id == id && d.sent_to.as_deref() == Some(page_id));
            if let Some(position) = position {
                self.queue.remove(position);
            }
            if let Some(&index) = self.index.get(id) {
                self.messages[index].delivered = true;
            }
        }
        Ok(())
    }

    // ----- QR and pairing -----------------------------------------------------------------

    fn start_qr(&mut self, now: Instant) {
        self.qr_generation += 1;
        let generation = self.qr_generation;
        let Some(page) = self.page.as_mut() else {
            return;
        };
        let qr_ref = format!("2@{}", random_b64(48));
        page.qr_ref = Some(qr_ref.clone());
        page.qr_count = 1;
        self.push(json!({"kind": "ref", "ref": qr_ref}));
        self.set_phase(Phase::Unpaired);
        self.schedule_qr(generation, now);
    }

    fn schedule_qr(&mut self, generation: u64, now: Instant) {
        self.timers.push(Timer {
            due: now + Duration::from_millis(self.config.qr_rotate_ms),
            kind: TimerKind::QrRotate { generation },
        });
    }

    fn rotate_qr(&mut self, generation: u64, now: Instant) {
        if generation != self.qr_generation || self.phase() != Some(Phase::Unpaired) {
            return;
        }
        let Some(page) = self.page.as_mut() else {
            return;
        };
        if page.qr_count >= QR_REFS_BEFORE_IDLE {
            self.set_phase(Phase::UnpairedIdle);
            return;
        }
        let qr_ref = format!("2@{}", random_b64(48));
        page.qr_ref = Some(qr_ref.clone());
        page.qr_count += 1;
        self.push(json!({"kind": "ref", "ref": qr_ref}));
        self.schedule_qr(generation, now);
    }

    /// `Cmd.refreshQR()`: a page gone idle asks for codes again.
    pub fn refresh_qr(&mut self, page_id: &str, now: Instant) -> Result<(), Fail> {
        let phase = self.current_page(page_id)?.phase;
        if matches!(phase, Phase::Unpaired | Phase::UnpairedIdle) {
            self.start_qr(now);
        }
        Ok(())
    }

    /// The string the page's QR code encodes, while it shows one.
    pub fn qr(&self) -> Option<String> {
        let page = self.page.as_ref()?;
        if page.phase != Phase::Unpaired {
            return None;
        }
        let keys = &page.keys;
        Some(format!(
            "{},{},{},{},{}",
            page.qr_ref.as_deref()?,
            keys.noise_pub,
            keys.identity_pub,
            keys.adv_secret,
            keys.platform
        ))
    }

    /// `startAltLinkingFlow(phone)`: a code the user types on the phone with that number.
    pub fn pairing_code(
        &mut self,
        page_id: &str,
        phone_digits: &str,
        now: Instant,
    ) -> Result<String, Fail> {
        if !(7..=15).contains(&phone_digits.len())
            || !phone_digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Fail::bad_request(format!(
                "a pairing code needs the phone number as 7 to 15 digits, got {phone_digits:?}"
            )));
        }
        let phase = self.current_page(page_id)?.phase;
        if !matches!(phase, Phase::Unpaired | Phase::UnpairedIdle) {
            return Err(Fail::conflict(format!(
                "a pairing code is only available while unpaired; the page is {}",
                phase.socket_state()
            )));
        }
        if phase == Phase::UnpairedIdle {
            self.start_qr(now);
        }
        let code = random_code();
        let page = self.current_page(page_id)?;
        page.alt_linking = Some(PendingCode {
            code: code.clone(),
            phone: phone_digits.to_string(),
        });
        // The code screen replaces the QR: give the user the full idle delay to type it.
        page.qr_count = 1;
        Ok(code)
    }

    /// `/control/pairing {code}`: the phone entered a code.
    pub fn enter_code(&mut self, code: &str) -> Result<Value, Fail> {
        let typed: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        let pending = self
            .page
            .as_ref()
            .filter(|page| matches!(page.phase, Phase::Unpaired | Phase::UnpairedIdle))
            .and_then(|page| page.alt_linking.clone());
        match pending {
            Some(pending) if pending.code == typed => {
                self.link(&pending.phone, DEFAULT_PUSH_NAME);
                Ok(json!({"ok": true, "phoneNumber": format!("+{}", pending.phone)}))
            }
            Some(_) => Err(Fail::bad_request(format!(
                "the code {code:?} does not match the one the page shows"
            ))),
            None => Err(Fail::conflict(
                "no page is waiting for a pairing code (call startAltLinkingFlow first)",
            )),
        }
    }

    /// `/control/scan`: the phone scans the QR code on screen.
    pub fn scan(&mut self, phone_digits: &str, push_name: &str) -> Result<(), Fail> {
        match self.phase() {
            Some(Phase::Unpaired) => {
                self.link(phone_digits, push_name);
                Ok(())
            }
            Some(phase) => Err(Fail::conflict(format!(
                "no QR code to scan: the page is {}",
                phase.socket_state()
            ))),
            None => Err(Fail::conflict(
                "no QR code to scan: no page is open on the simulator",
            )),
        }
    }

    fn link(&mut self, phone_digits: &str, push_name: &str) {
        let identity = Identity {
            device_id: random_hex(24),
            phone: phone_digits.to_string(),
            push_name: push_name.to_string(),
            lid: random_digits(15),
            device: rand::thread_rng().gen_range(2..40),
        };
        self.account.linked = Some(identity.clone());
        self.qr_generation += 1; // stops the QR rotation
        if let Some(page) = self.page.as_mut() {
            page.alt_linking = None;
            page.qr_ref = None;
            page.has_identity = true;
        }
        self.set_phase(Phase::Pairing);
        self.push(json!({"kind": "linked", "identity": identity}));
        self.go_connected();
    }

    // ----- the phone and the network ---------------------------------------------------------

    pub fn go_offline(&mut self) {
        self.account.online = false;
        if self.page_is_connected() {
            self.set_phase(Phase::Timeout);
        }
    }

    pub fn go_online(&mut self, now: Instant) {
        self.account.online = true;
        self.resume_acks(now);
        if self.phase() == Some(Phase::Timeout) {
            self.go_connected();
        }
    }

    pub fn open_conflict(&mut self) -> Result<(), Fail> {
        if self.account.linked.is_none() {
            return Err(Fail::conflict(
                "no device is linked, so no other browser can take its session",
            ));
        }
        self.account.conflict = true;
        if matches!(
            self.phase(),
            Some(Phase::Connected | Phase::Timeout | Phase::Opening)
        ) {
            self.set_phase(Phase::Conflict);
        }
        Ok(())
    }

    /// `Socket.takeover()`.
    pub fn takeover(&mut self, page_id: &str, now: Instant) -> Result<(), Fail> {
        if self.current_page(page_id)?.phase == Phase::Conflict {
            self.account.conflict = false;
            self.set_phase(Phase::Opening);
            self.go_connected();
            self.resume_acks(now);
        }
        Ok(())
    }

    /// `Socket.reconnect()`.
    pub fn reconnect(&mut self, page_id: &str) -> Result<(), Fail> {
        if matches!(
            self.current_page(page_id)?.phase,
            Phase::Timeout | Phase::Opening
        ) {
            self.set_phase(Phase::Opening);
            self.go_connected();
        }
        Ok(())
    }

    pub fn ban(&mut self) {
        self.account.banned = true;
        if matches!(
            self.phase(),
            Some(
                Phase::Connected
                    | Phase::Timeout
                    | Phase::Conflict
                    | Phase::Opening
                    | Phase::Pairing
            )
        ) && self.page_is_linked()
        {
            self.set_phase(Phase::TosBlock);
        }
    }

    /// The phone removes the linked device (or the page logs itself out). Returns whether a device
    /// was linked.
    pub fn logout(&mut self) -> bool {
        let Some(identity) = self.account.linked.take() else {
            return false;
        };
        self.account.revoked.insert(identity.device_id);
        self.account.conflict = false;
        if self.page_is_linked() {
            if let Some(page) = self.page.as_mut() {
                page.has_identity = false;
            }
            let page_id = self.page.as_ref().map(|page| page.id.clone());
            if let Some(page_id) = page_id {
                self.release_deliveries(&page_id);
            }
            self.set_phase(Phase::LoggingOut);
            self.push(json!({"kind": "logout", "reason": "device_removed"}));
        }
        true
    }

    pub fn page_logout(&mut self, page_id: &str) -> Result<(), Fail> {
        self.current_page(page_id)?;
        self.logout();
        Ok(())
    }

    /// Back to a fresh simulator: default config, no history, not banned, nothing linked.
    pub fn reset(&mut self, now: Instant) {
        self.logout();
        let revoked = std::mem::take(&mut self.account.revoked);
        self.account = Account {
            revoked,
            ..Account::default()
        };
        self.config = Config::default();
        self.messages.clear();
        self.index.clear();
        self.queue.clear();
        self.media.clear();
        self.lid_phones.clear();
        self.activity = Activity::default();
        self.timers.clear();
        self.send_times.clear();
        let missing = json!({"kind": "config", "missingModules": []});
        self.push(missing);
        if self.page.is_some() && self.phase() != Some(Phase::LoggingOut) {
            self.start_qr(now);
        }
    }

    pub fn configure(&mut self, change: ConfigChange, now: Instant) {
        if let Some(delays) = change.ack_delays_ms {
            self.config.ack_delays_ms = delays;
        }
        if let Some(numbers) = change.not_on_whatsapp {
            self.config.not_on_whatsapp = numbers;
        }
        if let Some(limit) = change.ban_after_per_minute {
            self.config.ban_after_per_minute = limit;
        }
        if let Some(modules) = change.missing_modules {
            self.config.missing_modules = modules;
            let event = json!({"kind": "config", "missingModules": self.config.missing_modules});
            self.push(event);
        }
        if let Some(rotate) = change.qr_rotate_ms {
            self.config.qr_rotate_ms = rotate;
            if self.phase() == Some(Phase::Unpaired) {
                // Restart the countdown with the new period, keeping the number of codes shown.
                self.qr_generation += 1;
                self.schedule_qr(self.qr_generation, now);
            }
        }
    }

    // ----- messages ---------------------------------------------------------------------------

    fn me(&self) -> Option<&Identity> {
        self.account.linked.as_ref()
    }

    fn store(&mut self, message: Message) -> usize {
        match self.index.get(&message.id) {
            Some(&index) => index,
            None => {
                let index = self.messages.len();
                self.index.insert(message.id.clone(), index);
                self.messages.push(message);
                index
            }
        }
    }

    /// `/control/inbound`: someone writes to the business. Returns the message's serialised id.
    pub fn inbound(&mut self, inbound: NewInbound) -> String {
        let NewInbound {
            mut message,
            media,
            lid_phone,
            decrypt_delay_ms,
        } = inbound;
        if let Some((lid_user, phone)) = lid_phone {
            self.lid_phones.insert(lid_user, phone);
        }
        if let Some(lid_user) = message.from.strip_suffix("@lid") {
            message.lid_phone = self
                .lid_phones
                .get(lid_user)
                .map(|phone| format!("{phone}@c.us"));
        }
        if let (Some(media), Some(path)) = (media, message.direct_path.clone()) {
            self.media.insert(path, media);
        }
        if let Some(me) = self.me() {
            if message.to.is_empty() {
                message.to = format!("{}@c.us", me.phone);
            }
        }
        let id = message.id.clone();
        // Redelivering an id keeps the first record: the same message, delivered again.
        self.store(message);
        self.queue.push(Delivery {
            id: id.clone(),
            sent_to: None,
            decrypt_delay_ms,
        });
        self.flush_inbound();
        id
    }

    /// `/sim/send`: the page sends a message. Returns `{result, ack}` for the page.
    pub fn send(&mut self, outgoing: Outgoing, now: Instant) -> Result<Value, Fail> {
        self.current_page(&outgoing.page)?;
        let Some(me) = self.me().cloned().filter(|_| self.page_is_linked()) else {
            return Err(Fail::conflict("cannot send: this page is not logged in"));
        };
        let to = outgoing.to.as_str();
        let valid_chat = wid_user_is_digits(to, "@c.us")
            || wid_user_is_digits(to, "@lid")
            || to.ends_with("@g.us");
        if !valid_chat {
            return Err(Fail::bad_request(format!(
                "cannot send to {to:?}: not a user or group chat id"
            )));
        }
        let prefix = format!("true_{to}_");
        let key_id = outgoing
            .id
            .strip_prefix(&prefix)
            .filter(|key| !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or_else(|| {
                Fail::bad_request(format!(
                    "message id {:?} is not an outgoing id for {to} (expected {prefix}<ID>)",
                    outgoing.id
                ))
            })?
            .to_string();
        if let Some(&index) = self.index.get(&outgoing.id) {
            // The same id sent again is the same message: WhatsApp deduplicates by id.
            let existing = &self.messages[index];
            return Ok(json!({"result": "OK", "ack": existing.ack, "duplicate": true}));
        }
        let at_ms = wall_clock_ms();
        let mut message = Message {
            id: outgoing.id.clone(),
            key_id,
            from_me: true,
            remote: to.to_string(),
            participant: None,
            from: format!("{}@c.us", me.phone),
            to: to.to_string(),
            author: None,
            kind: outgoing.kind.clone(),
            body: outgoing.body.clone().unwrap_or_default(),
            caption: outgoing.caption.clone(),
            t: outgoing.t.unwrap_or(at_ms / 1000),
            ack: 0,
            notify_name: None,
            mimetype: outgoing.mimetype.clone(),
            filename: outgoing.filename.clone(),
            size: outgoing.size,
            direct_path: outgoing.direct_path.clone(),
            media_key: outgoing.media_key.clone(),
            media_key_timestamp: None,
            lat: None,
            lng: None,
            loc: None,
            vcard_formatted_name: None,
            quoted_id: outgoing.quoted_id.clone(),
            is_forwarded: false,
            lid_phone: None,
            latest_edit_t: None,
            at_ms,
            delivered: true,
            error: None,
            ack_generation: 0,
            ack_paused: false,
        };
        if is_media_type(&message.kind) {
            match message
                .direct_path
                .as_deref()
                .and_then(|p| self.media.get(p))
            {
                Some(media) => {
                    if message.size.is_none() {
                        message.size = Some(media.bytes.len() as u64);
                    }
                    if message.mimetype.is_none() {
                        message.mimetype = Some(media.mimetype.clone());
                    }
                }
                None => {
                    message.error = Some(format!(
                        "a {} message needs uploaded media (directPath from uploadMedia)",
                        message.kind
                    ));
                }
            }
        } else if message.kind == "chat" && message.body.is_empty() {
            message.error = Some("a chat message needs a body".into());
        }

        if message.error.is_none() {
            if self.account.banned {
                message.error = Some("the number is banned (TOS_BLOCK)".into());
            } else if let Some(limit) = self.config.ban_after_per_minute {
                while self
                    .send_times
                    .front()
                    .is_some_and(|sent| now.duration_since(*sent) >= BAN_WINDOW)
                {
                    self.send_times.pop_front();
                }
                if self.send_times.len() >= limit as usize {
                    message.error = Some(format!(
                        "more than {limit} messages within a minute: the number is banned"
                    ));
                    self.ban();
                }
            }
        }
        let failed = message.error.is_some();
        if failed {
            tracing::debug!(id = %message.id, error = ?message.error, "wa-sim send failed");
            message.ack = -1;
        } else {
            self.send_times.push_back(now);
        }
        let ack = message.ack;
        let index = self.store(message);
        if !failed {
            self.schedule_ack(index, now);
        }
        Ok(json!({"result": if failed { "ERROR" } else { "OK" }, "ack": ack}))
    }

    fn schedule_ack(&mut self, index: usize, now: Instant) {
        let message = &self.messages[index];
        if !message.from_me || message.ack < 0 || message.ack >= 3 {
            return;
        }
        // A number not on WhatsApp gets the server's tick and never a delivery.
        if message.ack >= 1 && !self.exists(&message.to) {
            return;
        }
        let Some(delay) = self.config.ack_delays_ms[message.ack as usize] else {
            return;
        };
        self.timers.push(Timer {
            due: now + Duration::from_millis(delay),
            kind: TimerKind::Ack {
                id: message.id.clone(),
                generation: message.ack_generation,
            },
        });
    }

    fn advance_ack(&mut self, id: &str, generation: u64, now: Instant) {
        let Some(&index) = self.index.get(id) else {
            return;
        };
        let cut_off = !self.account.online || self.account.conflict;
        let message = &mut self.messages[index];
        if message.ack_generation != generation {
            return;
        }
        if cut_off {
            message.ack_paused = true;
            return;
        }
        message.ack += 1;
        let event = json!({"kind": "ack", "id": message.id, "ack": message.ack});
        if self.page_is_connected() {
            self.push(event);
        }
        self.schedule_ack(index, now);
    }

    fn resume_acks(&mut self, now: Instant) {
        if !self.account.online || self.account.conflict {
            return;
        }
        let paused: Vec<usize> = (0..self.messages.len())
            .filter(|&index| self.messages[index].ack_paused)
            .collect();
        for index in paused {
            self.messages[index].ack_paused = false;
            self.schedule_ack(index, now);
        }
    }

    /// `/control/ack {id, ack}`: moves a sent message's ack by hand; automatic progress stops.
    pub fn set_ack(&mut self, id: &str, ack: i8) -> Result<(), Fail> {
        let index = *self
            .index
            .get(id)
            .ok_or_else(|| Fail::not_found(format!("no message with id {id:?}")))?;
        let message = &mut self.messages[index];
        if !message.from_me {
            return Err(Fail::bad_request(format!(
                "{id} is an inbound message; acks belong to messages the page sent"
            )));
        }
        message.ack = ack;
        message.ack_generation += 1;
        message.ack_paused = false;
        let event = json!({"kind": "ack", "id": id, "ack": ack});
        if self.page_is_connected() {
            self.push(event);
        }
        Ok(())
    }

    /// `/control/revoke {id}`: the sender deletes a message for everyone.
    pub fn revoke(&mut self, id: &str) -> Result<(), Fail> {
        let index = self.inbound_index(id)?;
        let message = &mut self.messages[index];
        message.kind = "revoked".into();
        message.body = String::new();
        message.caption = None;
        let event = json!({"kind": "revoke", "id": id});
        if self.page_is_linked() {
            self.push(event);
        }
        Ok(())
    }

    /// `/control/edit {id, body}`: the sender edits a message.
    pub fn edit(&mut self, id: &str, body: &str) -> Result<(), Fail> {
        let index = self.inbound_index(id)?;
        let message = &mut self.messages[index];
        let t = wall_clock_ms() / 1000;
        let field = if message.kind == "chat" {
            message.body = body.to_string();
            "body"
        } else {
            message.caption = Some(body.to_string());
            "caption"
        };
        message.latest_edit_t = Some(t);
        let event = json!({"kind": "edit", "id": id, "field": field, "value": body, "t": t});
        if self.page_is_linked() {
            self.push(event);
        }
        Ok(())
    }

    fn inbound_index(&self, id: &str) -> Result<usize, Fail> {
        let index = *self
            .index
            .get(id)
            .ok_or_else(|| Fail::not_found(format!("no message with id {id:?}")))?;
        if self.messages[index].from_me {
            return Err(Fail::bad_request(format!(
                "{id} was sent by the page; only inbound messages can be changed by their sender"
            )));
        }
        Ok(index)
    }

    /// `queryWidExists`: users are on WhatsApp unless configured otherwise.
    pub fn exists(&self, wid: &str) -> bool {
        if let Some(digits) = phone_of_wid(wid) {
            return !self.config.not_on_whatsapp.contains(&format!("+{digits}"));
        }
        wid_user_is_digits(wid, "@lid")
    }

    pub fn record_seen(&mut self, chat_id: String) {
        self.activity.seen.push(chat_id);
    }

    pub fn record_chat_state(&mut self, chat_id: String, state: String) {
        let at_ms = wall_clock_ms();
        self.activity.typing.push(Typing {
            chat_id,
            state,
            t: at_ms / 1000,
            at_ms,
        });
    }

    /// Keeps bytes the page uploads (`uploadMedia`) and hands back where they live.
    pub fn upload(&mut self, bytes: Vec<u8>, mimetype: String) -> Value {
        let direct_path = new_direct_path();
        let media_key = new_media_key();
        let size = bytes.len();
        self.media.insert(
            direct_path.clone(),
            Media {
                bytes,
                mimetype,
                media_key: media_key.clone(),
            },
        );
        json!({
            "directPath": direct_path,
            "mediaKey": media_key,
            "mediaKeyTimestamp": wall_clock_ms() / 1000,
            "encFilehash": random_b64(32),
            "uploadHash": random_b64(32),
            "mmsUrl": format!("https://mmg.whatsapp.net{direct_path}"),
            "size": size,
        })
    }

    /// Media bytes for the page (which must present the message's media key) or for tests.
    pub fn media(&self, direct_path: &str, media_key: Option<&str>) -> Result<&Media, Fail> {
        let media = self
            .media
            .get(direct_path)
            .ok_or_else(|| Fail::not_found(format!("no media at {direct_path:?}")))?;
        if media_key.is_some_and(|key| key != media.media_key) {
            return Err(Fail {
                status: 403,
                code: "bad_media_key",
                message: "the media key does not match this media".into(),
            });
        }
        Ok(media)
    }

    // ----- timers ----------------------------------------------------------------------------

    /// Runs the timers due at `now`. Returns whether any ran.
    pub fn tick(&mut self, now: Instant) -> bool {
        let (due, pending): (Vec<Timer>, Vec<Timer>) = std::mem::take(&mut self.timers)
            .into_iter()
            .partition(|t| t.due <= now);
        self.timers = pending;
        let fired = !due.is_empty();
        for timer in due {
            match timer.kind {
                TimerKind::QrRotate { generation } => self.rotate_qr(generation, now),
                TimerKind::Ack { id, generation } => self.advance_ack(&id, generation, now),
            }
        }
        fired
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.timers.iter().map(|timer| timer.due).min()
    }

    // ----- views for the control API -----------------------------------------------------------

    pub fn state_view(&self) -> Value {
        let page = self.page.as_ref();
        let linked = self.me();
        json!({
            // The state the server has put the page in: the page applies it within moments, and
            // reading it here does not race the page's own report.
            "state": page.map(|page| page.phase.socket_state()),
            "pageState": page.and_then(|page| page.reported_state.clone()),
            "qr": self.qr(),
            "paired": linked.is_some(),
            "phoneNumber": linked.map(|me| format!("+{}", me.phone)),
            "pushName": linked.map(|me| me.push_name.clone()),
            "hasSynced": page.is_some_and(|page| page.reported_synced),
            "pageConnected": page.is_some(),
            "online": self.account.online,
            "conflict": self.account.conflict,
            "banned": self.account.banned,
            "pendingInbound": self.queue.len(),
        })
    }

    pub fn outbound_view(&self) -> Value {
        let list: Vec<Value> = self
            .messages
            .iter()
            .filter(|message| message.from_me)
            .map(|message| {
                let mut view = json!({
                    "id": message.id,
                    "to": message.to,
                    "type": message.kind,
                    "body": message.body,
                    "t": message.t,
                    "atMs": message.at_ms,
                    "ack": message.ack,
                });
                let extra = [
                    ("caption", message.caption.clone().map(Value::from)),
                    ("mimetype", message.mimetype.clone().map(Value::from)),
                    ("filename", message.filename.clone().map(Value::from)),
                    ("size", message.size.map(Value::from)),
                    ("directPath", message.direct_path.clone().map(Value::from)),
                    ("quotedId", message.quoted_id.clone().map(Value::from)),
                    ("error", message.error.clone().map(Value::from)),
                    (
                        "phoneNumber",
                        phone_of_wid(&message.to).map(|d| Value::from(format!("+{d}"))),
                    ),
                ];
                for (name, value) in extra {
                    if let Some(value) = value {
                        view[name] = value;
                    }
                }
                view
            })
            .collect();
        Value::Array(list)
    }

    pub fn inbound_view(&self) -> Value {
        let list: Vec<Value> = self
            .messages
            .iter()
            .filter(|message| !message.from_me)
            .map(|message| {
                json!({
                    "id": message.id,
                    "from": message.from,
                    "type": message.kind,
                    "body": message.body,
                    "caption": message.caption,
                    "t": message.t,
                    "delivered": message.delivered,
                    "pendingDeliveries": self.queue.iter().filter(|d| d.id == message.id).count(),
                    "directPath": message.direct_path,
                })
            })
            .collect();
        Value::Array(list)
    }

    pub fn activity_view(&self) -> Value {
        json!({"seen": self.activity.seen, "typing": self.activity.typing})
    }

    pub fn config_view(&self) -> Value {
        serde_json::to_value(&self.config).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> PageKeys {
        PageKeys {
            noise_pub: "Tm9pc2U=".into(),
            identity_pub: "SWRlbnQ=".into(),
            adv_secret: "QWR2".into(),
            platform: "WEB".into(),
        }
    }

    fn kinds(sim: &mut Sim, page: &str) -> Vec<String> {
        sim.take_events(page, 0)
            .unwrap()
            .iter()
            .map(|event| match event["kind"].as_str().unwrap() {
                "state" => format!("state:{}", event["state"].as_str().unwrap()),
                kind => kind.to_string(),
            })
            .collect()
    }

    fn open_page(sim: &mut Sim, identity: Option<Identity>, now: Instant) -> String {
        let reply = sim.hello(
            Hello {
                keys: keys(),
                identity,
            },
            now,
        );
        reply["page"].as_str().unwrap().to_string()
    }

    fn linked_page(sim: &mut Sim, now: Instant) -> String {
        let page = open_page(sim, None, now);
        sim.scan("15550000001", "Shop").unwrap();
        sim.synced(&page).unwrap();
        sim.take_events(&page, u64::MAX);
        page
    }

    fn send(sim: &mut Sim, page: &str, key: &str, now: Instant) -> Value {
        sim.send(
            Outgoing {
                page: page.into(),
                id: format!("true_15551234567@c.us_{key}"),
                to: "15551234567@c.us".into(),
                kind: "chat".into(),
                body: Some("hi".into()),
                caption: None,
                mimetype: None,
                filename: None,
                size: None,
                direct_path: None,
                media_key: None,
                t: None,
                quoted_id: None,
            },
            now,
        )
        .unwrap()
    }

    fn ack_of(sim: &Sim, id: &str) -> i64 {
        let list = sim.outbound_view();
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()["ack"]
            .as_i64()
            .unwrap()
    }

    #[test]
    fn qr_rotates_then_goes_idle_and_refresh_restarts_it() {
        let mut sim = Sim::new();
        let start = Instant::now();
        let page = open_page(&mut sim, None, start);
        let first = sim.qr().expect("a new page without a session shows a QR");
        assert_eq!(first.split(',').count(), 5, "the QR string has five parts");
        assert!(first.ends_with(",Tm9pc2U=,SWRlbnQ=,QWR2,WEB"));

        let period = Duration::from_millis(sim.config.qr_rotate_ms);
        let mut now = start;
        for shown in 2..=QR_REFS_BEFORE_IDLE {
            now += period;
            sim.tick(now);
            assert_eq!(
                sim.phase(),
                Some(Phase::Unpaired),
                "code {shown} still shown"
            );
        }
        assert_ne!(sim.qr(), Some(first), "the reference rotates");
        now += period;
        sim.tick(now);
        assert_eq!(sim.phase(), Some(Phase::UnpairedIdle));
        assert_eq!(sim.qr(), None, "an idle page shows no QR");

        sim.refresh_qr(&page, now).unwrap();
        assert_eq!(sim.phase(), Some(Phase::Unpaired));
        assert!(sim.qr().is_some());
    }

    #[test]
    fn scanning_links_and_the_page_receives_identity_history_and_sync() {
        let mut sim = Sim::new();
        let now = Instant::now();
        let page = open_page(&mut sim, None, now);
        sim.scan("15550000001", "Shop").unwrap();
        let events = kinds(&mut sim, &page);
        assert_eq!(
            events,
            [
                "ref",
                "state:UNPAIRED",
                "state:PAIRING",
                "linked",
                "state:CONNECTED",
                "history",
                "sync"
            ]
        );
        assert_eq!(sim.state_view()["phoneNumber"], "+15550000001");
        assert!(
            sim.scan("15550000001", "Shop").is_err(),
            "no QR left to scan"
        );
    }

    #[test]
    fn inbound_waits_for_a_synced_page_and_is_redelivered_until_confirmed() {
        let mut sim = Sim::new();
        let now = Instant::now();
        let message = crate::control::tests::inbound_message("+15551234567", "hello");
        let id = sim.inbound(message);
        assert_eq!(sim.state_view()["pendingInbound"], 1);

        let page = open_page(&mut sim, None, now);
        sim.scan("15550000001", "Shop").unwrap();
        let before_sync = sim.take_events(&page, 0).unwrap();
        assert!(
            !before_sync.iter().any(|e| e["kind"] == "inbound"),
            "nothing is delivered before the page has synced"
        );
        sim.synced(&page).unwrap();
        let events = sim.take_events(&page, 0).unwrap();
        assert!(
            events
                .iter()
                .any(|e| e["kind"] == "inbound" && e["message"]["id"] == id),
            "the queued message is delivered once the page has synced: {events:?}"
        );
        // The browser dies before confirming: the next page gets it again.
        sim.page_left(&page);
        let identity = sim.account.linked.clone();
        let page = open_page(&mut sim, identity, now);
        sim.synced(&page).unwrap();
        let events = sim.take_events(&page, 0).unwrap();
        assert!(events.iter().any(|e| e["kind"] == "inbound"));
        sim.delivered(&page, std::slice::from_ref(&id)).unwrap();
        assert_eq!(sim.state_view()["pendingInbound"], 0);
    }

    #[test]
    fn revoked_device_is_logged_out_and_unknown_device_is_accepted() {
        let mut sim = Sim::new();
        let now = Instant::now();
        let page = linked_page(&mut sim, now);
        let identity = sim.account.linked.clone().unwrap();
        assert!(sim.logout());
        assert!(kinds(&mut sim, &page).contains(&"logout".to_string()));

        let page = open_page(&mut sim, Some(identity.clone()), now);
        assert_eq!(
            kinds(&mut sim, &page),
            ["logout"],
            "a revoked session cannot resume"
        );

        let stranger = Identity {
            device_id: "OTHER".into(),
            ..identity
        };
        let page = open_page(&mut sim, Some(stranger), now);
        assert_eq!(
            kinds(&mut sim, &page),
            ["state:CONNECTED", "history", "sync"],
            "a session the server never saw (simulator restarted) resumes"
        );
    }

    #[test]
    fn acks_advance_by_the_configured_delays_and_pause_while_offline() {
        let mut sim = Sim::new();
        let start = Instant::now();
        let page = linked_page(&mut sim, start);
        send(&mut sim, &page, "AAAA", start);
        let id = "true_15551234567@c.us_AAAA";
        assert_eq!(ack_of(&sim, id), 0);
        sim.tick(start + Duration::from_millis(100));
        assert_eq!(ack_of(&sim, id), 1);

        sim.go_offline();
        sim.tick(start + Duration::from_millis(10_000));
        assert_eq!(
            ack_of(&sim, id),
            1,
            "no receipts reach a phone that is offline"
        );
        let later = start + Duration::from_millis(20_000);
        sim.go_online(later);
        sim.tick(later + Duration::from_millis(300));
        assert_eq!(ack_of(&sim, id), 2);
        sim.tick(later + Duration::from_millis(1_100));
        assert_eq!(ack_of(&sim, id), 3);
    }

    #[test]
    fn null_delay_stops_and_manual_ack_takes_over() {
        let mut sim = Sim::new();
        let now = Instant::now();
        sim.configure(
            ConfigChange {
                ack_delays_ms: Some([Some(0), None, Some(0)]),
                ..ConfigChange::default()
            },
            now,
        );
        let page = linked_page(&mut sim, now);
        send(&mut sim, &page, "BBBB", now);
        let id = "true_15551234567@c.us_BBBB";
        sim.tick(now + Duration::from_secs(60));
        assert_eq!(ack_of(&sim, id), 1, "null at the device step stops there");
        sim.set_ack(id, 3).unwrap();
        assert_eq!(ack_of(&sim, id), 3);
    }

    #[test]
    fn sending_too_fast_bans_the_number() {
        let mut sim = Sim::new();
        let now = Instant::now();
        sim.configure(
            ConfigChange {
                ban_after_per_minute: Some(Some(2)),
                ..ConfigChange::default()
            },
            now,
        );
        let page = linked_page(&mut sim, now);
        assert_eq!(send(&mut sim, &page, "A1", now)["result"], "OK");
        assert_eq!(send(&mut sim, &page, "A2", now)["result"], "OK");
        let third = send(&mut sim, &page, "A3", now);
        assert_eq!(third["ack"], -1, "the third send within a minute fails");
        assert_eq!(sim.phase(), Some(Phase::TosBlock));
        let later = now + Duration::from_secs(120);
        assert_eq!(send(&mut sim, &page, "A4", later)["ack"], -1, "a ban lasts");
    }

    #[test]
    fn the_same_outgoing_id_is_one_message() {
        let mut sim = Sim::new();
        let now = Instant::now();
        let page = linked_page(&mut sim, now);
        send(&mut sim, &page, "CCCC", now);
        let again = send(&mut sim, &page, "CCCC", now);
        assert_eq!(again["duplicate"], true);
        assert_eq!(sim.outbound_view().as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_page_that_stops_polling_is_dropped() {
        let mut sim = Sim::new();
        let now = Instant::now();
        let page = open_page(&mut sim, None, now);
        assert!(sim.poll_started(&page, now));
        assert!(
            !sim.reap(now + PAGE_GONE_AFTER * 2),
            "a page in a poll is alive"
        );
        sim.poll_finished(&page, now);
        assert!(sim.reap(now + PAGE_GONE_AFTER * 2));
        assert_eq!(sim.state_view()["pageConnected"], false);
    }
}
