//! SQL for the inbox's read side: the chat list (contacts that have messages, by last activity),
//! message search with snippets, and windows of a conversation around one message.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::clock::Millis;
use crate::error::Result;
use crate::inbox::Message;

/// One row of the chat list before it is dressed for the UI.
#[derive(Debug, Clone)]
pub(crate) struct ChatRow {
    pub contact_id: i64,
    pub name: String,
    pub push_name: String,
    pub phone_number: Option<String>,
    pub wa_id: Option<String>,
    pub opted_out: bool,
    pub unread_count: i64,
    pub last_message_at: Option<Millis>,
}

/// The newest message of a chat, only the columns a preview needs.
#[derive(Debug, Clone)]
pub(crate) struct LastRow {
    pub id: i64,
    pub direction: String,
    pub kind: String,
    pub body: String,
    pub caption: Option<String>,
    pub media_filename: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub wa_timestamp: Millis,
}

/// What the chat list is filtered by; every part optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChatQuery<'a> {
    pub unread_only: bool,
    /// Chats whose contact has any of these tags.
    pub tag_ids: &'a [i64],
    /// Words typed in the search box, matched as the contacts table matches them.
    pub search: Option<&'a str>,
    /// Only chats strictly older than this `(last_message_at, id)` position.
    pub after: Option<(Millis, i64)>,
    pub limit: usize,
}

const CHAT_COLUMNS: &str = "c.id, c.name, c.push_name, c.phone_number, c.wa_id, c.opted_out,
    c.unread_count, c.last_message_at";

fn chat_from_row(row: &Row) -> rusqlite::Result<ChatRow> {
    Ok(ChatRow {
        contact_id: row.get(0)?,
        name: row.get(1)?,
        push_name: row.get(2)?,
        phone_number: row.get(3)?,
        wa_id: row.get(4)?,
        opted_out: row.get(5)?,
        unread_count: row.get(6)?,
        last_message_at: row.get(7)?,
    })
}

/// The SQL and parameters of one page of the chat list. Kept apart from running it so the
/// benchmark can time the very same statement through raw rusqlite.
/// `search` holds conditions on `c.id` (see `store::contact_search::search_sql`).
pub fn chat_page_sql(unread_only: bool, tag_count: usize, search: &[String]) -> String {
    // `last_message_at IS NOT NULL` (or `unread_count > 0`) lets SQLite use the partial indexes of
    // V2, scanned backwards: newest chats come out first, no sort, and the LIMIT stops the scan.
    let mut sql = format!(
        "SELECT {CHAT_COLUMNS} FROM contacts c
         WHERE c.last_message_at IS NOT NULL AND (c.last_message_at, c.id) < (?1, ?2)"
    );
    if unread_only {
        sql.push_str(" AND c.unread_count > 0");
    }
    if tag_count > 0 {
        let marks = vec!["?"; tag_count].join(", ");
        sql.push_str(&format!(
            " AND c.id IN (SELECT contact_id FROM contact_tags WHERE tag_id IN ({marks}))"
        ));
    }
    for condition in search {
        sql.push_str(" AND ");
        sql.push_str(condition);
    }
    sql.push_str(" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?");
    sql
}

pub(crate) fn chat_page(conn: &Connection, q: &ChatQuery) -> Result<Vec<ChatRow>> {
    let (search, search_values) = super::contact_search::search_sql(q.search);
    let sql = chat_page_sql(q.unread_only, q.tag_ids.len(), &search);
    let (at, id) = q.after.unwrap_or((i64::MAX, i64::MAX));
    let mut values: Vec<rusqlite::types::Value> = vec![at.into(), id.into()];
    values.extend(q.tag_ids.iter().map(|t| (*t).into()));
    values.extend(search_values);
    values.push((q.limit as i64).into());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values), chat_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One contact as a chat row, whether or not it has messages yet.
pub(crate) fn chat(conn: &Connection, contact_id: i64) -> Result<Option<ChatRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CHAT_COLUMNS} FROM contacts c WHERE c.id = ?1"),
            [contact_id],
            chat_from_row,
        )
        .optional()?)
}

/// The newest message of a contact, in the thread's own order.
pub(crate) fn last_message(conn: &Connection, contact_id: i64) -> Result<Option<LastRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, direction, type, body, caption, media_filename, status, error, wa_timestamp
         FROM messages WHERE contact_id = ?1 ORDER BY wa_timestamp DESC, id DESC LIMIT 1",
    )?;
    Ok(stmt
        .query_row([contact_id], |r| {
            Ok(LastRow {
                id: r.get(0)?,
                direction: r.get(1)?,
                kind: r.get(2)?,
                body: r.get(3)?,
                caption: r.get(4)?,
                media_filename: r.get(5)?,
                status: r.get(6)?,
                error: r.get(7)?,
                wa_timestamp: r.get(8)?,
            })
        })
        .optional()?)
}

/// The SQL of message search: FTS5 walks its own rowids newest first and stops at the LIMIT, so
/// a common word over a million messages costs no more than a rare one.
pub const SEARCH_SQL: &str = "SELECT rowid, snippet(messages_fts, -1, char(2), char(3), '…', 16)
     FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3";

/// Message ids matching a full-text query, newest first, with a snippet around the match where
/// the matched words are wrapped in U+0002 … U+0003.
pub(crate) fn search(
    conn: &Connection,
    fts: &str,
    before_id: Option<i64>,
    limit: usize,
) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(SEARCH_SQL)?;
    let rows = stmt
        .query_map(
            params![fts, before_id.unwrap_or(i64::MAX), limit as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Messages of a contact strictly after (`newer`) or at-and-before (`!newer`) a position in the
/// thread's order `(wa_timestamp, id)`. Newer ones come oldest first, older ones newest first, so
/// both grow away from the position and a LIMIT keeps the nearest.
pub(crate) fn around(
    conn: &Connection,
    contact_id: i64,
    position: (Millis, i64),
    newer: bool,
    limit: usize,
) -> Result<Vec<Message>> {
    let columns = super::messages::COLUMNS;
    let sql = if newer {
        format!(
            "SELECT {columns} FROM messages WHERE contact_id = ?1 AND (wa_timestamp, id) > (?2, ?3)
             ORDER BY wa_timestamp ASC, id ASC LIMIT ?4"
        )
    } else {
        format!(
            "SELECT {columns} FROM messages WHERE contact_id = ?1 AND (wa_timestamp, id) <= (?2, ?3)
             ORDER BY wa_timestamp DESC, id DESC LIMIT ?4"
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            params![contact_id, position.0, position.1, limit as i64],
            super::messages::from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Where a message sits in its thread: `(contact_id, wa_timestamp)`.
pub(crate) fn position(conn: &Connection, message_id: i64) -> Result<Option<(i64, Millis)>> {
    Ok(conn
        .query_row(
            "SELECT contact_id, wa_timestamp FROM messages WHERE id = ?1",
            [message_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
