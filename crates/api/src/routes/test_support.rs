//! What the route modules' tests share: calling the route table as the app's own session and
//! reading the JSON it answers.

use std::sync::Arc;

use serde_json::Value;
use whatsflow_engine::{Engine, ManualClock};

use crate::api::{ApiRequest, ApiResponse, Caller};

/// Calls the route table as the app's own session.
pub(super) fn call(engine: &Engine, method: &str, path: &str, body: Option<Value>) -> ApiResponse {
    crate::routes::api().dispatch(
        engine,
        Caller::Session,
        ApiRequest {
            method: method.into(),
            path: path.into(),
            body,
            ..Default::default()
        },
    )
}

/// A GET as the app's own session.
pub(super) fn get(engine: &Engine, path: &str) -> ApiResponse {
    call(engine, "GET", path, None)
}

/// The answer's body as JSON.
pub(super) fn json(response: &ApiResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap()
}

/// An empty engine in a temporary directory whose clock stands at `now` (milliseconds).
pub(super) fn engine_at(now: i64) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::in_memory(Arc::new(ManualClock::new(now)), dir.path()).unwrap();
    (engine, dir)
}
