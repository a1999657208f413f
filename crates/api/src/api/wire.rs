//! The transport-neutral request and response both transports convert to and from (HTTP in
//! `whatsflow-http`, the desktop's IPC), and the one mapping of error codes to HTTP statuses.

use serde::{Deserialize, Serialize};
use whatsflow_engine::{Error, ErrorCode};

/// A request in transport-neutral form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiRequest {
    pub method: String,
    /// The path, e.g. `/api/v1/profile` (a `?query` part is allowed here too).
    pub path: String,
    /// The query string without `?`.
    pub query: String,
    /// The JSON body (desktop transport).
    pub body: Option<serde_json::Value>,
    /// The raw body (HTTP transport); wins over `body`.
    #[serde(skip)]
    pub raw_body: Option<Vec<u8>>,
    /// A file body in base64 (desktop transport: IPC carries JSON only), for uploads such as
    /// contact imports; used when there is no `raw_body`.
    pub body_base64: Option<String>,
    /// HTTP's `Idempotency-Key`: on a route that sends, a repeat answers the first answer again.
    pub idempotency_key: Option<String>,
}

/// A response in transport-neutral form.
#[derive(Debug, Clone, Serialize)]
pub struct ApiResponse {
    pub status: u16,
    #[serde(rename = "contentType")]
    pub content_type: String,
    #[serde(skip)]
    pub body: Vec<u8>,
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// HTTP's `Allow` on a 405: the methods the path takes (`GET, PUT`).
    #[serde(skip)]
    pub allow: Option<String>,
}

impl ApiResponse {
    pub fn json(status: u16, value: &serde_json::Value) -> ApiResponse {
        ApiResponse {
            status,
            content_type: "application/json".into(),
            body: value.to_string().into_bytes(),
            retry_after: None,
            allow: None,
        }
    }

    pub fn error(err: &Error) -> ApiResponse {
        let mut error = serde_json::json!({
            "code": err.code.as_str(), "message": err.message, "details": err.details,
        });
        if let Some(seconds) = err.retry_after {
            error["retryAfter"] = seconds.into();
        }
        let body = serde_json::json!({ "success": false, "error": error });
        let mut response = ApiResponse::json(status_of(err.code), &body);
        response.retry_after = err.retry_after;
        response
    }

    /// The body as JSON.
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What the desktop's IPC transport carries back: what an HTTP answer would carry. IPC carries
/// JSON, so a JSON body (the envelope, a JSON export) travels as JSON in `body`, and any other (a CSV
/// export, a media file) as base64 in `bodyBase64`; `retryAfter` is HTTP's `Retry-After`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IpcResponse {
    pub status: u16,
    pub content_type: String,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub body: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl From<ApiResponse> for IpcResponse {
    fn from(response: ApiResponse) -> IpcResponse {
        use base64::Engine as _;
        let json = response.content_type.starts_with("application/json");
        IpcResponse {
            status: response.status,
            body: if json {
                response.json_body()
            } else {
                serde_json::Value::Null
            },
            body_base64: (!json)
                .then(|| base64::engine::general_purpose::STANDARD.encode(&response.body)),
            content_type: response.content_type,
            retry_after: response.retry_after,
        }
    }
}

/// The HTTP status for an error code.
pub fn status_of(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::ValidationFailed | ErrorCode::InvalidJson => 400,
        ErrorCode::Unauthorized | ErrorCode::WrongPasscode => 401,
        ErrorCode::Forbidden | ErrorCode::AppLocked => 403,
        ErrorCode::NotFound => 404,
        ErrorCode::MethodNotAllowed => 405,
        ErrorCode::Conflict => 409,
        ErrorCode::PayloadTooLarge => 413,
        ErrorCode::NotOnWhatsapp => 422,
        ErrorCode::TooManyAttempts => 429,
        ErrorCode::WhatsappUnavailable => 503,
        ErrorCode::Internal => 500,
    }
}
