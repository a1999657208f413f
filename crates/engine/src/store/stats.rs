//! SQL for `daily_stats`: one row per day of the business's time zone.

use std::str::FromStr;

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;

/// Increments for one day's counters; fields left at zero are untouched.
#[derive(Debug, Default)]
pub(crate) struct DayDelta {
    pub sent: i64,
    pub received: i64,
    pub delivered: i64,
    pub read: i64,
    pub new_contacts: i64,
}

/// The business day (YYYY-MM-DD in the profile's time zone, UTC before onboarding) of a moment.
pub(crate) fn day_of(conn: &Connection, at: Millis) -> Result<String> {
    let tz = super::profile::get(conn)?
        .and_then(|p| chrono_tz::Tz::from_str(&p.timezone).ok())
        .unwrap_or(chrono_tz::UTC);
    let utc = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default();
    Ok(utc.with_timezone(&tz).format("%Y-%m-%d").to_string())
}

pub(crate) fn count(conn: &Connection, at: Millis, fill: impl FnOnce(&mut DayDelta)) -> Result<()> {
    let mut d = DayDelta::default();
    fill(&mut d);
    let day = day_of(conn, at)?;
    conn.execute(
        "INSERT INTO daily_stats (date, messages_sent, messages_received, messages_delivered,
             messages_read, new_contacts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (date) DO UPDATE SET
             messages_sent = messages_sent + excluded.messages_sent,
             messages_received = messages_received + excluded.messages_received,
             messages_delivered = messages_delivered + excluded.messages_delivered,
             messages_read = messages_read + excluded.messages_read,
             new_contacts = new_contacts + excluded.new_contacts",
        params![day, d.sent, d.received, d.delivered, d.read, d.new_contacts],
    )?;
    Ok(())
}
