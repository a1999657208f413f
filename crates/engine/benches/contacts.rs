//! Contacts benchmarks, each beside the same work done with raw rusqlite on the same schema:
//! importing a 100 000-row CSV, and searching 100 000 contacts (p50/p95 over many queries).
//! Prints figures; asserts nothing. Run: `cargo bench -p whatsflow-engine --bench contacts`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};
use whatsflow_engine::contacts::{ContactFilter, ContactSort, SortField, SortOrder};
use whatsflow_engine::import::ImportOptions;
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::{Engine, Options, SystemClock};

const ROWS: usize = 100_000;
const QUERIES: usize = 400;
const IMPORT_RUNS: usize = 7;

const FIRST: [&str; 16] = [
    "Rosa", "Ana", "Bruno", "Carla", "Diego", "Elena", "Fatima", "Guo", "Hana", "Ivan", "Joana",
    "Kofi", "Lucia", "Mateo", "Nadia", "Omar",
];
const LAST: [&str; 12] = [
    "Silva",
    "Martínez",
    "Stone",
    "Müller",
    "Okafor",
    "Tanaka",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Nguyen",
    "Haddad",
    "Costa",
];

/// A deterministic spreadsheet of `ROWS` contacts: names, US and Brazilian numbers in national and
/// international formats, e-mails, tags and notes.
fn csv() -> Vec<u8> {
    let mut out = String::from("Name,Phone,E-mail,Tags,Notes\n");
    for i in 0..ROWS {
        let name = format!(
            "{} {} {i}",
            FIRST[i % FIRST.len()],
            LAST[(i / 7) % LAST.len()]
        );
        // Real area codes only (211 and the like are service codes, rejected as invalid).
        const AREAS: [u32; 10] = [201, 212, 305, 312, 415, 503, 617, 702, 808, 917];
        let phone = if i % 4 == 0 {
            format!("+55 11 9{:04}-{:04}", 1000 + i / 10_000, i % 10_000)
        } else {
            format!(
                "({}) {}-{:04}",
                AREAS[i / 10_000],
                200 + (i / 100) % 100,
                i % 10_000
            )
        };
        let tags = ["VIP", "Wholesale;VIP", "", "Late payer", ""][i % 5];
        let notes = if i % 3 == 0 {
            "asked for \"\"spring\"\" bouquets, call after 5"
        } else {
            ""
        };
        out.push_str(&format!(
            "{name},{phone},c{i}@example.com,{tags},\"{notes}\"\n"
        ));
    }
    out.into_bytes()
}

fn engine(dir: &std::path::Path) -> Engine {
    let engine = Engine::open(Options::new(dir, Arc::new(SystemClock))).unwrap();
    engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Bench".into(),
                country: "US".into(),
                timezone: "America/New_York".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    engine
}

/// The raw baseline: the csv crate, the same phone normalisation, prepared inserts in one
/// transaction into the same schema (FTS triggers included); no checks, dedupe or tags.
fn raw_import(conn: &mut Connection, bytes: &[u8]) -> usize {
    let tx = conn.transaction().unwrap();
    let mut n = 0;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO contacts (phone_number, name, email, notes, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'import', 0, 0)",
            )
            .unwrap();
        let mut reader = csv::Reader::from_reader(bytes);
        for record in reader.records() {
            let record = record.unwrap();
            let Ok(phone) = whatsflow_engine::phone::normalize(
                &record[1],
                rlibphonenumber::Region::from_code("US").ok(),
            ) else {
                continue;
            };
            insert
                .execute(params![phone, &record[0], &record[2], &record[4]])
                .unwrap();
            n += 1;
        }
    }
    tx.commit().unwrap();
    n
}

/// The raw baseline done the set-based way: rows into a temp table, then ONE `INSERT ... SELECT`, so
/// FTS5 buffers the whole batch instead of flushing at every statement (what the engine does).
fn raw_import_staged(conn: &mut Connection, bytes: &[u8]) -> usize {
    let tx = conn.transaction().unwrap();
    tx.execute_batch("CREATE TEMP TABLE staged (phone_number, name, email, notes)")
        .unwrap();
    let mut n = 0;
    {
        let mut insert = tx
            .prepare("INSERT INTO temp.staged VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        let mut reader = csv::Reader::from_reader(bytes);
        let region = rlibphonenumber::Region::from_code("US").ok();
        for record in reader.records() {
            let record = record.unwrap();
            let Ok(phone) = whatsflow_engine::phone::normalize(&record[1], region) else {
                continue;
            };
            insert
                .execute(params![phone, &record[0], &record[2], &record[4]])
                .unwrap();
            n += 1;
        }
    }
    tx.execute(
        "INSERT INTO contacts (phone_number, name, email, notes, source, created_at, updated_at)
         SELECT phone_number, name, email, notes, 'import', 0, 0 FROM temp.staged",
        [],
    )
    .unwrap();
    tx.execute_batch("DROP TABLE temp.staged").unwrap();
    tx.commit().unwrap();
    n
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Queries a person types: first names, surnames, accents left out, digits of a number, two words.
fn queries() -> Vec<String> {
    (0..QUERIES)
        .map(|i| match i % 6 {
            0 => FIRST[i % FIRST.len()].to_lowercase(),
            1 => LAST[i % LAST.len()]
                .to_lowercase()
                .replace('í', "i")
                .replace('ü', "u"),
            2 => format!("{}", 2000 + i * 37 % 8000),
            3 => format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / 3) % LAST.len()]),
            4 => format!("c{}@", i * 211 % ROWS),
            _ => FIRST[(i + 3) % FIRST.len()][..3].to_lowercase(),
        })
        .collect()
}

fn main() {
    let bytes = csv();
    println!(
        "Contacts benchmark: {ROWS} rows, {:.1} MB of CSV",
        bytes.len() as f64 / 1e6
    );

    // --- import ---
    // Each import into a fresh database; the machine is shared, so the median of several runs.
    // Each run's engine is closed before the next starts, so its background checkpoint (the copy
    // of the import from the log into the database file) does not compete with the next run.
    let mut engine_runs = Vec::new();
    let mut kept = None;
    for _ in 0..IMPORT_RUNS {
        drop(kept.take());
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let started = Instant::now();
        let report = engine
            .import_contacts(&bytes, &ImportOptions::default())
            .unwrap();
        engine_runs.push(started.elapsed());
        assert_eq!(report.imported + report.rejected, ROWS);
        kept = Some((dir, engine, report));
    }
    let (_dir, engine, report) = kept.unwrap();

    let open_raw = |dir: &std::path::Path| {
        drop(self::engine(dir)); // the same migrated schema
        let conn = Connection::open(dir.join(whatsflow_engine::store::DB_FILE)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        // The engine's settings for a bulk write (crates/engine/src/store/mod.rs).
        conn.pragma_update(None, "cache_size", -96 * 1024).unwrap();
        conn.pragma_update(None, "temp_store", "MEMORY").unwrap();
        conn
    };
    let mut staged_runs = Vec::new();
    let mut staged_rows = 0;
    for _ in 0..IMPORT_RUNS {
        let staged_dir = tempfile::tempdir().unwrap();
        let mut staged = open_raw(staged_dir.path());
        let started = Instant::now();
        staged_rows = raw_import_staged(&mut staged, &bytes);
        staged_runs.push(started.elapsed());
    }
    let raw_dir = tempfile::tempdir().unwrap();
    let mut raw = open_raw(raw_dir.path());
    let started = Instant::now();
    let raw_rows = raw_import(&mut raw, &bytes);
    let raw_import_time = started.elapsed();
    let runs = |times: &mut Vec<Duration>| {
        times.sort();
        format!(
            "median {} (min {}, max {}, {} runs)",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len()
        )
    };
    println!(
        "import 100k CSV   engine {} ({} imported, {} rejected; checks, dedupe, tags)",
        runs(&mut engine_runs),
        report.imported,
        report.rejected,
    );
    println!(
        "                  raw rusqlite, staged, one INSERT ... SELECT: {} ({staged_rows} rows)",
        runs(&mut staged_runs)
    );
    println!(
        "                  raw rusqlite, one INSERT per row: {} ({raw_rows} rows)",
        ms(raw_import_time)
    );

    // --- search ---
    let queries = queries();
    let sort = ContactSort::default();
    let mut engine_times = Vec::new();
    let mut engine_times_by_query = Vec::new();
    let mut hits = 0;
    for q in &queries {
        let filter = ContactFilter {
            q: Some(q.clone()),
            ..Default::default()
        };
        let started = Instant::now();
        let page = engine.contacts(&filter, sort, None, 50).unwrap();
        engine_times.push(started.elapsed());
        engine_times_by_query.push(started.elapsed());
        hits += page.items.len();
    }
    // Which kinds of query cost most (the same order as `queries()`).
    let kinds = [
        "first name",
        "surname",
        "digits",
        "two words",
        "e-mail",
        "3-letter prefix",
    ];
    for (k, kind) in kinds.iter().enumerate() {
        let mut times: Vec<Duration> = engine_times_by_query
            .iter()
            .enumerate()
            .filter(|(i, _)| i % kinds.len() == k)
            .map(|(_, t)| *t)
            .collect();
        println!(
            "    {kind:<16} p50 {:>8}  p95 {:>8}",
            ms(percentile(&mut times, 0.5)),
            ms(percentile(&mut times, 0.95))
        );
    }
    let mut raw_times = Vec::new();
    let mut stmt = raw
        .prepare(
            "SELECT id, phone_number, name, email, notes FROM contacts
             WHERE id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1)
             ORDER BY name COLLATE NOCASE, id LIMIT 50",
        )
        .unwrap();
    for q in &queries {
        let fts = whatsflow_engine::search::fts_query(q);
        let started = Instant::now();
        let rows: Vec<(i64, String)> = stmt
            .query_map([fts], |r| Ok((r.get(0)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        raw_times.push(started.elapsed());
        std::hint::black_box(rows);
    }
    println!(
        "search {QUERIES} queries  engine p50 {:>8}  p95 {:>8}  ({:.1} rows/page)   raw rusqlite FTS p50 {:>8}  p95 {:>8}",
        ms(percentile(&mut engine_times, 0.5)),
        ms(percentile(&mut engine_times, 0.95)),
        hits as f64 / QUERIES as f64,
        ms(percentile(&mut raw_times, 0.5)),
        ms(percentile(&mut raw_times, 0.95)),
    );

    // --- table pages ---
    for (label, field, order) in [
        ("first page by name", SortField::Name, SortOrder::Asc),
        (
            "first page by last message",
            SortField::LastMessageAt,
            SortOrder::Desc,
        ),
        (
            "first page by created, desc",
            SortField::CreatedAt,
            SortOrder::Desc,
        ),
    ] {
        let sort = ContactSort { field, order };
        let mut times = Vec::new();
        for _ in 0..50 {
            let started = Instant::now();
            std::hint::black_box(
                engine
                    .contacts(&ContactFilter::default(), sort, None, 100)
                    .unwrap(),
            );
            times.push(started.elapsed());
        }
        println!("{label:<28} p95 {:>8}", ms(percentile(&mut times, 0.95)));
    }
    // Paging to the end of the table by cursor: every page costs the same.
    let mut cursor = None;
    let mut pages = 0;
    let mut worst = Duration::ZERO;
    loop {
        let started = Instant::now();
        let page = engine
            .contacts(
                &ContactFilter::default(),
                ContactSort::default(),
                cursor.as_deref(),
                500,
            )
            .unwrap();
        worst = worst.max(started.elapsed());
        pages += 1;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    println!(
        "all {pages} pages of 500 by name: slowest page {}",
        ms(worst)
    );
    let started = Instant::now();
    let total = engine.count_contacts(&ContactFilter::default()).unwrap();
    println!("count of {total} contacts {}", ms(started.elapsed()));
}
