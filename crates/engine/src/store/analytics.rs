//! SQL for the dashboard's figures. Everything is read from the `messages`, `contacts` and
//! `campaigns` rows themselves; `crate::analytics` buckets and counts what these queries return.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;

/// How long after a business message an answer counts as a reply (and an opt-out as caused by it).
pub(crate) const REPLY_WINDOW_MS: Millis = 24 * 3_600_000;

/// The columns of a message the figures need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageRow {
    pub contact_id: i64,
    pub inbound: bool,
    pub ack: i32,
    pub from_campaign: bool,
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

/// Calls `each` for every message with `from <= wa_timestamp < to`, oldest first (ties by id).
pub(crate) fn each_message(
    conn: &Connection,
    from: Millis,
    to: Millis,
    mut each: impl FnMut(MessageRow),
) -> Result<()> {
    let mut statement = conn.prepare_cached(
        "SELECT contact_id, direction = 'in', ack, campaign_id IS NOT NULL, type, wa_timestamp
         FROM messages WHERE wa_timestamp >= ?1 AND wa_timestamp < ?2
         ORDER BY wa_timestamp, id",
    )?;
    let mut rows = statement.query(params![from, to])?;
    while let Some(row) = rows.next()? {
        each(MessageRow {
            contact_id: row.get(0)?,
            inbound: row.get(1)?,
            ack: row.get(2)?,
            from_campaign: row.get(3)?,
            kind: Kind::of(row.get_ref(4)?.as_str().unwrap_or("")),
            at: row.get(5)?,
        });
    }
    Ok(())
}

/// When the business next wrote to a contact (not a campaign message, accepted by WhatsApp) at or
/// after `after`: the first response to a customer still waiting when the scanned window ended.
pub(crate) fn next_response(
    conn: &Connection,
    contact_id: i64,
    after: Millis,
) -> Result<Option<Millis>> {
    Ok(conn
        .prepare_cached(
            "SELECT wa_timestamp FROM messages
             WHERE contact_id = ?1 AND wa_timestamp >= ?2 AND direction = 'out' AND ack >= 1
               AND campaign_id IS NULL
             ORDER BY wa_timestamp LIMIT 1",
        )?
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

/// A campaign's figures over all its messages.
#[derive(Debug, Clone)]
pub(crate) struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub replied: i64,
    pub failed: i64,
    pub opted_out: i64,
    pub first_sent_at: Option<Millis>,
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

fn campaign_row(r: &rusqlite::Row) -> rusqlite::Result<CampaignRow> {
    Ok(CampaignRow {
        id: r.get(0)?,
        name: r.get(1)?,
        status: r.get(2)?,
        sent: r.get(3)?,
        delivered: r.get(4)?,
        read: r.get(5)?,
        replied: r.get(6)?,
        failed: r.get(7)?,
        opted_out: r.get(8)?,
        first_sent_at: r.get(9)?,
    })
}

pub(crate) fn campaign(conn: &Connection, id: i64) -> Result<Option<CampaignRow>> {
    let sql = format!("{CAMPAIGN_FIGURES} WHERE c.id = ?1 GROUP BY c.id");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, 0, REPLY_WINDOW_MS], campaign_row)
        .optional()?)
}

/// Campaigns with a message in `[from, to)`, oldest first sent first.
pub(crate) fn campaigns_active(
    conn: &Connection,
    from: Millis,
    to: Millis,
) -> Result<Vec<CampaignRow>> {
    let sql = format!(
        "{CAMPAIGN_FIGURES}
         WHERE c.id IN (SELECT campaign_id FROM messages
                        WHERE campaign_id IS NOT NULL AND wa_timestamp >= ?1 AND wa_timestamp < ?2)
         GROUP BY c.id ORDER BY min(m.wa_timestamp), c.id"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![from, to, REPLY_WINDOW_MS], campaign_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
