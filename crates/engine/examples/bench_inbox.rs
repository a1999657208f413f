//! Benchmark of the inbox's reads: the chat list's first page with 10 000 chats and message search over
//! 1 000 000 messages, each through the engine and as the same SQL through raw rusqlite, so the cost
//! of the engine's own layers is visible. Prints figures; asserts nothing (see docs/benchmarks.md).
//!
//! ```text
//! cargo run --release -p whatsflow-engine --example bench_inbox -- [--chats N] [--messages N] [--runs N] [--db DIR]
//! ```
//! The generated database is kept in `--db` (default: a directory under the system temp dir) and
//! reused by later runs with the same sizes, since building a million messages takes a while.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, params_from_iter, Connection};
use whatsflow_engine::chats::{chat_page_sql, ChatFilter, SEARCH_SQL};
use whatsflow_engine::{Engine, Options, SystemClock};

struct Args {
    chats: usize,
    messages: usize,
    runs: usize,
    db: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        chats: 10_000,
        messages: 1_000_000,
        runs: 300,
        db: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut number = || {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--chats" => args.chats = number(),
            "--messages" => args.messages = number(),
            "--runs" => args.runs = number(),
            "--db" => args.db = Some(it.next().unwrap_or_else(|| usage()).into()),
            _ => usage(),
        }
    }
    args
}

fn usage() -> ! {
    eprintln!("usage: bench_inbox [--chats N] [--messages N] [--runs N] [--db DIR]");
    std::process::exit(2)
}

/// Words of a small shop's chats. Drawn with a Zipf-like skew, so some are in most messages and some
/// in very few, like real text.
const WORDS: &[&str] = &[
    "hello",
    "hi",
    "thanks",
    "please",
    "yes",
    "no",
    "ok",
    "order",
    "delivery",
    "today",
    "tomorrow",
    "price",
    "how",
    "much",
    "is",
    "the",
    "a",
    "for",
    "you",
    "can",
    "i",
    "we",
    "open",
    "closed",
    "time",
    "roses",
    "tulips",
    "bouquet",
    "flowers",
    "birthday",
    "wedding",
    "card",
    "cash",
    "pay",
    "paid",
    "address",
    "street",
    "number",
    "friday",
    "saturday",
    "sunday",
    "monday",
    "morning",
    "evening",
    "available",
    "stock",
    "size",
    "colour",
    "red",
    "white",
    "pink",
    "yellow",
    "blue",
    "green",
    "small",
    "large",
    "box",
    "gift",
    "wrap",
    "note",
    "message",
    "photo",
    "picture",
    "invoice",
    "receipt",
    "discount",
    "offer",
    "voucher",
    "code",
    "shipping",
    "pickup",
    "shop",
    "store",
    "hours",
    "lunch",
    "sorry",
    "late",
    "early",
    "confirm",
    "confirmed",
    "cancel",
    "change",
    "again",
    "still",
    "waiting",
    "arrived",
    "received",
    "great",
    "perfect",
    "lovely",
    "beautiful",
    "happy",
    "anniversary",
    "mother",
    "father",
    "valentine",
    "christmas",
    "easter",
    "orchid",
    "lily",
    "sunflower",
    "peony",
    "daisy",
    "carnation",
    "vase",
    "plant",
    "pot",
    "soil",
    "seeds",
    "garden",
    "balcony",
    "office",
    "hotel",
    "restaurant",
    "event",
    "party",
    "funeral",
    "wreath",
    "ribbon",
    "basket",
    "chocolate",
    "wine",
    "teddy",
    "balloon",
    "candle",
    "subscription",
    "weekly",
    "monthly",
    "same",
    "day",
    "express",
    "courier",
    "driver",
    "minutes",
    "hour",
    "week",
    "euro",
    "dollar",
    "total",
    "deposit",
    "refund",
];

struct Pick {
    weights: Vec<f64>,
    total: f64,
}

impl Pick {
    fn zipf(n: usize) -> Pick {
        let weights: Vec<f64> = (1..=n).map(|rank| 1.0 / (rank as f64).powf(0.9)).collect();
        let total = weights.iter().sum();
        Pick { weights, total }
    }
    fn index(&self, rng: &mut StdRng) -> usize {
        let mut x = rng.gen::<f64>() * self.total;
        for (i, w) in self.weights.iter().enumerate() {
            x -= w;
            if x <= 0.0 {
                return i;
            }
        }
        self.weights.len() - 1
    }
}

const FIRST: &[&str] = &[
    "Ana", "Ben", "Carla", "Dan", "Eva", "Farid", "Gia", "Hugo", "Ines", "Jon", "Kim", "Lena",
    "Mara", "Nico", "Olga", "Pia", "Rosa", "Sven", "Tara", "Ugo",
];
const LAST: &[&str] = &[
    "Martínez",
    "Smith",
    "Nguyen",
    "Müller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Silva",
    "Jensen",
    "Novak",
    "Costa",
    "Weber",
    "Sato",
    "Ali",
    "Brown",
];

/// Fills a fresh database with `chats` contacts and `messages` messages spread over them.
fn generate(engine: &Engine, args: &Args) {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(7);
    let words = Pick::zipf(WORDS.len());
    let path = engine.data_dir().join(whatsflow_engine::store::DB_FILE);
    let mut conn = Connection::open(&path).expect("open the benchmark database");
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let tx = conn.transaction().unwrap();
    let t0: i64 = 1_750_000_000_000;
    for t in 0..20 {
        tx.execute(
            "INSERT INTO tags (name, color, created_at) VALUES (?1, '#16a34a', 0)",
            [format!("tag {t}")],
        )
        .unwrap();
    }
    {
        let mut contact = tx
            .prepare("INSERT INTO contacts (phone_number, wa_id, name, push_name, source, created_at, updated_at) VALUES (?1, ?2, ?3, ?3, 'conversation', ?4, ?4)")
            .unwrap();
        let mut tag = tx.prepare("INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, created_at) VALUES (?1, ?2, 0)").unwrap();
        for i in 0..args.chats {
            let digits = format!("1555{:07}", i);
            let name = format!(
                "{} {}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len()) % LAST.len()]
            );
            contact
                .execute(params![
                    format!("+{digits}"),
                    format!("{digits}@c.us"),
                    name,
                    t0
                ])
                .unwrap();
            let id = tx.last_insert_rowid();
            for _ in 0..rng.gen_range(0..3) {
                tag.execute(params![id, rng.gen_range(1..=20)]).unwrap();
            }
        }
        let mut message = tx
            .prepare(
                "INSERT INTO messages (wa_message_id, contact_id, direction, type, body, status, ack, wa_timestamp, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'chat', ?4, ?5, ?6, ?7, ?7, ?7)",
            )
            .unwrap();
        for m in 0..args.messages {
            let contact_id = rng.gen_range(1..=args.chats as i64);
            let inbound = rng.gen_bool(0.55);
            let length = rng.gen_range(3..18);
            let body: Vec<&str> = (0..length).map(|_| WORDS[words.index(&mut rng)]).collect();
            let at = t0 + (m as i64) * 1_000;
            message
                .execute(params![
                    format!(
                        "{}_{contact_id}@c.us_{m:X}",
                        if inbound { "false" } else { "true" }
                    ),
                    contact_id,
                    if inbound { "in" } else { "out" },
                    body.join(" "),
                    if inbound { "received" } else { "read" },
                    if inbound { 0 } else { 3 },
                    at
                ])
                .unwrap();
            if m % 200_000 == 199_999 {
                eprintln!("  {} messages…", m + 1);
            }
        }
    }
    tx.execute_batch(
        "UPDATE contacts SET
             last_message_at = (SELECT max(wa_timestamp) FROM messages WHERE contact_id = contacts.id),
             first_message_at = (SELECT min(wa_timestamp) FROM messages WHERE contact_id = contacts.id),
             messages_in = (SELECT count(*) FROM messages WHERE contact_id = contacts.id AND direction = 'in'),
             messages_out = (SELECT count(*) FROM messages WHERE contact_id = contacts.id AND direction = 'out'),
             unread_count = CASE WHEN id % 7 = 0 THEN 3 ELSE 0 END",
    )
    .unwrap();
    tx.commit().unwrap();
    conn.execute_batch(
        "PRAGMA optimize; INSERT INTO messages_fts(messages_fts) VALUES ('optimize');",
    )
    .unwrap();
    eprintln!(
        "generated {} chats and {} messages in {:.1} s",
        args.chats,
        args.messages,
        started.elapsed().as_secs_f64()
    );
}

struct Stats {
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn measure(runs: usize, mut f: impl FnMut(usize)) -> Stats {
    for i in 0..runs.min(20) {
        f(i); // warm the page cache and the statement caches
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            f(i);
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    Stats {
        p50: at(0.50),
        p95: at(0.95),
        max: *times.last().unwrap(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(name: &str, engine: &Stats, raw: &Stats) {
    println!(
        "{name:<44} engine p50 {:>9}  p95 {:>9}  max {:>9} | raw rusqlite p50 {:>9}  p95 {:>9}",
        ms(engine.p50),
        ms(engine.p95),
        ms(engine.max),
        ms(raw.p50),
        ms(raw.p95)
    );
}

/// The chat list's first page the way the engine does it, in plain rusqlite: the page query, then
/// each chat's last message and the page's tags.
fn raw_chat_page(conn: &Connection, unread: bool, tags: &[i64], limit: usize) -> usize {
    let sql = chat_page_sql(unread, tags.len(), &[]);
    let mut values: Vec<rusqlite::types::Value> = vec![i64::MAX.into(), i64::MAX.into()];
    values.extend(tags.iter().map(|t| (*t).into()));
    values.push((limit as i64 + 1).into());
    let mut stmt = conn.prepare_cached(&sql).unwrap();
    let ids: Vec<i64> = stmt
        .query_map(params_from_iter(values), |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut last = conn
        .prepare_cached(
            "SELECT id, direction, type, body, caption, media_filename, status, error, wa_timestamp
             FROM messages WHERE contact_id = ?1 ORDER BY wa_timestamp DESC, id DESC LIMIT 1",
        )
        .unwrap();
    let mut n = 0;
    for id in ids.iter().take(limit) {
        n += last
            .query_row([id], |r| r.get::<_, String>(3))
            .map(|b| b.len())
            .unwrap_or(0);
    }
    let marks = vec!["?"; ids.len().min(limit)].join(", ");
    let mut tags = conn
        .prepare_cached(&format!(
            "SELECT ct.contact_id, t.id, t.name, t.color FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
             WHERE ct.contact_id IN ({marks}) ORDER BY t.name COLLATE NOCASE"
        ))
        .unwrap();
    n + tags
        .query_map(params_from_iter(ids.iter().take(limit)), |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
        .count()
}

/// Message search the way the engine does it, in plain rusqlite: the FTS query, then each message row.
fn raw_search(conn: &Connection, fts: &str, limit: usize) -> usize {
    let mut stmt = conn.prepare_cached(SEARCH_SQL).unwrap();
    let found: Vec<i64> = stmt
        .query_map(params![fts, i64::MAX, limit as i64 + 1], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut row = conn
        .prepare_cached("SELECT id, contact_id, body, wa_timestamp FROM messages WHERE id = ?1")
        .unwrap();
    found
        .iter()
        .map(|id| {
            row.query_row([id], |r| r.get::<_, String>(2))
                .unwrap()
                .len()
        })
        .sum()
}

fn main() {
    let args = parse_args();
    let dir = args.db.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "whatsflow-bench-inbox-{}-{}",
            args.chats, args.messages
        ))
    });
    let fresh = !dir.join(whatsflow_engine::store::DB_FILE).exists();
    let engine =
        Engine::open(Options::new(dir.clone(), Arc::new(SystemClock))).expect("open the engine");
    if fresh {
        eprintln!("building the benchmark database in {} …", dir.display());
        generate(&engine, &args);
    } else {
        eprintln!("reusing the benchmark database in {}", dir.display());
    }
    let conn = Connection::open(dir.join(whatsflow_engine::store::DB_FILE)).unwrap();
    let chats: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts WHERE last_message_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let messages: i64 = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    println!(
        "inbox benchmark: {chats} chats, {messages} messages, {} runs each, page size 50",
        args.runs
    );

    let all = ChatFilter::default();
    let e = measure(args.runs, |_| {
        assert_eq!(engine.chats(&all, None, 50).unwrap().items.len(), 50)
    });
    let r = measure(args.runs, |_| {
        raw_chat_page(&conn, false, &[], 50);
    });
    report("chat list, first page", &e, &r);
    let pooled = measure(args.runs, |_| {
        engine
            .db()
            .with(|c| Ok(raw_chat_page(c, false, &[], 50)))
            .unwrap();
    });
    report(
        "  (the raw SQL on the engine's own connection)",
        &pooled,
        &r,
    );

    let unread = ChatFilter {
        unread_only: true,
        ..Default::default()
    };
    let e = measure(args.runs, |_| {
        engine.chats(&unread, None, 50).unwrap();
    });
    let r = measure(args.runs, |_| {
        raw_chat_page(&conn, true, &[], 50);
    });
    report("chat list, first page, unread only", &e, &r);

    let tagged = ChatFilter {
        tag_ids: vec![3],
        ..Default::default()
    };
    let e = measure(args.runs, |_| {
        engine.chats(&tagged, None, 50).unwrap();
    });
    let r = measure(args.runs, |_| {
        raw_chat_page(&conn, false, &[3], 50);
    });
    report("chat list, first page, one tag", &e, &r);

    // Queries: whole words from every frequency band, and 3-letter prefixes (as typed).
    let mut rng = StdRng::seed_from_u64(11);
    let queries: Vec<String> = (0..64)
        .map(|i| {
            let word = WORDS[rng.gen_range(0..WORDS.len())];
            if i % 4 == 3 {
                word.chars().take(3).collect()
            } else if i % 4 == 2 {
                format!("{word} {}", WORDS[rng.gen_range(0..WORDS.len())])
            } else {
                word.to_owned()
            }
        })
        .collect();
    let fts: Vec<String> = queries
        .iter()
        .map(|q| whatsflow_engine::chats::typed_query(q))
        .collect();
    let e = measure(args.runs, |i| {
        engine
            .search_messages(&queries[i % queries.len()], None, 50)
            .unwrap();
    });
    let r = measure(args.runs, |i| {
        raw_search(&conn, &fts[i % fts.len()], 50);
    });
    report("message search (UI), first page", &e, &r);
    let e = measure(args.runs, |i| {
        engine
            .messages(Some(&queries[i % queries.len()]), None, 50)
            .unwrap();
    });
    report("message search (GET /messages?q=), first page", &e, &r);
}
