//! Figures, not a test: the dashboard (overview and every chart) for 90 days over 1 000 000
//! messages and 100 000 contacts, beside the same aggregate read as one raw rusqlite query.
//! `cargo bench -p whatsflow-charts --bench dashboard` (figures in docs/benchmarks.md).

use std::sync::Arc;
use std::time::Instant;

use rusqlite::params;
use whatsflow_charts::{Chart, Size, Theme};
use whatsflow_engine::analytics::RangeQuery;
use whatsflow_engine::profile::ProfileInput;
use whatsflow_engine::{Engine, ManualClock, Options};

const CONTACTS: i64 = 100_000;
const MESSAGES: i64 = 1_000_000;
const DAY: i64 = 86_400_000;
/// 2026-06-30 12:00 UTC; the messages span the year before it.
const NOW: i64 = 1_782_820_800_000;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let engine = Engine::open(Options::new(dir.path().to_owned(), clock)).unwrap();
    engine
        .save_profile(ProfileInput {
            business_name: "Bench".into(),
            country: "DE".into(),
            timezone: "Europe/Berlin".into(),
            ..Default::default()
        })
        .unwrap();
    let started = Instant::now();
    fill(&engine);
    println!(
        "fixture: {CONTACTS} contacts, {MESSAGES} messages over 365 days in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let query = RangeQuery {
        period: Some("90d".into()),
        ..Default::default()
    };
    for round in 1..=3 {
        let started = Instant::now();
        let overview = engine.analytics_overview(&query).unwrap();
        let overview_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let report = engine.analytics_report(&query).unwrap();
        let mut bytes = 0;
        for chart in Chart::ALL {
            bytes += whatsflow_charts::svg(chart, &report, Theme::Light, Size::DEFAULT)
                .unwrap()
                .len();
        }
        let charts_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let png =
            whatsflow_charts::png(Chart::Messages, &report, Theme::Light, Size::DEFAULT).unwrap();
        let png_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let raw = raw_aggregate(&engine);
        let raw_ms = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "round {round}: overview {overview_ms:.0} ms (sent {}, received {}, median first \
             response {:?} s); report + 6 SVG charts {charts_ms:.0} ms ({bytes} bytes); one PNG \
             {png_ms:.0} ms ({} bytes); raw rusqlite GROUP BY over both ranges {raw_ms:.0} ms \
             ({raw:?})",
            overview.current.messages_sent,
            overview.current.messages_received,
            overview.current.median_first_response_seconds,
            png.len(),
        );
    }
}

/// Contacts, and messages in conversations: each customer message answered by the business within
/// minutes to hours, acks spread over sent/delivered/read.
fn fill(engine: &Engine) {
    engine
        .db()
        .with(|c| {
            let tx = c.unchecked_transaction()?;
            {
                let mut contact = tx.prepare(
                    "INSERT INTO contacts (id, phone_number, wa_id, source, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                )?;
                for id in 1..=CONTACTS {
                    let phone = format!("+49151{id:08}");
                    let source = ["conversation", "import", "manual"][(id % 3) as usize];
                    let created = NOW - 400 * DAY + id * (400 * DAY / CONTACTS);
                    contact.execute(params![
                        id,
                        phone,
                        format!("49151{id:08}@c.us"),
                        source,
                        created
                    ])?;
                }
                let mut message = tx.prepare(
                    "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, status,
                         ack, wa_timestamp, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?7, ?7)",
                )?;
                let mut seed: u64 = 42;
                let mut next = || {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed
                };
                let step = 365 * DAY / MESSAGES;
                for i in 0..MESSAGES {
                    let r = next();
                    let contact = 1 + (r % CONTACTS as u64) as i64;
                    let inbound = i % 2 == 0;
                    let at = NOW - 365 * DAY + i * step + (r >> 40) as i64 % 3_600_000;
                    let ack = if inbound { 0 } else { 1 + (r >> 20) as i64 % 3 };
                    let status = if inbound {
                        "received"
                    } else {
                        ["sent", "delivered", "read"][ack as usize - 1]
                    };
                    let kind = if r % 7 == 0 { "image" } else { "chat" };
                    message.execute(params![
                        format!("M{i}"),
                        contact,
                        if inbound { "in" } else { "out" },
                        kind,
                        status,
                        ack,
                        at
                    ])?;
                }
            }
            tx.execute(
                "UPDATE contacts SET first_message_at = (SELECT min(wa_timestamp) FROM messages m
                     WHERE m.contact_id = contacts.id)",
                [],
            )?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
}

/// The plain counts of both 90-day ranges (180 days) in one query, for scale.
fn raw_aggregate(engine: &Engine) -> (i64, i64, i64) {
    let from = NOW - 180 * DAY;
    engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT count(*) FILTER (WHERE direction = 'out' AND ack >= 1),
                        count(*) FILTER (WHERE direction = 'out' AND ack >= 2),
                        count(*) FILTER (WHERE direction = 'in')
                 FROM messages WHERE wa_timestamp >= ?1 AND wa_timestamp < ?2",
                params![from, NOW],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap()
}
