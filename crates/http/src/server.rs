//! The loopback HTTP server on tiny_http: checks `Host`, origin and token, serves REST v1 through the
//! API table, the event stream, and the built UI.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tiny_http::{Header, Request, Response};
use whatsflow_engine::{Engine, Error, ErrorCode};

use crate::events::EventLog;
use crate::rate_limit::{Decision, RateLimit, RateLimiter};
use whatsflow_api::api::{key_caller, percent_decode};
use whatsflow_api::{Api, ApiRequest, ApiResponse, Caller};
use whatsflow_engine::api_keys::{Scope, KEY_PREFIX};
use whatsflow_engine::events::EventFilter;

/// Request-handling threads (cheap, mostly idle): enough that a few requests waiting on WhatsApp
/// never hold up the rest. The event streams get threads of their own.
const WORKERS: usize = 16;
/// A quiet event stream sends a comment this often, so dead connections are noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// The session token: the UI's own transport, full access. `None` (the desktop app's server,
    /// whose window talks over IPC): only API keys get in.
    pub token: Option<String>,
    /// The built UI (`ui/dist`); `None` serves the API only.
    pub ui_dir: Option<PathBuf>,
    /// Every API key's budget of requests (the session token has none).
    pub key_rate_limit: RateLimit,
}

/// A running server; dropping it does not stop it, `stop()` does.
pub struct Server {
    addr: SocketAddr,
    http: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

struct Shared {
    engine: Engine,
    api: Api,
    config: ServerConfig,
    port: u16,
    events: Arc<EventLog>,
    stopping: Arc<AtomicBool>,
    limiter: RateLimiter,
}

impl Server {
    pub fn start(engine: Engine, config: ServerConfig) -> anyhow::Result<Server> {
        let http = listen(config.port)?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("the server has no IP address"))?;
        let http = Arc::new(http);
        let stopping = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            limiter: RateLimiter::new(config.key_rate_limit),
            events: EventLog::start(&engine),
            engine,
            api: whatsflow_api::routes::api(),
            config,
            port: addr.port(),
            stopping: stopping.clone(),
        });
        let workers = (0..WORKERS)
            .map(|i| {
                let http = http.clone();
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("http-{i}"))
                    .spawn(move || {
                        while let Ok(request) = http.recv() {
                            if shared.stopping.load(Ordering::SeqCst) {
                                break;
                            }
                            handle(&shared, request);
                        }
                    })
                    .expect("spawn http worker")
            })
            .collect();
        Ok(Server {
            addr,
            http,
            stopping,
            workers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving: the request threads finish what they are doing, and the port is closed when
    /// this returns. Called from one of the server's own request threads (a script switching the
    /// desktop's REST API off over it), it only tells the threads to stop: that thread finishes
    /// its answer, then leaves, and the port closes after it.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.http.unblock();
        }
        let me = std::thread::current().id();
        if self.workers.iter().any(|w| w.thread().id() == me) {
            return;
        }
        for worker in self.workers {
            let _ = worker.join();
        }
        drop(self.http);
        wait_until_closed(self.addr);
    }
}

/// Listens on 127.0.0.1 with Nagle's algorithm off. tiny_http writes a response in pieces (the
/// headers, then the body in buffer-sized writes); with Nagle on, the body's last piece waited for
/// the client's delayed ACK of the headers, so every answer larger than tiny_http's 1 KiB buffer
/// after the first on a keep-alive connection took ~40 ms. tiny_http offers no hook on the sockets
/// it accepts; they inherit `TCP_NODELAY` from the listener (checked on Linux by the test
/// `every_list_route_stays_fast_on_a_keep_alive_connection`).
fn listen(port: u16) -> anyhow::Result<tiny_http::Server> {
    // The io::Error stays the source, so a caller can tell a busy port (`AddrInUse`) apart.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("could not listen on 127.0.0.1:{port}"))?;
    socket2::SockRef::from(&listener).set_tcp_nodelay(true)?;
    tiny_http::Server::from_listener(listener, None)
        .map_err(|e| anyhow::anyhow!("could not serve on 127.0.0.1:{port}: {e}"))
}

/// Waits until nothing listens on `addr` any more. tiny_http closes its listening socket on a
/// thread of its own after the server is dropped, and offers no way to wait for that thread; a
/// caller that switches the server off (or moves it to another port and back) must find the port
/// free. Bounded: a socket still open after that is logged, not waited for.
fn wait_until_closed(addr: SocketAddr) {
    const PATIENCE: Duration = Duration::from_secs(2);
    const PAUSE: Duration = Duration::from_millis(5);
    let mut waited = Duration::ZERO;
    while std::net::TcpStream::connect_timeout(&addr, PATIENCE).is_ok() {
        if waited >= PATIENCE {
            tracing::warn!(%addr, "the server's port is still open after stopping");
            return;
        }
        std::thread::sleep(PAUSE);
        waited += PAUSE;
    }
}

/// A response with its whole length declared: never chunked (tiny_http chunks bodies from 32 KiB
/// on, adding writes and framing for a length it already knows).
fn whole_body(
    status: u16,
    headers: Vec<Header>,
    body: Vec<u8>,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let length = body.len();
    Response::new(
        status.into(),
        headers,
        std::io::Cursor::new(body),
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// `127.0.0.1`, `localhost` or `[::1]`, with any port. Anything else may be DNS rebinding.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']')
            .next()
            .map(|h| format!("[{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_owned()
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

/// Compares without leaking where the first difference is.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn handle(shared: &Shared, mut request: Request) {
    let url = request.url().to_owned();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (url.clone(), String::new()),
    };
    if !header(&request, "Host")
        .map(is_loopback_host)
        .unwrap_or(false)
    {
        let err = Error::new(
            ErrorCode::Forbidden,
            "This server answers only to 127.0.0.1, localhost or [::1]",
        );
        let mut response = ApiResponse::error(&err);
        response.status = 421;
        return respond(request, response);
    }
    if !path.starts_with("/api/") {
        return serve_ui(shared, request, &path);
    }
    let cors = match header(&request, "Origin").map(|origin| cross_origin(shared, origin)) {
        None | Some(CrossOrigin::Own) => Vec::new(),
        Some(CrossOrigin::Listed(headers)) => headers,
        Some(CrossOrigin::Refused(err)) => return respond(request, ApiResponse::error(&err)),
    };
    if !cors.is_empty() && request.method().as_str() == "OPTIONS" {
        return respond_preflight(request, cors);
    }
    let token = header(&request, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim).map(str::to_owned))
        .or_else(|| {
            // EventSource cannot set headers: the stream alone takes the token from the query.
            (path == "/api/v1/events")
                .then(|| query_param(&query, "token"))
                .flatten()
        });
    let caller = match token {
        Some(t)
            if shared
                .config
                .token
                .as_deref()
                .is_some_and(|session| same_secret(&t, session)) =>
        {
            Caller::Session
        }
        Some(t) if t.starts_with(KEY_PREFIX) => match key_caller(&shared.engine, &t) {
            Ok(caller) => caller,
            Err(err) => return respond_with(request, ApiResponse::error(&err), cors),
        },
        _ => Caller::Anonymous,
    };
    // Scripts share the machine with the UI: each key gets its own budget of requests.
    let mut extra_headers = cors;
    if let Caller::Key { id, .. } = caller {
        let decision = shared.limiter.check(id, shared.engine.now());
        extra_headers.extend(rate_extra_headers(&shared.limiter, &decision));
        if let Some(seconds) = decision.retry_after {
            let mut err = Error::new(
                ErrorCode::TooManyAttempts,
                format!(
                    "Too many requests with this API key (limit {} a minute): try again in {seconds} s",
                    shared.limiter.limit().per_minute
                ),
            );
            err.retry_after = Some(seconds);
            return respond_with(request, ApiResponse::error(&err), extra_headers);
        }
    }
    if path == "/api/v1/events" && request.method().as_str() == "GET" {
        if caller == Caller::Anonymous {
            let err = Error::new(ErrorCode::Unauthorized, "Missing or wrong token");
            return respond_with(request, ApiResponse::error(&err), extra_headers);
        }
        if let Caller::Key { scopes, .. } = caller {
            if !scopes.allow(Scope::Read) {
                let err = Error::new(
                    ErrorCode::Forbidden,
                    "This API key lacks the `read` scope the event stream needs",
                );
                return respond_with(request, ApiResponse::error(&err), extra_headers);
            }
        }
        let resume = header(&request, "Last-Event-ID")
            .map(str::to_owned)
            .or_else(|| query_param(&query, "lastEventId"))
            .and_then(|v| v.parse().ok());
        let filter = match query_param(&query, "types") {
            Some(list) => match EventFilter::parse("types", &list) {
                Ok(filter) => filter,
                Err(err) => {
                    return respond_with(request, ApiResponse::error(&err), extra_headers);
                }
            },
            None => EventFilter::default(),
        };
        return stream_events(shared, request, resume, filter, &extra_headers);
    }
    let mut body = Vec::new();
    let limit = 100 * 1024 * 1024;
    if let Err(e) = std::io::Read::read_to_end(
        &mut std::io::Read::take(request.as_reader(), limit as u64 + 1),
        &mut body,
    ) {
        let err = Error::new(
            ErrorCode::InvalidJson,
            format!("Could not read the request body: {e}"),
        );
        return respond_with(request, ApiResponse::error(&err), extra_headers);
    }
    if body.len() > limit {
        let err = Error::new(
            ErrorCode::PayloadTooLarge,
            "The request body is larger than 100 MB",
        );
        return respond_with(request, ApiResponse::error(&err), extra_headers);
    }
    let api_request = ApiRequest {
        method: request.method().as_str().to_owned(),
        path,
        query,
        body: None,
        raw_body: Some(body),
        body_base64: None,
        idempotency_key: header(&request, "Idempotency-Key").map(str::to_owned),
    };
    let response = shared.api.dispatch(&shared.engine, caller, api_request);
    respond_with(request, response, extra_headers);
}

/// What the API makes of a request's `Origin`.
enum CrossOrigin {
    /// The app's own pages (this server's UI).
    Own,
    /// An origin listed in Settings: the CORS headers its answers carry.
    Listed(Vec<Header>),
    /// Any other: refused, as every origin is until the owner lists it.
    Refused(Error),
}

fn cross_origin(shared: &Shared, origin: &str) -> CrossOrigin {
    let own = [
        format!("http://127.0.0.1:{}", shared.port),
        format!("http://localhost:{}", shared.port),
    ];
    if own.iter().any(|o| o == origin) {
        return CrossOrigin::Own;
    }
    match shared.engine.cors_allows(origin) {
        Ok(true) => CrossOrigin::Listed(
            [
                ("Access-Control-Allow-Origin", origin),
                ("Vary", "Origin"),
                (
                    "Access-Control-Expose-Headers",
                    "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy",
                ),
            ]
            .into_iter()
            .filter_map(|(name, value)| Header::from_bytes(name, value).ok())
            .collect(),
        ),
        Ok(false) => CrossOrigin::Refused(Error::new(
            ErrorCode::Forbidden,
            format!(
                "Cross-origin requests from {origin} are not allowed: list the origin in Settings \
                 (REST API, allowed origins) to let its pages call the API"
            ),
        )),
        Err(err) => CrossOrigin::Refused(err),
    }
}

/// The answer to a listed origin's preflight (`OPTIONS`): what its requests may carry.
fn respond_preflight(request: Request, mut cors: Vec<Header>) {
    cors.extend(
        [
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            (
                "Access-Control-Allow-Headers",
                "Authorization, Content-Type, Idempotency-Key, Last-Event-ID",
            ),
            ("Access-Control-Max-Age", "600"),
        ]
        .into_iter()
        .map(|(name, value)| Header::from_bytes(name, value).expect("valid header")),
    );
    if let Err(e) = request.respond(whole_body(204, cors, Vec::new())) {
        tracing::debug!(error = %e, "client went away before the response");
    }
}

/// `RateLimit-Limit` (requests a minute), `RateLimit-Remaining` (requests that may be made at
/// once) and `RateLimit-Reset` (seconds until the full burst is available again), after the IETF
/// draft; `RateLimit-Policy` spells out the minute window and the burst.
fn rate_extra_headers(limiter: &RateLimiter, decision: &Decision) -> Vec<Header> {
    let limit = limiter.limit();
    [
        ("RateLimit-Limit", limit.per_minute.to_string()),
        ("RateLimit-Remaining", decision.remaining.to_string()),
        ("RateLimit-Reset", decision.reset.to_string()),
        (
            "RateLimit-Policy",
            format!("{};w=60;burst={}", limit.per_minute, limit.burst),
        ),
    ]
    .into_iter()
    .map(|(name, value)| Header::from_bytes(name, value).expect("valid header"))
    .collect()
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| (k == name).then(|| v.into_owned()))
}

fn respond(request: Request, response: ApiResponse) {
    respond_with(request, response, Vec::new())
}

fn respond_with(request: Request, response: ApiResponse, extra: Vec<Header>) {
    let mut headers = vec![
        Header::from_bytes("Content-Type", response.content_type.as_bytes()).expect("valid header"),
        Header::from_bytes("Cache-Control", "no-store").expect("valid header"),
        Header::from_bytes("X-Content-Type-Options", "nosniff").expect("valid header"),
    ];
    if let Some(seconds) = response.retry_after {
        headers.push(Header::from_bytes("Retry-After", seconds.to_string()).expect("valid header"));
    }
    if let Some(allow) = &response.allow {
        headers.push(Header::from_bytes("Allow", allow.as_bytes()).expect("valid header"));
    }
    headers.extend(extra);
    if let Err(e) = request.respond(whole_body(response.status, headers, response.body)) {
        tracing::debug!(error = %e, "client went away before the response");
    }
}

/// Streams events as `text/event-stream` on a thread of its own, writing straight to the socket so
/// each event leaves at once.
fn stream_events(
    shared: &Shared,
    request: Request,
    resume_after: Option<u64>,
    filter: EventFilter,
    extra: &[Header],
) {
    let events = shared.events.clone();
    let engine = shared.engine.clone();
    let stopping = shared.stopping.clone();
    let newest = events.last_id();
    let mut after = resume_after.unwrap_or(newest);
    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n");
    for header in extra {
        head.push_str(&format!("{}: {}\r\n", header.field, header.value));
    }
    head.push_str("\r\n: connected\n\n");
    // An id from before this server started (ids begin again at each start): the client has missed
    // whatever happened in between.
    if after > newest {
        let resync = crate::events::resync(newest, engine.now());
        head.push_str(&format!("data: {}\n\n", resync.json));
        after = newest;
    }
    let mut writer = request.into_writer();
    std::thread::spawn(move || {
        if writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
        while !stopping.load(Ordering::SeqCst) {
            let batch = events.after(after, KEEPALIVE, engine.now());
            let mut text = String::new();
            if batch.is_empty() {
                text.push_str(": keep-alive\n\n");
            }
            // While the app is locked nothing but the lock's own changes leaves the machine's memory.
            let locked = engine.is_locked();
            for event in batch {
                if (!locked || event.shown_while_locked) && event.taken_by(&filter) {
                    text.push_str(&format!("id: {}\ndata: {}\n\n", event.id, event.json));
                }
                after = event.id;
            }
            if writer
                .write_all(text.as_bytes())
                .and_then(|_| writer.flush())
                .is_err()
            {
                return;
            }
        }
    });
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// What the built UI may load: its own scripts only (no inline script: Vite emits none); styles
/// from itself and inline (React `style` props and the CSS-in-JS of some components); images, media
/// and downloads also from `data:`/`blob:` URLs (avatars, media previews, exports); API calls to
/// itself and, in demo mode, to the simulator's control API on another loopback port; never framed.
pub const UI_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self' http://127.0.0.1:*; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Serves the built UI; unknown paths get `index.html` so client-side routes survive a reload.
fn serve_ui(shared: &Shared, request: Request, path: &str) {
    let Some(root) = &shared.config.ui_dir else {
        let err = Error::not_found("page (this server was started without the UI)");
        return respond(request, ApiResponse::error(&err));
    };
    let relative = percent_decode(path.trim_start_matches('/'));
    let safe = !relative.split('/').any(|s| s == ".." || s.contains('\\'));
    let candidate = root.join(&relative);
    let file = if safe && !relative.is_empty() && candidate.is_file() {
        candidate
    } else {
        root.join("index.html")
    };
    match std::fs::read(&file) {
        Ok(body) => {
            let cache = if file.starts_with(root.join("assets")) {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            let headers = vec![
                Header::from_bytes("Content-Type", content_type(&file)).expect("valid header"),
                Header::from_bytes("Cache-Control", cache).expect("valid header"),
                Header::from_bytes("X-Content-Type-Options", "nosniff").expect("valid header"),
                Header::from_bytes("Referrer-Policy", "no-referrer").expect("valid header"),
                Header::from_bytes("Content-Security-Policy", UI_CSP).expect("valid header"),
            ];
            let _ = request.respond(whole_body(200, headers, body));
        }
        Err(_) => {
            let err = Error::not_found("UI (build it with `npm run build` in ui/)");
            respond(request, ApiResponse::error(&err));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        for (host, ok) in [
            ("127.0.0.1:8080", true),
            ("localhost", true),
            ("LOCALHOST:1", true),
            ("[::1]:443", true),
            ("evil.example", false),
            ("127.0.0.1.evil.example", false),
            ("localhost.evil.example:80", false),
            ("", false),
        ] {
            assert_eq!(super::is_loopback_host(host), ok, "{host}");
        }
    }
}
