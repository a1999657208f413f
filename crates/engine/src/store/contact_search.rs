//! The contacts search box as SQL: words become full-text queries on `contacts_fts`, phone fragments
//! trigram lookups on `contacts_phone_fts`, each answered from the indexes alone. The contacts list
//! and the chat list filter with these conditions.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::error::Result;

/// A word of a search is a phone fragment when it is only digits and phone punctuation, with at
/// least three digits (the trigram index needs three characters).
fn phone_fragment(word: &str) -> Option<String> {
    let phone_like = word
        .chars()
        .all(|c| c.is_ascii_digit() || "+-().".contains(c));
    let digits: String = word.chars().filter(char::is_ascii_digit).collect();
    (phone_like && digits.len() >= 3).then_some(digits)
}

/// One condition of a search, each answered by the full-text indexes alone.
pub(crate) enum SearchTerm {
    /// Every word prefixes a word of the name, WhatsApp name, e-mail or notes (an FTS5 query).
    Words(String),
    /// Any of these runs of digits is in the number (looked up in the trigram index), or the
    /// typed word prefixes a word elsewhere ("Shop 2024").
    Number { digits: Vec<String>, words: String },
}

impl SearchTerm {
    /// A query for the ids of the contacts this term matches, and its parameters.
    fn ids_sql(&self) -> (String, Vec<Value>) {
        const WORDS: &str = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?";
        match self {
            SearchTerm::Words(words) => (WORDS.into(), vec![Value::Text(words.clone())]),
            SearchTerm::Number { digits, words } => {
                let mut parts = vec![
                    "SELECT rowid FROM contacts_phone_fts WHERE phone_number LIKE ?";
                    digits.len()
                ];
                parts.push(WORDS);
                let mut values: Vec<Value> = digits
                    .iter()
                    .map(|d| Value::Text(format!("%{d}%")))
                    .collect();
                values.push(Value::Text(words.clone()));
                (parts.join(" UNION "), values)
            }
        }
    }
}

/// The search box's words as conditions: words of text together, each phone fragment on its own.
pub(crate) fn search_terms(q: Option<&str>) -> Vec<SearchTerm> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Vec::new();
    };
    let mut terms = Vec::new();
    let mut words = Vec::new();
    for word in q.split_whitespace() {
        match phone_fragment(word) {
            Some(digits) => {
                // A national number typed with its trunk prefix ("0171 ...") has no 0 in E.164.
                let trimmed = digits.trim_start_matches('0').to_owned();
                let mut runs = vec![digits.clone()];
                if trimmed.len() >= 3 && trimmed.len() < digits.len() {
                    runs.push(trimmed);
                }
                terms.push(SearchTerm::Number {
                    digits: runs,
                    words: crate::search::fts_query(word),
                });
            }
            None => words.push(word),
        }
    }
    let text = crate::search::fts_query(&words.join(" "));
    if !text.is_empty() {
        terms.push(SearchTerm::Words(text));
    }
    terms
}

/// What a person typed in a search box as SQL conditions on `c.id`, the contacts table's alias.
pub(crate) fn search_sql(q: Option<&str>) -> (Vec<String>, Vec<Value>) {
    search_conditions(&search_terms(q))
}

/// The search as SQL conditions on `c.id`.
pub(crate) fn search_conditions(terms: &[SearchTerm]) -> (Vec<String>, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for term in terms {
        let (sql, params) = term.ids_sql();
        conditions.push(format!("c.id IN ({sql})"));
        values.extend(params);
    }
    (conditions, values)
}

/// The ids of the contacts matching every term, ascending, read from the indexes alone.
pub(crate) fn search_hits(conn: &Connection, terms: &[SearchTerm]) -> Result<Vec<i64>> {
    let mut hits: Option<Vec<i64>> = None;
    for term in terms {
        let (sql, params) = term.ids_sql();
        let mut ids = conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        ids.sort_unstable();
        hits = Some(match hits {
            None => ids,
            Some(mut so_far) => {
                so_far.retain(|id| ids.binary_search(id).is_ok());
                so_far
            }
        });
    }
    Ok(hits.unwrap_or_default())
}
