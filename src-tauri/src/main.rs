//! `whatsflow`: the desktop shell. Starts the backend, lives in the tray (`tray`), opens and
//! destroys the window on demand (`window`), forwards the window's API calls to the API table the
//! HTTP server uses and relays engine events to it (`ipc`), does for the engine what only it can
//! (`host`: start at login, restart), shows native notifications (`notify`), locks the app when
//! its window has been away too long (`idle_lock`), and attaches the loopback REST API server that
//! Settings switches on for scripts (off by default: then the app listens on no port). No logic
//! lives here: every operation is an engine method.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod host;
mod idle_lock;
mod ipc;
mod notify;
mod tray;
mod window;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tauri::{Manager, RunEvent};
use whatsflow_api::{Backend, BackendConfig};
use whatsflow_http::DesktopRestApi;

const USAGE: &str = "usage: whatsflow [--demo] [--data-dir DIR] [--hidden]";

struct Args {
    demo: bool,
    data_dir: PathBuf,
    /// Start in the tray without a window (how the login item starts it).
    hidden: bool,
}

fn parse_args() -> Args {
    let mut demo = false;
    let mut hidden = false;
    let mut data_dir = std::env::var_os("WHATSFLOW_DATA_DIR").map(PathBuf::from);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--demo" => demo = true,
            host::HIDDEN => hidden = true,
            "--data-dir" => data_dir = it.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => {
                eprintln!("whatsflow: unknown argument {other}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    let data_dir = data_dir.unwrap_or_else(whatsflow_engine::default_data_dir);
    Args {
        demo,
        data_dir: std::path::absolute(&data_dir).unwrap_or(data_dir),
        hidden,
    }
}

/// What runs until Quit: stopped by the exit handler.
struct Running {
    backend: Mutex<Backend>,
    rest_api: Arc<DesktopRestApi>,
}

/// One app per data directory, as the data directory's lock has it: a second start on the same
/// directory shows the first one's window and exits; another directory is another app.
fn instance_id(data_dir: &Path) -> String {
    // The directory as the vault names it (resolved), or as given when it does not exist yet.
    let resolved = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_owned());
    format!(
        "app.whatsflow.desktop.d{}",
        whatsflow_engine::data_dir_id(&resolved)
    )
}

/// Starts the backend, the REST API when switched on, the tray, and the window unless `hidden`.
fn start(app: &tauri::App, args: &Args) -> anyhow::Result<()> {
    let backend = Backend::start(BackendConfig {
        data_dir: args.data_dir.clone(),
        whatsapp_url: whatsflow_whatsapp::WHATSAPP_WEB_URL.to_owned(),
        demo: args.demo,
    })?;
    let engine = backend.engine.clone();
    // Started now when the saved switch is on; a busy port is shown in Settings, not fatal.
    let (rest_api, status) = DesktopRestApi::attach(&engine).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(why) = status.error {
        eprintln!("whatsflow: the REST API is on but did not start: {why}");
    }
    engine
        .attach_desktop(Arc::new(host::Shell {
            app: app.handle().clone(),
        }))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.manage(Running {
        backend: Mutex::new(backend),
        rest_api,
    });
    app.manage(Arc::new(ipc::Ipc {
        engine: engine.clone(),
        api: whatsflow_api::routes::api(),
    }));
    app.manage(engine.clone());
    ipc::relay_events(app.handle().clone(), &engine);
    tray::install(app.handle(), &engine)?;
    notify::start(app.handle(), &engine);
    idle_lock::start(app.handle(), &engine);
    // Ctrl-C or SIGTERM ends the app the orderly way, as Quit does.
    let exiting = app.handle().clone();
    if let Err(e) = ctrlc::set_handler(move || exiting.exit(0)) {
        tracing::warn!(error = %e, "could not install the SIGTERM handler");
    }
    if !args.hidden {
        window::open(app.handle());
    }
    Ok(())
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
    let app = tauri::Builder::default()
        // First, so that a second start hands over before it touches the data directory.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&args.data_dir))
                .callback(|app, _argv, _cwd| window::open(app))
                .build(),
        )
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![host::HIDDEN]),
        ))
        .invoke_handler(tauri::generate_handler![ipc::api])
        .on_window_event(window::on_event)
        .setup(move |app| Ok(start(app, &args)?))
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("whatsflow: {e:#}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| match event {
        // The last window closed: WhatsFlow stays in the tray. Quit asks with an exit code.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // Seal the WhatsApp session into the vault and stop Chromium before the process ends.
        RunEvent::Exit => {
            if let Some(running) = app.try_state::<Running>() {
                running.rest_api.stop();
                running
                    .backend
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .stop();
            }
        }
        _ => {}
    });
}
