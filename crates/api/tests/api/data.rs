//! Routes of the data's safety through the API table: backups listed, taken and restored (a listed
//! one or an uploaded file, a wrong file refused), "Export everything" as a zip, "Erase everything"
//! only with its confirmation, and the log folder.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};
use whatsflow_api::{Api, ApiRequest, Caller, IpcResponse};
use whatsflow_engine::{Engine, Options, SystemClock};

struct App {
    engine: Engine,
    api: Api,
    dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Options::new(dir.path().to_owned(), Arc::new(SystemClock))).unwrap();
    App {
        engine,
        api: whatsflow_api::routes::api(),
        dir,
    }
}

impl App {
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        file: Option<&[u8]>,
    ) -> IpcResponse {
        let request = ApiRequest {
            method: method.into(),
            path: path.into(),
            body,
            body_base64: file.map(|f| base64::engine::general_purpose::STANDARD.encode(f)),
            ..Default::default()
        };
        IpcResponse::from(self.api.dispatch(&self.engine, Caller::Desktop, request))
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self.call(method, path, body, None);
        assert_eq!(answer.status, 200, "{method} {path}: {:?}", answer.body);
        answer.body["data"].clone()
    }
}

fn onboard(app: &App) {
    app.ok(
        "PUT",
        "/api/v1/profile",
        Some(
            json!({"businessName": "Corner Shop", "country": "US", "timezone": "America/New_York"}),
        ),
    );
}

#[test]
fn backups_are_listed_taken_and_restored_through_the_api() {
    let app = app();
    onboard(&app);
    let empty = app.ok("GET", "/api/v1/backups", None);
    assert_eq!(empty["backups"], json!([]));
    assert!(empty["folder"].as_str().unwrap().ends_with("backups"));

    let made = app.ok("POST", "/api/v1/backups", None);
    assert_eq!(made["kind"], "manual");
    assert!(made["sizeBytes"].as_u64().unwrap() > 0);
    let listed = app.ok("GET", "/api/v1/backups", None);
    assert_eq!(listed["backups"][0]["name"], made["name"]);

    let name = made["name"].as_str().unwrap();
    let restored = app.ok("POST", &format!("/api/v1/backups/{name}/restore"), None);
    assert_eq!(restored["restartRequired"], true);

    let file = std::fs::read(app.dir.path().join("backups").join(name)).unwrap();
    let uploaded = app.call("POST", "/api/v1/backups/restore", None, Some(&file));
    assert_eq!(uploaded.status, 200, "{:?}", uploaded.body);

    let junk = app.call(
        "POST",
        "/api/v1/backups/restore",
        None,
        Some(b"not a database"),
    );
    assert_eq!(junk.status, 400);
    let body = junk.body;
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a WhatsFlow backup"));

    let unknown = app.call(
        "POST",
        "/api/v1/backups/whatsflow-nothing.db/restore",
        None,
        None,
    );
    assert_eq!(unknown.status, 404);
}

#[test]
fn export_everything_answers_a_zip() {
    let app = app();
    onboard(&app);
    let answer = app.call("GET", "/api/v1/export", None, None);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/zip");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(answer.body_base64.as_deref().unwrap())
        .unwrap();
    assert!(
        bytes.starts_with(b"PK"),
        "a zip starts with its local file header"
    );
}

#[test]
fn erase_needs_its_confirmation_and_then_the_app_stops_serving() {
    let app = app();
    onboard(&app);
    let refused = app.call(
        "POST",
        "/api/v1/erase",
        Some(json!({"confirmation": "yes"})),
        None,
    );
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["details"][0]["field"], "confirmation");
    app.ok("GET", "/api/v1/profile", None);

    let erased = app.ok(
        "POST",
        "/api/v1/erase",
        Some(json!({"confirmation": "ERASE"})),
    );
    assert_eq!(erased["erased"], true);
    let after = app.call("GET", "/api/v1/profile", None, None);
    assert_eq!(after.status, 409);
    assert!(after.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("erased"));
}

#[test]
fn the_log_folder_is_named() {
    let app = app();
    let folder = app.ok("GET", "/api/v1/app/logs", None);
    assert!(!folder["path"].as_str().unwrap().is_empty());
}
