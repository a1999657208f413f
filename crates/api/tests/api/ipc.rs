//! The desktop's transport: the `api` IPC command dispatches through the same table with
//! `Caller::Desktop`; what it answers (`IpcResponse`) must carry all an HTTP answer carries.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};
use whatsflow_api::{Api, ApiRequest, Caller, IpcResponse};
use whatsflow_engine::{Engine, Options, SystemClock};

/// What the desktop shell holds: an engine and the API table.
struct Desktop {
    engine: Engine,
    api: Api,
    _dir: tempfile::TempDir,
}

impl Desktop {
    fn new() -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        let engine =
            Engine::open(Options::new(dir.path().to_owned(), Arc::new(SystemClock))).unwrap();
        Desktop {
            engine,
            api: whatsflow_api::routes::api(),
            _dir: dir,
        }
    }

    /// One IPC call, as the UI's Tauri transport makes it.
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<Value>,
        file: Option<&[u8]>,
    ) -> IpcResponse {
        let request = ApiRequest {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            body,
            body_base64: file.map(|f| base64::engine::general_purpose::STANDARD.encode(f)),
            ..Default::default()
        };
        let answer = IpcResponse::from(self.api.dispatch(&self.engine, Caller::Desktop, request));
        // What crosses the IPC boundary is this JSON: check it is what the UI reads.
        let wire = serde_json::to_value(&answer).unwrap();
        assert_eq!(wire["status"], answer.status);
        assert_eq!(wire["contentType"], answer.content_type.as_str());
        answer
    }
}

fn decode(answer: &IpcResponse) -> Vec<u8> {
    let text = answer
        .body_base64
        .as_deref()
        .expect("a non-JSON body comes in base64");
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Too many wrong passcodes: the lock screen counts down from the wait the answer carries, over
/// IPC as over HTTP (it was lost over IPC once).
#[test]
fn the_desktop_transport_carries_the_wait_after_too_many_wrong_passcodes() {
    let desktop = Desktop::new();
    let set = json!({"newPasscode": "2468"});
    assert_eq!(
        desktop
            .call("PUT", "/api/v1/lock", "", Some(set), None)
            .status,
        200
    );
    assert_eq!(
        desktop
            .call("POST", "/api/v1/lock/lock", "", None, None)
            .status,
        200
    );
    let wrong = || {
        desktop.call(
            "POST",
            "/api/v1/lock/unlock",
            "",
            Some(json!({"passcode": "0000"})),
            None,
        )
    };
    let mut last = wrong();
    for _ in 0..10 {
        if last.status == 429 {
            break;
        }
        assert_eq!(last.status, 401, "{:?}", last.body);
        assert_eq!(last.retry_after, None);
        last = wrong();
    }
    assert_eq!(last.status, 429, "{:?}", last.body);
    let wait = last
        .retry_after
        .expect("the IPC answer carries Retry-After");
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(last.body["error"]["code"], "too_many_attempts");
    assert_eq!(
        last.body["error"]["retryAfter"], wait,
        "and so does the envelope"
    );
    let wire = serde_json::to_value(&last).unwrap();
    assert_eq!(wire["retryAfter"], wait);
}

/// A binary answer (a QR image here: any non-JSON body) crosses IPC intact, with its type.
#[test]
fn the_desktop_transport_carries_non_json_answers_with_their_type() {
    let desktop = Desktop::new();
    let doc = desktop.call("GET", "/api/v1/docs", "", None, None);
    assert_eq!(doc.status, 200);
    assert!(
        doc.content_type.starts_with("text/html"),
        "{}",
        doc.content_type
    );
    assert!(doc.body.is_null());
    let html = String::from_utf8(decode(&doc)).unwrap();
    assert!(
        html.contains("<html") || html.contains("<!doctype") || html.contains("<!DOCTYPE"),
        "{html}"
    );
}

/// The desktop's transport: the `api` IPC command dispatches with `Caller::Desktop`, files go up in
/// base64 and answers come back as `IpcResponse` (JSON as JSON, other bodies in base64).
#[test]
fn the_desktop_transport_imports_base64_files_and_exports_both_formats() {
    let desktop = Desktop::new();
    let ipc = |method: &str, path: &str, query: &str, body: Option<Value>, file: Option<&[u8]>| {
        desktop.call(method, path, query, body, file)
    };
    let shop =
        json!({"businessName": "Rosa's Flowers", "country": "US", "timezone": "America/New_York"});
    assert_eq!(
        ipc("PUT", "/api/v1/profile", "", Some(shop), None).status,
        200
    );

    // Latin-1 bytes, as a spreadsheet saved on an old Windows machine sends them.
    let csv = b"name,phone,tags\nJ\xfcrgen,(415) 555-0132,VIP\nNo phone,,\n";
    let dry = ipc(
        "POST",
        "/api/v1/contacts/import",
        "dryRun=true",
        None,
        Some(csv),
    );
    assert_eq!(dry.status, 200, "{:?}", dry.body);
    assert_eq!(
        (
            dry.body["data"]["imported"].as_i64(),
            dry.body["data"]["rejected"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let real = ipc(
        "POST",
        "/api/v1/contacts/import",
        "dryRun=false",
        None,
        Some(csv),
    );
    assert_eq!(real.body["data"]["imported"].as_i64(), Some(1));
    let list = ipc("GET", "/api/v1/contacts", "", None, None);
    assert_eq!(names(&list.body), ["Jürgen"]);

    let csv_export = ipc("GET", "/api/v1/contacts/export", "format=csv", None, None);
    assert!(
        csv_export.content_type.starts_with("text/csv"),
        "{}",
        csv_export.content_type
    );
    let text = String::from_utf8(decode(&csv_export)).expect("a CSV export is UTF-8");
    assert!(
        text.contains("Jürgen") && text.contains("+14155550132"),
        "{text}"
    );
    let json_export = ipc("GET", "/api/v1/contacts/export", "format=json", None, None);
    assert_eq!(
        json_export.body["contacts"][0]["name"], "Jürgen",
        "a JSON export comes as JSON"
    );
    // What the UI downloads and a later import sends back.
    for file in [
        text.as_bytes().to_vec(),
        json_export.body.to_string().into_bytes(),
    ] {
        let again = ipc("POST", "/api/v1/contacts/import", "", None, Some(&file));
        assert_eq!(
            (
                again.body["data"]["imported"].as_i64(),
                again.body["data"]["skipped"].as_i64()
            ),
            (Some(0), Some(1)),
            "{:?}",
            again.body
        );
    }

    let broken = ipc("POST", "/api/v1/contacts/import", "", None, None);
    assert_eq!(
        broken.status, 400,
        "an import without a file: {:?}",
        broken.body
    );
    let request = ApiRequest {
        method: "POST".into(),
        path: "/api/v1/contacts/import".into(),
        body_base64: Some("not base64!".into()),
        ..Default::default()
    };
    let bad = IpcResponse::from(
        desktop
            .api
            .dispatch(&desktop.engine, Caller::Desktop, request),
    );
    assert_eq!(
        (bad.status, &bad.body["error"]["details"][0]["field"]),
        (400, &json!("body"))
    );
}
