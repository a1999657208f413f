//! The REST API inside the desktop app (`DesktopRestApi`): nothing listens while the switch is off;
//! on, the same server answers on the chosen port with API keys only (no session token, no UI); a
//! busy port is a clear 409 that leaves the running server alone; the saved switch starts the server
//! again at the next start; a script with an admin key may switch it off over the server itself;
//! the window switches it through the API table, as its IPC command does.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use whatsflow_api::{ApiRequest, Caller};
use whatsflow_engine::api_keys::{ApiKeyInput, Scope};
use whatsflow_engine::settings::RestApiSettings;
use whatsflow_engine::{Engine, ErrorCode, Options, SystemClock};
use whatsflow_http::DesktopRestApi;

/// A port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One request with an optional bearer credential: the status and the JSON body; an error when
/// nothing listens.
fn request(
    method: &str,
    port: u16,
    path: &str,
    bearer: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let auth = bearer
        .map(|b| format!("Authorization: Bearer {b}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Connection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    Ok((
        head[9..12].parse().unwrap(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    ))
}

fn get(port: u16, path: &str, bearer: Option<&str>) -> std::io::Result<(u16, Value)> {
    request("GET", port, path, bearer, "")
}

fn open_engine(dir: &std::path::Path) -> Engine {
    Engine::open(Options::new(dir.join("data"), Arc::new(SystemClock))).unwrap()
}

fn key(engine: &Engine, scopes: &[Scope]) -> String {
    engine
        .create_api_key(ApiKeyInput {
            name: "script".into(),
            scopes: scopes.to_vec(),
        })
        .unwrap()
        .key
}

fn switch(engine: &Engine, enabled: bool, port: u16) -> whatsflow_engine::Result<u16> {
    let status = engine.save_rest_api(RestApiSettings { enabled, port })?;
    Ok(status.listening_port.unwrap_or(0))
}

#[test]
fn off_listens_nowhere_on_serves_keys_only_and_off_again_closes_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_engine(dir.path());
    let port = free_port();
    let (server, status) = DesktopRestApi::attach(&engine).unwrap();
    assert!(status.switchable && !status.enabled);
    assert_eq!(status.listening_port, None);
    assert!(
        get(port, "/api/v1/health", None).is_err(),
        "off: nothing on {port}"
    );

    assert_eq!(switch(&engine, true, port).unwrap(), port);
    let (status, health) = get(port, "/api/v1/health", None).unwrap();
    assert_eq!(
        (status, health["data"]["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(
        get(port, "/api/v1/contacts", None).unwrap().0,
        401,
        "no credential"
    );
    assert_eq!(
        get(port, "/api/v1/contacts", Some("any-session-token"))
            .unwrap()
            .0,
        401,
        "the desktop's server has no session token"
    );
    let reader = key(&engine, &[Scope::Read]);
    assert_eq!(get(port, "/api/v1/contacts", Some(&reader)).unwrap().0, 200);
    assert_eq!(get(port, "/", None).unwrap().0, 404, "no UI is served");
    assert_eq!(
        get(port, "/api/v1/docs", None).unwrap().0,
        200,
        "the docs are"
    );

    assert_eq!(switch(&engine, false, port).unwrap(), 0);
    assert!(
        get(port, "/api/v1/health", None).is_err(),
        "off again: port closed"
    );
    assert!(!engine.rest_api_settings().unwrap().enabled);
    server.stop();
}

#[test]
fn a_busy_port_is_a_conflict_and_the_running_server_stays() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_engine(dir.path());
    let (server, _) = DesktopRestApi::attach(&engine).unwrap();
    let first = free_port();
    switch(&engine, true, first).unwrap();

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().port();
    let err = switch(&engine, true, busy).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.details[0].field, "port");
    assert!(
        err.message
            .contains(&format!("Port {busy} is already in use")),
        "{}",
        err.message
    );
    let status = engine.rest_api().unwrap();
    assert_eq!((status.port, status.listening_port), (first, Some(first)));
    assert_eq!(get(first, "/api/v1/health", None).unwrap().0, 200);

    // Moving to a free port closes the old one.
    let second = free_port();
    assert_eq!(switch(&engine, true, second).unwrap(), second);
    assert_eq!(get(second, "/api/v1/health", None).unwrap().0, 200);
    assert!(get(first, "/api/v1/health", None).is_err());
    server.stop();
}

#[test]
fn the_saved_switch_starts_the_server_at_the_next_start_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    {
        let engine = open_engine(dir.path());
        let (server, _) = DesktopRestApi::attach(&engine).unwrap();
        switch(&engine, true, port).unwrap();
        server.stop();
    }
    assert!(get(port, "/api/v1/health", None).is_err());

    let engine = open_engine(dir.path());
    let (server, status) = DesktopRestApi::attach(&engine).unwrap();
    assert_eq!(status.listening_port, Some(port));
    assert_eq!(get(port, "/api/v1/health", None).unwrap().0, 200);
    server.stop();

    // Another program took the port meanwhile: the app starts all the same and says why.
    let _taken = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (server, status) = DesktopRestApi::attach(&engine).unwrap();
    assert!(status.enabled);
    assert_eq!(status.listening_port, None);
    assert!(status.error.unwrap().contains("already in use"));
    server.stop();
}

#[test]
fn an_admin_key_switches_the_server_off_over_itself() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_engine(dir.path());
    let (server, _) = DesktopRestApi::attach(&engine).unwrap();
    let port = free_port();
    switch(&engine, true, port).unwrap();
    let reader = key(&engine, &[Scope::Read]);
    let admin = key(&engine, &[Scope::Admin]);
    let off = json!({ "enabled": false, "port": port }).to_string();

    let (status, body) = request(
        "PUT",
        port,
        "/api/v1/settings/rest-api",
        Some(&reader),
        &off,
    )
    .unwrap();
    assert_eq!(status, 403, "{body}");
    let (status, body) = get(port, "/api/v1/settings/rest-api", Some(&reader)).unwrap();
    assert_eq!(
        (status, &body["data"]["listeningPort"]),
        (200, &json!(port))
    );

    let (status, body) =
        request("PUT", port, "/api/v1/settings/rest-api", Some(&admin), &off).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["listeningPort"], Value::Null);
    assert_eq!(engine.rest_api().unwrap().listening_port, None);

    // And on again, from the app, on another port.
    let other = free_port();
    assert_eq!(switch(&engine, true, other).unwrap(), other);
    assert_eq!(get(other, "/api/v1/health", None).unwrap().0, 200);
    server.stop();
}

#[test]
fn the_window_switches_it_through_the_api_table_as_over_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_engine(dir.path());
    let (server, _) = DesktopRestApi::attach(&engine).unwrap();
    let api = whatsflow_api::routes::api();
    let port = free_port();
    let ipc = |method: &str, body: Option<Value>| {
        let request = ApiRequest {
            method: method.into(),
            path: "/api/v1/settings/rest-api".into(),
            body,
            ..ApiRequest::default()
        };
        let response = api.dispatch(&engine, Caller::Desktop, request);
        (response.status, response.json_body())
    };

    let (status, body) = ipc("PUT", Some(json!({ "enabled": true, "port": port })));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["baseUrl"],
        json!(format!("http://127.0.0.1:{port}"))
    );
    assert_eq!(get(port, "/api/v1/health", None).unwrap().0, 200);

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().port();
    let (status, body) = ipc("PUT", Some(json!({ "enabled": true, "port": busy })));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "port");
    let (status, body) = ipc(
        "PUT",
        Some(json!({ "enabled": true, "port": port, "host": "0.0.0.0" })),
    );
    assert_eq!(status, 400, "unknown fields are refused: {body}");

    let (status, body) = ipc("PUT", Some(json!({ "enabled": false, "port": port })));
    assert_eq!(status, 200, "{body}");
    assert!(get(port, "/api/v1/health", None).is_err());
    let (_, body) = ipc("GET", None);
    assert_eq!(body["data"]["enabled"], false);
    server.stop();
}
