//! Throughput benchmark: a burst of inbound messages from the simulated phone, through Chromium, the
//! injected script, the driver and `Engine::ingest`, into SQLite; against a bare batched insert of
//! the same rows with rusqlite on the same machine.
//!
//! `cargo run --release -p whatsflow-whatsapp --example bench_burst [-- --messages 10000]`

use std::time::{Duration, Instant};

use common::{arg, connected, runtime, Res};
use serde_json::json;
use whatsflow_whatsapp::find_chromium;

mod common;

fn main() -> Res<()> {
    let messages: usize = arg("--messages").unwrap_or(10_000);
    let runtime = runtime()?;
    let linked = connected(&runtime, find_chromium()?)?;
    let (sim, engine, link) = (&linked.sim, &linked.engine, &linked.link);

    // The phone side: 100 senders, messages posted as fast as the simulator takes them.
    let count = || -> i64 {
        engine
            .db()
            .with(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))
            .unwrap_or(0)
    };
    let start = Instant::now();
    for i in 0..messages {
        let from = format!("+1415555{:04}", 1000 + i % 100);
        ureq::post(&format!("{}control/inbound", sim.url()))
            .send_json(json!({ "from": from, "pushName": format!("Customer {}", i % 100), "body": format!("Order question number {i}: is it ready?") }))?;
    }
    let posted = start.elapsed();
    let deadline = Instant::now() + Duration::from_secs(600);
    while count() < messages as i64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pipeline = start.elapsed();
    let stored = count();
    link.stop()?;

    // The floor: the same rows inserted by hand in one transaction, no WhatsApp, no engine.
    let bare_dir = tempfile::tempdir()?;
    let mut conn = rusqlite_open(&bare_dir.path().join("bare.db"))?;
    let bare_start = Instant::now();
    {
        let tx = conn.transaction()?;
        {
            let mut stmt =
                tx.prepare("INSERT INTO m (wa_id, sender, body, t) VALUES (?1, ?2, ?3, ?4)")?;
            for i in 0..messages {
                stmt.execute((
                    format!("false_1415555{:04}@c.us_{i:020X}", 1000 + i % 100),
                    format!("+1415555{:04}", 1000 + i % 100),
                    format!("Order question number {i}: is it ready?"),
                    i as i64,
                ))?;
            }
        }
        tx.commit()?;
    }
    let bare = bare_start.elapsed();

    println!("inbound burst of {messages} messages from the simulated phone (100 senders)");
    println!(
        "  stored: {stored}; posting took {:.2} s",
        posted.as_secs_f64()
    );
    println!(
        "  pipeline (sim -> Chromium -> script -> driver -> Engine::ingest -> SQLite): {:.2} s = {:.0} msg/s",
        pipeline.as_secs_f64(),
        stored as f64 / pipeline.as_secs_f64()
    );
    println!(
        "  bare batched rusqlite insert of the same rows (one transaction): {:.3} s = {:.0} msg/s",
        bare.as_secs_f64(),
        messages as f64 / bare.as_secs_f64()
    );
    Ok(())
}

/// A plain table with a unique id, like the messages table's idempotency key.
fn rusqlite_open(path: &std::path::Path) -> Res<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch("CREATE TABLE m (id INTEGER PRIMARY KEY, wa_id TEXT UNIQUE, sender TEXT, body TEXT, t INTEGER)")?;
    Ok(conn)
}
