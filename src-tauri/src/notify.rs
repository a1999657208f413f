//! Native notifications: shows what the engine's notification policy yields (`whatsflow_engine::
//! notifications`) while the window is closed, hidden or in the background, and opens the app on the
//! chat or screen a notification is about when it is clicked. No rule lives here: which events
//! notify and what they say is the engine's.
//!
//! On Linux the plugin speaks the Desktop Notifications protocol over the session D-Bus: a click
//! arrives as the `default` action (`tap` here) from servers that offer it (GNOME Shell, KDE Plasma,
//! dunst, xfce4-notifyd; not notify-osd). The plugin always asks for a new notification rather than
//! replacing one, so a chat's newer notification first closes the older one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use whatsflow_engine::notifications::{Notice, Notification, Target};
use whatsflow_engine::Engine;

use crate::window;

/// The UI route each shown notification opens, by notification id.
type Routes = Arc<Mutex<HashMap<i32, String>>>;

/// Listens to the engine's events on a thread of its own and shows their notifications; a click
/// opens the app on what the notification is about.
pub fn start(app: &AppHandle, engine: &Engine) {
    let routes: Routes = Arc::default();
    let clicked = (app.clone(), routes.clone());
    // A click on the notification itself is `tap`; there are no other actions.
    let registered = app.notification().on_action(move |action| {
        let (app, routes) = &clicked;
        let route = action
            .notification()
            .and_then(|n| lock(routes).get(&n.id()).cloned());
        if let Some(route) = route {
            window::open_on(app, &route);
        }
    });
    if let Err(e) = registered {
        tracing::warn!(error = %e, "notification clicks will not open the app");
    }

    let app = app.clone();
    let mut notifier = engine.notifier();
    let mut events = engine.subscribe();
    std::thread::Builder::new()
        .name("notifications".into())
        .spawn(move || loop {
            let event = match events.blocking_recv() {
                Ok(envelope) => envelope.event,
                // Missed events are missed notifications, not a reason to stop.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the notifications fell behind the events");
                    continue;
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            match notifier.on_event(&event) {
                Ok(Some(Notice::Show(notification))) => show(&app, &routes, notification),
                Ok(Some(Notice::Withdraw(target))) => withdraw(&app, &routes, target),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not work out a notification"),
            }
        })
        .map(drop)
        .unwrap_or_else(|e| tracing::warn!(error = %e, "could not start the notifications"));
}

fn lock(routes: &Routes) -> std::sync::MutexGuard<'_, HashMap<i32, String>> {
    routes.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether the owner is looking at the window now (then the UI itself shows what happened).
fn window_watched(app: &AppHandle) -> bool {
    app.get_webview_window(window::MAIN).is_some_and(|w| {
        w.is_visible().unwrap_or(false)
            && !w.is_minimized().unwrap_or(false)
            && w.is_focused().unwrap_or(false)
    })
}

fn show(app: &AppHandle, routes: &Routes, notification: Notification) {
    if window_watched(app) {
        return;
    }
    let id = notification.target.id();
    // One notification per chat (or campaign, ...): the newer replaces the one shown before.
    withdraw(app, routes, notification.target);
    lock(routes).insert(id, notification.target.route());
    let shown = app
        .notification()
        .builder()
        .id(id)
        .title(notification.title)
        .body(notification.body)
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not show a notification");
    }
}

fn withdraw(app: &AppHandle, routes: &Routes, target: Target) {
    if lock(routes).remove(&target.id()).is_some() {
        let _ = app.notification().remove_active(vec![target.id()]);
    }
}
