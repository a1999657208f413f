//! An import planned against the store (create, update per the dedupe mode, skip), and the plan
//! written in the import's one transaction.

use std::collections::{HashMap, HashSet};

use rlibphonenumber::Region;
use rusqlite::Connection;

use super::check::{check_all, Candidate};
use super::{
    DedupeMode, ImportOptions, ImportReport, Parsed, PreviewRow, Reason, Record, RowAction,
    RowError, TagSpec, MAX_REPORTED_ERRORS, PREVIEW_ROWS,
};
use crate::contacts::ContactFields;
use crate::error::Result;
use crate::events::Event;
use crate::store::contact_import::ImportedContact;
use crate::{store, tags, Engine};

/// How a row changes an existing contact's tags.
pub(super) enum TagChange {
    Add(Vec<TagSpec>),
    Replace(Vec<TagSpec>),
}

pub(super) enum Action {
    Create {
        fields: ContactFields,
        tags: Vec<TagSpec>,
    },
    Update {
        id: i64,
        fields: ContactFields,
        tags: TagChange,
    },
}

/// The writes an import makes and its report.
pub(super) struct Plan {
    pub(super) actions: Vec<Action>,
    pub(super) report: ImportReport,
    /// New tags by lower-case name, with the colour to create them in.
    pub(super) new_tags: Vec<TagSpec>,
}

/// What an existing contact becomes under the dedupe mode; `None` when nothing changes.
fn merge(
    existing: &store::contact_import::ImportTarget,
    row: &Candidate,
    mode: DedupeMode,
    tag_ids: &HashMap<String, i64>,
) -> Option<(ContactFields, TagChange)> {
    let current = &existing.fields;
    let mut next = current.clone();
    let existing_tags: HashSet<i64> = existing.tag_ids.iter().copied().collect();
    let is_new_tag = |t: &TagSpec| {
        tag_ids
            .get(&t.name.to_lowercase())
            .is_none_or(|id| !existing_tags.contains(id))
    };
    let tags = match mode {
        DedupeMode::Skip => return None,
        DedupeMode::Fill => {
            for (slot, value) in [
                (&mut next.name, &row.fields.name),
                (&mut next.email, &row.fields.email),
                (&mut next.notes, &row.fields.notes),
            ] {
                if slot.is_empty() {
                    slot.clone_from(value);
                }
            }
            for (k, v) in &row.fields.fields {
                next.fields.entry(k.clone()).or_insert_with(|| v.clone());
            }
            // An opt-out in the file is honoured; an opt-in never undoes one.
            if row.opted_out == Some(true) {
                next.opted_out = true;
            }
            TagChange::Add(row.tags.iter().filter(|t| is_new_tag(t)).cloned().collect())
        }
        DedupeMode::Overwrite => {
            for (slot, value) in [
                (&mut next.name, &row.fields.name),
                (&mut next.email, &row.fields.email),
                (&mut next.notes, &row.fields.notes),
            ] {
                if !value.is_empty() {
                    slot.clone_from(value);
                }
            }
            for (k, v) in &row.fields.fields {
                next.fields.insert(k.clone(), v.clone());
            }
            if let Some(flag) = row.opted_out {
                next.opted_out = flag;
            }
            let same_tags =
                row.tags.len() == existing_tags.len() && !row.tags.iter().any(is_new_tag);
            if row.tags.is_empty() || same_tags {
                TagChange::Add(Vec::new())
            } else {
                TagChange::Replace(row.tags.clone())
            }
        }
    };
    let tags_change = match &tags {
        TagChange::Add(list) => !list.is_empty(),
        TagChange::Replace(_) => true,
    };
    (next != *current || tags_change).then_some((next, tags))
}

fn preview_row(
    record: &Record,
    action: RowAction,
    fields: Option<&ContactFields>,
    reason: Option<String>,
) -> PreviewRow {
    PreviewRow {
        line: record.line,
        action,
        phone_number: fields
            .and_then(|f| f.phone_number.clone())
            .unwrap_or_else(|| record.phones.first().cloned().unwrap_or_default()),
        name: record.name.clone(),
        email: record.email.clone(),
        notes: record.notes.clone(),
        tags: record.tags.iter().map(|t| t.name.clone()).collect(),
        fields: record.fields.clone(),
        opted_out: record.opted_out,
        reason,
    }
}

/// Checks every record and decides what happens to it, reading the store through `conn`.
pub(super) fn plan(
    conn: &Connection,
    parsed: Parsed,
    options: &ImportOptions,
    region: Option<Region>,
) -> Result<Plan> {
    let mut report = ImportReport {
        dry_run: options.dry_run,
        format: parsed.format,
        encoding: parsed.encoding,
        delimiter: parsed.delimiter.map(|d| {
            if d == b'\t' {
                "tab".into()
            } else {
                (d as char).to_string()
            }
        }),
        dedupe: options.dedupe,
        rows: parsed.records.len(),
        imported: 0,
        updated: 0,
        skipped: 0,
        rejected: 0,
        errors: Vec::new(),
        errors_truncated: false,
        tags_created: Vec::new(),
        columns: parsed.columns,
        preview: Vec::new(),
    };
    let tag_ids: HashMap<String, i64> = store::tags::all(conn)?
        .into_iter()
        .map(|t| (t.name.to_lowercase(), t.id))
        .collect();
    let mut new_tags: Vec<TagSpec> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let stored = store::contact_import::all_phones(conn)?;
    let mut actions = Vec::new();
    let checked = check_all(&parsed.records, region);
    // Each record is dropped once planned: an import of 100 000 rows holds its rows once, not twice.
    for (record, outcome) in parsed.records.into_iter().zip(checked) {
        let outcome = outcome.and_then(|row| {
            let phone = row.fields.phone_number.clone().unwrap_or_default();
            if let Some(first) = seen.get(&phone) {
                return Err((
                    Reason::DuplicateInFile,
                    format!("duplicate in file: {phone} is also on line {first}"),
                ));
            }
            seen.insert(phone, row.line);
            Ok(row)
        });
        let row = match outcome {
            Ok(row) => row,
            Err((code, reason)) => {
                report.rejected += 1;
                if report.preview.len() < PREVIEW_ROWS {
                    report.preview.push(preview_row(
                        &record,
                        RowAction::Reject,
                        None,
                        Some(reason.clone()),
                    ));
                }
                if report.errors.len() < MAX_REPORTED_ERRORS {
                    report.errors.push(RowError {
                        line: record.line,
                        code,
                        reason,
                    });
                } else {
                    report.errors_truncated = true;
                }
                continue;
            }
        };
        for tag in &row.tags {
            let key = tag.name.to_lowercase();
            if !tag_ids.contains_key(&key) && !new_tags.iter().any(|t| t.name.to_lowercase() == key)
            {
                new_tags.push(tag.clone());
            }
        }
        let phone = row.fields.phone_number.as_deref().unwrap_or_default();
        let existing = if stored.contains(phone) {
            store::contact_import::import_target(conn, phone)?
        } else {
            None
        };
        // Each row's fields move into its action; the preview (the first rows only) copies them.
        let mut preview = |action, fields: &ContactFields| {
            if report.preview.len() < PREVIEW_ROWS {
                report
                    .preview
                    .push(preview_row(&record, action, Some(fields), None));
            }
        };
        match existing {
            None => {
                preview(RowAction::Create, &row.fields);
                report.imported += 1;
                actions.push(Action::Create {
                    fields: row.fields,
                    tags: row.tags,
                });
            }
            Some(existing) => match merge(&existing, &row, options.dedupe, &tag_ids) {
                None => {
                    preview(RowAction::Skip, &row.fields);
                    report.skipped += 1;
                }
                Some((fields, tags)) => {
                    preview(RowAction::Update, &fields);
                    report.updated += 1;
                    actions.push(Action::Update {
                        id: existing.id,
                        fields,
                        tags,
                    });
                }
            },
        }
    }
    // Tags named in rows that were all skipped or rejected are not created.
    let used: HashSet<String> = actions
        .iter()
        .flat_map(|a| match a {
            Action::Create { tags, .. } => tags.iter(),
            Action::Update {
                tags: TagChange::Add(tags) | TagChange::Replace(tags),
                ..
            } => tags.iter(),
        })
        .map(|t| t.name.to_lowercase())
        .collect();
    new_tags.retain(|t| used.contains(&t.name.to_lowercase()));
    report.tags_created = new_tags.iter().map(|t| t.name.clone()).collect();
    Ok(Plan {
        actions,
        report,
        new_tags,
    })
}

/// Writes a plan; runs inside the import's one transaction.
pub(super) fn execute(
    engine: &Engine,
    conn: &Connection,
    plan: &Plan,
    now: crate::Millis,
) -> Result<()> {
    let mut tag_ids: HashMap<String, i64> = store::tags::all(conn)?
        .into_iter()
        .map(|t| (t.name.to_lowercase(), t.id))
        .collect();
    let existing = store::tags::count(conn)?;
    for (n, tag) in (existing..).zip(&plan.new_tags) {
        let color = tag.color.clone().unwrap_or_else(|| tags::default_color(n));
        let id = store::tags::insert(conn, &tag.name, &color, now)?;
        tag_ids.insert(tag.name.to_lowercase(), id);
    }
    let mut write = store::contact_import::ImportWrite {
        creates: Vec::new(),
        updates: Vec::new(),
        links: Vec::new(),
        replace_tags_of: Vec::new(),
    };
    let link = |contact: ImportedContact, specs: &[TagSpec], links: &mut Vec<_>| {
        for spec in specs {
            if let Some(tag) = tag_ids.get(&spec.name.to_lowercase()) {
                links.push((contact, *tag));
            }
        }
    };
    for action in &plan.actions {
        match action {
            Action::Create { fields, tags } => {
                link(
                    ImportedContact::New(write.creates.len()),
                    tags,
                    &mut write.links,
                );
                write.creates.push(fields);
            }
            Action::Update { id, fields, tags } => {
                write.updates.push((*id, fields));
                let specs = match tags {
                    TagChange::Add(specs) => specs,
                    TagChange::Replace(specs) => {
                        write.replace_tags_of.push(*id);
                        specs
                    }
                };
                link(ImportedContact::Existing(*id), specs, &mut write.links);
            }
        }
    }
    let total = plan.actions.len();
    let mut done = 0;
    store::contact_import::write_import(conn, &write, "import", now, |staged| {
        done += staged;
        engine.emit(Event::ImportProgress {
            done: done.min(total),
            total,
        });
    })?;
    engine.emit(Event::ImportProgress { done: total, total });
    Ok(())
}
