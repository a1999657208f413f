//! Messages changed after they arrived: a revoke marks the stored message deleted and an edit
//! replaces its text (or caption), both keeping the text as it first arrived, announcing the
//! change once, and changing nothing for a message the database lacks.

use whatsflow_engine::link::MessageChange;
use whatsflow_engine::testing::{self, test_engine};
use whatsflow_engine::webhooks::WebhookInput;
use whatsflow_engine::Event;

const ID: &str = "false_14155550132@c.us_3A0000000000000000AB";

fn revoked(id: &str) -> MessageChange {
    MessageChange::Revoked {
        wa_message_id: id.into(),
    }
}

fn edited(id: &str, text: &str) -> MessageChange {
    MessageChange::Edited {
        wa_message_id: id.into(),
        text: text.into(),
    }
}

/// The names of the message events announced since the last call.
fn announced(
    events: &mut tokio::sync::broadcast::Receiver<whatsflow_engine::EventEnvelope>,
) -> Vec<String> {
    let mut names = Vec::new();
    while let Ok(envelope) = events.try_recv() {
        match envelope.event {
            Event::MessageRevoked(m) => names.push(format!("revoked {}", m.wa_message_id)),
            Event::MessageEdited(m) => names.push(format!("edited {}", m.wa_message_id)),
            _ => {}
        }
    }
    names
}

#[test]
fn a_revoke_marks_the_message_deleted_and_keeps_its_text() {
    let engine = test_engine();
    engine
        .ingest(
            testing::inbound("x", "14155550132", "my card number is …")
                .wa_id(ID)
                .build(),
        )
        .unwrap();
    let hook = engine
        .create_webhook(WebhookInput {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["message.revoked".into(), "message.edited".into()],
            enabled: None,
        })
        .unwrap()
        .id;
    let mut events = engine.subscribe();
    engine.apply_message_change(&revoked(ID)).unwrap();
    engine.apply_message_change(&revoked(ID)).unwrap();
    let deliveries = engine
        .webhook_deliveries(hook, None, None, 10)
        .unwrap()
        .items;
    let types: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    assert_eq!(types, ["message.revoked"], "webhooks hear it once");
    let message = engine.messages(None, None, 10).unwrap().items.remove(0);
    assert!(message.revoked_at.is_some());
    assert_eq!(
        message.body, "my card number is …",
        "the business keeps the text"
    );
    assert_eq!(
        announced(&mut events),
        [format!("revoked {ID}")],
        "announced once"
    );

    engine
        .apply_message_change(&revoked("false_1@c.us_UNKNOWN"))
        .unwrap();
    assert!(
        announced(&mut events).is_empty(),
        "an unknown message changes nothing"
    );
}

#[test]
fn an_edit_replaces_the_text_and_keeps_the_first_one() {
    let engine = test_engine();
    engine
        .ingest(
            testing::inbound("x", "14155550132", "See you at 5")
                .wa_id(ID)
                .build(),
        )
        .unwrap();
    let mut events = engine.subscribe();
    engine
        .apply_message_change(&edited(ID, "See you at 6"))
        .unwrap();
    engine
        .apply_message_change(&edited(ID, "See you at 7"))
        .unwrap();
    engine
        .apply_message_change(&edited(ID, "See you at 7"))
        .unwrap();
    let message = engine.messages(None, None, 10).unwrap().items.remove(0);
    assert_eq!(message.body, "See you at 7");
    assert_eq!(message.original_text.as_deref(), Some("See you at 5"));
    assert!(message.edited_at.is_some());
    assert_eq!(
        announced(&mut events).len(),
        2,
        "a repeated edit is no change"
    );
    let found = engine.messages(Some("7"), None, 10).unwrap().items;
    assert_eq!(found.len(), 1, "search finds the edited text");

    // A photo's edit changes its caption.
    let photo = "false_14155550132@c.us_3A0000000000000000CD";
    engine
        .ingest(
            testing::inbound("y", "14155550132", "")
                .wa_id(photo)
                .image(&[0xFF, 0xD8, 0xFF], Some("the old menu"))
                .build(),
        )
        .unwrap();
    engine
        .apply_message_change(&edited(photo, "the new menu"))
        .unwrap();
    let message = engine
        .messages(None, None, 10)
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.wa_message_id == photo)
        .unwrap();
    assert_eq!(message.caption.as_deref(), Some("the new menu"));
    assert_eq!(message.body, "");
    assert_eq!(message.original_text.as_deref(), Some("the old menu"));
}
