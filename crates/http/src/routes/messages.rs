//! Routes of the inbox: messages, conversations, sending, marking read.

use whatsflow_engine::inbox::{Message, SendMessage, SendReceipt, MAX_MEDIA_BYTES};
use whatsflow_engine::Error;

use super::{LIST, MESSAGE_LIST};
use crate::api::{data, page, Access, Method, NoBody, Page, Route};

/// The inbox routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
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
            "A contact's conversation, newest first",
            |c| {
                let limit = c.limit(50)?;
                let items = c
                    .engine
                    .conversation(c.id("contactId")?, c.cursor()?, limit + 1)?;
                Ok(Page::from_overfetch(items, limit, |m: &Message| {
                    m.id.to_string()
                }))
            },
        )
        .with_query(LIST),
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
