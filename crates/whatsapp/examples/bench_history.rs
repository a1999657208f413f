//! End-to-end throughput and memory benchmark of bulk inbound: a phone with a long history linked
//! by QR (simulator → Chromium → injected script → CDP binding → driver → `Engine::ingest_batch` →
//! SQLite), then a burst of messages that queued while the phone was offline, delivered in batches
//! when it is back. Prints messages per second and the peak memory of every process (this one,
//! which holds the engine and the driver, the simulator's, and each of Chromium's), sampled through both runs,
//! with the resident sizes at each tenth of the history to show whether memory stays flat.
//!
//! `cargo build --release -p wa-sim && cargo run --release -p whatsflow-whatsapp --example
//! bench_history [-- --chats 500 --per-chat 100 --burst 20000]` (Linux: reads `/proc`; the
//! simulator runs as its own process, so this one holds only the engine and the driver).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{arg, connected_after, post, proc_kib, process_tree, runtime, Res, Sim};
use serde_json::json;
use whatsflow_engine::{ConnectionState, Engine, Event};
use whatsflow_whatsapp::find_chromium;

mod common;

/// Peak resident memory seen per process (pid, kind), sampled every 200 ms.
#[derive(Default)]
struct Peaks {
    by_process: BTreeMap<(u32, String), u64>,
}

fn stored(engine: &Engine) -> i64 {
    engine
        .db()
        .with(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))
        .unwrap_or(0)
}

fn rss_line(browser: Option<u32>, sim: Option<u32>) -> String {
    let own = proc_kib(std::process::id(), "status", "VmRSS:");
    let sim = sim
        .map(|pid| proc_kib(pid, "status", "VmRSS:"))
        .unwrap_or(0);
    let chromium: u64 = browser
        .map(|root| {
            process_tree(root)
                .iter()
                .map(|(pid, _)| proc_kib(*pid, "status", "VmRSS:"))
                .sum()
        })
        .unwrap_or(0);
    format!(
        "whatsflow {:>4} MiB, wa-sim {:>4} MiB, Chromium (all processes) {:>5} MiB",
        own / 1024,
        sim / 1024,
        chromium / 1024
    )
}

fn main() -> Res<()> {
    let chats: usize = arg("--chats").unwrap_or(500);
    let per_chat: usize = arg("--per-chat").unwrap_or(100);
    let burst: usize = arg("--burst").unwrap_or(20_000);
    let history_total = chats * per_chat;
    let runtime = runtime()?;

    let mut events = None;
    let linked = connected_after(&runtime, find_chromium()?, Sim::spawn()?, |base, engine| {
        post(
            base,
            "history",
            json!({"chats": chats, "messagesPerChat": per_chat}),
        )?;
        events = Some(engine.subscribe());
        Ok(())
    })?;
    let (sim, engine, link) = (&linked.sim, &linked.engine, &linked.link);
    let mut events = events.ok_or("no event subscription")?;
    let browser = link.browser_pid();
    // This process runs the engine and the driver; the simulator runs in its own.
    let mut watched = vec![(
        std::process::id(),
        "whatsflow (engine + link driver)".to_owned(),
    )];
    watched.extend(
        sim.pid()
            .map(|pid| (pid, "wa-sim (the simulated site)".to_owned())),
    );

    // Memory, sampled in the background through both runs.
    let peaks = Arc::new(Mutex::new(Peaks::default()));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peaks, sampling, watched) = (peaks.clone(), sampling.clone(), watched.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::SeqCst) {
                let mut processes = watched.clone();
                if let Some(root) = browser {
                    processes.extend(process_tree(root));
                }
                let mut peaks = peaks.lock().unwrap();
                for (pid, kind) in processes {
                    let rss = proc_kib(pid, "status", "VmRSS:");
                    let peak = peaks.by_process.entry((pid, kind)).or_default();
                    *peak = (*peak).max(rss);
                }
                drop(peaks);
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };

    // 1. History: from the link's first linked status (the scan answered) until the backfill
    // reports done, both by the engine's clock.
    let started = Instant::now();
    // Engine times (ms): linked (the scan answered), the first and the last `history.sync` report.
    let mut linked_at = None;
    let mut first_batch = None;
    let mut last_at;
    let mut next_tenth = 1;
    let mut timeline = Vec::new();
    let done = loop {
        match events.try_recv() {
            Ok(envelope) => {
                if let Event::ConnectionChanged(status) = &envelope.event {
                    // Linked: the page starts reading its chats once connected and synced.
                    if matches!(
                        status.state,
                        ConnectionState::Syncing | ConnectionState::Connected
                    ) {
                        linked_at.get_or_insert(envelope.at);
                    }
                }
                if let Event::HistorySync(progress) = envelope.event {
                    first_batch.get_or_insert(envelope.at);
                    last_at = envelope.at;
                    while progress.messages_read * 10 >= next_tenth * history_total
                        && next_tenth <= 10
                    {
                        timeline.push((next_tenth * 10, rss_line(browser, sim.pid())));
                        next_tenth += 1;
                    }
                    if progress.done {
                        break progress;
                    }
                }
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(_) => {
                if started.elapsed() > Duration::from_secs(900) {
                    return Err("the history backfill did not finish in 15 minutes".into());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    let since =
        |at: Option<i64>| Duration::from_millis(at.map(|at| last_at - at).unwrap_or(0) as u64);
    let (history_took, from_first) = (since(linked_at), since(first_batch));
    let history_stored = stored(engine);

    // 2. A burst: the phone goes offline, 200 customers write, the phone comes back.
    post(&sim.url(), "offline", json!({}))?;
    for i in 0..burst {
        post(
            &sim.url(),
            "inbound",
            json!({"from": format!("+1415555{:04}", 1000 + i % 200), "pushName": format!("Customer {}", i % 200),
                   "body": format!("Order question number {i}: is it ready?")}),
        )?;
    }
    let before_burst = stored(engine);
    let burst_started = Instant::now();
    post(&sim.url(), "online", json!({}))?;
    let want = before_burst + burst as i64;
    while stored(engine) < want {
        if burst_started.elapsed() > Duration::from_secs(600) {
            return Err(
                format!("only {} of {want} stored after 10 minutes", stored(engine)).into(),
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let burst_took = burst_started.elapsed();

    sampling.store(false, Ordering::SeqCst);
    let _ = sampler.join();
    let lifetime_peaks: Vec<(u32, String, u64)> = {
        let mut processes = watched.clone();
        if let Some(root) = browser {
            processes.extend(process_tree(root));
        }
        processes
            .into_iter()
            .map(|(pid, kind)| (pid, kind, proc_kib(pid, "status", "VmHWM:")))
            .collect()
    };
    link.stop()?;

    println!(
        "history backfill: {chats} chats x {per_chat} messages = {history_total} (texts, photos, documents)"
    );
    println!(
        "  stored {history_stored} (reported added {}); linked -> done {:.2} s = {:.0} msg/s (first batch stored -> done {:.2} s = {:.0} msg/s)",
        done.messages_added,
        history_took.as_secs_f64(),
        history_total as f64 / history_took.as_secs_f64(),
        from_first.as_secs_f64(),
        history_total as f64 / from_first.as_secs_f64().max(1e-9),
    );
    println!("  resident memory at each tenth of the history read:");
    for (percent, line) in &timeline {
        println!("    {percent:>3} %: {line}");
    }
    println!(
        "offline burst: {burst} messages from 200 customers, delivered when the phone is back"
    );
    println!(
        "  online -> all stored {:.2} s = {:.0} msg/s",
        burst_took.as_secs_f64(),
        burst as f64 / burst_took.as_secs_f64()
    );
    println!("peak resident memory per process (sampled every 200 ms; VmHWM = the kernel's lifetime peak):");
    let sampled = peaks.lock().unwrap();
    for (pid, kind, hwm) in &lifetime_peaks {
        let seen = sampled
            .by_process
            .get(&(*pid, kind.clone()))
            .copied()
            .unwrap_or(0);
        println!(
            "  {pid:>7} {kind:<40} sampled peak {:>5} MiB, VmHWM {:>5} MiB",
            seen / 1024,
            hwm / 1024
        );
    }
    Ok(())
}
