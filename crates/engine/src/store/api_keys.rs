//! SQL for the `api_keys` table: keys by the hash of their secret, never the secret itself.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;

/// A row of `api_keys`; `scopes` is the stored JSON array.
#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
    pub created_at: Millis,
}

const COLUMNS: &str = "id, name, prefix, scopes, last_used_at, revoked_at, created_at";

fn row(r: &rusqlite::Row) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: r.get(0)?,
        name: r.get(1)?,
        prefix: r.get(2)?,
        scopes: r.get(3)?,
        last_used_at: r.get(4)?,
        revoked_at: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub(crate) fn insert(
    conn: &Connection,
    name: &str,
    prefix: &str,
    key_hash: &str,
    scopes: &str,
    now: Millis,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, prefix, key_hash, scopes, now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM api_keys ORDER BY id"))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<KeyRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Runs on every request made with a key, so its statement is kept prepared.
pub(crate) fn by_hash(conn: &Connection, key_hash: &str) -> Result<Option<KeyRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_keys WHERE key_hash = ?1"
        ))?
        .query_row([key_hash], row)
        .optional()?)
}

pub(crate) fn touch(conn: &Connection, id: i64, now: Millis) -> Result<()> {
    conn.execute(
        "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Marks the key revoked; false when there is no such key or it was revoked already.
pub(crate) fn revoke(conn: &Connection, id: i64, now: Millis) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now],
    )?;
    Ok(changed == 1)
}
