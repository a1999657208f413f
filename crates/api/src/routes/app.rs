//! Routes of the app itself: health, first-run state, reference data, the business profile,
//! preferences, the desktop's REST API switch, its own settings (start at login) and restart, and
//! the app lock.

use schemars::JsonSchema;
use serde::Serialize;
use whatsflow_engine::desktop::DesktopStatus;
use whatsflow_engine::lock::LockStatus;
use whatsflow_engine::meta::{self, Region};
use whatsflow_engine::profile::Profile;
use whatsflow_engine::settings::{Preferences, RestApiSettings, RestApiStatus};
use whatsflow_engine::{AppState, Engine, Error};

use super::call;
use crate::api::{data, raw, Access, Method, NoBody, Raw, Route};

/// The answer to a restart: the desktop app ends and starts again right after it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Restarting {
    pub restarting: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

/// Health, app state, meta, profile, settings, app lock.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        // --- app ---
        data(
            Get,
            "/api/v1/health",
            "app",
            Public,
            "Is the server up",
            |_, _: NoBody| {
                Ok(Health {
                    status: "ok",
                    version: whatsflow_engine::VERSION,
                })
            },
        ),
        raw(
            Get,
            "/api/v1/docs",
            "app",
            Public,
            "This API, as a page for people",
            "text/html; charset=utf-8",
            |_, _| {
                Ok(Raw {
                    content_type: "text/html; charset=utf-8".into(),
                    body: crate::openapi::docs_page(&super::api()).into_bytes(),
                })
            },
        ),
        data(
            Get,
            "/api/v1/app/state",
            "app",
            WhileLocked,
            "What the UI needs first: onboarding, lock, demo",
            |c, _: NoBody| -> Result<AppState, Error> { c.engine.app_state() },
        ),
        raw(
            Get,
            "/api/v1/openapi.json",
            "app",
            Public,
            "This document",
            "application/json",
            |_, _| {
                Ok(Raw {
                    content_type: "application/json".into(),
                    body: crate::openapi::document(&super::api())
                        .to_string()
                        .into_bytes(),
                })
            },
        ),
        data(
            Get,
            "/api/v1/meta/regions",
            "app",
            Read,
            "Countries a business can be in",
            |_, _: NoBody| Ok::<Vec<Region>, Error>(meta::regions()),
        ),
        data(
            Get,
            "/api/v1/meta/timezones",
            "app",
            Read,
            "IANA time zone names",
            |_, _: NoBody| Ok::<Vec<String>, Error>(meta::timezones()),
        ),
        // --- profile and settings ---
        data(
            Get,
            "/api/v1/profile",
            "profile",
            Read,
            "The business profile",
            |c, _: NoBody| -> Result<Profile, Error> {
                c.engine
                    .profile()?
                    .ok_or_else(|| Error::not_found("business profile"))
            },
        ),
        call(
            Put,
            "/api/v1/profile",
            "profile",
            Admin,
            "Create or update the business profile",
            Engine::save_profile,
        ),
        data(
            Get,
            "/api/v1/settings",
            "profile",
            Read,
            "User preferences",
            |c, _: NoBody| -> Result<Preferences, Error> { c.engine.preferences() },
        ),
        call(
            Put,
            "/api/v1/settings",
            "profile",
            Admin,
            "Save user preferences",
            Engine::save_preferences,
        ),
        data(
            Get,
            "/api/v1/settings/rest-api",
            "profile",
            Read,
            "The desktop app's REST API switch: saved setting, port served now, why not",
            |c, _: NoBody| -> Result<RestApiStatus, Error> { c.engine.rest_api() },
        ),
        data(
            Put,
            "/api/v1/settings/rest-api",
            "profile",
            Admin,
            "Switch the desktop app's REST API on (on a port) or off; a busy port is a 409 naming \
             `port`. whatsflow-server has no switch (409)",
            |c, input: RestApiSettings| -> Result<RestApiStatus, Error> {
                c.engine.save_rest_api(input)
            },
        ),
        data(
            Get,
            "/api/v1/settings/desktop",
            "profile",
            Read,
            "The desktop app's own settings (start at login); `switchable` is false in whatsflow-server",
            |c, _: NoBody| -> Result<DesktopStatus, Error> { c.engine.desktop() },
        ),
        call(
            Put,
            "/api/v1/settings/desktop",
            "profile",
            Admin,
            "Switch start at login (hidden in the tray) on or off. whatsflow-server has no such \
             switch (409)",
            Engine::save_desktop,
        ),
        data(
            Post,
            "/api/v1/app/restart",
            "app",
            Admin,
            "Restart the desktop app (a staged restore is applied as it starts). whatsflow-server \
             is restarted by whoever runs it (409)",
            |c, _: NoBody| -> Result<Restarting, Error> {
                c.engine.restart_desktop()?;
                Ok(Restarting { restarting: true })
            },
        ),
        // --- app lock ---
        data(
            Get,
            "/api/v1/lock",
            "lock",
            WhileLocked,
            "Is a passcode set, is the app locked",
            |c, _: NoBody| Ok::<LockStatus, Error>(c.engine.lock_status()),
        ),
        call(
            Post,
            "/api/v1/lock/unlock",
            "lock",
            WhileLocked,
            "Unlock with the passcode",
            Engine::unlock,
        ),
        call(
            Put,
            "/api/v1/lock",
            "lock",
            Admin,
            "Set or change the passcode",
            Engine::set_passcode,
        ),
        call(
            Post,
            "/api/v1/lock/remove",
            "lock",
            Admin,
            "Remove the passcode",
            Engine::remove_passcode,
        ),
        data(
            Post,
            "/api/v1/lock/lock",
            "lock",
            Admin,
            "Lock the app now",
            |c, _: NoBody| c.engine.lock_now(),
        ),
    ]
}
