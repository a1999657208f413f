//! Importing contacts from CSV (any dialect spreadsheets and address books write), vCard and the
//! app's own JSON export. A file is read into records, each record is checked (phone normalised to
//! E.164 with the business's country, limits, duplicates), then planned against the store (create,
//! update per the dedupe mode, skip) and, unless it is a dry run, written in ONE transaction: a
//! failure leaves nothing half-imported.

use std::collections::{BTreeMap, HashMap, HashSet};

use rlibphonenumber::Region;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::contacts::{
    email_problem, ContactFields, MAX_CUSTOM_FIELDS, MAX_FIELD_CHARS, MAX_FIELD_NAME_CHARS,
    MAX_NOTES_CHARS,
};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::store::contacts::ImportedContact;
use crate::{phone, store, tags, Engine};

pub mod csv_reader;
mod json;
pub mod mapping;
pub mod text;
mod vcard;

use mapping::{ColumnMapping, Target};
pub use text::Encoding;

/// Largest file accepted.
pub const MAX_IMPORT_BYTES: usize = 100 * 1024 * 1024;
/// Most rows (or cards, or JSON contacts) in one file.
pub const MAX_ROWS: usize = 1_000_000;
/// Most columns in a CSV header.
pub const MAX_COLUMNS: usize = 1000;
/// Rejected rows listed in a report; the count covers all of them.
pub const MAX_REPORTED_ERRORS: usize = 50_000;
/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Csv,
    Vcf,
    Json,
}

impl ImportFormat {
    pub fn parse(text: &str) -> Option<ImportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(ImportFormat::Csv),
            "vcf" | "vcard" => Some(ImportFormat::Vcf),
            "json" => Some(ImportFormat::Json),
            _ => None,
        }
    }

    /// Guesses the format from the first bytes.
    fn sniff(bytes: &[u8]) -> ImportFormat {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let head = &bytes[start..bytes.len().min(start + 11)];
        match head.first() {
            Some(b'{' | b'[') => ImportFormat::Json,
            _ if head.eq_ignore_ascii_case(b"BEGIN:VCARD") => ImportFormat::Vcf,
            _ => ImportFormat::Csv,
        }
    }
}

/// What to do with a row whose number is already a contact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DedupeMode {
    /// Leave the contact as it is.
    #[default]
    Skip,
    /// Fill the contact's empty fields (and add tags and custom fields it lacks).
    Fill,
    /// Replace the contact's fields with the file's non-empty values (and its tags with the file's).
    Overwrite,
}

impl DedupeMode {
    pub fn parse(text: &str) -> Option<DedupeMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "skip" => Some(DedupeMode::Skip),
            "fill" => Some(DedupeMode::Fill),
            "overwrite" => Some(DedupeMode::Overwrite),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Sniffed from the content when not given.
    pub format: Option<ImportFormat>,
    /// Report what would happen, write nothing.
    pub dry_run: bool,
    pub dedupe: DedupeMode,
    /// CSV only: contact field → column header, replacing the detected mapping. Fields: phone, name,
    /// firstName, middleName, lastName, email, tags, notes, optedOut, field:<name>.
    pub mapping: Option<BTreeMap<String, String>>,
    /// CSV only: the delimiter, sniffed from the header when not given.
    pub delimiter: Option<u8>,
}

/// Why a row was rejected: a stable code for programs beside the sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NoPhone,
    UnparseablePhone,
    InvalidPhone,
    DuplicateInFile,
    BadEncoding,
    FieldTooLong,
    BrokenQuoting,
    TooManyColumns,
    InvalidEmail,
    InvalidTag,
    InvalidField,
    /// A JSON entry that is not a contact object, or has fields of the wrong type.
    InvalidRecord,
    /// A vCard without its END:VCARD.
    BrokenCard,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// The line the row starts on (CSV, vCard), or the contact's position in the list (JSON).
    pub line: usize,
    pub code: Reason,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RowAction {
    Create,
    Update,
    Skip,
    Reject,
}

/// A row as it will be (or was) imported, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub line: usize,
    pub action: RowAction,
    /// E.164 when the number could be read, else as written.
    pub phone_number: String,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub tags: Vec<String>,
    pub fields: BTreeMap<String, String>,
    pub opted_out: Option<bool>,
    /// Why the row is rejected.
    pub reason: Option<String>,
}

/// The counts of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub imported: usize,
    pub updated: usize,
    pub skipped: usize,
    pub rejected: usize,
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    pub format: ImportFormat,
    pub encoding: Encoding,
    /// The CSV delimiter used (`,` `;` tab `|`); null for other formats.
    pub delimiter: Option<String>,
    pub dedupe: DedupeMode,
    /// Rows read (not counting the header).
    pub rows: usize,
    /// New contacts.
    pub imported: usize,
    /// Existing contacts changed (fill or overwrite).
    pub updated: usize,
    /// Rows whose number is already a contact left unchanged.
    pub skipped: usize,
    /// Rows rejected; each is in `errors` (up to the first 50 000).
    pub rejected: usize,
    pub errors: Vec<RowError>,
    pub errors_truncated: bool,
    /// Tags the import creates.
    pub tags_created: Vec<String>,
    /// Each CSV column and the field it is read as (empty for vCard and JSON).
    pub columns: Vec<ColumnMapping>,
    /// The first rows as they will be imported.
    pub preview: Vec<PreviewRow>,
}

impl ImportReport {
    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            imported: self.imported,
            updated: self.updated,
            skipped: self.skipped,
            rejected: self.rejected,
        }
    }
}

/// A tag named in a file, with the colour the file gives it (JSON export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSpec {
    pub name: String,
    pub color: Option<String>,
}

/// One contact as read from a file, before any check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub line: usize,
    /// Candidate numbers, preferred first (mobile before others).
    pub phones: Vec<String>,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub tags: Vec<TagSpec>,
    pub fields: BTreeMap<String, String>,
    pub opted_out: Option<bool>,
    /// A problem found while reading (encoding, quoting, columns).
    pub problem: Option<(Reason, String)>,
}

impl Record {
    fn new(line: usize) -> Record {
        Record {
            line,
            ..Default::default()
        }
    }
}

/// Splits a tags cell: `VIP; Wholesale`, `a, b`, Google's `* myContacts ::: Friends`. Google's
/// system groups (`myContacts`, `starred`) are not tags.
pub fn split_tags(cell: &str) -> Vec<TagSpec> {
    let mut seen = HashSet::new();
    cell.split([';', ','])
        .flat_map(|part| part.split(":::"))
        .map(|t| t.trim().trim_start_matches("* ").trim())
        .filter(|t| {
            !t.is_empty()
                && !t.eq_ignore_ascii_case("myContacts")
                && !t.eq_ignore_ascii_case("starred")
        })
        .filter(|t| seen.insert(t.to_lowercase()))
        .map(|t| TagSpec {
            name: t.to_owned(),
            color: None,
        })
        .collect()
}

/// Reads a yes/no cell: `Some(None)` for empty, `None` when unreadable.
pub fn parse_flag(text: &str) -> Option<Option<bool>> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Some(None),
        "true" | "yes" | "y" | "1" | "x" | "sim" | "si" | "ja" | "oui" => Some(Some(true)),
        "false" | "no" | "n" | "0" | "não" | "nao" | "nein" | "non" => Some(Some(false)),
        _ => None,
    }
}

/// A file read into records.
struct Parsed {
    format: ImportFormat,
    encoding: Encoding,
    delimiter: Option<u8>,
    columns: Vec<ColumnMapping>,
    records: Vec<Record>,
}

fn read_file(
    bytes: &[u8],
    options: &ImportOptions,
    region: Option<Region>,
) -> Result<Parsed, String> {
    let format = options.format.unwrap_or_else(|| ImportFormat::sniff(bytes));
    let (data, encoding) =
        text::decode(bytes).map_err(|e| format!("Cannot read the file: {}", e.0))?;
    let mut parsed = Parsed {
        format,
        encoding,
        delimiter: None,
        columns: Vec::new(),
        records: Vec::new(),
    };
    match format {
        ImportFormat::Csv => read_csv(&data, options, region, &mut parsed)?,
        ImportFormat::Vcf => {
            let text = String::from_utf8_lossy(&data);
            parsed.records = vcard::read(&text, MAX_ROWS)?;
            if parsed.records.is_empty() {
                return Err("The file has no vCards (BEGIN:VCARD ... END:VCARD)".into());
            }
        }
        ImportFormat::Json => parsed.records = json::read(&data, MAX_ROWS)?,
    }
    Ok(parsed)
}

fn is_phone_target(t: &Target) -> bool {
    matches!(t, Target::Phone { .. } | Target::TypedPhone { .. })
}

fn read_csv(
    data: &[u8],
    options: &ImportOptions,
    region: Option<Region>,
    parsed: &mut Parsed,
) -> Result<(), String> {
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| csv_reader::sniff_delimiter(data));
    parsed.delimiter = Some(delimiter);
    let mut reader =
        csv_reader::Reader::new(data, delimiter).filter(|r| !r.is_blank() || r.broken_quoting.is_some());
    let header = reader.next().ok_or("The file is empty")?;
    if let Some(problem) = header.broken_quoting {
        return Err(format!(
            "The header row (line {}) has broken quoting: {problem}",
            header.line
        ));
    }
    if header.fields.len() > MAX_COLUMNS {
        return Err(format!(
            "The file has {} columns; at most {MAX_COLUMNS} are read",
            header.fields.len()
        ));
    }
    let mut headers: Vec<String> = header
        .fields
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    let mut targets = mapping::map_columns(&headers, options.mapping.as_ref())?;
    let mut first_is_data = false;
    if options.mapping.is_none() && !targets.iter().any(is_phone_target) {
        // No header names a phone column: maybe there is no header at all, just numbers and names.
        if let Some(index) = headers
            .iter()
            .position(|h| phone::normalize(h, region).is_ok())
        {
            first_is_data = true;
            targets = vec![Target::Ignore; headers.len()];
            targets[index] = Target::Phone { rank: 0 };
            if let Some(name) = (0..headers.len()).find(|&i| {
                i != index
                    && !headers[i].is_empty()
                    && phone::normalize(&headers[i], region).is_err()
            }) {
                targets[name] = Target::Name;
            }
            headers = (1..=headers.len()).map(|i| format!("Column {i}")).collect();
        }
    }
    if !targets.iter().any(is_phone_target) {
        return Err(format!(
            "No column holds phone numbers. Columns found: {}. Name the phone column \"phone\" or map it",
            headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
        ));
    }
    parsed.columns = headers
        .iter()
        .zip(&targets)
        .map(|(h, t)| ColumnMapping {
            column: h.clone(),
            field: t.label(),
        })
        .collect();
    // Google's phone kinds: group → the column holding "Mobile", "Work", ...
    let type_columns: HashMap<String, usize> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Target::PhoneType { group } => Some((group.clone(), i)),
            _ => None,
        })
        .collect();
    let first = first_is_data.then_some(header);
    for raw in first.into_iter().chain(reader) {
        if parsed.records.len() >= MAX_ROWS {
            return Err(format!(
                "The file has more than {MAX_ROWS} rows; split it into smaller files"
            ));
        }
        parsed
            .records
            .push(csv_record(&raw, &headers, &targets, &type_columns));
    }
    Ok(())
}

fn csv_record(
    raw: &csv_reader::RawRecord,
    headers: &[String],
    targets: &[Target],
    type_columns: &HashMap<String, usize>,
) -> Record {
    let mut record = Record::new(raw.line);
    if let Some(problem) = raw.broken_quoting {
        record.problem = Some((Reason::BrokenQuoting, format!("broken quoting: {problem}")));
        return record;
    }
    if raw.fields.len() > headers.len()
        && raw.fields[headers.len()..]
            .iter()
            .any(|f| !f.iter().all(u8::is_ascii_whitespace))
    {
        record.problem = Some((
            Reason::TooManyColumns,
            format!(
                "{} columns where the header has {}",
                raw.fields.len(),
                headers.len()
            ),
        ));
        return record;
    }
    let cell = |i: usize| -> Result<&str, Reason> {
        match raw.fields.get(i) {
            None => Ok(""),
            Some(bytes) => std::str::from_utf8(bytes)
                .map(str::trim)
                .map_err(|_| Reason::BadEncoding),
        }
    };
    let mut phones: Vec<(u8, usize, String)> = Vec::new();
    let (mut given, mut middle, mut family) = (String::new(), String::new(), String::new());
    let mut emails: Vec<(u8, String)> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        if matches!(target, Target::Ignore | Target::PhoneType { .. }) {
            continue;
        }
        let value = match cell(i) {
            Ok(v) => v,
            Err(_) => {
                record.problem = Some((
                    Reason::BadEncoding,
                    format!(
                        "bad encoding: the \"{}\" column is not valid UTF-8 text",
                        headers[i]
                    ),
                ));
                return record;
            }
        };
        if value.is_empty() {
            continue;
        }
        match target {
            Target::Phone { rank } => {
                for p in value.split(":::") {
                    phones.push((*rank, i, p.trim().to_owned()));
                }
            }
            Target::TypedPhone { group } => {
                let kind = type_columns
                    .get(group)
                    .and_then(|&t| cell(t).ok())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if kind.contains("fax") || kind.contains("pager") {
                    continue;
                }
                let rank = if ["mobile", "cell", "whatsapp", "celular"]
                    .iter()
                    .any(|k| kind.contains(k))
                {
                    0
                } else {
                    1
                };
                for p in value.split(":::") {
                    phones.push((rank, i, p.trim().to_owned()));
                }
            }
            Target::Name => record.name = value.to_owned(),
            Target::GivenName => given = value.to_owned(),
            Target::MiddleName => middle = value.to_owned(),
            Target::FamilyName => family = value.to_owned(),
            Target::Email { rank } => emails.push((*rank, value.to_owned())),
            Target::Tags => record.tags.extend(split_tags(value)),
            Target::Notes => {
                if !record.notes.is_empty() {
                    record.notes.push('\n');
                }
                record.notes.push_str(value);
            }
            Target::OptedOut => match parse_flag(value) {
                Some(flag) => record.opted_out = flag,
                None => {
                    record.problem = Some((
                        Reason::InvalidField,
                        format!("\"{value}\" in \"{}\" is not yes or no", headers[i]),
                    ));
                    return record;
                }
            },
            Target::Field(name) => {
                record.fields.insert(name.clone(), value.to_owned());
            }
            Target::Ignore | Target::PhoneType { .. } => {}
        }
    }
    phones.sort_by_key(|(rank, column, _)| (*rank, *column));
    record.phones = phones
        .into_iter()
        .map(|(_, _, p)| p)
        .filter(|p| !p.is_empty())
        .collect();
    emails.sort_by_key(|(rank, _)| *rank);
    record.email = emails
        .into_iter()
        .next()
        .map(|(_, e)| e)
        .unwrap_or_default();
    if record.name.is_empty() {
        record.name = [given, middle, family]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    record
}

/// A record that passed every check.
struct Candidate {
    line: usize,
    fields: ContactFields,
    /// Whether the file said anything about opting out.
    opted_out: Option<bool>,
    tags: Vec<TagSpec>,
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
fn check_all(
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

/// How a row changes an existing contact's tags.
enum TagChange {
    Add(Vec<TagSpec>),
    Replace(Vec<TagSpec>),
}

enum Action {
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
struct Plan {
    actions: Vec<Action>,
    report: ImportReport,
    /// New tags by lower-case name, with the colour to create them in.
    new_tags: Vec<TagSpec>,
}

/// What an existing contact becomes under the dedupe mode; `None` when nothing changes.
fn merge(
    existing: &store::contacts::ImportTarget,
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
fn plan(
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
    let stored = store::contacts::all_phones(conn)?;
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
            store::contacts::import_target(conn, phone)?
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
fn execute(engine: &Engine, conn: &Connection, plan: &Plan, now: crate::Millis) -> Result<()> {
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
    let mut write = store::contacts::ImportWrite {
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
    store::contacts::write_import(conn, &write, "import", now, |staged| {
        done += staged;
        engine.emit(Event::ImportProgress {
            done: done.min(total),
            total,
        });
    })?;
    engine.emit(Event::ImportProgress { done: total, total });
    Ok(())
}

impl Engine {
    /// Imports contacts from a file's bytes (or, with `dry_run`, reports what it would do). Rows that
    /// fail a check are listed with their line and reason; the rest are written in one transaction.
    pub fn import_contacts(&self, bytes: &[u8], options: &ImportOptions) -> Result<ImportReport> {
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(Error::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "The file is larger than {} MB; split it",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            ));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::invalid_field("file", "The file is empty"));
        }
        let region = self.default_region()?;
        let parsed =
            read_file(bytes, options, region).map_err(|m| Error::invalid_field("file", m))?;
        if options.dry_run {
            return Ok(self.db().with(|c| plan(c, parsed, options, region))?.report);
        }
        let now = self.now();
        let plan = self.db().with_tx(|tx| {
            store::with_bulk_cache(tx, || {
                let plan = plan(tx, parsed, options, region)?;
                execute(self, tx, &plan, now)?;
                Ok(plan)
            })
        })?;
        if !plan.new_tags.is_empty() {
            self.emit_tags_changed()?;
        }
        if !plan.actions.is_empty() {
            self.emit(Event::ContactsImported(plan.report.counts()));
        }
        Ok(plan.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_cells() {
        let names = |cell: &str| {
            split_tags(cell)
                .into_iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("VIP; Wholesale"), ["VIP", "Wholesale"]);
        assert_eq!(names("a, b ,a"), ["a", "b"]);
        assert_eq!(names("* myContacts ::: Friends ::: * starred"), ["Friends"]);
        assert!(names("").is_empty());
    }

    #[test]
    fn formats_are_sniffed() {
        assert_eq!(
            ImportFormat::sniff(b"\xEF\xBB\xBF [{}]"),
            ImportFormat::Json
        );
        assert_eq!(ImportFormat::sniff(b"begin:vcard\n"), ImportFormat::Vcf);
        assert_eq!(ImportFormat::sniff(b"name,phone"), ImportFormat::Csv);
    }
}
