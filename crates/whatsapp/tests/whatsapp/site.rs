//! What the real web.whatsapp.com insists on, against the simulator that insists on it too (see
//! "Details that decide whether it works on the real site" in WHATSAPP-WEB.md): lazily loaded
//! modules, the current id format, the `@lid` sender, disappearing-message chats, quoted replies,
//! the media paths, an outdated page, and when a new session is first saved.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use whatsflow_engine::link::MediaFile;
use whatsflow_engine::{ConnectionState, Link};

use super::link::{outgoing, serial, store_outbound, Harness};

const CUSTOMER: &str = "4917123456789@c.us";

fn outbound_record(h: &Harness, wa_id: &str) -> Value {
    let outbound = h.control_get("outbound");
    outbound
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == wa_id)
        .cloned()
        .unwrap_or_else(|| panic!("{wa_id} is not among the sent messages: {outbound}"))
}

fn sim_media(h: &Harness, direct_path: &str) -> Vec<u8> {
    let url = format!("{}control/media", h.sim.url());
    ureq::get(&url)
        .query("directPath", direct_path)
        .call()
        .unwrap()
        .into_body()
        .read_to_vec()
        .unwrap()
}

fn stored_column(h: &Harness, column: &str, wa_id: &str) -> Option<String> {
    h.engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                &format!("SELECT {column} FROM messages WHERE wa_message_id = ?1"),
                [wa_id],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn modules_that_load_late_or_never_fail_only_their_calls() {
    let _serial = serial();
    let mut h = Harness::new();
    // Sending and the like register only after the sync (the simulator's default); typing a few
    // seconds later still; the number check never.
    h.control(
        "config",
        json!({"missingModules": ["WAWebQueryExistsJob"], "lateModules": {"WAWebChatStateBridge": 3000}}),
    );
    let link = h.start();
    h.link_by_qr();

    let refused = link.check_number("15550000001").unwrap_err();
    assert!(
        refused.message.contains("WAWebQueryExistsJob"),
        "the call names the missing module: {}",
        refused.message
    );
    assert_eq!(
        link.status().state,
        ConnectionState::Connected,
        "a missing module does not take the connection down"
    );

    let message = outgoing(CUSTOMER, "sent with a module loaded after the sync", None);
    store_outbound(&h, CUSTOMER, &message.wa_message_id);
    assert!(link.send(&message).unwrap() >= 0);

    h.wait_until("the late module arrives and typing works", || {
        link.set_typing(CUSTOMER, true).is_ok()
    });
    h.record();
    assert!(
        !h.saw(ConnectionState::WhatsappChanged),
        "late modules are not a changed site: {:?}",
        h.seen
    );
    h.stop();
}

#[test]
fn sends_use_current_ids_the_lid_sender_and_ephemeral_fields() {
    let _serial = serial();
    let mut h = Harness::new();
    // A disappearing-message chat (set before the page loads, so it knows at once): the message
    // carries the chat's ephemeral fields.
    h.control(
        "disappearing",
        json!({"chatId": CUSTOMER, "seconds": 604800}),
    );
    let link = h.start();
    h.link_by_qr();
    let message = outgoing(CUSTOMER, "gone in a week", None);
    assert_eq!(message.key_id.len(), 22, "the current id format");
    store_outbound(&h, CUSTOMER, &message.wa_message_id);
    let sent = link.send(&message);
    let record = outbound_record(&h, &message.wa_message_id);
    assert!(sent.is_ok() && record["error"].is_null(), "{record}");

    // A chat under a hidden linked id: the business writes as its own hidden linked id.
    let lid_chat = "98765432109876@lid";
    h.control(
        "inbound",
        json!({"from": lid_chat, "lidPhone": "+4915112345678", "body": "Hallo"}),
    );
    h.wait_rows(
        "SELECT count(*) FROM contacts WHERE wa_id = ?1",
        lid_chat,
        1,
    );
    let to_lid = outgoing(lid_chat, "Hallo zurück", None);
    assert!(link.send(&to_lid).unwrap() >= 0);
    let record = outbound_record(&h, &to_lid.wa_message_id);
    assert!(record["error"].is_null(), "{record}");
    assert!(
        record["from"].as_str().unwrap().ends_with("@lid"),
        "{record}"
    );

    // The deprecated 20-character id is refused, as it marks an unusual client.
    let mut old = outgoing(CUSTOMER, "old id", None);
    old.key_id.truncate(20);
    old.wa_message_id = format!("true_{CUSTOMER}_{}", old.key_id);
    assert!(link.send(&old).is_err());
    let record = outbound_record(&h, &old.wa_message_id);
    assert!(
        record["error"].as_str().unwrap().contains("current format"),
        "{record}"
    );
    h.stop();
}

#[test]
fn replies_go_out_as_quotes_and_come_in_linked() {
    let _serial = serial();
    let mut h = Harness::new();
    let link = h.start();
    h.link_by_qr();
    let question = h.control(
        "inbound",
        json!({"from": "+4917123456789", "body": "Which sizes do you have?"}),
    );
    let question_id = question["id"].as_str().unwrap().to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        &question_id,
        1,
    );

    let mut answer = outgoing(CUSTOMER, "S, M and L", None);
    answer.quoted_wa_id = Some(question_id.clone());
    store_outbound(&h, CUSTOMER, &answer.wa_message_id);
    assert!(link.send(&answer).unwrap() >= 0);
    let record = outbound_record(&h, &answer.wa_message_id);
    assert_eq!(
        record["quotedId"], question_id,
        "WhatsApp received the answer as a quote: {record}"
    );

    let thanks = h.control(
        "inbound",
        json!({"from": "+4917123456789", "body": "M please", "quotedId": answer.wa_message_id}),
    );
    let thanks_id = thanks["id"].as_str().unwrap().to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        &thanks_id,
        1,
    );
    assert_eq!(
        stored_column(&h, "quoted_wa_id", &thanks_id).as_deref(),
        Some(answer.wa_message_id.as_str()),
        "the received reply is linked to the message it quotes"
    );
    h.stop();
}

#[test]
fn image_document_and_voice_note_travel_both_ways_intact() {
    let _serial = serial();
    let mut h = Harness::new();
    let link = h.start();
    h.link_by_qr();
    let bytes = |seed: u32, len: u32| -> Vec<u8> {
        (0..len).map(|i| ((i * seed + 11) % 251) as u8).collect()
    };
    let files = [
        (
            "image",
            "image/jpeg",
            "photo.jpg",
            bytes(7, 60_000),
            "our shop",
        ),
        (
            "document",
            "application/pdf",
            "prices.pdf",
            bytes(13, 90_000),
            "the prices",
        ),
        (
            "ptt",
            "audio/ogg; codecs=opus",
            "voice.ogg",
            bytes(3, 20_000),
            "",
        ),
    ];

    for (kind, mimetype, filename, data, caption) in &files {
        let file = MediaFile {
            bytes: data.clone(),
            mimetype: (*mimetype).into(),
            filename: Some((*filename).into()),
        };
        let message = outgoing(CUSTOMER, caption, Some(file));
        store_outbound(&h, CUSTOMER, &message.wa_message_id);
        link.send(&message)
            .unwrap_or_else(|e| panic!("sending the {kind}: {}", e.message));
        let record = outbound_record(&h, &message.wa_message_id);
        assert_eq!(record["type"], *kind, "{record}");
        assert_eq!(
            sim_media(&h, record["directPath"].as_str().unwrap()),
            *data,
            "the {kind} WhatsApp got is the file sent"
        );
        if *kind == "image" {
            assert!(
                !record["body"].as_str().unwrap_or_default().is_empty(),
                "an image's body is its thumbnail: {record}"
            );
            assert_eq!(record["caption"], *caption);
        }
    }

    for (kind, mimetype, filename, data, caption) in &files {
        let mut inbound = json!({"from": "+27821234567", "type": kind, "media": {
            "data": b64(data), "mimetype": mimetype, "filename": filename}});
        if !caption.is_empty() {
            inbound["caption"] = json!(caption);
        }
        let received = h.control("inbound", inbound);
        let wa_id = received["id"].as_str().unwrap().to_owned();
        h.wait_rows(
            "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND media_path IS NOT NULL",
            &wa_id,
            1,
        );
        let path = stored_column(&h, "media_path", &wa_id).unwrap();
        assert_eq!(
            std::fs::read(h.dir.path().join(path)).unwrap(),
            *data,
            "the received {kind} is saved byte for byte"
        );
        assert_eq!(stored_column(&h, "type", &wa_id).as_deref(), Some(*kind));
    }
    h.stop();
}

#[test]
fn an_outdated_page_reloads_and_connects_again() {
    let _serial = serial();
    let mut h = Harness::new();
    let link = h.start();
    h.link_by_qr();
    let pid = link.browser_pid();
    h.forget_history();
    h.control("deprecate", json!({}));
    let outdated = h.wait_state(ConnectionState::Starting);
    assert!(
        outdated
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("DEPRECATED_VERSION")),
        "the outdated page is reported as such: {outdated:?}"
    );
    h.wait_state(ConnectionState::Connected);
    assert!(!h.saw(ConnectionState::Banned), "outdated is not banned");
    assert_eq!(link.browser_pid(), pid, "a reload, not a new browser");
    h.stop();
}

#[test]
fn a_new_session_is_first_saved_once_it_settles_or_at_a_clean_exit() {
    let _serial = serial();
    let mut h = Harness::new();
    let mut config = h.config();
    config.first_save_after = Duration::from_secs(600);
    h.start_with(config);
    h.link_by_qr();
    // Messages flow meanwhile; the stores are still being written, so nothing is sealed yet.
    let hello = h.control("inbound", json!({"from": "+5511912345678", "body": "Oi"}));
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        hello["id"].as_str().unwrap(),
        1,
    );
    assert!(
        !h.vault_file().exists(),
        "a new session is not sealed before it settles"
    );
    h.stop();
    assert!(h.vault_file().is_file(), "a clean exit seals it at once");
}

/// A customer's text message, once the inbox has it; its WhatsApp id.
fn arrive(h: &Harness, body: &str) -> String {
    let sent = h.control("inbound", json!({"from": "+5511912345678", "body": body}));
    let id = sent["id"].as_str().unwrap().to_owned();
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1",
        &id,
        1,
    );
    id
}

/// The sender deletes `deleted` and changes the text of `edited` to `after`.
fn delete_and_edit(h: &Harness, deleted: &str, edited: &str, after: &str) {
    h.control("revoke", json!({"id": deleted}));
    h.control("edit", json!({"id": edited, "body": after}));
}

/// The inbox shows `deleted` deleted with its text kept, and `edited` with its new and first text.
fn wait_deleted_and_edited(h: &Harness, deleted: (&str, &str), edited: (&str, &str, &str)) {
    let (deleted, kept) = deleted;
    let (edited, before, after) = edited;
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND revoked_at IS NOT NULL",
        deleted,
        1,
    );
    h.wait_rows(
        "SELECT count(*) FROM messages WHERE wa_message_id = ?1 AND edited_at IS NOT NULL",
        edited,
        1,
    );
    assert_eq!(
        stored_column(h, "body", deleted).as_deref(),
        Some(kept),
        "the business keeps a deleted message's text"
    );
    assert_eq!(stored_column(h, "body", edited).as_deref(), Some(after));
    assert_eq!(
        stored_column(h, "original_text", edited).as_deref(),
        Some(before)
    );
}

#[test]
fn deleted_and_edited_messages_reach_the_inbox() {
    let _serial = serial();
    let mut h = Harness::new();
    h.start();
    h.link_by_qr();
    let deleted = arrive(&h, "my card number is 1234");
    let edited = arrive(&h, "See you at 5");

    delete_and_edit(&h, &deleted, &edited, "See you at 6");
    wait_deleted_and_edited(
        &h,
        (&deleted, "my card number is 1234"),
        (&edited, "See you at 5", "See you at 6"),
    );
    h.stop();
}

#[test]
fn messages_deleted_or_edited_while_the_app_was_closed_are_caught_up_by_the_backfill() {
    let _serial = serial();
    let mut h = Harness::new();
    h.start();
    h.link_by_qr();
    let deleted = arrive(&h, "call me on 555-0100");
    let edited = arrive(&h, "Table for 2");
    h.stop();

    // The sender changes both while no page is linked; the phone's chats show the changes, and the
    // deleted one is not stored again as an empty placeholder.
    delete_and_edit(&h, &deleted, &edited, "Table for 4");
    h.start();
    h.wait_state(ConnectionState::Connected);
    wait_deleted_and_edited(
        &h,
        (&deleted, "call me on 555-0100"),
        (&edited, "Table for 2", "Table for 4"),
    );
    h.stop();
}
