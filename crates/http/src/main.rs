//! `whatsflow-server`: WhatsFlow without a window. The engine, the WhatsApp link and the loopback
//! HTTP server with the built UI; prints one ready line with the address and session token.

use std::path::PathBuf;

use anyhow::{bail, Context};
use whatsflow_api::{Backend, BackendConfig};
use whatsflow_http::rate_limit::RateLimit;
use whatsflow_http::{Server, ServerConfig};

/// mimalloc rather than glibc's malloc: with 16 request threads, glibc's arena locks, consolidation
/// and free-list walks were a fifth of the CPU of a contacts page (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: whatsflow-server [--data-dir DIR] [--port N] [--token T] [--key-rate-limit N] [--whatsapp-url URL] [--demo] [--ui-dir DIR]

  --data-dir DIR      where the database and media live (default: $WHATSFLOW_DATA_DIR, else the OS app-data dir)
  --port N            port on 127.0.0.1 (0 picks a free one; default 8787)
  --token T           the session token (default: random)
  --key-rate-limit N  requests a minute each API key may make, in bursts of N/4 (default 120)
  --whatsapp-url URL  WhatsApp Web's address (default https://web.whatsapp.com/)
  --demo              demo mode: run the built-in WhatsApp Web simulator and connect to it (alias: --sim)
  --ui-dir DIR        the built UI (default: ui/dist beside the binary's source tree)";

struct Args {
    data_dir: Option<PathBuf>,
    port: u16,
    token: Option<String>,
    key_rate_limit: RateLimit,
    whatsapp_url: String,
    demo: bool,
    ui_dir: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        data_dir: std::env::var_os("WHATSFLOW_DATA_DIR").map(PathBuf::from),
        port: 8787,
        token: None,
        key_rate_limit: RateLimit::default(),
        whatsapp_url: "https://web.whatsapp.com/".into(),
        demo: false,
        ui_dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--data-dir" => args.data_dir = Some(value("--data-dir")?.into()),
            "--port" => {
                args.port = value("--port")?
                    .parse()
                    .context("--port must be a number from 0 to 65535")?
            }
            "--token" => {
                let token = value("--token")?;
                if token.len() < 8 {
                    bail!("--token must be at least 8 characters");
                }
                args.token = Some(token)
            }
            "--key-rate-limit" => {
                let per_minute: u32 = value("--key-rate-limit")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .context(
                        "--key-rate-limit must be a number of requests a minute, at least 1",
                    )?;
                args.key_rate_limit = RateLimit::per_minute(per_minute)
            }
            "--whatsapp-url" => args.whatsapp_url = value("--whatsapp-url")?,
            "--demo" | "--sim" => args.demo = true,
            "--ui-dir" => args.ui_dir = Some(value("--ui-dir")?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n\n{USAGE}"),
        }
    }
    Ok(args)
}

fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The built UI: the flag, else `ui/dist` next to the executable, else the source tree's.
fn find_ui_dir(flag: Option<PathBuf>) -> Option<PathBuf> {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("ui")));
    let source_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    flag.into_iter()
        .chain(beside_exe)
        .chain(std::iter::once(source_tree))
        .find(|dir| dir.join("index.html").is_file())
}

fn main() {
    // Held until the end of main, so the log file gets everything.
    let logs = whatsflow_api::logging::init("whatsflow-server");
    if let Err(e) = run() {
        tracing::error!("{e:#}");
        eprintln!("whatsflow-server: {e:#}");
        drop(logs); // exit skips destructors: flush the file first
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;
    let data_dir = args
        .data_dir
        .unwrap_or_else(whatsflow_engine::default_data_dir);
    let mut backend = Backend::start(BackendConfig {
        data_dir: data_dir.clone(),
        whatsapp_url: args.whatsapp_url,
        demo: args.demo,
    })?;
    let engine = backend.engine.clone();

    let token = args.token.unwrap_or_else(random_token);
    let ui_dir = find_ui_dir(args.ui_dir);
    if ui_dir.is_none() {
        tracing::warn!("the UI is not built (run `npm run build` in ui/); serving the API only");
    }
    let server = Server::start(
        engine.clone(),
        ServerConfig {
            port: args.port,
            token: Some(token.clone()),
            ui_dir,
            key_rate_limit: args.key_rate_limit,
        },
    )?;
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context("could not install the SIGTERM handler")?;
    tracing::info!(data_dir = %data_dir.display(), "data directory");
    println!(
        "WhatsFlow listening on http://127.0.0.1:{}/?token={token}",
        server.addr().port()
    );
    use std::io::Write;
    std::io::stdout().flush()?;

    let _ = rx.recv();
    tracing::info!("stopping");
    server.stop();
    backend.stop();
    Ok(())
}
