//! The OpenAPI 3.1 document, generated from the route table and the handlers' own types.

use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

use crate::api::{Access, Answer, Api, QueryParam};

/// The query parameters of every list route.
const PAGING: &[QueryParam] = &[
    QueryParam {
        name: "limit",
        description: "Page size, 1 to 500 (default 50)",
    },
    QueryParam {
        name: "cursor",
        description: "The nextCursor of the previous page",
    },
];

/// Builds the whole document.
pub fn document(api: &Api) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error_schema = json!({
        "type": "object",
        "required": ["success", "error"],
        "properties": {
            "success": { "const": false },
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": { "type": "string", "description": "Stable snake_case code to branch on" },
                    "message": { "type": "string", "description": "A sentence for people" },
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["field", "message"],
                            "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
                        }
                    }
                }
            }
        }
    });
    let mut paths: Map<String, Value> = Map::new();
    for route in api.routes() {
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert("tags".into(), json!([route.tag]));
        op.insert(
            "operationId".into(),
            json!(operation_id(route.method.as_str(), route.path)),
        );
        if route.access == Access::Public {
            op.insert("security".into(), json!([]));
        }
        if let Some(scope) = route.access.scope() {
            op.insert(
                "description".into(),
                json!(format!(
                    "An API key needs the `{}` scope (`admin` covers every scope).",
                    scope.as_str()
                )),
            );
            op.insert("x-required-scope".into(), json!(scope.as_str()));
        }
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| {
                let name = s.trim_matches(['{', '}']);
                json!({ "name": name, "in": "path", "required": true,
                        "schema": path_parameter_schema(name) })
            })
            .collect();
        // Every list pages the same way: its own filters, then `limit` and `cursor`.
        let paging = match route.answer {
            Answer::Page(_) => PAGING,
            _ => &[],
        };
        parameters.extend(route.query.iter().chain(paging).map(|q| {
            json!({ "name": q.name, "in": "query", "required": false, "description": q.description,
                    "schema": { "type": "string" } })
        }));
        if route.idempotent {
            parameters.push(json!({ "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "Repeating a request with the same key within 24 h answers the first answer again and sends nothing new",
                "schema": { "type": "string", "maxLength": 255 } }));
        }
        if !parameters.is_empty() {
            op.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(request) = route.request {
            let media_type = route.request_type.unwrap_or("application/json");
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { media_type: { "schema": request(&mut generator) } } }),
            );
        }
        let success = match route.answer {
            Answer::Data(schema) => json!({ "application/json": { "schema": {
                "type": "object", "required": ["success", "data"],
                "properties": { "success": { "const": true }, "data": schema(&mut generator) } } } }),
            Answer::Page(schema) => json!({ "application/json": { "schema": {
                "type": "object", "required": ["success", "data", "nextCursor"],
                "properties": { "success": { "const": true }, "data": schema(&mut generator),
                                "nextCursor": { "type": ["string", "null"] } } } } }),
            Answer::Raw(content_type) => {
                json!({ content_type: { "schema": { "type": "string" } } })
            }
        };
        op.insert(
            "responses".into(),
            json!({
                route.status.to_string(): {
                    "description": if route.status == 202 { "Accepted: answered at once, the outcome arrives as events" } else { "Success" },
                    "content": success
                },
                "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }),
        );
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.method.as_str()] = Value::Object(op);
    }
    paths.insert("/api/v1/events".into(), event_stream(&mut generator));
    let mut schemas = generator.take_definitions(true);
    schemas.insert("Error".into(), error_schema);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "WhatsFlow local API",
            "version": whatsflow_engine::VERSION,
            "description": "The REST API of WhatsFlow, served on loopback only. Authenticate with `Authorization: Bearer <token>`."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        }
    })
}

/// The event stream, which the transports serve beside the route table (it streams, where a route
/// answers once).
fn event_stream(generator: &mut schemars::SchemaGenerator) -> Value {
    let envelope = generator.subschema_for::<whatsflow_engine::EventEnvelope>();
    json!({ "get": {
        "summary": "Live events (server-sent events)",
        "tags": ["events"],
        "operationId": "getEvents",
        "description": "A `text/event-stream`: each event is `id: <n>` and `data: <JSON>`, the JSON an \
            EventEnvelope (`type`, `data`: the same object the REST API answers for that thing, and \
            the same `data` a webhook delivery carries). Resume after a disconnection with \
            `Last-Event-ID` (or `lastEventId`); a `resync` event means some were missed: reload. \
            An API key needs the `read` scope.",
        "x-required-scope": "read",
        "parameters": [
            { "name": "types", "in": "query", "required": false, "schema": { "type": "string" },
              "description": "Comma-separated event types to receive, e.g. `message.received,contact.*`: \
                names, `prefix.*` patterns or `*`, by the stream's names or the webhooks' (`message.sent`, \
                `message.ack`, `connection.status`). Unknown names are a 400 naming them. Default: all" },
            { "name": "lastEventId", "in": "query", "required": false, "schema": { "type": "string" },
              "description": "Resume after this event id (as the Last-Event-ID header)" },
            { "name": "token", "in": "query", "required": false, "schema": { "type": "string" },
              "description": "The bearer token, for clients such as EventSource that cannot set headers" },
            { "name": "Last-Event-ID", "in": "header", "required": false, "schema": { "type": "string" },
              "description": "Resume after this event id" }
        ],
        "responses": {
            "200": { "description": "The stream; each `data:` line is one event",
                     "content": { "text/event-stream": { "x-item-schema": envelope,
                                  "schema": { "type": "string" } } } },
            "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
    } })
}

/// A self-contained HTML page listing every route, for people reading the API in a browser.
pub fn docs_page(api: &Api) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut rows = String::new();
    let mut tag = "";
    for route in api.routes() {
        if route.tag != tag {
            tag = route.tag;
            rows.push_str(&format!("<tr><th colspan=3>{}</th></tr>", escape(tag)));
        }
        let access = if route.access == Access::Public {
            "public"
        } else {
            "token"
        };
        rows.push_str(&format!(
            "<tr><td class=m>{}</td><td><code>{}</code></td><td>{} <small>({access})</small></td></tr>",
            route.method.as_str().to_uppercase(),
            escape(route.path),
            escape(route.summary)
        ));
    }
    format!(
        "<!doctype html><meta charset=utf-8><title>WhatsFlow API</title><style>\
         body{{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111b21}}\
         th{{text-align:left;padding-top:1.2rem;text-transform:capitalize}}td{{padding:.25rem .6rem}}\
         .m{{font-weight:600;color:#0f9d58}}small{{color:#667781}}</style>\
         <h1>WhatsFlow local API <small>v{}</small></h1>\
         <p>Send <code>Authorization: Bearer &lt;token&gt;</code>. Responses are <code>{{\"success\": true, \"data\": …}}</code> \
         or <code>{{\"success\": false, \"error\": {{code, message, details}}}}</code>. \
         Machine-readable: <a href=/api/v1/openapi.json>openapi.json</a> (OpenAPI 3.1). \
         Live events: <code>GET /api/v1/events</code> (server-sent events, resumable with <code>Last-Event-ID</code>, filtered with <code>?types=message.received,contact.*</code>).</p>\
         <table>{rows}</table>",
        whatsflow_engine::VERSION
    )
}

/// Ids (`{id}`, `{contactId}`, …) are the database's 64-bit row ids; other placeholders (`{chart}`,
/// `{series}`, a backup's `{name}`) are words.
fn path_parameter_schema(name: &str) -> Value {
    if name == "id" || name.ends_with("Id") {
        json!({ "type": "integer", "format": "int64", "minimum": 1 })
    } else {
        json!({ "type": "string" })
    }
}

/// `get` + `/api/v1/contacts/{id}` → `getContactsById`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for segment in path.trim_start_matches("/api/v1/").split('/') {
        let (prefix, name) = match segment.strip_prefix('{') {
            Some(p) => ("By", p.trim_end_matches('}')),
            None => ("", segment),
        };
        id.push_str(prefix);
        for word in name.split(['-', '.', '_']) {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                id.extend(first.to_uppercase());
                id.push_str(chars.as_str());
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_parameters_are_ids_or_words() {
        let document = super::document(&crate::routes::api());
        let parameter = |path: &str, method: &str, name: &str| {
            document["paths"][path][method]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{method} {path} has no {name}"))["schema"]
                .clone()
        };
        let id = serde_json::json!({ "type": "integer", "format": "int64", "minimum": 1 });
        assert_eq!(parameter("/api/v1/contacts/{id}", "get", "id"), id);
        assert_eq!(
            parameter("/api/v1/chats/{contactId}", "get", "contactId"),
            id
        );
        let word = serde_json::json!({ "type": "string" });
        for (path, name) in [
            ("/api/v1/analytics/charts/{chart}", "chart"),
            ("/api/v1/analytics/{series}/export", "series"),
        ] {
            assert_eq!(parameter(path, "get", name), word, "{path}");
        }
        assert_eq!(
            parameter("/api/v1/backups/{name}/restore", "post", "name"),
            word
        );
    }

    #[test]
    fn operation_ids() {
        assert_eq!(
            super::operation_id("get", "/api/v1/contacts/{id}"),
            "getContactsById"
        );
        assert_eq!(
            super::operation_id("post", "/api/v1/whatsapp/pairing-code"),
            "postWhatsappPairingCode"
        );
        assert_eq!(
            super::operation_id("get", "/api/v1/openapi.json"),
            "getOpenapiJson"
        );
    }
}
