//! Routes of the inbox: the chat list, messages, conversations, search, media, sending, marking read.

use whatsflow_engine::chats::{ChatFilter, MessageWindow};
use whatsflow_engine::inbox::{Message, MAX_MEDIA_BYTES};
use whatsflow_engine::{Engine, Error};

use super::{call, done_on_id, on_id, MESSAGE_LIST};
use crate::api::{data, page, raw, Access, Ctx, Method, NoBody, Page, QueryParam, Raw, Route};

const CHAT_LIST: &[QueryParam] = &[
    QueryParam {
        name: "unread",
        description: "true: only chats with unread messages",
    },
    QueryParam {
        name: "tag",
        description: "A tag id (repeatable): only chats whose contact has any of these tags",
    },
    QueryParam {
        name: "q",
        description:
            "Words matched against the contact's name, WhatsApp name, number, email and notes",
    },
];

const AFTER: &[QueryParam] = &[QueryParam {
    name: "after",
    description: "A message id: the newer messages after it instead of the older page",
}];

const SEARCH: &[QueryParam] = &[QueryParam {
    name: "q",
    description: "Words to find (each as a prefix) in message text and captions",
}];

const CONTEXT: &[QueryParam] = &[QueryParam {
    name: "limit",
    description: "How many messages around the one asked for, 2 to 500 (default 50)",
}];

/// `?unread=`, `?tag=` (repeatable, or comma-separated) and `?q=` as a filter.
fn chat_filter(c: &Ctx) -> Result<ChatFilter, Error> {
    Ok(ChatFilter {
        unread_only: c.flag("unread")?.unwrap_or(false),
        tag_ids: c.ids("tag")?,
        q: c.text("q"),
    })
}

/// A conversation page: older than `cursor` (the default), or newer than `after`.
fn conversation_page(c: &Ctx, contact_id: i64) -> Result<Page<Message>, Error> {
    let limit = c.limit(50)?;
    let after = c
        .number("after")
        .map_err(|_| Error::invalid_field("after", "after must be a message id"))?;
    match after {
        None => c.engine.conversation(contact_id, c.cursor(), limit),
        Some(after) => c.engine.conversation_after(contact_id, after, limit),
    }
}

/// The inbox routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        // --- chats ---
        page(
            "/api/v1/chats",
            "messages",
            Read,
            "The chat list: contact, last message, unread count; newest activity first",
            |c| c.engine.chats(&chat_filter(c)?, c.cursor(), c.limit(50)?),
        )
        .with_query(CHAT_LIST),
        on_id(
            Get,
            "/api/v1/chats/{contactId}",
            "messages",
            Read,
            "One chat, also for a contact without messages yet",
            Engine::chat,
        ),
        // --- messages ---
        page(
            "/api/v1/messages",
            "messages",
            Read,
            "Messages, newest first; search with q",
            |c| {
                let limit = c.limit(50)?;
                match c.query_one("contactId") {
                    Some(id) => {
                        let id = id.parse().map_err(|_| {
                            Error::invalid_field("contactId", "contactId must be a number")
                        })?;
                        c.engine.conversation(id, c.cursor(), limit)
                    }
                    None => c.engine.messages(c.query_one("q"), c.cursor(), limit),
                }
            },
        )
        .with_query(MESSAGE_LIST),
        // Before `/messages/{id}`, which would otherwise take "search" for an id.
        page(
            "/api/v1/messages/search",
            "messages",
            Read,
            "Full-text search over all messages, newest first, with contact and snippet",
            |c| {
                let q = c.query_one("q").unwrap_or("");
                c.engine.search_messages(q, c.cursor(), c.limit(50)?)
            },
        )
        .with_query(SEARCH),
        data(
            Get,
            "/api/v1/messages/{id}",
            "messages",
            Read,
            "One message",
            |c, _: NoBody| c.engine.message(c.id("id")?),
        ),
        page(
            "/api/v1/messages/contact/{contactId}",
            "messages",
            Read,
            "A contact's conversation, newest first; older pages with cursor, or newer ones with \
             after=<message id> (a window's newerCursor)",
            |c| conversation_page(c, c.id("contactId")?),
        )
        .with_query(AFTER),
        data(
            Get,
            "/api/v1/messages/{id}/context",
            "messages",
            Read,
            "The messages around one message in its conversation (to jump to a search result)",
            |c, _: NoBody| -> Result<MessageWindow, Error> {
                c.engine.message_context(c.id("id")?, c.limit(50)?)
            },
        )
        .with_query(CONTEXT),
        raw(
            Get,
            "/api/v1/messages/{id}/media",
            "messages",
            Read,
            "A message's media file, raw, with its stored MIME type",
            "application/octet-stream",
            |c, _| {
                let media = c.engine.message_media(c.id("id")?)?;
                Ok(Raw {
                    content_type: media.mimetype,
                    body: media.bytes,
                })
            },
        ),
        call(
            Post,
            "/api/v1/messages/send",
            "messages",
            Send,
            "Send a text or media message",
            Engine::send_message,
        )
        .max_body(MAX_MEDIA_BYTES / 3 * 4 + 64 * 1024)
        .idempotent(),
        done_on_id(
            Post,
            "/api/v1/chats/{contactId}/read",
            "messages",
            Send,
            "Mark a conversation read",
            Engine::mark_chat_read,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use whatsflow_engine::link::{InboundMessage, MediaFile};
    use whatsflow_engine::Engine;

    use crate::routes::test_support::{engine_at, get, json};

    fn engine() -> (Engine, tempfile::TempDir) {
        let (engine, dir) = engine_at(1_780_000_000_000);
        for (i, body) in ["Do you have roses?", "And tulips?"].iter().enumerate() {
            engine
                .ingest(InboundMessage {
                    wa_message_id: format!("false_15550000001@c.us_M{i}"),
                    chat_id: "15550000001@c.us".into(),
                    phone_number: Some("+15550000001".into()),
                    push_name: Some("Ana".into()),
                    from_me: false,
                    kind: "chat".into(),
                    body: (*body).into(),
                    caption: None,
                    media: None,
                    quoted_wa_id: None,
                    timestamp: 1_780_000_000_000 + i as i64,
                })
                .unwrap();
        }
        engine
            .ingest(InboundMessage {
                wa_message_id: "false_15550000001@c.us_P1".into(),
                chat_id: "15550000001@c.us".into(),
                phone_number: Some("+15550000001".into()),
                push_name: None,
                from_me: false,
                kind: "image".into(),
                body: String::new(),
                caption: Some("Like this".into()),
                media: Some(MediaFile {
                    bytes: b"\xff\xd8\xff fake jpeg".to_vec(),
                    mimetype: "image/jpeg".into(),
                    filename: None,
                }),
                quoted_wa_id: None,
                timestamp: 1_780_000_000_010,
            })
            .unwrap();
        (engine, dir)
    }

    #[test]
    fn the_chat_list_pages_and_rejects_bad_filters() {
        let (engine, _dir) = engine();
        let page = get(&engine, "/api/v1/chats?limit=10");
        assert_eq!(page.status, 200);
        let body = json(&page);
        assert_eq!(body["nextCursor"], Value::Null);
        assert_eq!(body["data"][0]["contact"]["displayName"], "Ana");
        assert_eq!(body["data"][0]["unreadCount"], 3);
        assert_eq!(body["data"][0]["lastMessage"]["preview"], "📷 Like this");
        assert_eq!(get(&engine, "/api/v1/chats?unread=true").status, 200);
        for bad in [
            "/api/v1/chats?unread=maybe",
            "/api/v1/chats?tag=vip",
            "/api/v1/chats?cursor=zzz",
            "/api/v1/chats?limit=0",
        ] {
            let response = get(&engine, bad);
            assert_eq!(response.status, 400, "{bad}");
            assert_eq!(
                json(&response)["error"]["code"],
                "validation_failed",
                "{bad}"
            );
        }
        let one = get(&engine, "/api/v1/chats/1");
        assert_eq!(json(&one)["data"]["contact"]["phoneNumber"], "+15550000001");
        assert_eq!(get(&engine, "/api/v1/chats/99").status, 404);
    }

    #[test]
    fn search_is_its_own_route_and_context_windows_a_message() {
        let (engine, _dir) = engine();
        let found = json(&get(&engine, "/api/v1/messages/search?q=tulip"));
        assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["data"][0]["contact"]["displayName"], "Ana");
        let id = found["data"][0]["message"]["id"].as_i64().unwrap();
        let window = json(&get(
            &engine,
            &format!("/api/v1/messages/{id}/context?limit=2"),
        ));
        let ids: Vec<i64> = window["data"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&id), "the window holds the message: {window}");
        assert_eq!(window["data"]["messages"].as_array().unwrap().len(), 2);
        assert_eq!(get(&engine, "/api/v1/messages/9999/context").status, 404);
        let newer = json(&get(&engine, "/api/v1/messages/contact/1?after=1"));
        let bodies: Vec<&str> = newer["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies, ["", "And tulips?"], "newer messages, newest first");
    }

    #[test]
    fn media_is_served_raw_with_its_type() {
        let (engine, _dir) = engine();
        let raw = get(&engine, "/api/v1/messages/3/media");
        assert_eq!(raw.status, 200);
        assert_eq!(raw.content_type, "image/jpeg");
        assert_eq!(raw.body, b"\xff\xd8\xff fake jpeg");
        let no_media = get(&engine, "/api/v1/messages/1/media");
        assert_eq!(no_media.status, 404);
        assert_eq!(json(&no_media)["error"]["code"], "not_found");
    }
}
