//! What the benchmarks share: their arguments, the runtime, and a link connected to the simulator
//! the way the app connects (QR shown, then scanned by the simulated phone).

// Each benchmark is its own crate and uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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
    pub sim: Sim,
    pub engine: Engine,
    pub link: Arc<WhatsAppLink>,
    /// The engine's and the browser profile's files, removed when this is dropped.
    pub dir: TempDir,
}

/// The simulator: in this process, or in its own (`wa-sim`), so its memory is not counted as the
/// app's.
pub enum Sim {
    InProcess(wa_sim::Simulator),
    Process { child: Child, url: String },
}

impl Sim {
    /// The simulator's base URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        match self {
            Sim::InProcess(sim) => sim.url(),
            Sim::Process { url, .. } => url.clone(),
        }
    }

    /// The simulator's process id, when it runs in its own.
    pub fn pid(&self) -> Option<u32> {
        match self {
            Sim::InProcess(_) => None,
            Sim::Process { child, .. } => Some(child.id()),
        }
    }

    /// Starts the `wa-sim` program built beside this example (`cargo build --release -p wa-sim`).
    pub fn spawn() -> Res<Sim> {
        let examples = std::env::current_exe()?;
        let program = examples
            .parent()
            .and_then(|dir| dir.parent())
            .map(|dir| dir.join("wa-sim"))
            .filter(|path| path.is_file())
            .ok_or("wa-sim is not built beside this example: cargo build --release -p wa-sim")?;
        let mut child = Command::new(program)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
        let address = line
            .trim()
            .strip_prefix("wa-sim listening on ")
            .ok_or_else(|| format!("unexpected first line from wa-sim: {line:?}"))?;
        Ok(Sim::Process {
            child,
            url: format!("{address}/"),
        })
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Sim::Process { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the simulator and the link on `chromium`, scans the QR and waits until connected.
pub fn connected(runtime: &Runtime, chromium: PathBuf) -> Res<Connected> {
    connected_after(
        runtime,
        chromium,
        Sim::InProcess(wa_sim::Simulator::start(0)?),
        |_, _| Ok(()),
    )
}

/// [`connected`] on `sim`, with `prepare` run on the simulator (given its base URL) and the engine
/// before the link starts (e.g. to give the phone a history).
pub fn connected_after(
    runtime: &Runtime,
    chromium: PathBuf,
    sim: Sim,
    prepare: impl FnOnce(&str, &Engine) -> Res<()>,
) -> Res<Connected> {
    let dir = tempfile::tempdir()?;
    let engine = Engine::open(Options::new(dir.path().to_owned(), Arc::new(SystemClock)))?;
    prepare(&sim.url(), &engine)?;
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

/// Every process in the tree under `root` (Chromium's browser process), with its kind: `browser`,
/// `renderer`, `gpu-process`, `utility:<service>`, … Sorted by pid.
pub fn process_tree(root: u32) -> Vec<(u32, String)> {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parent.insert(pid, ppid);
        }
    }
    let descends = |mut pid: u32| loop {
        if pid == root {
            return true;
        }
        match parent.get(&pid) {
            Some(&up) if up != 0 && up != pid => pid = up,
            _ => return false,
        }
    };
    let mut tree: Vec<(u32, String)> = parent
        .keys()
        .copied()
        .filter(|pid| descends(*pid))
        .map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            // Chromium rewrites its children's command lines into one space-separated string.
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let kind = text
                .split(' ')
                .find_map(|arg| arg.strip_prefix("--type=").map(str::to_owned))
                .map(|kind| {
                    match text
                        .split(' ')
                        .find_map(|a| a.strip_prefix("--utility-sub-type="))
                    {
                        Some(sub) => format!("{kind}:{}", sub.rsplit('.').next().unwrap_or(sub)),
                        None => kind,
                    }
                })
                .unwrap_or_else(|| "browser".to_owned());
            (pid, kind)
        })
        .collect();
    tree.sort();
    tree
}

/// A `<field> <n> kB` line of `/proc/<pid>/<file>` (`status`'s `VmRSS:` and `VmHWM:`,
/// `smaps_rollup`'s `Pss:`), in KiB; 0 when the process or the line is gone.
pub fn proc_kib(pid: u32, file: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
