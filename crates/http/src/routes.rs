//! REST v1: the route table. Each handler converts the request and calls one engine method.

use schemars::JsonSchema;
use serde::Serialize;
use whatsflow_engine::connection::{PairingCode, PairingRequest};
use whatsflow_engine::contacts::Contact;
use whatsflow_engine::inbox::{Message, SendMessage, SendReceipt, MAX_MEDIA_BYTES};
use whatsflow_engine::lock::{LockStatus, Passcode, RemovePasscode, SetPasscode};
use whatsflow_engine::meta::{self, Region};
use whatsflow_engine::profile::{Profile, ProfileInput};
use whatsflow_engine::settings::Preferences;
use whatsflow_engine::{AppState, ConnectionStatus, Error, ErrorCode};

use crate::api::{data, page, raw, Access, Api, Method, NoBody, Page, QueryParam, Raw};

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

const LIST: &[QueryParam] = &[
    QueryParam { name: "limit", description: "Page size, 1 to 500 (default 50)" },
    QueryParam { name: "cursor", description: "The nextCursor of the previous page" },
];
const MESSAGE_LIST: &[QueryParam] = &[
    QueryParam { name: "contactId", description: "Only this contact's messages" },
    QueryParam { name: "q", description: "Full-text search in message text and captions" },
    QueryParam { name: "limit", description: "Page size, 1 to 500 (default 50)" },
    QueryParam { name: "cursor", description: "The nextCursor of the previous page" },
];
const QR: &[QueryParam] =
    &[QueryParam { name: "format", description: "svg (default) or raw (the QR string as JSON)" }];

/// Every route of REST v1.
pub fn api() -> Api {
    use Access::*;
    use Method::*;
    Api::new(vec![
        // --- app ---
        data(Get, "/api/v1/health", "app", Public, "Is the server up", |_, _: NoBody| {
            Ok(Health { status: "ok", version: whatsflow_engine::VERSION })
        }),
        data(Get, "/api/v1/app/state", "app", WhileLocked, "What the UI needs first: onboarding, lock, demo", |c, _: NoBody| -> Result<AppState, Error> {
            c.engine.app_state()
        }),
        raw(Get, "/api/v1/openapi.json", "app", Public, "This document", "application/json", |_, _| {
            Ok(Raw { content_type: "application/json".into(), body: crate::openapi::document(&api()).to_string().into_bytes() })
        }),
        data(Get, "/api/v1/meta/regions", "app", Read, "Countries a business can be in", |_, _: NoBody| {
            Ok::<Vec<Region>, Error>(meta::regions())
        }),
        data(Get, "/api/v1/meta/timezones", "app", Read, "IANA time zone names", |_, _: NoBody| {
            Ok::<Vec<String>, Error>(meta::timezones())
        }),
        // --- profile and settings ---
        data(Get, "/api/v1/profile", "profile", Read, "The business profile", |c, _: NoBody| -> Result<Profile, Error> {
            c.engine.profile()?.ok_or_else(|| Error::not_found("business profile"))
        }),
        data(Put, "/api/v1/profile", "profile", Admin, "Create or update the business profile", |c, input: ProfileInput| {
            c.engine.save_profile(input)
        }),
        data(Get, "/api/v1/settings", "profile", Read, "User preferences", |c, _: NoBody| -> Result<Preferences, Error> {
            c.engine.preferences()
        }),
        data(Put, "/api/v1/settings", "profile", Admin, "Save user preferences", |c, input: Preferences| {
            c.engine.save_preferences(input)
        }),
        // --- app lock ---
        data(Get, "/api/v1/lock", "lock", WhileLocked, "Is a passcode set, is the app locked", |c, _: NoBody| {
            Ok::<LockStatus, Error>(c.engine.lock_status())
        }),
        data(Post, "/api/v1/lock/unlock", "lock", WhileLocked, "Unlock with the passcode", |c, input: Passcode| {
            c.engine.unlock(input)
        }),
        data(Put, "/api/v1/lock", "lock", Admin, "Set or change the passcode", |c, input: SetPasscode| {
            c.engine.set_passcode(input)
        }),
        data(Post, "/api/v1/lock/remove", "lock", Admin, "Remove the passcode", |c, input: RemovePasscode| {
            c.engine.remove_passcode(input)
        }),
        data(Post, "/api/v1/lock/lock", "lock", Admin, "Lock the app now", |c, _: NoBody| c.engine.lock_now()),
        // --- WhatsApp ---
        data(Get, "/api/v1/whatsapp/status", "whatsapp", Read, "The WhatsApp connection", |c, _: NoBody| {
            Ok::<ConnectionStatus, Error>(c.engine.connection_status())
        }),
        data(Post, "/api/v1/whatsapp/connect", "whatsapp", Admin, "Start connecting (shows a QR when not linked)", |c, _: NoBody| {
            c.engine.connect_whatsapp()
        }),
        data(Post, "/api/v1/whatsapp/disconnect", "whatsapp", Admin, "Log the number out and forget the session", |c, _: NoBody| {
            c.engine.disconnect_whatsapp()
        }),
        data(Post, "/api/v1/whatsapp/takeover", "whatsapp", Admin, "Use WhatsApp here after it was opened elsewhere", |c, _: NoBody| {
            c.engine.take_over_whatsapp()
        }),
        data(Post, "/api/v1/whatsapp/pairing-code", "whatsapp", Admin, "Link by phone number: get a code to type on the phone", |c, input: PairingRequest| -> Result<PairingCode, Error> {
            c.engine.request_pairing_code(input)
        }),
        raw(Get, "/api/v1/whatsapp/qr", "whatsapp", Read, "The QR code to scan", "image/svg+xml", |c, _| {
            let status = c.engine.connection_status();
            let qr = status.qr.ok_or_else(|| Error::new(ErrorCode::NotFound, "No QR code to show: WhatsApp is not waiting for a scan"))?;
            match c.query_one("format").unwrap_or("svg") {
                "svg" => Ok(Raw { content_type: "image/svg+xml".into(), body: crate::qr::svg(&qr).into_bytes() }),
                "raw" => Ok(Raw {
                    content_type: "application/json".into(),
                    body: serde_json::json!({ "success": true, "data": { "qr": qr } }).to_string().into_bytes(),
                }),
                _ => Err(Error::invalid_field("format", "format must be svg or raw")),
            }
        })
        .with_query(QR),
        // --- messages ---
        page("/api/v1/messages", "messages", Read, "Messages, newest first; search with q", |c| {
            let limit = c.limit(50)?;
            let items = match c.query_one("contactId") {
                Some(id) => {
                    let id = id.parse().map_err(|_| Error::invalid_field("contactId", "contactId must be a number"))?;
                    c.engine.conversation(id, c.cursor()?, limit + 1)?
                }
                None => c.engine.messages(c.query_one("q"), c.cursor()?, limit + 1)?,
            };
            Ok(Page::from_overfetch(items, limit, |m: &Message| m.id.to_string()))
        })
        .with_query(MESSAGE_LIST),
        data(Get, "/api/v1/messages/{id}", "messages", Read, "One message", |c, _: NoBody| c.engine.message(c.id("id")?)),
        page("/api/v1/messages/contact/{contactId}", "messages", Read, "A contact's conversation, newest first", |c| {
            let limit = c.limit(50)?;
            let items = c.engine.conversation(c.id("contactId")?, c.cursor()?, limit + 1)?;
            Ok(Page::from_overfetch(items, limit, |m: &Message| m.id.to_string()))
        })
        .with_query(LIST),
        data(Post, "/api/v1/messages/send", "messages", Send, "Send a text or media message", |c, input: SendMessage| -> Result<SendReceipt, Error> {
            c.engine.send_message(input)
        })
        .max_body(MAX_MEDIA_BYTES / 3 * 4 + 64 * 1024),
        data(Post, "/api/v1/chats/{contactId}/read", "messages", Send, "Mark a conversation read", |c, _: NoBody| {
            c.engine.mark_chat_read(c.id("contactId")?)?;
            Ok::<bool, Error>(true)
        }),
        // --- contacts ---
        data(Get, "/api/v1/contacts/{id}", "contacts", Read, "One contact", |c, _: NoBody| -> Result<Contact, Error> {
            c.engine.contact(c.id("id")?)
        }),
    ])
}
