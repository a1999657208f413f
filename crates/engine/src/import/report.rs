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
    /// No column or property holds a phone number.
    NoPhone,
    /// The phone number cannot be read as a number.
    UnparseablePhone,
    /// The number reads but is no valid number for its country.
    InvalidPhone,
    /// An earlier row of the file has the same number.
    DuplicateInFile,
    /// The row's bytes are not valid in the file's encoding.
    BadEncoding,
    /// A field is over its length limit.
    FieldTooLong,
    /// A quoted field is not closed properly.
    BrokenQuoting,
    /// The row has more columns than the header.
    TooManyColumns,
    /// The e-mail address is not valid.
    InvalidEmail,
    /// A tag name is empty or too long.
    InvalidTag,
    /// A custom field's name or value breaks its limits.
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
    /// Why, as a stable code.
    pub code: Reason,
    /// Why, as a sentence for people.
    pub reason: String,
}

/// What an import does with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RowAction {
    /// A new contact.
    Create,
    /// An existing contact changed (fill or overwrite).
    Update,
    /// An existing contact left as it is.
    Skip,
    /// Not imported; the row is in the errors.
    Reject,
}

/// A row as it will be (or was) imported, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    /// Where the row starts in the file.
    pub line: usize,
    /// What the import does with it.
    pub action: RowAction,
    /// E.164 when the number could be read, else as written.
    pub phone_number: String,
    /// The name as it will be saved.
    pub name: String,
    /// The e-mail address as it will be saved.
    pub email: String,
    /// The notes as they will be saved.
    pub notes: String,
    /// Tag names the contact will have.
    pub tags: Vec<String>,
    /// Custom fields the contact will have.
    pub fields: BTreeMap<String, String>,
    /// The opt-out the file gives; `None` when it does not say.
    pub opted_out: Option<bool>,
    /// Why the row is rejected.
    pub reason: Option<String>,
}

/// The counts of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    /// New contacts.
    pub imported: usize,
    /// Existing contacts changed.
    pub updated: usize,
    /// Rows left out because their number is already a contact.
    pub skipped: usize,
    /// Rows refused.
    pub rejected: usize,
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Whether nothing was written (the preview before the real import).
    pub dry_run: bool,
    /// The format the file was read as.
    pub format: ImportFormat,
    /// The text encoding the file was read in.
    pub encoding: Encoding,
    /// The CSV delimiter used (`,` `;` tab `|`); null for other formats.
    pub delimiter: Option<String>,
    /// What was done with numbers already known.
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
    /// The rejected rows, each with its reason.
    pub errors: Vec<RowError>,
    /// Whether more rows were rejected than `errors` lists.
    pub errors_truncated: bool,
    /// Tags the import creates.
    pub tags_created: Vec<String>,
    /// Each CSV column and the field it is read as (empty for vCard and JSON).
    pub columns: Vec<ColumnMapping>,
    /// The first rows as they will be imported.
    pub preview: Vec<PreviewRow>,
}

impl ImportReport {
    /// The figures alone, for events and the API's summary.
    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            imported: self.imported,
            updated: self.updated,
            skipped: self.skipped,
            rejected: self.rejected,
        }
    }
}
