//! API keys against the route table: every route declares the scope a key needs, and a key without
//! it is refused with 403 naming the scope, while a key with it gets past the check. Also: unknown
//! JSON fields are refused by name, `Idempotency-Key` makes a send happen once, and every call a key
//! makes to change something is audit-logged under the key's name.

use std::sync::Arc;

use serde_json::{json, Value};
use whatsflow_api::api::{Access, Method};
use whatsflow_api::{ApiRequest, ApiResponse, Caller};
use whatsflow_engine::api_keys::{ApiKey, ApiKeyInput, Scope, Scopes};
use whatsflow_engine::link::OutgoingMessage;
use whatsflow_engine::{ConnectionState, ConnectionStatus, Engine, Link, ManualClock, Result};

const PUBLIC: &[&str] = &["/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"];

fn fresh_engine() -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    (Engine::in_memory(clock, dir.path()).unwrap(), dir)
}

fn request(method: Method, path: &str, body: Option<Value>) -> ApiRequest {
    ApiRequest {
        method: method.as_str().to_uppercase(),
        path: path.into(),
        body,
        ..Default::default()
    }
}

/// A route's path with `1` for each parameter.
fn sample_path(route_path: &str) -> String {
    route_path
        .split('/')
        .map(|part| if part.starts_with('{') { "1" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// A key made on `engine`, and the caller it stands for.
fn new_key(engine: &Engine, name: &str, scope: Scope) -> (ApiKey, Caller) {
    let key = engine
        .create_api_key(ApiKeyInput {
            name: name.into(),
            scopes: vec![scope],
        })
        .unwrap()
        .api_key;
    let caller = Caller::Key {
        id: key.id,
        scopes: Scopes::of(&key.scopes),
    };
    (key, caller)
}

fn error_of(response: &ApiResponse) -> Value {
    response.json_body()["error"].clone()
}

#[test]
fn every_route_has_a_scope_and_refuses_a_key_without_it() {
    let api = whatsflow_api::routes::api();
    let all = [Scope::Read, Scope::Send, Scope::Admin];
    let mut checked = 0;
    for route in api.routes() {
        let path = sample_path(route.path);
        let Some(needed) = route.access.scope() else {
            assert_eq!(route.access, Access::Public);
            assert!(
                PUBLIC.contains(&route.path),
                "{} {} needs no credentials: add it to PUBLIC only if it must",
                route.method.as_str(),
                route.path
            );
            continue;
        };
        // Every scope but the one needed (and but admin, which implies it).
        let others: Vec<Scope> = all
            .into_iter()
            .filter(|s| *s != needed && *s != Scope::Admin)
            .collect();
        let (engine, _dir) = fresh_engine();
        let without = Caller::Key {
            id: 1,
            scopes: Scopes::of(&others),
        };
        let refused = api.dispatch(&engine, without, request(route.method, &path, None));
        assert_eq!(
            refused.status,
            403,
            "{} {path} without {needed:?}",
            route.method.as_str()
        );
        let error = error_of(&refused);
        assert_eq!(error["code"], "forbidden");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{}`", needed.as_str())),
            "{} {path}: {error}",
            route.method.as_str()
        );
        for holder in [Scopes::of(&[needed]), Scopes::of(&[Scope::Admin])] {
            let (engine, _dir) = fresh_engine();
            let with = Caller::Key {
                id: 1,
                scopes: holder,
            };
            let answer = api.dispatch(&engine, with, request(route.method, &path, None));
            assert!(
                answer.status != 401 && answer.status != 403,
                "{} {path} with {holder:?}: {} {}",
                route.method.as_str(),
                answer.status,
                answer.json_body()
            );
        }
        checked += 1;
    }
    assert!(checked > 40, "only {checked} routes checked");
    let (engine, _dir) = fresh_engine();
    let anonymous = api.dispatch(
        &engine,
        Caller::Anonymous,
        request(Method::Get, "/api/v1/contacts", None),
    );
    assert_eq!(anonymous.status, 401);
}

/// Routes whose call leaves no audit log to read: erasing everything erases the log too.
const UNAUDITABLE: &[&str] = &["/api/v1/erase"];

#[test]
fn every_mutating_call_with_a_key_is_audit_logged_with_the_keys_name() {
    let api = whatsflow_api::routes::api();
    let mut checked = 0;
    for route in api.routes() {
        if route.method == Method::Get
            || route.access == Access::Public
            || UNAUDITABLE.contains(&route.path)
        {
            continue;
        }
        let path = sample_path(route.path);
        let (engine, _dir) = fresh_engine();
        let (key, caller) = new_key(&engine, "order sync script", Scope::Admin);
        let answer = api.dispatch(&engine, caller, request(route.method, &path, None));
        let route_name = format!("{} {}", route.method.as_str().to_uppercase(), route.path);
        let entry = engine
            .audit_log(50)
            .unwrap()
            .into_iter()
            .find(|e| e.action == "api.call")
            .unwrap_or_else(|| panic!("{route_name}: no audit entry"));
        assert_eq!(entry.actor, format!("api-key:{}", key.id), "{route_name}");
        assert_eq!(
            entry.detail,
            json!({
                "keyId": key.id, "keyName": "order sync script", "route": route_name,
                "path": path, "status": answer.status,
            }),
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} routes checked");

    // Reading is not audited, nor is the UI's own session.
    let (engine, _dir) = fresh_engine();
    let (_, reader) = new_key(&engine, "reader", Scope::Read);
    api.dispatch(
        &engine,
        reader,
        request(Method::Get, "/api/v1/contacts", None),
    );
    let contact = json!({ "phoneNumber": "+14155550177" });
    let made = api.dispatch(
        &engine,
        Caller::Session,
        request(Method::Post, "/api/v1/contacts", Some(contact)),
    );
    assert_eq!(made.status, 200);
    let calls = engine.audit_log(50).unwrap();
    assert!(calls.iter().all(|e| e.action != "api.call"), "{calls:?}");
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let (engine, _dir) = fresh_engine();
    let api = whatsflow_api::routes::api();
    let body =
        json!({ "phoneNumber": "+14155550132", "message": "hi", "mediaURL": "http://x/y.png" });
    let answer = api.dispatch(
        &engine,
        Caller::Session,
        request(Method::Post, "/api/v1/messages/send", Some(body)),
    );
    assert_eq!(answer.status, 400);
    let error = error_of(&answer);
    assert_eq!(error["details"][0]["field"], "mediaURL", "{error}");
    assert!(error["message"].as_str().unwrap().contains("mediaURL"));
    let typo = json!({ "phoneNumber": "+14155550132", "nmae": "Rosa" });
    let answer = api.dispatch(
        &engine,
        Caller::Session,
        request(Method::Post, "/api/v1/contacts", Some(typo)),
    );
    assert_eq!(answer.status, 400);
    assert_eq!(error_of(&answer)["details"][0]["field"], "nmae");
}

/// A linked WhatsApp on which every number has an account; sends are never handed over here (no
/// outbox worker runs), so what counts is what the engine queued.
struct Linked;

impl Link for Linked {
    fn status(&self) -> ConnectionStatus {
        ConnectionStatus::new(ConnectionState::Connected)
    }
    fn connect(&self) -> Result<()> {
        Ok(())
    }
    fn disconnect(&self) -> Result<()> {
        Ok(())
    }
    fn request_pairing_code(&self, _: &str) -> Result<String> {
        Ok("ABCD1234".into())
    }
    fn take_over(&self) -> Result<()> {
        Ok(())
    }
    fn check_number(&self, digits: &str) -> Result<Option<String>> {
        Ok(Some(format!("{digits}@c.us")))
    }
    fn send(&self, _: &OutgoingMessage) -> Result<i32> {
        Ok(1)
    }
    fn find_message(&self, _: &str) -> Result<Option<i32>> {
        Ok(None)
    }
    fn mark_read(&self, _: &str) -> Result<()> {
        Ok(())
    }
    fn set_typing(&self, _: &str, _: bool) -> Result<()> {
        Ok(())
    }
}

#[test]
fn a_send_repeated_with_its_idempotency_key_is_sent_once() {
    let (engine, _dir) = fresh_engine();
    engine.set_link(Arc::new(Linked));
    let api = whatsflow_api::routes::api();
    let send = |key: &str, caller: Caller| {
        let mut request = request(
            Method::Post,
            "/api/v1/messages/send",
            Some(json!({ "phoneNumber": "+14155550132", "message": "Your order is ready" })),
        );
        request.idempotency_key = Some(key.into());
        api.dispatch(&engine, caller, request)
    };
    let key = Caller::Key {
        id: 7,
        scopes: Scopes::of(&[Scope::Send]),
    };
    let first = send("order-1042", key);
    assert_eq!(first.status, 200, "{}", first.json_body());
    for _ in 0..5 {
        let again = send("order-1042", key);
        assert_eq!(again.status, 200);
        assert_eq!(
            again.json_body(),
            first.json_body(),
            "the first answer, again"
        );
    }
    let messages = |engine: &Engine| {
        api.dispatch(
            engine,
            Caller::Session,
            request(Method::Get, "/api/v1/messages", None),
        )
        .json_body()["data"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(messages(&engine), 1, "one message queued for six requests");
    // Keys belong to their caller; a new key sends again.
    assert_eq!(send("order-1042", Caller::Session).status, 200);
    assert_eq!(send("order-1043", key).status, 200);
    assert_eq!(messages(&engine), 3);
    // The same key on another route is a mistake, said so.
    let mut other = request(
        Method::Post,
        "/api/v1/contacts",
        Some(json!({ "phoneNumber": "+14155550199" })),
    );
    other.idempotency_key = Some("order-1042".into());
    let answer = api.dispatch(&engine, key, other);
    assert_eq!(
        answer.status, 200,
        "contacts do not take the key: it is ignored there"
    );
}
