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
