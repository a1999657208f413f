//! Webhook delivery end to end, checked by an independent implementation: a Python receiver that
//! verifies every delivery with the public `standardwebhooks` package. The receiver is stopped,
//! then answers 503, then comes back; every event is then delivered, in order, each exactly once
//! as the receiver counts them by `webhook-id`. The worker's time is a manual clock, so the two
//! minutes of outage take no real time.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use whatsflow_api::{ApiRequest, Caller};
use whatsflow_engine::contacts::NewContact;
use whatsflow_engine::{to_rfc3339, Clock, Engine, ManualClock, Options, SystemClock};

/// A Python with `standardwebhooks`, in a virtual environment under the target directory, made on
/// first use. Fails (never skips) when it cannot be made.
fn python() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory");
    let venv = target.join("py-webhooks");
    let python = venv.join("bin").join("python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import standardwebhooks"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "the webhook test needs python3 with venv (Debian: python3-venv; scripts/setup.sh installs \
         it) to make {}",
        venv.display()
    );
    // Through python, not the venv's `pip` script, whose #! line names the folder it was made in.
    let installed = Command::new(&python)
        .args(["-m", "pip", "install", "-q", "standardwebhooks"])
        .status();
    assert!(
        installed.is_ok_and(|s| s.success()) && ready(&python),
        "could not install the PyPI package standardwebhooks into {}: pip needs to reach PyPI \
         (scripts/setup.sh prepares it)",
        venv.display()
    );
    python
}

struct Receiver {
    child: Child,
    port: u16,
}

impl Receiver {
    fn start(python: &Path, secret: &str, port: u16, log: &Path, unavailable: bool) -> Receiver {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/webhook_receiver.py");
        let mut command = Command::new(python);
        command
            .arg(script)
            .arg(secret)
            .arg(port.to_string())
            .arg(log)
            .stdout(Stdio::piped());
        if unavailable {
            command.arg("unavailable");
        }
        let mut child = command.spawn().expect("start the Python receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the receiver did not start: {line:?}"));
        Receiver { child, port }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn received(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Wakes the worker until `done`, moving the manual clock on a second only while nothing is due
/// (the oldest pending delivery waits for its retry, or none is pending). The clock so moves just
/// as far as the retries need, never racing ahead of a slow machine: the signed timestamps stay
/// within the receiver's five-minute tolerance. Gives up after a real minute, showing the
/// deliveries still pending and what the receiver got.
fn advance_until(
    engine: &Engine,
    clock: &ManualClock,
    (webhook, log): (i64, &Path),
    what: &str,
    done: impl Fn() -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        let pending = engine
            .webhook_deliveries(webhook, Some("pending"), None, 500)
            .unwrap()
            .items;
        assert!(
            Instant::now() < deadline,
            "gave up waiting: {what}\npending: {pending:#?}\nreceived: {:#?}",
            received(log)
        );
        let now = to_rfc3339(clock.now());
        let head_waits = pending
            .iter()
            .min_by_key(|d| d.id)
            .is_none_or(|d| d.next_attempt_at.as_ref().is_some_and(|due| *due > now));
        if head_waits {
            clock.advance(1_000);
        }
        engine.wake_webhooks();
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_receiver_down_then_failing_gets_every_event_afterwards_in_order_and_once() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("received.jsonl");
    // Receivers check the signed timestamp against their own clock (5 minutes either way): start
    // the manual clock a little behind it, as the outage moves it ahead.
    let clock = Arc::new(ManualClock::new(SystemClock.now() - 150_000));
    // A database file, as the app has: in WAL mode the worker's reads never stand in the way of a
    // change writing its deliveries. (An in-memory database shares its cache between connections
    // with table locks, which refuse a writer at once while another connection reads the table.)
    let engine = Engine::open(Options::new(dir.path().join("data"), clock.clone())).unwrap();
    let api = whatsflow_api::routes::api();
    let call = |method: &str, path: &str, body: Value| {
        let answer = api.dispatch(
            &engine,
            Caller::Session,
            ApiRequest {
                method: method.into(),
                path: path.into(),
                body: Some(body),
                ..Default::default()
            },
        );
        assert_eq!(
            answer.status,
            200,
            "{method} {path}: {}",
            answer.json_body()
        );
        answer.json_body()["data"].clone()
    };
    let webhook = call(
        "POST",
        "/api/v1/webhooks",
        json!({ "url": "http://127.0.0.1:9/not-yet", "events": ["contact.*"] }),
    );
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = webhook["id"].as_i64().unwrap();
    let receiver = Receiver::start(&python, &secret, 0, &log, false);
    let port = receiver.port;
    let watch = (id, log.as_path());
    call(
        "PUT",
        &format!("/api/v1/webhooks/{id}"),
        json!({ "url": format!("http://127.0.0.1:{port}/hook") }),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || engine.run_webhooks(&stop))
    };
    let mut phones = Vec::new();
    let mut add_contacts = |range: std::ops::Range<usize>| {
        for n in range {
            let phone = format!("+1415555{:04}", 100 + n);
            engine
                .create_contact(NewContact {
                    phone_number: phone.clone(),
                    name: format!("Customer {n}"),
                    ..Default::default()
                })
                .unwrap();
            phones.push(phone);
        }
    };
    let pending_with = |status: Option<i64>| {
        engine
            .webhook_deliveries(id, Some("pending"), None, 500)
            .unwrap()
            .items
            .iter()
            .any(|d| d.attempts > 0 && d.response_status == status)
    };

    add_contacts(0..3);
    // Until the engine has the receiver's answers, not only until the receiver logged the events:
    // a receiver stopped between the two has not answered, so the engine rightly sends again.
    advance_until(&engine, &clock, watch, "the first three events", || {
        received(&log).len() == 3
            && engine
                .webhook_deliveries(id, Some("delivered"), None, 500)
                .unwrap()
                .items
                .len()
                == 3
    });

    // Down: the process is gone, the port refuses connections.
    drop(receiver);
    add_contacts(3..6);
    let down_since = clock.now();
    advance_until(&engine, &clock, watch, "a refused attempt", || {
        pending_with(None)
    });
    advance_until(&engine, &clock, watch, "a minute of outage", || {
        clock.now() - down_since >= 60_000
    });

    // Up, but failing: every request gets 503.
    let failing = Receiver::start(&python, &secret, port, &log, true);
    add_contacts(6..8);
    advance_until(&engine, &clock, watch, "an attempt answered 503", || {
        pending_with(Some(503))
    });
    advance_until(&engine, &clock, watch, "two minutes of outage", || {
        clock.now() - down_since >= 120_000
    });
    let excerpts: Vec<String> = engine
        .webhook_deliveries(id, Some("pending"), None, 500)
        .unwrap()
        .items
        .into_iter()
        .filter_map(|d| d.response_excerpt)
        .collect();
    assert!(
        excerpts.iter().any(|e| e == "down for maintenance"),
        "the delivery log keeps the answer: {excerpts:?}"
    );
    drop(failing);

    // Back: everything still owed arrives.
    let _receiver = Receiver::start(&python, &secret, port, &log, false);
    advance_until(&engine, &clock, watch, "all eight events", || {
        received(&log).len() >= 8
    });
    stop.store(true, Ordering::SeqCst);
    engine.wake_webhooks();
    worker.join().unwrap();

    let got = received(&log);
    for entry in &got {
        assert_eq!(entry["verified"], true, "standardwebhooks refused: {entry}");
    }
    let ids: HashSet<&str> = got
        .iter()
        .map(|e| e["webhookId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        got.len(),
        "each event exactly once by webhook-id"
    );
    let order: Vec<&str> = got
        .iter()
        .map(|e| e["data"]["phoneNumber"].as_str().unwrap())
        .collect();
    assert_eq!(order, phones, "in the order the events happened");
    assert!(got.iter().all(|e| e["type"] == "contact.created"));
    let log_page = call(
        "GET",
        &format!("/api/v1/webhooks/{id}/deliveries"),
        Value::Null,
    );
    assert!(log_page
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["state"] == "delivered"));
}
