//! Reference data the onboarding form needs: the countries phone numbers can belong to, IANA time
//! zones, and the defaults read from the operating system.

use std::str::FromStr;

use serde::Serialize;

/// A country (phone region) the business can be in.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    /// The country's name in English.
    pub name: String,
    /// The international calling code, e.g. 49 for Germany.
    pub calling_code: i32,
}

/// Onboarding defaults taken from the operating system.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Defaults {
    /// ISO 3166-1 alpha-2 code of the country the computer is set to.
    pub country: String,
    /// IANA name of the computer's time zone.
    pub timezone: String,
}

/// Every region libphonenumber knows, sorted by name.
pub fn regions() -> Vec<Region> {
    use rlibphonenumber::PHONE_NUMBER_UTIL;
    let mut regions: Vec<Region> = PHONE_NUMBER_UTIL
        .get_supported_regions()
        .filter_map(|region| {
            let code = region.to_string();
            let calling_code = PHONE_NUMBER_UTIL.get_country_code_for_region(region)?;
            let name = isocountry::CountryCode::for_alpha2(&code)
                .map(|c| c.name().to_owned())
                .unwrap_or_else(|_| code.clone());
            Some(Region {
                code,
                name,
                calling_code,
            })
        })
        .collect();
    regions.sort_by(|a, b| a.name.cmp(&b.name));
    regions
}

/// The phone region for an ISO country code, if libphonenumber knows it.
pub fn phone_region(country: &str) -> Option<rlibphonenumber::Region> {
    rlibphonenumber::Region::from_code(country)
        .ok()
        .filter(|r| {
            rlibphonenumber::PHONE_NUMBER_UTIL
                .get_country_code_for_region(*r)
                .is_some()
        })
}

/// Every IANA time zone name.
pub fn timezones() -> Vec<String> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name().to_owned())
        .collect()
}

/// Whether `name` is an IANA time zone (`Europe/Berlin`).
pub fn is_timezone(name: &str) -> bool {
    chrono_tz::Tz::from_str(name).is_ok()
}

/// The OS time zone and the OS locale's country, with safe fallbacks.
pub fn os_defaults() -> Defaults {
    let timezone = iana_time_zone::get_timezone()
        .ok()
        .filter(|tz| is_timezone(tz))
        .unwrap_or_else(|| "UTC".to_owned());
    let country = sys_locale::get_locale()
        .and_then(|locale| country_of_locale(&locale))
        .unwrap_or_else(|| "US".to_owned());
    Defaults { country, timezone }
}

/// `en-GB`, `pt_BR.UTF-8`, `de-DE@euro` → the country part, if it names a known region.
fn country_of_locale(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next()?;
    let country = base.split(['-', '_']).nth(1)?.to_ascii_uppercase();
    phone_region(&country).map(|_| country)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_country() {
        for (locale, expected) in [
            ("en-GB", Some("GB")),
            ("pt_BR.UTF-8", Some("BR")),
            ("de_DE@euro", Some("DE")),
            ("en", None),
            ("C", None),
            ("xx-ZZ", None),
        ] {
            assert_eq!(
                country_of_locale(locale).as_deref(),
                expected,
                "locale {locale}"
            );
        }
    }

    #[test]
    fn regions_include_the_usual_countries() {
        let regions = regions();
        let de = regions
            .iter()
            .find(|r| r.code == "DE")
            .expect("Germany must be offered");
        assert_eq!(de.calling_code, 49);
        assert_eq!(de.name, "Germany");
        assert!(
            regions.len() > 200,
            "libphonenumber knows well over 200 regions"
        );
    }

    #[test]
    fn timezones_are_iana_names() {
        assert!(is_timezone("Europe/Berlin"));
        assert!(is_timezone("America/Sao_Paulo"));
        assert!(!is_timezone("Mars/Olympus_Mons"));
        assert!(timezones().iter().any(|t| t == "Asia/Kolkata"));
    }
}
