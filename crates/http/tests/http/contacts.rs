//! The contact and tag routes on the real server: CRUD with conflicts, tagging and bulk actions,
//! filters, import (dry run and real) with raw file bodies, export and re-import.

use serde_json::{json, Value};

use crate::common::Running;

/// A running server for a business in the US.
fn shop() -> Running {
    let app = Running::start();
    let shop =
        json!({"businessName": "Rosa's Flowers", "country": "US", "timezone": "America/New_York"});
    assert_eq!(app.call("PUT", "/api/v1/profile", shop).0, 200);
    app
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn crud_tags_bulk_and_filters() {
    let app = shop();
    let mut ids = Vec::new();
    for (phone, name) in [
        ("(415) 555-0132", "Rosa"),
        ("+55 11 91234-5678", "Ana"),
        ("+447400123456", "Bob"),
    ] {
        let (status, body) = app.call(
            "POST",
            "/api/v1/contacts",
            json!({"phoneNumber": phone, "name": name}),
        );
        assert_eq!(status, 200, "{body}");
        ids.push(body["data"]["id"].as_i64().unwrap());
    }
    let (status, body) = app.call(
        "POST",
        "/api/v1/contacts",
        json!({"phoneNumber": "415 555 0132"}),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("+14155550132"));
    let (status, body) = app.call("POST", "/api/v1/contacts", json!({"phoneNumber": "nope"}));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["details"][0]["field"], "phoneNumber");

    let (status, tag) = app.call(
        "POST",
        "/api/v1/tags",
        json!({"name": "Spring", "color": "#22aa44"}),
    );
    assert_eq!(status, 200, "{tag}");
    let tag_id = tag["data"]["id"].as_i64().unwrap();
    assert_eq!(
        app.call("POST", "/api/v1/tags", json!({"name": "spring"}))
            .0,
        409
    );

    let (status, bulk) = app.call(
        "POST",
        "/api/v1/contacts/bulk",
        json!({"ids": ids, "action": "tag", "tagId": tag_id}),
    );
    assert_eq!(
        (status, bulk["data"]["changed"].as_i64()),
        (200, Some(3)),
        "{bulk}"
    );
    let (_, list) = app.call(
        "GET",
        &format!("/api/v1/contacts?tag={tag_id}"),
        Value::Null,
    );
    assert_eq!(names(&list), ["Ana", "Bob", "Rosa"]);
    assert_eq!(list["data"][0]["tags"][0]["name"], "Spring");

    let (_, contact) = app.call(
        "DELETE",
        &format!("/api/v1/contacts/{}/tags/{tag_id}", ids[0]),
        Value::Null,
    );
    assert_eq!(contact["data"]["tags"], json!([]));
    let (_, count) = app.call(
        "GET",
        &format!("/api/v1/contacts/count?tag={tag_id}"),
        Value::Null,
    );
    assert_eq!(count["data"]["total"], 2);
    let (_, contact) = app.call(
        "POST",
        &format!("/api/v1/contacts/{}/tags", ids[0]),
        json!({"tagId": tag_id}),
    );
    assert_eq!(contact["data"]["tags"][0]["id"], tag_id);

    let (_, found) = app.call("GET", "/api/v1/contacts?q=5550", Value::Null);
    assert_eq!(
        names(&found),
        ["Rosa"],
        "a fragment of the number finds the contact"
    );
    let (_, page) = app.call(
        "GET",
        "/api/v1/contacts?sort=createdAt&order=desc&limit=2",
        Value::Null,
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let (_, rest) = app.call(
        "GET",
        &format!("/api/v1/contacts?sort=createdAt&order=desc&limit=2&cursor={cursor}"),
        Value::Null,
    );
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["nextCursor"].is_null());
    assert_eq!(
        app.call("GET", "/api/v1/contacts?sort=age", Value::Null).0,
        400
    );

    let (status, updated) = app.call(
        "PUT",
        &format!("/api/v1/contacts/{}", ids[1]),
        json!({"optedOut": true, "notes": "no ads"}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        (
            updated["data"]["optedOut"].as_bool(),
            updated["data"]["name"].as_str()
        ),
        (Some(true), Some("Ana"))
    );
    let (_, opted) = app.call("GET", "/api/v1/contacts?optedOut=true", Value::Null);
    assert_eq!(names(&opted), ["Ana"]);

    assert_eq!(
        app.call(
            "DELETE",
            &format!("/api/v1/contacts/{}", ids[2]),
            Value::Null
        )
        .0,
        200
    );
    assert_eq!(
        app.call("GET", &format!("/api/v1/contacts/{}", ids[2]), Value::Null)
            .0,
        404
    );
    assert_eq!(
        app.call("DELETE", &format!("/api/v1/tags/{tag_id}"), Value::Null)
            .0,
        200
    );
    let (_, tags) = app.call("GET", "/api/v1/tags", Value::Null);
    assert_eq!(tags["data"], json!([]));
}

#[test]
fn import_reports_bad_rows_and_export_reimports_unchanged() {
    let app = shop();
    let csv = "name;phone;tags\nRosa;(415) 555-0132;VIP, Wholesale\nNo Phone;;\nBad;call me;\nAna;+55 11 91234-5678;VIP\nRosa again;4155550132;\n";
    let (status, dry) = app.upload("/api/v1/contacts/import?dryRun=true", csv.as_bytes());
    assert_eq!(status, 200, "{dry}");
    let report = &dry["data"];
    assert_eq!(
        (report["imported"].as_i64(), report["rejected"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(report["delimiter"], ";");
    let errors: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "no_phone".into()),
            (4, "unparseable_phone".into()),
            (6, "duplicate_in_file".into())
        ]
    );
    let (_, count) = app.call("GET", "/api/v1/contacts/count", Value::Null);
    assert_eq!(count["data"]["total"], 0, "a dry run writes nothing");

    let (status, real) = app.upload(
        "/api/v1/contacts/import?dryRun=false&format=csv",
        csv.as_bytes(),
    );
    assert_eq!((status, real["data"]["imported"].as_i64()), (200, Some(2)));
    let (_, list) = app.call("GET", "/api/v1/contacts", Value::Null);
    assert_eq!(names(&list), ["Ana", "Rosa"]);

    for format in ["csv", "json"] {
        let (status, file) = app.download(&format!("/api/v1/contacts/export?format={format}"));
        assert_eq!(status, 200);
        let (_, again) = app.upload("/api/v1/contacts/import?dedupe=overwrite", &file);
        let again = &again["data"];
        assert_eq!(
            (
                again["imported"].as_i64(),
                again["updated"].as_i64(),
                again["skipped"].as_i64()
            ),
            (Some(0), Some(0), Some(2)),
            "{format}: re-importing an export changes nothing"
        );
    }
    let (status, filtered) = app.download("/api/v1/contacts/export?format=csv&q=ana");
    assert_eq!(status, 200);
    let text = String::from_utf8(filtered).unwrap();
    assert_eq!(text.lines().count(), 2, "header and Ana only: {text}");

    let (status, err) = app.upload("/api/v1/contacts/import?dedupe=sometimes", csv.as_bytes());
    assert_eq!(
        (status, err["error"]["details"][0]["field"].as_str()),
        (400, Some("dedupe"))
    );
    let (status, err) = app.upload("/api/v1/contacts/import", b"\x00\x01\x02binary\x00");
    assert_eq!(status, 400);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a text file"));

    let (_, doc) = app.call("GET", "/api/v1/openapi.json", Value::Null);
    let body = &doc["paths"]["/api/v1/contacts/import"]["post"]["requestBody"]["content"];
    assert!(
        body["application/octet-stream"].is_object(),
        "the import takes the file itself: {body}"
    );
}
