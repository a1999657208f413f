//! The real server on an ephemeral port: loopback checks, auth, the envelope, validation, the app
//! lock, the OpenAPI document and the event stream.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{Running, TOKEN};

fn shop() -> Value {
    json!({
        "businessName": "Rosa's Flowers",
        "industry": "Florist",
        "website": "https://rosas.example",
        "description": "Bouquets",
        "businessType": "retail",
        "country": "BR",
        "timezone": "America/Sao_Paulo"
    })
}

#[test]
fn foreign_hosts_get_421_even_with_the_token() {
    let app = Running::start();
    let auth = format!("Bearer {TOKEN}");
    let (status, body) = app.raw(
        "GET",
        "/api/v1/profile",
        &[("Host", "evil.example"), ("Authorization", &auth)],
        "",
    );
    assert_eq!(
        status, 421,
        "DNS rebinding protection must refuse a non-loopback Host: {body}"
    );
    for host in ["localhost:1234", "[::1]:80", "127.0.0.1"] {
        let (status, _) = app.raw("GET", "/api/v1/health", &[("Host", host)], "");
        assert_eq!(status, 200, "{host} is a loopback name");
    }
}

#[test]
fn routes_need_the_token_except_health() {
    let app = Running::start();
    let (status, body) = app.raw("GET", "/api/v1/health", &[], "");
    assert_eq!(status, 200);
    assert_eq!(body["data"]["status"], "ok");
    let (status, body) = app.raw("GET", "/api/v1/profile", &[], "");
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app.raw(
        "GET",
        "/api/v1/profile",
        &[("Authorization", "Bearer wrong-token-xxxxxx")],
        "",
    );
    assert_eq!(status, 401, "a wrong token is refused");
}

#[test]
fn cross_origin_browser_requests_are_refused() {
    let app = Running::start();
    let auth = format!("Bearer {TOKEN}");
    let (status, _) = app.raw(
        "GET",
        "/api/v1/app/state",
        &[("Authorization", &auth), ("Origin", "https://evil.example")],
        "",
    );
    assert_eq!(status, 403);
}

/// One request; the status and the response's head, lower-cased (headers are what CORS is about).
fn status_and_head(
    app: &Running,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n",
        app.port()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream.write_all(format!("{head}\r\n").as_bytes()).unwrap();
    let mut response = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut response).unwrap();
    let text = String::from_utf8_lossy(&response).to_ascii_lowercase();
    let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
    (head[9..12].parse().unwrap(), head)
}

#[test]
fn cross_origin_requests_pass_only_from_the_origins_listed_in_settings() {
    let app = Running::start();
    let auth = format!("Bearer {TOKEN}");
    let dashboard = "http://localhost:5173";
    let from = |origin: &str| {
        [
            ("Authorization", auth.clone()),
            ("Origin", origin.to_owned()),
        ]
    };
    let get = |origin: &str| {
        let headers = from(origin);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        status_and_head(&app, "GET", "/api/v1/contacts", &headers)
    };

    let (status, head) = get(dashboard);
    assert_eq!(status, 403, "off by default: {head}");
    assert!(!head.contains("access-control-allow-origin"));

    let (status, body) = app.call(
        "PUT",
        "/api/v1/settings/cors",
        json!({ "allowedOrigins": [dashboard] }),
    );
    assert_eq!(status, 200, "{body}");
    let (status, head) = get(dashboard);
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("access-control-allow-origin: http://localhost:5173\r\n"),
        "{head}"
    );
    assert!(head.contains("vary: origin"), "{head}");

    let (status, head) = status_and_head(
        &app,
        "OPTIONS",
        "/api/v1/messages/send",
        &[
            ("Origin", dashboard),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            ),
        ],
    );
    assert_eq!(status, 204, "the preflight: {head}");
    assert!(
        head.contains("access-control-allow-origin: http://localhost:5173"),
        "{head}"
    );
    assert!(
        head.contains("access-control-allow-methods: get, post, put, delete"),
        "{head}"
    );
    assert!(head.contains("idempotency-key"), "{head}");

    // The page can read why a request failed.
    let (status, head) = status_and_head(&app, "GET", "/api/v1/contacts", &[("Origin", dashboard)]);
    assert_eq!(status, 401);
    assert!(
        head.contains("access-control-allow-origin: http://localhost:5173"),
        "{head}"
    );

    let (status, _) = get("http://localhost:5174");
    assert_eq!(status, 403, "an origin not listed is still refused");
    let own = format!("http://127.0.0.1:{}", app.port());
    let (status, head) = get(&own);
    assert_eq!(status, 200, "the app's own pages: {head}");
    assert!(!head.contains("access-control-allow-origin"), "{head}");

    let (status, body) = app.call(
        "PUT",
        "/api/v1/settings/cors",
        json!({ "allowedOrigins": ["http://localhost:5173/app"] }),
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["details"][0]["field"], "allowedOrigins");
}

#[test]
fn profile_round_trip_and_field_errors() {
    let app = Running::start();
    let (status, body) = app.call("GET", "/api/v1/profile", Value::Null);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found")),
        "no profile before onboarding"
    );

    let mut bad = shop();
    bad["businessName"] = json!("");
    bad["description"] = json!("x".repeat(100_000));
    bad["country"] = json!("XX");
    bad["timezone"] = json!("Nowhere/Town");
    let (status, body) = app.call("PUT", "/api/v1/profile", bad);
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["businessName", "description", "country", "timezone"]
    );
    let (_, state) = app.call("GET", "/api/v1/app/state", Value::Null);
    assert_eq!(state["data"]["onboarded"], false, "nothing is half-saved");

    let (status, body) = app.raw(
        "PUT",
        "/api/v1/profile",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        "{\"businessName\": ",
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );

    let (status, saved) = app.call("PUT", "/api/v1/profile", shop());
    assert_eq!(status, 200, "{saved}");
    let (_, got) = app.call("GET", "/api/v1/profile", Value::Null);
    assert_eq!(got["data"], saved["data"]);
    assert_eq!(got["data"]["timezone"], "America/Sao_Paulo");
}

#[test]
fn a_locked_app_answers_only_unlock() {
    let app = Running::start();
    let (status, _) = app.call("PUT", "/api/v1/lock", json!({ "newPasscode": "2468" }));
    assert_eq!(status, 200);
    app.call("POST", "/api/v1/lock/lock", Value::Null);
    let (status, body) = app.call("GET", "/api/v1/profile", Value::Null);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("app_locked"))
    );
    let (status, body) = app.call("POST", "/api/v1/lock/unlock", json!({ "passcode": "0000" }));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("wrong_passcode"))
    );
    let (status, _) = app.call("POST", "/api/v1/lock/unlock", json!({ "passcode": "2468" }));
    assert_eq!(status, 200);
    let (status, _) = app.call("GET", "/api/v1/profile", Value::Null);
    assert_eq!(status, 404, "unlocked: the route answers again");
}

#[test]
fn unknown_routes_and_oversized_bodies() {
    let app = Running::start();
    let (status, body) = app.call("GET", "/api/v1/nope", Value::Null);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let huge = json!({ "businessName": "x".repeat(2 * 1024 * 1024) });
    let (status, body) = app.call("PUT", "/api/v1/profile", huge);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

#[test]
fn a_method_a_path_does_not_take_is_405_with_allow_and_a_missing_body_400() {
    let app = Running::start();
    let auth = format!("Bearer {TOKEN}");
    let (status, head) = status_and_head(
        &app,
        "PATCH",
        "/api/v1/settings",
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(status, 405, "{head}");
    assert!(head.contains("\r\nallow: get, put"), "{head}");

    let (status, body) = app.call("PUT", "/api/v1/settings", Value::Null);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "body", "{body}");
}

#[test]
fn openapi_lists_every_route_with_its_schemas() {
    let app = Running::start();
    let (status, doc) = app.raw("GET", "/api/v1/openapi.json", &[], "");
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for route in whatsflow_api::routes::api().routes() {
        let op = &doc["paths"][route.path][route.method.as_str()];
        assert!(
            op.is_object(),
            "{} {} is missing from the document",
            route.method.as_str(),
            route.path
        );
    }
    let profile = &doc["components"]["schemas"]["Profile"];
    assert!(
        profile["properties"]["businessName"].is_object(),
        "schemas come from the handlers' types"
    );
    let put = &doc["paths"]["/api/v1/profile"]["put"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(put["$ref"], "#/components/schemas/ProfileInput");
}

#[test]
fn the_event_stream_carries_engine_events() {
    let app = Running::start();
    let mut stream = TcpStream::connect(("127.0.0.1", app.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!("GET /api/v1/events?token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    // Wait for the stream's greeting so the event below is not sent before we listen.
    while !line.starts_with(": connected") {
        line.clear();
        reader.read_line(&mut line).unwrap();
    }
    let (status, _) = app.call("PUT", "/api/v1/profile", shop());
    assert_eq!(status, 200);
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            let event: Value = serde_json::from_str(data).unwrap();
            assert_eq!(event["type"], "profile.updated");
            assert_eq!(event["data"]["businessName"], "Rosa's Flowers");
            break;
        }
    }
}
