//! SQL for the `contacts` and `contact_tags` tables: the filtered, keyset-paged list, edits, tags on
//! contacts, deletion. The search box's conditions are in `contact_search`, imports in
//! `contact_import`, the reading of contacts' tags in `tags`.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql};

use crate::clock::{to_rfc3339, Millis};
use crate::contacts::{
    display_name, Contact, ContactFields, ContactFilter, ContactSort, SortField, SortKey,
    SortOrder, TagMode,
};
use crate::error::Result;
use crate::store::contact_search::{search_conditions, search_hits, search_terms, SearchTerm};
use crate::store::name_order::{NameOrder, NameOrderCache};
use crate::store::tags::{all_tags, tags_for, tags_of};

const COLUMNS: &str = "id, phone_number, wa_id, name, push_name, email, notes, fields, opted_out,
    source, first_message_at, last_message_at, messages_in, messages_out, unread_count, created_at,
    updated_at, opted_out_at";

/// A contact row; the number is formatted, and the display name made from it, by the engine
/// (`Engine::present`), which knows the business's country.
fn from_row(row: &Row) -> rusqlite::Result<Contact> {
    let fields: String = row.get(7)?;
    let phone_number: Option<String> = row.get(1)?;
    let wa_id: Option<String> = row.get(2)?;
    let name: String = row.get(3)?;
    let push_name: String = row.get(4)?;
    Ok(Contact {
        id: row.get(0)?,
        display_name: display_name(&name, &push_name, phone_number.as_deref(), wa_id.as_deref()),
        phone_number,
        phone_display: None,
        wa_id,
        name,
        push_name,
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
        opted_out_at: row.get::<_, Option<Millis>>(17)?.map(to_rfc3339),
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Contact>> {
    let contact = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM contacts WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?;
    match contact {
        Some(mut c) => {
            c.tags = tags_of(conn, c.id)?;
            Ok(Some(c))
        }
        None => Ok(None),
    }
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
            .prepare_cached("SELECT id FROM contacts WHERE phone_number = ?1")?
            .query_row([phone], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(conn
        .prepare_cached("SELECT id FROM contacts WHERE wa_id = ?1")?
        .query_row([wa_id], |r| r.get(0))
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
    // Stored trimmed, like every name, so name order sorts what is shown.
    let push_name = push_name.map(str::trim);
    if let Some(id) = find_for_party(conn, phone, wa_id)? {
        // Written only when something changes: the update fires the contact's search-index
        // triggers, which would otherwise cost every inbound message two index rewrites.
        let (known_phone, known_wa_id, known_push_name): (Option<String>, Option<String>, String) =
            conn.prepare_cached(
                "SELECT phone_number, wa_id, push_name FROM contacts WHERE id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let new_phone = known_phone.is_none() && phone.is_some();
        let new_wa_id = match known_wa_id.as_deref() {
            None => true,
            Some(known) => known.ends_with("@lid") && wa_id.ends_with("@c.us"),
        };
        let new_push_name = push_name.is_some_and(|n| !n.is_empty() && n != known_push_name);
        if !(new_phone || new_wa_id || new_push_name) {
            return Ok((id, false));
        }
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

/// Messages counted on one contact in one update: how many each way, how many unread, and the
/// span of their times.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageTally {
    pub inbound: i64,
    pub outbound: i64,
    pub unread: i64,
    pub first_at: Millis,
    pub last_at: Millis,
}

impl MessageTally {
    /// One message at `at`; an inbound one is unread when `unread`.
    pub fn one(inbound: bool, unread: bool, at: Millis) -> MessageTally {
        MessageTally {
            inbound: inbound as i64,
            outbound: (!inbound) as i64,
            unread: (inbound && unread) as i64,
            first_at: at,
            last_at: at,
        }
    }

    /// Adds another tally of the same contact.
    pub fn add(&mut self, other: MessageTally) {
        self.inbound += other.inbound;
        self.outbound += other.outbound;
        self.unread += other.unread;
        self.first_at = self.first_at.min(other.first_at);
        self.last_at = self.last_at.max(other.last_at);
    }
}

/// Counts messages on the contact and moves its activity times.
pub(crate) fn count_messages(
    conn: &Connection,
    id: i64,
    tally: &MessageTally,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE contacts SET
             messages_in = messages_in + ?2,
             messages_out = messages_out + ?3,
             unread_count = unread_count + ?4,
             first_message_at = min(coalesce(first_message_at, ?5), ?5),
             last_message_at = max(coalesce(last_message_at, ?6), ?6),
             updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        tally.inbound,
        tally.outbound,
        tally.unread,
        tally.first_at,
        tally.last_at,
        now
    ])?;
    Ok(())
}

pub(crate) fn mark_read(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE contacts SET unread_count = 0 WHERE id = ?1 AND unread_count > 0",
        [id],
    )? > 0)
}

/// Messages not read yet, over every chat (the tray's count); read through the partial index of
/// chats with something unread (`contacts_chat_unread`, V2).
pub(crate) fn unread_total(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(unread_count), 0) FROM contacts WHERE unread_count > 0",
        )?
        .query_row([], |row| row.get(0))?)
}

/// The sort expressions; each matches an index of `V3__contacts_search.sql` exactly, so a page is
/// read from the index in order instead of sorting the table. The name's is the sort key of
/// `contacts::display_name`: the same fields in the same order (names are stored trimmed; the
/// number in E.164, where the name shown has it formatted).
fn sort_expression(field: SortField) -> &'static str {
    match field {
        SortField::Name => {
            "coalesce(nullif(c.name, ''), nullif(c.push_name, ''), c.phone_number, c.wa_id) COLLATE NOCASE"
        }
        SortField::LastMessageAt => "coalesce(c.last_message_at, 0)",
        SortField::CreatedAt => "c.created_at",
    }
}

/// The WHERE clause (with `c` as the contacts alias) and its parameters for a filter.
fn where_clause(filter: &ContactFilter) -> (String, Vec<Value>) {
    let (mut conditions, mut values) = search_conditions(&search_terms(filter.q.as_deref()));
    let (more, more_values) = other_conditions(filter);
    conditions.extend(more);
    values.extend(more_values);
    (and(&conditions), values)
}

fn and(conditions: &[String]) -> String {
    if conditions.is_empty() {
        "1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// The conditions of tags, opt-out and source.
fn other_conditions(filter: &ContactFilter) -> (Vec<String>, Vec<Value>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut tags = filter.tags.clone();
    tags.sort_unstable();
    tags.dedup();
    if !tags.is_empty() {
        let marks = vec!["?"; tags.len()].join(", ");
        match filter.tag_mode {
            TagMode::Any => conditions.push(format!(
                "c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE ct.tag_id IN ({marks}))"
            )),
            TagMode::All => conditions.push(format!(
                "(SELECT count(*) FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id IN ({marks})) = {}",
                tags.len()
            )),
        }
        values.extend(tags.into_iter().map(Value::Integer));
    }
    if let Some(opted_out) = filter.opted_out {
        conditions.push("c.opted_out = ?".into());
        values.push(Value::Integer(opted_out as i64));
    }
    if let Some(source) = filter.source.as_deref().filter(|s| !s.is_empty()) {
        conditions.push("c.source = ?".into());
        values.push(Value::Text(source.to_owned()));
    }
    (conditions, values)
}

/// Search hits counted before choosing how to read a page in time order: below this, the hits are
/// sorted; from this on, the time index is walked and each entry checked against the hits, which
/// stops as soon as the page is full (hits are spread evenly over time).
const WALK_INDEX_FROM_HITS: i64 = 500;

/// The index that reads contacts in `field` order (see `V3__contacts_search.sql`).
fn sort_index(field: SortField) -> &'static str {
    match field {
        SortField::Name => "contacts_sort_name",
        SortField::LastMessageAt => "contacts_sort_last_message",
        SortField::CreatedAt => "contacts_sort_created",
    }
}

/// A page of contacts (with their tags) and each one's sort key, after `after` = (key, id).
pub(crate) fn list(
    conn: &Connection,
    names: &NameOrderCache,
    filter: &ContactFilter,
    sort: ContactSort,
    after: Option<&(SortKey, i64)>,
    limit: usize,
) -> Result<Vec<(Contact, SortKey)>> {
    let terms = search_terms(filter.q.as_deref());
    let mut rows = if sort.field == SortField::Name && !terms.is_empty() {
        // The name order, the hits and the rows must come from one snapshot.
        let snapshot = conn.unchecked_transaction()?;
        search_page_by_name(&snapshot, names, &terms, filter, sort.order, after, limit)?
    } else {
        page_by_index(conn, &terms, filter, sort, after, limit)?
    };
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let mut tags = tags_for(conn, &ids)?;
    for (contact, _) in &mut rows {
        contact.tags = tags.remove(&contact.id).unwrap_or_default();
    }
    Ok(rows)
}

/// The contacts columns with the `c.` alias, then the sort key of `field`.
fn select_list(field: SortField) -> String {
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect();
    format!("{}, {}", columns.join(", "), sort_expression(field))
}

/// Reads a row of `select_list(field)`.
fn row_with_key(field: SortField) -> impl Fn(&Row) -> rusqlite::Result<(Contact, SortKey)> {
    move |row| {
        let key = match field {
            SortField::Name => SortKey::Text(row.get::<_, Option<String>>(18)?.unwrap_or_default()),
            _ => SortKey::Int(row.get(18)?),
        };
        Ok((from_row(row)?, key))
    }
}

/// A page in sort order, read through the sort's index (or by sorting a few search hits).
fn page_by_index(
    conn: &Connection,
    terms: &[SearchTerm],
    filter: &ContactFilter,
    sort: ContactSort,
    after: Option<&(SortKey, i64)>,
    limit: usize,
) -> Result<Vec<(Contact, SortKey)>> {
    let (mut conditions, mut values) = search_conditions(terms);
    let (search, search_values) = (conditions.clone(), values.clone());
    let (more, more_values) = other_conditions(filter);
    conditions.extend(more);
    values.extend(more_values);
    let mut condition = and(&conditions);
    let key = sort_expression(sort.field);
    let mut indexed = String::new();
    if !search.is_empty() {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM contacts c WHERE {} LIMIT {WALK_INDEX_FROM_HITS})",
            and(&search)
        );
        let hits: i64 = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(search_values), |r| r.get(0))?;
        if hits >= WALK_INDEX_FROM_HITS {
            indexed = format!("INDEXED BY {}", sort_index(sort.field));
        }
    }
    let (cmp, dir) = match sort.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    if let Some((value, id)) = after {
        // `key >= v AND (key > v OR id > last)`: the first half bounds the index range.
        condition.push_str(&format!(
            " AND {key} {cmp}= ? AND ({key} {cmp} ? OR c.id {cmp} ?)"
        ));
        let v = sort_value(value);
        values.extend([v.clone(), v, Value::Integer(*id)]);
    }
    values.push(Value::Integer(limit as i64));
    let sql = format!(
        "SELECT {} FROM contacts c {indexed} WHERE {condition}
         ORDER BY {key} {dir}, c.id {dir} LIMIT ?",
        select_list(sort.field)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(values), row_with_key(sort.field))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn sort_value(key: &SortKey) -> Value {
    match key {
        SortKey::Text(s) => Value::Text(s.clone()),
        SortKey::Int(n) => Value::Integer(*n),
    }
}

/// A page of search hits in name order. The hits come from the full-text indexes and are put in
/// order by their place in the cached name order, so no hit's row is read until it is on the page;
/// rows are then read a batch at a time, in order, and checked against the rest of the filter.
fn search_page_by_name(
    conn: &Connection,
    names: &NameOrderCache,
    terms: &[SearchTerm],
    filter: &ContactFilter,
    direction: SortOrder,
    after: Option<&(SortKey, i64)>,
    limit: usize,
) -> Result<Vec<(Contact, SortKey)>> {
    let key = sort_expression(SortField::Name);
    let (cmp, dir) = match direction {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    // The first contact past the cursor, found through the name index.
    let next = match after {
        None => None,
        Some((value, id)) => {
            let sql = format!(
                "SELECT c.id FROM contacts c WHERE {key} {cmp}= ?1 AND ({key} {cmp} ?1 OR c.id {cmp} ?2)
                 ORDER BY {key} {dir}, c.id {dir} LIMIT 1"
            );
            let next: Option<i64> = conn
                .prepare_cached(&sql)?
                .query_row(params![sort_value(value), id], |r| r.get(0))
                .optional()?;
            match next {
                Some(next) => Some(next),
                None => return Ok(Vec::new()),
            }
        }
    };
    let hits = search_hits(conn, terms)?;
    // The hits' places past the cursor; `None` if the order lacks a contact (one added since).
    let places = |order: &NameOrder| -> Option<Vec<(u32, i64)>> {
        let bound = match next {
            Some(id) => Some(order.place(id)?),
            None => None,
        };
        let mut places = Vec::with_capacity(hits.len());
        for id in &hits {
            let place = order.place(*id)?;
            let wanted = match (bound, direction) {
                (None, _) => true,
                (Some(bound), SortOrder::Asc) => place >= bound,
                (Some(bound), SortOrder::Desc) => place <= bound,
            };
            if wanted {
                places.push((place, *id));
            }
        }
        Some(places)
    };
    let mut places = match places(&*names.current(conn)?) {
        Some(places) => places,
        None => places(&*names.reload(conn)?).unwrap_or_default(),
    };
    if direction == SortOrder::Desc {
        // Ascending from here on, whatever the direction.
        places
            .iter_mut()
            .for_each(|(place, _)| *place = u32::MAX - *place);
    }
    let (conditions, mut values) = other_conditions(filter);
    let sql = format!(
        "SELECT {} FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?)) AND {}",
        select_list(SortField::Name),
        and(&conditions)
    );
    values.insert(0, Value::Null);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut page = Vec::with_capacity(limit);
    let mut batch = limit.max(1);
    let mut rest = places.as_mut_slice();
    while page.len() < limit && !rest.is_empty() {
        // Only the next batch is put in order: a page of 50 out of 14 000 hits sorts 50.
        let take = batch.min(rest.len());
        if take < rest.len() {
            rest.select_nth_unstable(take);
        }
        let (now, later) = rest.split_at_mut(take);
        now.sort_unstable();
        rest = later;
        batch *= 2;
        let ids: Vec<i64> = now.iter().map(|(_, id)| *id).collect();
        values[0] = Value::Text(serde_json::to_string(&ids).unwrap_or_default());
        let mut found: HashMap<i64, (Contact, SortKey)> = stmt
            .query_map(
                params_from_iter(values.iter()),
                row_with_key(SortField::Name),
            )?
            .map(|row| row.map(|row| (row.0.id, row)))
            .collect::<rusqlite::Result<_>>()?;
        page.extend(
            ids.iter()
                .filter_map(|id| found.remove(id))
                .take(limit - page.len()),
        );
    }
    Ok(page)
}

/// How many contacts match a filter.
pub(crate) fn count(conn: &Connection, filter: &ContactFilter) -> Result<u64> {
    let terms = search_terms(filter.q.as_deref());
    let (others, _) = other_conditions(filter);
    if !terms.is_empty() && others.is_empty() {
        // Every full-text hit is a contact: count them in the indexes, without reading rows.
        return Ok(search_hits(conn, &terms)?.len() as u64);
    }
    let (condition, values) = where_clause(filter);
    let sql = format!("SELECT count(*) FROM contacts c WHERE {condition}");
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(values), |r| r.get(0))?;
    Ok(n as u64)
}

/// Ids of every contact matching a filter, in id order.
pub(crate) fn ids_matching(conn: &Connection, filter: &ContactFilter) -> Result<Vec<i64>> {
    let (condition, values) = where_clause(filter);
    let sql = format!("SELECT c.id FROM contacts c WHERE {condition} ORDER BY c.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map(params_from_iter(values), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Every contact matching a filter, with tags, in name order (exports).
pub(crate) fn all_matching(conn: &Connection, filter: &ContactFilter) -> Result<Vec<Contact>> {
    let (condition, values) = where_clause(filter);
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect();
    let key = sort_expression(SortField::Name);
    let sql = format!(
        "SELECT {} FROM contacts c WHERE {condition} ORDER BY {key}, c.id",
        columns.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut contacts = stmt
        .query_map(params_from_iter(values), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut tags = all_tags(conn)?;
    for contact in &mut contacts {
        contact.tags = tags.remove(&contact.id).unwrap_or_default();
    }
    Ok(contacts)
}

/// The contact holding a number, with its names.
pub(crate) struct PhoneOwner {
    pub id: i64,
    pub name: String,
    pub push_name: String,
}

/// The contact holding a number (E.164).
pub(crate) fn find_by_phone(conn: &Connection, phone: &str) -> Result<Option<PhoneOwner>> {
    Ok(conn
        .prepare_cached("SELECT id, name, push_name FROM contacts WHERE phone_number = ?1")?
        .query_row([phone], |r| {
            Ok(PhoneOwner {
                id: r.get(0)?,
                name: r.get(1)?,
                push_name: r.get(2)?,
            })
        })
        .optional()?)
}

pub(crate) fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM contacts WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn fields_json(fields: &ContactFields) -> String {
    serde_json::to_string(&fields.fields).unwrap_or_else(|_| "{}".into())
}

/// The validated fields' values in the order insert and update bind them (?1 to ?6), then `now`
/// (?7).
fn contact_values<'a>(
    fields: &'a ContactFields,
    now: Millis,
) -> impl Iterator<Item = Box<dyn ToSql + 'a>> {
    let values: [Box<dyn ToSql + 'a>; 7] = [
        Box::new(&fields.phone_number),
        Box::new(&fields.name),
        Box::new(&fields.email),
        Box::new(&fields.notes),
        Box::new(fields_json(fields)),
        Box::new(fields.opted_out),
        Box::new(now),
    ];
    values.into_iter()
}

/// A new contact from validated fields; returns its id.
pub(crate) fn insert(
    conn: &Connection,
    fields: &ContactFields,
    source: &str,
    now: Millis,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO contacts (phone_number, name, email, notes, fields, opted_out, opted_out_at,
             source, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?6 THEN ?7 END, ?8, ?7, ?7)",
    )?
    .execute(params_from_iter(
        contact_values(fields, now).chain([Box::new(source) as Box<dyn ToSql + '_>]),
    ))?;
    Ok(conn.last_insert_rowid())
}

/// Writes validated fields over a contact. The opt-out time is kept while the contact stays opted
/// out, set when they opt out, cleared when they opt back in.
pub(crate) fn update(
    conn: &Connection,
    id: i64,
    fields: &ContactFields,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE contacts SET phone_number = ?1, name = ?2, email = ?3, notes = ?4, fields = ?5,
             opted_out_at = CASE WHEN ?6 THEN coalesce(opted_out_at, ?7) END,
             opted_out = ?6, updated_at = ?7
         WHERE id = ?8",
    )?
    .execute(params_from_iter(
        contact_values(fields, now).chain([Box::new(id) as Box<dyn ToSql + '_>]),
    ))?;
    Ok(())
}

/// Replaces a contact's tags.
pub(crate) fn set_tags(conn: &Connection, id: i64, tag_ids: &[i64], now: Millis) -> Result<()> {
    conn.prepare_cached("DELETE FROM contact_tags WHERE contact_id = ?1")?
        .execute([id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, created_at) VALUES (?1, ?2, ?3)",
    )?;
    for tag in tag_ids {
        insert.execute(params![id, tag, now])?;
    }
    Ok(())
}

/// Loads ids into this connection's temp table `bulk_ids`, so ONE statement acts on all of them.
/// Why: FTS5 flushes its pending index data at every statement of a transaction, so a statement per
/// contact (each firing the FTS triggers) makes batches of thousands crawl.
fn stage_ids(conn: &Connection, ids: &[i64]) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS bulk_ids (id INTEGER PRIMARY KEY); DELETE FROM temp.bulk_ids;",
    )?;
    let mut insert = conn.prepare_cached("INSERT OR IGNORE INTO temp.bulk_ids (id) VALUES (?1)")?;
    for id in ids {
        insert.execute([id])?;
    }
    Ok(())
}

/// The ids among `ids` that are contacts, in id order.
pub(crate) fn existing_ids(conn: &Connection, ids: &[i64]) -> Result<Vec<i64>> {
    stage_ids(conn, ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM contacts WHERE id IN (SELECT id FROM temp.bulk_ids) ORDER BY id",
    )?;
    let found = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

/// Tags contacts; returns how many did not have the tag yet (those get a new `updated_at`).
pub(crate) fn add_tag(conn: &Connection, ids: &[i64], tag_id: i64, now: Millis) -> Result<usize> {
    stage_ids(conn, ids)?;
    conn.execute(
        "UPDATE contacts SET updated_at = ?2
         WHERE id IN (SELECT id FROM temp.bulk_ids)
           AND NOT EXISTS (SELECT 1 FROM contact_tags WHERE contact_id = contacts.id AND tag_id = ?1)",
        params![tag_id, now],
    )?;
    Ok(conn.execute(
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, created_at)
         SELECT id, ?1, ?2 FROM temp.bulk_ids WHERE id IN (SELECT id FROM contacts)",
        params![tag_id, now],
    )?)
}

/// Untags contacts; returns how many had the tag.
pub(crate) fn remove_tag(
    conn: &Connection,
    ids: &[i64],
    tag_id: i64,
    now: Millis,
) -> Result<usize> {
    stage_ids(conn, ids)?;
    conn.execute(
        "UPDATE contacts SET updated_at = ?2
         WHERE id IN (SELECT contact_id FROM contact_tags
                      WHERE tag_id = ?1 AND contact_id IN (SELECT id FROM temp.bulk_ids))",
        params![tag_id, now],
    )?;
    Ok(conn.execute(
        "DELETE FROM contact_tags WHERE tag_id = ?1 AND contact_id IN (SELECT id FROM temp.bulk_ids)",
        [tag_id],
    )?)
}

/// Opts contacts out (recording when) or back in; returns the ids of those that changed.
pub(crate) fn set_opted_out(
    conn: &Connection,
    ids: &[i64],
    opted_out: bool,
    now: Millis,
) -> Result<Vec<i64>> {
    stage_ids(conn, ids)?;
    let mut stmt = conn.prepare_cached(
        "UPDATE contacts SET opted_out = ?1, opted_out_at = CASE WHEN ?1 THEN ?2 END, updated_at = ?2
         WHERE id IN (SELECT id FROM temp.bulk_ids) AND opted_out <> ?1
         RETURNING id",
    )?;
    let changed = stmt
        .query_map(params![opted_out, now], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(changed)
}

/// Media files (relative to the data directory) of the contacts' messages.
pub(crate) fn media_paths(conn: &Connection, ids: &[i64]) -> Result<Vec<String>> {
    stage_ids(conn, ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT media_path FROM messages
         WHERE contact_id IN (SELECT id FROM temp.bulk_ids) AND media_path IS NOT NULL",
    )?;
    let paths = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(paths)
}

/// Deletes contacts; their messages, outbox rows and tag links go with them (foreign keys cascade).
/// Returns whether anything was deleted.
pub(crate) fn delete(conn: &Connection, ids: &[i64]) -> Result<bool> {
    stage_ids(conn, ids)?;
    Ok(conn.execute(
        "DELETE FROM contacts WHERE id IN (SELECT id FROM temp.bulk_ids)",
        [],
    )? > 0)
}
