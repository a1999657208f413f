//! The opaque cursors of contact pages: the sort value and id a page ended on, in URL-safe base64.

use base64::Engine as _;

use super::SortField;
use crate::error::{Error, Result};

/// The value a page ended on, for keyset pagination.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortKey {
    Text(String),
    Int(i64),
}

impl SortKey {
    fn to_json(&self) -> serde_json::Value {
        match self {
            SortKey::Text(s) => serde_json::Value::String(s.clone()),
            SortKey::Int(n) => serde_json::Value::from(*n),
        }
    }
}

/// The opaque cursor of a page ending on (`key`, `id`).
pub(crate) fn encode_cursor(key: &SortKey, id: i64) -> String {
    let json = serde_json::json!([key.to_json(), id]).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_cursor(cursor: &str, field: SortField) -> Result<(SortKey, i64)> {
    let bad = || Error::invalid_field("cursor", "cursor is not valid for this sort order");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let (key, id): (serde_json::Value, i64) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let key = match (field, key) {
        (SortField::Name, serde_json::Value::String(s)) => SortKey::Text(s),
        (SortField::LastMessageAt | SortField::CreatedAt, serde_json::Value::Number(n)) => {
            SortKey::Int(n.as_i64().ok_or_else(bad)?)
        }
        _ => return Err(bad()),
    };
    Ok((key, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_the_wrong_sort() {
        let c = encode_cursor(&SortKey::Text("Rosa".into()), 7);
        assert_eq!(
            decode_cursor(&c, SortField::Name).unwrap(),
            (SortKey::Text("Rosa".into()), 7)
        );
        assert!(
            decode_cursor(&c, SortField::CreatedAt).is_err(),
            "a name cursor is no time cursor"
        );
        let t = encode_cursor(&SortKey::Int(1_700_000_000_000), 3);
        assert_eq!(
            decode_cursor(&t, SortField::LastMessageAt).unwrap().0,
            SortKey::Int(1_700_000_000_000)
        );
        assert!(decode_cursor("not base64!", SortField::Name).is_err());
    }
}
