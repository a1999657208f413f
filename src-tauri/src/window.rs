//! The main window's life: created from `tauri.conf.json` when opened, destroyed when closed (so
//! WhatsFlow in the tray costs no WebKit process), the first close explained once, the app kept
//! running when the last window is gone.

use tauri::{
    AppHandle, Emitter, Manager, WebviewWindow, WebviewWindowBuilder, Window, WindowEvent,
};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};
use whatsflow_engine::Engine;

/// The window's label in `tauri.conf.json` (with `"create": false`: it is made here).
pub const MAIN: &str = "main";
/// Told to the window the first time it is closed; the UI explains the tray, then closes it again.
const CLOSE_TO_TRAY: &str = "whatsflow://close-to-tray";

/// Shows the main window: focuses it when open, creates it again when it was closed to the tray.
pub fn open(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    if let Err(e) = create(app) {
        tracing::error!(error = %e, "could not open the window");
    }
}

fn create(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    if app.state::<Engine>().is_demo() {
        let _ = window.set_title("WhatsFlow — demo (simulated WhatsApp)");
    }
    let _ = window.set_focus();
    Ok(window)
}

/// Window events: the first close is held back while the UI says WhatsFlow stays in the tray;
/// every close destroys the window, whose size and place are saved as it goes.
pub fn on_event(window: &Window, event: &WindowEvent) {
    match event {
        WindowEvent::CloseRequested { api, .. } if window.label() == MAIN => {
            let engine = window.state::<Engine>();
            match engine.first_close_to_tray() {
                Ok(true) => {
                    api.prevent_close();
                    let _ = window.emit_to(MAIN, CLOSE_TO_TRAY, ());
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "could not read the close-to-tray notice"),
            }
        }
        WindowEvent::Destroyed if window.label() == MAIN => {
            // Written now rather than at exit, so a crash later does not lose it.
            if let Err(e) = window.app_handle().save_window_state(StateFlags::all()) {
                tracing::warn!(error = %e, "could not save the window's size and place");
            }
        }
        _ => {}
    }
}
