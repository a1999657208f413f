//! What the route table answers to requests a fuzzer makes: a method a known path does not take
//! (405 with `Allow`), a route that declares a JSON body called with none (400 naming the body), and
//! a handler that panics (500 with the standard error body, and the next request served as usual).

use std::sync::Arc;

use whatsflow_api::api::{data, Access, Method, NoBody};
use whatsflow_api::{Api, ApiRequest, ApiResponse, Caller};
use whatsflow_engine::{Engine, ManualClock, Result};

fn fresh_engine() -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    (Engine::in_memory(clock, dir.path()).unwrap(), dir)
}

fn send(api: &Api, engine: &Engine, method: &str, path: &str) -> ApiResponse {
    let request = ApiRequest {
        method: method.into(),
        path: path.into(),
        raw_body: Some(Vec::new()),
        ..Default::default()
    };
    api.dispatch(engine, Caller::Session, request)
}

fn error_code(response: &ApiResponse) -> String {
    response.json_body()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_method_a_known_path_does_not_take_is_405_with_allow() {
    let (engine, _dir) = fresh_engine();
    let api = whatsflow_api::routes::api();
    let settings = send(&api, &engine, "DELETE", "/api/v1/settings");
    assert_eq!(settings.status, 405, "{:?}", settings.json_body());
    assert_eq!(error_code(&settings), "method_not_allowed");
    assert_eq!(settings.allow.as_deref(), Some("GET, PUT"));

    // A method no route takes at all, on a path with parameters.
    let contact = send(&api, &engine, "PATCH", "/api/v1/contacts/7");
    assert_eq!(contact.status, 405);
    let allow = contact.allow.unwrap();
    for method in ["GET", "PUT", "DELETE"] {
        assert!(allow.contains(method), "{allow}");
    }

    // An unknown path stays 404, whatever the method.
    for method in ["GET", "PATCH"] {
        let unknown = send(&api, &engine, method, "/api/v1/nothing-here");
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.allow, None);
    }
}

#[test]
fn every_route_that_declares_a_json_body_refuses_a_missing_one() {
    let (engine, _dir) = fresh_engine();
    let api = whatsflow_api::routes::api();
    let mut checked = 0;
    for route in api.routes() {
        if route.request.is_none() || route.request_type.is_some() {
            continue;
        }
        let path: String = route
            .path
            .split('/')
            .map(|part| if part.starts_with('{') { "1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        let method = route.method.as_str().to_uppercase();
        let response = send(&api, &engine, &method, &path);
        let body = response.json_body();
        assert_eq!(response.status, 400, "{method} {path}: {body}");
        assert_eq!(error_code(&response), "invalid_json", "{method} {path}");
        assert_eq!(body["error"]["details"][0]["field"], "body", "{body}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} routes declare a body");
}

#[test]
fn a_panicking_handler_answers_500_and_the_thread_serves_on() {
    let (engine, _dir) = fresh_engine();
    let api = Api::new(vec![
        data(
            Method::Get,
            "/api/v1/boom",
            "test",
            Access::Read,
            "Panics",
            |_, _: NoBody| -> Result<bool> { panic!("a bug in a handler") },
        ),
        data(
            Method::Get,
            "/api/v1/fine",
            "test",
            Access::Read,
            "Answers",
            |_, _: NoBody| -> Result<bool> { Ok(true) },
        ),
    ]);
    for _ in 0..2 {
        let boom = send(&api, &engine, "GET", "/api/v1/boom");
        assert_eq!(boom.status, 500);
        let body = boom.json_body();
        assert_eq!(body["success"], false, "{body}");
        assert_eq!(body["error"]["code"], "internal", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("GET /api/v1/boom"),
            "{body}"
        );
        let fine = send(&api, &engine, "GET", "/api/v1/fine");
        assert_eq!(fine.status, 200);
        assert_eq!(fine.json_body()["data"], true);
    }
}
