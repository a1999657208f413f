//! The simulator's server side: WhatsApp's servers and the business's phone, as one state machine.
//!
//! Everything here is plain data changed under one lock by the HTTP handlers and the timer thread;
//! nothing blocks or sleeps. The page learns what happens through an ordered list of events it
//! long-polls (`/sim/poll`), and tells the server what it does through `/sim/...` requests.
//! Time is passed in (`now: Instant`) so the timers can be tested without sleeping; message
//! timestamps come from [`wall_clock_ms`], because WhatsApp's own timestamps are wall-clock time.
//! This file holds the state and the event queue; `pages` the page's side of the protocol,
//! `pairing` the QR and pairing code, `phone` what the phone and the network do, `messages` both
//! directions with their acks and media, `views` what the control API shows.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod history;
mod ids;
mod messages;
mod pages;
mod pairing;
mod phone;
#[cfg(test)]
mod tests;
mod views;

pub(crate) use history::Preload;
pub(crate) use ids::{
    is_media_type, new_direct_path, new_inbound_key_id, new_media_key, wid_user_is_digits,
};
use ids::{phone_of_wid, random_b64, random_code, random_digits, random_hex};

/// How many QR references a page shows before giving up and going `UNPAIRED_IDLE`.
pub(crate) const QR_REFS_BEFORE_IDLE: u32 = 6;
/// A page that has not polled for this long is taken for closed (or its browser killed).
pub(crate) const PAGE_GONE_AFTER: Duration = Duration::from_secs(6);
/// Most inbound messages in one delivery to the page: messages queued while the phone was offline
/// come in batches when it is back, as on the real site.
pub(crate) const INBOUND_BATCH: usize = 500;
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
    /// Modules that register only after the sync: name → milliseconds after it.
    pub late_modules: BTreeMap<String, u64>,
}

/// Modules the real site loads lazily; by default they register right after the sync, so a
/// script that requires them before it finds nothing.
const LATE_BY_DEFAULT: &[&str] = &[
    "WAWebQueryExistsJob",
    "WAWebFindChatAction",
    "WAWebSendMsgChatAction",
    "WAWebMsgReply",
    "WAWebGetEphemeralFieldsMsgActionsUtils",
    "WAWebUpdateUnreadChatAction",
    "WAWebStreamModel",
    "WAWebChatStateBridge",
    "WAWebMediaOpaqueData",
    "WAWebPrepRawMedia",
    "WAWebMediaStorage",
    "WAWebMmsMediaTypes",
    "WAWebMediaMmsV4Upload",
    "WAWebDownloadManager",
];

impl Default for Config {
    fn default() -> Config {
        Config {
            ack_delays_ms: [Some(100), Some(300), Some(800)],
            not_on_whatsapp: BTreeSet::new(),
            ban_after_per_minute: None,
            missing_modules: Vec::new(),
            qr_rotate_ms: 20_000,
            late_modules: LATE_BY_DEFAULT
                .iter()
                .map(|name| (name.to_string(), 0))
                .collect(),
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
    /// Entries to change: a delay after the sync, or `None` to register at boot.
    pub late_modules: Option<BTreeMap<String, Option<u64>>>,
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
    /// The sender's own id: its phone-number id, or in `@lid` chats its hidden linked id.
    #[serde(default)]
    pub from: Option<String>,
    /// From `getEphemeralFields(chat)`, in a disappearing-message chat.
    #[serde(default)]
    pub ephemeral_duration: Option<u32>,
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
    /// The loaded web client is outdated: the page must reload.
    DeprecatedVersion,
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
            Phase::DeprecatedVersion => "DEPRECATED_VERSION",
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
#[derive(Clone, Debug, Default, Serialize)]
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
    /// Chats with disappearing messages: chat id → timer in seconds.
    disappearing: BTreeMap<String, u32>,
    activity: Activity,
    timers: Vec<Timer>,
    send_times: VecDeque<Instant>,
    event_seq: u64,
    qr_generation: u64,
    /// Pages replaced by a newer one: told to stop rather than reload, so two tabs don't fight.
    replaced_pages: HashSet<String>,
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
}
