//! The simulator over real HTTP: the control API, and the page transport played by a fake page.
//!
//! The page's JavaScript is exercised in real Chromium by the WhatsApp driver's tests; here a
//! `FakePage` speaks the page's `/sim` protocol, so the server's bookkeeping is checked without a
//! browser.

use std::io::BufRead as _;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wa_sim::Simulator;

struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn new(sim: &Simulator) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        Client {
            agent,
            base: sim.url().trim_end_matches('/').to_string(),
        }
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_json().unwrap_or(Value::Null),
        )
    }

    fn bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_vec().unwrap())
    }

    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_json(body)
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_json().unwrap_or(Value::Null),
        )
    }

    fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_json().unwrap_or(Value::Null),
        )
    }

    fn ok(&self, path: &str, body: Value) -> Value {
        let (status, reply) = self.post(path, body);
        assert_eq!(status, 200, "POST {path} should succeed: {reply}");
        reply
    }

    fn state(&self) -> Value {
        self.get("/control/state").1
    }
}

/// Speaks the page's side of `/sim`, as the real page script does.
struct FakePage<'a> {
    client: &'a Client,
    id: String,
    after: u64,
    keys: Value,
    /// Events received but not yet looked at by `wait_for`.
    pending: std::collections::VecDeque<Value>,
}

impl<'a> FakePage<'a> {
    fn open(client: &'a Client, identity: Option<&Value>) -> FakePage<'a> {
        let keys = json!({
            "noisePub": "bm9pc2Utc3RhdGljLXB1YmxpYy1rZXktMzItYnl0ZXM=",
            "identityPub": "aWRlbnRpdHktcHVibGljLWtleS0zMi1ieXRlcyEhISE=",
            "advSecret": "YWR2LXNlY3JldA==",
            "platform": "WEB",
        });
        let reply = client.ok(
            "/sim/hello",
            json!({"keys": keys, "identity": identity.cloned().unwrap_or(Value::Null)}),
        );
        FakePage {
            client,
            id: reply["page"].as_str().unwrap().to_string(),
            after: 0,
            keys,
            pending: Default::default(),
        }
    }

    /// Waits (up to the server's long-poll time) for events and acknowledges them.
    fn poll(&mut self) -> Vec<Value> {
        let (status, reply) = self
            .client
            .get(&format!("/sim/poll?page={}&after={}", self.id, self.after));
        assert_eq!(status, 200, "poll: {reply}");
        let events = reply["events"].as_array().cloned().unwrap_or_default();
        if let Some(last) = events.last() {
            self.after = last["seq"].as_u64().unwrap();
        }
        events
    }

    /// Polls until an event of `kind` arrives; returns it.
    fn wait_for(&mut self, kind: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            while let Some(event) = self.pending.pop_front() {
                if event["kind"] == kind {
                    return event;
                }
            }
            if Instant::now() >= deadline {
                break;
            }
            let events = self.poll();
            self.pending.extend(events);
        }
        panic!("no {kind} event reached the page");
    }

    fn post(&self, path: &str, mut body: Value) -> Value {
        body["page"] = json!(self.id);
        self.client.ok(path, body)
    }

    fn send(&self, key: &str, body: &str) -> Value {
        self.post(
            "/sim/send",
            json!({
                "id": format!("true_15551234567@c.us_{key}"),
                "to": "15551234567@c.us",
                "type": "chat",
                "body": body,
                "t": 1_700_000_000,
                "from": "15550000001@c.us",
            }),
        )
    }
}

/// Opens a page, scans its QR, finishes the sync: a linked, ready page. Returns the identity the
/// page would have stored.
fn linked_page<'a>(client: &'a Client) -> (FakePage<'a>, Value) {
    let mut page = FakePage::open(client, None);
    client.ok("/control/scan", json!({"phoneNumber": "+15550000001"}));
    let identity = page.wait_for("linked")["identity"].clone();
    page.wait_for("sync");
    page.post("/sim/synced", json!({}));
    (page, identity)
}

fn outbound(client: &Client, id: &str) -> Value {
    let (_, list) = client.get("/control/outbound");
    list.as_array()
        .unwrap()
        .iter()
        .find(|message| message["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not in /control/outbound: {list}"))
}

#[test]
fn state_without_any_page() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    assert!(sim.url().starts_with("http://127.0.0.1:"));
    assert_eq!(sim.url(), format!("http://127.0.0.1:{}/", sim.port()));
    let state = client.state();
    assert_eq!(state["state"], Value::Null, "no page, no socket state");
    assert_eq!(state["qr"], Value::Null);
    assert_eq!(state["paired"], false);
    assert_eq!(state["phoneNumber"], Value::Null);

    let (status, reply) = client.post("/control/scan", json!({}));
    assert_eq!(status, 409, "nothing to scan without a page: {reply}");
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no page"));
}

#[test]
fn the_page_is_served() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (status, html) = client.bytes("/?post_logout=1");
    assert_eq!(status, 200);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("WhatsApp Web (simulator)"));
    assert!(html.contains("/sim/page.js"));
    let (status, script) = client.bytes("/sim/page.js");
    assert_eq!(status, 200);
    let script = String::from_utf8(script).unwrap();
    for name in [
        "WAWebSocketModel",
        "WAWebSendMsgChatAction",
        "post_logout=1",
        "Requiring unknown module",
    ] {
        assert!(script.contains(name), "the page script knows {name}");
    }
    let (status, reply) = client.get("/nowhere");
    assert_eq!(status, 404);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/control"));
}

#[test]
fn qr_is_composed_from_the_page_keys_and_scanning_links() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let mut page = FakePage::open(&client, None);
    let qr_ref = page.wait_for("ref")["ref"].as_str().unwrap().to_string();
    let state = client.state();
    assert_eq!(state["state"], "UNPAIRED");
    let expected = format!(
        "{qr_ref},{},{},{},{}",
        page.keys["noisePub"].as_str().unwrap(),
        page.keys["identityPub"].as_str().unwrap(),
        page.keys["advSecret"].as_str().unwrap(),
        page.keys["platform"].as_str().unwrap()
    );
    assert_eq!(state["qr"], expected, "ref,noise,identity,adv,platform");

    client.ok(
        "/control/scan",
        json!({"phoneNumber": "+5511912345678", "pushName": "Padaria"}),
    );
    let identity = page.wait_for("linked")["identity"].clone();
    assert_eq!(identity["phone"], "5511912345678");
    assert_eq!(identity["pushName"], "Padaria");
    let state = client.state();
    assert_eq!(state["state"], "CONNECTED");
    assert_eq!(state["qr"], Value::Null, "a linked page shows no QR");
    assert_eq!(state["paired"], true);
    assert_eq!(state["phoneNumber"], "+5511912345678");

    page.post(
        "/sim/report",
        json!({"state": "CONNECTED", "hasSynced": true}),
    );
    assert_eq!(client.state()["hasSynced"], true);
}

#[test]
fn config_is_validated_and_reported() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (status, reply) = client.post_raw("/control/config", "{\"ackDelaysMs\": [1, 2");
    assert_eq!(status, 400);
    assert_eq!(reply["error"]["code"], "bad_json");
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));

    let (status, reply) = client.post("/control/config", json!({"qrRotateMs": "fast"}));
    assert_eq!(status, 400);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("qrRotateMs"));

    let (status, reply) = client.post("/control/config", json!({"notOnWhatsApp": ["5551234"]}));
    assert_eq!(status, 400, "numbers must be +E164: {reply}");

    let reply = client.ok(
        "/control/config",
        json!({"ackDelaysMs": [10, null, 30], "notOnWhatsApp": ["+15559999999"], "banAfterPerMinute": 5}),
    );
    assert_eq!(reply["ackDelaysMs"], json!([10, null, 30]));
    let (_, config) = client.get("/control/config");
    assert_eq!(config["notOnWhatsApp"], json!(["+15559999999"]));
    assert_eq!(config["banAfterPerMinute"], 5);
    assert_eq!(
        config["qrRotateMs"], 20_000,
        "untouched settings keep their value"
    );

    let exists = |wid: &str| client.ok("/sim/exists", json!({"wid": wid}))["exists"].clone();
    assert_eq!(exists("15559999999@c.us"), false);
    assert_eq!(exists("15551234567@c.us"), true);
}

#[test]
fn inbound_is_queued_while_no_page_is_connected() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let id = client.ok(
        "/control/inbound",
        json!({"from": "+15551234567", "pushName": "Ana", "body": "are you open?"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("false_15551234567@c.us_"), "{id}");
    let (_, inbound) = client.get("/control/inbound");
    assert_eq!(inbound[0]["id"], id.as_str());
    assert_eq!(inbound[0]["delivered"], false);
    assert_eq!(client.state()["pendingInbound"], 1);

    // A restored browser profile comes back with an identity this simulator never issued.
    let identity = json!({"deviceId": "RESTORED", "phone": "15550000001", "pushName": "Shop", "lid": "123456789012345", "device": 7});
    let mut page = FakePage::open(&client, Some(&identity));
    page.wait_for("sync");
    assert_eq!(
        client.state()["pendingInbound"],
        1,
        "nothing is delivered before the page has synced"
    );
    page.post("/sim/synced", json!({}));
    let event = page.wait_for("inbound");
    let message = &event["deliveries"][0]["message"];
    assert_eq!(message["id"], id.as_str());
    assert_eq!(message["notifyName"], "Ana");
    assert_eq!(
        message["to"], "15550000001@c.us",
        "addressed to the business"
    );
    page.post("/sim/delivered", json!({"ids": [id]}));
    assert_eq!(client.state()["pendingInbound"], 0);
    let (_, inbound) = client.get("/control/inbound");
    assert_eq!(inbound[0]["delivered"], true);
}

#[test]
fn unconfirmed_inbound_is_redelivered_to_the_next_page() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (mut page, identity) = linked_page(&client);
    let id = client.ok(
        "/control/inbound",
        json!({"from": "123456789012345@lid", "lidPhone": "+447700900123", "body": "hi", "id": "ONCE1"}),
    )["id"]
        .clone();
    assert_eq!(id, "false_123456789012345@lid_ONCE1");
    let event = page.wait_for("inbound");
    assert_eq!(
        event["deliveries"][0]["message"]["lidPhone"],
        "447700900123@c.us"
    );
    // The browser dies before confirming the delivery.
    page.post("/sim/bye", json!({}));
    let mut page = FakePage::open(&client, Some(&identity));
    page.wait_for("sync");
    page.post("/sim/synced", json!({}));
    assert_eq!(
        page.wait_for("inbound")["deliveries"][0]["message"]["id"],
        id
    );
}

#[test]
fn outbound_keeps_the_callers_id_and_acks_move() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    client.ok(
        "/control/config",
        json!({"ackDelaysMs": [null, null, null]}),
    );
    let (mut page, _) = linked_page(&client);

    let reply = page.send("3EB0AAAABBBBCCCCDDDDEE", "your order is ready");
    assert_eq!(reply["result"], "OK");
    let id = "true_15551234567@c.us_3EB0AAAABBBBCCCCDDDDEE";
    let record = outbound(&client, id);
    assert_eq!(record["to"], "15551234567@c.us");
    assert_eq!(record["phoneNumber"], "+15551234567");
    assert_eq!(record["body"], "your order is ready");
    assert_eq!(record["type"], "chat");
    assert_eq!(record["ack"], 0, "automatic acks are off");

    client.ok("/control/ack", json!({"id": id, "ack": 2}));
    assert_eq!(outbound(&client, id)["ack"], 2);
    let event = page.wait_for("ack");
    assert_eq!(
        (event["id"].as_str(), event["ack"].as_i64()),
        (Some(id), Some(2))
    );

    let (status, _) = client.post("/control/ack", json!({"id": "true_x@c.us_NOPE", "ack": 1}));
    assert_eq!(status, 404);
    let (status, reply) = client.post("/control/ack", json!({"id": id, "ack": 7}));
    assert_eq!(status, 400);
    assert!(reply["error"]["message"].as_str().unwrap().contains("read"));

    // Sending the same id again is the same message.
    assert_eq!(
        page.send("3EB0AAAABBBBCCCCDDDDEE", "again")["duplicate"],
        true
    );
    assert_eq!(
        client.get("/control/outbound").1.as_array().unwrap().len(),
        1
    );

    // With delays, the acks climb on their own to read.
    client.ok("/control/config", json!({"ackDelaysMs": [0, 0, 0]}));
    page.send("3EB0EEEEEEEEEEEEEEEEEE", "second");
    let mut acks = Vec::new();
    while acks.last() != Some(&3) {
        let event = page.wait_for("ack");
        if event["id"] == "true_15551234567@c.us_3EB0EEEEEEEEEEEEEEEEEE" {
            acks.push(event["ack"].as_i64().unwrap());
        }
    }
    assert_eq!(acks, [1, 2, 3]);
}

#[test]
fn sending_too_fast_bans_and_sends_fail() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    client.ok("/control/config", json!({"banAfterPerMinute": 1}));
    let (mut page, _) = linked_page(&client);
    assert_eq!(page.send("3EB0000000000000000001", "one")["result"], "OK");
    let second = page.send("3EB0000000000000000002", "two");
    assert_eq!(
        (second["result"].as_str(), second["ack"].as_i64()),
        (Some("ERROR"), Some(-1))
    );
    assert_eq!(page.wait_for("state")["state"], "TOS_BLOCK");
    assert_eq!(client.state()["banned"], true);
    let record = outbound(&client, "true_15551234567@c.us_3EB0000000000000000002");
    assert_eq!(record["ack"], -1);
    assert!(record["error"].as_str().unwrap().contains("banned"));
}

#[test]
fn sends_are_refused_as_the_real_site_refuses_them() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (page, identity) = linked_page(&client);
    let lid_chat = "98765432109876@lid";
    let own_lid = format!("{}@lid", identity["lid"].as_str().unwrap());
    let send = |chat: &str, key: &str, from: &str, extra: Value| {
        let mut body = json!({
            "id": format!("true_{chat}_{key}"), "to": chat, "type": "chat", "body": "hi", "from": from,
        });
        for (name, value) in extra.as_object().unwrap() {
            body[name] = value.clone();
        }
        let reply = page.post("/sim/send", body);
        (reply, outbound(&client, &format!("true_{chat}_{key}")))
    };
    let error = |record: &Value| record["error"].as_str().unwrap_or_default().to_owned();

    // The deprecated 20-character id marks an unusual client.
    let (reply, record) = send(
        "15551234567@c.us",
        "3EB0AAAABBBBCCCCDDDD",
        "15550000001@c.us",
        json!({}),
    );
    assert_eq!(reply["result"], "ERROR");
    assert!(error(&record).contains("current format"), "{record}");

    // In an @lid chat the sender is the business's own hidden linked id.
    let (reply, record) = send(
        lid_chat,
        "3EB0000000000000000011",
        "15550000001@c.us",
        json!({}),
    );
    assert_eq!(reply["result"], "ERROR");
    assert!(error(&record).contains(&own_lid), "{record}");
    let (reply, record) = send(lid_chat, "3EB0000000000000000012", &own_lid, json!({}));
    assert_eq!(reply["result"], "OK", "{record}");
    assert_eq!(record["from"], own_lid.as_str());

    // A disappearing-message chat needs the ephemeral fields.
    client.ok(
        "/control/disappearing",
        json!({"chatId": "15551234567@c.us", "seconds": 86400}),
    );
    let (reply, record) = send(
        "15551234567@c.us",
        "3EB0000000000000000013",
        "15550000001@c.us",
        json!({}),
    );
    assert_eq!(reply["result"], "ERROR");
    assert!(error(&record).contains("getEphemeralFields"), "{record}");
    let (reply, _) = send(
        "15551234567@c.us",
        "3EB0000000000000000014",
        "15550000001@c.us",
        json!({"ephemeralDuration": 86400}),
    );
    assert_eq!(reply["result"], "OK");
    let (status, _) = client.post(
        "/control/disappearing",
        json!({"chatId": "shop", "seconds": 1}),
    );
    assert_eq!(status, 400);
}

#[test]
fn modules_register_late_and_the_page_can_be_outdated() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (_, config) = client.get("/control/config");
    assert_eq!(
        config["lateModules"]["WAWebSendMsgChatAction"], 0,
        "sending registers only after the sync by default"
    );
    let (mut page, _) = linked_page(&client);
    let reply = client.ok(
        "/control/config",
        json!({"lateModules": {"WAWebQueryExistsJob": 3000, "WAWebSendMsgChatAction": null}}),
    );
    assert_eq!(reply["lateModules"]["WAWebQueryExistsJob"], 3000);
    assert!(reply["lateModules"]["WAWebSendMsgChatAction"].is_null());
    let (status, _) = client.post("/control/config", json!({"lateModules": {"X": "later"}}));
    assert_eq!(status, 400);
    let config = page.wait_for("config");
    assert_eq!(config["lateModules"]["WAWebQueryExistsJob"], 3000);

    client.ok("/control/deprecate", json!({}));
    assert_eq!(page.wait_for("state")["state"], "DEPRECATED_VERSION");
}

#[test]
fn the_pairing_code_screen_goes_back_to_qr_codes() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let page = FakePage::open(&client, None);
    page.post("/sim/pairing-code", json!({"phone": "5511912345678"}));
    assert!(
        client.state()["qr"].is_null(),
        "the code screen shows no QR"
    );
    page.post("/sim/refresh-qr", json!({}));
    assert!(
        client.state()["qr"].is_null(),
        "refreshQR alone stays on the code screen"
    );
    page.post("/sim/qr-linking", json!({}));
    assert!(client.state()["qr"].is_string());
    let (status, _) = client.post("/control/pairing", json!({"code": "ABCD1234"}));
    assert_eq!(status, 409, "no code is pending any more");
}

#[test]
fn logout_revokes_the_stored_identity() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (status, _) = client.post("/control/logout", json!({}));
    assert_eq!(status, 409, "nothing linked yet");

    let (mut page, identity) = linked_page(&client);
    client.ok("/control/logout", json!({}));
    assert_eq!(page.wait_for("logout")["kind"], "logout");
    assert_eq!(client.state()["paired"], false);

    // The browser profile still holds the revoked identity: it must not resume.
    let mut page = FakePage::open(&client, Some(&identity));
    page.wait_for("logout");
    // After clearing its storage the page starts over with a QR.
    let mut page = FakePage::open(&client, None);
    page.wait_for("ref");
    assert!(client.state()["qr"].is_string());
}

#[test]
fn offline_and_conflict_move_the_page_state() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (mut page, _) = linked_page(&client);
    client.ok("/control/offline", json!({}));
    assert_eq!(page.wait_for("state")["state"], "TIMEOUT");
    client.ok("/control/online", json!({}));
    assert_eq!(page.wait_for("state")["state"], "CONNECTED");
    client.ok("/control/conflict", json!({}));
    assert_eq!(page.wait_for("state")["state"], "CONFLICT");
    page.post("/sim/takeover", json!({}));
    assert_eq!(client.state()["state"], "CONNECTED");
}

#[test]
fn pairing_code_links_the_number_it_was_asked_for() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let mut page = FakePage::open(&client, None);
    let code = page.post("/sim/pairing-code", json!({"phone": "5511912345678"}))["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 8);
    assert!(code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    let (status, _) = client.post("/control/pairing", json!({"code": "WRONG123"}));
    assert_eq!(status, 400);
    let typed = format!("{}-{}", &code[..4], code[4..].to_lowercase());
    client.ok("/control/pairing", json!({"code": typed}));
    page.wait_for("linked");
    assert_eq!(client.state()["phoneNumber"], "+5511912345678");
}

#[test]
fn inbound_media_is_downloadable_with_its_key() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let (mut page, _) = linked_page(&client);
    client.ok(
        "/control/inbound",
        json!({"from": "+15551234567", "type": "ptt", "media": {"data": "T2dnUw==", "mimetype": "audio/ogg; codecs=opus"}}),
    );
    let message = page.wait_for("inbound")["deliveries"][0]["message"].clone();
    assert_eq!(message["type"], "ptt");
    assert_eq!(message["size"], 4);
    let path = message["directPath"].as_str().unwrap();
    let key = message["mediaKey"].as_str().unwrap();
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let (status, bytes) = client.bytes(&format!(
        "/sim/media?directPath={}&mediaKey={}",
        encode(path),
        encode(key)
    ));
    assert_eq!(status, 200);
    assert_eq!(bytes, b"OggS");
    let (status, _) = client.bytes(&format!(
        "/sim/media?directPath={}&mediaKey=d3Jvbmc%3D",
        encode(path)
    ));
    assert_eq!(status, 403, "the wrong media key is refused");
    let (status, bytes) = client.bytes(&format!("/control/media?directPath={}", encode(path)));
    assert_eq!((status, bytes.as_slice()), (200, b"OggS".as_slice()));
}

#[test]
fn control_routes_allow_other_origins() {
    let sim = Simulator::start(0).unwrap();
    let client = Client::new(&sim);
    let response = client
        .agent
        .options(format!("{}/control/inbound", client.base))
        .header("Origin", "http://127.0.0.1:5173")
        .header("Access-Control-Request-Method", "POST")
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
    let response = client
        .agent
        .get(format!("{}/control/state", client.base))
        .call()
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
}

#[test]
fn the_binary_announces_itself_and_stops_on_sigterm() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wa-sim"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("wa-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(url.starts_with("http://127.0.0.1:"));
    let state: Value = ureq::get(format!("{url}/control/state"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(state["paired"], false);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean stop");
}
