//! Importing contacts from CSV (any dialect spreadsheets and address books write), vCard and the
//! app's own JSON export. A file is read into records, each record is checked (phone normalised to
//! E.164 with the business's country, limits, duplicates), then planned against the store (create,
//! update per the dedupe mode, skip) and, unless it is a dry run, written in ONE transaction: a
//! failure leaves nothing half-imported.

use std::collections::{BTreeMap, HashSet};

use rlibphonenumber::Region;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::{store, Engine};

mod check;
mod csv;
pub mod csv_reader;
mod json;
pub mod mapping;
mod plan;
mod report;
pub mod text;
mod vcard;

use csv::read_csv;
use plan::{execute, plan};
pub use report::{ImportCounts, ImportReport, PreviewRow, Reason, RowAction, RowError};

use mapping::ColumnMapping;
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

/// The kinds of contacts file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    /// Comma-, semicolon-, tab- or pipe-separated values with a header row.
    Csv,
    /// vCard (`.vcf`), as phones and Google Contacts export it.
    Vcf,
    /// A list of contacts as WhatsFlow's own JSON export writes it.
    Json,
}

impl ImportFormat {
    /// The format a query parameter or file extension names (`csv`, `vcard`, …), if any.
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
    /// The mode a query parameter names, if any.
    pub fn parse(text: &str) -> Option<DedupeMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "skip" => Some(DedupeMode::Skip),
            "fill" => Some(DedupeMode::Fill),
            "overwrite" => Some(DedupeMode::Overwrite),
            _ => None,
        }
    }
}

/// How an import reads its file and what it does with numbers already known.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Sniffed from the content when not given.
    pub format: Option<ImportFormat>,
    /// Report what would happen, write nothing.
    pub dry_run: bool,
    /// What happens to a row whose number is already a contact.
    pub dedupe: DedupeMode,
    /// CSV only: contact field → column header, replacing the detected mapping. Fields: phone, name,
    /// firstName, middleName, lastName, email, tags, notes, optedOut, field:<name>.
    pub mapping: Option<BTreeMap<String, String>>,
    /// CSV only: the delimiter, sniffed from the header when not given.
    pub delimiter: Option<u8>,
}

/// A tag named in a file, with the colour the file gives it (JSON export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSpec {
    /// The tag's name as the file writes it.
    pub name: String,
    /// `#rrggbb`, used when the import creates the tag.
    pub color: Option<String>,
}

/// One contact as read from a file, before any check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Where the contact starts in the file, for error reports.
    pub line: usize,
    /// Candidate numbers, preferred first (mobile before others).
    pub phones: Vec<String>,
    /// The name as written, before trimming.
    pub name: String,
    /// The e-mail address as written.
    pub email: String,
    /// The notes as written.
    pub notes: String,
    /// Tags to give the contact, created when missing.
    pub tags: Vec<TagSpec>,
    /// Custom fields by name.
    pub fields: BTreeMap<String, String>,
    /// Whether the file says the contact opted out; `None` when it does not say.
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
