//! Turning what a person types into a safe FTS5 query.

/// Each word becomes a quoted prefix term, so punctuation and FTS operators typed by a user are
/// matched literally instead of being parsed as query syntax.
pub fn fts_query(text: &str) -> String {
    text.split_whitespace()
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_quoted_prefixes() {
        assert_eq!(super::fts_query("rosa  flo"), "\"rosa\"* \"flo\"*");
        assert_eq!(super::fts_query("a\"b OR"), "\"a\"\"b\"* \"OR\"*");
        assert_eq!(super::fts_query("   "), "");
    }
}
