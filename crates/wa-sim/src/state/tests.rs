//! The state machine driven through its timers and page requests, with time passed in.

use super::*;

fn keys() -> PageKeys {
    PageKeys {
        noise_pub: "Tm9pc2U=".into(),
        identity_pub: "SWRlbnQ=".into(),
        adv_secret: "QWR2".into(),
        platform: "WEB".into(),
    }
}

fn kinds(sim: &mut Sim, page: &str) -> Vec<String> {
    sim.take_events(page, 0)
        .unwrap()
        .iter()
        .map(|event| match event["kind"].as_str().unwrap() {
            "state" => format!("state:{}", event["state"].as_str().unwrap()),
            kind => kind.to_string(),
        })
        .collect()
}

fn open_page(sim: &mut Sim, identity: Option<Identity>, now: Instant) -> String {
    let reply = sim.hello(
        Hello {
            keys: keys(),
            identity,
        },
        now,
    );
    reply["page"].as_str().unwrap().to_string()
}

fn linked_page(sim: &mut Sim, now: Instant) -> String {
    let page = open_page(sim, None, now);
    sim.scan("15550000001", "Shop").unwrap();
    sim.synced(&page).unwrap();
    sim.take_events(&page, u64::MAX);
    page
}

/// A key id in the current format, ending in `tail`.
fn key_id(tail: &str) -> String {
    format!("3EB0{tail:0>18}")
}

fn send(sim: &mut Sim, page: &str, key: &str, now: Instant) -> Value {
    sim.send(
        Outgoing {
            page: page.into(),
            id: format!("true_15551234567@c.us_{}", key_id(key)),
            to: "15551234567@c.us".into(),
            kind: "chat".into(),
            body: Some("hi".into()),
            caption: None,
            mimetype: None,
            filename: None,
            size: None,
            direct_path: None,
            media_key: None,
            t: None,
            quoted_id: None,
            from: Some("15550000001@c.us".into()),
            ephemeral_duration: None,
        },
        now,
    )
    .unwrap()
}

fn ack_of(sim: &Sim, id: &str) -> i64 {
    let list = sim.outbound_view();
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()["ack"]
        .as_i64()
        .unwrap()
}

#[test]
fn qr_rotates_then_goes_idle_and_refresh_restarts_it() {
    let mut sim = Sim::new();
    let start = Instant::now();
    let page = open_page(&mut sim, None, start);
    let first = sim.qr().expect("a new page without a session shows a QR");
    assert_eq!(first.split(',').count(), 5, "the QR string has five parts");
    assert!(first.ends_with(",Tm9pc2U=,SWRlbnQ=,QWR2,WEB"));

    let period = Duration::from_millis(sim.config.qr_rotate_ms);
    let mut now = start;
    for shown in 2..=QR_REFS_BEFORE_IDLE {
        now += period;
        sim.tick(now);
        assert_eq!(
            sim.phase(),
            Some(Phase::Unpaired),
            "code {shown} still shown"
        );
    }
    assert_ne!(sim.qr(), Some(first), "the reference rotates");
    now += period;
    sim.tick(now);
    assert_eq!(sim.phase(), Some(Phase::UnpairedIdle));
    assert_eq!(sim.qr(), None, "an idle page shows no QR");

    sim.refresh_qr(&page, now).unwrap();
    assert_eq!(sim.phase(), Some(Phase::Unpaired));
    assert!(sim.qr().is_some());
}

#[test]
fn scanning_links_and_the_page_receives_identity_history_and_sync() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let page = open_page(&mut sim, None, now);
    sim.scan("15550000001", "Shop").unwrap();
    let events = kinds(&mut sim, &page);
    assert_eq!(
        events,
        [
            "ref",
            "state:UNPAIRED",
            "state:PAIRING",
            "linked",
            "state:CONNECTED",
            "history",
            "sync"
        ]
    );
    assert_eq!(sim.state_view()["phoneNumber"], "+15550000001");
    assert!(
        sim.scan("15550000001", "Shop").is_err(),
        "no QR left to scan"
    );
}

#[test]
fn inbound_waits_for_a_synced_page_and_is_redelivered_until_confirmed() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let message = crate::control::tests::inbound_message("+15551234567", "hello");
    let id = sim.inbound(message);
    assert_eq!(sim.state_view()["pendingInbound"], 1);

    let page = open_page(&mut sim, None, now);
    sim.scan("15550000001", "Shop").unwrap();
    let before_sync = sim.take_events(&page, 0).unwrap();
    assert!(
        !before_sync.iter().any(|e| e["kind"] == "inbound"),
        "nothing is delivered before the page has synced"
    );
    sim.synced(&page).unwrap();
    let events = sim.take_events(&page, 0).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "inbound" && e["deliveries"][0]["message"]["id"] == id),
        "the queued message is delivered once the page has synced: {events:?}"
    );
    // The browser dies before confirming: the next page gets it again.
    sim.page_left(&page);
    let identity = sim.account.linked.clone();
    let page = open_page(&mut sim, identity, now);
    sim.synced(&page).unwrap();
    let events = sim.take_events(&page, 0).unwrap();
    assert!(events.iter().any(|e| e["kind"] == "inbound"));
    sim.delivered(&page, std::slice::from_ref(&id)).unwrap();
    assert_eq!(sim.state_view()["pendingInbound"], 0);
}

#[test]
fn revoked_device_is_logged_out_and_unknown_device_is_accepted() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let page = linked_page(&mut sim, now);
    let identity = sim.account.linked.clone().unwrap();
    assert!(sim.logout());
    assert!(kinds(&mut sim, &page).contains(&"logout".to_string()));

    let page = open_page(&mut sim, Some(identity.clone()), now);
    assert_eq!(
        kinds(&mut sim, &page),
        ["logout"],
        "a revoked session cannot resume"
    );

    let stranger = Identity {
        device_id: "OTHER".into(),
        ..identity
    };
    let page = open_page(&mut sim, Some(stranger), now);
    assert_eq!(
        kinds(&mut sim, &page),
        ["state:CONNECTED", "history", "sync"],
        "a session the server never saw (simulator restarted) resumes"
    );
}

#[test]
fn acks_advance_by_the_configured_delays_and_pause_while_offline() {
    let mut sim = Sim::new();
    let start = Instant::now();
    let page = linked_page(&mut sim, start);
    send(&mut sim, &page, "AAAA", start);
    let id = &format!("true_15551234567@c.us_{}", key_id("AAAA"));
    assert_eq!(ack_of(&sim, id), 0);
    sim.tick(start + Duration::from_millis(100));
    assert_eq!(ack_of(&sim, id), 1);

    sim.go_offline();
    sim.tick(start + Duration::from_millis(10_000));
    assert_eq!(
        ack_of(&sim, id),
        1,
        "no receipts reach a phone that is offline"
    );
    let later = start + Duration::from_millis(20_000);
    sim.go_online(later);
    sim.tick(later + Duration::from_millis(300));
    assert_eq!(ack_of(&sim, id), 2);
    sim.tick(later + Duration::from_millis(1_100));
    assert_eq!(ack_of(&sim, id), 3);
}

#[test]
fn null_delay_stops_and_manual_ack_takes_over() {
    let mut sim = Sim::new();
    let now = Instant::now();
    sim.configure(
        ConfigChange {
            ack_delays_ms: Some([Some(0), None, Some(0)]),
            ..ConfigChange::default()
        },
        now,
    );
    let page = linked_page(&mut sim, now);
    send(&mut sim, &page, "BBBB", now);
    let id = &format!("true_15551234567@c.us_{}", key_id("BBBB"));
    sim.tick(now + Duration::from_secs(60));
    assert_eq!(ack_of(&sim, id), 1, "null at the device step stops there");
    sim.set_ack(id, 3).unwrap();
    assert_eq!(ack_of(&sim, id), 3);
}

#[test]
fn sending_too_fast_bans_the_number() {
    let mut sim = Sim::new();
    let now = Instant::now();
    sim.configure(
        ConfigChange {
            ban_after_per_minute: Some(Some(2)),
            ..ConfigChange::default()
        },
        now,
    );
    let page = linked_page(&mut sim, now);
    assert_eq!(send(&mut sim, &page, "A1", now)["result"], "OK");
    assert_eq!(send(&mut sim, &page, "A2", now)["result"], "OK");
    let third = send(&mut sim, &page, "A3", now);
    assert_eq!(third["ack"], -1, "the third send within a minute fails");
    assert_eq!(sim.phase(), Some(Phase::TosBlock));
    let later = now + Duration::from_secs(120);
    assert_eq!(send(&mut sim, &page, "A4", later)["ack"], -1, "a ban lasts");
}

#[test]
fn the_same_outgoing_id_is_one_message() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let page = linked_page(&mut sim, now);
    send(&mut sim, &page, "CCCC", now);
    let again = send(&mut sim, &page, "CCCC", now);
    assert_eq!(again["duplicate"], true);
    assert_eq!(sim.outbound_view().as_array().unwrap().len(), 1);
}

#[test]
fn a_page_that_stops_polling_is_dropped() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let page = open_page(&mut sim, None, now);
    assert!(sim.poll_started(&page, now));
    assert!(
        !sim.reap(now + PAGE_GONE_AFTER * 2),
        "a page in a poll is alive"
    );
    sim.poll_finished(&page, now);
    assert!(sim.reap(now + PAGE_GONE_AFTER * 2));
    assert_eq!(sim.state_view()["pageConnected"], false);
}

#[test]
fn messages_queued_while_offline_arrive_in_batches() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let page = open_page(&mut sim, None, now);
    sim.scan("15550000001", "Shop").unwrap();
    sim.synced(&page).unwrap();
    sim.go_offline();
    let ids: Vec<String> = (0..1_200)
        .map(|n| {
            sim.inbound(crate::control::tests::inbound_message(
                "+15551234567",
                &format!("while offline {n}"),
            ))
        })
        .collect();
    let offline = sim.take_events(&page, 0).unwrap();
    assert!(
        !offline.iter().any(|e| e["kind"] == "inbound"),
        "nothing reaches a page whose phone is offline"
    );
    let seen = offline
        .last()
        .map(|e| e["seq"].as_u64().unwrap())
        .unwrap_or(0);
    sim.go_online(now);
    sim.synced(&page).unwrap();
    let batches: Vec<Vec<String>> = sim
        .take_events(&page, seen)
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "inbound")
        .map(|e| {
            e["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["message"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        [INBOUND_BATCH, INBOUND_BATCH, 200],
        "back online, the queue comes in batches of at most {INBOUND_BATCH}"
    );
    assert_eq!(batches.concat(), ids, "in the order they were sent");
}

#[test]
fn preloaded_history_reaches_the_page_that_links_addressed_to_the_business() {
    let mut sim = Sim::new();
    let now = Instant::now();
    let preload = Preload {
        chats: 20,
        messages_per_chat: 10,
        lid_every: 10,
        media: true,
    };
    assert_eq!(
        sim.preload_history(&preload),
        json!({"chats": 20, "messages": 200})
    );
    let page = open_page(&mut sim, None, now);
    sim.scan("15550000001", "Shop").unwrap();
    let events = sim.take_events(&page, 0).unwrap();
    let history = events.iter().find(|e| e["kind"] == "history").unwrap();
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 200);
    let chats: std::collections::HashSet<&str> = messages
        .iter()
        .map(|m| m["remote"].as_str().unwrap())
        .collect();
    assert_eq!(chats.len(), 20);
    assert_eq!(
        chats.iter().filter(|c| c.ends_with("@lid")).count(),
        2,
        "every tenth chat is a hidden linked id"
    );
    assert!(
        messages
            .iter()
            .filter(|m| m["remote"].as_str().unwrap().ends_with("@lid"))
            .all(|m| m["lidPhone"].as_str().is_some_and(|p| p.ends_with("@c.us"))),
        "whose phone the server knows"
    );
    for m in messages {
        let me = "15550000001@c.us";
        let own = if m["fromMe"] == true {
            &m["from"]
        } else {
            &m["to"]
        };
        assert_eq!(own, me, "addressed to the linked business: {m}");
    }
    let kinds: std::collections::HashSet<&str> = messages
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["chat", "image", "document"].into_iter().collect(),
        "texts, photos and documents"
    );
    assert!(preload_rejects(0, 5) && preload_rejects(1_000, 1_000));
}

fn preload_rejects(chats: usize, messages_per_chat: usize) -> bool {
    Preload {
        chats,
        messages_per_chat,
        lid_every: 0,
        media: false,
    }
    .check()
    .is_err()
}
