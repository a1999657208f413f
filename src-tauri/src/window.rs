//! The main window's life: created from `tauri.conf.json` when opened, destroyed when closed (so
//! WhatsFlow in the tray costs no WebKit process), the first close explained once, the app kept
//! running when the last window is gone.

use tauri::webview::PageLoadEvent;
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
    show(app, None);
}

/// Shows the main window on the UI route `route` (e.g. `/inbox/12`), as a notification's click does.
pub fn open_on(app: &AppHandle, route: &str) {
    let hash = serde_json::to_string(&format!("#{route}")).unwrap_or_default();
    show(app, Some(format!("window.location.hash = {hash};")));
}

/// Focuses or creates the window, then runs `go` in it (at once, or once a new window has loaded).
fn show(app: &AppHandle, go: Option<String>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Some(go) = &go {
            let _ = window.eval(go);
        }
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    if let Err(e) = create(app, go) {
        tracing::error!(error = %e, "could not open the window");
    }
}

fn create(app: &AppHandle, go: Option<String>) -> tauri::Result<WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(go) = go {
        builder = builder.on_page_load(move |window, load| {
            if load.event() == PageLoadEvent::Finished {
                let _ = window.eval(&go);
            }
        });
    }
    let window = builder.build()?;
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
