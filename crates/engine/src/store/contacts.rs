//! SQL for the `contacts` table.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::clock::{to_rfc3339, Millis};
use crate::contacts::{Contact, Tag};
use crate::error::Result;

const COLUMNS: &str = "id, phone_number, wa_id, name, push_name, email, notes, fields, opted_out,
    source, first_message_at, last_message_at, messages_in, messages_out, unread_count, created_at,
    updated_at";

fn from_row(row: &Row) -> rusqlite::Result<Contact> {
    let fields: String = row.get(7)?;
    Ok(Contact {
        id: row.get(0)?,
        phone_number: row.get(1)?,
        wa_id: row.get(2)?,
        name: row.get(3)?,
        push_name: row.get(4)?,
        email: row.get(5)?,
        notes: row.get(6)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        opted_out: row.get(8)?,
        source: row.get(9)?,
        first_message_at: row.get::<_, Option<Millis>>(10)?.map(to_rfc3339),
        last_message_at: row.get::<_, Option<Millis>>(11)?.map(to_rfc3339),
        messages_in: row.get(12)?,
        messages_out: row.get(13)?,
        unread_count: row.get(14)?,
        tags: Vec::new(),
        created_at: to_rfc3339(row.get(15)?),
        updated_at: to_rfc3339(row.get(16)?),
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Contact>> {
    let contact = conn
        .query_row(&format!("SELECT {COLUMNS} FROM contacts WHERE id = ?1"), [id], from_row)
        .optional()?;
    match contact {
        Some(mut c) => {
            c.tags = tags_of(conn, c.id)?;
            Ok(Some(c))
        }
        None => Ok(None),
    }
}

pub(crate) fn tags_of(conn: &Connection, contact_id: i64) -> Result<Vec<Tag>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.name, t.color FROM tags t JOIN contact_tags ct ON ct.tag_id = t.id
         WHERE ct.contact_id = ?1 ORDER BY t.name COLLATE NOCASE",
    )?;
    let tags = stmt
        .query_map([contact_id], |r| Ok(Tag { id: r.get(0)?, name: r.get(1)?, color: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tags)
}

/// Finds the contact a WhatsApp party belongs to: by phone first (a number is one person whatever id
/// WhatsApp shows), then by chat id.
pub(crate) fn find_for_party(
    conn: &Connection,
    phone: Option<&str>,
    wa_id: &str,
) -> Result<Option<i64>> {
    if let Some(phone) = phone {
        let found = conn
            .query_row("SELECT id FROM contacts WHERE phone_number = ?1", [phone], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(conn
        .query_row("SELECT id FROM contacts WHERE wa_id = ?1", [wa_id], |r| r.get(0))
        .optional()?)
}

/// Creates the contact for a WhatsApp party, or fills in what was missing (phone once an @lid is
/// resolved, push name). Returns the id and whether it was created.
pub(crate) fn upsert_party(
    conn: &Connection,
    phone: Option<&str>,
    wa_id: &str,
    push_name: Option<&str>,
    source: &str,
    now: Millis,
) -> Result<(i64, bool)> {
    if let Some(id) = find_for_party(conn, phone, wa_id)? {
        conn.execute(
            "UPDATE contacts SET
                 phone_number = coalesce(phone_number, ?2),
                 wa_id = CASE WHEN wa_id IS NULL OR (wa_id LIKE '%@lid' AND ?3 LIKE '%@c.us') THEN ?3 ELSE wa_id END,
                 push_name = CASE WHEN ?4 IS NOT NULL AND ?4 <> '' THEN ?4 ELSE push_name END,
                 updated_at = ?5
             WHERE id = ?1",
            params![id, phone, wa_id, push_name, now],
        )?;
        return Ok((id, false));
    }
    conn.execute(
        "INSERT INTO contacts (phone_number, wa_id, push_name, source, created_at, updated_at)
         VALUES (?1, ?2, coalesce(?3, ''), ?4, ?5, ?5)",
        params![phone, wa_id, push_name, source, now],
    )?;
    Ok((conn.last_insert_rowid(), true))
}

/// Counts one message on the contact and moves its activity time.
pub(crate) fn count_message(
    conn: &Connection,
    id: i64,
    inbound: bool,
    at: Millis,
    now: Millis,
) -> Result<()> {
    conn.execute(
        "UPDATE contacts SET
             messages_in = messages_in + ?2,
             messages_out = messages_out + ?3,
             unread_count = unread_count + ?2,
             first_message_at = min(coalesce(first_message_at, ?4), ?4),
             last_message_at = max(coalesce(last_message_at, ?4), ?4),
             updated_at = ?5
         WHERE id = ?1",
        params![id, inbound as i64, (!inbound) as i64, at, now],
    )?;
    Ok(())
}

pub(crate) fn mark_read(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("UPDATE contacts SET unread_count = 0 WHERE id = ?1 AND unread_count > 0", [id])? > 0)
}
