//! Figures, not a test: the dashboard (overview and every chart) for 90 days over 1 000 000
//! messages and 100 000 contacts, beside the same reads in raw rusqlite, each timed on its own,
//! with their query plans. `cargo bench -p whatsflow-charts --bench dashboard` (figures in
//! docs/benchmarks.md). The database is built once (about a minute) and kept in the system temp
//! directory for later runs.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rusqlite::{params, Connection};
use whatsflow_charts::{Chart, Size, Theme};
use whatsflow_engine::analytics::{RangeQuery, SCAN_SQL};
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::{Engine, ManualClock, Options};

const CONTACTS: i64 = 100_000;
const MESSAGES: i64 = 1_000_000;
/// Campaigns over the year; one business message in 25 belongs to one.
const CAMPAIGNS: i64 = 12;
const DAY: i64 = 86_400_000;
/// 2026-06-30 12:00 UTC; the messages span the year before it.
const NOW: i64 = 1_782_820_800_000;
/// What the engine scans for `period=90d`: both 90-day ranges, and a day either side.
const SCAN_FROM: i64 = NOW - 182 * DAY;
const SCAN_TO: i64 = NOW + DAY;
const ROUNDS: usize = 5;

fn main() {
    let dir = std::env::temp_dir().join("whatsflow-bench-dashboard-1");
    let built = dir.join("complete");
    let clock = Arc::new(ManualClock::new(NOW));
    if !built.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let engine = Engine::open(Options::new(dir.clone(), clock)).unwrap();
    if !built.exists() {
        let started = Instant::now();
        fill(&engine);
        std::fs::write(&built, "").unwrap();
        println!(
            "fixture: {CONTACTS} contacts, {MESSAGES} messages over 365 days, {CAMPAIGNS} \
             campaigns, built in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let raw = Connection::open(database_file(&dir)).unwrap();
    raw.pragma_update(None, "cache_size", -16 * 1024).unwrap();
    print_plans(&raw);

    let query = RangeQuery {
        period: Some("90d".into()),
        ..Default::default()
    };
    let mut totals = Vec::new();
    for round in 1..=ROUNDS {
        // A write, as any change makes: the report kept from the last round no longer holds, so
        // each round is a dashboard load after new data.
        engine
            .db()
            .with(|c| Ok(c.execute("UPDATE business_profile SET updated_at = updated_at", [])?))
            .unwrap();
        let (overview, overview_ms) = timed(|| engine.analytics_overview(&query).unwrap());
        // As the UI asks: each chart is a request of its own.
        let ((report, bytes), charts_ms) = timed(|| {
            let bytes: usize = Chart::ALL
                .iter()
                .map(|&chart| {
                    let report = engine.analytics_report(&query).unwrap();
                    whatsflow_charts::svg(chart, &report, Theme::Light, Size::DEFAULT)
                        .unwrap()
                        .len()
                })
                .sum();
            (engine.analytics_report(&query).unwrap(), bytes)
        });
        let (png, png_ms) = timed(|| {
            whatsflow_charts::png(Chart::Messages, &report, Theme::Light, Size::DEFAULT).unwrap()
        });
        let together = overview_ms.plus(charts_ms);
        totals.push(together);
        println!(
            "round {round}: overview {overview_ms} + 6 SVG charts, a report each {charts_ms} = \
             {together} together (sent {}, received {}, median first response {:?} s, {} \
             campaigns, {bytes} bytes of SVG); one PNG {png_ms} ({} bytes)",
            overview.current.messages_sent,
            overview.current.messages_received,
            overview.current.median_first_response_seconds,
            report.campaigns.len(),
            png.len(),
        );
        raw_reads(&raw);
    }
    let median = |of: fn(&Cost) -> f64| {
        let mut values: Vec<f64> = totals.iter().map(of).collect();
        values.sort_by(f64::total_cmp);
        (values[ROUNDS / 2], values[0])
    };
    let (wall, wall_min) = median(|c| c.wall);
    let (cpu, cpu_min) = median(|c| c.cpu);
    println!(
        "overview + 6 charts over {ROUNDS} rounds: median {wall:.0} ms (min {wall_min:.0}), \
         CPU median {cpu:.0} ms (min {cpu_min:.0})"
    );
}

fn database_file(dir: &Path) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .expect("the engine's database file")
}

/// What some work cost: wall-clock time and this thread's CPU time (milliseconds). On a machine
/// shared with other work the CPU time is the steadier figure: waiting for a core does not count.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: f64,
    cpu: f64,
}

impl Cost {
    fn plus(self, other: Cost) -> Cost {
        Cost {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{:.0} ms (CPU {:.0} ms)", self.wall, self.cpu)
    }
}

/// This thread's time on a CPU so far, in milliseconds (Linux: the first field of schedstat).
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e6)
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Cost) {
    let (started, cpu) = (Instant::now(), thread_cpu_ms());
    let out = work();
    let cost = Cost {
        wall: started.elapsed().as_secs_f64() * 1000.0,
        cpu: thread_cpu_ms() - cpu,
    };
    (out, cost)
}

/// The reads the engine's report makes, on a plain connection: the scan of every message in the
/// window, the walk for later answers, the contact and campaign queries; and, for scale, the day
/// counts as one SQL `GROUP BY` (what a report without conversations, replies and response times
/// would cost).
const RAW: &[(&str, &str)] = &[
    (
        "contacts known before the range",
        "SELECT count(*) FROM contacts
      WHERE min(created_at, coalesce(first_message_at, created_at)) < ?1 AND ?2 > 0",
    ),
    (
        "contacts that arrived in both ranges",
        "SELECT count(*), count(DISTINCT source) FROM contacts
      WHERE min(created_at, coalesce(first_message_at, created_at)) >= ?1
        AND min(created_at, coalesce(first_message_at, created_at)) < ?2",
    ),
    (
        "opt-outs in both ranges",
        "SELECT count(*) FROM contacts
      WHERE opted_out = 1 AND opted_out_at >= ?1 AND opted_out_at < ?2",
    ),
    (
        "campaigns with a message in the ranges",
        "SELECT count(*) FROM campaigns c WHERE EXISTS
      (SELECT 1 FROM messages x WHERE x.campaign_id = c.id AND x.wa_timestamp >= ?1
        AND x.wa_timestamp < ?2)",
    ),
    (
        "sent/delivered/read/received per day, one GROUP BY",
        "SELECT count(*) FROM (
      SELECT wa_timestamp / 86400000 AS day,
        count(*) FILTER (WHERE direction = 'out' AND ack >= 1),
        count(*) FILTER (WHERE direction = 'out' AND ack >= 2),
        count(*) FILTER (WHERE direction = 'out' AND ack >= 3),
        count(*) FILTER (WHERE direction = 'in')
      FROM messages WHERE wa_timestamp >= ?1 AND wa_timestamp < ?2 GROUP BY day)",
    ),
];

fn raw_reads(conn: &Connection) {
    let mut line = Vec::new();
    let (rows, scan_ms) = timed(|| {
        let mut statement = conn.prepare_cached(SCAN_SQL).unwrap();
        let mut rows = statement.query(params![SCAN_FROM, SCAN_TO]).unwrap();
        let mut sum = 0i64;
        while let Some(row) = rows.next().unwrap() {
            let kind = row.get_ref(4).unwrap().as_str().unwrap_or("").len() as i64;
            sum += row.get::<_, i64>(0).unwrap()
                + row.get::<_, i64>(1).unwrap()
                + row.get::<_, i64>(2).unwrap()
                + row.get::<_, Option<i64>>(3).unwrap().unwrap_or(0)
                + kind
                + row.get::<_, i64>(5).unwrap() % 2;
        }
        sum
    });
    line.push(format!("scan of the window's messages {scan_ms} ({rows})"));
    for (what, sql) in RAW {
        let (n, ms) = timed(|| {
            conn.prepare_cached(sql)
                .unwrap()
                .query_row(params![SCAN_FROM, SCAN_TO], |r| r.get::<_, i64>(0))
                .unwrap()
        });
        line.push(format!("{what} {ms} ({n})"));
    }
    println!("  raw rusqlite: {}", line.join("; "));
}

fn print_plans(conn: &Connection) {
    for (what, sql) in [("scan", SCAN_SQL)].into_iter().chain(RAW.iter().copied()) {
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let steps: Vec<String> = statement
            .query_map(params![SCAN_FROM, SCAN_TO], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        println!("plan of {what}: {}", steps.join(" / "));
    }
}

/// Contacts, and messages in conversations: each customer message answered by the business within
/// minutes to hours, acks spread over sent/delivered/read, one business message in 25 from one of
/// the campaigns, and 1 contact in 50 opted out.
fn fill(engine: &Engine) {
    engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Bench".into(),
                country: "DE".into(),
                timezone: "Europe/Berlin".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    engine
        .db()
        .with(|c| {
            let tx = c.unchecked_transaction()?;
            {
                let mut contact = tx.prepare(
                    "INSERT INTO contacts (id, phone_number, wa_id, source, created_at, updated_at,
                         opted_out, opted_out_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, CASE WHEN ?6 THEN ?7 END)",
                )?;
                for id in 1..=CONTACTS {
                    let phone = format!("+49151{id:08}");
                    let source = ["conversation", "import", "manual", "api"][(id % 4) as usize];
                    let created = NOW - 400 * DAY + id * (400 * DAY / CONTACTS);
                    let opted_out = id % 50 == 0;
                    contact.execute(params![
                        id,
                        phone,
                        format!("49151{id:08}@c.us"),
                        source,
                        created,
                        opted_out,
                        NOW - (id % 365) * DAY
                    ])?;
                }
                let mut campaign = tx.prepare(
                    "INSERT INTO campaigns (id, name, message_content, target_type, status,
                         created_at, updated_at)
                     VALUES (?1, ?2, 'Hello', 'all', 'completed', 0, 0)",
                )?;
                for id in 1..=CAMPAIGNS {
                    campaign.execute(params![id, format!("Campaign {id}")])?;
                }
                let mut message = tx.prepare(
                    "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, status,
                         ack, campaign_id, wa_timestamp, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?8, ?8, ?8)",
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
                    let campaign =
                        (!inbound && i % 50 == 1).then_some(1 + i * CAMPAIGNS / MESSAGES);
                    message.execute(params![
                        format!("M{i}"),
                        contact,
                        if inbound { "in" } else { "out" },
                        kind,
                        status,
                        ack,
                        campaign,
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
