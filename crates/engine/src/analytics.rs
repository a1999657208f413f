//! The dashboard's figures: for a range of days in the business's time zone, and the same number of
//! days before it, what was sent, delivered, read and received, how conversations started, who
//! replied, how fast the business answered, how contacts grew, and how campaigns did; with series
//! per day, week or month for the charts.
//!
//! One source of truth: every figure is computed from the `messages`, `contacts` and `campaigns`
//! rows (history synced late and imported contacts count like any other). Definitions:
//! - A business message counts as sent once WhatsApp accepted it (ack ≥ 1); delivered and read are
//!   the ones of those that reached ack 2 and 3 by now (the rows keep no ack times), counted on the
//!   day they were sent. Rates are shares of sent; `null` when nothing was sent.
//! - A conversation starts with a message after 24 hours without any in that chat; it was started
//!   by whoever wrote that message.
//! - A business message is replied when the customer's next message comes within 24 hours. The reply
//!   rate is the share of contacts written to in the range who replied to one of those messages.
//! - First response: from a customer's message the business had not yet answered to the business's
//!   next message to them (not a campaign message), counted on the customer's message's day; only
//!   opening hours count when the profile sets them. Median and p90 are nearest-rank percentiles.
//! - A contact is new on the day it was added, or of its first message if that is earlier; active
//!   when a message went either way in the range; opted out on its `opted_out_at` (if still so).

use std::collections::{HashMap, VecDeque};
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::business_hours::{local_minute_to_utc, Schedule};
use crate::clock::Millis;
use crate::error::{Checks, Error, Result};
use crate::store::analytics::{self as sql, Kind, MessageRow, REPLY_WINDOW_MS};
use crate::{store, Engine};

pub use crate::store::analytics::SCAN_SQL;

/// The longest range the dashboard computes.
pub const MAX_RANGE_DAYS: i64 = 5 * 365 + 1;
/// The range when none is asked for.
const DEFAULT_DAYS: i64 = 30;

/// What the dashboard asks for: a named period or `from`/`to` dates (YYYY-MM-DD in the business's
/// time zone, both included), and the size of the series' buckets.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RangeQuery {
    /// today, yesterday, 7d, 30d or 90d (ending today); instead of from/to.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// day (default), week or month.
    pub granularity: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

/// The range the figures are for, as resolved.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub from: String,
    pub to: String,
    /// The same number of days just before `from`.
    pub previous_from: String,
    pub previous_to: String,
    pub days: i64,
    pub granularity: Granularity,
    /// The IANA zone the days are in.
    pub timezone: String,
}

/// Contacts split by how they came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BySource {
    /// Wrote to the business first (or was written to from the phone).
    pub conversation: i64,
    pub import: i64,
    /// Added in the app, or first written to from the app.
    pub manual: i64,
    pub api: i64,
}

impl BySource {
    fn add(&mut self, source: &str) {
        match source {
            "conversation" => self.conversation += 1,
            "import" => self.import += 1,
            "api" => self.api += 1,
            _ => self.manual += 1,
        }
    }
}

/// Messages split by what they carried.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ByKind {
    pub text: i64,
    /// Images, videos, stickers.
    pub media: i64,
    /// Voice notes and audio.
    pub voice: i64,
    pub document: i64,
    /// Locations, contact cards, anything else.
    pub other: i64,
}

impl ByKind {
    fn add(&mut self, kind: Kind) {
        *match kind {
            Kind::Text => &mut self.text,
            Kind::Media => &mut self.media,
            Kind::Voice => &mut self.voice,
            Kind::Document => &mut self.document,
            Kind::Other => &mut self.other,
        } += 1;
    }
}

/// The cards of the dashboard for one range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub messages_sent: i64,
    pub messages_delivered: i64,
    pub messages_read: i64,
    pub messages_received: i64,
    /// Business messages the customer answered within 24 hours.
    pub messages_replied: i64,
    /// Delivered ÷ sent, 0 to 1; null when nothing was sent.
    pub delivery_rate: Option<f64>,
    /// Read ÷ sent.
    pub read_rate: Option<f64>,
    pub conversations_by_customers: i64,
    pub conversations_by_business: i64,
    pub new_contacts: i64,
    pub new_contacts_by_source: BySource,
    pub active_contacts: i64,
    pub opted_out: i64,
    /// Contacts the business wrote to.
    pub contacts_written_to: i64,
    /// Of those, the ones who replied within 24 hours.
    pub contacts_replied: i64,
    /// contactsReplied ÷ contactsWrittenTo; null when nobody was written to.
    pub reply_rate: Option<f64>,
    /// Customer messages the business answered (the first-response times counted).
    pub first_responses: i64,
    pub median_first_response_seconds: Option<i64>,
    pub p90_first_response_seconds: Option<i64>,
    /// Campaigns whose first message went out in the range.
    pub campaigns_run: i64,
}

/// The overview: the range's cards and the previous range's beside them.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub range: Period,
    #[serde(flatten)]
    pub current: Figures,
    pub previous: Figures,
}

/// One bucket of the message series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePoint {
    /// The bucket's first day (YYYY-MM-DD).
    pub date: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub received: i64,
    pub replied: i64,
    pub sent_by_kind: ByKind,
    pub received_by_kind: ByKind,
    pub conversations_by_customers: i64,
    pub conversations_by_business: i64,
    pub first_responses: i64,
    pub median_first_response_seconds: Option<i64>,
    pub p90_first_response_seconds: Option<i64>,
}

/// Messages per bucket, and inbound messages by weekday and hour.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageSeries {
    pub range: Period,
    pub points: Vec<MessagePoint>,
    /// Inbound messages in the range by local weekday (Monday first) and hour (0–23).
    pub inbound_by_hour: Vec<Vec<i64>>,
}

/// One bucket of the contact series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    pub date: String,
    pub new_contacts: i64,
    pub by_source: BySource,
    /// Contacts known at the bucket's end.
    pub total: i64,
    pub opted_out: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactSeries {
    pub range: Period,
    pub points: Vec<ContactPoint>,
}

/// A campaign's funnel, from its messages.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignFigures {
    pub campaign_id: i64,
    pub name: String,
    pub status: String,
    /// When its first message went out (RFC 3339).
    pub first_sent_at: Option<String>,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub replied: i64,
    pub failed: i64,
    /// Recipients who opted out within 24 hours of its message.
    pub opted_out: i64,
    pub delivery_rate: Option<f64>,
    pub read_rate: Option<f64>,
    pub reply_rate: Option<f64>,
}

/// Everything the dashboard shows for a range: what the charts are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub range: Period,
    pub current: Figures,
    pub previous: Figures,
    pub messages: Vec<MessagePoint>,
    pub contacts: Vec<ContactPoint>,
    pub inbound_by_hour: Vec<Vec<i64>>,
    /// Campaigns with a message in the range, oldest first.
    pub campaigns: Vec<CampaignFigures>,
}

impl Engine {
    /// The overview cards for a range and the range before it.
    pub fn analytics_overview(&self, query: &RangeQuery) -> Result<Overview> {
        let report = self.analytics_report(query)?;
        Ok(Overview {
            range: report.range,
            current: report.current,
            previous: report.previous,
        })
    }

    /// Messages per bucket for a range.
    pub fn analytics_messages(&self, query: &RangeQuery) -> Result<MessageSeries> {
        let report = self.analytics_report(query)?;
        Ok(MessageSeries {
            range: report.range,
            points: report.messages,
            inbound_by_hour: report.inbound_by_hour,
        })
    }

    /// Contacts per bucket for a range.
    pub fn analytics_contacts(&self, query: &RangeQuery) -> Result<ContactSeries> {
        let report = self.analytics_report(query)?;
        Ok(ContactSeries {
            range: report.range,
            points: report.contacts,
        })
    }

    /// One campaign's funnel over all its messages.
    pub fn analytics_campaign(&self, id: i64) -> Result<CampaignFigures> {
        self.db()
            .with(|c| sql::campaign(c, id))?
            .map(campaign_figures)
            .ok_or_else(|| Error::not_found("campaign"))
    }

    /// The campaigns with a message in a range, oldest first.
    pub fn analytics_campaigns(&self, query: &RangeQuery) -> Result<Vec<CampaignFigures>> {
        let now = self.now();
        self.db().with(|conn| {
            let tz = store::profile::get(conn)?
                .and_then(|p| Tz::from_str(&p.timezone).ok())
                .unwrap_or(chrono_tz::UTC);
            let range = Range::resolve(query, tz, now)?;
            Ok(sql::campaigns_active(conn, range.start, range.end)?
                .into_iter()
                .map(campaign_figures)
                .collect())
        })
    }

    /// A series as CSV, one row per bucket (campaigns: one per campaign): `messages`, `contacts`
    /// or `campaigns`.
    pub fn analytics_csv(&self, series: &str, query: &RangeQuery) -> Result<String> {
        match series {
            "messages" => messages_csv(&self.analytics_messages(query)?.points),
            "contacts" => contacts_csv(&self.analytics_contacts(query)?.points),
            "campaigns" => campaigns_csv(&self.analytics_campaigns(query)?),
            _ => Err(Error::invalid_field(
                "series",
                "series must be messages, contacts or campaigns",
            )),
        }
    }

    /// Every figure and series for a range, read in one snapshot of the database.
    pub fn analytics_report(&self, query: &RangeQuery) -> Result<Report> {
        let now = self.now();
        self.db().with(|conn| {
            let snapshot = conn.unchecked_transaction()?;
            let profile = store::profile::get(&snapshot)?;
            let tz = profile
                .as_ref()
                .and_then(|p| Tz::from_str(&p.timezone).ok())
                .unwrap_or(chrono_tz::UTC);
            let schedule = profile
                .as_ref()
                .and_then(|p| Schedule::from_hours(&p.business_hours));
            let range = Range::resolve(query, tz, now)?;
            compute(&snapshot, &range, schedule.as_ref())
        })
    }
}

/// A resolved range: dates, their UTC bounds, and the bucket bounds of the current range.
#[derive(Debug, Clone)]
struct Range {
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
    previous_from: NaiveDate,
    /// Start of the previous range, of the current one, and end of the current one (UTC millis).
    previous_start: Millis,
    start: Millis,
    end: Millis,
    /// Each bucket's first day and start; the last bucket ends at `end`.
    buckets: Vec<(NaiveDate, Millis)>,
}

fn parse_date(checks: &mut Checks, field: &str, text: Option<&str>) -> Option<NaiveDate> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        checks.fail(field, format!("{field} must be a date like 2026-03-29"));
    }
    parsed
}

/// Midnight at the start of a local day, in UTC millis (a day that starts in a DST gap starts at
/// the jump).
fn day_start(tz: Tz, date: NaiveDate) -> Millis {
    local_minute_to_utc(tz, date, 0)
}

impl Range {
    fn resolve(query: &RangeQuery, tz: Tz, now: Millis) -> Result<Range> {
        let today = chrono::DateTime::from_timestamp_millis(now)
            .unwrap_or_default()
            .with_timezone(&tz)
            .date_naive();
        let mut checks = Checks::default();
        let granularity = match query.granularity.as_deref().map(str::trim) {
            None | Some("") | Some("day") => Granularity::Day,
            Some("week") => Granularity::Week,
            Some("month") => Granularity::Month,
            Some(_) => {
                checks.fail("granularity", "granularity must be day, week or month");
                Granularity::Day
            }
        };
        let from = parse_date(&mut checks, "from", query.from.as_deref());
        let to = parse_date(&mut checks, "to", query.to.as_deref());
        let period = query
            .period
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let (from, to) = match period {
            Some(_) if query.from.is_some() || query.to.is_some() => {
                checks.fail("period", "Give either period or from/to, not both");
                (today, today)
            }
            Some(period) => {
                let days = match period {
                    "today" | "yesterday" => 1,
                    "7d" => 7,
                    "30d" => 30,
                    "90d" => 90,
                    _ => {
                        checks.fail("period", "period must be today, yesterday, 7d, 30d or 90d");
                        1
                    }
                };
                let to = if period == "yesterday" {
                    today - Duration::days(1)
                } else {
                    today
                };
                (to - Duration::days(days - 1), to)
            }
            None => {
                let to = to.unwrap_or(today);
                (from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1)), to)
            }
        };
        let days = (to - from).num_days() + 1;
        if days < 1 {
            checks.fail("from", "from must not be after to");
        } else if days > MAX_RANGE_DAYS {
            checks.fail("to", "The range must be at most 5 years");
        }
        checks.finish()?;
        let previous_from = from - Duration::days(days);
        let mut buckets = Vec::new();
        let mut first = from;
        while first <= to {
            buckets.push((first, day_start(tz, first)));
            first = match granularity {
                Granularity::Day => first + Duration::days(1),
                Granularity::Week => {
                    first + Duration::days(7 - first.weekday().num_days_from_monday() as i64)
                }
                Granularity::Month => {
                    let (y, m) = (first.year(), first.month());
                    let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(to + Duration::days(1))
                }
            };
        }
        Ok(Range {
            tz,
            from,
            to,
            granularity,
            previous_from,
            previous_start: day_start(tz, previous_from),
            start: day_start(tz, from),
            end: day_start(tz, to + Duration::days(1)),
            buckets,
        })
    }

    fn period(&self) -> Period {
        let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        Period {
            from: date(self.from),
            to: date(self.to),
            previous_from: date(self.previous_from),
            previous_to: date(self.from - Duration::days(1)),
            days: (self.to - self.from).num_days() + 1,
            granularity: self.granularity,
            timezone: self.tz.name().to_owned(),
        }
    }

    /// 0 for the previous range, 1 for the current one.
    fn which(&self, at: Millis) -> Option<usize> {
        if at >= self.start && at < self.end {
            Some(1)
        } else if at >= self.previous_start && at < self.start {
            Some(0)
        } else {
            None
        }
    }

    /// The bucket of a moment of the current range.
    fn bucket(&self, at: Millis) -> usize {
        self.buckets
            .partition_point(|&(_, start)| start <= at)
            .saturating_sub(1)
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Millis], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1] / 1000)
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

const HOUR: Millis = 3_600_000;
const DAY: Millis = 24 * HOUR;

/// About how many index rows a walk reads in the time one look-up in a thread takes.
const ROWS_PER_LOOKUP: usize = 16;

/// The business zone's UTC offset over the current range, in pieces that each keep one offset, so a
/// moment's local weekday and hour cost a search among a few pieces instead of a zone look-up.
struct LocalTime {
    /// (first moment, offset in millis), in time order.
    pieces: Vec<(Millis, Millis)>,
}

impl LocalTime {
    fn new(range: &Range) -> LocalTime {
        let offset = |at: Millis| -> Millis {
            let utc = chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .naive_utc();
            range
                .tz
                .offset_from_utc_datetime(&utc)
                .fix()
                .local_minus_utc() as Millis
                * 1000
        };
        // Offsets change at most once in any hour: the hours are walked, and one whose end has
        // another offset than its start is halved down to the millisecond of the change.
        let mut pieces = vec![(range.start, offset(range.start))];
        let mut at = range.start;
        while at < range.end {
            let next = (at + HOUR).min(range.end);
            let current = pieces[pieces.len() - 1].1;
            if offset(next) != current {
                let (mut same, mut changed) = (at, next);
                while changed - same > 1 {
                    let middle = same + (changed - same) / 2;
                    if offset(middle) == current {
                        same = middle;
                    } else {
                        changed = middle;
                    }
                }
                pieces.push((changed, offset(changed)));
            }
            at = next;
        }
        LocalTime { pieces }
    }

    /// The local weekday (Monday = 0) and hour of a moment of the range.
    fn weekday_and_hour(&self, at: Millis) -> (usize, usize) {
        let piece = self
            .pieces
            .partition_point(|&(from, _)| from <= at)
            .saturating_sub(1);
        let local = at + self.pieces[piece].1;
        // 1970-01-01 was a Thursday.
        let weekday = (local.div_euclid(DAY) + 3).rem_euclid(7);
        (weekday as usize, (local.rem_euclid(DAY) / HOUR) as usize)
    }
}

/// Where a business message stands until its customer writes back.
#[derive(Debug, Clone, Copy)]
struct Pending {
    at: Millis,
    which: usize,
    bucket: usize,
}

/// The per-chat state of the scan.
#[derive(Debug, Default)]
struct Chat {
    last_at: Option<Millis>,
    /// Business messages (in a range) since the customer last wrote, newer than the reply window.
    unanswered: VecDeque<Pending>,
    /// Set while the customer waits for an answer: since their first unanswered message, which
    /// is `Some` when it lies in one of the ranges.
    waiting: Option<Option<Pending>>,
    /// What the contact did in the previous and the current range.
    seen: [Seen; 2],
}

/// Whether a contact was active, written to, and replied in a range.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    active: bool,
    written_to: bool,
    replied: bool,
}

/// Accumulates one range's figures.
#[derive(Debug, Default)]
struct Tally {
    figures: Figures,
    responses: Vec<Millis>,
}

fn compute(
    conn: &rusqlite::Connection,
    range: &Range,
    schedule: Option<&Schedule>,
) -> Result<Report> {
    let mut tallies = [Tally::default(), Tally::default()];
    let mut points: Vec<MessagePoint> = range
        .buckets
        .iter()
        .map(|(date, _)| MessagePoint {
            date: date.format("%Y-%m-%d").to_string(),
            ..Default::default()
        })
        .collect();
    let mut bucket_responses: Vec<Vec<Millis>> = vec![Vec::new(); points.len()];
    let mut heatmap = vec![vec![0i64; 24]; 7];
    let local_time = LocalTime::new(range);
    // Sized for every contact up front: growing a large map while scanning costs more than the scan.
    let mut chats: HashMap<i64, Chat> = HashMap::with_capacity(sql::contact_id_bound(conn)?);
    let response_time = |from: Millis, to: Millis| match schedule {
        Some(schedule) => schedule.open_millis_between(range.tz, from, to),
        None => to - from,
    };
    let record_response = |waiting: Pending,
                           at: Millis,
                           tallies: &mut [Tally; 2],
                           bucket_responses: &mut Vec<Vec<Millis>>| {
        let took = response_time(waiting.at, at);
        tallies[waiting.which].responses.push(took);
        if waiting.which == 1 {
            bucket_responses[waiting.bucket].push(took);
        }
    };

    // A day before the previous range (to see whether a chat was quiet for 24 hours) to a day after
    // the current one (replies to its last messages).
    let scan_from = range.previous_start - REPLY_WINDOW_MS;
    let scan_to = range.end + REPLY_WINDOW_MS;
    sql::each_message(conn, scan_from, scan_to, |m: MessageRow| {
        let sent = !m.inbound && m.ack >= 1;
        if !m.inbound && !sent {
            return; // queued or failed: never reached the customer
        }
        let which = range.which(m.at);
        let bucket = (which == Some(1)).then(|| range.bucket(m.at));
        let chat = chats.entry(m.contact_id).or_default();
        let opens_conversation = chat
            .last_at
            .is_none_or(|last| m.at - last >= REPLY_WINDOW_MS);
        chat.last_at = Some(m.at);
        let here = which.map(|which| Pending {
            at: m.at,
            which,
            bucket: bucket.unwrap_or(0),
        });
        if m.inbound {
            for pending in chat.unanswered.drain(..) {
                if m.at - pending.at <= REPLY_WINDOW_MS {
                    let tally = &mut tallies[pending.which];
                    tally.figures.messages_replied += 1;
                    chat.seen[pending.which].replied = true;
                    if pending.which == 1 {
                        points[pending.bucket].replied += 1;
                    }
                }
            }
            if chat.waiting.is_none() {
                chat.waiting = Some(here);
            }
        } else {
            if let Some(pending) = here {
                while chat
                    .unanswered
                    .front()
                    .is_some_and(|p| m.at - p.at > REPLY_WINDOW_MS)
                {
                    chat.unanswered.pop_front();
                }
                chat.unanswered.push_back(pending);
            }
            if m.campaign_id.is_none() {
                if let Some(Some(waiting)) = chat.waiting.take() {
                    record_response(waiting, m.at, &mut tallies, &mut bucket_responses);
                }
            }
        }
        let Some(which) = which else { return };
        let tally = &mut tallies[which];
        let f = &mut tally.figures;
        chat.seen[which].active = true;
        if opens_conversation {
            if m.inbound {
                f.conversations_by_customers += 1;
            } else {
                f.conversations_by_business += 1;
            }
        }
        if m.inbound {
            f.messages_received += 1;
        } else {
            chat.seen[which].written_to = true;
            f.messages_sent += 1;
            f.messages_delivered += (m.ack >= 2) as i64;
            f.messages_read += (m.ack >= 3) as i64;
        }
        if let Some(bucket) = bucket {
            let point = &mut points[bucket];
            if opens_conversation {
                if m.inbound {
                    point.conversations_by_customers += 1;
                } else {
                    point.conversations_by_business += 1;
                }
            }
            if m.inbound {
                point.received += 1;
                point.received_by_kind.add(m.kind);
                let (weekday, hour) = local_time.weekday_and_hour(m.at);
                heatmap[weekday][hour] += 1;
            } else {
                point.sent += 1;
                point.delivered += (m.ack >= 2) as i64;
                point.read += (m.ack >= 3) as i64;
                point.sent_by_kind.add(m.kind);
            }
        }
    })?;
    for chat in chats.values() {
        for (tally, seen) in tallies.iter_mut().zip(chat.seen) {
            let f = &mut tally.figures;
            f.active_contacts += seen.active as i64;
            f.contacts_written_to += seen.written_to as i64;
            f.contacts_replied += (seen.replied && seen.written_to) as i64;
        }
    }
    // Customers of the ranges still waiting when the scan ended: their answer came later, if at
    // all. The answers after the scan are walked in time order, which finds most of them in one
    // pass when the ranges end recently; whoever that walk did not reach soon (ranges far in the
    // past) is looked up in their own thread.
    let mut still_waiting: HashMap<i64, Pending> = chats
        .iter()
        .filter_map(|(&contact, chat)| match chat.waiting {
            Some(Some(waiting)) => Some((contact, waiting)),
            _ => None,
        })
        .collect();
    let mut walk_budget = still_waiting.len() * ROWS_PER_LOOKUP;
    let walked_to_the_end = still_waiting.is_empty()
        || sql::each_answer_after(conn, scan_to, |contact, at| {
            if let Some(waiting) = still_waiting.remove(&contact) {
                record_response(waiting, at, &mut tallies, &mut bucket_responses);
            }
            walk_budget = walk_budget.saturating_sub(1);
            walk_budget > 0 && !still_waiting.is_empty()
        })?;
    if walked_to_the_end {
        // Nobody left waiting was ever answered.
        still_waiting.clear();
    }
    for (contact, waiting) in still_waiting {
        if let Some(at) = sql::next_answer(conn, contact, scan_to)? {
            record_response(waiting, at, &mut tallies, &mut bucket_responses);
        }
    }

    // Contacts.
    let mut contact_points: Vec<ContactPoint> = points
        .iter()
        .map(|p| ContactPoint {
            date: p.date.clone(),
            ..Default::default()
        })
        .collect();
    for (since, source) in sql::contact_arrivals(conn, range.previous_start, range.end)? {
        let Some(which) = range.which(since) else {
            continue;
        };
        let f = &mut tallies[which].figures;
        f.new_contacts += 1;
        f.new_contacts_by_source.add(&source);
        if which == 1 {
            let point = &mut contact_points[range.bucket(since)];
            point.new_contacts += 1;
            point.by_source.add(&source);
        }
    }
    let mut total = sql::contacts_before(conn, range.start)?;
    for point in &mut contact_points {
        total += point.new_contacts;
        point.total = total;
    }
    for at in sql::opt_outs(conn, range.previous_start, range.end)? {
        if let Some(which) = range.which(at) {
            tallies[which].figures.opted_out += 1;
            if which == 1 {
                contact_points[range.bucket(at)].opted_out += 1;
            }
        }
    }

    // Campaigns: those first sent in either range count as run; the current range's list has
    // every campaign with a message in it.
    for first_sent_at in sql::campaigns_first_sent(conn, range.previous_start, range.end)? {
        if let Some(which) = range.which(first_sent_at) {
            tallies[which].figures.campaigns_run += 1;
        }
    }
    let campaigns = sql::campaigns_active(conn, range.start, range.end)?
        .into_iter()
        .map(campaign_figures)
        .collect();

    for (point, mut responses) in points.iter_mut().zip(bucket_responses) {
        responses.sort_unstable();
        point.first_responses = responses.len() as i64;
        point.median_first_response_seconds = percentile(&responses, 0.5);
        point.p90_first_response_seconds = percentile(&responses, 0.9);
    }
    let [previous, current] = tallies.map(finish);
    Ok(Report {
        range: range.period(),
        current,
        previous,
        messages: points,
        contacts: contact_points,
        inbound_by_hour: heatmap,
        campaigns,
    })
}

fn finish(mut tally: Tally) -> Figures {
    let f = &mut tally.figures;
    f.delivery_rate = ratio(f.messages_delivered, f.messages_sent);
    f.read_rate = ratio(f.messages_read, f.messages_sent);
    f.reply_rate = ratio(f.contacts_replied, f.contacts_written_to);
    tally.responses.sort_unstable();
    f.first_responses = tally.responses.len() as i64;
    f.median_first_response_seconds = percentile(&tally.responses, 0.5);
    f.p90_first_response_seconds = percentile(&tally.responses, 0.9);
    tally.figures
}

fn campaign_figures(row: sql::CampaignRow) -> CampaignFigures {
    CampaignFigures {
        campaign_id: row.id,
        name: row.name,
        status: row.status,
        first_sent_at: row.first_sent_at.map(crate::clock::to_rfc3339),
        delivery_rate: ratio(row.delivered, row.sent),
        read_rate: ratio(row.read, row.sent),
        reply_rate: ratio(row.replied, row.sent),
        sent: row.sent,
        delivered: row.delivered,
        read: row.read,
        replied: row.replied,
        failed: row.failed,
        opted_out: row.opted_out,
    }
}

fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_failed = |e: csv::Error| Error::internal(format!("could not write CSV: {e}"));
    out.write_record(header).map_err(csv_failed)?;
    for row in rows {
        out.write_record(&row).map_err(csv_failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::internal(format!("could not write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::internal(e.to_string()))
}

fn cell(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn kinds(kinds: &ByKind) -> [String; 5] {
    [
        kinds.text,
        kinds.media,
        kinds.voice,
        kinds.document,
        kinds.other,
    ]
    .map(|n| n.to_string())
}

fn messages_csv(points: &[MessagePoint]) -> Result<String> {
    write_csv(
        &[
            "date",
            "sent",
            "delivered",
            "read",
            "received",
            "replied",
            "sent_text",
            "sent_media",
            "sent_voice",
            "sent_document",
            "sent_other",
            "received_text",
            "received_media",
            "received_voice",
            "received_document",
            "received_other",
            "conversations_by_customers",
            "conversations_by_business",
            "first_responses",
            "median_first_response_seconds",
            "p90_first_response_seconds",
        ],
        points.iter().map(|p| {
            let mut row = vec![p.date.clone()];
            row.extend([p.sent, p.delivered, p.read, p.received, p.replied].map(|n| n.to_string()));
            row.extend(kinds(&p.sent_by_kind));
            row.extend(kinds(&p.received_by_kind));
            row.extend(
                [
                    p.conversations_by_customers,
                    p.conversations_by_business,
                    p.first_responses,
                ]
                .map(|n| n.to_string()),
            );
            row.push(cell(p.median_first_response_seconds));
            row.push(cell(p.p90_first_response_seconds));
            row
        }),
    )
}

fn contacts_csv(points: &[ContactPoint]) -> Result<String> {
    write_csv(
        &[
            "date",
            "new_contacts",
            "from_conversation",
            "from_import",
            "manual",
            "from_api",
            "total",
            "opted_out",
        ],
        points.iter().map(|p| {
            let s = &p.by_source;
            let mut row = vec![p.date.clone()];
            row.extend(
                [
                    p.new_contacts,
                    s.conversation,
                    s.import,
                    s.manual,
                    s.api,
                    p.total,
                    p.opted_out,
                ]
                .map(|n| n.to_string()),
            );
            row
        }),
    )
}

fn campaigns_csv(campaigns: &[CampaignFigures]) -> Result<String> {
    write_csv(
        &[
            "campaign_id",
            "name",
            "status",
            "first_sent_at",
            "sent",
            "delivered",
            "read",
            "replied",
            "failed",
            "opted_out",
            "delivery_rate",
            "read_rate",
            "reply_rate",
        ],
        campaigns.iter().map(|c| {
            let mut row = vec![
                c.campaign_id.to_string(),
                c.name.clone(),
                c.status.clone(),
                cell(c.first_sent_at.as_ref()),
            ];
            row.extend(
                [
                    c.sent,
                    c.delivered,
                    c.read,
                    c.replied,
                    c.failed,
                    c.opted_out,
                ]
                .map(|n| n.to_string()),
            );
            row.extend([c.delivery_rate, c.read_rate, c.reply_rate].map(cell));
            row
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str) -> RangeQuery {
        RangeQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
    }

    #[test]
    fn dst_days_are_23_and_25_hours_long() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let range = Range::resolve(&query("2026-03-28", "2026-03-30"), tz, 0).unwrap();
        let lengths: Vec<i64> = range
            .buckets
            .windows(2)
            .map(|w| (w[1].1 - w[0].1) / 3_600_000)
            .collect();
        assert_eq!(lengths, [24, 23]);
        assert_eq!((range.end - range.buckets[2].1) / 3_600_000, 24);
        let range = Range::resolve(&query("2026-10-25", "2026-10-25"), tz, 0).unwrap();
        assert_eq!((range.end - range.start) / 3_600_000, 25);
        assert_eq!(range.period().previous_from, "2026-10-24");
    }

    #[test]
    fn weeks_and_months_start_on_their_first_day_in_range() {
        let tz = chrono_tz::UTC;
        let mut q = query("2026-03-25", "2026-04-14");
        q.granularity = Some("week".into());
        let dates: Vec<String> = Range::resolve(&q, tz, 0)
            .unwrap()
            .buckets
            .iter()
            .map(|b| b.0.to_string())
            .collect();
        assert_eq!(
            dates,
            ["2026-03-25", "2026-03-30", "2026-04-06", "2026-04-13"]
        );
        q.granularity = Some("month".into());
        let dates: Vec<String> = Range::resolve(&q, tz, 0)
            .unwrap()
            .buckets
            .iter()
            .map(|b| b.0.to_string())
            .collect();
        assert_eq!(dates, ["2026-03-25", "2026-04-01"]);
    }

    #[test]
    fn named_periods_end_today_in_the_business_zone() {
        // 2026-03-29 23:30 UTC is already 2026-03-30 in Berlin.
        let now = 1_774_827_000_000;
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let resolve = |period: &str| {
            let q = RangeQuery {
                period: Some(period.into()),
                ..Default::default()
            };
            let p = Range::resolve(&q, tz, now).unwrap().period();
            (p.from, p.to)
        };
        assert_eq!(resolve("today"), ("2026-03-30".into(), "2026-03-30".into()));
        assert_eq!(
            resolve("yesterday"),
            ("2026-03-29".into(), "2026-03-29".into())
        );
        assert_eq!(resolve("7d"), ("2026-03-24".into(), "2026-03-30".into()));
        assert_eq!(resolve("90d").0, "2025-12-31");
    }

    #[test]
    fn bad_ranges_are_reported_per_field() {
        let tz = chrono_tz::UTC;
        let fields = |q: RangeQuery| -> Vec<String> {
            Range::resolve(&q, tz, 0)
                .unwrap_err()
                .details
                .into_iter()
                .map(|d| d.field)
                .collect()
        };
        assert_eq!(fields(query("2026-03-02", "2026-03-01")), ["from"]);
        assert_eq!(fields(query("2020-01-01", "2026-01-01")), ["to"]);
        assert_eq!(fields(query("yesterday", "2026-13-01")), ["from", "to"]);
        let q = RangeQuery {
            period: Some("week".into()),
            granularity: Some("hour".into()),
            ..Default::default()
        };
        assert_eq!(fields(q), ["granularity", "period"]);
        assert!(Range::resolve(&query("2021-01-01", "2025-12-31"), tz, 0).is_ok());
    }

    #[test]
    fn local_weekday_and_hour_follow_the_zone_across_its_changes() {
        use chrono::Timelike;
        // Lord Howe moves by half an hour; Kolkata is half an hour off UTC all year.
        for zone in [
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ] {
            let tz: Tz = zone.parse().unwrap();
            let range = Range::resolve(&query("2026-03-01", "2026-11-30"), tz, 0).unwrap();
            let local_time = LocalTime::new(&range);
            let mut at = range.start;
            while at < range.end {
                let local = chrono::DateTime::from_timestamp_millis(at)
                    .unwrap()
                    .with_timezone(&tz);
                let expected = (
                    local.weekday().num_days_from_monday() as usize,
                    local.hour() as usize,
                );
                assert_eq!(local_time.weekday_and_hour(at), expected, "{zone} at {at}");
                at += 7 * 60_000 + 13;
            }
            assert_eq!(local_time.weekday_and_hour(range.end - 1).1, 23);
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<Millis> = (1..=10).map(|s| s * 1000).collect();
        assert_eq!(percentile(&values, 0.5), Some(5));
        assert_eq!(percentile(&values, 0.9), Some(9));
        assert_eq!(percentile(&values[..1], 0.9), Some(1));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
