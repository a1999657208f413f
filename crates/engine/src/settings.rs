//! User preferences kept in the `settings` table, and the desktop app's REST API switch: the
//! saved setting and the loopback server a program attaches to serve it.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, FieldError, Result};
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
        self.setting(KEY)
    }

    /// Saves the preferences.
    pub fn save_preferences(&self, preferences: Preferences) -> Result<Preferences> {
        self.save_setting(KEY, &preferences)?;
        Ok(preferences)
    }

    /// The setting saved under `key`, or `T`'s default when none is (or it no longer reads as `T`).
    pub(crate) fn setting<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> Result<T> {
        self.db().with(|c| store::settings::get_or_default(c, key))
    }

    /// Saves a setting under `key` as JSON.
    pub(crate) fn save_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let value = serde_json::to_value(value).map_err(|e| Error::internal(e.to_string()))?;
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, key, &value, now))
    }
}

/// The key under which the REST API switch is stored (apart from the preferences, so saving a theme
/// never touches it).
const REST_API_KEY: &str = "rest_api";
/// The port the REST API listens on unless the user picks another.
pub const DEFAULT_REST_API_PORT: u16 = 8787;
/// Ports below this need administrator rights on most systems.
const LOWEST_REST_API_PORT: u16 = 1024;

/// The desktop app's loopback REST API, for the owner's own scripts: off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestApiSettings {
    /// Whether the desktop app serves the REST API on 127.0.0.1.
    pub enabled: bool,
    /// The port, 1024 to 65535 (default 8787).
    pub port: u16,
}

impl Default for RestApiSettings {
    fn default() -> RestApiSettings {
        RestApiSettings {
            enabled: false,
            port: DEFAULT_REST_API_PORT,
        }
    }
}

/// The REST API switch as Settings shows it: the saved setting and what is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestApiStatus {
    /// The saved switch.
    pub enabled: bool,
    /// The saved port.
    pub port: u16,
    /// Whether this program has the switch (the desktop app). `whatsflow-server` has none: it
    /// always serves the API, on the port it was started with.
    pub switchable: bool,
    /// The port served right now, if any.
    pub listening_port: Option<u16>,
    /// `http://127.0.0.1:{port}` while it is served.
    pub base_url: Option<String>,
    /// Why it is not served although switched on (the port was taken when the app started).
    pub error: Option<String>,
}

/// The loopback server a program can switch on and off; the desktop app attaches one (the HTTP
/// crate's), so the engine keeps the setting without depending on an HTTP server.
pub trait RestApiHost: Send + Sync {
    /// Serves the API on 127.0.0.1:`port` for `engine` (replacing a server on another port), or
    /// stops serving when `port` is `None`. The error is a sentence for the user (the port is busy);
    /// after an error whatever ran before keeps running.
    fn serve(&self, engine: &Engine, port: Option<u16>) -> std::result::Result<(), String>;
    /// The port served now.
    fn port(&self) -> Option<u16>;
}

/// The attached host, why the saved setting could not be applied at start, and the lock that keeps
/// two switches apart.
#[derive(Default)]
pub(crate) struct RestApiState {
    slot: Mutex<RestApiSlot>,
    /// Held while the server is switched. Never waited for: stopping the server waits for its
    /// request threads, and one of them may be asking to switch too (a script with an admin key).
    switching: Mutex<()>,
}

#[derive(Default)]
struct RestApiSlot {
    host: Option<Arc<dyn RestApiHost>>,
    error: Option<String>,
}

impl Engine {
    /// The saved REST API setting, or the default (off, port 8787).
    pub fn rest_api_settings(&self) -> Result<RestApiSettings> {
        let stored = self.db().with(|c| store::settings::get(c, REST_API_KEY))?;
        Ok(stored
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// The REST API switch and what runs.
    pub fn rest_api(&self) -> Result<RestApiStatus> {
        let settings = self.rest_api_settings()?;
        let (host, error) = {
            let slot = self.rest_api_slot();
            (slot.host.clone(), slot.error.clone())
        };
        let listening_port = host.as_ref().and_then(|h| h.port());
        Ok(RestApiStatus {
            enabled: settings.enabled,
            port: settings.port,
            switchable: host.is_some(),
            listening_port,
            base_url: listening_port.map(|p| format!("http://127.0.0.1:{p}")),
            error,
        })
    }

    /// Attaches the program's loopback server and starts it when the saved setting says so. A port
    /// that cannot be opened is no failure of the program: Settings shows why (see
    /// [`RestApiStatus::error`]).
    pub fn attach_rest_api(&self, host: Arc<dyn RestApiHost>) -> Result<RestApiStatus> {
        let settings = self.rest_api_settings()?;
        let switching = self.switching_rest_api()?;
        let mut error = None;
        if settings.enabled {
            if let Err(why) = host.serve(self, Some(settings.port)) {
                tracing::warn!(port = settings.port, "the REST API did not start: {why}");
                error = Some(why);
            }
        }
        *self.rest_api_slot() = RestApiSlot {
            host: Some(host),
            error,
        };
        drop(switching);
        self.rest_api()
    }

    /// Switches the REST API on (on `port`) or off, and saves the setting once that worked. A busy
    /// port is a 409 naming `port`, and changes nothing.
    pub fn save_rest_api(&self, input: RestApiSettings) -> Result<RestApiStatus> {
        if input.port < LOWEST_REST_API_PORT {
            return Err(Error::invalid_field(
                "port",
                format!(
                    "The port must be from {LOWEST_REST_API_PORT} to 65535 (lower ones need administrator rights)"
                ),
            ));
        }
        let switching = self.switching_rest_api()?;
        let Some(host) = self.rest_api_slot().host.clone() else {
            return Err(Error::new(
                ErrorCode::Conflict,
                "The REST API switch belongs to the desktop app; this program always serves the \
                 API on the port it was started with",
            ));
        };
        if let Err(why) = host.serve(self, input.enabled.then_some(input.port)) {
            let mut err = Error::new(ErrorCode::Conflict, why.clone());
            err.details.push(FieldError {
                field: "port".into(),
                message: why,
            });
            return Err(err);
        }
        self.rest_api_slot().error = None;
        let value = serde_json::to_value(input).map_err(|e| Error::internal(e.to_string()))?;
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, REST_API_KEY, &value, now))?;
        drop(switching);
        self.audit(
            "rest_api.changed",
            serde_json::json!({ "enabled": input.enabled, "port": input.port }),
        )?;
        self.rest_api()
    }

    fn rest_api_slot(&self) -> MutexGuard<'_, RestApiSlot> {
        self.rest_api_state()
            .slot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn switching_rest_api(&self) -> Result<MutexGuard<'_, ()>> {
        match self.rest_api_state().switching.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorCode::Conflict,
                "The REST API is being switched right now; try again in a moment",
            )),
        }
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

    /// A host whose ports in `busy` cannot be opened.
    #[derive(Default)]
    struct FakeHost {
        busy: Vec<u16>,
        port: std::sync::Mutex<Option<u16>>,
    }

    impl RestApiHost for FakeHost {
        fn serve(&self, _: &Engine, port: Option<u16>) -> std::result::Result<(), String> {
            if let Some(p) = port.filter(|p| self.busy.contains(p)) {
                return Err(format!("Port {p} is in use by another program"));
            }
            *self.port.lock().unwrap() = port;
            Ok(())
        }
        fn port(&self) -> Option<u16> {
            *self.port.lock().unwrap()
        }
    }

    fn engine(dir: &std::path::Path) -> Engine {
        Engine::in_memory(std::sync::Arc::new(crate::ManualClock::new(0)), dir).unwrap()
    }

    #[test]
    fn rest_api_is_off_by_default_and_has_no_switch_without_a_host() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let status = engine.rest_api().unwrap();
        assert!(!status.enabled && !status.switchable);
        assert_eq!(status.port, DEFAULT_REST_API_PORT);
        assert_eq!(status.base_url, None);
        let err = engine
            .save_rest_api(RestApiSettings {
                enabled: true,
                port: 8790,
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        assert!(
            !engine.rest_api_settings().unwrap().enabled,
            "nothing saved"
        );
    }

    #[test]
    fn rest_api_switches_on_and_off_and_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let host = Arc::new(FakeHost::default());
        engine.attach_rest_api(host.clone()).unwrap();
        assert_eq!(host.port(), None, "off by default: nothing served");
        let on = engine
            .save_rest_api(RestApiSettings {
                enabled: true,
                port: 8790,
            })
            .unwrap();
        assert_eq!(on.listening_port, Some(8790));
        assert_eq!(on.base_url.as_deref(), Some("http://127.0.0.1:8790"));
        assert!(on.switchable && on.enabled);
        let off = engine
            .save_rest_api(RestApiSettings {
                enabled: false,
                port: 8790,
            })
            .unwrap();
        assert_eq!((off.enabled, off.listening_port), (false, None));
        assert_eq!(engine.rest_api_settings().unwrap().port, 8790, "port kept");
    }

    #[test]
    fn rest_api_busy_port_is_a_conflict_on_port_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let host = Arc::new(FakeHost {
            busy: vec![9000],
            ..FakeHost::default()
        });
        engine.attach_rest_api(host.clone()).unwrap();
        let on = RestApiSettings {
            enabled: true,
            port: 8790,
        };
        engine.save_rest_api(on).unwrap();
        let err = engine
            .save_rest_api(RestApiSettings {
                enabled: true,
                port: 9000,
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        assert_eq!(err.details[0].field, "port");
        assert!(err.message.contains("9000"), "{}", err.message);
        assert_eq!(
            engine.rest_api_settings().unwrap(),
            on,
            "the old setting stays"
        );
        assert_eq!(host.port(), Some(8790), "the old server keeps running");
    }

    #[test]
    fn rest_api_refuses_privileged_ports() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        engine
            .attach_rest_api(Arc::new(FakeHost::default()))
            .unwrap();
        let err = engine
            .save_rest_api(RestApiSettings {
                enabled: true,
                port: 80,
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert_eq!(err.details[0].field, "port");
    }

    #[test]
    fn rest_api_starts_at_attach_when_saved_on_and_reports_a_busy_port() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        engine
            .attach_rest_api(Arc::new(FakeHost::default()))
            .unwrap();
        engine
            .save_rest_api(RestApiSettings {
                enabled: true,
                port: 9000,
            })
            .unwrap();
        // The next start of the app: the saved setting is applied when the server is attached.
        let fresh = Arc::new(FakeHost::default());
        assert_eq!(
            engine
                .attach_rest_api(fresh.clone())
                .unwrap()
                .listening_port,
            Some(9000)
        );
        let taken = Arc::new(FakeHost {
            busy: vec![9000],
            ..FakeHost::default()
        });
        let status = engine.attach_rest_api(taken).unwrap();
        assert!(status.enabled);
        assert_eq!(status.listening_port, None);
        assert!(status.error.unwrap().contains("9000"));
    }
}
