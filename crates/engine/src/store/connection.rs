//! SQL for `whatsapp_connection`: the last known state of the linked number, and since when that
//! number has been linked (the campaign warm-up counts from there).

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;
use crate::link::{ConnectionState, ConnectionStatus};

/// Stores the link's latest status. `linked_at` is when the current number was first connected: a
/// new session of the same number (after a logout, on another computer's profile) keeps it, since
/// the number is no newer to WhatsApp; a different number starts its own warm-up from now.
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
             linked_at = CASE WHEN excluded.phone_number <> phone_number THEN excluded.linked_at
                              ELSE coalesce(linked_at, excluded.linked_at) END,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    const DAY: Millis = 24 * 3_600_000;

    fn status(state: ConnectionState, phone: Option<&str>) -> ConnectionStatus {
        ConnectionStatus {
            phone_number: phone.map(str::to_owned),
            ..ConnectionStatus::new(state)
        }
    }

    fn linked_at(db: &Db) -> Option<Millis> {
        db.with(crate::store::campaigns::linked_at).unwrap()
    }

    #[test]
    fn the_warm_up_starts_again_only_for_another_number() {
        let db = Db::in_memory().unwrap();
        let save_at = |s: ConnectionStatus, at: Millis| db.with(|c| save(c, &s, at)).unwrap();
        save_at(status(ConnectionState::Qr, None), 0);
        assert_eq!(
            linked_at(&db),
            None,
            "not linked before the first connection"
        );
        save_at(
            status(ConnectionState::Connected, Some("+15550001111")),
            DAY,
        );
        assert_eq!(linked_at(&db), Some(DAY));

        // Logged out, then the same number linked again in a new session ten days later: the
        // number is ten days into its warm-up, not new.
        save_at(status(ConnectionState::LoggedOut, None), 2 * DAY);
        save_at(status(ConnectionState::Qr, None), 10 * DAY);
        save_at(
            status(ConnectionState::Connected, Some("+15550001111")),
            10 * DAY,
        );
        assert_eq!(linked_at(&db), Some(DAY));

        // Another number: its warm-up starts when it connects.
        save_at(status(ConnectionState::LoggedOut, None), 11 * DAY);
        save_at(
            status(ConnectionState::Connected, Some("+15550002222")),
            12 * DAY,
        );
        assert_eq!(linked_at(&db), Some(12 * DAY));
        save_at(
            status(ConnectionState::Connected, Some("+15550002222")),
            13 * DAY,
        );
        assert_eq!(
            linked_at(&db),
            Some(12 * DAY),
            "reconnecting changes nothing"
        );
    }
}
