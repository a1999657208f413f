//! SQL for the dashboard's figures. Everything is read from the `messages`, `contacts` and
//! `campaigns` rows themselves; `crate::analytics` buckets and counts what these queries return
//! (campaign funnels come out whole).

use rusqlite::{params, Connection, OptionalExtension};

use crate::analytics::{ratio, CampaignFigures};
use crate::clock::{to_rfc3339, Millis};
use crate::error::Result;

/// How long after a business message an answer counts as a reply (and an opt-out as caused by it).
pub(crate) const REPLY_WINDOW_MS: Millis = 24 * 3_600_000;

/// The columns of a message the figures need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageRow {
    pub contact_id: i64,
    pub inbound: bool,
    pub ack: i32,
    pub campaign_id: Option<i64>,
    pub kind: Kind,
    pub at: Millis,
}

/// Message types grouped the way the charts stack them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Media,
    Voice,
    Document,
    Other,
}

impl Kind {
    fn of(kind: &str) -> Kind {
        match kind {
            "chat" => Kind::Text,
            "image" | "video" | "sticker" | "gif" => Kind::Media,
            "audio" | "ptt" => Kind::Voice,
            "document" => Kind::Document,
            _ => Kind::Other,
        }
    }
}

/// Every message with `from <= wa_timestamp < to`, oldest first (ties by id). Read from the
/// covering index `messages_analytics` alone (V9).
pub const SCAN_SQL: &str =
    "SELECT contact_id, direction = 'in', ack, campaign_id, type, wa_timestamp
     FROM messages WHERE wa_timestamp >= ?1 AND wa_timestamp < ?2
     ORDER BY wa_timestamp, id";

/// Calls `each` for every message of [`SCAN_SQL`].
pub(crate) fn each_message(
    conn: &Connection,
    from: Millis,
    to: Millis,
    mut each: impl FnMut(MessageRow),
) -> Result<()> {
    let mut statement = conn.prepare_cached(SCAN_SQL)?;
    let mut rows = statement.query(params![from, to])?;
    while let Some(row) = rows.next()? {
        each(MessageRow {
            contact_id: row.get(0)?,
            inbound: row.get(1)?,
            ack: row.get(2)?,
            campaign_id: row.get(3)?,
            kind: Kind::of(row.get_ref(4)?.as_str().unwrap_or("")),
            at: row.get(5)?,
        });
    }
    Ok(())
}

/// How many contacts there are, and their largest id.
pub(crate) fn contact_ids(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT count(*), coalesce(max(id), 0) FROM contacts")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// What counts as the business answering a customer: its own message (not a campaign's), accepted
/// by WhatsApp.
const ANSWER: &str = "direction = 'out' AND ack >= 1 AND campaign_id IS NULL";

/// Calls `each` with the contact and time of every answer at or after `after`, oldest first, while
/// it returns true; true when it went through every answer. Walks the covering index in time order.
pub(crate) fn each_answer_after(
    conn: &Connection,
    after: Millis,
    mut each: impl FnMut(i64, Millis) -> bool,
) -> Result<bool> {
    let sql = format!(
        "SELECT contact_id, wa_timestamp FROM messages WHERE wa_timestamp >= ?1 AND {ANSWER}
         ORDER BY wa_timestamp, id"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query([after])?;
    while let Some(row) = rows.next()? {
        if !each(row.get(0)?, row.get(1)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// When the business next answered one contact at or after `after`: one look-up in the contact's
/// thread, for the customers [`each_answer_after`] did not reach soon.
pub(crate) fn next_answer(
    conn: &Connection,
    contact_id: i64,
    after: Millis,
) -> Result<Option<Millis>> {
    let sql = format!(
        "SELECT wa_timestamp FROM messages
         WHERE contact_id = ?1 AND wa_timestamp >= ?2 AND {ANSWER}
         ORDER BY wa_timestamp LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![contact_id, after], |r| r.get(0))
        .optional()?)
}

/// When a contact became known to the business: when it was added, or its first message if that
/// came earlier (history synced after the contact row was made).
const CONTACT_SINCE: &str = "min(created_at, coalesce(first_message_at, created_at))";

/// (since, source) of every contact that became known in `[from, to)`.
pub(crate) fn contact_arrivals(
    conn: &Connection,
    from: Millis,
    to: Millis,
) -> Result<Vec<(Millis, String)>> {
    let sql = format!(
        "SELECT {CONTACT_SINCE} AS since, source FROM contacts
         WHERE since >= ?1 AND since < ?2"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many contacts were known before `at`.
pub(crate) fn contacts_before(conn: &Connection, at: Millis) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM contacts WHERE {CONTACT_SINCE} < ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([at], |r| r.get(0))?)
}

/// When each contact still opted out did so, for opt-outs in `[from, to)`.
pub(crate) fn opt_outs(conn: &Connection, from: Millis, to: Millis) -> Result<Vec<Millis>> {
    let mut statement = conn.prepare_cached(
        "SELECT opted_out_at FROM contacts
         WHERE opted_out = 1 AND opted_out_at >= ?1 AND opted_out_at < ?2",
    )?;
    let rows = statement.query_map(params![from, to], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Figures per campaign from its messages: sent = accepted by WhatsApp (ack ≥ 1), delivered
/// (ack ≥ 2), read (ack ≥ 3); replied = the recipient wrote back within the reply window; opted
/// out = the recipient opted out within the reply window after it.
const CAMPAIGN_FIGURES: &str = "
    SELECT c.id, c.name, c.status,
        count(*) FILTER (WHERE m.ack >= 1),
        count(*) FILTER (WHERE m.ack >= 2),
        count(*) FILTER (WHERE m.ack >= 3),
        count(*) FILTER (WHERE m.ack >= 1 AND EXISTS (
            SELECT 1 FROM messages r
            WHERE r.contact_id = m.contact_id AND r.direction = 'in'
              AND r.wa_timestamp > m.wa_timestamp AND r.wa_timestamp <= m.wa_timestamp + ?3)),
        count(*) FILTER (WHERE m.status = 'failed'),
        count(DISTINCT ct.id) FILTER (WHERE ct.opted_out = 1
            AND ct.opted_out_at > m.wa_timestamp AND ct.opted_out_at <= m.wa_timestamp + ?3),
        min(m.wa_timestamp) FILTER (WHERE m.ack >= 1)
    FROM campaigns c
    LEFT JOIN messages m ON m.campaign_id = c.id AND m.direction = 'out'
    LEFT JOIN contacts ct ON ct.id = m.contact_id";

fn campaign_figures(r: &rusqlite::Row) -> rusqlite::Result<CampaignFigures> {
    let (sent, delivered, read, replied) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
    Ok(CampaignFigures {
        campaign_id: r.get(0)?,
        name: r.get(1)?,
        status: r.get(2)?,
        first_sent_at: r.get::<_, Option<Millis>>(9)?.map(to_rfc3339),
        sent,
        delivered,
        read,
        replied,
        failed: r.get(7)?,
        opted_out: r.get(8)?,
        delivery_rate: ratio(delivered, sent),
        read_rate: ratio(read, sent),
        reply_rate: ratio(replied, sent),
    })
}

/// One campaign's funnel over all its messages.
pub(crate) fn campaign(conn: &Connection, id: i64) -> Result<Option<CampaignFigures>> {
    let sql = format!("{CAMPAIGN_FIGURES} WHERE c.id = ?1 GROUP BY c.id");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, 0, REPLY_WINDOW_MS], campaign_figures)
        .optional()?)
}

/// When each campaign first sent in `[from, to)` sent its first message (accepted by WhatsApp).
pub(crate) fn campaigns_first_sent(
    conn: &Connection,
    from: Millis,
    to: Millis,
) -> Result<Vec<Millis>> {
    let mut statement = conn.prepare_cached(
        "SELECT first_sent_at FROM (
             SELECT (SELECT min(m.wa_timestamp) FROM messages m
                     WHERE m.campaign_id = c.id AND m.direction = 'out' AND m.ack >= 1)
                 AS first_sent_at
             FROM campaigns c)
         WHERE first_sent_at >= ?1 AND first_sent_at < ?2",
    )?;
    let rows = statement.query_map(params![from, to], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Campaigns with a message in `[from, to)`, oldest first sent first.
pub(crate) fn campaigns_active(
    conn: &Connection,
    from: Millis,
    to: Millis,
) -> Result<Vec<CampaignFigures>> {
    let sql = format!(
        "{CAMPAIGN_FIGURES}
         WHERE EXISTS (SELECT 1 FROM messages x
                       WHERE x.campaign_id = c.id AND x.wa_timestamp >= ?1 AND x.wa_timestamp < ?2)
         GROUP BY c.id ORDER BY min(m.wa_timestamp), c.id"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![from, to, REPLY_WINDOW_MS], campaign_figures)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
