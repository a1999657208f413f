//! What the desktop app shows and keeps outside its window: the tray's state (its icon's tone, the
//! connection line of its menu, the unread count), the "start at login" switch, the notice shown the
//! first time the window is closed to the tray, and the restart that applies a staged restore.
//!
//! The desktop shell attaches a [`DesktopHost`] (the OS's login items, its own restart), as it
//! attaches the REST API server: the engine keeps the settings and decides; the shell only applies.
//! `whatsflow-server` attaches none, so these switches answer 409 there.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::link::ConnectionState;
use crate::{store, Engine};

/// Where the desktop settings are kept.
const KEY: &str = "desktop";
/// Set once the user was told that closing the window keeps WhatsFlow running in the tray.
const CLOSE_NOTICE_KEY: &str = "close_to_tray_notice";

/// The tray icon's variant: how the connection looks at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TrayTone {
    /// Messages flow both ways.
    Connected,
    /// The owner must do something (scan a QR code, take the session back, look at a ban).
    Attention,
    /// Not connected, and nothing for the owner to do right now (starting, phone offline, not linked).
    Offline,
}

/// What the tray shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrayStatus {
    /// The icon's variant.
    pub tone: TrayTone,
    /// The menu's status line, e.g. "WhatsApp: connected".
    pub status_line: String,
    /// Messages not read yet, over every chat.
    pub unread: i64,
    /// The menu's unread line, e.g. "2 unread messages" (shown where the tray has no title).
    pub unread_line: String,
    /// The icon's tooltip: the app, the unread count and the status line.
    pub tooltip: String,
}

/// Which icon and sentence a connection state gets in the tray.
fn tray_line(state: ConnectionState) -> (TrayTone, &'static str) {
    use ConnectionState::*;
    match state {
        Connected => (TrayTone::Connected, "WhatsApp: connected"),
        Syncing => (TrayTone::Connected, "WhatsApp: catching up on messages"),
        Starting => (TrayTone::Offline, "WhatsApp: starting…"),
        Disconnected => (TrayTone::Offline, "WhatsApp: not connected"),
        PhoneOffline => (TrayTone::Offline, "WhatsApp: the phone is offline"),
        Qr | PairingCode => (
            TrayTone::Attention,
            "WhatsApp: waiting for the phone to link",
        ),
        LoggedOut => (TrayTone::Attention, "WhatsApp: logged out — link again"),
        Conflict => (TrayTone::Attention, "WhatsApp: open in another browser"),
        Banned => (TrayTone::Attention, "WhatsApp: the number is blocked"),
        BrowserCrashed => (TrayTone::Attention, "WhatsApp: the browser keeps failing"),
        WhatsappChanged => (
            TrayTone::Attention,
            "WhatsApp: WhatsApp Web changed — update WhatsFlow",
        ),
    }
}

/// The desktop app's own settings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DesktopSettings {
    /// Start WhatsFlow, hidden in the tray, when the user logs in (off by default).
    pub start_at_login: bool,
}

/// The desktop settings as Settings shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DesktopStatus {
    /// Start at login, as saved.
    pub start_at_login: bool,
    /// Whether this program is the desktop app (which has these switches); `whatsflow-server` is not.
    pub switchable: bool,
}

/// What the desktop shell does for the engine.
pub trait DesktopHost: Send + Sync {
    /// Adds WhatsFlow to the OS's login items (started with `--hidden`) or removes it. The error is
    /// a sentence for the user.
    fn set_start_at_login(&self, enabled: bool) -> std::result::Result<(), String>;
    /// Ends the program the orderly way and starts it again (after the answer to the request that
    /// asked for it is on its way).
    fn restart(&self);
}

/// The attached host, if any.
#[derive(Default)]
pub(crate) struct DesktopState {
    host: Mutex<Option<Arc<dyn DesktopHost>>>,
}

impl Engine {
    /// What the tray shows now.
    pub fn tray_status(&self) -> Result<TrayStatus> {
        let (tone, line) = tray_line(self.connection_status().state);
        let unread = self.db().with(store::contacts::unread_total)?;
        let unread_line = match unread {
            0 => "No unread messages".to_owned(),
            1 => "1 unread message".to_owned(),
            n => format!("{n} unread messages"),
        };
        let tooltip = match unread {
            0 => format!("WhatsFlow — {line}"),
            _ => format!("WhatsFlow — {unread_line} — {line}"),
        };
        Ok(TrayStatus {
            tone,
            status_line: line.to_owned(),
            unread,
            unread_line,
            tooltip,
        })
    }

    /// Attaches the desktop shell, and makes the OS's login items agree with the saved switch (the
    /// program may have moved since it was saved). A failure there is logged, not fatal.
    pub fn attach_desktop(&self, host: Arc<dyn DesktopHost>) -> Result<DesktopStatus> {
        let settings = self.desktop_settings()?;
        if let Err(why) = host.set_start_at_login(settings.start_at_login) {
            tracing::warn!("the login item could not be updated: {why}");
        }
        *self.desktop_host_slot() = Some(host);
        self.desktop()
    }

    /// The saved desktop settings, or the defaults.
    pub fn desktop_settings(&self) -> Result<DesktopSettings> {
        self.db().with(|c| store::settings::get_or_default(c, KEY))
    }

    /// The desktop settings and whether this program has them.
    pub fn desktop(&self) -> Result<DesktopStatus> {
        let settings = self.desktop_settings()?;
        Ok(DesktopStatus {
            start_at_login: settings.start_at_login,
            switchable: self.desktop_host().is_ok(),
        })
    }

    /// Switches start at login on or off; saved once the OS took it.
    pub fn save_desktop(&self, input: DesktopSettings) -> Result<DesktopStatus> {
        let host = self.desktop_host()?;
        host.set_start_at_login(input.start_at_login)
            .map_err(|why| {
                Error::internal(format!("The login item could not be changed: {why}"))
            })?;
        let value = serde_json::to_value(input).map_err(|e| Error::internal(e.to_string()))?;
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, KEY, &value, now))?;
        self.audit(
            "desktop.changed",
            serde_json::json!({ "startAtLogin": input.start_at_login }),
        )?;
        self.desktop()
    }

    /// Restarts the desktop app (to apply a staged restore at once).
    pub fn restart_desktop(&self) -> Result<()> {
        let host = self.desktop_host()?;
        self.audit("desktop.restarted", serde_json::json!({}))?;
        host.restart();
        Ok(())
    }

    /// Called when the window is closed to the tray: true the first time ever, when the user is to
    /// be told that WhatsFlow keeps running there; false from then on.
    pub fn first_close_to_tray(&self) -> Result<bool> {
        let now = self.now();
        self.db().with(|c| {
            if store::settings::get(c, CLOSE_NOTICE_KEY)?.is_some() {
                return Ok(false);
            }
            store::settings::set(c, CLOSE_NOTICE_KEY, &serde_json::json!(true), now)?;
            Ok(true)
        })
    }

    /// The attached host, or 409 in a program that has none.
    fn desktop_host(&self) -> Result<Arc<dyn DesktopHost>> {
        self.desktop_host_slot().clone().ok_or_else(|| {
            Error::new(
                ErrorCode::Conflict,
                "Only the desktop app has this: whatsflow-server is started and stopped by whoever runs it",
            )
        })
    }

    fn desktop_host_slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<dyn DesktopHost>>> {
        self.desktop_state()
            .host
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::testing;

    /// A host that records what it was asked, and refuses login items when `refuse` is set.
    #[derive(Default)]
    struct Host {
        login: Mutex<Vec<bool>>,
        restarts: AtomicUsize,
        refuse: bool,
    }

    impl DesktopHost for Host {
        fn set_start_at_login(&self, enabled: bool) -> std::result::Result<(), String> {
            if self.refuse {
                return Err("no autostart folder".into());
            }
            self.login.lock().unwrap().push(enabled);
            Ok(())
        }
        fn restart(&self) {
            self.restarts.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn every_state_has_a_tone_and_a_line() {
        use ConnectionState::*;
        assert_eq!(tray_line(Connected).0, TrayTone::Connected);
        assert_eq!(tray_line(PhoneOffline).0, TrayTone::Offline);
        for state in [
            Qr,
            LoggedOut,
            Conflict,
            Banned,
            BrowserCrashed,
            WhatsappChanged,
        ] {
            assert_eq!(tray_line(state).0, TrayTone::Attention, "{state:?}");
        }
        for state in [Disconnected, Starting, Qr, PairingCode, Syncing, Connected] {
            assert!(tray_line(state).1.starts_with("WhatsApp: "));
        }
    }

    #[test]
    fn tray_counts_unread_messages_over_every_chat() {
        let engine = testing::test_engine();
        let status = engine.tray_status().unwrap();
        assert_eq!(status.unread, 0);
        assert_eq!(status.unread_line, "No unread messages");
        assert_eq!(status.tone, TrayTone::Offline, "no link: not connected");
        assert_eq!(status.tooltip, "WhatsFlow — WhatsApp: not connected");

        engine.with_scripted_link();
        for (id, from, text) in [
            ("1", "14155550101", "hi"),
            ("2", "14155550101", "there"),
            ("3", "14155550102", "yo"),
        ] {
            engine
                .ingest(testing::inbound(id, from, text).build())
                .unwrap();
        }
        let status = engine.tray_status().unwrap();
        assert_eq!(status.unread, 3);
        assert_eq!(status.unread_line, "3 unread messages");
        assert_eq!(status.tone, TrayTone::Connected);
        assert_eq!(
            status.tooltip,
            "WhatsFlow — 3 unread messages — WhatsApp: connected"
        );

        let chat = engine
            .db()
            .with(|c| store::contacts::find_by_phone(c, "+14155550101"))
            .unwrap()
            .unwrap()
            .id;
        engine.mark_chat_read(chat).unwrap();
        let status = engine.tray_status().unwrap();
        assert_eq!(status.unread, 1);
        assert_eq!(status.unread_line, "1 unread message");
    }

    #[test]
    fn start_at_login_needs_the_desktop_and_is_applied_before_it_is_saved() {
        let engine = testing::test_engine();
        assert!(!engine.desktop().unwrap().switchable);
        let on = DesktopSettings {
            start_at_login: true,
        };
        assert_eq!(
            engine.save_desktop(on).unwrap_err().code,
            ErrorCode::Conflict
        );
        assert_eq!(
            engine.restart_desktop().unwrap_err().code,
            ErrorCode::Conflict
        );

        let refusing = Arc::new(Host {
            refuse: true,
            ..Host::default()
        });
        engine.attach_desktop(refusing).unwrap();
        assert!(engine.save_desktop(on).is_err());
        assert!(!engine.desktop().unwrap().start_at_login, "not saved");

        let host = Arc::new(Host::default());
        let status = engine.attach_desktop(host.clone()).unwrap();
        assert!(status.switchable && !status.start_at_login);
        assert!(engine.save_desktop(on).unwrap().start_at_login);
        assert_eq!(*host.login.lock().unwrap(), vec![false, true]);

        // The next start puts the login item back as saved.
        let again = Arc::new(Host::default());
        engine.attach_desktop(again.clone()).unwrap();
        assert_eq!(*again.login.lock().unwrap(), vec![true]);

        engine.restart_desktop().unwrap();
        assert_eq!(again.restarts.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_close_to_tray_notice_comes_once() {
        let engine = testing::test_engine();
        assert!(engine.first_close_to_tray().unwrap());
        assert!(!engine.first_close_to_tray().unwrap());
        assert!(!engine.first_close_to_tray().unwrap());
    }
}
