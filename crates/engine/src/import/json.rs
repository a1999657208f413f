//! The JSON contacts file: the app's own export (`{"format": "whatsflow.contacts", "contacts": [...]}`)
//! or a bare array of contact objects. A record's `line` is its position in the list.

use serde_json::Value;

use super::{Reason, Record, TagSpec};

/// Text of a JSON value that should be a string (numbers are accepted, e.g. a phone as a number).
fn text(value: Option<&Value>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(_) => Err("is not text".into()),
    }
}

fn record(position: usize, value: &Value) -> Record {
    let mut record = Record::new(position);
    let Value::Object(object) = value else {
        record.problem = Some((Reason::InvalidRecord, "is not a contact object".into()));
        return record;
    };
    let get = |keys: &[&str]| keys.iter().find_map(|k| object.get(*k));
    let mut problems: Vec<String> = Vec::new();
    let mut fail = |what: &str, why: String| problems.push(format!("{what} {why}"));
    match text(get(&["phoneNumber", "phone", "phone_number"])) {
        Ok(p) if !p.trim().is_empty() => record.phones.push(p),
        Ok(_) => {}
        Err(e) => fail("phoneNumber", e),
    }
    for (key, slot) in [
        ("name", &mut record.name),
        ("email", &mut record.email),
        ("notes", &mut record.notes),
    ] {
        match text(object.get(key)) {
            Ok(v) => *slot = v,
            Err(e) => fail(key, e),
        }
    }
    match get(&["tags"]) {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) => {
            for tag in tags {
                match tag {
                    Value::String(name) => record.tags.push(TagSpec {
                        name: name.clone(),
                        color: None,
                    }),
                    Value::Object(t) => match t.get("name") {
                        Some(Value::String(name)) => record.tags.push(TagSpec {
                            name: name.clone(),
                            color: t.get("color").and_then(Value::as_str).map(str::to_owned),
                        }),
                        _ => fail("tags", "must have names".into()),
                    },
                    _ => fail("tags", "must be names or {name, color} objects".into()),
                }
            }
        }
        Some(Value::String(list)) => record.tags.extend(super::split_tags(list)),
        Some(_) => fail("tags", "must be a list".into()),
    }
    match get(&["fields", "customFields"]) {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (key, value) in fields {
                match text(Some(value)) {
                    Ok(v) => {
                        record.fields.insert(key.clone(), v);
                    }
                    Err(e) => fail(&format!("field {key}"), e),
                }
            }
        }
        Some(_) => fail("fields", "must be an object".into()),
    }
    match get(&["optedOut", "opted_out"]) {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => record.opted_out = Some(*b),
        Some(other) => match super::parse_flag(&text(Some(other)).unwrap_or_default()) {
            Some(flag) => record.opted_out = flag,
            None => fail("optedOut", "must be true or false".into()),
        },
    }
    if let Some(first) = problems.into_iter().next() {
        record.problem = Some((Reason::InvalidRecord, first));
    }
    record
}

/// Every contact of a JSON file, or why the file as a whole cannot be read.
pub fn read(bytes: &[u8], max_records: usize) -> Result<Vec<Record>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "The file is not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    let list = match &value {
        Value::Array(list) => list,
        Value::Object(object) => match object.get("contacts") {
            Some(Value::Array(list)) => list,
            _ => return Err("The JSON has no \"contacts\" list".into()),
        },
        _ => return Err("The JSON must be a list of contacts or {\"contacts\": [...]}".into()),
    };
    if list.len() > max_records {
        return Err(format!("The file has more than {max_records} contacts"));
    }
    Ok(list
        .iter()
        .enumerate()
        .map(|(i, v)| record(i + 1, v))
        .collect())
}
