//! A contact's fields checked and cleaned the same way however the contact comes in (form, API,
//! import), and its number formatted for reading.

use std::collections::BTreeMap;

use super::{
    NewContact, MAX_CUSTOM_FIELDS, MAX_FIELD_CHARS, MAX_FIELD_NAME_CHARS, MAX_NOTES_CHARS,
};
use crate::error::{Checks, Result};
use crate::Engine;

/// Validated, normalised contact fields, ready for the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ContactFields {
    pub phone_number: Option<String>,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
    pub opted_out: bool,
}

/// Checks an e-mail address loosely: mail servers are the judge, the form only catches typos.
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    if email.is_empty() {
        return None;
    }
    let valid = email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.chars().any(char::is_whitespace);
    (!valid).then_some("e-mail address is not valid")
}

/// Checks custom fields: short names, values within the field limit.
fn check_custom_fields(checks: &mut Checks, fields: &BTreeMap<String, String>) {
    if fields.len() > MAX_CUSTOM_FIELDS {
        checks.fail(
            "fields",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        );
    }
    for (key, value) in fields {
        if key.trim().is_empty() {
            checks.fail("fields", "custom field names must not be empty");
        } else if key.chars().count() > MAX_FIELD_NAME_CHARS {
            checks.fail(
                &format!("fields.{key}"),
                format!("custom field names must be at most {MAX_FIELD_NAME_CHARS} characters"),
            );
        }
        checks.max_len(&format!("fields.{key}"), key, value, MAX_FIELD_CHARS);
    }
}

/// Trims custom field names and values and drops empty values.
pub(crate) fn clean_custom_fields(fields: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// The checks every contact passes, however it is created (form, API, import).
pub(super) fn validate_fields(checks: &mut Checks, fields: &ContactFields) {
    checks.max_len("name", "Name", &fields.name, MAX_FIELD_CHARS);
    checks.max_len("email", "E-mail", &fields.email, MAX_FIELD_CHARS);
    checks.max_len("notes", "Notes", &fields.notes, MAX_NOTES_CHARS);
    if let Some(problem) = email_problem(&fields.email) {
        checks.fail("email", format!("The {problem}"));
    }
    check_custom_fields(checks, &fields.fields);
}

/// How many formatted numbers [`phone_display`] keeps; past it the cache starts afresh (a bound on
/// memory for a process that meets very many numbers, far above a contact book's size).
const PHONE_DISPLAY_CACHE_LIMIT: usize = 100_000;

/// An E.164 number formatted for reading, relative to the business's country. Formatting runs
/// libphonenumber's regexes (~6 µs a number, a quarter of a contacts page's CPU), and every list
/// shows the same numbers again and again, so the result is kept per process, keyed by number and
/// region: it depends on nothing else, so a changed business country simply looks up other keys.
pub fn phone_display(e164: &str, region: Option<rlibphonenumber::Region>) -> String {
    type Cache = std::collections::HashMap<(Option<rlibphonenumber::Region>, String), String>;
    static CACHE: std::sync::LazyLock<std::sync::Mutex<Cache>> =
        std::sync::LazyLock::new(Default::default);
    let key = (region, e164.to_owned());
    let lock = || {
        CACHE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(shown) = lock().get(&key) {
        return shown.clone();
    }
    let shown = format_phone(e164, region);
    let mut cache = lock();
    if cache.len() >= PHONE_DISPLAY_CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, shown.clone());
    shown
}

fn format_phone(e164: &str, region: Option<rlibphonenumber::Region>) -> String {
    use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL};
    match PHONE_NUMBER_UTIL.parse(e164, None) {
        Ok(number) => {
            let format = if region.is_some() && number.get_region_code() == region {
                PhoneNumberFormat::National
            } else {
                PhoneNumberFormat::International
            };
            number.format_as(format).into_owned()
        }
        Err(_) => e164.to_owned(),
    }
}

impl Engine {
    pub(super) fn checked_fields(&self, input: &NewContact) -> Result<ContactFields> {
        let mut checks = Checks::default();
        let phone = match self.normalize_phone(&input.phone_number) {
            Ok(p) => Some(p),
            Err(e) => {
                for d in e.details {
                    checks.fail(&d.field, d.message);
                }
                None
            }
        };
        let fields = ContactFields {
            phone_number: phone,
            name: input.name.trim().to_owned(),
            email: input.email.trim().to_owned(),
            notes: input.notes.trim().to_owned(),
            fields: clean_custom_fields(&input.fields),
            opted_out: input.opted_out,
        };
        validate_fields(&mut checks, &fields);
        checks.finish()?;
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for (email, ok) in [
            ("", true),
            ("rosa@example.com", true),
            ("rosa@localhost", false),
            ("rosa example.com", false),
            ("@example.com", false),
            ("a b@example.com", false),
        ] {
            assert_eq!(email_problem(email).is_none(), ok, "{email}");
        }
    }

    /// The cache is keyed by region too: a changed business country changes what is shown, and a
    /// number shown once is shown the same way from the cache.
    #[test]
    fn phone_display_follows_the_region() {
        use rlibphonenumber::Region;
        let number = "+14155551000";
        for _ in 0..2 {
            assert_eq!(phone_display(number, Some(Region::US)), "(415) 555-1000");
            assert_eq!(phone_display(number, Some(Region::GB)), "+1 415-555-1000");
            assert_eq!(phone_display(number, None), "+1 415-555-1000");
        }
        assert_eq!(phone_display("not a number", None), "not a number");
    }
}
