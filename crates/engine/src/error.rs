//! The engine's one error type: a stable code the UI and the REST API branch on, a sentence for people,
//! and per-field details for forms.

use serde::Serialize;

/// Stable, closed set of error codes. Add one only when a caller branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    InvalidJson,
    NotFound,
    Conflict,
    Unauthorized,
    Forbidden,
    AppLocked,
    WrongPasscode,
    TooManyAttempts,
    PayloadTooLarge,
    NotOnWhatsapp,
    WhatsappUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::AppLocked => "app_locked",
            ErrorCode::WrongPasscode => "wrong_passcode",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::NotOnWhatsapp => "not_on_whatsapp",
            ErrorCode::WhatsappUnavailable => "whatsapp_unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// What is wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Seconds the caller should wait before trying again (rate limits, lockouts).
    pub retry_after: Option<u64>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }
    pub fn not_found(what: &str) -> Error {
        Error::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Internal, message)
    }
    /// A validation error for several fields at once; `details` must not be empty.
    pub fn invalid(details: Vec<FieldError>) -> Error {
        let message = match details.as_slice() {
            [one] => one.message.clone(),
            _ => format!("{} fields need attention", details.len()),
        };
        Error {
            code: ErrorCode::ValidationFailed,
            message,
            details,
            retry_after: None,
        }
    }
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Error {
        Error::invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        tracing::error!(error = %e, "database error");
        Error::internal(format!("database error: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::internal(format!("file error: {e}"))
    }
}

/// Collects field errors while checking an input, so a form gets every problem at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
    /// Fails the field when `value` is longer than `max` characters.
    pub fn max_len(&mut self, field: &str, label: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.fail(field, format!("{label} must be at most {max} characters"));
        }
    }
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(self.0))
        }
    }
}
