//! SQL for the `tags` table, and the tags of contacts (`contact_tags` joined with `tags`).

use std::collections::HashMap;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::clock::Millis;
use crate::contacts::Tag;
use crate::error::Result;
use crate::tags::TagSummary;

const SUMMARY: &str = "SELECT t.id, t.name, t.color,
        (SELECT count(*) FROM contact_tags ct WHERE ct.tag_id = t.id)
    FROM tags t";

fn summary_row(r: &rusqlite::Row) -> rusqlite::Result<TagSummary> {
    Ok(TagSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        color: r.get(2)?,
        contact_count: r.get(3)?,
    })
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<TagSummary>> {
    let mut stmt = conn.prepare_cached(&format!("{SUMMARY} ORDER BY t.name COLLATE NOCASE"))?;
    let tags = stmt
        .query_map([], summary_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tags)
}

pub(crate) fn summary(conn: &Connection, id: i64) -> Result<Option<TagSummary>> {
    Ok(conn
        .query_row(&format!("{SUMMARY} WHERE t.id = ?1"), [id], summary_row)
        .optional()?)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Tag>> {
    Ok(conn
        .query_row(
            "SELECT id, name, color FROM tags WHERE id = ?1",
            [id],
            tag_from_row,
        )
        .optional()?)
}

/// The tag with this name, whatever its case (the column is `COLLATE NOCASE`).
pub(crate) fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Tag>> {
    Ok(conn
        .prepare_cached("SELECT id, name, color FROM tags WHERE name = ?1")?
        .query_row([name], tag_from_row)
        .optional()?)
}

pub(crate) fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM tags", [], |r| r.get(0))?)
}

/// A tag from a row whose first columns are `id, name, color`.
fn tag_from_row(r: &Row) -> rusqlite::Result<Tag> {
    Ok(Tag {
        id: r.get(0)?,
        name: r.get(1)?,
        color: r.get(2)?,
    })
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Tag>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, color FROM tags")?;
    let tags = stmt
        .query_map([], tag_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tags)
}

pub(crate) fn insert(conn: &Connection, name: &str, color: &str, now: Millis) -> Result<i64> {
    conn.prepare_cached("INSERT INTO tags (name, color, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, color, now])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn update(conn: &Connection, id: i64, name: &str, color: &str) -> Result<()> {
    conn.execute(
        "UPDATE tags SET name = ?2, color = ?3 WHERE id = ?1",
        params![id, name, color],
    )?;
    Ok(())
}

/// Deletes a tag (its links to contacts go with it); false when there was none.
pub(crate) fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM tags WHERE id = ?1", [id])? > 0)
}

pub(crate) fn tags_of(conn: &Connection, contact_id: i64) -> Result<Vec<Tag>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.name, t.color FROM tags t JOIN contact_tags ct ON ct.tag_id = t.id
         WHERE ct.contact_id = ?1 ORDER BY t.name COLLATE NOCASE",
    )?;
    let tags = stmt
        .query_map([contact_id], tag_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(tags)
}

/// The tags of several contacts, each list in name order.
pub(crate) fn tags_for(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, Vec<Tag>>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "{TAGS_OF_CONTACTS} WHERE ct.contact_id IN ({marks}) ORDER BY t.name COLLATE NOCASE"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        gather_tags(&mut stmt, params_from_iter(chunk.iter()), &mut out)?;
    }
    Ok(out)
}

/// Every contact's tags, each list in name order.
pub(crate) fn all_tags(conn: &Connection) -> Result<HashMap<i64, Vec<Tag>>> {
    let mut out = HashMap::new();
    let sql = format!("{TAGS_OF_CONTACTS} ORDER BY t.name COLLATE NOCASE");
    gather_tags(&mut conn.prepare(&sql)?, [], &mut out)?;
    Ok(out)
}

/// (contact id, tag) rows; `gather_tags` reads them.
pub(crate) const TAGS_OF_CONTACTS: &str =
    "SELECT ct.contact_id, t.id, t.name, t.color FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id";

pub(crate) fn gather_tags(
    stmt: &mut rusqlite::Statement,
    params: impl rusqlite::Params,
    out: &mut HashMap<i64, Vec<Tag>>,
) -> Result<()> {
    let rows = stmt.query_map(params, |r| {
        let tag = Tag {
            id: r.get(1)?,
            name: r.get(2)?,
            color: r.get(3)?,
        };
        Ok((r.get::<_, i64>(0)?, tag))
    })?;
    for row in rows {
        let (contact, tag) = row?;
        out.entry(contact).or_default().push(tag);
    }
    Ok(())
}
