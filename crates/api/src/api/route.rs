//! Routes and their constructors: `data` (JSON in, JSON out), `page` (a list with a cursor), `raw`
//! (bytes out) and `upload` (a file in). Each records what the OpenAPI document needs (schemas,
//! query parameters, access) beside the handler, so the document cannot drift from the code.

use std::collections::HashMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use whatsflow_engine::{Error, ErrorCode, Result};

use super::{Access, Ctx, Method};

/// Default limit on a request body; routes that take files raise it.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// What a handler answers.
pub enum Reply {
    /// The whole JSON envelope, already serialized (`{"data":…,"success":true}`).
    Json(Vec<u8>),
    Raw {
        content_type: String,
        body: Vec<u8>,
    },
}

/// The envelope of a successful data answer. Fields in the order the `Value`-built envelope had
/// (sorted), so the bytes on the wire stay as they were; serialized straight from the typed
/// answer, with no intermediate `serde_json::Value` tree (it cost a third of a page's CPU).
#[derive(Serialize)]
struct DataEnvelope<'a, T> {
    data: &'a T,
    success: bool,
}

/// The envelope of a page: the items and the cursor for the next one (`null` at the end).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageEnvelope<'a, T> {
    data: &'a [T],
    next_cursor: &'a Option<String>,
    success: bool,
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

pub(super) type Handler = Box<dyn Fn(&Ctx, &[u8]) -> Result<Reply> + Send + Sync>;
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
    /// The status of a successful answer: 200, or 202 for a route that starts work and answers
    /// before it is done (its outcome arrives as events).
    pub status: u16,
    pub(super) handler: Handler,
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
    /// Marks a route that answers `202 Accepted` at once and reports the outcome through events.
    pub fn accepted(mut self) -> Route {
        self.status = 202;
        self
    }
    /// Marks a route that sends: a repeat with the same `Idempotency-Key` sends nothing new.
    pub fn idempotent(mut self) -> Route {
        self.idempotent = true;
        self
    }
    /// The path's parameters if `path` (without its outer slashes) is this route's path.
    pub(super) fn params_of(&self, path: &str) -> Option<HashMap<&'static str, String>> {
        let mut params = HashMap::new();
        let mut segments = self.path.trim_matches('/').split('/');
        for part in path.split('/') {
            match segments.next()? {
                seg if seg.starts_with('{') => {
                    if part.is_empty() {
                        return None;
                    }
                    params.insert(seg.trim_matches(['{', '}']), super::percent_decode(part));
                }
                seg if seg == part => {}
                _ => return None,
            }
        }
        segments.next().is_none().then_some(params)
    }
}

/// What every route constructor is told first: where the route is, who may call it, and how the
/// OpenAPI document files and sums it up.
struct Endpoint {
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
}

impl Endpoint {
    fn new(
        method: Method,
        path: &'static str,
        tag: &'static str,
        access: Access,
        summary: &'static str,
    ) -> Endpoint {
        Endpoint {
            method,
            path,
            tag,
            access,
            summary,
        }
    }
}

/// A route with the defaults every constructor starts from: no request body, no query
/// parameters, the default body limit, not idempotent.
fn plain_route(endpoint: Endpoint, answer: Answer, handler: Handler) -> Route {
    Route {
        method: endpoint.method,
        path: endpoint.path,
        summary: endpoint.summary,
        tag: endpoint.tag,
        access: endpoint.access,
        max_body: DEFAULT_MAX_BODY,
        request: None,
        request_type: None,
        answer,
        query: &[],
        idempotent: false,
        status: 200,
        handler,
    }
}

fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

fn parse_body<I: DeserializeOwned>(bytes: &[u8]) -> Result<I> {
    // A missing body is a mistake to name, not an empty object: `{}` may mean "change nothing" or
    // "all defaults", which a caller should say on purpose.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let mut err = Error::new(
            ErrorCode::InvalidJson,
            "This route takes a JSON body and the request has none (send `{}` for all defaults)",
        );
        err.details.push(whatsflow_engine::FieldError {
            field: "body".into(),
            message: "missing".into(),
        });
        return Err(err);
    }
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

/// Serializes a whole answer; `size_hint` is about how many bytes it takes, so the buffer is not
/// grown (and copied) a dozen times on the way to a page's ~20 KB.
fn to_json<T: Serialize>(value: &T, size_hint: usize) -> Result<Reply> {
    let mut body = Vec::with_capacity(size_hint);
    serde_json::to_writer(&mut body, value)
        .map(|()| Reply::Json(body))
        .map_err(|e| Error::internal(e.to_string()))
}

/// Bytes reserved per item of a page (a contact with its tags is ~450).
const PAGE_ITEM_BYTES: usize = 512;

fn data_reply<T: Serialize>(data: T) -> Result<Reply> {
    to_json(
        &DataEnvelope {
            data: &data,
            success: true,
        },
        1024,
    )
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
            Endpoint::new(method, path, tag, access, summary),
            Answer::Data(schema_of::<O>),
            Box::new(move |ctx, bytes| {
                let input = if takes_body {
                    parse_body::<I>(bytes)?
                } else {
                    parse_body::<I>(b"{}")?
                };
                data_reply(handler(ctx, input)?)
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
        Endpoint::new(Method::Get, path, tag, access, summary),
        Answer::Page(schema_of::<Vec<T>>),
        Box::new(move |ctx, _| {
            let page = handler(ctx)?;
            to_json(
                &PageEnvelope {
                    data: &page.items,
                    next_cursor: &page.next_cursor,
                    success: true,
                },
                64 + page.items.len() * PAGE_ITEM_BYTES,
            )
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
        Endpoint::new(method, path, tag, access, summary),
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

/// The media type the OpenAPI document gives an uploaded file: opaque bytes, since the handler
/// works out the format itself (a backup, a CSV or vCard import).
const FILE_BODY_TYPE: &str = "application/octet-stream";

/// A route taking a file as the raw request body (e.g. an import) and answering one JSON object.
/// The handler gets the bytes unparsed; raise the size limit with [`Route::max_body`].
pub fn upload<O>(
    method: Method,
    path: &'static str,
    tag: &'static str,
    access: Access,
    summary: &'static str,
    handler: impl Fn(&Ctx, &[u8]) -> Result<O> + Send + Sync + 'static,
) -> Route
where
    O: Serialize + JsonSchema + 'static,
{
    Route {
        request: Some(file_schema),
        request_type: Some(FILE_BODY_TYPE),
        ..plain_route(
            Endpoint::new(method, path, tag, access, summary),
            Answer::Data(schema_of::<O>),
            Box::new(move |ctx, bytes| data_reply(handler(ctx, bytes)?)),
        )
    }
}
