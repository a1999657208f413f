//! SQL for `idempotency_keys`: the first answer to a request sent with an `Idempotency-Key`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;

/// A stored key: the route it was used on and, once the request finished, its answer (`status` 0
/// while it runs).
pub(crate) struct KeyRow {
    pub route: String,
    pub status: i64,
    pub body: String,
}

pub(crate) fn forget_older_than(conn: &Connection, before: Millis) -> Result<()> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [before],
    )?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, caller: &str, key: &str) -> Result<Option<KeyRow>> {
    Ok(conn
        .query_row(
            "SELECT route, status, body FROM idempotency_keys WHERE caller = ?1 AND key = ?2",
            params![caller, key],
            |r| {
                Ok(KeyRow {
                    route: r.get(0)?,
                    status: r.get(1)?,
                    body: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Claims the key for a request now running; false when it is taken.
pub(crate) fn claim(
    conn: &Connection,
    caller: &str,
    key: &str,
    route: &str,
    now: Millis,
) -> Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO idempotency_keys (caller, key, route, status, body, created_at)
         VALUES (?1, ?2, ?3, 0, '', ?4)",
        params![caller, key, route, now],
    )? == 1)
}

pub(crate) fn finish(
    conn: &Connection,
    caller: &str,
    key: &str,
    status: i64,
    body: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE caller = ?1 AND key = ?2",
        params![caller, key, status, body],
    )?;
    Ok(())
}

pub(crate) fn release(conn: &Connection, caller: &str, key: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE caller = ?1 AND key = ?2",
        params![caller, key],
    )?;
    Ok(())
}
