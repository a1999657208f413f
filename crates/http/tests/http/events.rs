//! The event stream filtered by event type: `types` takes the names webhooks take (names,
//! `prefix.*` patterns), refuses unknown ones with a field error, and sends only what it takes.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{Running, TOKEN};

/// Opens `/api/v1/events?types=…` and waits for its greeting; the reader yields the stream's lines.
fn open_stream(app: &Running, types: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!(
        "GET /api/v1/events?token={TOKEN}&types={types} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    while !line.starts_with(": connected") {
        line.clear();
        reader.read_line(&mut line).unwrap();
    }
    reader
}

/// The next `count` events the stream sends.
fn next_events(reader: &mut BufReader<TcpStream>, count: usize) -> Vec<Value> {
    let mut events = Vec::new();
    let mut line = String::new();
    while events.len() < count {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            events.push(serde_json::from_str(data).unwrap());
        }
    }
    events
}

#[test]
fn an_unknown_event_type_is_a_field_error() {
    let app = Running::start();
    let auth = format!("Bearer {TOKEN}");
    let (status, body) = app.send(
        "GET",
        "/api/v1/events?types=message.received,contact.craeted",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(status, 400);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "types");
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("contact.craeted"), "{message}");
}

#[test]
fn a_filtered_stream_sends_only_the_types_it_takes_with_the_webhooks_data() {
    let app = Running::start();
    let mut contacts = open_stream(&app, "contact.opted_out,contact.created");
    let mut everything = open_stream(&app, "*");

    // Not taken: a tag list change, a contact update that is no opt-out.
    let (status, tag) = app.call("POST", "/api/v1/tags", json!({ "name": "vip" }));
    assert_eq!(status, 200, "{tag}");
    let (status, created) = app.call(
        "POST",
        "/api/v1/contacts",
        json!({ "phoneNumber": "+14155550100", "name": "Ana" }),
    );
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let (status, _) = app.call("PUT", &path, json!({ "notes": "likes roses" }));
    assert_eq!(status, 200);
    let (status, _) = app.call("PUT", &path, json!({ "optedOut": true }));
    assert_eq!(status, 200);

    let taken = next_events(&mut contacts, 2);
    let types: Vec<&str> = taken.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["contact.created", "contact.opted_out"]);
    assert_eq!(taken[0]["data"]["phoneNumber"], "+14155550100");
    assert_eq!(taken[1]["data"]["id"], id);
    assert_eq!(taken[1]["data"]["optedOut"], true);
    // The data is the object the REST API answers for the contact, as in a webhook delivery.
    let (_, fetched) = app.call("GET", &path, Value::Null);
    assert_eq!(taken[1]["data"], fetched["data"]);

    // The unfiltered stream saw the rest, so the filtered one left them out.
    let all = next_events(&mut everything, 5);
    let all_types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        all_types,
        vec![
            "tags.changed",
            "contact.created",
            "contact.updated",
            "contact.updated",
            "contact.opted_out",
        ]
    );
}

#[test]
fn the_openapi_document_describes_the_stream_and_its_type_filter() {
    let app = Running::start();
    let (status, doc) = app.call("GET", "/api/v1/openapi.json", Value::Null);
    assert_eq!(status, 200);
    let get = &doc["paths"]["/api/v1/events"]["get"];
    let names: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"types"), "{names:?}");
    let item = &get["responses"]["200"]["content"]["text/event-stream"]["x-item-schema"];
    let reference = item["$ref"].as_str().unwrap();
    let name = reference.trim_start_matches("#/components/schemas/");
    assert!(
        doc["components"]["schemas"][name].is_object(),
        "{reference} is in the document"
    );
}
