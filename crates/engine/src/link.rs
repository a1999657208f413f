//! The seam between the engine and WhatsApp: the `Link` trait the WhatsApp Web driver implements, and
//! the connection status it reports.

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Where the WhatsApp connection stands, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionState {
    /// Not started, or stopped by the user.
    Disconnected,
    /// Chromium and WhatsApp Web are starting.
    Starting,
    /// Waiting for the phone to scan the QR code.
    Qr,
    /// Waiting for the phone to enter the pairing code.
    PairingCode,
    /// Linked; catching up on messages.
    Syncing,
    /// Linked and up to date: messages flow both ways.
    Connected,
    /// The phone is unreachable; WhatsApp recovers by itself.
    PhoneOffline,
    /// WhatsApp Web was opened elsewhere; "use here" takes it back.
    Conflict,
    /// The number was unlinked (from the phone or here); linking again shows a new QR code.
    LoggedOut,
    /// The number is blocked by WhatsApp: sending stopped.
    Banned,
    /// Chromium could not be started or keeps dying.
    BrowserCrashed,
    /// WhatsApp Web no longer has something the app relies on (a module was renamed).
    WhatsappChanged,
}

/// The connection as reported to the UI and `/api/v1/whatsapp/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    /// Where the link is.
    pub state: ConnectionState,
    /// The linked number in E.164, once known.
    pub phone_number: Option<String>,
    /// The name the linked account shows in WhatsApp.
    pub push_name: Option<String>,
    /// `window.Debug.VERSION` of the running WhatsApp Web.
    pub wa_version: Option<String>,
    /// When the current state began (RFC 3339).
    pub since: Option<String>,
    /// A sentence for people: why, what to do.
    pub detail: Option<String>,
    /// The QR string to render while `state` is `qr`.
    pub qr: Option<String>,
    /// The pairing code while `state` is `pairing-code`.
    pub pairing_code: Option<String>,
    /// Sync progress in percent while `state` is `syncing`.
    pub sync_percent: Option<u8>,
    /// Where the session key is kept: `secret-service`, `kernel-keyring`, or `file` (a weaker
    /// fallback the UI warns about).
    pub key_location: Option<String>,
}

impl ConnectionStatus {
    /// A status in `state` with nothing else known.
    pub fn new(state: ConnectionState) -> ConnectionStatus {
        ConnectionStatus {
            state,
            phone_number: None,
            push_name: None,
            wa_version: None,
            since: None,
            detail: None,
            qr: None,
            pairing_code: None,
            sync_percent: None,
            key_location: None,
        }
    }
}

/// What the engine needs from WhatsApp. Implementations may block (they are called from blocking
/// threads) and must be safe to call from several threads at once.
pub trait Link: Send + Sync {
    /// The current connection status.
    fn status(&self) -> ConnectionStatus;
    /// Starts (or restarts) the connection; progress arrives as status events.
    fn connect(&self) -> Result<()>;
    /// Logs the number out and forgets the saved session.
    fn disconnect(&self) -> Result<()>;
    /// Asks for a pairing code for linking by phone number (digits, international, no `+`).
    fn request_pairing_code(&self, phone_digits: &str) -> Result<String>;
    /// Takes the session back after a conflict ("use here").
    fn take_over(&self) -> Result<()>;
    /// Asks WhatsApp whether a number has an account; `Ok(None)` means it does not. Digits only,
    /// international, no `+`. Returns the chat id to send to (`<digits>@c.us`).
    fn check_number(&self, phone_digits: &str) -> Result<Option<String>>;
    /// Hands one message to WhatsApp under the id the engine chose and stored beforehand. Returns the
    /// ack WhatsApp reports once it has the message (0 pending, 1 server, ...).
    fn send(&self, message: &OutgoingMessage) -> Result<i32>;
    /// Looks a message up by its serialized id: its ack if WhatsApp has it, `None` if it never got there.
    /// Used after a crash, before any retry, so nothing is sent twice.
    fn find_message(&self, wa_message_id: &str) -> Result<Option<i32>>;
    /// Marks a chat as read on the phone.
    fn mark_read(&self, chat_id: &str) -> Result<()>;
    /// Shows (or stops showing) "typing…" in a chat.
    fn set_typing(&self, chat_id: &str, typing: bool) -> Result<()>;
}

/// A message changed after it arrived, as WhatsApp reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageChange {
    /// Its sender deleted it for everyone.
    Revoked {
        /// The serialized id of the message.
        wa_message_id: String,
    },
    /// Its sender edited it: the new text of its body (or, for media, its caption).
    Edited {
        /// The serialized id of the message.
        wa_message_id: String,
        /// The text after the edit.
        text: String,
    },
}

impl MessageChange {
    /// The serialized id of the message changed.
    pub fn wa_message_id(&self) -> &str {
        match self {
            MessageChange::Revoked { wa_message_id }
            | MessageChange::Edited { wa_message_id, .. } => wa_message_id,
        }
    }
}

/// A message on its way out, with the id chosen before sending.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    /// The id part of the message key (e.g. `3EB0C5A1F2D4E6B8A9C0D1`), chosen by the engine.
    pub key_id: String,
    /// The full serialized id, `true_<chat>_<key_id>`.
    pub wa_message_id: String,
    /// The chat to send to (`<digits>@c.us` or `<n>@lid`).
    pub chat_id: String,
    /// The text (or the caption of a media message).
    pub body: String,
    /// The file sent, if any.
    pub media: Option<MediaFile>,
    /// The serialized id of the message this one replies to.
    pub quoted_wa_id: Option<String>,
}

/// A media file travelling with a message.
#[derive(Clone, PartialEq)]
pub struct MediaFile {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type (`image/jpeg`).
    pub mimetype: String,
    /// Its file name, for documents.
    pub filename: Option<String>,
}

impl std::fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFile")
            .field("bytes", &self.bytes.len())
            .field("mimetype", &self.mimetype)
            .field("filename", &self.filename)
            .finish()
    }
}

/// A message WhatsApp Web reported (received, or sent from the phone itself).
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The serialized id (`false_15551234567@c.us_ABC…`); unique, so a repeated event is ignored.
    pub wa_message_id: String,
    /// The other party's chat id: `<digits>@c.us` or `<n>@lid`.
    pub chat_id: String,
    /// The other party's phone in E.164 when WhatsApp knows it (always for `@c.us`, sometimes for `@lid`).
    pub phone_number: Option<String>,
    /// The sender's push name (`notifyName`).
    pub push_name: Option<String>,
    /// True for a message the business sent from its phone rather than through the app.
    pub from_me: bool,
    /// WhatsApp's type: chat, image, video, audio, ptt, document, sticker, location, vcard, ...
    pub kind: String,
    /// The text; empty for media without text.
    pub body: String,
    /// The caption of a photo, video or document.
    pub caption: Option<String>,
    /// The downloaded file of a media message.
    pub media: Option<MediaFile>,
    /// The serialized id of the message this one replies to.
    pub quoted_wa_id: Option<String>,
    /// When it was sent, per WhatsApp (`t`, converted to milliseconds).
    pub timestamp: crate::clock::Millis,
}
