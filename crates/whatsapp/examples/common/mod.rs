//! What the benchmarks share: their arguments, the runtime, and a link connected to the simulator
//! the way the app connects (QR shown, then scanned by the simulated phone).

// Each benchmark is its own crate and uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tempfile::TempDir;
use tokio::runtime::Runtime;
use whatsflow_engine::{ConnectionState, Engine, Link, Options, SystemClock};
use whatsflow_whatsapp::{LinkConfig, WhatsAppLink};

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The value after `--name` on the command line, if it is there and parses.
pub fn arg<T: FromStr>(name: &str) -> Option<T> {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|s| s.parse().ok())
}

/// The two-thread runtime the app uses, with the vault key kept in a file (no keychain needed).
pub fn runtime() -> Res<Runtime> {
    std::env::set_var("WHATSFLOW_KEYSTORE", "file");
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// A simulator, an engine in a temporary folder, and the link between them, connected.
pub struct Connected {
    pub sim: wa_sim::Simulator,
    pub engine: Engine,
    pub link: Arc<WhatsAppLink>,
    /// The engine's and the browser profile's files, removed when this is dropped.
    pub dir: TempDir,
}

/// Starts the simulator and the link on `chromium`, scans the QR and waits until connected.
pub fn connected(runtime: &Runtime, chromium: PathBuf) -> Res<Connected> {
    let sim = wa_sim::Simulator::start(0)?;
    let dir = tempfile::tempdir()?;
    let engine = Engine::open(Options::new(dir.path().to_owned(), Arc::new(SystemClock)))?;
    let mut config = LinkConfig::new(dir.path());
    config.url = sim.url();
    config.chromium = Some(chromium);
    let link = WhatsAppLink::start_on(runtime.handle(), engine.clone(), config);
    engine.set_link(link.clone());
    wait_for(|| link.status().state == ConnectionState::Qr, "the QR")?;
    post(&sim.url(), "scan", json!({}))?;
    wait_for(
        || link.status().state == ConnectionState::Connected,
        "connected",
    )?;
    Ok(Connected {
        sim,
        engine,
        link,
        dir,
    })
}

/// Posts to the simulator's control API, as the phone.
pub fn post(base: &str, path: &str, body: serde_json::Value) -> Res<()> {
    ureq::post(&format!("{base}control/{path}")).send_json(&body)?;
    Ok(())
}

/// Polls `done` until it holds, for 90 s at most.
pub fn wait_for(mut done: impl FnMut() -> bool, what: &str) -> Res<()> {
    let until = Instant::now() + Duration::from_secs(90);
    while !done() {
        if Instant::now() > until {
            return Err(format!("timed out waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}
