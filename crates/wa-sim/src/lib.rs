//! A stand-in for web.whatsapp.com on 127.0.0.1, for tests and WhatsFlow's demo mode.
//!
//! The simulator serves a page at `/` that exposes the same module names, fields, events and
//! connection state machine as the real WhatsApp Web (see `WHATSAPP-WEB.md` in the project notes),
//! and a control API under `/control` with which tests and the demo's "simulated phone" play the
//! phone and the rest of the world: scan the QR, deliver messages, move acks, go offline, log out,
//! ban the number. The server side plays WhatsApp's servers: it decides the page's connection state,
//! queues messages for a device that is not connected, and records what the page sends.
//!
//! ```no_run
//! let sim = wa_sim::Simulator::start(0).unwrap();
//! println!("point the browser at {}", sim.url());
//! sim.shutdown();
//! ```

mod control;
mod page;
mod server;
mod state;

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running simulator: an HTTP server on 127.0.0.1 and the thread that drives its timers.
///
/// Dropping it (or calling [`Simulator::shutdown`]) stops both and waits for them.
pub struct Simulator {
    shared: Arc<server::Shared>,
    http: Arc<tiny_http::Server>,
    port: u16,
    threads: Vec<JoinHandle<()>>,
}

impl Simulator {
    /// Starts the simulator on `127.0.0.1:port`; `0` picks a free port.
    pub fn start(port: u16) -> io::Result<Simulator> {
        let http = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|error| io::Error::other(format!("wa-sim cannot listen: {error}")))?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|address| address.port())
            .ok_or_else(|| io::Error::other("wa-sim is not listening on an IP socket"))?;
        let http = Arc::new(http);
        let shared = Arc::new(server::Shared::new());

        let accept = {
            let (shared, http) = (shared.clone(), http.clone());
            std::thread::Builder::new()
                .name("wa-sim-http".into())
                .spawn(move || server::accept_loop(&shared, &http))?
        };
        let timers = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("wa-sim-timers".into())
                .spawn(move || server::timer_loop(&shared))?
        };
        tracing::debug!(port, "wa-sim started");
        Ok(Simulator {
            shared,
            http,
            port,
            threads: vec![accept, timers],
        })
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The port the simulator listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server and its threads.
    pub fn shutdown(self) {
        // Drop does the work; this method exists so callers can say what they mean.
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.cond.notify_all();
        self.http.unblock();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Simulator")
            .field("url", &self.url())
            .finish()
    }
}
