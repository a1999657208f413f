//! What every WhatsFlow program runs behind its window or its HTTP port: the engine, the outbox
//! worker, the campaign scheduler, the WhatsApp link (and, in demo mode, the simulator it talks to). `whatsflow-server` and
//! the desktop app both start it with [`Backend::start`] and end it with [`Backend::stop`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::Context;
use whatsflow_engine::{Engine, Options, SystemClock};
use whatsflow_whatsapp::vault::Vault;
use whatsflow_whatsapp::{LinkConfig, WhatsAppLink};

/// One of the engine's background loops: runs until its flag is set.
type EngineLoop = fn(&Engine, &AtomicBool);

/// How to start the backend.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    pub data_dir: PathBuf,
    /// WhatsApp Web's address (ignored in demo mode).
    pub whatsapp_url: String,
    /// Demo mode: run the simulator in-process and connect to it instead of WhatsApp Web. Needs the
    /// `demo` feature; without it, [`Backend::start`] refuses.
    pub demo: bool,
}

pub struct Backend {
    pub engine: Engine,
    /// Held while the backend lives (see [`claim_data_dir`]).
    _instance: std::fs::File,
    link: Arc<WhatsAppLink>,
    simulator: Option<Simulator>,
    /// Tells the engine's loops to end.
    stop_workers: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Backend {
    pub fn start(config: BackendConfig) -> anyhow::Result<Backend> {
        let instance = claim_data_dir(&config.data_dir, CLAIM_WAIT)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("whatsflow-async")
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        let simulator = if config.demo {
            Some(start_simulator(&config.data_dir)?)
        } else {
            None
        };
        let url = simulator
            .as_ref()
            .map(|s| s.url())
            .unwrap_or(config.whatsapp_url);
        let engine = Engine::open(Options {
            demo: simulator.is_some(),
            simulator_url: simulator.as_ref().map(|s| s.url()),
            ..Options::new(config.data_dir.clone(), Arc::new(SystemClock))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;

        let mut link_config = LinkConfig::new(&config.data_dir);
        link_config.url = url;
        // Chromium starts at once only when there is a session to resume (or in demo mode); a
        // first-time user starts linking from the Connect screen.
        let linked_before = Vault::open(&config.data_dir)
            .map(|v| v.exists())
            .unwrap_or(false)
            || link_config.profile_dir().exists();
        link_config.connect_at_start = config.demo || linked_before;
        let link = WhatsAppLink::start_on(runtime.handle(), engine.clone(), link_config);
        engine.set_link(link.clone());

        // The engine's background loops, each on a thread of its own, all stopped by one flag.
        let stop_workers = Arc::new(AtomicBool::new(false));
        let loops: [(&str, EngineLoop); 4] = [
            ("outbox", Engine::run_outbox),
            ("campaigns", Engine::run_campaigns),
            ("backups", Engine::run_backups),
            ("webhooks", Engine::run_webhooks),
        ];
        let mut workers = Vec::new();
        for (name, run) in loops {
            let (engine, stop) = (engine.clone(), stop_workers.clone());
            workers.push(
                std::thread::Builder::new()
                    .name(name.into())
                    .spawn(move || run(&engine, &stop))?,
            );
        }
        Ok(Backend {
            engine,
            _instance: instance,
            link,
            simulator,
            stop_workers,
            workers,
            runtime: Some(runtime),
        })
    }

    /// Stops everything cleanly: the engine's loops (outbox, campaigns, backups), then the link
    /// (which seals the session into the vault and removes the plaintext profile), then the
    /// simulator. Blocks; later calls do nothing.
    pub fn stop(&mut self) {
        self.stop_workers.store(true, Ordering::SeqCst);
        // The webhook loop waits for work on a signal of its own.
        self.engine.wake_webhooks();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        if let Err(e) = self.link.stop() {
            tracing::warn!(error = %e, "the WhatsApp link did not stop cleanly");
        }
        if let Some(simulator) = self.simulator.take() {
            simulator.shutdown();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

#[cfg(feature = "demo")]
use wa_sim::Simulator;

/// Built without the `demo` feature there is no simulator to run.
#[cfg(not(feature = "demo"))]
struct Simulator;

#[cfg(not(feature = "demo"))]
impl Simulator {
    fn url(&self) -> String {
        unreachable!("no simulator without the demo feature")
    }
    fn shutdown(self) {}
}

#[cfg(not(feature = "demo"))]
fn start_simulator(_: &std::path::Path) -> anyhow::Result<Simulator> {
    anyhow::bail!("this build has no demo mode (it was built without the `demo` feature)")
}

/// Waits this long for a previous instance on the same data directory to finish closing.
const CLAIM_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// One program per data directory: a second `whatsflow` or `whatsflow-server` on the same directory
/// would drive the same WhatsApp session and write the same database. The lock is the OS's, so it
/// goes away with the process however that ends; holding it is also what lets the WhatsApp link
/// treat any browser still on the profile as left behind by a killed run.
fn claim_data_dir(
    data_dir: &std::path::Path,
    wait: std::time::Duration,
) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("could not create the data directory {}", data_dir.display()))?;
    let path = data_dir.join("whatsflow.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("could not open {}", path.display()))?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "WhatsFlow is already running with the data directory {} (another window, or \
                 whatsflow-server); close it first, or start this one with another --data-dir",
                data_dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("could not lock {}", path.display()))
            }
        }
    }
}

/// Starts the demo's simulator on the port it had last time: the browser keeps the linked session
/// per origin (port included), so the same port is what lets a restarted demo skip the QR.
#[cfg(feature = "demo")]
fn start_simulator(data_dir: &std::path::Path) -> anyhow::Result<Simulator> {
    let port_file = data_dir.join("demo-simulator.port");
    let previous: u16 = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let simulator = match Simulator::start(previous) {
        Ok(simulator) => simulator,
        // That port is taken now: a new one means linking the demo phone again, nothing worse.
        Err(_) => Simulator::start(0).context("could not start the WhatsApp Web simulator")?,
    };
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&port_file, simulator.port().to_string())?;
    Ok(simulator)
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_program_per_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = claim_data_dir(&data, CLAIM_WAIT).unwrap();
        let second = claim_data_dir(&data, std::time::Duration::ZERO).unwrap_err();
        assert!(second.to_string().contains("already running"), "{second:#}");
        assert!(claim_data_dir(&dir.path().join("other"), CLAIM_WAIT).is_ok());
        drop(first);
        assert!(claim_data_dir(&data, std::time::Duration::ZERO).is_ok());
    }
}
