//! A broadcast campaign survives its program being killed outright. `whatsflow-server` sends a
//! campaign to WhatsApp Web's simulator, which runs in this test process so that what "WhatsApp"
//! received outlives every kill (in `--demo` mode the simulator would die with the program). The
//! program is SIGKILLed at random points mid-campaign (seeded; the seed is printed, and
//! `CAMPAIGN_CRASH_SEED` replays it) and restarted on the same data directory each time. In the
//! end WhatsApp holds exactly one message per eligible recipient and none for the others, and the
//! campaign's counters say the same.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::program::Program;

/// Recipients who get the message, opted out, and not on WhatsApp.
const ELIGIBLE: usize = 36;
const OPTED_OUT: usize = 4;
const NOT_ON_WHATSAPP: usize = 4;
const KILLS: usize = 4;
/// In every message, so the simulator's log can be told apart from anything else sent.
const MARK: &str = "crash-test";

fn phone(i: usize) -> String {
    format!("+55119{:08}", 12_340_000 + i)
}

struct Sim {
    url: String,
    agent: ureq::Agent,
}

impl Sim {
    fn control(&self, path: &str, body: Value) {
        let mut response = self
            .agent
            .post(format!("{}control/{path}", self.url))
            .send_json(body)
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            200,
            "{path}: {}",
            response.body_mut().read_to_string().unwrap_or_default()
        );
    }

    /// The campaign's messages WhatsApp received, counted per recipient's digits.
    fn received(&self) -> BTreeMap<String, usize> {
        let log: Value = self
            .agent
            .get(format!("{}control/outbound", self.url))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        let mut per_number = BTreeMap::new();
        for message in log.as_array().expect("the outbound log is a list") {
            if message["body"].as_str().is_some_and(|b| b.contains(MARK)) {
                let to = message["to"].as_str().unwrap_or_default();
                let digits: String = to
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                *per_number.entry(digits).or_default() += 1;
            }
        }
        per_number
    }

    fn received_total(&self) -> usize {
        self.received().values().sum()
    }
}

fn campaign(program: &Program, id: i64) -> Value {
    let (status, body) = program.call("GET", &format!("/api/v1/campaigns/{id}"), None);
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

#[test]
fn a_campaign_killed_mid_run_sends_each_message_exactly_once() {
    let seed: u64 = std::env::var("CAMPAIGN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("campaign crash test: CAMPAIGN_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);

    let simulator = wa_sim::Simulator::start(0).unwrap();
    let sim = Sim {
        url: simulator.url(),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent(),
    };
    let not_on_whatsapp: Vec<String> = (ELIGIBLE + OPTED_OUT
        ..ELIGIBLE + OPTED_OUT + NOT_ON_WHATSAPP)
        .map(phone)
        .collect();
    sim.control("config", json!({ "notOnWhatsApp": not_on_whatsapp }));

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut program = Program::start_against(&data, &sim.url);
    let (status, body) = program.call("POST", "/api/v1/whatsapp/connect", Some(json!({})));
    assert_eq!(status, 202, "connecting answers at once: {body}");
    program.wait_for("qr");
    sim.control("scan", json!({}));
    program.wait_for("connected");

    let mut opted_out_ids = Vec::new();
    for i in 0..ELIGIBLE + OPTED_OUT + NOT_ON_WHATSAPP {
        let (status, body) = program.call(
            "POST",
            "/api/v1/contacts",
            Some(json!({"phoneNumber": phone(i), "name": format!("Customer {i}")})),
        );
        assert_eq!(status, 200, "{body}");
        if (ELIGIBLE..ELIGIBLE + OPTED_OUT).contains(&i) {
            opted_out_ids.push(body["data"]["id"].as_i64().unwrap());
        }
    }
    let (status, body) = program.call(
        "POST",
        "/api/v1/contacts/bulk",
        Some(json!({"ids": opted_out_ids, "action": "opt_out"})),
    );
    assert_eq!(status, 200, "{body}");

    // Short random gaps: fast, yet slow enough that a kill lands while sends remain.
    let pacing = json!({"minGapMs": 50, "maxGapMs": 150, "hourlyCap": 1_000_000,
        "dailyCap": 1_000_000, "quietHours": null, "burstSize": 1_000_000, "burstPauseMs": 0,
        "typing": false, "warmUp": false});
    let (status, body) = program.call(
        "POST",
        "/api/v1/campaigns",
        Some(
            json!({"name": "Crash test", "messageContent": format!("Hi {{{{first_name}}}}, {MARK}"),
            "targetType": "all", "pacing": pacing}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["id"].as_i64().unwrap();
    let (status, body) = program.call("POST", &format!("/api/v1/campaigns/{id}/send"), None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["status"], "sending");

    // Kill points: after a random number of messages reached WhatsApp, plus a random delay, so a
    // kill lands anywhere in a send (queued, handed to the page, acked, tracked).
    let mut targets: Vec<usize> = (0..KILLS).map(|_| rng.gen_range(1..ELIGIBLE - 6)).collect();
    targets.sort_unstable();
    for (round, target) in targets.into_iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(180);
        while sim.received_total() < target {
            assert!(
                Instant::now() < deadline,
                "round {round}: WhatsApp got {} messages, waiting for {target}; campaign {}",
                sim.received_total(),
                campaign(&program, id)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..200)));
        program.child.kill().unwrap();
        program.child.wait().unwrap();
        let at_kill = sim.received_total();
        println!("round {round}: killed with {at_kill} of {ELIGIBLE} messages received");
        assert!(
            at_kill < ELIGIBLE,
            "the kill must land mid-campaign ({at_kill} of {ELIGIBLE} sent)"
        );
        program = Program::start_against(&data, &sim.url);
        program.wait_for("connected");
    }

    let deadline = Instant::now() + Duration::from_secs(300);
    let done = loop {
        let now = campaign(&program, id);
        if now["status"] != "sending" {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "the campaign never finished: {now}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(done["status"], "completed", "{done}");

    let received = sim.received();
    let digits = |i: usize| phone(i).trim_start_matches('+').to_owned();
    let duplicated: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "sent twice: {duplicated:?}");
    let missing: Vec<String> = (0..ELIGIBLE)
        .map(digits)
        .filter(|d| !received.contains_key(d))
        .collect();
    assert!(missing.is_empty(), "never sent: {missing:?}");
    let unwanted: Vec<String> = (ELIGIBLE..ELIGIBLE + OPTED_OUT + NOT_ON_WHATSAPP)
        .map(digits)
        .filter(|d| received.contains_key(d))
        .collect();
    assert!(
        unwanted.is_empty(),
        "sent to opted out or not on WhatsApp: {unwanted:?}"
    );
    assert_eq!(received.len(), ELIGIBLE, "{received:?}");

    let counters = |field: &str| done[field].as_i64().unwrap();
    assert_eq!(
        (
            counters("totalRecipients"),
            counters("sentCount"),
            counters("skippedCount"),
            counters("failedCount"),
            counters("pendingCount"),
        ),
        (
            (ELIGIBLE + OPTED_OUT + NOT_ON_WHATSAPP) as i64,
            ELIGIBLE as i64,
            (OPTED_OUT + NOT_ON_WHATSAPP) as i64,
            0,
            0
        ),
        "{done}"
    );
    let (status, page) = program.call(
        "GET",
        &format!("/api/v1/campaigns/{id}/recipients?status=skipped&limit=100"),
        None,
    );
    assert_eq!(status, 200, "{page}");
    let mut reasons: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or_default().to_owned())
        .collect();
    reasons.sort();
    let mut expected = vec!["not on WhatsApp".to_owned(); NOT_ON_WHATSAPP];
    expected.extend(vec!["opted out".to_owned(); OPTED_OUT]);
    assert_eq!(reasons, expected);
    program.stop();
}
