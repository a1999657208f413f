//! The window's two channels to the engine: the one command, `api` (a REST request dispatched through
//! the API table the HTTP server uses), and the relay of engine events to the window.

use std::sync::Arc;

use tauri::{AppHandle, Emitter};
use whatsflow_api::{Api, ApiRequest, Caller, IpcResponse};
use whatsflow_engine::Engine;

/// Name of the window event that carries engine events.
const EVENT: &str = "whatsflow://event";

/// What the `api` command needs.
pub struct Ipc {
    pub engine: Engine,
    pub api: Api,
}

/// The one command: a REST request, dispatched through the shared API table on a blocking thread.
#[tauri::command]
pub async fn api(
    state: tauri::State<'_, Arc<Ipc>>,
    request: ApiRequest,
) -> Result<IpcResponse, String> {
    let ipc = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        ipc.api
            .dispatch(&ipc.engine, Caller::Desktop, request)
            .into()
    })
    .await
    .map_err(|e| format!("the request could not run: {e}"))
}

/// Relays every engine event to the window (whichever window is open: none while in the tray).
pub fn relay_events(handle: AppHandle, engine: &Engine) {
    let mut events = engine.subscribe();
    std::thread::spawn(move || loop {
        match events.blocking_recv() {
            Ok(event) => {
                let _ = handle.emit(EVENT, &event);
            }
            // Events were dropped: the window reloads what it shows.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the window's event relay fell behind");
                let _ = handle.emit(EVENT, serde_json::json!({ "type": "resync" }));
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        }
    });
}
