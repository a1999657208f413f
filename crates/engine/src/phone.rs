//! Phone numbers: everything entering the app is normalised to E.164 with libphonenumber, using the
//! business's country only for numbers written without a country code.

use rlibphonenumber::{PhoneNumberFormat, Region, PHONE_NUMBER_UTIL};

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    /// Nothing was typed.
    Empty,
    /// The text is not a phone number at all.
    Unparseable,
    /// A number, but not a valid one for its country (or no country code and no default country).
    Invalid,
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PhoneError::Empty => "phone number is empty",
            PhoneError::Unparseable => "phone number could not be read",
            PhoneError::Invalid => "phone number is not a valid number",
        })
    }
}

/// Parses text such as `(415) 555-0132`, `+55 11 91234-5678` or `tel:+27-82-123-4567` into E.164.
pub fn normalize(text: &str, default_region: Option<Region>) -> Result<String, PhoneError> {
    let text = text.trim();
    let text = text.strip_prefix("tel:").unwrap_or(text).trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    // A leading 00 is the international prefix in most of the world.
    let owned;
    let text = match text.strip_prefix("00") {
        Some(rest) if !text.starts_with("000") => {
            owned = format!("+{rest}");
            owned.as_str()
        }
        _ => text,
    };
    let number = PHONE_NUMBER_UTIL
        .parse(text, default_region)
        .map_err(|_| PhoneError::Unparseable)?;
    if !number.is_valid() {
        return Err(PhoneError::Invalid);
    }
    Ok(number.format_as(PhoneNumberFormat::E164).into_owned())
}

/// The digits WhatsApp uses in ids (`+15551234567` → `15551234567`).
pub fn digits(e164: &str) -> String {
    e164.chars().filter(char::is_ascii_digit).collect()
}

/// The phone of a `<digits>@c.us` chat id, in E.164.
pub fn from_chat_id(chat_id: &str) -> Option<String> {
    let user = chat_id.strip_suffix("@c.us")?;
    (!user.is_empty() && user.chars().all(|c| c.is_ascii_digit())).then(|| format!("+{user}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> Option<Region> {
        Region::from_code(code).ok()
    }

    #[test]
    fn numbers_from_many_countries() {
        for (text, default, expected) in [
            ("(415) 555-0132", "US", Ok("+14155550132")),
            ("+55 11 91234-5678", "US", Ok("+5511912345678")),
            ("+49 171 2345678", "US", Ok("+491712345678")),
            ("0171 2345678", "DE", Ok("+491712345678")),
            ("tel:+27-82-123-4567", "US", Ok("+27821234567")),
            ("098765 43210", "IN", Ok("+919876543210")),
            ("06 12 34 56 78", "FR", Ok("+33612345678")),
            ("07400 123456", "GB", Ok("+447400123456")),
            ("090-1234-5678", "JP", Ok("+819012345678")),
            ("0812-3456-789", "ID", Ok("+628123456789")),
            ("+52 55 1234 5678", "US", Ok("+525512345678")),
            ("0049 171 2345678", "US", Ok("+491712345678")),
            ("", "US", Err(PhoneError::Empty)),
            ("call me", "US", Err(PhoneError::Unparseable)),
            ("+1 555", "US", Err(PhoneError::Invalid)),
        ] {
            let got = normalize(text, region(default));
            assert_eq!(
                got.as_deref().map_err(Clone::clone),
                expected,
                "{text} with {default}"
            );
        }
    }

    #[test]
    fn chat_ids() {
        assert_eq!(
            from_chat_id("15551234567@c.us").as_deref(),
            Some("+15551234567")
        );
        assert_eq!(from_chat_id("123@lid"), None);
        assert_eq!(digits("+1 555"), "1555");
    }
}
