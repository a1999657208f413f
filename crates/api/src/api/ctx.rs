//! What a handler sees of its request: the engine, path parameters and the query, with readers
//! that turn query values into typed ones or a 400 naming the parameter.

use std::collections::HashMap;

use whatsflow_engine::{Engine, Error, Result};

use super::Caller;

/// What a handler sees of its request.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    /// Who is calling, as the transport authenticated them.
    pub caller: Caller,
    pub params: HashMap<&'static str, String>,
    pub query: HashMap<String, Vec<String>>,
}

impl Ctx<'_> {
    /// A numeric path parameter such as `{id}`.
    pub fn id(&self, name: &str) -> Result<i64> {
        self.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Error::invalid_field(name, format!("{name} must be a number")))
    }
    /// The first `?name=` value as sent.
    pub fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
    /// `?name=` trimmed, absent when empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.query_one(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
    /// `?name=true|false|1|0`, absent when empty.
    pub fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.one_of(
            name,
            &[("true", true), ("1", true), ("false", false), ("0", false)],
        )
        .map_err(|_| Error::invalid_field(name, format!("{name} must be true or false")))
    }
    /// `?name=` as one of the given words, absent when empty; the error lists the words.
    pub fn one_of<T: Copy>(&self, name: &str, choices: &[(&str, T)]) -> Result<Option<T>> {
        let Some(value) = self.text(name) else {
            return Ok(None);
        };
        choices
            .iter()
            .find(|(word, _)| *word == value)
            .map(|(_, choice)| Some(*choice))
            .ok_or_else(|| {
                let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
                Error::invalid_field(name, format!("{name} must be one of: {}", words.join(", ")))
            })
    }
    /// `?name=` ids, repeated or comma-separated (`?tag=1&tag=2`, `?tag=1,2`).
    pub fn ids(&self, name: &str) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for value in self.query.get(name).into_iter().flatten() {
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                ids.push(part.parse().map_err(|_| {
                    Error::invalid_field(name, format!("{name} must be ids (numbers)"))
                })?);
            }
        }
        Ok(ids)
    }
    /// `?name=` as a number, absent when empty.
    pub fn number(&self, name: &str) -> Result<Option<i64>> {
        self.text(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid_field(name, format!("{name} must be a number")))
            })
            .transpose()
    }
    /// `?limit=`, between 1 and 500.
    pub fn limit(&self, default: usize) -> Result<usize> {
        match self.query_one("limit") {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| Error::invalid_field("limit", "limit must be between 1 and 500")),
        }
    }
    /// `?cursor=`: the `nextCursor` of the previous page, handed to the engine as it is.
    pub fn cursor(&self) -> Option<&str> {
        self.query_one("cursor")
    }
}

pub(super) fn parse_query(text: &str) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        out.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    out
}

/// Decodes `%XX` escapes in a path segment (a `+` stays a `+` there, unlike in a query).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b+c");
        assert_eq!(percent_decode("%2B49"), "+49");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn query_strings() {
        let q = parse_query("tag=1&tag=2&q=rosa%20m&p=%2B49+1&empty");
        assert_eq!(q["tag"], vec!["1", "2"]);
        assert_eq!(q["q"], vec!["rosa m"]);
        assert_eq!(q["p"], vec!["+49 1"]);
        assert_eq!(q["empty"], vec![""]);
    }
}
