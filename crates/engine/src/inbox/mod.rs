//! The inbox: messages in and out. Inbound messages are ingested once each (idempotent on WhatsApp's
//! id); outbound ones are committed with their WhatsApp id chosen before sending, then handed to the
//! link by the outbox worker, so a crash never loses or doubles a message.

use std::path::PathBuf;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::link::{ConnectionState, ConnectionStatus, MediaFile};
use crate::page::{id_cursor, page_limit, Page};
use crate::store::messages::NewMessage;
use crate::{phone, store, Engine};

mod changes;
mod ingest;
mod outbox;
pub use ingest::{HistorySync, IngestOutcome, Origin};
pub(crate) use outbox::OutboxSignal;

/// Largest media file accepted, in or out (WhatsApp's own limit for documents is larger, but a shop
/// app has no business moving more than this through one message).
pub const MAX_MEDIA_BYTES: usize = 64 * 1024 * 1024;
/// Longest text of one message (characters).
pub const MAX_TEXT_CHARS: usize = 65_536;
/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the customer to the business.
    In,
    /// From the business to the customer.
    Out,
}

impl Direction {
    /// The direction as stored and sent on the wire (`in`, `out`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Where a message stands. Outbound: queued → sending → sent → delivered → read (→ played), or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Saved and waiting for the outbox worker.
    Queued,
    /// Handed to WhatsApp, not yet acknowledged.
    Sending,
    /// WhatsApp's server has it (one tick).
    Sent,
    /// On the customer's phone (two ticks).
    Delivered,
    /// Opened by the customer (blue ticks).
    Read,
    /// A voice message the customer listened to.
    Played,
    /// Given up after the last try; `error` says why.
    Failed,
    /// An inbound message.
    Received,
}

impl MessageStatus {
    /// The status as stored and sent on the wire (`queued`, `sent`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Played => "played",
            MessageStatus::Failed => "failed",
            MessageStatus::Received => "received",
        }
    }
    pub(crate) fn parse(text: &str) -> MessageStatus {
        match text {
            "queued" => MessageStatus::Queued,
            "sending" => MessageStatus::Sending,
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "played" => MessageStatus::Played,
            "failed" => MessageStatus::Failed,
            _ => MessageStatus::Received,
        }
    }
    /// The status an outbound message has at a WhatsApp ack value.
    pub fn from_ack(ack: i32) -> MessageStatus {
        match ack {
            i32::MIN..=-1 => MessageStatus::Failed,
            0 => MessageStatus::Sending,
            1 => MessageStatus::Sent,
            2 => MessageStatus::Delivered,
            3 => MessageStatus::Read,
            _ => MessageStatus::Played,
        }
    }
}

/// A stored media file; `path` is relative to the data directory.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// Where the file is, relative to the data directory.
    pub path: String,
    /// Its MIME type, e.g. `image/jpeg`.
    pub mimetype: String,
    /// The file name the sender gave, for documents.
    pub filename: Option<String>,
    /// Its size in bytes.
    pub size: i64,
}

/// One message of a conversation, in or out.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message's row id.
    pub id: i64,
    /// WhatsApp's id for it, unique: an inbound message is stored once however often it arrives.
    pub wa_message_id: String,
    /// The contact the conversation is with.
    pub contact_id: i64,
    /// Whether the customer or the business wrote it.
    pub direction: Direction,
    /// WhatsApp's type: chat, image, video, audio, ptt, document, sticker, location, vcard, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The text (empty for media without a caption).
    pub body: String,
    /// The text under a photo, video or document.
    pub caption: Option<String>,
    /// The attached file, once stored.
    pub media: Option<Media>,
    /// The WhatsApp id of the message this one replies to.
    pub quoted_wa_id: Option<String>,
    /// Where the message stands.
    pub status: MessageStatus,
    /// WhatsApp's raw ack value behind `status` (-1 error, 0 pending … 4 played).
    pub ack: i32,
    /// Why sending failed, for people.
    pub error: Option<String>,
    /// The campaign that sent it, if one did.
    pub campaign_id: Option<i64>,
    /// When WhatsApp says it was sent (RFC 3339).
    pub timestamp: String,
    /// When WhatsFlow stored it (RFC 3339).
    pub created_at: String,
    /// Read from the chats WhatsApp Web had loaded when it linked or reconnected (history
    /// backfill), not received live: it raised no notification and no webhook.
    pub history: bool,
    /// When its sender deleted it for everyone (RFC 3339); the text is kept for the business.
    pub revoked_at: Option<String>,
    /// When its sender last edited it (RFC 3339).
    pub edited_at: Option<String>,
    /// The text (or media caption) as it first arrived, once it has been edited.
    pub original_text: Option<String>,
}

/// A message to send, as the UI and the API submit it.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SendMessage {
    /// The recipient, in any common format; numbers without a country code are read in the business's country.
    pub phone_number: String,
    /// The text, or the caption when there is media.
    pub message: String,
    /// A file to send with it.
    pub media: Option<MediaUpload>,
    /// Instead of `media`: the http(s) address of the file to send, fetched when the message is
    /// queued (at most 64 MB, 30 s; images, video, audio or documents).
    pub media_url: Option<String>,
    /// The WhatsApp id of the message this one replies to.
    pub quoted_wa_id: Option<String>,
}

/// A file sent inline with a message.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MediaUpload {
    /// The file's bytes, base64.
    pub data: String,
    /// Its MIME type, e.g. `application/pdf`.
    pub mimetype: String,
    /// The name the recipient sees for a document.
    pub filename: Option<String>,
}

/// What `send_message` answers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendReceipt {
    /// The new message's row id.
    pub message_id: i64,
    /// The WhatsApp id chosen for it before sending, so a retry never sends it twice.
    pub wa_message_id: String,
    /// Where it stands: queued, for the outbox worker to send.
    pub status: MessageStatus,
    /// When it was queued (RFC 3339).
    pub timestamp: String,
}

/// The WhatsApp message key id in WhatsApp Web's current format: `3EB0` and 18 upper-case hex
/// digits (22 characters). The older 20-character form marks its sender as an unusual client.
pub fn new_key_id() -> String {
    use rand::Rng;
    let random: [u8; 9] = rand::thread_rng().gen();
    let hex: String = random.iter().map(|b| format!("{b:02X}")).collect();
    format!("3EB0{hex}")
}

/// The media kind WhatsApp uses for a MIME type.
pub(crate) fn media_kind(mimetype: &str) -> &'static str {
    match mimetype.split('/').next().unwrap_or("") {
        "image" if mimetype != "image/webp" => "image",
        "image" => "sticker",
        "video" => "video",
        "audio" if mimetype.contains("ogg") => "ptt",
        "audio" => "audio",
        _ => "document",
    }
}

pub(crate) fn extension(mimetype: &str, filename: Option<&str>) -> String {
    if let Some(ext) = filename.and_then(|f| f.rsplit_once('.')).map(|(_, e)| e) {
        if !ext.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()) {
            return ext.to_ascii_lowercase();
        }
    }
    match mimetype {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "audio/ogg" | "audio/ogg; codecs=opus" => "ogg",
        "audio/mpeg" => "mp3",
        "application/pdf" => "pdf",
        _ => "bin",
    }
    .to_owned()
}

impl Engine {
    /// Saves media bytes under `media/` in the data directory, named after the message id so a
    /// repeated event rewrites the same file.
    pub(super) fn save_media(&self, wa_message_id: &str, file: &MediaFile) -> Result<Media> {
        if file.bytes.len() > MAX_MEDIA_BYTES {
            return Err(Error::new(
                ErrorCode::PayloadTooLarge,
                "The file is larger than 64 MB",
            ));
        }
        let safe: String = wa_message_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let relative = PathBuf::from("media").join(format!(
            "{safe}.{}",
            extension(&file.mimetype, file.filename.as_deref())
        ));
        let absolute = self.data_dir().join(&relative);
        if let Some(parent) = absolute.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let partial = absolute.with_extension("part");
        std::fs::write(&partial, &file.bytes)?;
        std::fs::rename(&partial, &absolute)?;
        Ok(Media {
            path: relative.to_string_lossy().replace('\\', "/"),
            mimetype: file.mimetype.clone(),
            filename: file.filename.clone(),
            size: file.bytes.len() as i64,
        })
    }

    /// Moves an outbound message's status to WhatsApp's ack. Acks only move forward (an error can
    /// come at any time before delivery).
    pub fn apply_ack(&self, wa_message_id: &str, ack: i32) -> Result<()> {
        let now = self.now();
        let updated = self.write(|tx| {
            // WhatsApp may file a sent message under another id of the same person (a hidden
            // `@lid` instead of the phone); the key id part is still the one the engine chose.
            let found = match store::messages::get_by_wa_id(tx, wa_message_id)? {
                Some(message) => Some(message),
                None => match split_own_id(wa_message_id) {
                    Some((_, key_id)) => store::messages::get_outbound_by_key_id(tx, &key_id)?,
                    None => None,
                },
            };
            let Some(message) = found else {
                return Ok(None);
            };
            let forward = if ack < 0 {
                message.ack < 2
            } else {
                ack > message.ack
            };
            if message.direction != Direction::Out || !forward {
                return Ok(None);
            }
            let status = MessageStatus::from_ack(ack);
            let error = (ack < 0).then_some("WhatsApp could not deliver the message");
            store::messages::set_status(tx, message.id, status, ack, error, now)?;
            if ack >= 1 {
                store::messages::dequeue(tx, message.id)?;
            }
            let updated = store::messages::get(tx, message.id)?;
            if let Some(message) = &updated {
                tx.emit(Event::MessageUpdated(message.clone()));
            }
            Ok(updated)
        })?;
        if let Some(message) = updated {
            self.after_campaign_message(&message);
        }
        Ok(())
    }

    /// Queues a message for sending and returns at once; the outbox worker hands it to WhatsApp.
    /// When WhatsApp is connected the number is checked first, so a number without WhatsApp fails
    /// here with a clear error and nothing is left pending.
    pub fn send_message(&self, input: SendMessage) -> Result<SendReceipt> {
        let region = self.default_region()?;
        let e164 = match phone::normalize(&input.phone_number, region) {
            Ok(e164) => e164,
            // A number WhatsApp itself gave us is answerable even where libphonenumber's metadata
            // calls it invalid (new ranges, test numbers).
            Err(e) => match self.known_phone(&input.phone_number)? {
                Some(known) => known,
                None => {
                    return Err(Error::invalid_field(
                        "phoneNumber",
                        capitalise(&e.to_string()),
                    ))
                }
            },
        };
        let text = input.message.trim_end().to_owned();
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(Error::invalid_field(
                "message",
                format!("The message must be at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        let media = match (&input.media, &input.media_url) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_field(
                    "mediaUrl",
                    "Give either media or mediaUrl, not both",
                ))
            }
            (Some(upload), None) => Some(decode_upload(upload)?),
            (None, Some(url)) => Some(crate::media_url::fetch(
                self.tls_roots(),
                url,
                MAX_MEDIA_BYTES,
            )?),
            (None, None) => None,
        };
        if text.is_empty() && media.is_none() {
            return Err(Error::invalid_field(
                "message",
                "Write a message or attach a file",
            ));
        }
        // Whether the number has WhatsApp is asked by the outbox worker before it sends (a number
        // without it fails the message there): asking here would hold the caller on WhatsApp Web.
        self.link()?;
        let chat_id = format!("{}@c.us", phone::digits(&e164));
        let key_id = new_key_id();
        let wa_message_id = format!("true_{chat_id}_{key_id}");
        let stored_media = match &media {
            Some(file) => Some(self.save_media(&wa_message_id, file)?),
            None => None,
        };
        let (kind, body, caption) = match &media {
            Some(file) => (
                media_kind(&file.mimetype),
                String::new(),
                Some(text.clone()),
            ),
            None => ("chat", text.clone(), None),
        };
        let now = self.now();
        let message = self.write(|tx| {
            let (contact_id, new_contact) =
                store::contacts::upsert_party(tx, Some(&e164), &chat_id, None, "manual", now)?;
            if new_contact {
                tx.emit(Event::ContactCreated(crate::contacts::contact_on(
                    tx, contact_id,
                )?));
            }
            let row = NewMessage {
                wa_message_id: &wa_message_id,
                contact_id,
                direction: Direction::Out,
                kind,
                body: &body,
                caption: caption.as_deref().filter(|c| !c.is_empty()),
                media: stored_media.as_ref(),
                quoted_wa_id: input.quoted_wa_id.as_deref(),
                status: MessageStatus::Queued,
                ack: 0,
                campaign_id: None,
                wa_timestamp: now,
                history: false,
            };
            let message = queue_outbound(tx, &row, now)?;
            tx.emit(Event::MessageCreated(message.clone()));
            Ok(message)
        })?;
        self.outbox_signal().notify();
        Ok(SendReceipt {
            message_id: message.id,
            wa_message_id: message.wa_message_id,
            status: message.status,
            timestamp: message.timestamp,
        })
    }

    /// The phone as stored on an existing contact, for `+<digits>` text that matches one exactly.
    fn known_phone(&self, text: &str) -> Result<Option<String>> {
        let candidate = format!("+{}", phone::digits(text));
        if !text.trim().starts_with('+') || candidate.len() < 8 {
            return Ok(None);
        }
        let owner = self
            .db()
            .with(|c| store::contacts::find_by_phone(c, &candidate))?;
        Ok(owner.map(|_| candidate))
    }

    /// One message by its row id.
    pub fn message(&self, id: i64) -> Result<Message> {
        self.db()
            .with(|c| store::messages::get(c, id))?
            .ok_or_else(|| Error::not_found("message"))
    }

    /// Messages newest first, optionally matching a search, one page at a time (`cursor` is the
    /// previous page's `next_cursor`).
    pub fn messages(
        &self,
        query: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Message>> {
        let before_id = id_cursor(cursor)?;
        let limit = page_limit(limit);
        // A query with no searchable word in it (only spaces or control characters) is no query.
        let query = query
            .map(str::trim)
            .filter(|q| !crate::search::fts_query(q).is_empty());
        let rows = self
            .db()
            .with(|c| store::messages::list(c, query, before_id, limit + 1))?;
        Ok(Page::from_overfetch(rows, limit, |m| m.id.to_string()))
    }

    /// A contact's conversation, newest first, one page at a time (`cursor` is the previous page's
    /// `next_cursor`).
    pub fn conversation(
        &self,
        contact_id: i64,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Message>> {
        let before_id = id_cursor(cursor)?;
        let limit = page_limit(limit);
        self.contact(contact_id)?;
        let rows = self
            .db()
            .with(|c| store::messages::of_contact(c, contact_id, before_id, limit + 1))?;
        Ok(Page::from_overfetch(rows, limit, |m| m.id.to_string()))
    }

    /// Opening a chat marks it read, here and on the phone (when connected).
    pub fn mark_chat_read(&self, contact_id: i64) -> Result<()> {
        let contact = self.contact(contact_id)?;
        self.write(|tx| {
            if store::contacts::mark_read(tx, contact_id)? {
                tx.emit(Event::ContactUpdated(crate::contacts::contact_on(
                    tx, contact_id,
                )?));
            }
            Ok(())
        })?;
        if let (Some(wa_id), Ok(link)) = (&contact.wa_id, self.link()) {
            if link.status().state == ConnectionState::Connected {
                if let Err(e) = link.mark_read(wa_id) {
                    tracing::warn!(error = %e, "could not mark the chat read on the phone");
                }
            }
        }
        Ok(())
    }

    /// The WhatsApp connection as last reported.
    pub fn connection_status(&self) -> ConnectionStatus {
        match self.link() {
            Ok(link) => link.status(),
            Err(_) => ConnectionStatus::new(ConnectionState::Disconnected),
        }
    }

    /// Called by the link whenever the connection changes: stored, announced, and the outbox woken
    /// once WhatsApp is connected.
    pub fn set_connection_status(&self, status: ConnectionStatus) -> Result<()> {
        let now = self.now();
        let connected = status.state == ConnectionState::Connected;
        self.write(|tx| {
            store::connection::save(tx, &status, now)?;
            tx.emit(Event::ConnectionChanged(status));
            Ok(())
        })?;
        if connected {
            self.outbox_signal().notify();
        }
        Ok(())
    }
}

/// Commits an outbound message with its outbox row (in the caller's transaction), counted on its
/// contact: every send, from the inbox, the API or a campaign, goes here.
pub(crate) fn queue_outbound(
    tx: &rusqlite::Connection,
    row: &NewMessage,
    now: crate::Millis,
) -> Result<Message> {
    let id = store::messages::insert(tx, row, now)?
        .ok_or_else(|| Error::internal("message id collision; try again"))?;
    store::messages::enqueue(tx, id, now)?;
    store::contacts::count_messages(
        tx,
        row.contact_id,
        &store::contacts::MessageTally::one(false, false, now),
        now,
    )?;
    store::messages::get(tx, id)?.ok_or_else(|| Error::internal("message vanished"))
}

/// `true_<chat>_<key>` → (chat, key).
pub(super) fn split_own_id(wa_message_id: &str) -> Option<(String, String)> {
    let rest = wa_message_id.strip_prefix("true_")?;
    let (chat, key) = rest.rsplit_once('_')?;
    Some((chat.to_owned(), key.to_owned()))
}

pub(super) fn not_on_whatsapp(number: &str) -> Error {
    let shown = if number.starts_with('+') {
        number.to_owned()
    } else {
        format!("+{number}")
    };
    Error::new(
        ErrorCode::NotOnWhatsapp,
        format!("{shown} is not on WhatsApp"),
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn decode_upload(upload: &MediaUpload) -> Result<MediaFile> {
    if upload.data.len() > MAX_MEDIA_BYTES / 3 * 4 + 4 {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            "The file is larger than 64 MB",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(upload.data.trim())
        .map_err(|_| Error::invalid_field("media.data", "The file must be base64-encoded"))?;
    if bytes.is_empty() {
        return Err(Error::invalid_field("media.data", "The file is empty"));
    }
    let mimetype = upload.mimetype.trim();
    if !mimetype.contains('/') {
        return Err(Error::invalid_field(
            "media.mimetype",
            "Give the file's MIME type, e.g. image/jpeg",
        ));
    }
    Ok(MediaFile {
        bytes,
        mimetype: mimetype.to_owned(),
        filename: upload.filename.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_ids_split_into_chat_and_key() {
        assert_eq!(
            split_own_id("true_15551234567@c.us_3EB0AB"),
            Some(("15551234567@c.us".into(), "3EB0AB".into()))
        );
        assert_eq!(split_own_id("false_1@c.us_X"), None);
    }

    #[test]
    fn key_ids_look_like_whatsapps() {
        let id = new_key_id();
        assert_eq!(id.len(), 22);
        assert!(id.starts_with("3EB0"));
        assert!(id
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)));
    }

    #[test]
    fn acks_map_to_statuses() {
        assert_eq!(MessageStatus::from_ack(-1), MessageStatus::Failed);
        assert_eq!(MessageStatus::from_ack(1), MessageStatus::Sent);
        assert_eq!(MessageStatus::from_ack(3), MessageStatus::Read);
        assert_eq!(MessageStatus::from_ack(4), MessageStatus::Played);
    }
}
