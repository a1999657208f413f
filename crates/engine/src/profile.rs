//! The business profile: who the app works for. Its country is the default region for phone numbers
//! written without a country code; its time zone is the business day for schedules and statistics.

use std::str::FromStr;

use chrono_tz::Tz;
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

/// What the business says about itself: the part of the profile that onboarding and Settings →
/// Profile edit. Read from a request, missing fields count as empty (see [`ProfileInput`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct BusinessDetails {
    /// The business's name (required).
    pub business_name: String,
    /// What it does, in its own words.
    pub industry: String,
    /// Its website, if any.
    pub website: String,
    /// A sentence or two about it.
    pub description: String,
    /// Its kind, one of [`BUSINESS_TYPES`] or empty.
    pub business_type: String,
    /// ISO 3166-1 alpha-2 code of its country (required); the default region for phone numbers.
    pub country: String,
    /// IANA name of its time zone (required).
    pub timezone: String,
}

/// The business the app works for; its country is the default for phone numbers.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = every_property_required)]
pub struct Profile {
    /// Name, country, time zone and the rest; in JSON they sit beside the other fields.
    #[serde(flatten)]
    pub details: BusinessDetails,
    /// Opening hours per weekday in the business's time zone; empty means every hour counts.
    pub business_hours: Vec<OpeningHours>,
    /// When the profile was first saved (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// A saved profile always carries every field, but the schema of [`BusinessDetails`] (shared with
/// requests, where fields may be left out) calls them optional.
fn every_property_required(schema: &mut schemars::Schema) {
    let names: Vec<serde_json::Value> = schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|properties| properties.keys().cloned().map(Into::into).collect())
        .unwrap_or_default();
    schema.insert("required".into(), names.into());
}

impl Profile {
    /// The business's time zone; UTC if the saved name is unknown (it is checked when saved).
    pub fn zone(&self) -> Tz {
        Tz::from_str(&self.details.timezone).unwrap_or(chrono_tz::UTC)
    }
}

/// What onboarding and Settings → Profile submit. Missing fields count as empty, so every problem is
/// reported per field instead of as a parse error.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileInput {
    /// Name, country, time zone and the rest; in JSON they sit beside the other fields.
    #[serde(flatten)]
    pub details: BusinessDetails,
    /// Opening hours; left out, the ones saved before are kept. `[]` removes them.
    pub business_hours: Option<Vec<OpeningHours>>,
}

impl ProfileInput {
    /// Trims, normalises and checks every field; returns all problems at once.
    fn validated(mut self) -> Result<ProfileInput> {
        let details = &mut self.details;
        for field in [
            &mut details.business_name,
            &mut details.industry,
            &mut details.website,
            &mut details.description,
            &mut details.business_type,
            &mut details.country,
            &mut details.timezone,
        ] {
            *field = field.trim().to_owned();
        }
        details.country = details.country.to_ascii_uppercase();
        let mut checks = Checks::default();
        if details.business_name.is_empty() {
            checks.fail("businessName", "Business name is required");
        }
        checks.max_len("businessName", "Business name", &details.business_name, 200);
        checks.max_len("industry", "Industry", &details.industry, 100);
        checks.max_len("website", "Website", &details.website, 500);
        checks.max_len("description", "Description", &details.description, 2000);
        if !details.website.is_empty() && !looks_like_website(&details.website) {
            checks.fail(
                "website",
                "Website must be an address like https://example.com",
            );
        }
        if !details.business_type.is_empty()
            && !BUSINESS_TYPES.contains(&details.business_type.as_str())
        {
            checks.fail(
                "businessType",
                format!(
                    "Business type must be one of: {}",
                    BUSINESS_TYPES.join(", ")
                ),
            );
        }
        if details.country.is_empty() {
            checks.fail("country", "Country is required");
        } else if meta::phone_region(&details.country).is_none() {
            checks.fail(
                "country",
                "Country must be a two-letter ISO code such as US or DE",
            );
        }
        if details.timezone.is_empty() {
            checks.fail("timezone", "Time zone is required");
        } else if !meta::is_timezone(&details.timezone) {
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
    Ok(store::profile::get(conn)?.and_then(|p| meta::phone_region(&p.details.country)))
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
            details: BusinessDetails {
                business_name: "  Rosa's Flowers ".into(),
                industry: "Florist".into(),
                website: "rosasflowers.example".into(),
                description: "Bouquets and plants".into(),
                business_type: "retail".into(),
                country: "de".into(),
                timezone: "Europe/Berlin".into(),
            },
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
        assert_eq!(
            saved.details.business_name, "Rosa's Flowers",
            "names are trimmed"
        );
        assert_eq!(saved.details.country, "DE", "country codes are upper-cased");
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
            details: BusinessDetails {
                business_name: " ".into(),
                description: "x".repeat(100_000),
                website: "not a site".into(),
                business_type: "castle".into(),
                country: "ZZ".into(),
                timezone: "Mars/Base".into(),
                ..Default::default()
            },
            business_hours: None,
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
