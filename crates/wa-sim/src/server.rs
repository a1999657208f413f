//! The simulator's HTTP side on tiny_http: the page and its `/sim` transport, the `/control` API,
//! and the thread that runs the state machine's timers.
//!
//! Each request gets its own thread: the page's long polls block, and a test fixture never sees
//! enough traffic for a pool to matter.

use std::io::Read as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response};

use crate::control;
use crate::page;
use crate::state::{Fail, Hello, Outgoing, Preload, Sim};

/// How long a long poll waits for an event before answering empty.
const POLL_WAIT: Duration = Duration::from_secs(10);
/// The biggest request body accepted (media uploads and inbound media included).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// What the request threads and the timer thread share.
pub(crate) struct Shared {
    pub sim: Mutex<Sim>,
    /// Signalled after every change, waking long polls and the timer thread.
    pub cond: Condvar,
    pub stop: AtomicBool,
}

impl Shared {
    pub fn new() -> Shared {
        Shared {
            sim: Mutex::new(Sim::new()),
            cond: Condvar::new(),
            stop: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Sim> {
        // A panicking handler must not take the whole simulator down with it.
        self.sim
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `change` under the lock and wakes whoever waits for events.
    fn change<T>(&self, change: impl FnOnce(&mut Sim, Instant) -> T) -> T {
        let result = change(&mut self.lock(), Instant::now());
        self.cond.notify_all();
        result
    }
}

pub(crate) fn accept_loop(shared: &std::sync::Arc<Shared>, http: &tiny_http::Server) {
    for request in http.incoming_requests() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("wa-sim-request".into())
            .spawn(move || handle(&shared, request));
        if let Err(error) = spawned {
            tracing::warn!(%error, "wa-sim could not start a request thread");
        }
    }
}

pub(crate) fn timer_loop(shared: &Shared) {
    let mut sim = shared.lock();
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let now = Instant::now();
        let fired = sim.tick(now);
        let reaped = sim.reap(now);
        if fired || reaped {
            shared.cond.notify_all();
        }
        // Wake for the next timer, and at least every second to notice a page that went away.
        let wait = sim
            .next_due()
            .map(|due| due.saturating_duration_since(now))
            .unwrap_or(Duration::from_secs(1))
            .min(Duration::from_secs(1));
        sim = shared
            .cond
            .wait_timeout(sim, wait)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
}

/// One answer: status, content type and body.
struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json".into(),
            body: value.to_string().into_bytes(),
        }
    }
    fn ok(value: &Value) -> Reply {
        Reply::json(200, value)
    }
    fn done() -> Reply {
        Reply::ok(&json!({"ok": true}))
    }
    fn bytes(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type: content_type.into(),
            body,
        }
    }
    fn fail(fail: &Fail) -> Reply {
        Reply::json(
            fail.status,
            &json!({"error": {"code": fail.code, "message": fail.message}}),
        )
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(shared: &Shared, mut request: Request) {
    let method = request.method().clone();
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let query = parse_query(query);
    let is_control = path.starts_with("/control/");

    let reply = if method == Method::Options {
        Reply {
            status: 204,
            content_type: "text/plain".into(),
            body: Vec::new(),
        }
    } else {
        match read_body(&mut request) {
            Ok(body) => {
                route(shared, &method, path, &query, body).unwrap_or_else(|f| Reply::fail(&f))
            }
            Err(fail) => Reply::fail(&fail),
        }
    };
    if reply.status >= 400 {
        tracing::debug!(%method, path, status = reply.status, "wa-sim request failed");
    }

    let length = reply.body.len();
    let mut response = Response::new(
        reply.status.into(),
        Vec::new(),
        std::io::Cursor::new(reply.body),
        Some(length),
        None,
    );
    let mut headers = vec![
        header("Content-Type", &reply.content_type),
        header("Cache-Control", "no-store"),
    ];
    if is_control {
        // The demo's "simulated phone" panel calls these from another loopback origin.
        headers.extend([
            header("Access-Control-Allow-Origin", "*"),
            header("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            header("Access-Control-Allow-Headers", "Content-Type"),
            header("Access-Control-Max-Age", "600"),
        ]);
    }
    for header in headers.into_iter().flatten() {
        response.add_header(header);
    }
    if let Err(error) = request.respond(response) {
        tracing::debug!(%error, path, "wa-sim could not answer (client gone)");
    }
}

fn read_body(request: &mut Request) -> Result<Vec<u8>, Fail> {
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|error| Fail::bad_request(format!("could not read the request body: {error}")))?;
    if body.len() as u64 > MAX_BODY {
        return Err(Fail {
            status: 413,
            code: "too_large",
            message: format!("request bodies are limited to {MAX_BODY} bytes"),
        });
    }
    Ok(body)
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn required<'a>(query: &'a [(String, String)], name: &str) -> Result<&'a str, Fail> {
    query_value(query, name)
        .ok_or_else(|| Fail::bad_request(format!("the query parameter {name} is required")))
}

#[derive(Deserialize)]
struct PageOnly {
    page: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    page: String,
    state: String,
    has_synced: bool,
}

#[derive(Deserialize)]
struct Delivered {
    page: String,
    ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChatActivity {
    page: String,
    chat_id: String,
    #[serde(default)]
    state: Option<String>,
}

#[derive(Deserialize)]
struct PairingCode {
    page: String,
    phone: String,
}

#[derive(Deserialize)]
struct Exists {
    wid: String,
}

fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    body: Vec<u8>,
) -> Result<Reply, Fail> {
    use control::parse_json;
    let get = *method == Method::Get;
    let post = *method == Method::Post;
    let reply = match path {
        // ----- the page ----------------------------------------------------------------------
        "/" if get => Reply::bytes("text/html; charset=utf-8", page::HTML.as_bytes().to_vec()),
        "/sim/page.js" if get => Reply::bytes(
            "text/javascript; charset=utf-8",
            page::SCRIPT.as_bytes().to_vec(),
        ),
        "/favicon.ico" if get => Reply {
            status: 204,
            content_type: "image/x-icon".into(),
            body: Vec::new(),
        },

        // ----- the page's transport -----------------------------------------------------------
        "/sim/hello" if post => {
            let hello: Hello = parse_json(&body)?;
            Reply::ok(&shared.change(|sim, now| sim.hello(hello, now)))
        }
        "/sim/poll" if get => {
            let page = required(query, "page")?;
            let after = required(query, "after")?
                .parse::<u64>()
                .map_err(|_| Fail::bad_request("after must be a sequence number"))?;
            poll(shared, page, after)?
        }
        "/sim/report" if post => {
            let report: Report = parse_json(&body)?;
            shared.change(|sim, _| sim.report(&report.page, report.state, report.has_synced))?;
            Reply::done()
        }
        "/sim/synced" if post => {
            let request: PageOnly = parse_json(&body)?;
            shared.change(|sim, _| sim.synced(&request.page))?;
            Reply::done()
        }
        "/sim/delivered" if post => {
            let request: Delivered = parse_json(&body)?;
            shared.change(|sim, _| sim.delivered(&request.page, &request.ids))?;
            Reply::done()
        }
        "/sim/send" if post => {
            let outgoing: Outgoing = parse_json(&body)?;
            Reply::ok(&shared.change(|sim, now| sim.send(outgoing, now))?)
        }
        "/sim/seen" if post => {
            let request: ChatActivity = parse_json(&body)?;
            shared.change(|sim, _| {
                sim.page_matches(&request.page)?;
                sim.record_seen(request.chat_id);
                Ok::<(), Fail>(())
            })?;
            Reply::done()
        }
        "/sim/chatstate" if post => {
            let request: ChatActivity = parse_json(&body)?;
            let state = request
                .state
                .filter(|state| state == "composing" || state == "paused")
                .ok_or_else(|| Fail::bad_request("state must be composing or paused"))?;
            shared.change(|sim, _| {
                sim.page_matches(&request.page)?;
                sim.record_chat_state(request.chat_id, state);
                Ok::<(), Fail>(())
            })?;
            Reply::done()
        }
        "/sim/exists" if post => {
            let request: Exists = parse_json(&body)?;
            Reply::ok(&json!({"exists": shared.lock().exists(&request.wid)}))
        }
        "/sim/pairing-code" if post => {
            let request: PairingCode = parse_json(&body)?;
            let code =
                shared.change(|sim, now| sim.pairing_code(&request.page, &request.phone, now))?;
            Reply::ok(&json!({"code": code}))
        }
        "/sim/logout" | "/sim/reconnect" | "/sim/takeover" | "/sim/refresh-qr"
        | "/sim/qr-linking" | "/sim/bye"
            if post =>
        {
            let request: PageOnly = parse_json(&body)?;
            let page = request.page.as_str();
            shared.change(|sim, now| match path {
                "/sim/logout" => sim.page_logout(page),
                "/sim/reconnect" => sim.reconnect(page),
                "/sim/takeover" => sim.takeover(page, now),
                "/sim/refresh-qr" => sim.refresh_qr(page, now),
                "/sim/qr-linking" => sim.qr_linking(page, now),
                _ => {
                    sim.page_left(page);
                    Ok(())
                }
            })?;
            Reply::done()
        }
        "/sim/upload" if post => {
            let page = required(query, "page")?;
            let mimetype = query_value(query, "mimetype")
                .filter(|m| m.contains('/'))
                .unwrap_or("application/octet-stream")
                .to_string();
            let uploaded = shared.change(|sim, _| {
                sim.page_matches(page)?;
                Ok::<Value, Fail>(sim.upload(body, mimetype))
            })?;
            Reply::ok(&uploaded)
        }
        "/sim/media" if get => {
            let direct_path = required(query, "directPath")?;
            let media_key = required(query, "mediaKey")?;
            let sim = shared.lock();
            let media = sim.media(direct_path, Some(media_key))?;
            Reply::bytes(&media.mimetype, media.bytes.clone())
        }

        // ----- the control API ---------------------------------------------------------------
        "/control/state" if get => Reply::ok(&shared.lock().state_view()),
        "/control/outbound" if get => Reply::ok(&shared.lock().outbound_view()),
        "/control/inbound" if get => Reply::ok(&shared.lock().inbound_view()),
        "/control/activity" if get => Reply::ok(&shared.lock().activity_view()),
        "/control/config" if get => Reply::ok(&shared.lock().config_view()),
        "/control/media" if get => {
            let direct_path = required(query, "directPath")?;
            let sim = shared.lock();
            let media = sim.media(direct_path, None)?;
            Reply::bytes(&media.mimetype, media.bytes.clone())
        }
        "/control/scan" if post => {
            let (phone, push_name) = control::parse_scan(&body)?;
            shared.change(|sim, _| sim.scan(&phone, &push_name))?;
            Reply::done()
        }
        "/control/pairing" if post => {
            let code = control::parse_pairing(&body)?;
            Reply::ok(&shared.change(|sim, _| sim.enter_code(&code))?)
        }
        "/control/inbound" if post => {
            let inbound = control::parse_inbound(&body)?;
            let id = shared.change(|sim, _| sim.inbound(inbound));
            Reply::ok(&json!({"id": id}))
        }
        "/control/history" if post => {
            let preload: Preload = control::parse_json(&body)?;
            preload.check()?;
            Reply::ok(&shared.change(|sim, _| sim.preload_history(&preload)))
        }
        "/control/ack" if post => {
            let (id, ack) = control::parse_ack(&body)?;
            shared.change(|sim, _| sim.set_ack(&id, ack))?;
            Reply::done()
        }
        "/control/config" if post => {
            let change = control::parse_config(&body)?;
            Reply::ok(&shared.change(|sim, now| {
                sim.configure(change, now);
                sim.config_view()
            }))
        }
        "/control/revoke" if post => {
            let id = control::parse_id(&body)?;
            shared.change(|sim, _| sim.revoke(&id))?;
            Reply::done()
        }
        "/control/edit" if post => {
            let (id, text) = control::parse_edit(&body)?;
            shared.change(|sim, _| sim.edit(&id, &text))?;
            Reply::done()
        }
        "/control/disappearing" if post => {
            let (chat_id, seconds) = control::parse_disappearing(&body)?;
            shared.change(|sim, _| sim.set_disappearing(chat_id, seconds));
            Reply::done()
        }
        "/control/deprecate" if post => {
            shared.change(|sim, _| sim.deprecate())?;
            Reply::done()
        }
        "/control/offline" if post => {
            shared.change(|sim, _| sim.go_offline());
            Reply::done()
        }
        "/control/online" if post => {
            shared.change(|sim, now| sim.go_online(now));
            Reply::done()
        }
        "/control/conflict" if post => {
            shared.change(|sim, _| sim.open_conflict())?;
            Reply::done()
        }
        "/control/ban" if post => {
            shared.change(|sim, _| sim.ban());
            Reply::done()
        }
        "/control/logout" if post => {
            if !shared.change(|sim, _| sim.logout()) {
                return Err(Fail::conflict(
                    "no device is linked, so there is nothing to log out",
                ));
            }
            Reply::done()
        }
        "/control/reset" if post => {
            shared.change(|sim, now| sim.reset(now));
            Reply::done()
        }
        _ => {
            return Err(Fail::not_found(format!(
            "no route {method} {path}; the control API is under /control (see the wa-sim README)"
        )))
        }
    };
    Ok(reply)
}

/// The page's long poll: answers as soon as there are events after `after`, or empty after a while.
fn poll(shared: &Shared, page: &str, after: u64) -> Result<Reply, Fail> {
    let deadline = Instant::now() + POLL_WAIT;
    let mut sim = shared.lock();
    if !sim.poll_started(page, Instant::now()) {
        let reason = sim.gone_reason(page);
        return Ok(Reply::ok(
            &json!({"gone": true, "reason": reason, "events": []}),
        ));
    }
    let events = loop {
        if shared.stop.load(Ordering::SeqCst) {
            break Some(Vec::new());
        }
        match sim.take_events(page, after) {
            None => break None,
            Some(events) if !events.is_empty() => break Some(events),
            Some(_) => {}
        }
        let now = Instant::now();
        if now >= deadline {
            break Some(Vec::new());
        }
        sim = shared
            .cond
            .wait_timeout(sim, deadline - now)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    };
    sim.poll_finished(page, Instant::now());
    Ok(Reply::ok(&match events {
        Some(events) => json!({"events": events}),
        None => json!({"gone": true, "reason": sim.gone_reason(page), "events": []}),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded() {
        let query = parse_query(
            "directPath=%2Fv%2Ft62.7118-24%2F1_2_n.enc%3Fccb%3D11-4&x=a+b&bad=%zz&end=%4",
        );
        assert_eq!(
            query_value(&query, "directPath"),
            Some("/v/t62.7118-24/1_2_n.enc?ccb=11-4")
        );
        assert_eq!(query_value(&query, "x"), Some("a b"));
        assert_eq!(query_value(&query, "bad"), Some("%zz"));
        assert_eq!(query_value(&query, "end"), Some("%4"));
    }
}
