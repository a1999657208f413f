//! The engine's one error type: a stable code the UI and the REST API branch on, a sentence for people,
//! and per-field details for forms.

use std::sync::Arc;

use serde::Serialize;

/// Stable, closed set of error codes. Add one only when a caller branches on it. Each code's wire
/// name is [`ErrorCode::as_str`]; serialization uses it, and the schema's `snake_case` names are
/// checked against it by a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An input is wrong; `details` says which fields.
    ValidationFailed,
    /// The request body is not the JSON expected.
    InvalidJson,
    /// The thing asked for does not exist.
    NotFound,
    /// The path exists, but not with this method (the answer's `Allow` lists the methods it takes).
    MethodNotAllowed,
    /// It clashes with what exists (a number that belongs to another contact, a tag name taken).
    Conflict,
    /// No valid session token.
    Unauthorized,
    /// Not allowed, whoever asks (a media path outside the data directory).
    Forbidden,
    /// The app is locked: unlock it first.
    AppLocked,
    /// The passcode does not match.
    WrongPasscode,
    /// Too many tries; `retry_after` says when to try again.
    TooManyAttempts,
    /// The request body is over its route's limit.
    PayloadTooLarge,
    /// The number has no WhatsApp account.
    NotOnWhatsapp,
    /// WhatsApp is not connected, or not set up in this program.
    WhatsappUnavailable,
    /// Something failed inside (the database, a file); not the caller's fault.
    Internal,
}

impl ErrorCode {
    /// The code as clients see it (`validation_failed`, `not_found`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
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

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What is wrong with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// The field's name as the wire spells it (`phoneNumber`, `fields.city`).
    pub field: String,
    /// What is wrong with it, as a sentence for people.
    pub message: String,
}

/// Where an error came from below the engine (SQLite, the file system, a CSV writer), kept for logs.
pub type ErrorSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// The engine's error: a code to branch on, a sentence for people, per-field details, and the lower
/// error it comes from (reachable through [`std::error::Error::source`], never in the sentence).
#[derive(Debug, Clone)]
pub struct Error {
    /// What kind of failure this is; callers branch on it.
    pub code: ErrorCode,
    /// One sentence for people.
    pub message: String,
    /// Per-field problems, for forms.
    pub details: Vec<FieldError>,
    /// Seconds the caller should wait before trying again (rate limits, lockouts).
    pub retry_after: Option<u64>,
    /// The lower-level error this one comes from, if any.
    pub source: Option<ErrorSource>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The error itself, not its `Arc`, so callers can downcast it.
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Two errors are equal when they say the same thing; where they came from is not compared.
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.code == other.code
            && self.message == other.message
            && self.details == other.details
            && self.retry_after == other.retry_after
    }
}

impl Eq for Error {}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a code and a sentence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            source: None,
        }
    }
    /// `<what> not found`.
    pub fn not_found(what: &str) -> Error {
        Error::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    /// Something went wrong inside; not the caller's fault.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Internal, message)
    }
    /// The same error, caused by `source`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Arc::new(source));
        self
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
            source: None,
        }
    }
    /// A validation error for one field.
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
        Error::internal("database error").with_source(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::internal("file error").with_source(e)
    }
}

/// Collects field errors while checking an input, so a form gets every problem at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records a problem with a field.
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
    /// Every problem recorded, as one validation error; `Ok` when there was none.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_and_appear_in_the_schema_as_as_str_says() {
        use strum::IntoEnumIterator;
        let schema = serde_json::to_value(schemars::schema_for!(ErrorCode)).unwrap();
        // Variants with doc comments become `oneOf` entries, each a `const` with its description.
        let listed: Vec<&str> = schema["oneOf"]
            .as_array()
            .expect("the schema lists the codes")
            .iter()
            .filter_map(|v| v["const"].as_str().or_else(|| v["enum"][0].as_str()))
            .collect();
        let named: Vec<&str> = ErrorCode::iter().map(ErrorCode::as_str).collect();
        assert_eq!(listed, named);
        for code in ErrorCode::iter() {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn a_database_error_keeps_its_cause_out_of_the_sentence() {
        use std::error::Error as _;
        let err = Error::from(rusqlite::Error::InvalidQuery);
        assert_eq!(err.code, ErrorCode::Internal);
        assert_eq!(err.message, "database error");
        let cause = err.source().expect("the rusqlite error is the source");
        assert!(cause.downcast_ref::<rusqlite::Error>().is_some());
    }
}
