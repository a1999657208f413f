//! The inbox as the UI reads it: the chat list (one row per contact with messages, by last activity,
//! with a preview of the last message and the unread count), message search with snippets, windows
//! of a thread around one message (to jump to a search result), and the media files of messages.

use std::path::{Component, Path, PathBuf};

use rlibphonenumber::Region;
use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::contacts::Tag;
use crate::error::{Error, ErrorCode, Result};
use crate::inbox::{Direction, Message, MessageStatus};
use crate::page::{id_cursor, page_limit, Page};
use crate::store::chats::{self as sql, ChatRow, LastRow};
use crate::Engine;

pub use crate::store::chats::{chat_page_sql, SEARCH_SQL};

/// Longest preview of a last message, in characters.
const PREVIEW_CHARS: usize = 120;

/// What the chat list is narrowed to. Everything is optional; filters combine with AND.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatFilter {
    /// Only chats with unread messages.
    pub unread_only: bool,
    /// Only chats whose contact has any of these tags.
    pub tag_ids: Vec<i64>,
    /// Words matched (as prefixes) against the contact's name, WhatsApp name, number, email, notes.
    pub q: Option<String>,
}

/// The person a chat is with, as much as the list shows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatContact {
    /// The contact's id.
    pub id: i64,
    /// What to call the contact, as on [`crate::contacts::Contact`] (see
    /// [`crate::contacts::display_name`]).
    pub display_name: String,
    /// E.164; null for an `@lid` sender whose number is hidden.
    pub phone_number: Option<String>,
    /// The number as people read it (see [`crate::contacts::Contact::phone_display`]).
    pub phone_display: Option<String>,
    /// WhatsApp's id for the person, once known.
    pub wa_id: Option<String>,
    /// Whether they opted out of campaigns.
    pub opted_out: bool,
    /// The contact's tags, by name.
    pub tags: Vec<Tag>,
}

/// The newest message of a chat, reduced to what a list row shows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    /// The message's id.
    pub id: i64,
    /// Whether it came in or went out.
    pub direction: Direction,
    /// WhatsApp's message type (`chat`, `image`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// One line of text: the message, or a label such as "📷 Photo" for media.
    pub preview: String,
    /// Where it is on its way (for outgoing messages: queued, sent, delivered, read, failed).
    pub status: MessageStatus,
    /// Why sending failed, when it did.
    pub error: Option<String>,
    /// When it happened (RFC 3339).
    pub timestamp: String,
}

/// One row of the chat list.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Chat {
    /// Who the chat is with.
    pub contact: ChatContact,
    /// Null for a contact without messages yet (a chat opened from the contacts screen).
    pub last_message: Option<LastMessage>,
    /// Messages from them not read yet.
    pub unread_count: i64,
}

/// A message found by search, with whom it was exchanged and the words around the match.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The message found.
    pub message: Message,
    /// Who it was exchanged with.
    pub contact: ChatContact,
    /// Text around the match; matched words are wrapped in U+0002 (start) and U+0003 (end), so a
    /// UI can highlight them without interpreting any markup from the message itself.
    pub snippet: String,
}

/// A stretch of one thread around a message, newest first, with cursors to extend it either way.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageWindow {
    /// The conversation the window is in.
    pub contact_id: i64,
    /// The message the window is centred on.
    pub message_id: i64,
    /// The messages, newest first.
    pub messages: Vec<Message>,
    /// Pass as `cursor` to the conversation route for older messages; null at the start.
    pub older_cursor: Option<String>,
    /// Pass as `after` to the conversation route for newer messages; null when the window reaches
    /// the newest message.
    pub newer_cursor: Option<String>,
}

/// A message's media file.
#[derive(Debug, Clone)]
pub struct MediaContent {
    /// Its MIME type, as stored.
    pub mimetype: String,
    /// Its file name, for documents.
    pub filename: Option<String>,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// The one-line text a chat list shows for a message.
pub fn preview(kind: &str, body: &str, caption: Option<&str>, filename: Option<&str>) -> String {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    let label = |icon: &str, name: &str| match caption {
        Some(c) => format!("{icon} {c}"),
        None => format!("{icon} {name}"),
    };
    let text = match kind {
        "chat" => body.to_owned(),
        "image" => label("📷", "Photo"),
        "video" => label("🎥", "Video"),
        "audio" => label("🎵", "Audio"),
        "ptt" => "🎤 Voice message".to_owned(),
        "document" => match (caption, filename.map(str::trim).filter(|f| !f.is_empty())) {
            (Some(c), _) => format!("📄 {c}"),
            (None, Some(f)) => format!("📄 {f}"),
            (None, None) => "📄 Document".to_owned(),
        },
        "sticker" => "Sticker".to_owned(),
        "location" => "📍 Location".to_owned(),
        "vcard" | "multi_vcard" => "👤 Contact card".to_owned(),
        "revoked" => "This message was deleted".to_owned(),
        _ if !body.trim().is_empty() => body.to_owned(),
        other => format!("Message ({other})"),
    };
    one_line(&text, PREVIEW_CHARS)
}

/// Whitespace (newlines included) collapsed to single spaces, cut at `max` characters with "…".
fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        return joined;
    }
    let mut cut: String = joined.chars().take(max - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

fn last_message(row: LastRow) -> LastMessage {
    LastMessage {
        id: row.id,
        direction: if row.direction == "in" {
            Direction::In
        } else {
            Direction::Out
        },
        preview: preview(
            &row.kind,
            &row.body,
            row.caption.as_deref(),
            row.media_filename.as_deref(),
        ),
        kind: row.kind,
        status: MessageStatus::parse(&row.status),
        error: row.error,
        timestamp: to_rfc3339(row.wa_timestamp),
    }
}

/// An FTS5 query for text being typed into a search box: every word but the last is complete and
/// matched exactly; the last may be half-typed and matches as a prefix. An exact word is read lazily,
/// newest first, so the LIMIT stops early; a prefix makes FTS5 merge the lists of every word it
/// starts, which for a common word costs a pass over all its occurrences. Words are quoted, so
/// operators and punctuation a person types are searched for, not interpreted.
pub fn typed_query(text: &str) -> String {
    // Control characters separate words: FTS5 reads a NUL in a quoted term as the query's end.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i + 1 == words.len() {
                format!("{}*", quote(w))
            } else {
                quote(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<last_message_at>_<contact id>`: the position after which the next page starts.
fn encode_cursor(at: Millis, id: i64) -> String {
    format!("{at}_{id}")
}

fn decode_cursor(text: &str) -> Result<(Millis, i64)> {
    text.split_once('_')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| {
            Error::invalid_field(
                "cursor",
                "The cursor is not valid; start from the first page",
            )
        })
}

/// The absolute path of a media file recorded as `relative` to the data directory. Anything that
/// could lead outside it (absolute paths, `..`, drive prefixes, backslashes, symlinks pointing out)
/// is refused, so a tampered database row cannot make the app serve arbitrary files.
pub fn resolve_media_path(data_dir: &Path, relative: &str) -> Result<PathBuf> {
    let outside = || {
        Error::new(
            ErrorCode::Forbidden,
            "The media file's path points outside the data directory",
        )
    };
    let path = Path::new(relative);
    if relative.is_empty()
        || relative.contains('\\')
        || relative.contains('\0')
        || !path.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(outside());
    }
    let missing = || {
        Error::new(
            ErrorCode::NotFound,
            "The media file is no longer on this computer",
        )
    };
    let root = data_dir.canonicalize().map_err(|_| missing())?;
    let full = root.join(path).canonicalize().map_err(|_| missing())?;
    if !full.starts_with(&root) {
        return Err(outside());
    }
    if !full.is_file() {
        return Err(missing());
    }
    Ok(full)
}

impl Engine {
    /// The chat list: contacts with at least one message, newest activity first, filtered, one page
    /// at a time (`cursor` is the previous page's `next_cursor`).
    pub fn chats(
        &self,
        filter: &ChatFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Chat>> {
        let limit = page_limit(limit);
        let region = self.default_region()?;
        let after = cursor
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?;
        let tag_ids: Vec<i64> = {
            let mut ids = filter.tag_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        self.db().with(|conn| {
            let query = sql::ChatQuery {
                unread_only: filter.unread_only,
                tag_ids: &tag_ids,
                search: filter.q.as_deref(),
                after,
                limit: limit + 1,
            };
            let rows = sql::chat_page(conn, &query)?;
            // Every row of the list has a last message time (that is what puts it in the list).
            let page = Page::from_overfetch(rows, limit, |r| {
                encode_cursor(r.last_message_at.unwrap_or_default(), r.contact_id)
            });
            Ok(Page {
                items: dress(conn, page.items, region)?,
                next_cursor: page.next_cursor,
            })
        })
    }

    /// One chat by contact id, also for a contact without messages yet.
    pub fn chat(&self, contact_id: i64) -> Result<Chat> {
        let region = self.default_region()?;
        self.db().with(|conn| {
            let row = sql::chat(conn, contact_id)?.ok_or_else(|| Error::not_found("contact"))?;
            Ok(dress(conn, vec![row], region)?.remove(0))
        })
    }

    /// Messages matching a search, newest first, each with its contact and a snippet, one page at a
    /// time (`cursor` is the previous page's `next_cursor`).
    pub fn search_messages(
        &self,
        query: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<SearchHit>> {
        let before_id = id_cursor(cursor)?;
        let fts = typed_query(query);
        if fts.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let limit = page_limit(limit);
        let region = self.default_region()?;
        let hits = self.db().with(|conn| {
            let found = sql::search(conn, &fts, before_id, limit + 1)?;
            let mut hits = Vec::with_capacity(found.len());
            let mut contacts: std::collections::HashMap<i64, ChatContact> = Default::default();
            for (id, snippet) in found {
                let Some(message) = crate::store::messages::get(conn, id)? else {
                    continue;
                };
                let contact = match contacts.get(&message.contact_id) {
                    Some(c) => c.clone(),
                    None => {
                        let Some(row) = sql::chat(conn, message.contact_id)? else {
                            continue;
                        };
                        // A hit names its contact; the chat's last message is not needed here.
                        let tags = crate::store::tags::tags_for(conn, &[row.contact_id])?
                            .remove(&row.contact_id)
                            .unwrap_or_default();
                        let contact = chat_contact(&row, tags, region);
                        contacts.insert(message.contact_id, contact.clone());
                        contact
                    }
                };
                hits.push(SearchHit {
                    message,
                    contact,
                    snippet,
                });
            }
            Ok(hits)
        })?;
        Ok(Page::from_overfetch(hits, limit, |h| {
            h.message.id.to_string()
        }))
    }

    /// The part of a thread around one message (for jumping to a search result): up to `limit`
    /// messages, about half older and half newer, newest first.
    pub fn message_context(&self, message_id: i64, limit: usize) -> Result<MessageWindow> {
        let limit = page_limit(limit).max(2);
        self.db().with(|conn| {
            let (contact_id, at) =
                sql::position(conn, message_id)?.ok_or_else(|| Error::not_found("message"))?;
            let want_newer = limit / 2;
            let want_older = limit - want_newer;
            // One more each way than shown tells whether there is more to load.
            let mut older = sql::around(conn, contact_id, (at, message_id), false, want_older + 1)?;
            let mut newer = sql::around(conn, contact_id, (at, message_id), true, want_newer + 1)?;
            let more_older = older.len() > want_older;
            let more_newer = newer.len() > want_newer;
            older.truncate(want_older);
            newer.truncate(want_newer);
            let older_cursor = more_older
                .then(|| older.last().map(|m| m.id.to_string()))
                .flatten();
            let newer_cursor = more_newer
                .then(|| newer.last().map(|m| m.id.to_string()))
                .flatten();
            newer.reverse();
            newer.extend(older);
            Ok(MessageWindow {
                contact_id,
                message_id,
                messages: newer,
                older_cursor,
                newer_cursor,
            })
        })
    }

    /// The `limit` messages of a contact next after `after_id` in the thread's order (scrolling
    /// forward from a search result towards the present). The page is newest first like every
    /// list of messages; its `next_cursor` is the `after_id` of the next, newer, page.
    pub fn conversation_after(
        &self,
        contact_id: i64,
        after_id: i64,
        limit: usize,
    ) -> Result<Page<Message>> {
        self.contact(contact_id)?;
        let limit = page_limit(limit);
        let oldest_first = self.db().with(|conn| {
            let (owner, at) = sql::position(conn, after_id)?.ok_or_else(|| {
                Error::invalid_field("after", "The message to continue after no longer exists")
            })?;
            if owner != contact_id {
                return Err(Error::invalid_field(
                    "after",
                    "That message belongs to another conversation",
                ));
            }
            sql::around(conn, contact_id, (at, after_id), true, limit + 1)
        })?;
        // Oldest first from the store, so the row past the page is the newest one.
        let mut page = Page::from_overfetch(oldest_first, limit, |m| m.id.to_string());
        page.items.reverse();
        Ok(page)
    }

    /// The media file of a message, read from the data directory.
    pub fn message_media(&self, message_id: i64) -> Result<MediaContent> {
        let message = self.message(message_id)?;
        let media = message
            .media
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "This message has no file attached"))?;
        let path = resolve_media_path(self.data_dir(), &media.path)?;
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::internal("could not read the media file").with_source(e))?;
        Ok(MediaContent {
            mimetype: media.mimetype,
            filename: media.filename,
            bytes,
        })
    }
}

fn chat_contact(row: &ChatRow, tags: Vec<Tag>, region: Option<Region>) -> ChatContact {
    let phone_display = row
        .phone_number
        .as_deref()
        .map(|p| crate::contacts::phone_display(p, region));
    ChatContact {
        id: row.contact_id,
        display_name: crate::contacts::display_name(
            &row.name,
            &row.push_name,
            phone_display.as_deref(),
            row.wa_id.as_deref(),
        ),
        phone_number: row.phone_number.clone(),
        phone_display,
        wa_id: row.wa_id.clone(),
        opted_out: row.opted_out,
        tags,
    }
}

/// Chat rows dressed for the UI: display names, tags, last message previews.
fn dress(
    conn: &rusqlite::Connection,
    rows: Vec<ChatRow>,
    region: Option<Region>,
) -> Result<Vec<Chat>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.contact_id).collect();
    let mut tags = crate::store::tags::tags_for(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let last = if row.last_message_at.is_some() {
                sql::last_message(conn, row.contact_id)?.map(last_message)
            } else {
                None
            };
            Ok(Chat {
                contact: chat_contact(
                    &row,
                    tags.remove(&row.contact_id).unwrap_or_default(),
                    region,
                ),
                last_message: last,
                unread_count: row.unread_count,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod pure_tests {
    use super::*;

    #[test]
    fn previews_label_media_and_flatten_text() {
        for (kind, body, caption, filename, expect) in [
            ("chat", "Hello\n\nthere  you", None, None, "Hello there you"),
            ("image", "", None, None, "📷 Photo"),
            ("image", "", Some("Our new roses"), None, "📷 Our new roses"),
            ("video", "", Some("  "), None, "🎥 Video"),
            ("ptt", "", None, None, "🎤 Voice message"),
            ("audio", "", None, None, "🎵 Audio"),
            ("document", "", None, Some("invoice.pdf"), "📄 invoice.pdf"),
            ("document", "", None, None, "📄 Document"),
            ("location", "", None, None, "📍 Location"),
            ("vcard", "BEGIN:VCARD", None, None, "👤 Contact card"),
            ("revoked", "", None, None, "This message was deleted"),
            ("poll_creation", "Which day?", None, None, "Which day?"),
            ("call_log", "", None, None, "Message (call_log)"),
        ] {
            assert_eq!(
                preview(kind, body, caption, filename),
                expect,
                "{kind} {body:?}"
            );
        }
    }

    #[test]
    fn typed_queries_match_whole_words_and_a_prefix_for_the_last() {
        assert_eq!(typed_query("red ros"), "\"red\" \"ros\"*");
        assert_eq!(typed_query("  tulip "), "\"tulip\"*");
        assert_eq!(typed_query("a\"b OR"), "\"a\"\"b\" \"OR\"*");
        assert_eq!(typed_query(" "), "");
    }

    #[test]
    fn long_previews_are_cut_with_an_ellipsis() {
        let text = "word ".repeat(100);
        let shown = preview("chat", &text, None, None);
        assert_eq!(
            shown.chars().count(),
            PREVIEW_CHARS,
            "a preview is at most {PREVIEW_CHARS} characters"
        );
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_a_validation_error() {
        assert_eq!(
            decode_cursor(&encode_cursor(1_700_000_000_000, 42)).unwrap(),
            (1_700_000_000_000, 42)
        );
        for bad in ["", "12", "a_b", "12_", "_4"] {
            let err = decode_cursor(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::ValidationFailed, "{bad:?}");
        }
    }
}
