//! Campaigns against a scripted WhatsApp link and a manual clock: the scheduler's steps are called
//! by the test, the clock is moved to each wake-up time (never slept on), and the real outbox
//! worker hands each queued message to the link. Pacing (gaps, caps, quiet hours, warm-up, DST),
//! scheduled starts, pause / resume / cancel, skips with reasons, opt-out, ban signs, tracking.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeZone};
use rand::rngs::StdRng;
use rand::SeedableRng;
use whatsflow_engine::campaigns::pacing::{PacingPolicy, QuietHours};
use whatsflow_engine::campaigns::{
    CampaignInput, CampaignStatus, RecipientStatus, Scheduler, TargetType,
};
use whatsflow_engine::contacts::{NewContact, TagRef};
use whatsflow_engine::inbox::{MessageStatus, SendMessage};
use whatsflow_engine::link::{
    ConnectionState, ConnectionStatus, InboundMessage, Link, OutgoingMessage,
};
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::webhooks::WebhookInput;
use whatsflow_engine::{Clock, Engine, ErrorCode, ManualClock, Millis, Options, Result};

const NY: chrono_tz::Tz = chrono_tz::America::New_York;

/// Milliseconds of a local time in New York, the test business's zone.
fn ny(local: &str) -> Millis {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M"))
        .unwrap();
    NY.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .timestamp_millis()
}

fn local(at: Millis) -> String {
    NY.timestamp_millis_opt(at)
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A link whose WhatsApp side is a list, stamped with the manual clock.
struct ScriptedLink {
    clock: Arc<ManualClock>,
    state: Mutex<ConnectionState>,
    sent: Mutex<Vec<(Millis, OutgoingMessage)>>,
    not_on_whatsapp: Mutex<Vec<String>>,
    typing: Mutex<Vec<(Millis, String, bool)>>,
    fail_sends: AtomicBool,
}

impl Link for ScriptedLink {
    fn status(&self) -> ConnectionStatus {
        ConnectionStatus::new(*self.state.lock().unwrap())
    }
    fn connect(&self) -> Result<()> {
        Ok(())
    }
    fn disconnect(&self) -> Result<()> {
        Ok(())
    }
    fn request_pairing_code(&self, _: &str) -> Result<String> {
        Ok("ABCD1234".into())
    }
    fn take_over(&self) -> Result<()> {
        Ok(())
    }
    fn check_number(&self, digits: &str) -> Result<Option<String>> {
        let missing = self
            .not_on_whatsapp
            .lock()
            .unwrap()
            .iter()
            .any(|d| d == digits);
        Ok((!missing).then(|| format!("{digits}@c.us")))
    }
    fn send(&self, message: &OutgoingMessage) -> Result<i32> {
        if self.fail_sends.load(Ordering::SeqCst) {
            // What WhatsApp answers a number it will not deliver to: the message fails at once.
            return Err(whatsflow_engine::Error::new(
                ErrorCode::NotOnWhatsapp,
                "WhatsApp refused the message",
            ));
        }
        self.sent
            .lock()
            .unwrap()
            .push((self.clock.now(), message.clone()));
        Ok(1)
    }
    fn find_message(&self, id: &str) -> Result<Option<i32>> {
        let sent = self.sent.lock().unwrap();
        Ok(sent.iter().any(|(_, m)| m.wa_message_id == id).then_some(1))
    }
    fn mark_read(&self, _: &str) -> Result<()> {
        Ok(())
    }
    fn set_typing(&self, chat_id: &str, typing: bool) -> Result<()> {
        self.typing
            .lock()
            .unwrap()
            .push((self.clock.now(), chat_id.to_owned(), typing));
        Ok(())
    }
}

struct Harness {
    engine: Engine,
    clock: Arc<ManualClock>,
    link: Arc<ScriptedLink>,
    scheduler: Scheduler,
    stop: Arc<AtomicBool>,
    outbox: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(worker) = self.outbox.take() {
            worker.join().unwrap();
        }
    }
}

impl Harness {
    fn new(start: Millis) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        // A database file, not the shared in-memory one: the outbox thread and the test's steps
        // write at once, and only a file's locks wait (busy timeout) instead of failing.
        let engine = Engine::open(Options::new(dir.path().to_owned(), clock.clone())).unwrap();
        engine
            .save_profile(ProfileInput {
                details: BusinessDetails {
                    business_name: "Corner Shop".into(),
                    country: "US".into(),
                    timezone: "America/New_York".into(),
                    ..Default::default()
                },
                ..Default::default()
            })
            .unwrap();
        let link = Arc::new(ScriptedLink {
            clock: clock.clone(),
            state: Mutex::new(ConnectionState::Connected),
            sent: Mutex::default(),
            not_on_whatsapp: Mutex::default(),
            typing: Mutex::default(),
            fail_sends: AtomicBool::new(false),
        });
        engine.set_link(link.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let outbox = {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::spawn(move || engine.run_outbox(&stop))
        };
        let scheduler = Scheduler::new(engine.clone(), StdRng::seed_from_u64(11));
        Harness {
            engine,
            clock,
            link,
            scheduler,
            stop,
            outbox: Some(outbox),
            _dir: dir,
        }
    }

    fn contact(&self, phone: &str, name: &str, tags: &[&str]) -> i64 {
        self.engine
            .create_contact(NewContact {
                phone_number: phone.into(),
                name: name.into(),
                tags: tags.iter().map(|t| TagRef::Name((*t).into())).collect(),
                ..Default::default()
            })
            .unwrap()
            .id
    }

    /// `n` contacts +1 415 555 01xx named "Person xx".
    fn contacts(&self, n: usize) -> Vec<i64> {
        (0..n)
            .map(|i| {
                self.contact(
                    &format!("+1415555{:04}", 100 + i),
                    &format!("Person {i}"),
                    &[],
                )
            })
            .collect()
    }

    fn campaign(&self, message: &str, pacing: PacingPolicy) -> i64 {
        self.engine
            .create_campaign(CampaignInput {
                name: "Spring sale".into(),
                message_content: message.into(),
                target_type: Some(TargetType::All),
                pacing: Some(pacing),
                ..Default::default()
            })
            .unwrap()
            .id
    }

    /// Waits (really, briefly) until the outbox has handed over every queued message.
    fn drain_outbox(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut had_any = false;
        loop {
            let pending = self
                .engine
                .messages(None, None, 20)
                .unwrap()
                .items
                .iter()
                // A queued message with an error waits for a retry the manual clock has not reached.
                .any(|m| {
                    m.status == MessageStatus::Sending
                        || (m.status == MessageStatus::Queued && m.error.is_none())
                });
            if !pending {
                return had_any;
            }
            assert!(
                Instant::now() < deadline,
                "the outbox did not send within 20 s"
            );
            had_any = true;
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Runs the scheduler, moving the clock to each wake-up, until nothing is due before `until`.
    /// The clock ends at `until` (or where the work ran out, if earlier and nothing waits).
    fn run_until(&mut self, until: Millis) {
        loop {
            let wake = self.scheduler.step().unwrap();
            let drained = self.drain_outbox();
            let now = self.clock.now();
            match wake {
                _ if drained => continue,
                Some(at) if at <= now => continue,
                Some(at) if at <= until => self.clock.set(at),
                Some(_) => {
                    self.clock.set(until);
                    return;
                }
                None => {
                    // Nothing waits on time; one more step sees what the last send changed.
                    let again = self.scheduler.step().unwrap();
                    let drained = self.drain_outbox();
                    if !drained && again.is_none_or(|at| at > until) {
                        self.clock.set(until.max(self.clock.now()));
                        return;
                    }
                }
            }
        }
    }

    fn send_times(&self) -> Vec<Millis> {
        self.link
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| *t)
            .collect()
    }

    fn sent_bodies(&self) -> Vec<String> {
        self.link
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|(_, m)| m.body.clone())
            .collect()
    }

    fn status(&self, id: i64) -> CampaignStatus {
        self.engine.campaign(id).unwrap().status
    }
}

fn quick(min_gap_ms: i64, max_gap_ms: i64) -> PacingPolicy {
    PacingPolicy {
        min_gap_ms,
        max_gap_ms,
        quiet_hours: None,
        typing: false,
        warm_up: false,
        ..PacingPolicy::default()
    }
}

fn inbound(from: &str, id: &str, body: &str, at: Millis) -> InboundMessage {
    InboundMessage {
        wa_message_id: format!("false_{from}@c.us_{id}"),
        chat_id: format!("{from}@c.us"),
        phone_number: Some(format!("+{from}")),
        push_name: None,
        from_me: false,
        kind: "chat".into(),
        body: body.into(),
        caption: None,
        media: None,
        quoted_wa_id: None,
        timestamp: at,
    }
}

#[test]
fn gaps_are_random_within_bounds_and_never_the_same_twice_in_a_row() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(12);
    let id = h.campaign("Hello {{first_name}}", quick(30_000, 60_000));
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 12:00"));
    let times = h.send_times();
    assert_eq!(times.len(), 12);
    let gaps: Vec<Millis> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter().all(|g| (30_000..=60_000).contains(g)),
        "{gaps:?}"
    );
    assert!(gaps.windows(2).all(|w| w[0] != w[1]), "{gaps:?}");
    let campaign = h.engine.campaign(id).unwrap();
    assert_eq!(campaign.status, CampaignStatus::Completed);
    assert_eq!((campaign.sent_count, campaign.pending_count), (12, 0));
}

#[test]
fn hourly_caps_count_every_outgoing_message_in_any_sixty_minutes() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(7);
    // A message sent from the inbox counts against the same cap.
    h.engine
        .send_message(SendMessage {
            phone_number: "+14155550999".into(),
            message: "Your order is ready".into(),
            ..Default::default()
        })
        .unwrap();
    h.drain_outbox();
    let id = h.campaign(
        "Hi {{name}}",
        PacingPolicy {
            hourly_cap: 3,
            ..quick(1_000, 2_000)
        },
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 14:00"));
    let times = h.send_times();
    assert_eq!(times.len(), 8, "the inbox message and seven campaign ones");
    for (i, &t) in times.iter().enumerate() {
        let in_window = times[i..].iter().filter(|&&u| u < t + 3_600_000).count();
        assert!(
            in_window <= 3,
            "{} sends in the hour after {}",
            in_window,
            local(t)
        );
    }
    // The campaign's first two fill the hour with the inbox message; the third waits for it.
    assert_eq!(times[3], times[0] + 3_600_001);
    assert_eq!(h.status(id), CampaignStatus::Completed);
}

#[test]
fn daily_caps_and_quiet_hours_hold_across_midnight_and_a_dst_change() {
    // Clocks go back at 02:00 on 2026-11-01 in New York: that day has 25 hours.
    let mut h = Harness::new(ny("2026-10-31 22:00"));
    h.contacts(6);
    let id = h.campaign(
        "Hi {{first_name}}",
        PacingPolicy {
            daily_cap: 2,
            ..quick(1_000, 2_000)
        },
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-11-03 12:00"));
    let times = h.send_times();
    assert_eq!(times.len(), 6);
    let days: Vec<String> = times.iter().map(|&t| local(t)[..10].to_owned()).collect();
    assert_eq!(
        days,
        [
            "2026-10-31",
            "2026-10-31",
            "2026-11-01",
            "2026-11-01",
            "2026-11-02",
            "2026-11-02"
        ]
    );
    assert_eq!(
        times[2],
        ny("2026-11-01 00:00"),
        "the cap lifts at local midnight"
    );
    assert_eq!(times[4], ny("2026-11-02 00:00"));
    assert_eq!(times[4] - times[2], 25 * 3_600_000, "a 25-hour day");

    // Quiet hours 21:00–09:00 over the night the clocks go forward (2026-03-08).
    let mut h = Harness::new(ny("2026-03-07 20:59:30"));
    h.contacts(3);
    let id = h.campaign(
        "Hi {{first_name}}",
        PacingPolicy {
            quiet_hours: Some(QuietHours {
                start: "21:00".into(),
                end: "09:00".into(),
            }),
            ..quick(30_000, 60_000)
        },
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-03-08 12:00"));
    let times = h.send_times();
    assert_eq!(local(times[0]), "2026-03-07 20:59");
    assert_eq!(times[1], ny("2026-03-08 09:00"), "{}", local(times[1]));
    assert_eq!(
        times[1] - times[0],
        11 * 3_600_000 + 30_000,
        "one hour fewer that night"
    );
    assert!(times[2] - times[1] >= 30_000);
}

#[test]
fn a_new_number_warms_up_and_its_caps_step_up_at_local_midnight() {
    let mut h = Harness::new(ny("2026-06-01 23:50"));
    // Linked just before midnight: day 0 is 2026-06-01.
    h.engine
        .set_connection_status(ConnectionStatus::new(ConnectionState::Connected))
        .unwrap();
    h.contacts(55);
    h.clock.set(ny("2026-06-07 08:00"));
    let id = h.campaign(
        "Hi {{first_name}}",
        PacingPolicy {
            warm_up: true,
            ..quick(1_000, 2_000)
        },
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-08 12:00"));
    let times = h.send_times();
    assert_eq!(times.len(), 55);
    let first_week: Vec<Millis> = times
        .iter()
        .copied()
        .filter(|&t| t < ny("2026-06-08 00:00"))
        .collect();
    assert_eq!(first_week.len(), 50, "50 a day in the first week");
    for (i, &t) in times.iter().enumerate() {
        let in_hour = times[i..].iter().filter(|&&u| u < t + 3_600_000).count();
        let cap = if t < ny("2026-06-08 00:00") { 20 } else { 40 };
        assert!(in_hour <= cap, "{in_hour} in the hour after {}", local(t));
    }
    assert_eq!(
        times[50],
        ny("2026-06-08 00:00"),
        "the second week starts at midnight"
    );
}

#[test]
fn a_scheduled_campaign_starts_at_its_local_time_across_dst() {
    let mut h = Harness::new(ny("2026-03-07 12:00"));
    h.contacts(2);
    let input = |at: &str| CampaignInput {
        name: "Sunday".into(),
        message_content: "Open today".into(),
        target_type: Some(TargetType::All),
        scheduled_at: Some(at.into()),
        pacing: Some(quick(1_000, 2_000)),
        ..Default::default()
    };
    // 02:30 does not exist that night; 01:30 on 2026-11-01 exists twice and means the first.
    let err = h
        .engine
        .create_campaign(input("2026-03-08T02:30"))
        .unwrap_err();
    assert_eq!(err.details[0].field, "scheduledAt");
    assert!(err.message.contains("does not exist"), "{}", err.message);
    let ambiguous = h.engine.create_campaign(input("2026-11-01T01:30")).unwrap();
    assert_eq!(
        ambiguous.scheduled_at.as_deref(),
        Some("2026-11-01T05:30:00.000Z")
    );

    let campaign = h.engine.create_campaign(input("2026-03-08T03:30")).unwrap();
    assert_eq!(
        campaign.scheduled_at.as_deref(),
        Some("2026-03-08T07:30:00.000Z")
    );
    assert_eq!(
        campaign.scheduled_local.as_deref(),
        Some("2026-03-08T03:30")
    );
    let sent = h.engine.send_campaign(campaign.id).unwrap();
    assert_eq!(sent.status, CampaignStatus::Scheduled);
    // A contact added before the start is included: recipients are frozen when sending starts.
    h.contact("+14155550999", "Late Larry", &[]);
    h.run_until(ny("2026-03-08 03:29:59"));
    assert_eq!(h.status(campaign.id), CampaignStatus::Scheduled);
    assert!(h.send_times().is_empty());
    h.run_until(ny("2026-03-08 04:00"));
    let times = h.send_times();
    assert_eq!(times[0], ny("2026-03-08 03:30"), "{}", local(times[0]));
    assert_eq!(h.engine.campaign(campaign.id).unwrap().total_recipients, 3);
}

#[test]
fn pause_resume_and_cancel_take_effect_before_the_next_send() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(5);
    let id = h.campaign("Hi {{first_name}}", quick(30_000, 60_000));
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 10:00"));
    assert_eq!(h.send_times().len(), 1);
    h.engine.pause_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    assert_eq!(h.send_times().len(), 1, "nothing goes out while paused");
    assert_eq!(
        h.engine.pause_campaign(id).unwrap_err().code,
        ErrorCode::Conflict
    );
    h.engine.resume_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00:10"));
    assert_eq!(
        h.send_times().len(),
        2,
        "resumed: the next one goes at once, the gap long past"
    );
    assert_eq!(h.send_times()[1], ny("2026-06-10 11:00"));
    h.engine.cancel_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 13:00"));
    assert_eq!(h.send_times().len(), 2);
    let campaign = h.engine.campaign(id).unwrap();
    assert_eq!(campaign.status, CampaignStatus::Cancelled);
    assert_eq!(campaign.pending_count, 3);
    for (action, code) in [
        (
            h.engine.resume_campaign(id).map(|_| ()),
            ErrorCode::Conflict,
        ),
        (h.engine.send_campaign(id).map(|_| ()), ErrorCode::Conflict),
    ] {
        assert_eq!(action.unwrap_err().code, code);
    }
}

#[test]
fn ineligible_recipients_are_skipped_with_reasons_and_counted() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    let ana = h.contact("+14155550101", "Ana Lima", &["vip"]);
    let opted = h.contact("+14155550102", "Olga Opted", &["vip"]);
    let gone = h.contact("+14155550103", "Gus Gone", &["vip"]);
    let _nowa = h.contact("+14155550104", "Nina Nowa", &["vip"]);
    let stopper = h.contact("+14155550105", "Sam Stop", &["vip"]);
    let _other = h.contact("+14155550106", "Not Tagged", &[]);
    let vip = h.engine.contact(ana).unwrap().tags[0].id;
    h.engine.set_opted_out(opted, true).unwrap();
    h.link
        .not_on_whatsapp
        .lock()
        .unwrap()
        .push("14155550104".into());
    let id = h
        .engine
        .create_campaign(CampaignInput {
            name: "VIPs".into(),
            message_content: "Hi {{first_name}}".into(),
            target_type: Some(TargetType::Tags),
            target_tags: vec![vip],
            pacing: Some(quick(30_000, 60_000)),
            ..Default::default()
        })
        .unwrap()
        .id;
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 10:00"));
    assert_eq!(h.sent_bodies(), ["Hi Ana"]);
    // Between two sends: one contact is deleted, one writes STOP.
    h.engine.delete_contact(gone).unwrap();
    h.engine
        .ingest(inbound("14155550105", "S1", "Stop", h.clock.now()))
        .unwrap();
    assert!(h.engine.contact(stopper).unwrap().opted_out);
    h.contact("+14155550107", "Added Later", &["vip"]);
    h.run_until(ny("2026-06-10 12:00"));
    assert_eq!(h.sent_bodies(), ["Hi Ana"], "nobody else was eligible");
    let campaign = h.engine.campaign(id).unwrap();
    assert_eq!(campaign.status, CampaignStatus::Completed);
    assert_eq!(
        (
            campaign.total_recipients,
            campaign.sent_count,
            campaign.skipped_count
        ),
        (5, 1, 4)
    );
    let recipients = h
        .engine
        .campaign_recipients(id, None, None, 50)
        .unwrap()
        .items;
    let reasons: Vec<(String, RecipientStatus, Option<String>)> = recipients
        .iter()
        .map(|r| (r.phone_number.clone(), r.status, r.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("+14155550101".into(), RecipientStatus::Sent, None),
            (
                "+14155550102".into(),
                RecipientStatus::Skipped,
                Some("opted out".into())
            ),
            (
                "+14155550103".into(),
                RecipientStatus::Skipped,
                Some("contact deleted".into())
            ),
            (
                "+14155550104".into(),
                RecipientStatus::Skipped,
                Some("not on WhatsApp".into())
            ),
            (
                "+14155550105".into(),
                RecipientStatus::Skipped,
                Some("opted out".into())
            ),
        ]
    );
    let skipped = h
        .engine
        .campaign_recipients(id, Some(RecipientStatus::Skipped), Some("2"), 2)
        .unwrap()
        .items;
    assert_eq!(
        skipped.iter().map(|r| r.position).collect::<Vec<_>>(),
        [3, 4]
    );
    // START opts back in, for later campaigns.
    h.engine
        .ingest(inbound("14155550105", "S2", "start", h.clock.now()))
        .unwrap();
    assert!(!h.engine.contact(stopper).unwrap().opted_out);
}

#[test]
fn variables_and_spintax_reach_each_message_and_unknown_variables_are_refused() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    let with_city = h
        .engine
        .create_contact(NewContact {
            phone_number: "+14155550101".into(),
            name: "Ana Lima".into(),
            fields: [("city".to_owned(), "Recife".to_owned())].into(),
            ..Default::default()
        })
        .unwrap();
    h.contact("+14155550102", "", &[]);
    let err = h
        .engine
        .create_campaign(CampaignInput {
            name: "Typo".into(),
            message_content: "Hi {{frist_name}}".into(),
            target_type: Some(TargetType::All),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert_eq!(err.details[0].field, "messageContent");
    assert!(err.message.contains("{{frist_name}}"), "{}", err.message);
    let id = h.campaign(
        "{Hi|Hello} {{first_name|there}}, see you in {{city|town}}",
        quick(1_000, 2_000),
    );
    let preview = h
        .engine
        .preview_campaign(whatsflow_engine::campaigns::PreviewRequest {
            campaign: CampaignInput {
                message_content: "{Hi|Hello} {{first_name|there}}, see you in {{city|town}}".into(),
                target_type: Some(TargetType::All),
                ..Default::default()
            },
            contact_id: Some(with_city.id),
            variants: Some(10),
        })
        .unwrap();
    assert_eq!(preview.variant_count, 2);
    assert_eq!(preview.variants.len(), 2);
    assert_eq!(preview.audience.eligible, 2);
    let exact = preview.recipient.unwrap().message.unwrap();
    assert!(exact.ends_with("Ana, see you in Recife"), "{exact}");
    assert_eq!(
        preview.field_keys,
        ["city"],
        "the wizard offers the custom fields contacts have as variables"
    );
    // The ETA of a scheduled campaign counts from its start, not from now.
    let finish = |scheduled_at: Option<&str>| {
        let preview = h
            .engine
            .preview_campaign(whatsflow_engine::campaigns::PreviewRequest {
                campaign: CampaignInput {
                    message_content: "Hi".into(),
                    target_type: Some(TargetType::All),
                    scheduled_at: scheduled_at.map(str::to_owned),
                    pacing: Some(quick(1_000, 2_000)),
                    ..Default::default()
                },
                ..Default::default()
            })
            .unwrap();
        let at = preview.estimated_finish_at.unwrap();
        chrono::DateTime::parse_from_rfc3339(&at)
            .unwrap()
            .timestamp_millis()
    };
    assert!(finish(None) < ny("2026-06-10 10:05"));
    let scheduled = finish(Some("2026-06-11T15:00"));
    assert!(
        (ny("2026-06-11 15:00")..ny("2026-06-11 15:05")).contains(&scheduled),
        "{}",
        local(scheduled)
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    let bodies = h.sent_bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].ends_with(" Ana, see you in Recife"), "{bodies:?}");
    assert!(bodies[1].ends_with(" there, see you in town"), "{bodies:?}");
    assert!(bodies
        .iter()
        .all(|b| b.starts_with("Hi ") || b.starts_with("Hello ")));
    // Each is a message of the contact's thread, tied to the campaign.
    let thread = h.engine.conversation(with_city.id, None, 10).unwrap().items;
    assert_eq!(thread[0].campaign_id, Some(id));
}

#[test]
fn bad_input_is_refused_with_field_details_and_nothing_changes() {
    let h = Harness::new(ny("2026-06-10 10:00"));
    h.contact("+14155550101", "Ana", &["vip"]);
    let good = || CampaignInput {
        name: "Sale".into(),
        message_content: "Hi".into(),
        target_type: Some(TargetType::All),
        ..Default::default()
    };
    let cases: Vec<(CampaignInput, &str)> = vec![
        (
            CampaignInput {
                message_content: " ".into(),
                ..good()
            },
            "messageContent",
        ),
        (
            CampaignInput {
                message_content: "Hi {there".into(),
                ..good()
            },
            "messageContent",
        ),
        (
            CampaignInput {
                name: "".into(),
                ..good()
            },
            "name",
        ),
        (
            CampaignInput {
                target_type: None,
                ..good()
            },
            "targetType",
        ),
        (
            CampaignInput {
                target_type: Some(TargetType::Tags),
                target_tags: vec![],
                ..good()
            },
            "targetTags",
        ),
        (
            CampaignInput {
                target_type: Some(TargetType::Tags),
                target_tags: vec![999],
                ..good()
            },
            "targetTags",
        ),
        (
            CampaignInput {
                target_type: Some(TargetType::Custom),
                contact_ids: vec![12345],
                ..good()
            },
            "targetType",
        ),
        (
            CampaignInput {
                scheduled_at: Some("2026-06-10T09:00".into()),
                ..good()
            },
            "scheduledAt",
        ),
        (
            CampaignInput {
                scheduled_at: Some("next week".into()),
                ..good()
            },
            "scheduledAt",
        ),
        (
            CampaignInput {
                pacing: Some(PacingPolicy {
                    hourly_cap: 0,
                    ..Default::default()
                }),
                ..good()
            },
            "pacing.hourlyCap",
        ),
        (
            CampaignInput {
                pacing: Some(PacingPolicy {
                    min_gap_ms: -5,
                    ..Default::default()
                }),
                ..good()
            },
            "pacing.minGapMs",
        ),
        (
            CampaignInput {
                pacing: Some(PacingPolicy {
                    min_gap_ms: 60_000,
                    max_gap_ms: 30_000,
                    ..Default::default()
                }),
                ..good()
            },
            "pacing.maxGapMs",
        ),
        (
            CampaignInput {
                pacing: Some(PacingPolicy {
                    quiet_hours: Some(QuietHours {
                        start: "22:00".into(),
                        end: "22:00".into(),
                    }),
                    ..Default::default()
                }),
                ..good()
            },
            "pacing.quietHours.end",
        ),
    ];
    for (input, field) in cases {
        let err = h.engine.create_campaign(input).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert!(
            err.details.iter().any(|d| d.field == field),
            "{field}: {:?}",
            err.details
        );
    }
    assert!(h.engine.campaigns(None, None, 10).unwrap().items.is_empty());
    // Editing is for drafts and scheduled campaigns only.
    let id = h.engine.create_campaign(good()).unwrap().id;
    h.engine.send_campaign(id).unwrap();
    let err = h.engine.update_campaign(id, good()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(
        h.engine.delete_campaign(id).unwrap_err().code,
        ErrorCode::Conflict
    );
    let copy = h.engine.duplicate_campaign(id).unwrap();
    assert_eq!(
        (copy.status, copy.name.as_str()),
        (CampaignStatus::Draft, "Sale (copy)")
    );
    let edited = h
        .engine
        .update_campaign(
            copy.id,
            CampaignInput {
                name: "Sale 2".into(),
                ..good()
            },
        )
        .unwrap();
    assert_eq!(edited.name, "Sale 2");
}

#[test]
fn pause_all_pauses_every_sending_campaign_and_nothing_else() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(6);
    let first = h.campaign("Hi {{first_name}}", quick(30_000, 60_000));
    let second = h.campaign("Hello {{first_name}}", quick(30_000, 60_000));
    let draft = h.campaign("Later {{first_name}}", quick(30_000, 60_000));
    h.engine.send_campaign(first).unwrap();
    h.engine.send_campaign(second).unwrap();
    h.run_until(ny("2026-06-10 10:00"));
    let sent_before = h.send_times().len();
    assert!(sent_before > 0);

    let mut paused: Vec<i64> = h
        .engine
        .pause_all_campaigns(None)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    paused.sort();
    assert_eq!(paused, vec![first, second]);
    assert_eq!(h.status(draft), CampaignStatus::Draft);
    h.run_until(ny("2026-06-10 12:00"));
    assert_eq!(h.send_times().len(), sent_before, "nothing goes out");
    assert!(
        h.engine.pause_all_campaigns(None).unwrap().is_empty(),
        "nothing left to pause"
    );
    h.engine.resume_campaign(first).unwrap();
    assert_eq!(h.status(first), CampaignStatus::Sending);
}

#[test]
fn a_ban_or_failures_in_a_row_pause_every_campaign_and_nothing_restarts_alone() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(6);
    let first = h.campaign("Hi {{first_name}}", quick(1_000, 2_000));
    let second = h.campaign("Hello {{first_name}}", quick(1_000, 2_000));
    h.engine.send_campaign(first).unwrap();
    h.engine.send_campaign(second).unwrap();
    h.run_until(ny("2026-06-10 10:00"));
    *h.link.state.lock().unwrap() = ConnectionState::Banned;
    h.run_until(ny("2026-06-10 11:00"));
    for id in [first, second] {
        let campaign = h.engine.campaign(id).unwrap();
        assert_eq!(campaign.status, CampaignStatus::Paused);
        assert!(campaign.status_reason.unwrap().contains("blocked"));
    }
    let sent_before = h.send_times().len();
    *h.link.state.lock().unwrap() = ConnectionState::Connected;
    h.run_until(ny("2026-06-10 12:00"));
    assert_eq!(
        h.send_times().len(),
        sent_before,
        "nothing restarts by itself"
    );

    // Three sends failing one after another pause everything too.
    h.link.fail_sends.store(true, Ordering::SeqCst);
    h.engine.resume_campaign(first).unwrap();
    for _ in 0..200 {
        h.run_until(h.clock.now() + 600_000);
        if h.status(first) == CampaignStatus::Paused {
            break;
        }
    }
    let campaign = h.engine.campaign(first).unwrap();
    assert_eq!(campaign.status, CampaignStatus::Paused);
    assert!(campaign.status_reason.unwrap().contains("in a row"));
    assert_eq!(campaign.failed_count, 3);
}

#[test]
fn while_whatsapp_is_away_campaigns_wait_and_nobody_fails() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(3);
    let id = h.campaign("Hi {{first_name}}", quick(1_000, 2_000));
    h.engine.send_campaign(id).unwrap();
    *h.link.state.lock().unwrap() = ConnectionState::PhoneOffline;
    h.run_until(ny("2026-06-10 11:00"));
    let campaign = h.engine.campaign(id).unwrap();
    assert_eq!(campaign.status, CampaignStatus::Sending);
    assert_eq!(campaign.waiting_for.as_deref(), Some("whatsapp"));
    assert_eq!((campaign.failed_count, campaign.sent_count), (0, 0));
    *h.link.state.lock().unwrap() = ConnectionState::Connected;
    h.run_until(ny("2026-06-10 12:00"));
    assert_eq!(h.engine.campaign(id).unwrap().sent_count, 3);
}

#[test]
fn acks_and_replies_move_recipients_and_the_funnel_and_export_as_csv() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(3);
    let id = h.campaign("Hi {{first_name}}", quick(1_000, 2_000));
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    let sent: Vec<String> = h
        .link
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|(_, m)| m.wa_message_id.clone())
        .collect();
    h.engine.apply_ack(&sent[0], 3).unwrap();
    h.engine.apply_ack(&sent[1], 2).unwrap();
    h.engine
        .ingest(inbound("14155550100", "R1", "Thanks!", h.clock.now()))
        .unwrap();
    // A reply after 72 hours is not a reply to the campaign.
    h.clock.advance(73 * 3_600_000);
    h.engine
        .ingest(inbound("14155550101", "R2", "Late thanks", h.clock.now()))
        .unwrap();
    let campaign = h.engine.campaign(id).unwrap();
    assert_eq!(
        (
            campaign.sent_count,
            campaign.delivered_count,
            campaign.read_count,
            campaign.replied_count
        ),
        (3, 2, 1, 1)
    );
    let statuses: Vec<RecipientStatus> = h
        .engine
        .campaign_recipients(id, None, None, 10)
        .unwrap()
        .items
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [
            RecipientStatus::Replied,
            RecipientStatus::Delivered,
            RecipientStatus::Sent
        ]
    );
    let csv = String::from_utf8(h.engine.export_campaign_recipients(id).unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("position,phone_number,name,status"));
    assert!(
        lines[1].starts_with("1,+14155550100,Person 0,replied"),
        "{}",
        lines[1]
    );
}

#[test]
fn a_restarted_scheduler_never_queues_a_second_copy() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(2);
    let id = h.campaign("Hi {{first_name}}", quick(1_000, 2_000));
    h.engine.send_campaign(id).unwrap();
    // WhatsApp goes away right after the first message is queued: it stays in the outbox.
    h.scheduler.step().unwrap();
    *h.link.state.lock().unwrap() = ConnectionState::PhoneOffline;
    for seed in 0..3 {
        // A new scheduler (as after a restart) sees the message in flight and waits for it.
        h.scheduler = Scheduler::new(h.engine.clone(), StdRng::seed_from_u64(seed));
        h.scheduler.step().unwrap();
    }
    let queued = h.engine.messages(None, None, 10).unwrap().items;
    assert!(
        queued.len() <= 1,
        "one message at most in flight, got {}",
        queued.len()
    );
    *h.link.state.lock().unwrap() = ConnectionState::Connected;
    h.engine
        .set_connection_status(ConnectionStatus::new(ConnectionState::Connected))
        .unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    assert_eq!(h.send_times().len(), 2);
    let recipients: Vec<String> = h
        .link
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|(_, m)| m.chat_id.clone())
        .collect();
    assert_eq!(recipients, ["14155550100@c.us", "14155550101@c.us"]);
    assert_eq!(h.status(id), CampaignStatus::Completed);
}

#[test]
fn typing_shows_before_each_send_for_a_time_that_fits_the_message() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    h.contacts(1);
    let text = "Hi {{first_name}}, our spring collection is in: twenty new colours.";
    let id = h.campaign(
        text,
        PacingPolicy {
            typing: true,
            ..quick(1_000, 2_000)
        },
    );
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    let typing = h.link.typing.lock().unwrap().clone();
    assert_eq!(typing.len(), 1);
    assert!(typing[0].2);
    let sent_at = h.send_times()[0];
    let body_chars = h.sent_bodies()[0].chars().count() as Millis;
    assert_eq!(sent_at - typing[0].0, 1_000 + 40 * body_chars);
}

/// The webhook event names a campaign's deliveries carry, oldest first, with their payloads.
fn campaign_deliveries(engine: &Engine, webhook: i64) -> Vec<(String, serde_json::Value)> {
    let mut deliveries: Vec<_> = engine
        .webhook_deliveries(webhook, None, None, 100)
        .unwrap()
        .items
        .into_iter()
        .map(|d| (d.event_type, d.payload["data"].clone()))
        .collect();
    deliveries.reverse();
    deliveries
}

#[test]
fn every_campaign_event_reaches_a_campaign_star_webhook_with_the_campaign_or_recipient() {
    let mut h = Harness::new(ny("2026-06-10 10:00"));
    // No delivery worker runs here: what the webhook gets stays in its outbox to be read.
    let webhook = h
        .engine
        .create_webhook(WebhookInput {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["campaign.*".into()],
            enabled: None,
        })
        .unwrap()
        .id;
    h.contacts(2);
    let id = h.campaign("Hi {{first_name}}", quick(30_000, 60_000));
    h.engine.send_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 10:00"));
    h.engine.pause_campaign(id).unwrap();
    h.engine.resume_campaign(id).unwrap();
    h.run_until(ny("2026-06-10 11:00"));
    assert_eq!(h.status(id), CampaignStatus::Completed);
    let draft = h.campaign("Never sent", quick(30_000, 60_000));
    h.engine.cancel_campaign(draft).unwrap();

    let deliveries = campaign_deliveries(&h.engine, webhook);
    let names: Vec<&str> = deliveries.iter().map(|(n, _)| n.as_str()).collect();
    let position = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("no {name} in {names:?}"))
    };
    assert!(position("campaign.started") < position("campaign.paused"));
    assert!(position("campaign.paused") < position("campaign.resumed"));
    assert!(position("campaign.resumed") < position("campaign.completed"));
    assert!(position("campaign.completed") < position("campaign.cancelled"));
    assert!(
        names.iter().all(|n| n.starts_with("campaign.")),
        "only campaign events: {names:?}"
    );

    let data = |name: &str| &deliveries[position(name)].1;
    assert_eq!(data("campaign.started")["id"], id);
    assert_eq!(data("campaign.started")["status"], "sending");
    assert_eq!(data("campaign.started")["totalRecipients"], 2);
    assert_eq!(data("campaign.paused")["status"], "paused");
    assert_eq!(data("campaign.completed")["status"], "completed");
    assert_eq!(data("campaign.completed")["sentCount"], 2);
    assert_eq!(data("campaign.cancelled")["id"], draft);
    assert_eq!(data("campaign.cancelled")["status"], "cancelled");
    let sent: Vec<_> = deliveries
        .iter()
        .filter(|(n, d)| n == "campaign.recipient_updated" && d["status"] == "sent")
        .map(|(_, d)| (d["campaignId"].clone(), d["phoneNumber"].clone()))
        .collect();
    assert_eq!(
        sent,
        vec![
            (id.into(), "+14155550100".into()),
            (id.into(), "+14155550101".into())
        ]
    );
}
