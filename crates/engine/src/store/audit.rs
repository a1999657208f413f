//! The audit log: sensitive actions (app lock set or removed, WhatsApp unlinked, a contact erased,
//! a backup restored), with when and what.

use rusqlite::Connection;

use crate::clock::Millis;
use crate::error::Result;

/// Records one action by the user; `detail` is a JSON object.
pub(crate) fn record(
    conn: &Connection,
    at: Millis,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, 'user', ?2, ?3)",
        rusqlite::params![at, action, detail.to_string()],
    )?;
    Ok(())
}
