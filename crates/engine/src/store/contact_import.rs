//! SQL of a contacts import: the existing contacts it dedupes against, and writing the whole batch
//! through temp tables in the import's one transaction.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::contacts::ContactFields;
use crate::error::Result;
use crate::store::contacts::fields_json;

/// An existing contact as an import sees it: the fields it may fill or overwrite and its tags.
pub(crate) struct ImportTarget {
    pub id: i64,
    pub fields: ContactFields,
    pub tag_ids: Vec<i64>,
}

/// Every stored number: an import looks up only the rows whose number is among them.
pub(crate) fn all_phones(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt =
        conn.prepare("SELECT phone_number FROM contacts WHERE phone_number IS NOT NULL")?;
    let phones = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(phones)
}

/// The contact holding a number, for an import's dedupe.
pub(crate) fn import_target(conn: &Connection, phone: &str) -> Result<Option<ImportTarget>> {
    let found = conn
        .prepare_cached(
            "SELECT id, name, email, notes, fields, opted_out FROM contacts WHERE phone_number = ?1",
        )?
        .query_row([phone], |r| {
            let fields: String = r.get(4)?;
            Ok(ImportTarget {
                id: r.get(0)?,
                fields: ContactFields {
                    phone_number: Some(phone.to_owned()),
                    name: r.get(1)?,
                    email: r.get(2)?,
                    notes: r.get(3)?,
                    fields: serde_json::from_str(&fields).unwrap_or_default(),
                    opted_out: r.get(5)?,
                },
                tag_ids: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut target) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached("SELECT tag_id FROM contact_tags WHERE contact_id = ?1")?;
    target.tag_ids = stmt
        .query_map([target.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(target))
}

/// What an import writes, all in the caller's transaction.
pub(crate) struct ImportWrite<'a> {
    pub creates: Vec<&'a ContactFields>,
    pub updates: Vec<(i64, &'a ContactFields)>,
    /// Tags to add, each to a contact of `creates` or an existing one.
    pub links: Vec<(ImportedContact, i64)>,
    /// Existing contacts that lose their tags before `links` are added (overwrite).
    pub replace_tags_of: Vec<i64>,
}

/// A contact an import tags.
#[derive(Clone, Copy)]
pub(crate) enum ImportedContact {
    /// The contact made from `creates[n]`.
    New(usize),
    Existing(i64),
}

/// Writes an import. Contacts go through a temp table and one `INSERT ... SELECT` (and one
/// `UPDATE ... FROM`): FTS5 then indexes the whole batch at once instead of flushing its buffer at
/// every statement, which made a statement per row 5 times slower. New contacts get their ids
/// here, so tags are linked by id. `progress` hears how many rows are staged.
pub(crate) fn write_import(
    conn: &Connection,
    write: &ImportWrite,
    source: &str,
    now: Millis,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS import_rows (
             id INTEGER PRIMARY KEY, phone_number TEXT, name TEXT, email TEXT, notes TEXT,
             fields TEXT, opted_out INTEGER);
         DELETE FROM temp.import_rows;",
    )?;
    let stage = |rows: &mut dyn Iterator<Item = (i64, &ContactFields)>,
                 progress: &mut dyn FnMut(usize)|
     -> Result<()> {
        conn.execute("DELETE FROM temp.import_rows", [])?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO temp.import_rows (id, phone_number, name, email, notes, fields, opted_out)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (n, (id, f)) in rows.enumerate() {
            insert.execute(params![
                id,
                f.phone_number,
                f.name,
                f.email,
                f.notes,
                fields_json(f),
                f.opted_out
            ])?;
            if (n + 1) % 5000 == 0 {
                progress(5000);
            }
        }
        Ok(())
    };
    let first_id: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM contacts", [], |r| {
            r.get(0)
        })?;
    stage(
        &mut (first_id..).zip(write.creates.iter().copied()),
        &mut progress,
    )?;
    conn.execute(
        "INSERT INTO contacts (id, phone_number, name, email, notes, fields, opted_out, opted_out_at,
             source, created_at, updated_at)
         SELECT id, phone_number, name, email, notes, fields, opted_out,
             CASE WHEN opted_out THEN ?1 END, ?2, ?1, ?1
         FROM temp.import_rows ORDER BY id",
        params![now, source],
    )?;
    stage(
        &mut write.updates.iter().map(|(id, f)| (*id, *f)),
        &mut progress,
    )?;
    conn.execute(
        "UPDATE contacts SET phone_number = r.phone_number, name = r.name, email = r.email,
             notes = r.notes, fields = r.fields,
             opted_out_at = CASE WHEN r.opted_out THEN coalesce(contacts.opted_out_at, ?1) END,
             opted_out = r.opted_out, updated_at = ?1
         FROM temp.import_rows r WHERE contacts.id = r.id",
        [now],
    )?;
    conn.execute("DELETE FROM temp.import_rows", [])?;
    let mut untag = conn.prepare_cached("DELETE FROM contact_tags WHERE contact_id = ?1")?;
    for id in &write.replace_tags_of {
        untag.execute([id])?;
    }
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, created_at) VALUES (?1, ?2, ?3)",
    )?;
    for (contact, tag) in &write.links {
        let id = match *contact {
            ImportedContact::New(n) => first_id + n as i64,
            ImportedContact::Existing(id) => id,
        };
        link.execute(params![id, tag, now])?;
    }
    Ok(())
}
