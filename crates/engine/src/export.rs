//! Exporting contacts as CSV or JSON, all of them or those matching a filter, with tags and custom
//! fields. Both formats import back into the same contacts (see `import`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::contacts::{Contact, ContactFilter};
use crate::error::{Error, Result};
use crate::{store, Engine};

/// The file format of a contacts export.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Comma-separated values, for spreadsheets.
    #[default]
    Csv,
    /// The app's own JSON format (`whatsflow.contacts`), which the import reads back.
    Json,
}

impl ExportFormat {
    /// `csv` or `json`, in any case.
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
}

/// An exported file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// A suggested file name, dated.
    pub filename: String,
    /// Its MIME type.
    pub content_type: &'static str,
    /// The file's bytes.
    pub body: Vec<u8>,
    /// How many contacts it holds.
    pub count: usize,
}

/// The JSON export's identifier, so an import knows what it reads.
pub const JSON_FORMAT: &str = "whatsflow.contacts";

/// A tag in the JSON export: by name (ids differ between installations), with its colour.
#[derive(Debug, Serialize)]
struct JsonTag<'a> {
    name: &'a str,
    color: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonContact<'a> {
    phone_number: &'a Option<String>,
    name: &'a str,
    email: &'a str,
    notes: &'a str,
    tags: Vec<JsonTag<'a>>,
    fields: &'a std::collections::BTreeMap<String, String>,
    opted_out: bool,
    opted_out_at: &'a Option<String>,
    wa_id: &'a Option<String>,
    push_name: &'a str,
    source: &'a str,
    created_at: &'a str,
}

pub(crate) fn json(contacts: &[Contact], exported_at: &str) -> Result<Vec<u8>> {
    // One contact per line: readable, diffable, and still one JSON document.
    let mut out = format!(
        "{{\"format\":\"{JSON_FORMAT}\",\"version\":1,\"exportedAt\":\"{exported_at}\",\"contacts\":[\n"
    );
    for (i, c) in contacts.iter().enumerate() {
        let row = JsonContact {
            phone_number: &c.phone_number,
            name: &c.name,
            email: &c.email,
            notes: &c.notes,
            tags: c
                .tags
                .iter()
                .map(|t| JsonTag {
                    name: &t.name,
                    color: &t.color,
                })
                .collect(),
            fields: &c.fields,
            opted_out: c.opted_out,
            opted_out_at: &c.opted_out_at,
            wa_id: &c.wa_id,
            push_name: &c.push_name,
            source: &c.source,
            created_at: &c.created_at,
        };
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(&serde_json::to_string(&row).map_err(|e| Error::internal(e.to_string()))?);
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

/// The CSV columns: ours first (their names are what the importer detects), then each custom field
/// as `field:<name>`.
const CSV_COLUMNS: [&str; 8] = [
    "phoneNumber",
    "name",
    "email",
    "notes",
    "tags",
    "optedOut",
    "pushName",
    "waId",
];

fn csv(contacts: &[Contact]) -> Result<Vec<u8>> {
    let keys: BTreeSet<&str> = contacts
        .iter()
        .flat_map(|c| c.fields.keys().map(String::as_str))
        .collect();
    // A byte-order mark so spreadsheet programs open the file as UTF-8.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        let header: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(keys.iter().map(|k| format!("field:{k}")))
            .collect();
        let fail = |e: ::csv::Error| Error::internal("could not write the CSV").with_source(e);
        writer.write_record(&header).map_err(fail)?;
        for c in contacts {
            let tags = c
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let mut row: Vec<&str> = vec![
                c.phone_number.as_deref().unwrap_or(""),
                &c.name,
                &c.email,
                &c.notes,
                &tags,
                if c.opted_out { "true" } else { "false" },
                &c.push_name,
                c.wa_id.as_deref().unwrap_or(""),
            ];
            row.extend(
                keys.iter()
                    .map(|k| c.fields.get(*k).map(String::as_str).unwrap_or("")),
            );
            writer.write_record(&row).map_err(fail)?;
        }
        writer
            .flush()
            .map_err(|e| Error::internal("could not write the CSV").with_source(e))?;
    }
    Ok(out)
}

impl Engine {
    /// Every contact matching `filter` (all when empty) as a CSV or JSON file.
    pub fn export_contacts(
        &self,
        filter: &ContactFilter,
        format: ExportFormat,
    ) -> Result<ExportFile> {
        let contacts = self
            .db()
            .with(|c| store::contacts::all_matching(c, filter))?;
        let now = crate::clock::to_rfc3339(self.now());
        let day = &now[..10];
        let (body, content_type, ext) = match format {
            ExportFormat::Csv => (csv(&contacts)?, "text/csv; charset=utf-8", "csv"),
            ExportFormat::Json => (json(&contacts, &now)?, "application/json", "json"),
        };
        Ok(ExportFile {
            filename: format!("whatsflow-contacts-{day}.{ext}"),
            content_type,
            body,
            count: contacts.len(),
        })
    }
}
