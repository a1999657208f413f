//! What an import tells: why rows were rejected, what happens to each row in the preview, and the
//! counts, as the wire shows them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::mapping::ColumnMapping;
use super::{DedupeMode, Encoding, ImportFormat};

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
