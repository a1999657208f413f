//! What the route modules' tests share: calling the route table as the app's own session and
//! reading the JSON it answers.

use serde_json::Value;
use whatsflow_engine::Engine;

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
