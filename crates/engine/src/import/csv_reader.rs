//! A CSV reader written for imports: any delimiter (sniffed from the header), quoted fields with
//! embedded newlines and doubled quotes, the line each record starts on, and broken quoting reported
//! per record instead of swallowing the rest of the file.

use std::borrow::Cow;

/// One record as read: the physical line it starts on (1-based), its fields as raw bytes, and what
/// was wrong with its quoting, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// The physical line the record starts on (1-based), for error reports.
    pub line: usize,
    /// The fields' raw bytes, unquoted; decoding is left to the caller.
    pub fields: Vec<Cow<'a, [u8]>>,
    /// What was wrong with the record's quoting, when it was.
    pub broken_quoting: Option<&'static str>,
}

impl RawRecord<'_> {
    /// A record of nothing but empty fields (a blank line, or `,,,`).
    pub fn is_blank(&self) -> bool {
        self.fields
            .iter()
            .all(|f| f.iter().all(u8::is_ascii_whitespace))
    }
}

/// Delimiters tried when sniffing, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter of a file: the candidate seen most often outside quotes in its first record.
pub fn sniff_delimiter(data: &[u8]) -> u8 {
    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &b in data.iter().take(64 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..CANDIDATES.len())
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

/// Reads records one by one.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    line: usize,
    delimiter: u8,
}

impl<'a> Reader<'a> {
    /// A reader over the whole file's bytes, splitting fields at `delimiter`.
    pub fn new(data: &'a [u8], delimiter: u8) -> Reader<'a> {
        Reader {
            data,
            pos: 0,
            line: 1,
            delimiter,
        }
    }

    /// Consumes a line break at `pos` (`\r\n`, `\n` or a lone `\r`); true when there was one.
    fn eat_newline(&mut self) -> bool {
        match self.data.get(self.pos) {
            Some(b'\r') => {
                self.pos += 1;
                if self.data.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
                self.line += 1;
                true
            }
            Some(b'\n') => {
                self.pos += 1;
                self.line += 1;
                true
            }
            _ => false,
        }
    }

    /// Skips to just after the end of the current physical line.
    fn skip_line(&mut self) {
        while self.pos < self.data.len() && !matches!(self.data[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
        self.eat_newline();
    }

    fn read_record(&mut self) -> RawRecord<'a> {
        let start = self.pos;
        let start_line = self.line;
        let mut record = RawRecord {
            line: start_line,
            fields: Vec::new(),
            broken_quoting: None,
        };
        loop {
            if self.data.get(self.pos) == Some(&b'"') {
                self.pos += 1;
                let mut value = Vec::new();
                loop {
                    match self.data[self.pos..].iter().position(|&b| b == b'"') {
                        None => {
                            // Never closed: report this record and start again on the line after
                            // its first, so one stray quote costs one row, not the rest of the file.
                            record.broken_quoting = Some("a quoted field is never closed");
                            self.pos = start;
                            self.line = start_line;
                            self.skip_line();
                            return record;
                        }
                        Some(n) => {
                            let chunk = &self.data[self.pos..self.pos + n];
                            self.line += count_line_breaks(chunk);
                            value.extend_from_slice(chunk);
                            self.pos += n + 1;
                            if self.data.get(self.pos) == Some(&b'"') {
                                value.push(b'"');
                                self.pos += 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
                record.fields.push(Cow::Owned(value));
                match self.data.get(self.pos) {
                    None => return record,
                    Some(&b) if b == self.delimiter => self.pos += 1,
                    Some(b'\r' | b'\n') => {
                        self.eat_newline();
                        return record;
                    }
                    Some(_) => {
                        record.broken_quoting = Some("text follows a closing quote");
                        self.skip_line();
                        return record;
                    }
                }
            } else {
                let begin = self.pos;
                let delimiter = self.delimiter;
                let end = self.data[begin..]
                    .iter()
                    .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
                    .map_or(self.data.len(), |n| begin + n);
                record.fields.push(Cow::Borrowed(&self.data[begin..end]));
                self.pos = end;
                match self.data.get(self.pos) {
                    None => return record,
                    Some(&b) if b == delimiter => self.pos += 1,
                    Some(_) => {
                        self.eat_newline();
                        return record;
                    }
                }
            }
        }
    }
}

fn count_line_breaks(chunk: &[u8]) -> usize {
    // `\r\n` counts once, a lone `\r` once, `\n` once.
    let mut n = 0;
    let mut i = 0;
    while i < chunk.len() {
        match chunk[i] {
            b'\r' => {
                n += 1;
                if chunk.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

impl<'a> Iterator for Reader<'a> {
    type Item = RawRecord<'a>;

    fn next(&mut self) -> Option<RawRecord<'a>> {
        if self.pos >= self.data.len() {
            return None;
        }
        Some(self.read_record())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, delimiter: u8) -> Vec<(usize, Vec<String>, Option<&'static str>)> {
        Reader::new(text.as_bytes(), delimiter)
            .map(|r| {
                let fields = r
                    .fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                (r.line, fields, r.broken_quoting)
            })
            .collect()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoted_fields_newlines_and_lines() {
        let got = read(
            "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\nlast,",
            b',',
        );
        assert_eq!(
            got,
            vec![
                (1, strings(&["a", "b"]), None),
                (2, strings(&["x, y", "say \"hi\""]), None),
                (3, strings(&["multi\nline", "z"]), None),
                (5, strings(&["last", ""]), None),
            ]
        );
    }

    #[test]
    fn broken_quoting_costs_one_record() {
        let got = read("h1,h2\n\"open,1\nok,2\n", b',');
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].2, Some("a quoted field is never closed"));
        assert_eq!(
            got[2],
            (3, strings(&["ok", "2"]), None),
            "the next line is read again"
        );

        let got = read("\"a\"b,c\nd,e", b',');
        assert_eq!(got[0].2, Some("text follows a closing quote"));
        assert_eq!(got[1], (2, strings(&["d", "e"]), None));
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"name;phone;tags\n\"a,b\";1;x,y"), b';');
        assert_eq!(sniff_delimiter(b"name\tphone\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",phone\n"), b',');
        assert_eq!(sniff_delimiter(b"phone\n123"), b',');
        assert_eq!(read("a;b\n1;2", b';')[1].1, strings(&["1", "2"]));
    }
}
