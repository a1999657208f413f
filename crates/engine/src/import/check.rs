//! Checking the records of a file, each on its own: limits, the phone number in E.164, e-mail, tags
//! and custom fields. Runs on every core, since parsing numbers is most of an import's own work.

use std::collections::HashSet;

use rlibphonenumber::Region;

use super::{Reason, Record, TagSpec};
use crate::contacts::{
    email_problem, ContactFields, MAX_CUSTOM_FIELDS, MAX_FIELD_CHARS, MAX_FIELD_NAME_CHARS,
    MAX_NOTES_CHARS,
};
use crate::{phone, tags};

/// A record that passed every check.
pub(super) struct Candidate {
    pub(super) line: usize,
    pub(super) fields: ContactFields,
    /// Whether the file said anything about opting out.
    pub(super) opted_out: Option<bool>,
    pub(super) tags: Vec<TagSpec>,
}

fn too_long(what: &str, value: &str, max: usize) -> Option<(Reason, String)> {
    let n = value.chars().count();
    (n > max).then(|| {
        (
            Reason::FieldTooLong,
            format!("{what} is {n} characters long (at most {max})"),
        )
    })
}

/// Checks one record: problems from reading, limits, the phone number, e-mail, tags, fields.
fn check(
    record: &Record,
    region: Option<Region>,
) -> std::result::Result<Candidate, (Reason, String)> {
    if let Some(problem) = &record.problem {
        return Err(problem.clone());
    }
    let name = record.name.trim();
    let email = record.email.trim();
    let notes = record.notes.trim();
    let long = too_long("the name", name, MAX_FIELD_CHARS)
        .or_else(|| too_long("the e-mail", email, MAX_FIELD_CHARS))
        .or_else(|| too_long("the notes", notes, MAX_NOTES_CHARS))
        .or_else(|| {
            record
                .phones
                .iter()
                .find_map(|p| too_long("the phone number", p, MAX_FIELD_CHARS))
        })
        .or_else(|| {
            record
                .fields
                .iter()
                .find_map(|(k, v)| too_long(&format!("the field \"{k}\""), v, MAX_FIELD_CHARS))
        });
    if let Some(problem) = long {
        return Err(problem);
    }
    let candidates: Vec<&str> = record
        .phones
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if candidates.is_empty() {
        return Err((Reason::NoPhone, "no phone number".into()));
    }
    let mut first_problem = None;
    let mut e164 = None;
    for text in &candidates {
        match phone::normalize(text, region) {
            Ok(p) => {
                e164 = Some(p);
                break;
            }
            Err(e) => {
                first_problem.get_or_insert((e, *text));
            }
        }
    }
    let Some(e164) = e164 else {
        let (e, text) = first_problem.unwrap_or((phone::PhoneError::Empty, ""));
        return Err(match e {
            phone::PhoneError::Invalid => (
                Reason::InvalidPhone,
                format!("\"{text}\" is not a valid phone number"),
            ),
            _ => (
                Reason::UnparseablePhone,
                format!("\"{text}\" is not a phone number"),
            ),
        });
    };
    if let Some(problem) = email_problem(email) {
        return Err((Reason::InvalidEmail, format!("\"{email}\": {problem}")));
    }
    let mut tag_names = HashSet::new();
    let mut tag_list = Vec::new();
    for tag in &record.tags {
        let name = tags::checked_name(&tag.name)
            .map_err(|m| (Reason::InvalidTag, format!("tag \"{}\": {m}", tag.name)))?;
        if tag_names.insert(name.to_lowercase()) {
            let color = tag
                .color
                .as_deref()
                .and_then(|c| tags::checked_color(c).ok());
            tag_list.push(TagSpec { name, color });
        }
    }
    let fields = crate::contacts::clean_custom_fields(&record.fields);
    if fields.len() > MAX_CUSTOM_FIELDS {
        return Err((
            Reason::InvalidField,
            format!(
                "{} custom fields (at most {MAX_CUSTOM_FIELDS})",
                fields.len()
            ),
        ));
    }
    if let Some(key) = fields
        .keys()
        .find(|k| k.chars().count() > MAX_FIELD_NAME_CHARS)
    {
        return Err((
            Reason::InvalidField,
            format!("the custom field name \"{key}\" is too long"),
        ));
    }
    Ok(Candidate {
        line: record.line,
        fields: ContactFields {
            phone_number: Some(e164),
            name: name.to_owned(),
            email: email.to_owned(),
            notes: notes.to_owned(),
            fields,
            opted_out: record.opted_out.unwrap_or(false),
        },
        opted_out: record.opted_out,
        tags: tag_list,
    })
}

/// Checks every record, on as many threads as there are cores: parsing the phone numbers is most of
/// an import's own work. Results are in the records' order.
pub(super) fn check_all(
    records: &[Record],
    region: Option<Region>,
) -> Vec<std::result::Result<Candidate, (Reason, String)>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = records.len().div_ceil(threads).max(1000);
    std::thread::scope(|scope| {
        let parts: Vec<_> = records
            .chunks(share)
            .map(|part| {
                scope.spawn(move || part.iter().map(|r| check(r, region)).collect::<Vec<_>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
