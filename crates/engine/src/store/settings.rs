//! SQL for the `settings` table: JSON values under string keys.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;

pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<serde_json::Value>> {
    // Read on many requests (CORS, the lock), so the statement is kept prepared.
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// The value under `key` as `T`; `T`'s default when none is stored or it no longer reads as `T`.
pub(crate) fn get_or_default<T: serde::de::DeserializeOwned + Default>(
    conn: &Connection,
    key: &str,
) -> Result<T> {
    Ok(get(conn, key)?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

pub(crate) fn set(
    conn: &Connection,
    key: &str,
    value: &serde_json::Value,
    now: Millis,
) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value.to_string(), now],
    )?;
    Ok(())
}

pub(crate) fn delete(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
