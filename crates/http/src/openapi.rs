//! The OpenAPI 3.1 document, generated from the route table and the handlers' own types.

use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

use crate::api::{Access, Answer, Api};

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
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| {
                json!({ "name": s.trim_matches(['{', '}']), "in": "path", "required": true,
                        "schema": { "type": "integer" } })
            })
            .collect();
        parameters.extend(route.query.iter().map(|q| {
            json!({ "name": q.name, "in": "query", "required": false, "description": q.description,
                    "schema": { "type": "string" } })
        }));
        if !parameters.is_empty() {
            op.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(request) = route.request {
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": { "schema": request(&mut generator) } } }),
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
                "200": { "description": "Success", "content": success },
                "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }),
        );
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.method.as_str()] = Value::Object(op);
    }
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
