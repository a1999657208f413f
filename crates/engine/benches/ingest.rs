//! Inbound ingest benchmark on a file database with the system clock, as the app runs it: N messages
//! from 1 000 senders handed to `Engine::ingest_batch` in batches (live: one event per message,
//! campaign tracking; and history: stored, counted, announced to no one), beside `Engine::ingest`
//! one message at a time, and the floor: a raw batched rusqlite insert of the same message rows into
//! the same schema (the engine's own migrations, so the same indexes and full-text triggers), with
//! the senders' contacts inserted beforehand, in the same run. Prints figures; asserts nothing.
//!
//! ```text
//! cargo bench -p whatsflow-engine --bench ingest [-- --messages N --batch B]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::cpu_time;
use whatsflow_engine::inbox::Origin;
use whatsflow_engine::link::InboundMessage;
use whatsflow_engine::{Engine, Options, SystemClock};

mod common;

const SENDERS: usize = 1_000;
/// Messages start here (ms) and move one second each, like a day of chats.
const START_MS: i64 = 1_780_000_000_000;

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn digits(sender: usize) -> String {
    format!("1415{:07}", 5_550_000 + sender)
}

fn message(i: usize) -> InboundMessage {
    let sender = i % SENDERS;
    let chat = format!("{}@c.us", digits(sender));
    InboundMessage {
        wa_message_id: format!("false_{chat}_3EB0{i:018X}"),
        phone_number: Some(format!("+{}", digits(sender))),
        chat_id: chat,
        push_name: Some(format!("Customer {sender}")),
        from_me: i.is_multiple_of(5),
        kind: "chat".to_owned(),
        body: format!("Order question number {i}: is the blue one still in stock?"),
        caption: None,
        media: None,
        quoted_wa_id: None,
        timestamp: START_MS + i as i64 * 1000,
    }
}

fn engine(dir: &std::path::Path) -> Engine {
    Engine::open(Options::new(dir.to_owned(), Arc::new(SystemClock))).expect("engine opens")
}

/// Wall-clock and CPU time (this thread's: on a shared machine the wall clock also counts the time
/// other programs had the cores) of one run.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

fn timed(run: impl FnOnce()) -> Took {
    let (started, cpu) = (Instant::now(), cpu_time("/proc/thread-self/stat"));
    run();
    Took {
        wall: started.elapsed(),
        cpu: cpu_time("/proc/thread-self/stat").saturating_sub(cpu),
    }
}

fn rate(count: usize, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64()
}

/// `Engine::ingest_batch` over all messages, `batch` at a time.
fn engine_batches(messages: usize, batch: usize, origin: Origin) -> Took {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = engine(dir.path());
    timed(|| {
        for first in (0..messages).step_by(batch) {
            let chunk = (first..(first + batch).min(messages))
                .map(message)
                .collect();
            engine.ingest_batch(chunk, origin).expect("ingest");
        }
    })
}

/// `Engine::ingest`, one message per transaction.
fn engine_one_by_one(messages: usize) -> Took {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = engine(dir.path());
    timed(|| {
        for i in 0..messages {
            engine.ingest(message(i)).expect("ingest");
        }
    })
}

/// The same message rows inserted by hand into the engine's schema, `batch` per transaction, on a
/// connection with the engine's pragmas (WAL, synchronous NORMAL, 16 MiB page cache).
fn raw_batches(messages: usize, batch: usize) -> Took {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(engine(dir.path()));
    let path = std::fs::read_dir(dir.path())
        .expect("data dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "db"))
        .expect("the engine's database file");
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "cache_size", -16 * 1024).unwrap();
    {
        let tx = conn.transaction().unwrap();
        for sender in 0..SENDERS {
            tx.execute(
                "INSERT INTO contacts (phone_number, wa_id, push_name, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'conversation', 0, 0)",
                (
                    format!("+{}", digits(sender)),
                    format!("{}@c.us", digits(sender)),
                    format!("Customer {sender}"),
                ),
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    timed(|| {
        for first in (0..messages).step_by(batch) {
            let tx = conn.transaction().unwrap();
            {
                let mut insert = tx
                .prepare_cached(
                    "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, status, ack,
                         wa_timestamp, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'chat', ?4, ?5, ?6, ?7, ?8, ?8)
                     ON CONFLICT (wa_message_id) DO NOTHING",
                )
                .unwrap();
                for i in first..(first + batch).min(messages) {
                    let m = message(i);
                    insert
                        .execute((
                            &m.wa_message_id,
                            (i % SENDERS) as i64 + 1,
                            if m.from_me { "out" } else { "in" },
                            &m.body,
                            if m.from_me { "sent" } else { "received" },
                            m.from_me as i64,
                            m.timestamp,
                            START_MS,
                        ))
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
    })
}

fn main() {
    let messages = arg("--messages", 100_000);
    let batch = arg("--batch", 500);
    let one_by_one = arg("--one-by-one", 5_000).min(messages);
    println!("ingest of {messages} messages from {SENDERS} senders, batches of {batch}");
    let raw = raw_batches(messages, batch);
    let live = engine_batches(messages, batch, Origin::Live);
    let history = engine_batches(messages, batch, Origin::History);
    let single = engine_one_by_one(one_by_one);
    let raw_rate = rate(messages, raw.wall);
    let raw_cpu_rate = rate(messages, raw.cpu);
    for (what, count, took) in [
        ("raw rusqlite insert, same schema", messages, raw),
        ("Engine::ingest_batch, live", messages, live),
        ("Engine::ingest_batch, history", messages, history),
        ("Engine::ingest, one per transaction", one_by_one, single),
    ] {
        let (r, cpu_r) = (rate(count, took.wall), rate(count, took.cpu));
        println!(
            "  {what:<38} {count:>7} in {:>7.3} s = {r:>7.0} msg/s ({:>3.0} % of raw); \
             CPU {:>7.3} s = {cpu_r:>7.0} msg/s per CPU second ({:>3.0} % of raw)",
            took.wall.as_secs_f64(),
            100.0 * r / raw_rate,
            took.cpu.as_secs_f64(),
            100.0 * cpu_r / raw_cpu_rate,
        );
    }
}
