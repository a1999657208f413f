//! SQL for `campaigns` and `campaign_recipients`: campaigns as rows, the audience (counted, or frozen
//! into recipients in one statement), the next recipient, recipient changes with the campaign's
//! counters kept in step, and the outgoing-message counts the pacing caps read.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql};

use crate::campaigns::{CampaignStatus, Recipient, RecipientStatus, TargetType};
use crate::clock::Millis;
use crate::contacts::TagMode;
use crate::error::Result;

/// A campaign as stored (times in milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub message_content: String,
    pub media_path: Option<String>,
    pub media_mime: Option<String>,
    pub media_filename: Option<String>,
    pub audience: Audience,
    /// The pacing policy as JSON.
    pub pacing: String,
    pub status: CampaignStatus,
    pub status_reason: Option<String>,
    pub scheduled_at: Option<Millis>,
    pub started_at: Option<Millis>,
    pub completed_at: Option<Millis>,
    pub counts: Counts,
    pub next_gap_ms: Millis,
    pub burst_sent: i64,
    pub next_send_at: Option<Millis>,
    pub waiting_for: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Who a campaign is for.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Audience {
    pub target_type: TargetType,
    pub target_tags: Vec<i64>,
    pub tag_mode: TagMode,
    pub exclude_tags: Vec<i64>,
    pub contact_ids: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    pub total: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub skipped: i64,
    pub replied: i64,
}

impl Counts {
    /// Recipients still waiting for their message to go out.
    pub fn pending(&self) -> i64 {
        (self.total - self.sent - self.failed - self.skipped).max(0)
    }
}

const COLUMNS: &str = "id, name, message_content, media_path, media_mime, media_filename,
    target_type, target_tags, tag_mode, exclude_tags, contact_ids, pacing, status, status_reason,
    scheduled_at, started_at, completed_at, total_recipients, sent_count, delivered_count,
    read_count, failed_count, skipped_count, replied_count, next_gap_ms, burst_sent, next_send_at,
    waiting_for, created_at, updated_at";

fn ids(text: String) -> Vec<i64> {
    serde_json::from_str(&text).unwrap_or_default()
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn from_row(row: &Row) -> rusqlite::Result<CampaignRow> {
    Ok(CampaignRow {
        id: row.get(0)?,
        name: row.get(1)?,
        message_content: row.get(2)?,
        media_path: row.get(3)?,
        media_mime: row.get(4)?,
        media_filename: row.get(5)?,
        audience: Audience {
            target_type: TargetType::parse(&row.get::<_, String>(6)?),
            target_tags: ids(row.get(7)?),
            tag_mode: if row.get::<_, String>(8)? == "all" {
                TagMode::All
            } else {
                TagMode::Any
            },
            exclude_tags: ids(row.get(9)?),
            contact_ids: ids(row.get(10)?),
        },
        pacing: row.get(11)?,
        status: CampaignStatus::parse(&row.get::<_, String>(12)?),
        status_reason: row.get(13)?,
        scheduled_at: row.get(14)?,
        started_at: row.get(15)?,
        completed_at: row.get(16)?,
        counts: Counts {
            total: row.get(17)?,
            sent: row.get(18)?,
            delivered: row.get(19)?,
            read: row.get(20)?,
            failed: row.get(21)?,
            skipped: row.get(22)?,
            replied: row.get(23)?,
        },
        next_gap_ms: row.get(24)?,
        burst_sent: row.get(25)?,
        next_send_at: row.get(26)?,
        waiting_for: row.get(27)?,
        created_at: row.get(28)?,
        updated_at: row.get(29)?,
    })
}

/// The editable part of a campaign.
pub(crate) struct CampaignFields<'a> {
    pub name: &'a str,
    pub message_content: &'a str,
    pub media: Option<(&'a str, &'a str, Option<&'a str>)>,
    pub audience: &'a Audience,
    pub pacing: &'a str,
    pub status: CampaignStatus,
    pub scheduled_at: Option<Millis>,
}

/// The editable columns' values in the order insert and update bind them (?1 to ?13), then `now`
/// (?14).
fn field_values<'a>(f: &CampaignFields<'a>, now: Millis) -> Vec<Box<dyn ToSql + 'a>> {
    vec![
        Box::new(f.name),
        Box::new(f.message_content),
        Box::new(f.media.map(|m| m.0)),
        Box::new(f.media.map(|m| m.1)),
        Box::new(f.media.and_then(|m| m.2)),
        Box::new(f.audience.target_type.as_str()),
        Box::new(ids_json(&f.audience.target_tags)),
        Box::new(tag_mode_str(f.audience.tag_mode)),
        Box::new(ids_json(&f.audience.exclude_tags)),
        Box::new(ids_json(&f.audience.contact_ids)),
        Box::new(f.pacing),
        Box::new(f.status.as_str()),
        Box::new(f.scheduled_at),
        Box::new(now),
    ]
}

pub(crate) fn insert(conn: &Connection, f: &CampaignFields, now: Millis) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO campaigns (name, message_content, media_path, media_mime, media_filename,
             target_type, target_tags, tag_mode, exclude_tags, contact_ids, pacing, status,
             scheduled_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
    )?
    .execute(params_from_iter(field_values(f, now)))?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn update(conn: &Connection, id: i64, f: &CampaignFields, now: Millis) -> Result<()> {
    let mut values = field_values(f, now);
    values.push(Box::new(id));
    conn.prepare_cached(
        "UPDATE campaigns SET name = ?1, message_content = ?2, media_path = ?3, media_mime = ?4,
             media_filename = ?5, target_type = ?6, target_tags = ?7, tag_mode = ?8,
             exclude_tags = ?9, contact_ids = ?10, pacing = ?11, status = ?12, scheduled_at = ?13,
             updated_at = ?14
         WHERE id = ?15",
    )?
    .execute(params_from_iter(values))?;
    Ok(())
}

fn tag_mode_str(mode: TagMode) -> &'static str {
    match mode {
        TagMode::Any => "any",
        TagMode::All => "all",
    }
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<CampaignRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// Campaigns newest first, before an optional id, optionally of one status.
pub(crate) fn list(
    conn: &Connection,
    status: Option<CampaignStatus>,
    before_id: Option<i64>,
    limit: usize,
) -> Result<Vec<CampaignRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM campaigns WHERE id < ?1 AND (?2 IS NULL OR status = ?2)
         ORDER BY id DESC LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![
                before_id.unwrap_or(i64::MAX),
                status.map(CampaignStatus::as_str),
                limit as i64
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Campaigns in one status, oldest started first.
pub(crate) fn with_status(conn: &Connection, status: CampaignStatus) -> Result<Vec<CampaignRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM campaigns WHERE status = ?1
         ORDER BY coalesce(started_at, scheduled_at, created_at), id"
    ))?;
    let rows = stmt
        .query_map([status.as_str()], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM campaigns WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Moves a campaign to `status` if it is in one of `from`; returns whether it moved.
pub(crate) fn transition(
    conn: &Connection,
    id: i64,
    from: &[CampaignStatus],
    status: CampaignStatus,
    reason: Option<&str>,
    now: Millis,
) -> Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let mut update = conn.prepare_cached(
        "UPDATE campaigns SET status = ?2, status_reason = ?3, updated_at = ?4,
             started_at = CASE WHEN ?2 = 'sending' THEN coalesce(started_at, ?4) ELSE started_at END,
             completed_at = CASE WHEN ?2 IN ('completed', 'cancelled', 'failed') THEN ?4
                                 ELSE completed_at END,
             failures_in_row = CASE WHEN ?2 = 'sending' THEN 0 ELSE failures_in_row END,
             next_send_at = CASE WHEN ?2 = 'sending' THEN next_send_at END,
             waiting_for = CASE WHEN ?2 = 'sending' THEN waiting_for END
         WHERE id = ?1 AND status IN (SELECT value FROM json_each(?5))",
    )?;
    let changed = update.execute(params![
        id,
        status.as_str(),
        reason,
        now,
        serde_json::to_string(&from).unwrap_or_default()
    ])?;
    Ok(changed > 0)
}

/// What the scheduler shows the UI about its next send.
pub(crate) fn set_waiting(
    conn: &Connection,
    id: i64,
    next_send_at: Option<Millis>,
    waiting_for: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE campaigns SET next_send_at = ?2, waiting_for = ?3
         WHERE id = ?1 AND (next_send_at IS NOT ?2 OR waiting_for IS NOT ?3)",
    )?
    .execute(params![id, next_send_at, waiting_for])?;
    Ok(())
}

/// After a send: the gap drawn for the next one and the sends in the current burst.
pub(crate) fn record_send(
    conn: &Connection,
    id: i64,
    next_gap_ms: Millis,
    burst_sent: i64,
) -> Result<()> {
    conn.prepare_cached("UPDATE campaigns SET next_gap_ms = ?2, burst_sent = ?3 WHERE id = ?1")?
        .execute(params![id, next_gap_ms, burst_sent])?;
    Ok(())
}

/// Sends of the campaign that failed one after another, up to its latest.
pub(crate) fn failures_in_row(conn: &Connection, id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT failures_in_row FROM campaigns WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

// --- audience ---

/// The `WHERE` clause (on `contacts c`) selecting an audience; parameters ?1 tags, ?2 excluded
/// tags, ?3 hand-picked ids, ?4 the number of tags (for "all").
fn audience_sql(audience: &Audience) -> &'static str {
    match (audience.target_type, audience.tag_mode) {
        (TargetType::All, _) => {
            "NOT EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = c.id
                 AND x.tag_id IN (SELECT value FROM json_each(?2)))
             AND ?1 = ?1 AND ?3 = ?3 AND ?4 = ?4"
        }
        (TargetType::Tags, TagMode::Any) => {
            "EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id
                 AND t.tag_id IN (SELECT value FROM json_each(?1)))
             AND NOT EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = c.id
                 AND x.tag_id IN (SELECT value FROM json_each(?2)))
             AND ?3 = ?3 AND ?4 = ?4"
        }
        (TargetType::Tags, TagMode::All) => {
            "(SELECT count(*) FROM contact_tags t WHERE t.contact_id = c.id
                 AND t.tag_id IN (SELECT value FROM json_each(?1))) = ?4
             AND NOT EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = c.id
                 AND x.tag_id IN (SELECT value FROM json_each(?2)))
             AND ?3 = ?3"
        }
        (TargetType::Custom, _) => {
            "c.id IN (SELECT value FROM json_each(?3))
             AND NOT EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = c.id
                 AND x.tag_id IN (SELECT value FROM json_each(?2)))
             AND ?1 = ?1 AND ?4 = ?4"
        }
    }
}

fn audience_params(audience: &Audience) -> (String, String, String, i64) {
    let mut tags = audience.target_tags.clone();
    tags.sort_unstable();
    tags.dedup();
    (
        ids_json(&tags),
        ids_json(&audience.exclude_tags),
        ids_json(&audience.contact_ids),
        tags.len() as i64,
    )
}

/// How many contacts an audience has, and how many of them cannot be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AudienceCount {
    pub total: i64,
    pub opted_out: i64,
    pub no_phone: i64,
}

pub(crate) fn count_audience(conn: &Connection, audience: &Audience) -> Result<AudienceCount> {
    let p = audience_params(audience);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*), coalesce(sum(c.opted_out), 0),
                 coalesce(sum(c.opted_out = 0 AND c.phone_number IS NULL), 0)
             FROM contacts c WHERE {}",
            audience_sql(audience)
        ))?
        .query_row(params![p.0, p.1, p.2, p.3], |r| {
            Ok(AudienceCount {
                total: r.get(0)?,
                opted_out: r.get(1)?,
                no_phone: r.get(2)?,
            })
        })?)
}

/// The first contact of an audience who can be sent to (for the preview).
pub(crate) fn first_eligible(conn: &Connection, audience: &Audience) -> Result<Option<i64>> {
    let p = audience_params(audience);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT c.id FROM contacts c WHERE {} AND c.opted_out = 0
                     AND c.phone_number IS NOT NULL
                 ORDER BY c.id LIMIT 1",
            audience_sql(audience)
        ))?
        .query_row(params![p.0, p.1, p.2, p.3], |r| r.get(0))
        .optional()?)
}

/// Freezes the audience into recipients in one statement: opted-out contacts and contacts without
/// a phone number are recorded as skipped with their reason. Sets the campaign's counters.
pub(crate) fn freeze_recipients(conn: &Connection, id: i64, audience: &Audience) -> Result<Counts> {
    let p = audience_params(audience);
    conn.prepare_cached("DELETE FROM campaign_recipients WHERE campaign_id = ?1")?
        .execute([id])?;
    conn.prepare_cached(&format!(
        "INSERT INTO campaign_recipients (campaign_id, contact_id, phone_number, position, status,
                 reason)
             SELECT ?5, c.id, coalesce(c.phone_number, c.wa_id), row_number() OVER (ORDER BY c.id),
                 CASE WHEN c.opted_out OR c.phone_number IS NULL THEN 'skipped' ELSE 'pending' END,
                 CASE WHEN c.opted_out THEN 'opted out'
                      WHEN c.phone_number IS NULL THEN 'no phone number' END
             FROM contacts c WHERE {}",
        audience_sql(audience)
    ))?
    .execute(params![p.0, p.1, p.2, p.3, id])?;
    let (total, skipped): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(status = 'skipped'), 0) FROM campaign_recipients
         WHERE campaign_id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    conn.prepare_cached(
        "UPDATE campaigns SET total_recipients = ?2, skipped_count = ?3, sent_count = 0,
             delivered_count = 0, read_count = 0, failed_count = 0, replied_count = 0,
             burst_sent = 0, next_gap_ms = 0, failures_in_row = 0
         WHERE id = ?1",
    )?
    .execute(params![id, total, skipped])?;
    Ok(Counts {
        total,
        skipped,
        ..Counts::default()
    })
}

/// Custom field keys any contact has (the variables a template may use beyond the built-in ones).
pub(crate) fn custom_field_keys(conn: &Connection) -> Result<std::collections::BTreeSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT f.key FROM contacts c, json_each(c.fields) f WHERE c.fields <> '{}'",
    )?;
    let keys = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// Tag ids among `ids` that do not exist.
pub(crate) fn missing_tags(conn: &Connection, ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT value FROM json_each(?1) WHERE value NOT IN (SELECT id FROM tags)",
    )?;
    let missing = stmt
        .query_map([ids_json(ids)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(missing)
}

// --- recipients ---

/// A recipient's columns, with its contact's name (empty once the contact is deleted), in the order
/// `recipient_from_row` reads them.
const RECIPIENT_COLUMNS: &str = "r.id, r.campaign_id, r.contact_id, r.phone_number,
    coalesce(nullif(c.name, ''), c.push_name, ''), r.position, r.status, r.reason, r.message_id,
    r.sent_at, r.delivered_at, r.read_at, r.replied_at";

fn recipient_from_row(row: &Row) -> rusqlite::Result<Recipient> {
    Ok(Recipient {
        id: row.get(0)?,
        campaign_id: row.get(1)?,
        contact_id: row.get(2)?,
        phone_number: row.get(3)?,
        name: row.get(4)?,
        position: row.get(5)?,
        status: RecipientStatus::parse(&row.get::<_, String>(6)?),
        reason: row.get(7)?,
        message_id: row.get(8)?,
        sent_at: row.get(9)?,
        delivered_at: row.get(10)?,
        read_at: row.get(11)?,
        replied_at: row.get(12)?,
    })
}

pub(crate) fn recipient(conn: &Connection, id: i64) -> Result<Option<Recipient>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients r
                 LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.id = ?1"
        ))?
        .query_row([id], recipient_from_row)
        .optional()?)
}

/// A page of recipients in campaign order, after a position, optionally of one status.
pub(crate) fn recipients(
    conn: &Connection,
    campaign_id: i64,
    status: Option<RecipientStatus>,
    after_position: i64,
    limit: usize,
) -> Result<Vec<Recipient>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients r
         LEFT JOIN contacts c ON c.id = r.contact_id
         WHERE r.campaign_id = ?1 AND r.position > ?2 AND (?3 IS NULL OR r.status = ?3)
         ORDER BY r.position LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            params![
                campaign_id,
                after_position,
                status.map(RecipientStatus::as_str),
                limit as i64
            ],
            recipient_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The recipient whose message is queued but not yet out (at most one per campaign).
pub(crate) fn in_flight(conn: &Connection, campaign_id: i64) -> Result<Option<(i64, i64)>> {
    // The index is named, since the planner would otherwise walk every pending recipient by the
    // wider `campaign_recipients_next` index.
    Ok(conn
        .prepare_cached(
            "SELECT id, message_id FROM campaign_recipients INDEXED BY campaign_recipients_in_flight
             WHERE campaign_id = ?1 AND status = 'pending' AND message_id IS NOT NULL LIMIT 1",
        )?
        .query_row([campaign_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The next recipient to send to: pending, no message yet, first in order.
pub(crate) fn next_pending(conn: &Connection, campaign_id: i64) -> Result<Option<Recipient>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients r
                 LEFT JOIN contacts c ON c.id = r.contact_id
                 WHERE r.campaign_id = ?1 AND r.status = 'pending' AND r.message_id IS NULL
                 ORDER BY r.position LIMIT 1"
        ))?
        .query_row([campaign_id], recipient_from_row)
        .optional()?)
}

/// Ties a recipient to the message queued for it (in the transaction that queues it).
pub(crate) fn attach_message(conn: &Connection, recipient_id: i64, message_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE campaign_recipients SET message_id = ?2 WHERE id = ?1")?
        .execute(params![recipient_id, message_id])?;
    Ok(())
}

/// The recipient a campaign message was sent to.
pub(crate) fn recipient_of_message(conn: &Connection, message_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM campaign_recipients WHERE message_id = ?1")?
        .query_row([message_id], |r| r.get(0))
        .optional()?)
}

/// Recipients of `contact_id` not yet sent to, in campaigns that are running or paused.
pub(crate) fn unsent_of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id FROM campaign_recipients r JOIN campaigns k ON k.id = r.campaign_id
         WHERE r.contact_id = ?1 AND r.status = 'pending' AND r.message_id IS NULL
             AND k.status IN ('sending', 'paused')",
    )?;
    let ids = stmt
        .query_map([contact_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Recipients of `contact_id` sent to within `window` before `at` who have not replied yet.
pub(crate) fn awaiting_reply(
    conn: &Connection,
    contact_id: i64,
    at: Millis,
    window: Millis,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM campaign_recipients
         WHERE contact_id = ?1 AND sent_at BETWEEN ?2 AND ?3 AND replied_at IS NULL
             AND status IN ('sent', 'delivered', 'read')",
    )?;
    let ids = stmt
        .query_map(params![contact_id, at - window, at], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Writes a recipient's new state and moves the campaign's counters by the difference, so the
/// counters always equal what the recipients say; in the same statement, a send that failed adds
/// one to the failures in a row and one that went out resets them (the scheduler reads them before
/// every send, so a ban sign stops the next send even before the campaigns are paused).
pub(crate) fn save_recipient(conn: &Connection, old: &Recipient, new: &Recipient) -> Result<()> {
    conn.prepare_cached(
        "UPDATE campaign_recipients SET status = ?2, reason = ?3, sent_at = ?4, delivered_at = ?5,
             read_at = ?6, replied_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        new.id,
        new.status.as_str(),
        new.reason,
        new.sent_at,
        new.delivered_at,
        new.read_at,
        new.replied_at
    ])?;
    let delta = |o: bool, n: bool| n as i64 - o as i64;
    conn.prepare_cached(
        "UPDATE campaigns SET sent_count = sent_count + ?2, delivered_count = delivered_count + ?3,
             read_count = read_count + ?4, replied_count = replied_count + ?5,
             failed_count = failed_count + ?6, skipped_count = skipped_count + ?7,
             failures_in_row = CASE WHEN ?6 > 0 THEN failures_in_row + 1
                                    WHEN ?2 > 0 THEN 0 ELSE failures_in_row END
         WHERE id = ?1",
    )?
    .execute(params![
        new.campaign_id,
        delta(old.sent_at.is_some(), new.sent_at.is_some()),
        delta(old.delivered_at.is_some(), new.delivered_at.is_some()),
        delta(old.read_at.is_some(), new.read_at.is_some()),
        delta(old.replied_at.is_some(), new.replied_at.is_some()),
        delta(
            old.status == RecipientStatus::Failed,
            new.status == RecipientStatus::Failed
        ),
        delta(
            old.status == RecipientStatus::Skipped,
            new.status == RecipientStatus::Skipped
        ),
    ])?;
    Ok(())
}

// --- outgoing messages, for the caps ---

const MINUTE_MS: Millis = 60_000;

/// Outgoing messages (any: campaigns, the inbox, the API, the phone) timed at or after `from`: whole
/// minutes from the per-minute counts (V10), the part of a minute before them from the messages, so
/// the cost does not grow with the number of messages.
pub(crate) fn count_outgoing_since(conn: &Connection, from: Millis) -> Result<i64> {
    let first_whole_minute =
        from.div_euclid(MINUTE_MS) + i64::from(from.rem_euclid(MINUTE_MS) != 0);
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT coalesce(sum(sent), 0) FROM outgoing_per_minute WHERE minute >= ?2)
              + (SELECT count(*) FROM messages
                 WHERE wa_timestamp >= ?1 AND wa_timestamp < ?2 * 60000 AND direction = 'out')",
        )?
        .query_row(params![from, first_whole_minute], |r| r.get(0))?)
}

/// The time of the `n`th newest outgoing message after `after`, if there are that many: the oldest
/// one a cap of `n` counts. It walks `n` messages, so ask only once the count reached the cap.
pub(crate) fn nth_newest_outgoing_after(
    conn: &Connection,
    after: Millis,
    n: i64,
) -> Result<Option<Millis>> {
    Ok(conn
        .prepare_cached(
            "SELECT wa_timestamp FROM messages WHERE wa_timestamp > ?1 AND direction = 'out'
             ORDER BY wa_timestamp DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![after, n - 1], |r| r.get(0))
        .optional()?)
}

/// When the last outgoing message was queued or sent.
pub(crate) fn last_outgoing(conn: &Connection) -> Result<Option<Millis>> {
    // Newest first along the time index, stopping at the first outgoing one.
    Ok(conn
        .prepare_cached(
            "SELECT wa_timestamp FROM messages WHERE direction = 'out'
             ORDER BY wa_timestamp DESC LIMIT 1",
        )?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// When the current number was first linked (the warm-up counts from there; see
/// `store::connection::save`).
pub(crate) fn linked_at(conn: &Connection) -> Result<Option<Millis>> {
    Ok(conn
        .prepare_cached("SELECT linked_at FROM whatsapp_connection WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    fn add_message(conn: &Connection, n: i64, direction: &str, at: Millis) {
        conn.execute(
            "INSERT INTO messages (wa_message_id, contact_id, direction, type, status, wa_timestamp,
                 created_at, updated_at)
             VALUES (?1, 1, ?2, 'chat', 'sent', ?3, 0, 0)",
            params![format!("m{n}"), direction, at],
        )
        .unwrap();
    }

    #[test]
    fn outgoing_counts_agree_with_the_messages_across_minute_edges() {
        let db = Db::in_memory().unwrap();
        db.with(|c| {
            c.execute(
                "INSERT INTO contacts (id, phone_number, created_at, updated_at)
                 VALUES (1, '+15550001111', 0, 0)",
                [],
            )?;
            // Outgoing and incoming messages every 7.3 s over 20 minutes, from the phone or the app.
            for n in 0..165 {
                let direction = if n % 4 == 0 { "in" } else { "out" };
                add_message(c, n, direction, 1_800_000_000_000 + n * 7_300);
            }
            c.execute(
                "DELETE FROM messages WHERE wa_message_id IN ('m5', 'm77')",
                [],
            )?;
            let brute = |from: Millis| -> i64 {
                c.query_row(
                    "SELECT count(*) FROM messages WHERE direction = 'out' AND wa_timestamp >= ?1",
                    [from],
                    |r| r.get(0),
                )
                .unwrap()
            };
            for from in (1_799_999_990_000..1_800_001_250_000).step_by(4_999) {
                assert_eq!(count_outgoing_since(c, from)?, brute(from), "from {from}");
            }
            let newest = |n: i64| nth_newest_outgoing_after(c, 1_800_000_000_000, n).unwrap();
            assert_eq!(newest(1), Some(1_800_000_000_000 + 163 * 7_300));
            assert_eq!(newest(2), Some(1_800_000_000_000 + 162 * 7_300));
            assert_eq!(
                newest(3),
                Some(1_800_000_000_000 + 161 * 7_300),
                "m164 is incoming"
            );
            assert_eq!(newest(200), None);
            Ok(())
        })
        .unwrap();
    }
}
