//! API keys over HTTP: `Authorization: Bearer wf_…` beside the session token; a malformed, unknown
//! or revoked key is 401 (revoking takes effect on the very next request); a key over its rate
//! limit gets 429 with `Retry-After` and `RateLimit-*` headers, then is served again.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use whatsflow_http::rate_limit::RateLimit;

use crate::common::Running;

/// One request with a key; the status, the headers (lower-cased) and the JSON body.
fn with_key(app: &Running, method: &str, path: &str, key: &str) -> (u16, String, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {key}\r\n\
         Connection: close\r\nContent-Length: 0\r\n\r\n",
        app.port()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

fn create_key(app: &Running, scopes: Value) -> (i64, String) {
    let (status, body) = app.call(
        "POST",
        "/api/v1/keys",
        json!({ "name": "script", "scopes": scopes }),
    );
    assert_eq!(status, 200, "{body}");
    let data = &body["data"];
    (
        data["id"].as_i64().unwrap(),
        data["key"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn keys_authenticate_by_scope_and_revoking_takes_effect_at_once() {
    let app = Running::start();
    let (id, key) = create_key(&app, json!(["read"]));
    assert!(key.starts_with("wf_"));
    let (status, _, body) = with_key(&app, "GET", "/api/v1/contacts", &key);
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = with_key(&app, "GET", "/api/v1/keys", &key);
    assert_eq!(status, 403, "a read key managing keys: {body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`admin`"));
    let (status, _, body) = with_key(&app, "POST", "/api/v1/whatsapp/connect", &key);
    assert_eq!(status, 403, "{body}");

    // Listed with its prefix, never the secret.
    let (_, list) = app.call("GET", "/api/v1/keys", Value::Null);
    let listed = &list["data"][0];
    assert_eq!(listed["id"], id);
    assert!(key.starts_with(listed["prefix"].as_str().unwrap()));
    assert!(listed.get("key").is_none() && !list.to_string().contains(&key));
    assert!(listed["lastUsedAt"].is_string(), "{listed}");

    let (status, _) = app.call("DELETE", &format!("/api/v1/keys/{id}"), Value::Null);
    assert_eq!(status, 200);
    let (status, _, body) = with_key(&app, "GET", "/api/v1/contacts", &key);
    assert_eq!(status, 401, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));

    for bad in ["wf_", "wf_unknown-key", &format!("{key}x")] {
        let (status, _, _) = with_key(&app, "GET", "/api/v1/contacts", bad);
        assert_eq!(status, 401, "{bad}");
    }
    // An admin key manages keys, like the UI's session.
    let (_, admin) = create_key(&app, json!(["admin"]));
    let (status, _, body) = with_key(&app, "GET", "/api/v1/keys", &admin);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_key_over_its_rate_limit_gets_429_then_is_served_again() {
    let app = Running::start();
    let (_, key) = create_key(&app, json!(["read"]));
    let mut served = 0;
    let (retry_after, head) = loop {
        let (status, head, body) = with_key(&app, "GET", "/api/v1/contacts", &key);
        assert!(
            header(&head, "ratelimit-limit").is_some(),
            "every answer to a key says its limit"
        );
        if status == 429 {
            assert_eq!(body["error"]["code"], "too_many_attempts", "{body}");
            let seconds: u64 = header(&head, "retry-after").unwrap().parse().unwrap();
            break (seconds, head);
        }
        served += 1;
        assert!(served <= 200, "no 429 after {served} requests");
    };
    assert!(served >= 30, "the burst of 30 is allowed: {served}");
    assert_eq!(header(&head, "ratelimit-limit"), Some("120"));
    assert_eq!(header(&head, "ratelimit-remaining"), Some("0"));
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    // The session (the UI) is not limited by a script's key.
    assert_eq!(app.call("GET", "/api/v1/contacts", Value::Null).0, 200);
    std::thread::sleep(Duration::from_secs(retry_after));
    let (status, _, body) = with_key(&app, "GET", "/api/v1/contacts", &key);
    assert_eq!(status, 200, "served again after Retry-After: {body}");
}

#[test]
fn a_server_given_a_higher_key_limit_serves_bursts_of_a_quarter_of_it() {
    let app = Running::start_with_key_rate_limit(RateLimit::per_minute(400));
    let (_, key) = create_key(&app, json!(["read"]));
    for n in 0..100 {
        let (status, head, body) = with_key(&app, "GET", "/api/v1/health", &key);
        assert_eq!(status, 200, "request {n} of a burst of 100: {body}");
        assert_eq!(header(&head, "ratelimit-limit"), Some("400"));
    }
    let (status, head, _) = with_key(&app, "GET", "/api/v1/health", &key);
    assert_eq!(status, 429, "the 101st request at once");
    assert_eq!(
        header(&head, "ratelimit-policy"),
        Some("400;w=60;burst=100")
    );
}

#[test]
fn the_two_bad_inputs_fuzzing_found_are_client_errors() {
    let app = Running::start();
    let (status, body) = app.call("GET", "/api/v1/contacts?q=ro%00sa", Value::Null);
    assert_eq!(status, 200, "a NUL in a search: {body}");
    let (status, body) = app.call("GET", "/api/v1/messages?q=%00", Value::Null);
    assert_eq!(status, 200, "a NUL in a message filter: {body}");
    let (status, body) = app.call("GET", "/api/v1/messages/search?q=a%00b", Value::Null);
    assert_eq!(status, 200, "a NUL in a message search: {body}");
}

#[test]
fn the_ui_is_served_with_a_content_security_policy() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .unwrap();
    let app = Running::start_with_ui(ui.path());
    let mut stream = TcpStream::connect(("127.0.0.1", app.port())).unwrap();
    let head = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        app.port()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .to_ascii_lowercase();
    let csp = header(&head, "content-security-policy").expect("a CSP header");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}
