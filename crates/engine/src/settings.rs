//! User preferences kept in the `settings` table.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{store, Engine};

const KEY: &str = "preferences";

/// The colour scheme of the UI.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Preferences the UI offers in Settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Preferences {
    /// The colour scheme.
    pub theme: Theme,
}

impl Engine {
    /// The saved preferences, or the defaults.
    pub fn preferences(&self) -> Result<Preferences> {
        self.db().with(|c| store::settings::get_or_default(c, KEY))
    }

    /// Saves the preferences.
    pub fn save_preferences(&self, preferences: Preferences) -> Result<Preferences> {
        let value = serde_json::to_value(&preferences)
            .map_err(|e| crate::Error::internal(e.to_string()))?;
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, KEY, &value, now))?;
        Ok(preferences)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_default_then_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let engine =
            Engine::in_memory(std::sync::Arc::new(crate::ManualClock::new(0)), dir.path()).unwrap();
        assert_eq!(engine.preferences().unwrap().theme, Theme::System);
        engine
            .save_preferences(Preferences { theme: Theme::Dark })
            .unwrap();
        assert_eq!(engine.preferences().unwrap().theme, Theme::Dark);
    }
}
