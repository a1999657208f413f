//! The tray icon: its variant shows the WhatsApp connection (connected, needs attention, offline);
//! its title, tooltip and a menu line the unread count. Its menu opens the window, shows the
//! connection and the unread count, pauses every campaign, and quits. What it shows is the engine's
//! `tray_status`, refreshed as events come.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Wry};
use whatsflow_engine::desktop::{TrayStatus, TrayTone};
use whatsflow_engine::Engine;

use crate::window;

const OPEN: &str = "open";
const PAUSE_ALL: &str = "pause-all";
const QUIT: &str = "quit";

fn icon(tone: TrayTone) -> Image<'static> {
    let png: &[u8] = match tone {
        TrayTone::Connected => include_bytes!("../../icons/tray/connected.png"),
        TrayTone::Attention => include_bytes!("../../icons/tray/attention.png"),
        TrayTone::Offline => include_bytes!("../../icons/tray/offline.png"),
    };
    Image::from_bytes(png).expect("the tray icons are valid PNGs, built in")
}

/// Builds the tray and keeps it up to date with the engine.
pub fn install(app: &AppHandle, engine: &Engine) -> tauri::Result<()> {
    let status = engine.tray_status().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not read the tray's status");
        TrayStatus {
            tone: TrayTone::Offline,
            status_line: "WhatsApp: not connected".into(),
            unread: 0,
            unread_line: String::new(),
            tooltip: "WhatsFlow".into(),
        }
    });
    let open = MenuItem::with_id(app, OPEN, "Open WhatsFlow", true, None::<&str>)?;
    // Lines to read, not to click.
    let line = MenuItem::with_id(app, "status", &status.status_line, false, None::<&str>)?;
    let unread = MenuItem::with_id(app, "unread", &status.unread_line, false, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE_ALL, "Pause all campaigns", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit WhatsFlow", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &line,
            &unread,
            &PredefinedMenuItem::separator(app)?,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let paused_by = engine.clone();
    let mut tray = TrayIconBuilder::with_id("whatsflow")
        .icon(icon(status.tone))
        .tooltip(&status.tooltip);
    if let Some(title) = title(&status) {
        tray = tray.title(title);
    }
    let tray = tray
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| match event.id.as_ref() {
            OPEN => window::open(app),
            PAUSE_ALL => pause_all(&paused_by),
            QUIT => app.exit(0),
            _ => {}
        })
        // Where the tray reports clicks (Windows, macOS): a left click opens the window.
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::open(tray.app_handle());
            }
        })
        .build(app)?;
    follow(tray, [line, unread], engine.clone(), status);
    Ok(())
}

/// The unread count beside the icon, where the tray shows a title (Linux, macOS).
fn title(status: &TrayStatus) -> Option<String> {
    (status.unread > 0).then(|| status.unread.to_string())
}

/// Pauses every sending campaign off the UI thread (the engine blocks on SQLite).
fn pause_all(engine: &Engine) {
    let engine = engine.clone();
    std::thread::spawn(move || match engine.pause_all_campaigns(None) {
        Ok(paused) => tracing::info!(count = paused.len(), "campaigns paused from the tray"),
        Err(e) => tracing::warn!(error = %e, "could not pause the campaigns"),
    });
}

/// Re-reads the tray's status after each burst of events and shows what changed.
fn follow(tray: TrayIcon, lines: [MenuItem<Wry>; 2], engine: Engine, mut shown: TrayStatus) {
    let mut events = engine.subscribe();
    // Until the engine is gone; a lag only means more to refresh at once.
    std::thread::spawn(move || {
        while !matches!(
            events.blocking_recv(),
            Err(tokio::sync::broadcast::error::RecvError::Closed)
        ) {
            // One refresh for everything already queued (an import announces thousands of events).
            while events.try_recv().is_ok() {}
            let status = match engine.tray_status() {
                Ok(status) => status,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the tray's status");
                    continue;
                }
            };
            if status == shown {
                continue;
            }
            if status.tone != shown.tone {
                let _ = tray.set_icon(Some(icon(status.tone)));
            }
            let _ = tray.set_tooltip(Some(&status.tooltip));
            let _ = tray.set_title(title(&status));
            let _ = lines[0].set_text(&status.status_line);
            let _ = lines[1].set_text(&status.unread_line);
            shown = status;
        }
    });
}
