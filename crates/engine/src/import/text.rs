//! Turning an imported file's bytes into UTF-8: byte-order marks, UTF-16, and the Latin-1
//! (Windows-1252) files older spreadsheets still write. Also refuses files that are not text.

use std::borrow::Cow;

use serde::Serialize;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-16 with a byte-order mark (as Excel's "Unicode text" saves).
    #[serde(rename = "utf-16")]
    Utf16,
    /// Latin-1 as Windows writes it (a superset of ISO-8859-1).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// Why a file cannot be read as text at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText(pub String);

/// How much of the file is looked at to decide whether it is text.
const SNIFF_BYTES: usize = 64 * 1024;

/// The file as UTF-8 bytes and the encoding it was in. A file mostly in UTF-8 with a few broken
/// sequences stays UTF-8, so only the rows holding them are rejected ("bad encoding"); a file with
/// no valid multi-byte UTF-8 at all is Latin-1.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, [u8]>, Encoding), NotText> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        check_text(rest)?;
        return Ok((Cow::Borrowed(rest), Encoding::Utf8));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(bytes);
        if had_errors {
            return Err(NotText("the file says it is UTF-16 but is not".into()));
        }
        let text = text.into_owned();
        check_text(text.as_bytes())?;
        return Ok((Cow::Owned(text.into_bytes()), Encoding::Utf16));
    }
    check_text(bytes)?;
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((Cow::Borrowed(bytes), Encoding::Utf8));
    }
    let (valid_multibyte, invalid) = utf8_census(bytes);
    if valid_multibyte > 0 && invalid <= valid_multibyte {
        return Ok((Cow::Borrowed(bytes), Encoding::Utf8));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Ok((
        Cow::Owned(text.into_owned().into_bytes()),
        Encoding::Windows1252,
    ))
}

/// Refuses binary files: NUL bytes, or more than 1% control characters other than tab and line
/// breaks, in the first 64 KiB.
fn check_text(bytes: &[u8]) -> Result<(), NotText> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return Err(NotText(
            "the file contains NUL bytes: it is not a text file".into(),
        ));
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if controls * 100 > head.len() {
        return Err(NotText(
            "the file is full of control characters: it is not a text file".into(),
        ));
    }
    Ok(())
}

/// Counts valid multi-byte UTF-8 sequences and invalid bytes.
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                valid += text.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good)
                    .map(|t| t.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len()).max(1);
                bytes = &rest[skip.min(rest.len())..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let (text, enc) = decode(b"\xEF\xBB\xBFname\nJos\xC3\xA9").unwrap();
        assert_eq!(
            (text.as_ref(), enc),
            (b"name\nJos\xC3\xA9".as_slice(), Encoding::Utf8)
        );
        let (text, enc) = decode(b"name\nJos\xE9").unwrap();
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(std::str::from_utf8(&text).unwrap(), "name\nJosé");
        // Mostly UTF-8 with one broken byte: stays UTF-8 so the row alone is rejected.
        let (_, enc) = decode(b"Jos\xC3\xA9\nZo\xC3\xAB\nBad\xE9").unwrap();
        assert_eq!(enc, Encoding::Utf8);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a,b".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let (text, enc) = decode(&utf16).unwrap();
        assert_eq!((text.as_ref(), enc), (b"a,b".as_slice(), Encoding::Utf16));
        assert!(decode(b"PK\x03\x04\x00\x00binary").is_err());
        assert!(decode(&[0x01u8; 100]).is_err());
    }
}
