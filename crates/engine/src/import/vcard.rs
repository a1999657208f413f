//! vCard 2.1, 3.0 and 4.0 (`.vcf`), as phones and address books export them: folded lines, grouped
//! properties (`item1.TEL`), escaped text, quoted-printable values; from several numbers per card
//! the mobile one is preferred.

use super::{Reason, Record, TagSpec};

/// One content line: `[group.]NAME[;param...]:value`.
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn parse(line: &str) -> Option<Property> {
        // The value starts at the first colon outside a quoted parameter value.
        let mut quoted = false;
        let colon = line.char_indices().find_map(|(i, c)| match c {
            '"' => {
                quoted = !quoted;
                None
            }
            ':' if !quoted => Some(i),
            _ => None,
        })?;
        let (head, value) = (&line[..colon], &line[colon + 1..]);
        let mut parts = head.split(';');
        let name = parts.next()?.trim();
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        let params = parts
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (
                    k.trim().to_ascii_uppercase(),
                    v.trim().trim_matches('"').to_owned(),
                ),
                // vCard 2.1 writes bare types: `TEL;CELL:...`.
                None => ("TYPE".to_owned(), p.trim().to_owned()),
            })
            .collect();
        Some(Property {
            name,
            params,
            value: value.to_owned(),
        })
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every TYPE value, lower-case (`TYPE=cell,voice`, `TYPE=CELL;TYPE=PREF`, `;CELL`).
    fn types(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(k, _)| k == "TYPE")
            .flat_map(|(_, v)| v.split(',').map(|t| t.trim().to_ascii_lowercase()))
            .collect()
    }

    /// The value with quoted-printable and charset undone (vCard 2.1).
    fn raw_value(&self) -> String {
        let qp = self
            .param("ENCODING")
            .is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
            || self.types().iter().any(|t| t == "quoted-printable");
        if !qp {
            return self.value.clone();
        }
        let bytes = decode_quoted_printable(&self.value);
        let charset = self
            .param("CHARSET")
            .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
            .unwrap_or(encoding_rs::UTF_8);
        charset.decode_without_bom_handling(&bytes).0.into_owned()
    }

    /// A text value with vCard escapes undone.
    fn text(&self) -> String {
        unescape(&self.raw_value())
    }
}

fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a structured value (`N`, `CATEGORIES`) on unescaped separators.
fn split_unescaped(text: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    parts.last_mut().unwrap().push('\\');
                    parts.last_mut().unwrap().push(next);
                }
            }
            c if c == separator => parts.push(String::new()),
            c => parts.last_mut().unwrap().push(c),
        }
    }
    parts
        .iter()
        .map(|p| unescape(p).trim().to_owned())
        .collect()
}

/// Unfolded logical lines with the physical line each starts on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut soft_break = false;
    for (index, physical) in text.split('\n').enumerate() {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        let folded = physical.starts_with([' ', '\t']);
        match lines.last_mut() {
            // RFC folding: the continuation drops its one leading blank.
            Some((_, last)) if folded => last.push_str(&physical[1..]),
            // Quoted-printable soft break: `=` at the end joins the next line.
            Some((_, last)) if soft_break => last.push_str(physical),
            _ => lines.push((index + 1, physical.to_owned())),
        }
        if let Some((_, last)) = lines.last_mut() {
            soft_break =
                last.ends_with('=') && last.to_ascii_uppercase().contains("QUOTED-PRINTABLE");
            if soft_break {
                last.pop();
            }
        }
    }
    lines
}

/// How much a number of this kind is wanted: mobile first, faxes and pagers never.
fn phone_rank(types: &[String]) -> Option<u8> {
    if types
        .iter()
        .any(|t| matches!(t.as_str(), "fax" | "pager" | "x-fax"))
    {
        return None;
    }
    if types.iter().any(|t| {
        matches!(
            t.as_str(),
            "cell" | "mobile" | "iphone" | "x-mobile" | "whatsapp"
        )
    }) {
        return Some(0);
    }
    if types.iter().any(|t| t == "pref") {
        return Some(1);
    }
    Some(2)
}

/// A card being read: the record so far, its numbers with their rank, and the structured name
/// (given, middle, family) used when there is no `FN`.
struct OpenCard {
    record: Record,
    phones: Vec<(u8, String)>,
    structured: Option<[String; 3]>,
}

/// Every card of a vCard file.
pub fn read(text: &str, max_cards: usize) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut card: Option<OpenCard> = None;
    for (line, content) in logical_lines(text) {
        if content.trim().is_empty() {
            continue;
        }
        let Some(property) = Property::parse(&content) else {
            continue;
        };
        match property.name.as_str() {
            "BEGIN" if property.value.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(open) = card.take() {
                    records.push(finish(open, Some("the card before has no END:VCARD")));
                }
                if records.len() >= max_cards {
                    return Err(format!("The file has more than {max_cards} cards"));
                }
                card = Some(OpenCard {
                    record: Record::new(line),
                    phones: Vec::new(),
                    structured: None,
                });
            }
            "END" if property.value.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(open) = card.take() {
                    records.push(finish(open, None));
                }
            }
            _ => {
                let Some(OpenCard {
                    record,
                    phones,
                    structured,
                }) = card.as_mut()
                else {
                    continue;
                };
                match property.name.as_str() {
                    "FN" => record.name = property.text().trim().to_owned(),
                    "N" => {
                        let parts = split_unescaped(&property.raw_value(), ';');
                        let part = |i: usize| parts.get(i).cloned().unwrap_or_default();
                        *structured = Some([part(1), part(2), part(0)]);
                    }
                    "TEL" => {
                        if let Some(rank) = phone_rank(&property.types()) {
                            let value = property.text();
                            let value = value.trim();
                            let value = value.strip_prefix("tel:").unwrap_or(value);
                            if !value.is_empty() {
                                phones.push((rank, value.to_owned()));
                            }
                        }
                    }
                    "EMAIL" if record.email.is_empty() => {
                        record.email = property.text().trim().to_owned()
                    }
                    "NOTE" => record.notes = property.text().trim().to_owned(),
                    "CATEGORIES" => {
                        for name in split_unescaped(&property.raw_value(), ',') {
                            if !name.is_empty() {
                                record.tags.push(TagSpec { name, color: None });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(open) = card.take() {
        records.push(finish(open, None));
    }
    Ok(records)
}

fn finish(card: OpenCard, problem: Option<&str>) -> Record {
    let OpenCard {
        mut record,
        mut phones,
        structured,
    } = card;
    // Stable sort: among numbers of the same kind, the card's order stands.
    phones.sort_by_key(|(rank, _)| *rank);
    record.phones = phones.into_iter().map(|(_, p)| p).collect();
    if record.name.is_empty() {
        if let Some(parts) = structured {
            record.name = parts
                .iter()
                .filter(|p| !p.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    if let Some(problem) = problem {
        record.problem = Some((Reason::BrokenCard, problem.to_owned()));
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_escaped_and_typed() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Silva;Ana;;;\r\nTEL;TYPE=HOME:+55 11 3333-4444\r\n\
                    item1.TEL;type=CELL;type=VOICE:+55 11 91234-5678\r\nNOTE:likes roses\\, tulips\\nand \r\n  more\r\n\
                    CATEGORIES:VIP,Wholesale\r\nEND:VCARD\r\n";
        let cards = read(text, 10).unwrap();
        assert_eq!(cards.len(), 1);
        let card = &cards[0];
        assert_eq!(card.line, 1);
        assert_eq!(card.name, "Ana Silva");
        assert_eq!(
            card.phones[0], "+55 11 91234-5678",
            "the mobile number comes first"
        );
        assert_eq!(card.notes, "likes roses, tulips\nand  more");
        assert_eq!(
            card.tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["VIP", "Wholesale"]
        );
    }

    #[test]
    fn version_4_and_2_1() {
        let v4 = "BEGIN:VCARD\nVERSION:4.0\nFN:Bob\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+1-415-555-0100\n\
                  TEL;VALUE=uri;TYPE=\"cell,voice\":tel:+1-415-555-0132\nEND:VCARD\n";
        assert_eq!(
            read(v4, 10).unwrap()[0].phones,
            ["+1-415-555-0132", "+1-415-555-0100"]
        );
        let v21 = "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\n\
                   TEL;WORK;FAX:+49301234567\nTEL;CELL:+491712345678\nEND:VCARD";
        let card = &read(v21, 10).unwrap()[0];
        assert_eq!(card.name, "Jürgen Müller");
        assert_eq!(
            card.phones,
            ["+491712345678"],
            "faxes are not WhatsApp numbers"
        );
    }
}
