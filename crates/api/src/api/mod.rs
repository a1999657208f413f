//! The API table: every route's method, path, access, request and response types, and the engine call
//! behind it. The HTTP server and the desktop shell's `api` command both dispatch through [`dispatch`],
//! and the OpenAPI document is generated from the same table, so the three cannot drift apart.
//! Here: who calls (`Caller`) and what a route lets in (`Access`), and `Api`, which finds a route,
//! checks the caller, runs the handler (once per `Idempotency-Key`) and audit-logs what keys change.
//! `route` builds routes, `ctx` is what a handler sees, `wire` the transport-neutral request and
//! response.

use std::collections::HashMap;

use whatsflow_engine::api_keys::{Scope, Scopes};
use whatsflow_engine::audit::KeyCall;
use whatsflow_engine::idempotency::Claim;
use whatsflow_engine::{Engine, Error, ErrorCode, Result};

mod ctx;
mod route;
mod wire;

use ctx::parse_query;
pub use ctx::{percent_decode, Ctx};
pub use route::{
    data, page, raw, upload, Answer, NoBody, Page, QueryParam, Raw, Reply, Route, DEFAULT_MAX_BODY,
};
pub use wire::{status_of, ApiRequest, ApiResponse, IpcResponse};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn parse(text: &str) -> Option<Method> {
        [Method::Get, Method::Post, Method::Put, Method::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
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

    /// Finds the route for a method and path; otherwise the methods the path takes (none: no such
    /// path). `method` is `None` for a method no route takes (`PATCH`, `OPTIONS`).
    fn find(
        &self,
        method: Option<Method>,
        path: &str,
    ) -> std::result::Result<(&Route, HashMap<&'static str, String>), Vec<Method>> {
        let path = path.trim_matches('/');
        let found = self
            .routes
            .iter()
            .filter(|route| Some(route.method) == method)
            .find_map(|route| Some((route, route.params_of(path)?)));
        found.ok_or_else(|| {
            self.routes
                .iter()
                .filter(|route| route.params_of(path).is_some())
                .map(|route| route.method)
                .collect()
        })
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
        let method = Method::parse(&request.method);
        let (route, params) = match self.find(method, &path) {
            Ok(found) => found,
            Err(allowed) if allowed.is_empty() => {
                return Err(Error::new(
                    ErrorCode::NotFound,
                    format!("No such route: {path}"),
                ))
            }
            Err(allowed) => {
                let allow = allowed
                    .iter()
                    .map(|m| m.as_str().to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ");
                let err = Error::new(
                    ErrorCode::MethodNotAllowed,
                    format!(
                        "{} is not allowed on {path}: it takes {allow}",
                        request.method
                    ),
                );
                let mut response = ApiResponse::error(&err);
                response.allow = Some(allow);
                return Ok(response);
            }
        };
        let method = route.method;
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
        let route_name = format!("{} {}", method.as_str().to_uppercase(), route.path);
        let response = Api::answer_once(
            engine,
            caller,
            route,
            &route_name,
            &ctx,
            &body,
            request.idempotency_key,
        )?;
        if let (Caller::Key { id, .. }, true) = (caller, method != Method::Get) {
            let call = KeyCall {
                key_id: id,
                route: &route_name,
                path: &path,
                status: response.status,
            };
            if let Err(e) = engine.audit_key_call(call) {
                tracing::warn!(error = %e, "could not audit-log an API key's call");
            }
        }
        Ok(response)
    }

    /// Answers a request, or on a route that sends, the first answer again for a repeated
    /// `Idempotency-Key`.
    fn answer_once(
        engine: &Engine,
        caller: Caller,
        route: &Route,
        route_name: &str,
        ctx: &Ctx,
        body: &[u8],
        idempotency_key: Option<String>,
    ) -> Result<ApiResponse> {
        let idempotency = match idempotency_key {
            Some(key) if route.idempotent => {
                let caller = caller_tag(caller);
                match engine.claim_idempotent(&caller, &key, route_name)? {
                    Claim::Replay { status, body } => {
                        return Ok(ApiResponse {
                            status,
                            content_type: "application/json".into(),
                            body: body.into_bytes(),
                            retry_after: None,
                            allow: None,
                        })
                    }
                    Claim::Run => Some((caller, key)),
                }
            }
            _ => None,
        };
        let response = Api::answer_guarded(route, route_name, ctx, body);
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

    /// [`Api::answer`], with a panic in the handler caught: the caller gets the standard 500 and the
    /// thread that serves it lives on (an HTTP worker that died would serve nobody again). Sound
    /// because a handler's changes run in transactions, which roll back as the panic unwinds.
    fn answer_guarded(route: &Route, route_name: &str, ctx: &Ctx, body: &[u8]) -> ApiResponse {
        let run = std::panic::AssertUnwindSafe(|| Api::answer(route, ctx, body));
        std::panic::catch_unwind(run).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(route = route_name, panic = %what, "a route handler panicked");
            ApiResponse::error(&Error::internal(format!(
                "{route_name} failed inside WhatsFlow; the error was logged"
            )))
        })
    }

    /// Runs a handler and turns what it returns into a response.
    fn answer(route: &Route, ctx: &Ctx, body: &[u8]) -> ApiResponse {
        let reply = match (route.handler)(ctx, body) {
            Ok(reply) => reply,
            Err(err) => return ApiResponse::error(&err),
        };
        match reply {
            Reply::Json(body) => ApiResponse {
                status: route.status,
                content_type: "application/json".into(),
                body,
                retry_after: None,
                allow: None,
            },
            Reply::Raw { content_type, body } => ApiResponse {
                status: 200,
                content_type,
                body,
                retry_after: None,
                allow: None,
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
