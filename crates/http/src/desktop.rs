//! The REST API inside the desktop app: the loopback server switched on and off from Settings, as
//! the engine's [`RestApiHost`]. It serves the API and its docs only: no UI and no session token
//! (the window talks to the engine over IPC), so every caller but the public routes needs an API key.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use whatsflow_engine::settings::{RestApiHost, RestApiStatus};
use whatsflow_engine::Engine;

use crate::rate_limit::RateLimit;
use crate::{Server, ServerConfig};

/// The desktop's switchable server: at most one running, on the port the user chose.
#[derive(Default)]
pub struct DesktopRestApi {
    running: Mutex<Option<Server>>,
    /// The port served now (0: none), readable while a switch is under way.
    port: AtomicU16,
}

impl DesktopRestApi {
    /// Attaches a switchable server to the engine and starts it when the saved setting is on. A
    /// port that cannot be opened is reported in the status (and Settings), not as a failure.
    pub fn attach(
        engine: &Engine,
    ) -> whatsflow_engine::Result<(Arc<DesktopRestApi>, RestApiStatus)> {
        let server = Arc::new(DesktopRestApi::default());
        let status = engine.attach_rest_api(server.clone())?;
        Ok((server, status))
    }

    /// Stops serving (the app is closing).
    pub fn stop(&self) {
        let old = self.lock().take();
        self.port.store(0, Ordering::SeqCst);
        if let Some(server) = old {
            server.stop();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Server>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl RestApiHost for DesktopRestApi {
    fn serve(&self, engine: &Engine, port: Option<u16>) -> Result<(), String> {
        let Some(port) = port else {
            self.stop();
            return Ok(());
        };
        let mut running = self.lock();
        if running.as_ref().map(|s| s.addr().port()) == Some(port) {
            return Ok(());
        }
        // The new one first: when it cannot start, the old one keeps serving.
        let config = ServerConfig {
            port,
            token: None,
            ui_dir: None,
            key_rate_limit: RateLimit::default(),
        };
        let server = Server::start(engine.clone(), config).map_err(|e| why_not(port, &e))?;
        let old = running.replace(server);
        self.port.store(port, Ordering::SeqCst);
        drop(running);
        if let Some(old) = old {
            old.stop();
        }
        tracing::info!(port, "REST API on");
        Ok(())
    }

    fn port(&self) -> Option<u16> {
        Some(self.port.load(Ordering::SeqCst)).filter(|&p| p != 0)
    }
}

/// A sentence for Settings: why the port could not be opened.
fn why_not(port: u16, error: &anyhow::Error) -> String {
    match error.downcast_ref::<std::io::Error>().map(|e| e.kind()) {
        Some(std::io::ErrorKind::AddrInUse) => {
            format!("Port {port} is already in use by another program: choose another port")
        }
        Some(std::io::ErrorKind::PermissionDenied) => {
            format!(
                "This computer does not allow WhatsFlow to open port {port}: choose another port"
            )
        }
        _ => format!("Could not open port {port}: {error:#}"),
    }
}
