//! SQL for `webhooks` and `webhook_deliveries`: the subscriptions and the persisted outbox of
//! deliveries, each webhook's taken strictly in id order.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;

#[derive(Debug, Clone)]
pub(crate) struct WebhookRow {
    pub id: i64,
    pub url: String,
    /// JSON array of event names or patterns.
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<Millis>,
    pub consecutive_failures: i64,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

const WEBHOOK_COLUMNS: &str = "id, url, events, secret, active, previous_secret, \
     previous_secret_until, consecutive_failures, disabled_reason, created_at, updated_at";

fn webhook(r: &rusqlite::Row) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.get(0)?,
        url: r.get(1)?,
        events: r.get(2)?,
        secret: r.get(3)?,
        active: r.get(4)?,
        previous_secret: r.get(5)?,
        previous_secret_until: r.get(6)?,
        consecutive_failures: r.get(7)?,
        disabled_reason: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub(crate) fn insert(
    conn: &Connection,
    url: &str,
    events: &str,
    secret: &str,
    active: bool,
    now: Millis,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO webhooks (url, events, secret, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![url, events, secret, active, now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<WebhookRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?1"),
            [id],
            webhook,
        )
        .optional()?)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<WebhookRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([], webhook)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The enabled webhooks' ids and event filters, for fanning an event out.
pub(crate) fn subscriptions(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, events FROM webhooks WHERE active = 1 ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Saves what the user edits; enabling clears the failure count and the reason it was disabled.
pub(crate) fn update(
    conn: &Connection,
    id: i64,
    url: &str,
    events: &str,
    active: bool,
    now: Millis,
) -> Result<()> {
    conn.execute(
        "UPDATE webhooks SET url = ?2, events = ?3, active = ?4, updated_at = ?5,
             consecutive_failures = CASE WHEN ?4 AND NOT active THEN 0 ELSE consecutive_failures END,
             disabled_reason = CASE WHEN ?4 THEN NULL ELSE disabled_reason END
         WHERE id = ?1",
        params![id, url, events, active, now],
    )?;
    Ok(())
}

pub(crate) fn rotate_secret(
    conn: &Connection,
    id: i64,
    secret: &str,
    previous_until: Millis,
    now: Millis,
) -> Result<()> {
    conn.execute(
        "UPDATE webhooks SET previous_secret = secret, previous_secret_until = ?3, secret = ?2,
             updated_at = ?4
         WHERE id = ?1",
        params![id, secret, previous_until, now],
    )?;
    Ok(())
}

pub(crate) fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM webhooks WHERE id = ?1", [id])? == 1)
}

/// After a delivery finally failed (`failed`) or succeeded: counts failures in a row, and disables
/// the webhook with `disable_reason` when given.
pub(crate) fn record_outcome(
    conn: &Connection,
    id: i64,
    failed: bool,
    disable_reason: Option<&str>,
    now: Millis,
) -> Result<i64> {
    conn.execute(
        "UPDATE webhooks SET
             consecutive_failures = CASE WHEN ?2 THEN consecutive_failures + 1 ELSE 0 END,
             active = CASE WHEN ?3 IS NOT NULL THEN 0 ELSE active END,
             disabled_reason = COALESCE(?3, disabled_reason),
             updated_at = CASE WHEN ?3 IS NOT NULL THEN ?4 ELSE updated_at END
         WHERE id = ?1",
        params![id, failed, disable_reason, now],
    )?;
    Ok(conn
        .query_row(
            "SELECT consecutive_failures FROM webhooks WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

#[derive(Debug, Clone)]
pub(crate) struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub response_excerpt: Option<String>,
    pub duration_ms: Option<i64>,
    pub last_attempt_at: Option<Millis>,
    pub created_at: Millis,
    pub delivered_at: Option<Millis>,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event_id, event_type, payload, state, attempts, \
     next_attempt_at, last_status, last_error, response_excerpt, duration_ms, last_attempt_at, \
     created_at, delivered_at";

fn delivery(r: &rusqlite::Row) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get(0)?,
        webhook_id: r.get(1)?,
        event_id: r.get(2)?,
        event_type: r.get(3)?,
        payload: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        last_status: r.get(8)?,
        last_error: r.get(9)?,
        response_excerpt: r.get(10)?,
        duration_ms: r.get(11)?,
        last_attempt_at: r.get(12)?,
        created_at: r.get(13)?,
        delivered_at: r.get(14)?,
    })
}

pub(crate) fn insert_delivery(
    conn: &Connection,
    webhook_id: i64,
    event_id: &str,
    event_type: &str,
    payload: &str,
    now: Millis,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO webhook_deliveries
             (webhook_id, event_id, event_type, payload, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![webhook_id, event_id, event_type, payload, now])?;
    Ok(conn.last_insert_rowid())
}

/// Each enabled webhook's oldest pending delivery (the only one that may go next) and when it is
/// due.
pub(crate) fn heads(conn: &Connection) -> Result<Vec<(i64, Millis)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.webhook_id, d.next_attempt_at
         FROM (SELECT webhook_id, MIN(id) AS id FROM webhook_deliveries
               WHERE state = 'pending' GROUP BY webhook_id) AS head
         JOIN webhook_deliveries d ON d.id = head.id
         JOIN webhooks w ON w.id = head.webhook_id
         WHERE w.active = 1",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A webhook's oldest pending delivery.
pub(crate) fn head(conn: &Connection, webhook_id: i64) -> Result<Option<DeliveryRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                 WHERE webhook_id = ?1 AND state = 'pending' ORDER BY id LIMIT 1"
            ),
            [webhook_id],
            delivery,
        )
        .optional()?)
}

pub(crate) fn get_delivery(
    conn: &Connection,
    webhook_id: i64,
    id: i64,
) -> Result<Option<DeliveryRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 AND id = ?2"
            ),
            [webhook_id, id],
            delivery,
        )
        .optional()?)
}

/// A webhook's deliveries, newest first, below the cursor id; `limit + 1` rows.
pub(crate) fn deliveries(
    conn: &Connection,
    webhook_id: i64,
    state: Option<&str>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<DeliveryRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE webhook_id = ?1 AND (?2 IS NULL OR state = ?2) AND id < ?3
         ORDER BY id DESC LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            params![
                webhook_id,
                state,
                before.unwrap_or(i64::MAX),
                limit as i64 + 1
            ],
            delivery,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// What one attempt came to.
pub(crate) struct Attempt<'a> {
    pub state: &'a str,
    pub next_attempt_at: Millis,
    pub status: Option<i64>,
    pub error: Option<&'a str>,
    pub excerpt: Option<&'a str>,
    pub duration_ms: i64,
    pub at: Millis,
}

pub(crate) fn record_attempt(conn: &Connection, id: i64, attempt: &Attempt) -> Result<()> {
    conn.execute(
        "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3,
             last_status = ?4, last_error = ?5, response_excerpt = ?6, duration_ms = ?7,
             last_attempt_at = ?8,
             delivered_at = CASE WHEN ?2 = 'delivered' THEN ?8 ELSE delivered_at END
         WHERE id = ?1",
        params![
            id,
            attempt.state,
            attempt.next_attempt_at,
            attempt.status,
            attempt.error,
            attempt.excerpt,
            attempt.duration_ms,
            attempt.at
        ],
    )?;
    Ok(())
}

/// Queues deliveries again from now, with a fresh retry window; `only` one, or every failed one.
pub(crate) fn requeue(
    conn: &Connection,
    webhook_id: i64,
    only: Option<i64>,
    now: Millis,
) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?3,
             created_at = ?3, delivered_at = NULL
         WHERE webhook_id = ?1 AND (?2 IS NULL AND state = 'failed' OR id = ?2)",
        params![webhook_id, only, now],
    )?)
}
