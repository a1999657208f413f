//! SQL for `audit_log`: sensitive actions, who did them and when.

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;

/// Records one action; `actor` is `user`, `system`, `api-key:<id>`, ...
pub(crate) fn insert(
    conn: &Connection,
    at: Millis,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
        params![at, actor, action, detail.to_string()],
    )?;
    Ok(())
}

/// A row of `audit_log`; `detail` is the stored JSON.
pub(crate) struct AuditRow {
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// The latest `limit` entries, newest first.
pub(crate) fn latest(conn: &Connection, limit: usize) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit as i64], |r| {
            Ok(AuditRow {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                detail: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
