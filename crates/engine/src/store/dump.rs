//! Whole tables as JSON rows, column by column, for "Export everything": what the database holds,
//! readable without WhatsFlow. Only the tables named here can be dumped.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::error::Result;

/// The tables "Export everything" writes, each to `<table>.json`.
pub(crate) const TABLES: &[&str] = &[
    "business_profile",
    "tags",
    "contact_tags",
    "messages",
    "campaigns",
    "campaign_recipients",
];

/// Every row of `table` (one of [`TABLES`]) as a JSON object of column → value, in the order of the first column (the id).
/// Text and numbers as they are, blobs in base64.
pub(crate) fn table_rows(conn: &Connection, table: &str) -> Result<Vec<serde_json::Value>> {
    use base64::Engine as _;
    if !TABLES.contains(&table) {
        return Err(crate::error::Error::internal(format!(
            "{table} is not a table the export writes"
        )));
    }
    let mut statement = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1"))?;
    let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut object = serde_json::Map::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            let value = match row.get_ref(i)? {
                ValueRef::Null => serde_json::Value::Null,
                ValueRef::Integer(n) => n.into(),
                ValueRef::Real(x) => x.into(),
                ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned().into(),
                ValueRef::Blob(bytes) => base64::engine::general_purpose::STANDARD
                    .encode(bytes)
                    .into(),
            };
            object.insert(column.clone(), value);
        }
        out.push(serde_json::Value::Object(object));
    }
    Ok(out)
}

/// Runs `f` inside one read transaction, so everything it reads is one moment's data.
pub(crate) fn snapshot<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let out = f();
    let _ = conn.execute_batch("COMMIT");
    out
}
