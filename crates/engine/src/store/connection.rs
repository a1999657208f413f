//! SQL for `whatsapp_connection`: the last known state of the linked number.

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;
use crate::link::{ConnectionState, ConnectionStatus};

pub(crate) fn save(conn: &Connection, status: &ConnectionStatus, now: Millis) -> Result<()> {
    let state = serde_json::to_value(status.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let connected = status.state == ConnectionState::Connected;
    conn.execute(
        "INSERT INTO whatsapp_connection (id, phone_number, push_name, state, detail, wa_version,
             linked_at, last_connected_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, CASE WHEN ?6 THEN ?7 END, CASE WHEN ?6 THEN ?7 END, ?7)
         ON CONFLICT (id) DO UPDATE SET
             phone_number = coalesce(excluded.phone_number, phone_number),
             push_name = coalesce(excluded.push_name, push_name),
             state = excluded.state, detail = excluded.detail,
             wa_version = coalesce(excluded.wa_version, wa_version),
             linked_at = coalesce(linked_at, excluded.linked_at),
             last_connected_at = coalesce(excluded.last_connected_at, last_connected_at),
             updated_at = excluded.updated_at",
        params![
            status.phone_number,
            status.push_name,
            state,
            status.detail,
            status.wa_version,
            connected,
            now
        ],
    )?;
    Ok(())
}
