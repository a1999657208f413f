//! Auto-lock while the window is away: a closed (to the tray) or hidden window has no UI to watch
//! for input, so the desktop notes when it went away and asks the engine, now and then, whether that
//! is longer ago than the auto-lock allows (`Engine::lock_if_idle_since`). While the window is shown,
//! the UI's own idle watch does the job.

use std::time::Duration;

use tauri::{AppHandle, Manager};
use whatsflow_engine::Engine;

/// How often the window is looked at: the lock comes at most this late.
const CHECK_EVERY: Duration = Duration::from_secs(20);

/// Watches the window on a thread of its own for as long as the app runs.
pub fn start(app: &AppHandle, engine: &Engine) {
    let (app, engine) = (app.clone(), engine.clone());
    let watching = std::thread::Builder::new()
        .name("idle-lock".into())
        .spawn(move || {
            let mut away_since = None;
            loop {
                std::thread::sleep(CHECK_EVERY);
                let shown = app
                    .get_webview_window(crate::window::MAIN)
                    .is_some_and(|w| {
                        w.is_visible().unwrap_or(false) && !w.is_minimized().unwrap_or(false)
                    });
                if shown {
                    away_since = None;
                    continue;
                }
                let since = *away_since.get_or_insert_with(|| engine.now());
                if let Err(e) = engine.lock_if_idle_since(since) {
                    tracing::warn!(error = %e, "could not check the auto-lock");
                }
            }
        });
    if let Err(e) = watching {
        tracing::warn!(error = %e, "no auto-lock while the window is closed");
    }
}
