//! The business profile: who the app works for. Its country is the default region for phone numbers
//! written without a country code; its time zone is the business day for schedules and statistics.

use serde::{Deserialize, Serialize};

use crate::business_hours::{self, OpeningHours};
use crate::error::{Checks, Result};
use crate::events::Event;
use crate::{meta, store, Engine};

/// Kinds of business the onboarding offers; an empty string means "not said".
pub const BUSINESS_TYPES: &[&str] = &[
    "retail",
    "restaurant",
    "services",
    "ecommerce",
    "agency",
    "other",
];

/// The business the app works for; its country is the default for phone numbers.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The business's name.
    pub business_name: String,
    /// What it does, in its own words.
    pub industry: String,
    /// Its website, if any.
    pub website: String,
    /// A sentence or two about it.
    pub description: String,
    /// Its kind, one of [`BUSINESS_TYPES`] or empty.
    pub business_type: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// IANA time zone name.
    pub timezone: String,
    /// Opening hours per weekday in the business's time zone; empty means every hour counts.
    pub business_hours: Vec<OpeningHours>,
    /// When the profile was first saved (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// What onboarding and Settings → Profile submit. Missing fields count as empty, so every problem is
/// reported per field instead of as a parse error.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileInput {
    /// The business's name (required).
    pub business_name: String,
    /// What it does.
    pub industry: String,
    /// Its website, if any.
    pub website: String,
    /// A sentence or two about it.
    pub description: String,
    /// Its kind, one of [`BUSINESS_TYPES`] or empty.
    pub business_type: String,
    /// ISO 3166-1 alpha-2 code of its country (required).
    pub country: String,
    /// IANA name of its time zone (required).
    pub timezone: String,
    /// Opening hours; left out, the ones saved before are kept. `[]` removes them.
    pub business_hours: Option<Vec<OpeningHours>>,
}

impl ProfileInput {
    /// Trims, normalises and checks every field; returns all problems at once.
    fn validated(mut self) -> Result<ProfileInput> {
        for field in [
            &mut self.business_name,
            &mut self.industry,
            &mut self.website,
            &mut self.description,
            &mut self.business_type,
            &mut self.country,
            &mut self.timezone,
        ] {
            *field = field.trim().to_owned();
        }
        self.country = self.country.to_ascii_uppercase();
        let mut checks = Checks::default();
        if self.business_name.is_empty() {
            checks.fail("businessName", "Business name is required");
        }
        checks.max_len("businessName", "Business name", &self.business_name, 200);
        checks.max_len("industry", "Industry", &self.industry, 100);
        checks.max_len("website", "Website", &self.website, 500);
        checks.max_len("description", "Description", &self.description, 2000);
        if !self.website.is_empty() && !looks_like_website(&self.website) {
            checks.fail(
                "website",
                "Website must be an address like https://example.com",
            );
        }
        if !self.business_type.is_empty() && !BUSINESS_TYPES.contains(&self.business_type.as_str())
        {
            checks.fail(
                "businessType",
                format!(
                    "Business type must be one of: {}",
                    BUSINESS_TYPES.join(", ")
                ),
            );
        }
        if self.country.is_empty() {
            checks.fail("country", "Country is required");
        } else if meta::phone_region(&self.country).is_none() {
            checks.fail(
                "country",
                "Country must be a two-letter ISO code such as US or DE",
            );
        }
        if self.timezone.is_empty() {
            checks.fail("timezone", "Time zone is required");
        } else if !meta::is_timezone(&self.timezone) {
            checks.fail(
                "timezone",
                "Time zone must be an IANA name such as Europe/Berlin",
            );
        }
        self.business_hours = self
            .business_hours
            .map(|hours| business_hours::validated(hours, &mut checks));
        checks.finish()?;
        Ok(self)
    }
}

fn looks_like_website(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && !text.chars().any(char::is_whitespace)
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
}

impl Engine {
    /// The business profile, or `None` before onboarding.
    pub fn profile(&self) -> Result<Option<Profile>> {
        self.db().with(store::profile::get)
    }

    /// Creates or replaces the business profile. Nothing is saved unless every field is valid.
    pub fn save_profile(&self, input: ProfileInput) -> Result<Profile> {
        let input = input.validated()?;
        let now = self.now();
        let profile = self.db().with_tx(|tx| {
            store::profile::upsert(tx, &input, now)?;
            store::profile::get(tx)?.ok_or_else(|| crate::Error::internal("profile vanished"))
        })?;
        self.emit(Event::ProfileUpdated(profile.clone()));
        Ok(profile)
    }

    /// The default phone region: the business's country once onboarded.
    pub fn default_region(&self) -> Result<Option<rlibphonenumber::Region>> {
        self.db().with(region_on)
    }
}

/// The default region of numbers, read on `conn` (inside a transaction that needs it).
pub(crate) fn region_on(conn: &rusqlite::Connection) -> Result<Option<rlibphonenumber::Region>> {
    Ok(store::profile::get(conn)?.and_then(|p| meta::phone_region(&p.country)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn engine() -> (Engine, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = std::sync::Arc::new(crate::ManualClock::new(1_700_000_000_000));
        (Engine::in_memory(clock, dir.path()).unwrap(), dir)
    }

    fn shop() -> ProfileInput {
        ProfileInput {
            business_name: "  Rosa's Flowers ".into(),
            industry: "Florist".into(),
            website: "rosasflowers.example".into(),
            description: "Bouquets and plants".into(),
            business_type: "retail".into(),
            country: "de".into(),
            timezone: "Europe/Berlin".into(),
            business_hours: None,
        }
    }

    #[test]
    fn profile_round_trip() {
        let (engine, _dir) = engine();
        assert_eq!(
            engine.profile().unwrap(),
            None,
            "no profile before onboarding"
        );
        let saved = engine.save_profile(shop()).unwrap();
        assert_eq!(saved.business_name, "Rosa's Flowers", "names are trimmed");
        assert_eq!(saved.country, "DE", "country codes are upper-cased");
        assert_eq!(engine.profile().unwrap(), Some(saved));
        assert_eq!(
            engine
                .default_region()
                .unwrap()
                .map(|r| r.to_string())
                .as_deref(),
            Some("DE")
        );
    }

    #[test]
    fn every_bad_field_is_reported_and_nothing_is_saved() {
        let (engine, _dir) = engine();
        let bad = ProfileInput {
            business_name: " ".into(),
            description: "x".repeat(100_000),
            website: "not a site".into(),
            business_type: "castle".into(),
            country: "ZZ".into(),
            timezone: "Mars/Base".into(),
            ..Default::default()
        };
        let err = engine.save_profile(bad).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        let fields: Vec<_> = err.details.iter().map(|d| d.field.as_str()).collect();
        for field in [
            "businessName",
            "description",
            "website",
            "businessType",
            "country",
            "timezone",
        ] {
            assert!(
                fields.contains(&field),
                "{field} must be reported, got {fields:?}"
            );
        }
        assert_eq!(
            engine.profile().unwrap(),
            None,
            "an invalid profile must not be half-saved"
        );
    }

    #[test]
    fn websites() {
        for (text, ok) in [
            ("https://shop.example.com/path", true),
            ("shop.example", true),
            ("http://localhost", false),
            ("no spaces.com x", false),
            ("https://", false),
        ] {
            assert_eq!(looks_like_website(text), ok, "{text}");
        }
    }
}
