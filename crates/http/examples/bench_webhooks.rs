//! Webhook throughput: queues N events for each of W webhooks while the delivery worker is stopped,
//! starts it, and times how long until a local tiny_http receiver has had every delivery (signed
//! POSTs, each recorded in the delivery log). Prints figures; asserts nothing (docs/benchmarks.md).
//!
//! ```text
//! cargo run --release -p whatsflow-http --example bench_webhooks -- [--events N] [--webhooks W]
//! ```
//! Defaults: 5 000 events, 1 webhook. Each webhook delivers in order, one request at a time, so one
//! webhook measures the sequential path and several show how deliveries to different receivers overlap.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use whatsflow_engine::webhooks::WebhookInput;
use whatsflow_engine::{Engine, Options, SystemClock};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.replace('_', "").parse().expect("a number"))
        .unwrap_or(default)
}

/// A receiver that answers 204 to every POST and counts them.
fn start_receiver(received: Arc<AtomicUsize>) -> u16 {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("receiver"));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    for _ in 0..8 {
        let (server, received) = (server.clone(), received.clone());
        std::thread::spawn(move || {
            while let Ok(mut request) = server.recv() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                received.fetch_add(1, Ordering::SeqCst);
                let _ = request.respond(tiny_http::Response::empty(204));
            }
        });
    }
    port
}

fn main() -> anyhow::Result<()> {
    let events = arg("--events", 5_000);
    let webhooks = arg("--webhooks", 1).max(1);
    let dir = tempfile::tempdir()?;
    let engine = Engine::open(Options::new(dir.path().join("data"), Arc::new(SystemClock)))?;
    let received = Arc::new(AtomicUsize::new(0));
    let port = start_receiver(received.clone());
    let ids: Vec<i64> = (0..webhooks)
        .map(|n| {
            engine
                .create_webhook(WebhookInput {
                    url: format!("http://127.0.0.1:{port}/hook/{n}"),
                    events: vec!["*".into()],
                    enabled: Some(true),
                })
                .map(|w| w.id)
        })
        .collect::<Result<_, _>>()?;

    let queued = Instant::now();
    for _ in 0..events {
        for id in &ids {
            engine.test_webhook(*id)?;
        }
    }
    let total = events * webhooks;
    println!(
        "queued {total} deliveries ({events} events × {webhooks} webhook(s)) in {:.2} s",
        queued.elapsed().as_secs_f64()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let worker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || engine.run_webhooks(&stop))
    };
    while received.load(Ordering::SeqCst) < total {
        std::thread::sleep(Duration::from_millis(2));
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!(
                "only {} of {total} deliveries arrived in 10 minutes",
                received.load(Ordering::SeqCst)
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::SeqCst);
    engine.wake_webhooks();
    let _ = worker.join();
    let pending: usize = ids
        .iter()
        .map(|id| {
            engine
                .webhook_deliveries(*id, Some("pending"), None, 500)
                .map(|page| page.items.len())
        })
        .sum::<Result<_, _>>()?;
    println!(
        "delivered {total} in {seconds:.2} s: {:.0} deliveries/s ({} received, {pending} still pending in the log)",
        total as f64 / seconds,
        received.load(Ordering::SeqCst)
    );
    Ok(())
}
