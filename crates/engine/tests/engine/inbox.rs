//! The inbox against a scripted WhatsApp link: ingest is idempotent, sends go through the outbox
//! exactly once, a number without WhatsApp fails at once, and a send interrupted by a crash is looked
//! up before any retry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use whatsflow_engine::inbox::{MessageStatus, Origin, SendMessage};
use whatsflow_engine::link::InboundMessage;
use whatsflow_engine::testing::{self, test_engine, ScriptedLink, TestEngine};
use whatsflow_engine::webhooks::WebhookInput;
use whatsflow_engine::{Engine, ErrorCode, Event};

struct Setup {
    engine: TestEngine,
    link: Arc<ScriptedLink>,
}

fn setup() -> Setup {
    let engine = test_engine().with_business_in("US");
    let link = engine.with_scripted_link();
    Setup { engine, link }
}

/// A text from Ana in chat `chat`, whose number WhatsApp may hide.
fn inbound(id: &str, chat: &str, phone: Option<&str>, body: &str) -> InboundMessage {
    testing::inbound(id, "0", body)
        .wa_id(id)
        .chat(chat, phone)
        .push_name("Ana")
        .build()
}

/// Runs the outbox worker until `done` holds (or a generous deadline passes).
fn run_outbox_until(engine: &Engine, done: impl Fn() -> bool) {
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || engine.run_outbox(&stop))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    worker.join().unwrap();
}

#[test]
fn the_same_inbound_event_twice_is_one_message() {
    let s = setup();
    let event = inbound(
        "false_14155550132@c.us_AAA",
        "14155550132@c.us",
        None,
        "Hello",
    );
    s.engine.ingest(event.clone()).unwrap();
    s.engine.ingest(event).unwrap();
    let messages = s.engine.messages(None, None, 10).unwrap().items;
    assert_eq!(
        messages.len(),
        1,
        "a repeated event must not duplicate the message"
    );
    let contact = s.engine.contact(messages[0].contact_id).unwrap();
    assert_eq!(contact.phone_number.as_deref(), Some("+14155550132"));
    assert_eq!(contact.push_name, "Ana");
    assert_eq!(
        (contact.messages_in, contact.unread_count),
        (1, 1),
        "counted once"
    );
}

#[test]
fn lid_senders_with_and_without_a_known_phone() {
    let s = setup();
    s.engine
        .ingest(inbound("false_777@lid_A", "777@lid", None, "hidden"))
        .unwrap();
    s.engine
        .ingest(inbound(
            "false_888@lid_B",
            "888@lid",
            Some("+447400123456"),
            "known",
        ))
        .unwrap();
    let hidden = s
        .engine
        .contact(s.engine.messages(Some("hidden"), None, 1).unwrap().items[0].contact_id)
        .unwrap();
    assert_eq!(
        (hidden.phone_number.as_deref(), hidden.wa_id.as_deref()),
        (None, Some("777@lid"))
    );
    let known = s
        .engine
        .contact(s.engine.messages(Some("known"), None, 1).unwrap().items[0].contact_id)
        .unwrap();
    assert_eq!(known.phone_number.as_deref(), Some("+447400123456"));
    // Later the same person writes from their phone id: still one contact.
    s.engine
        .ingest(inbound(
            "false_447400123456@c.us_C",
            "447400123456@c.us",
            None,
            "again",
        ))
        .unwrap();
    let again = s.engine.messages(Some("again"), None, 1).unwrap().items;
    assert_eq!(
        again[0].contact_id, known.id,
        "one number is one contact, whatever id WhatsApp shows"
    );
}

#[test]
fn a_send_goes_out_once_and_follows_the_acks() {
    let s = setup();
    let receipt = s
        .engine
        .send_message(SendMessage {
            phone_number: "(415) 555-0132".into(),
            message: "Your order is ready".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        receipt.status,
        MessageStatus::Queued,
        "committed before it reaches WhatsApp"
    );
    assert!(receipt
        .wa_message_id
        .starts_with("true_14155550132@c.us_3EB0"));
    run_outbox_until(&s.engine, || !s.link.sent().is_empty());
    let sent = s.link.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].wa_message_id, receipt.wa_message_id,
        "WhatsApp gets the id chosen beforehand"
    );
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Sent
    );
    for (ack, status) in [
        (2, MessageStatus::Delivered),
        (3, MessageStatus::Read),
        (2, MessageStatus::Read),
    ] {
        s.engine.apply_ack(&receipt.wa_message_id, ack).unwrap();
        assert_eq!(
            s.engine.message(receipt.message_id).unwrap().status,
            status,
            "ack {ack}: acks never move back"
        );
    }
    // The worker running again sends nothing more.
    run_outbox_until(&s.engine, || true);
    assert_eq!(s.link.sent().len(), 1, "nothing is sent twice");
}

#[test]
fn a_number_without_whatsapp_fails_in_the_outbox_and_is_never_sent() {
    let s = setup();
    s.link.set_connected(true);
    s.link.mark_not_on_whatsapp("14155550199");
    // The send answers at once (asking WhatsApp Web would hold the caller); the outbox asks.
    let queued = s
        .engine
        .send_message(SendMessage {
            phone_number: "+1 415 555 0199".into(),
            message: "hi".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(queued.status, MessageStatus::Queued);
    let failed = || {
        s.engine
            .messages(None, None, 10)
            .unwrap()
            .items
            .first()
            .is_some_and(|m| m.status == MessageStatus::Failed)
    };
    run_outbox_until(&s.engine, failed);
    let message = s.engine.messages(None, None, 10).unwrap().items.remove(0);
    assert_eq!(message.status, MessageStatus::Failed);
    let error = message.error.unwrap_or_default();
    assert!(error.contains("+14155550199 is not on WhatsApp"), "{error}");
    assert!(s.link.sent().is_empty(), "nothing went to WhatsApp");
}

#[test]
fn bad_phone_numbers_are_field_errors() {
    let s = setup();
    for text in ["", "call me", "+1 555"] {
        let err = s
            .engine
            .send_message(SendMessage {
                phone_number: text.into(),
                message: "hi".into(),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed, "{text:?}");
        assert_eq!(err.details[0].field, "phoneNumber");
    }
}

#[test]
fn sends_made_while_offline_wait_and_go_out_when_connected() {
    let s = setup();
    s.link.set_connected(false);
    let receipt = s
        .engine
        .send_message(SendMessage {
            phone_number: "+14155550132".into(),
            message: "queued".into(),
            ..Default::default()
        })
        .unwrap();
    run_outbox_until(&s.engine, || true);
    assert!(
        s.link.sent().is_empty(),
        "nothing goes out while WhatsApp is away"
    );
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Queued
    );
    s.link.set_connected(true);
    run_outbox_until(&s.engine, || !s.link.sent().is_empty());
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Sent
    );
}

#[test]
fn a_send_interrupted_by_a_crash_is_looked_up_not_resent() {
    // The app died after handing the message to WhatsApp but before recording it: the outbox row
    // says "sending". WhatsApp has the id, so the message is marked sent without a second send.
    let s = setup();
    let receipt = s
        .engine
        .send_message(SendMessage {
            phone_number: "+14155550132".into(),
            message: "once".into(),
            ..Default::default()
        })
        .unwrap();
    s.engine
        .db()
        .with(|c| {
            c.execute("UPDATE outbox SET state = 'sending', attempts = 1", [])?;
            Ok(())
        })
        .unwrap();
    s.link.mark_known(&receipt.wa_message_id);
    run_outbox_until(&s.engine, || {
        s.engine.message(receipt.message_id).unwrap().status == MessageStatus::Sent
    });
    assert!(
        s.link.sent().is_empty(),
        "a message WhatsApp already has is never sent again"
    );
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Sent
    );

    // The other case: the app died before WhatsApp got it: it is sent, once.
    let second = s
        .engine
        .send_message(SendMessage {
            phone_number: "+14155550132".into(),
            message: "twice?".into(),
            ..Default::default()
        })
        .unwrap();
    s.engine
        .db()
        .with(|c| {
            c.execute("UPDATE outbox SET state = 'sending', attempts = 1", [])?;
            Ok(())
        })
        .unwrap();
    run_outbox_until(&s.engine, || !s.link.sent().is_empty());
    let sent = s.link.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].wa_message_id, second.wa_message_id);
}

#[test]
fn an_ack_filed_under_another_chat_id_still_finds_the_message() {
    let s = setup();
    let receipt = s
        .engine
        .send_message(SendMessage {
            phone_number: "+14155550132".into(),
            message: "hi".into(),
            ..Default::default()
        })
        .unwrap();
    let key_id = receipt.wa_message_id.rsplit('_').next().unwrap().to_owned();
    // WhatsApp reports the ack with the person's hidden @lid id instead of the phone id.
    s.engine
        .apply_ack(&format!("true_98765@lid_{key_id}"), 2)
        .unwrap();
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Delivered
    );
    s.engine
        .apply_ack("true_98765@lid_3EB0FFFFFFFFFFFFFFFF", 3)
        .unwrap();
    assert_eq!(
        s.engine.message(receipt.message_id).unwrap().status,
        MessageStatus::Delivered,
        "an unknown key id changes nothing"
    );
}

#[test]
fn a_customer_whatsapp_knows_can_be_answered_even_if_the_number_looks_invalid() {
    let s = setup();
    // +1 555 0123 4567 is outside libphonenumber's valid ranges, but WhatsApp delivered from it.
    s.engine
        .ingest(inbound(
            "false_155501234567@c.us_X",
            "155501234567@c.us",
            None,
            "hello",
        ))
        .unwrap();
    let receipt = s.engine.send_message(SendMessage {
        phone_number: "+155501234567".into(),
        message: "hi back".into(),
        ..Default::default()
    });
    assert!(receipt.is_ok(), "{receipt:?}");
    let err = s
        .engine
        .send_message(SendMessage {
            phone_number: "+155501239999".into(),
            message: "cold".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::ValidationFailed,
        "unknown invalid numbers are still refused"
    );
}

/// `count` texts from `digits`, one second apart from `T0`, ids `<prefix><n>`.
fn texts(prefix: &str, digits: &str, count: usize) -> Vec<InboundMessage> {
    (0..count)
        .map(|n| {
            testing::inbound(&format!("{prefix}{n}"), digits, &format!("text {n}"))
                .push_name("Ana")
                .at(testing::T0 + n as i64 * 1000)
                .build()
        })
        .collect()
}

#[test]
fn a_live_batch_is_one_event_per_message_counted_once_and_idempotent() {
    let s = setup();
    let mut listener = s.engine.subscribe();
    let mut batch = texts("A", "14155550140", 3);
    batch.push(
        testing::inbound("B0", "14155550141", "from Bo")
            .push_name("Bo")
            .at(testing::T0 + 10_000)
            .build(),
    );
    batch.push(
        testing::inbound("A9", "14155550140", "sent from the phone")
            .from_me()
            .at(testing::T0 + 20_000)
            .build(),
    );
    let outcome = s.engine.ingest_batch(batch.clone(), Origin::Live).unwrap();
    assert_eq!((outcome.added, outcome.repeats), (5, 0));
    let again = s.engine.ingest_batch(batch, Origin::Live).unwrap();
    assert_eq!(
        (again.added, again.repeats),
        (0, 5),
        "a batch delivered twice adds nothing"
    );

    let mut received = Vec::new();
    let mut created = Vec::new();
    while let Ok(envelope) = listener.try_recv() {
        match envelope.event {
            Event::MessageReceived(m) => received.push(m.wa_message_id),
            Event::ContactCreated(c) => {
                assert!(
                    received.is_empty(),
                    "a new contact is announced before its messages"
                );
                created.push((c.phone_number, c.messages_in, c.messages_out));
            }
            _ => {}
        }
    }
    assert_eq!(
        received.len(),
        5,
        "one event per message, none for the repeat"
    );
    assert_eq!(
        received[0], "false_14155550140@c.us_A0",
        "announced in the order they came"
    );
    created.sort();
    assert_eq!(
        created,
        vec![
            (Some("+14155550140".into()), 3, 1),
            (Some("+14155550141".into()), 1, 0)
        ],
        "each new contact announced once, with its counts"
    );
    let ana = s.engine.contact(contact_of(&s, "+14155550140")).unwrap();
    assert_eq!(
        (ana.messages_in, ana.messages_out, ana.unread_count),
        (3, 1, 3)
    );
    assert_eq!(
        ana.last_message_at.as_deref(),
        Some(whatsflow_engine::to_rfc3339(testing::T0 + 20_000).as_str())
    );
    assert_eq!(
        ana.first_message_at.as_deref(),
        Some(whatsflow_engine::to_rfc3339(testing::T0).as_str())
    );
}

#[test]
fn history_is_stored_marked_counted_and_announced_to_no_one() {
    let s = setup();
    let webhook = s
        .engine
        .create_webhook(WebhookInput {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["*".into()],
            enabled: None,
        })
        .unwrap();
    // A live message first: history read later must not add to what is already there.
    s.engine
        .ingest(texts("H", "14155550150", 1).remove(0))
        .unwrap();
    let mut listener = s.engine.subscribe();
    let deliveries_before = s
        .engine
        .webhook_deliveries(webhook.id, None, None, 100)
        .unwrap()
        .items
        .len();

    let mut history = texts("H", "14155550150", 4);
    history.push(
        testing::inbound("H9", "14155550150", "our answer")
            .from_me()
            .at(testing::T0 + 9_000)
            .build(),
    );
    let outcome = s
        .engine
        .ingest_batch(history.clone(), Origin::History)
        .unwrap();
    assert_eq!(
        (outcome.added, outcome.repeats),
        (4, 1),
        "only what the inbox lacked"
    );
    assert_eq!(
        s.engine
            .ingest_batch(history, Origin::History)
            .unwrap()
            .added,
        0,
        "a second backfill adds nothing"
    );

    assert!(
        listener.try_recv().is_err(),
        "history raises no event (no notification)"
    );
    assert_eq!(
        s.engine
            .webhook_deliveries(webhook.id, None, None, 100)
            .unwrap()
            .items
            .len(),
        deliveries_before,
        "and no webhook"
    );
    let contact = s.engine.contact(contact_of(&s, "+14155550150")).unwrap();
    assert_eq!(
        (
            contact.messages_in,
            contact.messages_out,
            contact.unread_count
        ),
        (4, 1, 1),
        "counted, but only the live message is unread"
    );
    assert_eq!(
        contact.last_message_at.as_deref(),
        Some(whatsflow_engine::to_rfc3339(testing::T0 + 9_000).as_str())
    );
    let thread = s.engine.conversation(contact.id, None, 50).unwrap().items;
    assert_eq!(thread.len(), 5);
    assert_eq!(
        thread.iter().filter(|m| m.history).count(),
        4,
        "the backfilled messages are marked as history, the live one is not"
    );
    let bodies: Vec<&str> = thread.iter().rev().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["text 0", "text 1", "text 2", "text 3", "our answer"],
        "in WhatsApp's order"
    );
}

fn contact_of(s: &Setup, phone: &str) -> i64 {
    s.engine
        .messages(None, None, 100)
        .unwrap()
        .items
        .iter()
        .map(|m| s.engine.contact(m.contact_id).unwrap())
        .find(|c| c.phone_number.as_deref() == Some(phone))
        .map(|c| c.id)
        .expect("a contact with that phone")
}
