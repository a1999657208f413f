//! Turning what a person types into a safe FTS5 query.

/// Each word becomes a quoted prefix term, so punctuation and FTS operators typed by a user are
/// matched literally instead of being parsed as query syntax. Control characters separate words
/// too: FTS5 reads a NUL inside a quoted term as the end of the query ("unterminated string").
pub fn fts_query(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
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
        assert_eq!(super::fts_query("ro\0sa\u{1}"), "\"ro\"* \"sa\"*");
        assert_eq!(super::fts_query("\0"), "");
    }
}
