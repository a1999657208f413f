//! SQL for the `audit_log` table: sensitive actions, appended and never edited.

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;

/// Appends one action done by the app's user, with its details as JSON.
pub(crate) fn record(
    conn: &Connection,
    at: Millis,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, 'user', ?2, ?3)",
    )?
    .execute(params![at, action, detail.to_string()])?;
    Ok(())
}
