//! A CSV file as contact records: rows read with the import's reader (`csv_reader`), columns mapped
//! to contact fields (`mapping`), names, numbers and flags put together per row.

use std::collections::HashMap;

use rlibphonenumber::Region;

use super::mapping::{self, ColumnMapping, Target};
use super::{
    csv_reader, parse_flag, split_tags, ImportOptions, Parsed, Reason, Record, MAX_COLUMNS,
    MAX_ROWS,
};
use crate::phone;

fn is_phone_target(t: &Target) -> bool {
    matches!(t, Target::Phone { .. } | Target::TypedPhone { .. })
}

pub(super) fn read_csv(
    data: &[u8],
    options: &ImportOptions,
    region: Option<Region>,
    parsed: &mut Parsed,
) -> Result<(), String> {
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| csv_reader::sniff_delimiter(data));
    parsed.delimiter = Some(delimiter);
    let mut reader = csv_reader::Reader::new(data, delimiter)
        .filter(|r| !r.is_blank() || r.broken_quoting.is_some());
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
