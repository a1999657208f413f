//! The dashboard's figures on a fixture built here, with every expected number worked out by hand:
//! a shop in Berlin over 2026-03-28..30 (the 29th is the 23-hour DST day) against the three days
//! before; replies, first responses with and without opening hours, contacts by source, two
//! campaigns; a New York shop on its DST days; and an empty database.

use std::sync::Arc;

use chrono::TimeZone;
use whatsflow_engine::analytics::{ByKind, BySource, Figures, RangeQuery};
use whatsflow_engine::business_hours::OpeningHours;
use whatsflow_engine::contacts::NewContact;
use whatsflow_engine::link::InboundMessage;
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::{Engine, ManualClock, Millis};

struct Shop {
    engine: Engine,
    clock: Arc<ManualClock>,
    tz: chrono_tz::Tz,
    next_id: std::cell::Cell<u32>,
    _dir: tempfile::TempDir,
}

impl Shop {
    fn new(timezone: &str) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_767_225_600_000)); // 2026-01-01
        let engine = Engine::in_memory(clock.clone(), dir.path()).unwrap();
        engine
            .save_profile(ProfileInput {
                details: BusinessDetails {
                    business_name: "Rosa's Flowers".into(),
                    country: "DE".into(),
                    timezone: timezone.into(),
                    ..Default::default()
                },
                ..Default::default()
            })
            .unwrap();
        Shop {
            engine,
            clock,
            tz: timezone.parse().unwrap(),
            next_id: std::cell::Cell::new(0),
            _dir: dir,
        }
    }

    /// A local time of the shop's zone (unambiguous ones only).
    fn at(&self, month: u32, day: u32, hour: u32, minute: u32) -> Millis {
        self.tz
            .with_ymd_and_hms(2026, month, day, hour, minute, 0)
            .single()
            .unwrap()
            .timestamp_millis()
    }

    /// A message in the chat with `+4915123456<nnn>`; returns its WhatsApp id.
    fn message(&self, n: u32, from_me: bool, kind: &str, at: Millis) -> String {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let chat = format!("4915123456{n:03}@c.us");
        let wa_message_id = format!("{from_me}_{chat}_M{id}");
        self.engine
            .ingest(InboundMessage {
                wa_message_id: wa_message_id.clone(),
                chat_id: chat,
                phone_number: Some(format!("+4915123456{n:03}")),
                push_name: None,
                from_me,
                kind: kind.into(),
                body: "hello".into(),
                caption: None,
                media: None,
                quoted_wa_id: None,
                timestamp: at,
            })
            .unwrap();
        wa_message_id
    }

    fn inbound(&self, n: u32, at: Millis) -> String {
        self.message(n, false, "chat", at)
    }

    /// A business message WhatsApp acknowledged up to `ack`.
    fn outbound(&self, n: u32, at: Millis, ack: i32) -> String {
        let id = self.message(n, true, "chat", at);
        if ack != 1 {
            self.engine.apply_ack(&id, ack).unwrap();
        }
        id
    }

    /// A contact added at `at` with a source (set directly: imports and the API are other helpers').
    fn contact(&self, n: u32, source: &str, at: Millis) {
        self.clock.set(at);
        let contact = self
            .engine
            .create_contact(NewContact {
                phone_number: format!("+4915123456{n:03}"),
                ..Default::default()
            })
            .unwrap();
        self.sql(
            "UPDATE contacts SET source = ?1 WHERE id = ?2",
            rusqlite::params![source, contact.id],
        );
    }

    fn sql(&self, statement: &str, params: impl rusqlite::Params) {
        self.engine
            .db()
            .with(|c| Ok(c.execute(statement, params)?))
            .unwrap();
    }

    /// A campaign row; its messages are tagged with [`Shop::in_campaign`].
    fn campaign(&self, id: i64, name: &str) {
        self.sql(
            "INSERT INTO campaigns (id, name, message_content, target_type, status, created_at, updated_at)
             VALUES (?1, ?2, 'Hello', 'all', 'completed', 0, 0)",
            rusqlite::params![id, name],
        );
    }

    fn in_campaign(&self, wa_message_id: &str, campaign: i64) {
        self.sql(
            "UPDATE messages SET campaign_id = ?1 WHERE wa_message_id = ?2",
            rusqlite::params![campaign, wa_message_id],
        );
    }

    fn range(&self, from: &str, to: &str) -> RangeQuery {
        RangeQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
    }
}

/// The Berlin fixture; contacts: 1 Anna (conversation), 2 Ben (conversation), 3 Carla (manual),
/// 4 Dora (import), 5 Emil (import).
fn berlin() -> Shop {
    let shop = Shop::new("Europe/Berlin");
    shop.contact(5, "import", shop.at(3, 25, 8, 0));
    shop.contact(3, "manual", shop.at(3, 29, 12, 0));
    shop.contact(4, "import", shop.at(3, 30, 8, 0));
    // History arrives later than it happened, as after linking WhatsApp.
    shop.clock.set(shop.at(3, 31, 12, 0));
    shop.campaign(1, "Spring sale");
    shop.campaign(2, "Old promo");

    // Previous range (03-25..27).
    shop.inbound(2, shop.at(3, 26, 9, 0));
    shop.outbound(2, shop.at(3, 26, 9, 30), 3);
    shop.inbound(2, shop.at(3, 26, 10, 0));
    let promo = shop.outbound(2, shop.at(3, 27, 18, 0), 1);
    shop.in_campaign(&promo, 2);
    let failed = shop.outbound(5, shop.at(3, 27, 18, 1), -1);
    shop.in_campaign(&failed, 2);

    // Current range (03-28..30).
    shop.inbound(1, shop.at(3, 28, 10, 0));
    shop.outbound(1, shop.at(3, 28, 10, 20), 2);
    shop.message(1, false, "image", shop.at(3, 28, 11, 0));
    shop.outbound(1, shop.at(3, 29, 3, 30), 1); // after the jump: 15.5 real hours after 11:00
    shop.outbound(3, shop.at(3, 29, 12, 5), 3);
    shop.inbound(3, shop.at(3, 29, 13, 5));
    shop.outbound(3, shop.at(3, 30, 9, 5), 2);
    let sale_dora = shop.outbound(4, shop.at(3, 30, 10, 0), 3);
    shop.in_campaign(&sale_dora, 1);
    let sale_emil = shop.outbound(5, shop.at(3, 30, 10, 0) + 1000, 2);
    shop.in_campaign(&sale_emil, 1);
    shop.inbound(4, shop.at(3, 30, 10, 30));
    shop.sql(
        "UPDATE contacts SET opted_out = 1, opted_out_at = ?1 WHERE phone_number = '+4915123456005'",
        [shop.at(3, 30, 11, 0)],
    );
    shop
}

fn expected_previous() -> Figures {
    Figures {
        messages_sent: 2,
        messages_delivered: 1,
        messages_read: 1,
        messages_received: 2,
        messages_replied: 1,
        delivery_rate: Some(0.5),
        read_rate: Some(0.5),
        conversations_by_customers: 1,
        conversations_by_business: 1,
        new_contacts: 2,
        new_contacts_by_source: BySource {
            conversation: 1,
            import: 1,
            ..Default::default()
        },
        active_contacts: 1,
        opted_out: 0,
        contacts_written_to: 1,
        contacts_replied: 1,
        reply_rate: Some(1.0),
        first_responses: 1,
        median_first_response_seconds: Some(1800),
        p90_first_response_seconds: Some(1800),
        campaigns_run: 1,
    }
}

fn expected_current() -> Figures {
    Figures {
        messages_sent: 6,
        messages_delivered: 5,
        messages_read: 2,
        messages_received: 4,
        messages_replied: 3,
        delivery_rate: Some(5.0 / 6.0),
        read_rate: Some(2.0 / 6.0),
        conversations_by_customers: 1,
        conversations_by_business: 3,
        new_contacts: 3,
        new_contacts_by_source: BySource {
            conversation: 1,
            import: 1,
            manual: 1,
            api: 0,
        },
        active_contacts: 4,
        opted_out: 1,
        contacts_written_to: 4,
        contacts_replied: 3,
        reply_rate: Some(0.75),
        // 20 min; 15.5 h across the DST jump; 20 h.
        first_responses: 3,
        median_first_response_seconds: Some(55_800),
        p90_first_response_seconds: Some(72_000),
        campaigns_run: 1,
    }
}

#[test]
fn overview_of_a_range_with_a_dst_day_and_the_range_before() {
    let shop = berlin();
    let overview = shop
        .engine
        .analytics_overview(&shop.range("2026-03-28", "2026-03-30"))
        .unwrap();
    assert_eq!(overview.range.previous_from, "2026-03-25");
    assert_eq!(overview.range.previous_to, "2026-03-27");
    assert_eq!(overview.range.timezone, "Europe/Berlin");
    assert_eq!(overview.previous, expected_previous());
    assert_eq!(overview.current, expected_current());
}

#[test]
fn daily_series_bucket_by_local_day() {
    let shop = berlin();
    let series = shop
        .engine
        .analytics_messages(&shop.range("2026-03-28", "2026-03-30"))
        .unwrap();
    let days: Vec<_> = series
        .points
        .iter()
        .map(|p| {
            (
                p.date.as_str(),
                [p.sent, p.delivered, p.read, p.received, p.replied],
                [p.conversations_by_customers, p.conversations_by_business],
                (
                    p.first_responses,
                    p.median_first_response_seconds,
                    p.p90_first_response_seconds,
                ),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            (
                "2026-03-28",
                [1, 1, 0, 2, 1],
                [1, 0],
                (2, Some(1200), Some(55_800))
            ),
            (
                "2026-03-29",
                [2, 1, 1, 1, 1],
                [0, 1],
                (1, Some(72_000), Some(72_000))
            ),
            ("2026-03-30", [3, 3, 1, 1, 1], [0, 2], (0, None, None)),
        ]
    );
    assert_eq!(
        series.points[0].received_by_kind,
        ByKind {
            text: 1,
            media: 1,
            ..Default::default()
        }
    );
    assert_eq!(series.points[2].sent_by_kind.text, 3);
    let mut cells = Vec::new();
    for (weekday, hours) in series.inbound_by_hour.iter().enumerate() {
        for (hour, &count) in hours.iter().enumerate() {
            if count > 0 {
                cells.push((weekday, hour, count));
            }
        }
    }
    // Monday first: Saturday 10:00 and 11:00, Sunday 13:05, Monday 10:30.
    assert_eq!(cells, [(0, 10, 1), (5, 10, 1), (5, 11, 1), (6, 13, 1)]);

    let weekly = shop
        .engine
        .analytics_messages(&RangeQuery {
            granularity: Some("week".into()),
            ..shop.range("2026-03-28", "2026-03-30")
        })
        .unwrap();
    let weeks: Vec<_> = weekly
        .points
        .iter()
        .map(|p| (p.date.as_str(), p.sent))
        .collect();
    assert_eq!(weeks, [("2026-03-28", 3), ("2026-03-30", 3)]);
}

#[test]
fn contact_growth_counts_each_contact_on_the_day_it_became_known() {
    let shop = berlin();
    let series = shop
        .engine
        .analytics_contacts(&shop.range("2026-03-28", "2026-03-30"))
        .unwrap();
    let days: Vec<_> = series
        .points
        .iter()
        .map(|p| (p.date.as_str(), p.new_contacts, p.total, p.opted_out))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-03-28", 1, 3, 0),
            ("2026-03-29", 1, 4, 0),
            ("2026-03-30", 1, 5, 1),
        ]
    );
    assert_eq!(series.points[0].by_source.conversation, 1);
    assert_eq!(series.points[1].by_source.manual, 1);
    assert_eq!(series.points[2].by_source.import, 1);
}

#[test]
fn campaigns_funnel_from_their_messages() {
    let shop = berlin();
    let sale = shop.engine.analytics_campaign(1).unwrap();
    assert_eq!(
        (
            sale.sent,
            sale.delivered,
            sale.read,
            sale.replied,
            sale.failed,
            sale.opted_out
        ),
        (2, 2, 1, 1, 0, 1)
    );
    assert_eq!(
        (sale.delivery_rate, sale.read_rate, sale.reply_rate),
        (Some(1.0), Some(0.5), Some(0.5))
    );
    assert_eq!(
        sale.first_sent_at.as_deref(),
        Some("2026-03-30T08:00:00.000Z")
    );
    let promo = shop.engine.analytics_campaign(2).unwrap();
    assert_eq!(
        (
            promo.sent,
            promo.delivered,
            promo.read,
            promo.replied,
            promo.failed,
            promo.opted_out
        ),
        (1, 0, 0, 0, 1, 0)
    );
    let report = shop
        .engine
        .analytics_report(&shop.range("2026-03-28", "2026-03-30"))
        .unwrap();
    let names: Vec<_> = report.campaigns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["Spring sale"],
        "only campaigns with a message in the range"
    );
    let missing = shop.engine.analytics_campaign(99).unwrap_err();
    assert_eq!(missing.code, whatsflow_engine::ErrorCode::NotFound);
}

#[test]
fn first_responses_count_only_opening_hours_when_set() {
    let shop = berlin();
    let hours = |day: &str, open: &str, close: &str| OpeningHours {
        day: day.into(),
        open: open.into(),
        close: close.into(),
    };
    let mut week: Vec<_> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| hours(d, "09:00", "17:00"))
        .collect();
    week.push(hours("sat", "10:00", "14:00"));
    shop.engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Rosa's Flowers".into(),
                country: "DE".into(),
                timezone: "Europe/Berlin".into(),
                ..Default::default()
            },
            business_hours: Some(week),
        })
        .unwrap();
    let overview = shop
        .engine
        .analytics_overview(&shop.range("2026-03-28", "2026-03-30"))
        .unwrap();
    // Sat 10:00→10:20: 20 min; Sat 11:00→Sun 03:30: Saturday until 14:00, 3 h; Sun 13:05→Mon
    // 09:05: Sunday is closed, 5 min.
    assert_eq!(overview.current.median_first_response_seconds, Some(1200));
    assert_eq!(overview.current.p90_first_response_seconds, Some(10_800));
    assert_eq!(overview.previous.median_first_response_seconds, Some(1800));
    // Saving the profile without hours keeps them.
    let saved = shop
        .engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Rosa's Flowers".into(),
                country: "DE".into(),
                timezone: "Europe/Berlin".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    assert_eq!(saved.business_hours.len(), 6);
}

#[test]
fn new_york_days_follow_its_own_dst_changes() {
    let shop = Shop::new("America/New_York");
    // 2026-03-08 has 23 hours in New York, 2026-11-01 has 25.
    shop.inbound(1, shop.at(3, 8, 23, 30));
    shop.inbound(1, shop.at(3, 9, 0, 30));
    shop.inbound(2, shop.at(11, 1, 0, 30));
    // 01:30 happens twice on 2026-11-01: 05:30 and 06:30 UTC; both are that day.
    let twice = chrono::DateTime::parse_from_rfc3339("2026-11-01T06:30:00Z")
        .unwrap()
        .timestamp_millis();
    shop.inbound(2, twice);
    shop.inbound(2, shop.at(11, 1, 23, 59));
    shop.inbound(2, shop.at(11, 2, 0, 0));
    let received = |from: &str, to: &str| -> Vec<(String, i64)> {
        shop.engine
            .analytics_messages(&shop.range(from, to))
            .unwrap()
            .points
            .into_iter()
            .map(|p| (p.date, p.received))
            .collect()
    };
    assert_eq!(
        received("2026-03-08", "2026-03-09"),
        [("2026-03-08".into(), 1), ("2026-03-09".into(), 1)]
    );
    assert_eq!(
        received("2026-11-01", "2026-11-02"),
        [("2026-11-01".into(), 3), ("2026-11-02".into(), 1)]
    );
}

#[test]
fn an_empty_database_gives_zeros_and_empty_buckets() {
    let shop = Shop::new("Europe/Berlin");
    let report = shop
        .engine
        .analytics_report(&shop.range("2026-03-01", "2026-03-31"))
        .unwrap();
    assert_eq!(report.current, Figures::default());
    assert_eq!(report.previous, Figures::default());
    assert_eq!(report.messages.len(), 31);
    assert!(report
        .messages
        .iter()
        .all(|p| p.sent == 0 && p.received == 0));
    assert!(report.contacts.iter().all(|p| p.total == 0));
    assert!(report.campaigns.is_empty());
    assert_eq!(report.inbound_by_hour.iter().flatten().sum::<i64>(), 0);
}

#[test]
fn named_periods_follow_the_clock() {
    let shop = berlin();
    shop.clock.set(shop.at(3, 30, 18, 0));
    let today = shop
        .engine
        .analytics_overview(&RangeQuery {
            period: Some("today".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (today.range.from.as_str(), today.range.to.as_str()),
        ("2026-03-30", "2026-03-30")
    );
    // Monday: Carla's answer, the two campaign messages; Dora's reply.
    assert_eq!(today.current.messages_sent, 3);
    assert_eq!(today.current.messages_received, 1);
    assert_eq!(today.previous.messages_sent, 2, "Sunday");
}

#[test]
fn series_export_as_csv() {
    let shop = berlin();
    let range = shop.range("2026-03-28", "2026-03-30");
    let messages = shop.engine.analytics_csv("messages", &range).unwrap();
    let lines: Vec<&str> = messages.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("date,sent,delivered,read,received,replied,sent_text,"));
    assert_eq!(
        lines[1],
        "2026-03-28,1,1,0,2,1,1,0,0,0,0,1,1,0,0,0,1,0,2,1200,55800"
    );
    assert_eq!(lines[3], "2026-03-30,3,3,1,1,1,3,0,0,0,0,1,0,0,0,0,0,2,0,,");
    let contacts = shop.engine.analytics_csv("contacts", &range).unwrap();
    assert_eq!(contacts.lines().nth(3), Some("2026-03-30,1,0,1,0,0,5,1"));
    let campaigns = shop.engine.analytics_csv("campaigns", &range).unwrap();
    assert_eq!(
        campaigns.lines().nth(1),
        Some("1,Spring sale,completed,2026-03-30T08:00:00.000Z,2,2,1,1,0,1,1,0.5,0.5")
    );
    let err = shop.engine.analytics_csv("tags", &range).unwrap_err();
    assert_eq!(err.details[0].field, "series");
}

#[test]
fn answers_after_the_scanned_days_still_count_as_first_responses() {
    let shop = Shop::new("Europe/Berlin");
    shop.clock.set(shop.at(5, 1, 12, 0));
    shop.campaign(1, "Spring sale");
    shop.inbound(1, shop.at(3, 28, 10, 0));
    shop.inbound(2, shop.at(3, 28, 11, 0));
    shop.inbound(4, shop.at(3, 28, 12, 0)); // never answered
                                            // A campaign message is no answer.
    let sale = shop.outbound(1, shop.at(4, 5, 9, 0), 1);
    shop.in_campaign(&sale, 1);
    shop.outbound(1, shop.at(4, 10, 10, 0), 1);
    // Enough answers to someone else that the walk in time order gives up before reaching the
    // second customer's answer, which is then looked up in its thread.
    for minute in 0..40 {
        shop.outbound(3, shop.at(4, 11, 9, minute), 1);
    }
    shop.outbound(2, shop.at(4, 20, 11, 0), 1);
    let figures = shop
        .engine
        .analytics_overview(&shop.range("2026-03-28", "2026-03-28"))
        .unwrap()
        .current;
    // 13 and 23 days, each an hour short: Berlin moved its clocks forward on the 29th.
    assert_eq!(
        (
            figures.first_responses,
            figures.median_first_response_seconds,
            figures.p90_first_response_seconds
        ),
        (2, Some(13 * 86_400 - 3_600), Some(23 * 86_400 - 3_600))
    );
}

#[test]
fn every_change_shows_in_the_next_report_though_reports_are_kept() {
    let shop = berlin();
    let range = shop.range("2026-03-28", "2026-03-30");
    let overview = || shop.engine.analytics_overview(&range).unwrap().current;
    let before = overview();
    assert_eq!(before.messages_received, 4);
    assert_eq!(overview(), before, "the same data gives the same figures");

    // A message ingested (a write transaction).
    shop.inbound(6, shop.at(3, 30, 12, 0));
    assert_eq!(overview().messages_received, 5);
    // An ack applied.
    let answer = shop.outbound(6, shop.at(3, 30, 12, 10), 1);
    let sent = overview();
    assert_eq!(sent.messages_sent, before.messages_sent + 1);
    shop.engine.apply_ack(&answer, 3).unwrap();
    assert_eq!(overview().messages_read, sent.messages_read + 1);
    // A plain autocommit statement, outside any write transaction.
    shop.sql(
        "UPDATE contacts SET opted_out = 1, opted_out_at = ?1 WHERE phone_number = '+4915123456004'",
        [shop.at(3, 30, 13, 0)],
    );
    assert_eq!(overview().opted_out, before.opted_out + 1);
    // Every series of the range is read from the same kept report.
    let received: i64 = shop
        .engine
        .analytics_messages(&range)
        .unwrap()
        .points
        .iter()
        .map(|p| p.received)
        .sum();
    assert_eq!(received, 5);
    // The zone changes the days, so the figures, without any message changing.
    shop.engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Rosa's Flowers".into(),
                country: "DE".into(),
                timezone: "Pacific/Kiritimati".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    assert_ne!(overview().messages_received, 5);
}
