//! Routes of the inbox: the chat list, messages, conversations, search, media, sending, marking read.

use base64::Engine as _;
use schemars::JsonSchema;
use serde::Serialize;
use whatsflow_engine::chats::{Chat, ChatFilter, MessageWindow, SearchHit};
use whatsflow_engine::inbox::{Message, SendMessage, SendReceipt, MAX_MEDIA_BYTES};
use whatsflow_engine::Error;

use super::{LIST, MESSAGE_LIST};
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
    QueryParam {
        name: "limit",
        description: "Page size, 1 to 500 (default 50)",
    },
    QueryParam {
        name: "cursor",
        description: "The nextCursor of the previous page",
    },
];

const SEARCH: &[QueryParam] = &[
    QueryParam {
        name: "q",
        description: "Words to find (each as a prefix) in message text and captions",
    },
    QueryParam {
        name: "limit",
        description: "Page size, 1 to 500 (default 50)",
    },
    QueryParam {
        name: "cursor",
        description: "The nextCursor of the previous page",
    },
];

const CONTEXT: &[QueryParam] = &[QueryParam {
    name: "limit",
    description: "How many messages around the one asked for, 2 to 500 (default 50)",
}];

/// A media file as JSON, for transports that carry no raw bytes (the desktop app's IPC).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaData {
    pub mimetype: String,
    pub filename: Option<String>,
    pub size: usize,
    /// The file's bytes, base64.
    pub data: String,
}

/// `?unread=`, `?tag=` (repeatable, or comma-separated) and `?q=` as a filter.
fn chat_filter(c: &Ctx) -> Result<ChatFilter, Error> {
    let unread_only = match c.query_one("unread").map(str::trim) {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => {
            return Err(Error::invalid_field(
                "unread",
                "unread must be true or false",
            ))
        }
    };
    let mut tag_ids = Vec::new();
    for value in c.query.get("tag").into_iter().flatten() {
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            tag_ids.push(
                part.parse()
                    .map_err(|_| Error::invalid_field("tag", "tag must be a tag id (a number)"))?,
            );
        }
    }
    let q = c
        .query_one("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned);
    Ok(ChatFilter {
        unread_only,
        tag_ids,
        q,
    })
}

/// A conversation page: older than `cursor` (the default), or newer than `after`.
fn conversation_page(c: &Ctx, contact_id: i64) -> Result<Page<Message>, Error> {
    let limit = c.limit(50)?;
    let after = c
        .query_one("after")
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<i64>()
                .map_err(|_| Error::invalid_field("after", "after must be a message id"))
        })
        .transpose()?;
    match after {
        None => {
            let items = c.engine.conversation(contact_id, c.cursor()?, limit + 1)?;
            Ok(Page::from_overfetch(items, limit, |m: &Message| {
                m.id.to_string()
            }))
        }
        Some(after) => {
            // Oldest first from the engine, so the over-fetched row is the newest one; the page
            // itself is shown newest first like every other.
            let items = c.engine.conversation_after(contact_id, after, limit + 1)?;
            let mut page = Page::from_overfetch(items, limit, |m: &Message| m.id.to_string());
            page.items.reverse();
            Ok(page)
        }
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
            |c| {
                let filter = chat_filter(c)?;
                let page = c
                    .engine
                    .chats(&filter, c.query_one("cursor"), c.limit(50)?)?;
                Ok(Page {
                    items: page.chats,
                    next_cursor: page.next_cursor,
                })
            },
        )
        .with_query(CHAT_LIST),
        data(
            Get,
            "/api/v1/chats/{contactId}",
            "messages",
            Read,
            "One chat, also for a contact without messages yet",
            |c, _: NoBody| -> Result<Chat, Error> { c.engine.chat(c.id("contactId")?) },
        ),
        // --- messages ---
        page(
            "/api/v1/messages",
            "messages",
            Read,
            "Messages, newest first; search with q",
            |c| {
                let limit = c.limit(50)?;
                let items = match c.query_one("contactId") {
                    Some(id) => {
                        let id = id.parse().map_err(|_| {
                            Error::invalid_field("contactId", "contactId must be a number")
                        })?;
                        c.engine.conversation(id, c.cursor()?, limit + 1)?
                    }
                    None => c
                        .engine
                        .messages(c.query_one("q"), c.cursor()?, limit + 1)?,
                };
                Ok(Page::from_overfetch(items, limit, |m: &Message| {
                    m.id.to_string()
                }))
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
                let limit = c.limit(50)?;
                let q = c.query_one("q").unwrap_or("");
                let items = c.engine.search_messages(q, c.cursor()?, limit + 1)?;
                Ok(Page::from_overfetch(items, limit, |h: &SearchHit| {
                    h.message.id.to_string()
                }))
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
        .with_query(LIST),
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
        data(
            Get,
            "/api/v1/messages/{id}/media/base64",
            "messages",
            Read,
            "A message's media file as base64 in JSON",
            |c, _: NoBody| -> Result<MediaData, Error> {
                let media = c.engine.message_media(c.id("id")?)?;
                Ok(MediaData {
                    size: media.bytes.len(),
                    data: base64::engine::general_purpose::STANDARD.encode(&media.bytes),
                    mimetype: media.mimetype,
                    filename: media.filename,
                })
            },
        ),
        data(
            Post,
            "/api/v1/messages/send",
            "messages",
            Send,
            "Send a text or media message",
            |c, input: SendMessage| -> Result<SendReceipt, Error> { c.engine.send_message(input) },
        )
        .max_body(MAX_MEDIA_BYTES / 3 * 4 + 64 * 1024),
        data(
            Post,
            "/api/v1/chats/{contactId}/read",
            "messages",
            Send,
            "Mark a conversation read",
            |c, _: NoBody| {
                c.engine.mark_chat_read(c.id("contactId")?)?;
                Ok::<bool, Error>(true)
            },
        ),
    ]
}
