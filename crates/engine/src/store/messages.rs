//! SQL for the `messages` and `outbox` tables.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::clock::{to_rfc3339, Millis};
use crate::error::Result;
use crate::inbox::{Direction, Media, Message, MessageStatus};

pub(crate) const COLUMNS: &str =
    "id, wa_message_id, contact_id, direction, type, body, caption, media_path,
    media_mime, media_filename, media_size, quoted_wa_id, status, ack, error, campaign_id,
    wa_timestamp, created_at, history, revoked_at, edited_at, original_text";

pub(crate) fn from_row(row: &Row) -> rusqlite::Result<Message> {
    let media_path: Option<String> = row.get(7)?;
    let direction: String = row.get(3)?;
    let status: String = row.get(12)?;
    Ok(Message {
        id: row.get(0)?,
        wa_message_id: row.get(1)?,
        contact_id: row.get(2)?,
        direction: if direction == "in" {
            Direction::In
        } else {
            Direction::Out
        },
        kind: row.get(4)?,
        body: row.get(5)?,
        caption: row.get(6)?,
        media: match media_path {
            Some(path) => Some(Media {
                path,
                mimetype: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
                filename: row.get(9)?,
                size: row.get::<_, Option<i64>>(10)?.unwrap_or(0),
            }),
            None => None,
        },
        quoted_wa_id: row.get(11)?,
        status: MessageStatus::parse(&status),
        ack: row.get(13)?,
        error: row.get(14)?,
        campaign_id: row.get(15)?,
        timestamp: to_rfc3339(row.get(16)?),
        created_at: to_rfc3339(row.get(17)?),
        history: row.get(18)?,
        revoked_at: row.get::<_, Option<Millis>>(19)?.map(to_rfc3339),
        edited_at: row.get::<_, Option<Millis>>(20)?.map(to_rfc3339),
        original_text: row.get(21)?,
    })
}

/// Marks a message deleted for everyone, keeping its text; false if it was already.
pub(crate) fn mark_revoked(conn: &Connection, id: i64, now: Millis) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE messages SET revoked_at = ?2, updated_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        )?
        .execute(params![id, now])?;
    Ok(changed > 0)
}

/// Puts an edit's text in place of the body (or, for media, the caption), keeping the text as it
/// first arrived; false if the text is already that.
pub(crate) fn apply_edit(
    conn: &Connection,
    id: i64,
    text: &str,
    in_caption: bool,
    now: Millis,
) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE messages SET
                original_text = COALESCE(original_text, CASE WHEN ?3 THEN caption ELSE body END),
                body = CASE WHEN ?3 THEN body ELSE ?2 END,
                caption = CASE WHEN ?3 THEN ?2 ELSE caption END,
                edited_at = ?4, updated_at = ?4
             WHERE id = ?1 AND (CASE WHEN ?3 THEN caption ELSE body END) IS NOT ?2",
        )?
        .execute(params![id, text, in_caption, now])?;
    Ok(changed > 0)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Message>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM messages WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

pub(crate) fn get_by_wa_id(conn: &Connection, wa_id: &str) -> Result<Option<Message>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE wa_message_id = ?1"
        ))?
        .query_row([wa_id], from_row)
        .optional()?)
}

/// An outbound message by the key id the engine chose (the last part of `true_<chat>_<key>`).
pub(crate) fn get_outbound_by_key_id(conn: &Connection, key_id: &str) -> Result<Option<Message>> {
    let pattern = format!("true\\_%\\_{}", key_id.replace(['%', '_', '\\'], ""));
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages
             WHERE direction = 'out' AND wa_message_id LIKE ?1 ESCAPE '\\'"
        ))?
        .query_row([pattern], from_row)
        .optional()?)
}

/// A new message row; `None` when a message with that WhatsApp id already exists.
pub(crate) struct NewMessage<'a> {
    pub wa_message_id: &'a str,
    pub contact_id: i64,
    pub direction: Direction,
    pub kind: &'a str,
    pub body: &'a str,
    pub caption: Option<&'a str>,
    pub media: Option<&'a Media>,
    pub quoted_wa_id: Option<&'a str>,
    pub status: MessageStatus,
    pub ack: i32,
    pub campaign_id: Option<i64>,
    pub wa_timestamp: Millis,
    /// Read from WhatsApp Web's loaded chats (backfill) rather than received live.
    pub history: bool,
}

pub(crate) fn insert(conn: &Connection, m: &NewMessage, now: Millis) -> Result<Option<i64>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, caption, media_path,
             media_mime, media_filename, media_size, quoted_wa_id, status, ack, campaign_id,
             wa_timestamp, created_at, updated_at, history)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)
         ON CONFLICT (wa_message_id) DO NOTHING",
    )?;
    let inserted = insert.execute(params![
        m.wa_message_id,
        m.contact_id,
        m.direction.as_str(),
        m.kind,
        m.body,
        m.caption,
        m.media.map(|x| &x.path),
        m.media.map(|x| &x.mimetype),
        m.media.and_then(|x| x.filename.as_deref()),
        m.media.map(|x| x.size),
        m.quoted_wa_id,
        m.status.as_str(),
        m.ack,
        m.campaign_id,
        m.wa_timestamp,
        now,
        m.history
    ])?;
    Ok((inserted > 0).then(|| conn.last_insert_rowid()))
}

impl NewMessage<'_> {
    /// The message as stored by [`insert`] under row id `id` at `now`, without reading it back.
    pub(crate) fn stored(&self, id: i64, now: Millis) -> Message {
        Message {
            id,
            wa_message_id: self.wa_message_id.to_owned(),
            contact_id: self.contact_id,
            direction: self.direction,
            kind: self.kind.to_owned(),
            body: self.body.to_owned(),
            caption: self.caption.map(str::to_owned),
            media: self.media.cloned(),
            quoted_wa_id: self.quoted_wa_id.map(str::to_owned),
            status: self.status,
            ack: self.ack,
            error: None,
            campaign_id: self.campaign_id,
            timestamp: to_rfc3339(self.wa_timestamp),
            created_at: to_rfc3339(now),
            history: self.history,
            revoked_at: None,
            edited_at: None,
            original_text: None,
        }
    }
}

pub(crate) fn set_status(
    conn: &Connection,
    id: i64,
    status: MessageStatus,
    ack: i32,
    error: Option<&str>,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET status = ?2, ack = ?3, error = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), ack, error, now])?;
    Ok(())
}

/// Messages of one contact, newest first, before an optional id (for scrolling back). The page
/// continues from the cursor message's place in the thread's order `(wa_timestamp, id)`, so a
/// message that arrived late with an older timestamp (history sync) is neither skipped nor repeated.
pub(crate) fn of_contact(
    conn: &Connection,
    contact_id: i64,
    before_id: Option<i64>,
    limit: usize,
) -> Result<Vec<Message>> {
    let position = match before_id {
        Some(id) => conn
            .prepare_cached("SELECT wa_timestamp FROM messages WHERE id = ?1")?
            .query_row([id], |r| r.get::<_, Millis>(0))
            .optional()?
            .map(|at| (at, id))
            // The cursor message is gone (its contact was erased): nothing older to show.
            .unwrap_or((i64::MIN, i64::MIN)),
        None => (i64::MAX, i64::MAX),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE contact_id = ?1 AND (wa_timestamp, id) < (?2, ?3)
         ORDER BY wa_timestamp DESC, id DESC LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            params![contact_id, position.0, position.1, limit as i64],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// All messages, newest first, optionally matching a full-text query.
pub(crate) fn list(
    conn: &Connection,
    query: Option<&str>,
    before_id: Option<i64>,
    limit: usize,
) -> Result<Vec<Message>> {
    let before = before_id.unwrap_or(i64::MAX);
    let rows = match query {
        Some(q) => {
            // FTS5 walks its rowids newest first and stops at the LIMIT, instead of collecting
            // every match of a common word before sorting them.
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages WHERE id IN
                     (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid < ?2
                      ORDER BY rowid DESC LIMIT ?3)
                 ORDER BY id DESC"
            ))?;
            let found = stmt
                .query_map(
                    params![crate::search::fts_query(q), before, limit as i64],
                    from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            found
        }
        None => {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            let found = stmt
                .query_map(params![before, limit as i64], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            found
        }
    };
    Ok(rows)
}

// --- outbox ---

pub(crate) fn enqueue(conn: &Connection, message_id: i64, now: Millis) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO outbox (message_id, state, attempts, next_try_at, created_at)
         VALUES (?1, 'queued', 0, ?2, ?2)",
    )?
    .execute(params![message_id, now])?;
    Ok(())
}

/// The next send that is due, oldest first.
pub(crate) fn next_due(conn: &Connection, now: Millis) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT message_id, attempts FROM outbox WHERE state = 'queued' AND next_try_at <= ?1
             ORDER BY next_try_at, message_id LIMIT 1",
        )?
        .query_row([now], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub(crate) fn claim(conn: &Connection, message_id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE message_id = ?1",
    )?
    .execute([message_id])?;
    Ok(())
}

pub(crate) fn retry_later(conn: &Connection, message_id: i64, at: Millis) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET state = 'queued', next_try_at = ?2 WHERE message_id = ?1",
    )?
    .execute(params![message_id, at])?;
    Ok(())
}

pub(crate) fn dequeue(conn: &Connection, message_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE message_id = ?1")?
        .execute([message_id])?;
    Ok(())
}

/// Sends interrupted by a crash: handed to WhatsApp or not, nobody knows yet.
pub(crate) fn in_doubt(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT message_id FROM outbox WHERE state = 'sending'")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}
