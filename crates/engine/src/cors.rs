//! Which web pages may call the REST API from a browser (CORS). Off by default: only the app's own
//! pages may; the owner lists any other origin (a dashboard of their own, say) in Settings. The
//! HTTP server asks [`Engine::cors_allows`] for each cross-origin request.

use serde::{Deserialize, Serialize};

use crate::error::{Checks, Error, Result};
use crate::{store, Engine};

const KEY: &str = "cors";
/// Origins that may be listed.
const MAX_ORIGINS: usize = 50;

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorsSettings {
    /// Origins as browsers send them, `scheme://host[:port]` (e.g. `http://localhost:5173`);
    /// empty (the default) allows none.
    pub allowed_origins: Vec<String>,
}

/// The origin in the form browsers send it (lower-case, no default port, no path), or why not.
fn normalized(text: &str) -> std::result::Result<String, String> {
    let url = url::Url::parse(text.trim()).map_err(|_| {
        format!("{text:?} is not an origin: write scheme://host[:port], e.g. http://localhost:5173")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "{text:?}: an origin starts with http:// or https://"
        ));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{text:?}: an origin has no path, query or fragment (scheme://host[:port] only)"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

impl Engine {
    /// The origins allowed to call the API from a browser.
    pub fn cors_settings(&self) -> Result<CorsSettings> {
        self.db().with(|c| store::settings::get_or_default(c, KEY))
    }

    /// Saves the allowed origins, each checked and written as browsers send it.
    pub fn save_cors_settings(&self, input: CorsSettings) -> Result<CorsSettings> {
        let mut checks = Checks::default();
        let mut origins = Vec::new();
        for origin in &input.allowed_origins {
            match normalized(origin) {
                Ok(origin) if !origins.contains(&origin) => origins.push(origin),
                Ok(_) => {}
                Err(message) => checks.fail("allowedOrigins", message),
            }
        }
        if origins.len() > MAX_ORIGINS {
            checks.fail(
                "allowedOrigins",
                format!("List at most {MAX_ORIGINS} origins"),
            );
        }
        checks.finish()?;
        let settings = CorsSettings {
            allowed_origins: origins,
        };
        let value = serde_json::to_value(&settings).map_err(|e| Error::internal(e.to_string()))?;
        let now = self.now();
        self.db().with_tx(|tx| {
            store::settings::set(tx, KEY, &value, now)?;
            store::audit::insert(tx, now, "user", "cors.changed", &value)
        })?;
        Ok(settings)
    }

    /// Whether a page of `origin` (the `Origin` header as sent) may call the API.
    pub fn cors_allows(&self, origin: &str) -> Result<bool> {
        Ok(self
            .cors_settings()?
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_engine;

    #[test]
    fn off_by_default_then_only_the_listed_origins_in_browser_form() {
        let engine = test_engine();
        assert_eq!(engine.cors_settings().unwrap(), CorsSettings::default());
        assert!(!engine.cors_allows("http://localhost:5173").unwrap());
        let saved = engine
            .save_cors_settings(CorsSettings {
                allowed_origins: vec![
                    "HTTP://LocalHost:5173/".into(),
                    "https://dash.example:443".into(),
                    "http://localhost:5173".into(),
                ],
            })
            .unwrap();
        assert_eq!(
            saved.allowed_origins,
            ["http://localhost:5173", "https://dash.example"]
        );
        assert!(engine.cors_allows("http://localhost:5173").unwrap());
        assert!(engine.cors_allows("https://dash.example").unwrap());
        assert!(!engine.cors_allows("http://localhost:5174").unwrap());
        for bad in [
            "*",
            "ftp://x.example",
            "http://x.example/app",
            "localhost:5173",
        ] {
            let err = engine
                .save_cors_settings(CorsSettings {
                    allowed_origins: vec![bad.into()],
                })
                .unwrap_err();
            assert_eq!(err.details[0].field, "allowedOrigins", "{bad}");
        }
        assert_eq!(
            engine.cors_settings().unwrap(),
            saved,
            "a refusal keeps what was saved"
        );
    }
}
