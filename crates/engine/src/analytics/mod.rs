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
//!
//! `range` resolves what is asked; `messages` scans the messages, `contacts` counts contact growth;
//! `figures` holds what the API sends; `csv_export` writes the series as files.

mod contacts;
mod csv_export;
mod figures;
mod messages;
mod range;

use std::str::FromStr;

use chrono_tz::Tz;
use rusqlite::Connection;

use crate::business_hours::Schedule;
use crate::error::{Error, Result};
use crate::store::analytics as sql;
use crate::{store, Engine};

/// The scan of messages the figures start from, for benchmarks that run it beside the engine.
pub use crate::store::analytics::SCAN_SQL;
pub(crate) use figures::ratio;
pub use figures::{
    ByKind, BySource, CampaignFigures, ContactPoint, ContactSeries, Figures, MessagePoint,
    MessageSeries, Overview, Report,
};
pub use range::{Granularity, Period, RangeQuery, MAX_RANGE_DAYS};

use range::Range;

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
        self.in_range(query, |conn, range, schedule| {
            let scanned = messages::scan(conn, range, schedule)?;
            Ok(MessageSeries {
                range: range.period(),
                points: scanned.points,
                inbound_by_hour: scanned.inbound_by_hour,
            })
        })
    }

    /// Contacts per bucket for a range.
    pub fn analytics_contacts(&self, query: &RangeQuery) -> Result<ContactSeries> {
        self.in_range(query, |conn, range, _| {
            Ok(ContactSeries {
                range: range.period(),
                points: contacts::growth(conn, range, &mut Default::default())?,
            })
        })
    }

    /// One campaign's funnel over all its messages.
    pub fn analytics_campaign(&self, id: i64) -> Result<CampaignFigures> {
        self.db()
            .with(|c| sql::campaign(c, id))?
            .ok_or_else(|| Error::not_found("campaign"))
    }

    /// The campaigns with a message in a range, oldest first.
    pub fn analytics_campaigns(&self, query: &RangeQuery) -> Result<Vec<CampaignFigures>> {
        self.in_range(query, |conn, range, _| {
            sql::campaigns_active(conn, range.start, range.end)
        })
    }

    /// A series as CSV, one row per bucket (campaigns: one per campaign): `messages`, `contacts`
    /// or `campaigns`.
    pub fn analytics_csv(&self, series: &str, query: &RangeQuery) -> Result<String> {
        match series {
            "messages" => csv_export::messages(&self.analytics_messages(query)?.points),
            "contacts" => csv_export::contacts(&self.analytics_contacts(query)?.points),
            "campaigns" => csv_export::campaigns(&self.analytics_campaigns(query)?),
            _ => Err(Error::invalid_field(
                "series",
                "series must be messages, contacts or campaigns",
            )),
        }
    }

    /// Every figure and series for a range, read in one snapshot of the database.
    pub fn analytics_report(&self, query: &RangeQuery) -> Result<Report> {
        self.in_range(query, |conn, range, schedule| {
            let scanned = messages::scan(conn, range, schedule)?;
            let mut figures = [scanned.previous, scanned.current];
            let contacts = contacts::growth(conn, range, &mut figures)?;
            for first_sent_at in sql::campaigns_first_sent(conn, range.previous_start, range.end)? {
                if let Some(which) = range.which(first_sent_at) {
                    figures[which].campaigns_run += 1;
                }
            }
            let [previous, current] = figures;
            Ok(Report {
                range: range.period(),
                current,
                previous,
                messages: scanned.points,
                contacts,
                inbound_by_hour: scanned.inbound_by_hour,
                campaigns: sql::campaigns_active(conn, range.start, range.end)?,
            })
        })
    }

    /// Runs `work` on one snapshot of the database with the range resolved in the business's zone
    /// (UTC without a profile) and its opening hours, if set.
    fn in_range<T>(
        &self,
        query: &RangeQuery,
        work: impl FnOnce(&Connection, &Range, Option<&Schedule>) -> Result<T>,
    ) -> Result<T> {
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
            work(&snapshot, &range, schedule.as_ref())
        })
    }
}
