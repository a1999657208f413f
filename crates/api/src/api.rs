//! The API table: every route's method, path, access, request and response types, and the engine call
//! behind it. The HTTP server and the desktop shell's `api` command both dispatch through [`dispatch`],
//! and the OpenAPI document is generated from the same table, so the three cannot drift apart.

use std::collections::HashMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use whatsflow_engine::api_keys::{Scope, Scopes};
use whatsflow_engine::idempotency::Claim;
use whatsflow_engine::{Engine, Error, ErrorCode, Result};

/// Default limit on a request body; routes that take files raise it.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn parse(text: &str) -> Option<Method> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed (health, the OpenAPI document).
    Public,
    /// Any authenticated caller, even while the app is locked (app state, unlocking).
    WhileLocked,
    /// Reading data.
    Read,
    /// Sending messages and changing data.
    Send,
    /// Settings, keys, the app lock.
    Admin,
}

impl Access {
    /// The scope an API key needs for a route with this access; `None` for public routes. Routes
    /// usable while the app is locked (its state, unlocking) only read.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Access::Public => None,
            Access::WhileLocked | Access::Read => Some(Scope::Read),
            Access::Send => Some(Scope::Send),
            Access::Admin => Some(Scope::Admin),
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The desktop window, over Tauri IPC.
    Desktop,
    /// A browser or script holding the server's session token: the UI's own transport, full access.
    Session,
    /// A script with an API key: what its scopes allow.
    Key { id: i64, scopes: Scopes },
    /// Nobody identified.
    Anonymous,
}

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
}

impl ApiResponse {
    pub fn json(status: u16, value: &serde_json::Value) -> ApiResponse {
        ApiResponse {
            status,
            content_type: "application/json".into(),
            body: value.to_string().into_bytes(),
            retry_after: None,
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
        ErrorCode::Conflict => 409,
        ErrorCode::PayloadTooLarge => 413,
        ErrorCode::NotOnWhatsapp => 422,
        ErrorCode::TooManyAttempts => 429,
        ErrorCode::WhatsappUnavailable => 503,
        ErrorCode::Internal => 500,
    }
}

/// What a handler sees of its request.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    /// Who is calling, as the transport authenticated them.
    pub caller: Caller,
    pub params: HashMap<&'static str, String>,
    pub query: HashMap<String, Vec<String>>,
}

impl Ctx<'_> {
    /// A numeric path parameter such as `{id}`.
    pub fn id(&self, name: &str) -> Result<i64> {
        self.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Error::invalid_field(name, format!("{name} must be a number")))
    }
    /// The first `?name=` value as sent.
    pub fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
    /// `?name=` trimmed, absent when empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.query_one(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
    /// `?name=true|false|1|0`, absent when empty.
    pub fn flag(&self, name: &str) -> Result<Option<bool>> {
        self.one_of(
            name,
            &[("true", true), ("1", true), ("false", false), ("0", false)],
        )
        .map_err(|_| Error::invalid_field(name, format!("{name} must be true or false")))
    }
    /// `?name=` as one of the given words, absent when empty; the error lists the words.
    pub fn one_of<T: Copy>(&self, name: &str, choices: &[(&str, T)]) -> Result<Option<T>> {
        let Some(value) = self.text(name) else {
            return Ok(None);
        };
        choices
            .iter()
            .find(|(word, _)| *word == value)
            .map(|(_, choice)| Some(*choice))
            .ok_or_else(|| {
                let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
                Error::invalid_field(name, format!("{name} must be one of: {}", words.join(", ")))
            })
    }
    /// `?name=` ids, repeated or comma-separated (`?tag=1&tag=2`, `?tag=1,2`).
    pub fn ids(&self, name: &str) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for value in self.query.get(name).into_iter().flatten() {
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                ids.push(part.parse().map_err(|_| {
                    Error::invalid_field(name, format!("{name} must be ids (numbers)"))
                })?);
            }
        }
        Ok(ids)
    }
    /// `?name=` as a number, absent when empty.
    pub fn number(&self, name: &str) -> Result<Option<i64>> {
        self.text(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid_field(name, format!("{name} must be a number")))
            })
            .transpose()
    }
    /// `?limit=`, between 1 and 500.
    pub fn limit(&self, default: usize) -> Result<usize> {
        match self.query_one("limit") {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| Error::invalid_field("limit", "limit must be between 1 and 500")),
        }
    }
    /// `?cursor=`: the `nextCursor` of the previous page, handed to the engine as it is.
    pub fn cursor(&self) -> Option<&str> {
        self.query_one("cursor")
    }
}

/// What a handler answers.
pub enum Reply {
    Data(serde_json::Value),
    Page(serde_json::Value, Option<String>),
    Raw { content_type: String, body: Vec<u8> },
}

/// A page of a list and the cursor for the next one: the engine's one pagination model.
pub use whatsflow_engine::Page;

/// Raw bytes with their content type (QR images, exports).
pub struct Raw {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The request body of routes that take none.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct NoBody {}

type Handler = Box<dyn Fn(&Ctx, &[u8]) -> Result<Reply> + Send + Sync>;
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What the OpenAPI document says a route answers.
#[derive(Clone, Copy)]
pub enum Answer {
    Data(SchemaFn),
    Page(SchemaFn),
    Raw(&'static str),
}

/// A documented query parameter.
#[derive(Clone, Copy)]
pub struct QueryParam {
    pub name: &'static str,
    pub description: &'static str,
}

pub struct Route {
    pub method: Method,
    /// With `{name}` placeholders, e.g. `/api/v1/contacts/{id}`.
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub access: Access,
    pub max_body: usize,
    pub request: Option<SchemaFn>,
    /// The request body's media type when it is not JSON (a file upload), for the OpenAPI document.
    pub request_type: Option<&'static str>,
    pub answer: Answer,
    pub query: &'static [QueryParam],
    /// Takes `Idempotency-Key` (routes that send).
    pub idempotent: bool,
    handler: Handler,
}

impl Route {
    pub fn with_query(mut self, query: &'static [QueryParam]) -> Route {
        self.query = query;
        self
    }
    pub fn max_body(mut self, bytes: usize) -> Route {
        self.max_body = bytes;
        self
    }
    /// Marks a route that sends: a repeat with the same `Idempotency-Key` sends nothing new.
    pub fn idempotent(mut self) -> Route {
        self.idempotent = true;
        self
    }
    fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.trim_matches('/').split('/')
    }
}

/// A route with the defaults every constructor starts from: no request body, no query
/// parameters, the default body limit, not idempotent.
fn plain_route(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    answer: Answer,
    handler: Handler,
) -> Route {
    Route {
        method,
        path,
        summary,
        tag,
        access,
        max_body: DEFAULT_MAX_BODY,
        request: None,
        request_type: None,
        answer,
        query: &[],
        idempotent: false,
        handler,
    }
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn parse_body<I: DeserializeOwned>(bytes: &[u8]) -> Result<I> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        // Request types refuse fields they do not know, so a typo never silently does nothing.
        let text = e.to_string();
        if let Some(field) = text
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
        {
            let message = format!("Unknown field `{field}` in the request body ({text})");
            return Error::invalid_field(field, message);
        }
        let mut err = Error::new(
            ErrorCode::InvalidJson,
            format!("The request body is not valid JSON: {e}"),
        );
        err.details.push(whatsflow_engine::FieldError {
            field: "body".into(),
            message: e.to_string(),
        });
        err
    })
}

fn to_value<T: Serialize>(value: T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::internal(e.to_string()))
}

/// A route answering one JSON object, taking a JSON body `I` (use [`NoBody`] for none).
pub fn data<I, O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    handler: impl Fn(&Ctx, I) -> Result<O> + Send + Sync + 'static,
) -> Route
where
    I: DeserializeOwned + JsonSchema + 'static,
    O: Serialize + JsonSchema + 'static,
{
    let takes_body =
        method != Method::Get && std::any::type_name::<I>() != std::any::type_name::<NoBody>();
    Route {
        request: takes_body.then_some(schema_of::<I> as SchemaFn),
        ..plain_route(
            method,
            path,
            tag,
            access,
            summary,
            Answer::Data(schema_of::<O>),
            Box::new(move |ctx, bytes| {
                let input = if takes_body {
                    parse_body::<I>(bytes)?
                } else {
                    parse_body::<I>(b"{}")?
                };
                Ok(Reply::Data(to_value(handler(ctx, input)?)?))
            }),
        )
    }
}

/// A GET route answering a page of `T` with `nextCursor`.
pub fn page<T>(
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    handler: impl Fn(&Ctx) -> Result<Page<T>> + Send + Sync + 'static,
) -> Route
where
    T: Serialize + JsonSchema + 'static,
{
    plain_route(
        Method::Get,
        path,
        tag,
        access,
        summary,
        Answer::Page(schema_of::<Vec<T>>),
        Box::new(move |ctx, _| {
            let page = handler(ctx)?;
            Ok(Reply::Page(to_value(page.items)?, page.next_cursor))
        }),
    )
}

/// A route answering raw bytes (an image, a file).
pub fn raw(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    content_type: &'static str,
    handler: impl Fn(&Ctx, &[u8]) -> Result<Raw> + Send + Sync + 'static,
) -> Route {
    plain_route(
        method,
        path,
        tag,
        access,
        summary,
        Answer::Raw(content_type),
        Box::new(move |ctx, bytes| {
            let raw = handler(ctx, bytes)?;
            Ok(Reply::Raw {
                content_type: raw.content_type,
                body: raw.body,
            })
        }),
    )
}

fn file_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({ "type": "string", "description": "The file's bytes" })
}

/// A route taking the raw request body (a file of `content_type`, e.g. an import) and answering one
/// JSON object. The handler gets the bytes unparsed; raise the size limit with [`Route::max_body`].
pub fn upload<O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    content_type: &'static str,
    handler: impl Fn(&Ctx, &[u8]) -> Result<O> + Send + Sync + 'static,
) -> Route
where
    O: Serialize + JsonSchema + 'static,
{
    Route {
        request: Some(file_schema),
        request_type: Some(content_type),
        ..plain_route(
            method,
            path,
            tag,
            access,
            summary,
            Answer::Data(schema_of::<O>),
            Box::new(move |ctx, bytes| Ok(Reply::Data(to_value(handler(ctx, bytes)?)?))),
        )
    }
}

/// The route table with a path matcher.
pub struct Api {
    routes: Vec<Route>,
}

impl Api {
    pub fn new(routes: Vec<Route>) -> Api {
        Api { routes }
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Finds the route for a method and path; `Err(true)` when the path exists with other methods.
    fn find(
        &self,
        method: Method,
        path: &str,
    ) -> std::result::Result<(&Route, HashMap<&'static str, String>), bool> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut path_known = false;
        for route in &self.routes {
            let mut params = HashMap::new();
            let mut segments = route.segments();
            let matched = parts.iter().all(|part| match segments.next() {
                Some(seg) if seg.starts_with('{') => {
                    params.insert(seg.trim_matches(['{', '}']), percent_decode(part));
                    !part.is_empty()
                }
                Some(seg) => seg == *part,
                None => false,
            }) && segments.next().is_none();
            if matched {
                if route.method == method {
                    return Ok((route, params));
                }
                path_known = true;
            }
        }
        Err(path_known)
    }

    /// Runs one request for a caller already authenticated by its transport.
    pub fn dispatch(&self, engine: &Engine, caller: Caller, request: ApiRequest) -> ApiResponse {
        match self.try_dispatch(engine, caller, request) {
            Ok(response) => response,
            Err(err) => ApiResponse::error(&err),
        }
    }

    fn try_dispatch(
        &self,
        engine: &Engine,
        caller: Caller,
        request: ApiRequest,
    ) -> Result<ApiResponse> {
        let (path, query_in_path) = match request.path.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (request.path.clone(), String::new()),
        };
        let method = Method::parse(&request.method).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("Method {} is not supported", request.method),
            )
        })?;
        let (route, params) = self.find(method, &path).map_err(|path_known| {
            if path_known {
                Error::new(
                    ErrorCode::NotFound,
                    format!("{} is not allowed on {path}", request.method),
                )
            } else {
                Error::new(ErrorCode::NotFound, format!("No such route: {path}"))
            }
        })?;
        match (route.access, caller) {
            (Access::Public, _) => {}
            (_, Caller::Anonymous) => {
                return Err(Error::new(
                    ErrorCode::Unauthorized,
                    "Missing or wrong token: send Authorization: Bearer <token>",
                ))
            }
            (access, Caller::Key { scopes, .. }) => {
                let needed = access.scope().unwrap_or(Scope::Admin);
                if !scopes.allow(needed) {
                    let mut err = Error::new(
                        ErrorCode::Forbidden,
                        format!(
                            "This API key lacks the `{}` scope this route needs",
                            needed.as_str()
                        ),
                    );
                    err.details.push(whatsflow_engine::FieldError {
                        field: "scope".into(),
                        message: needed.as_str().into(),
                    });
                    return Err(err);
                }
                if access != Access::WhileLocked && engine.is_locked() {
                    return Err(Error::new(
                        ErrorCode::AppLocked,
                        "WhatsFlow is locked: enter the passcode first",
                    ));
                }
            }
            (Access::WhileLocked, _) => {}
            (_, Caller::Desktop | Caller::Session) => {
                if engine.is_locked() {
                    return Err(Error::new(
                        ErrorCode::AppLocked,
                        "WhatsFlow is locked: enter the passcode first",
                    ));
                }
            }
        }
        let body = match (request.raw_body, request.body) {
            (Some(raw), _) => raw,
            (None, _) if request.body_base64.is_some() => {
                use base64::Engine as _;
                let text = request.body_base64.as_deref().unwrap_or_default();
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| Error::invalid_field("body", "The file is not valid base64"))?
            }
            (None, Some(value)) => value.to_string().into_bytes(),
            (None, None) => Vec::new(),
        };
        if body.len() > route.max_body {
            return Err(Error::new(
                ErrorCode::PayloadTooLarge,
                format!("The request body is larger than {} bytes", route.max_body),
            ));
        }
        let query_text = if request.query.is_empty() {
            query_in_path
        } else {
            request.query
        };
        let ctx = Ctx {
            engine,
            caller,
            params,
            query: parse_query(&query_text),
        };
        let idempotency = match request.idempotency_key {
            Some(key) if route.idempotent => {
                let caller = caller_tag(caller);
                let route_name = format!("{} {}", method.as_str().to_uppercase(), route.path);
                match engine.claim_idempotent(&caller, &key, &route_name)? {
                    Claim::Replay { status, body } => {
                        return Ok(ApiResponse {
                            status,
                            content_type: "application/json".into(),
                            body: body.into_bytes(),
                            retry_after: None,
                        })
                    }
                    Claim::Run => Some((caller, key)),
                }
            }
            _ => None,
        };
        let response = Api::answer(&route.handler, &ctx, &body);
        if let Some((caller, key)) = idempotency {
            // A server-side failure is not an answer to keep: the retry runs again.
            let kept = if response.status >= 500 {
                engine.release_idempotent(&caller, &key)
            } else {
                engine.finish_idempotent(
                    &caller,
                    &key,
                    response.status,
                    &String::from_utf8_lossy(&response.body),
                )
            };
            if let Err(e) = kept {
                tracing::warn!(error = %e, "could not keep the answer for an Idempotency-Key");
            }
        }
        Ok(response)
    }

    /// Runs a handler and turns what it returns into a response.
    fn answer(handler: &Handler, ctx: &Ctx, body: &[u8]) -> ApiResponse {
        let reply = match handler(ctx, body) {
            Ok(reply) => reply,
            Err(err) => return ApiResponse::error(&err),
        };
        match reply {
            Reply::Data(data) => {
                ApiResponse::json(200, &serde_json::json!({ "success": true, "data": data }))
            }
            Reply::Page(data, next) => ApiResponse::json(
                200,
                &serde_json::json!({ "success": true, "data": data, "nextCursor": next }),
            ),
            Reply::Raw { content_type, body } => ApiResponse {
                status: 200,
                content_type,
                body,
                retry_after: None,
            },
        }
    }
}

/// Who a caller is in the audit log and for idempotency keys (each caller has its own keys).
pub fn caller_tag(caller: Caller) -> String {
    match caller {
        Caller::Desktop => "desktop".into(),
        Caller::Session => "session".into(),
        Caller::Key { id, .. } => format!("api-key:{id}"),
        Caller::Anonymous => "anonymous".into(),
    }
}

/// The caller a presented API key stands for; 401 when it is malformed, unknown or revoked.
pub fn key_caller(engine: &Engine, presented: &str) -> Result<Caller> {
    let holder = engine.authenticate_api_key(presented)?;
    Ok(Caller::Key {
        id: holder.id,
        scopes: holder.scopes,
    })
}

fn parse_query(text: &str) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        out.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    out
}

/// Decodes `%XX` escapes in a path segment (a `+` stays a `+` there, unlike in a query).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b+c");
        assert_eq!(percent_decode("%2B49"), "+49");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn query_strings() {
        let q = parse_query("tag=1&tag=2&q=rosa%20m&p=%2B49+1&empty");
        assert_eq!(q["tag"], vec!["1", "2"]);
        assert_eq!(q["q"], vec!["rosa m"]);
        assert_eq!(q["p"], vec!["+49 1"]);
        assert_eq!(q["empty"], vec![""]);
    }
}
