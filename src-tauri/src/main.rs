//! `whatsflow`: the desktop shell. Opens the window on the built UI, forwards the UI's API calls to
//! the same API table the HTTP server uses, relays engine events to the window, and attaches the
//! loopback REST API server that Settings switches on for scripts (off by default: then the app
//! listens on no port), shows native notifications (`notify`) and locks the app when its window has
//! been away too long (`idle_lock`). No logic lives here: every operation is an engine method.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod idle_lock;
mod notify;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{Emitter, Manager};
use whatsflow_api::{Api, ApiRequest, Backend, BackendConfig, Caller, IpcResponse};
use whatsflow_engine::Engine;

/// Name of the window event that carries engine events.
const EVENT: &str = "whatsflow://event";

struct Desktop {
    engine: Engine,
    api: Api,
}

/// The one command: a REST request, dispatched through the shared API table on a blocking thread.
#[tauri::command]
async fn api(
    state: tauri::State<'_, Arc<Desktop>>,
    request: ApiRequest,
) -> Result<IpcResponse, String> {
    let desktop = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        desktop
            .api
            .dispatch(&desktop.engine, Caller::Desktop, request)
            .into()
    })
    .await
    .map_err(|e| format!("the request could not run: {e}"))
}

struct Args {
    demo: bool,
    data_dir: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        demo: false,
        data_dir: std::env::var_os("WHATSFLOW_DATA_DIR").map(PathBuf::from),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--demo" => args.demo = true,
            "--data-dir" => args.data_dir = it.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("usage: whatsflow [--demo] [--data-dir DIR]");
                std::process::exit(0);
            }
            other => {
                eprintln!("whatsflow: unknown argument {other}\nusage: whatsflow [--demo] [--data-dir DIR]");
                std::process::exit(2);
            }
        }
    }
    args
}

/// WebKitGTK's switch for its accelerated compositing, which costs the web process ~100 MB PSS
/// (docs/benchmarks.md) and gives this UI nothing it shows.
const WEBKIT_COMPOSITING_OFF: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

fn main() {
    // Before any thread starts (the environment is not safe to write while others read it); a value
    // the user set is kept.
    if std::env::var_os(WEBKIT_COMPOSITING_OFF).is_none() {
        std::env::set_var(WEBKIT_COMPOSITING_OFF, "1");
    }
    // Held until the end of main, so the log file gets everything.
    let _logs = whatsflow_api::logging::init("whatsflow");
    let args = parse_args();
    let backend = Backend::start(BackendConfig {
        data_dir: args
            .data_dir
            .unwrap_or_else(whatsflow_engine::default_data_dir),
        whatsapp_url: whatsflow_whatsapp::WHATSAPP_WEB_URL.to_owned(),
        demo: args.demo,
    });
    let backend = match backend {
        Ok(backend) => Arc::new(Mutex::new(backend)),
        Err(e) => {
            eprintln!("whatsflow: {e:#}");
            std::process::exit(1);
        }
    };
    let engine = backend
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .engine
        .clone();
    // Started now when the saved switch is on; a busy port is shown in Settings, not fatal.
    let rest_api = match whatsflow_http::DesktopRestApi::attach(&engine) {
        Ok((rest_api, status)) => {
            if let Some(why) = status.error {
                eprintln!("whatsflow: the REST API is on but did not start: {why}");
            }
            rest_api
        }
        Err(e) => {
            eprintln!("whatsflow: {e}");
            std::process::exit(1);
        }
    };
    let desktop = Arc::new(Desktop {
        engine: engine.clone(),
        api: whatsflow_api::routes::api(),
    });

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(desktop)
        .invoke_handler(tauri::generate_handler![api])
        .setup(move |app| {
            notify::start(app.handle(), &engine);
            idle_lock::start(app.handle(), &engine);
            let handle = app.handle().clone();
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
            // Ctrl-C or SIGTERM ends the app the orderly way, so the vault is sealed and Chromium
            // closed (the exit handler below) instead of being left running.
            let exiting = app.handle().clone();
            if let Err(e) = ctrlc::set_handler(move || exiting.exit(0)) {
                tracing::warn!(error = %e, "could not install the SIGTERM handler");
            }
            if engine.is_demo() {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.set_title("WhatsFlow — demo (simulated WhatsApp)");
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("whatsflow: could not start the window: {e}");
            std::process::exit(1);
        }
    };
    app.run(move |_, event| {
        // Seal the WhatsApp session into the vault before the process ends.
        if let tauri::RunEvent::Exit = event {
            rest_api.stop();
            backend.lock().unwrap_or_else(|p| p.into_inner()).stop();
        }
    });
}
