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
//! `figures` holds what the API sends; `csv_export` writes the series as files; `cache` keeps the
//! last reports, which every figure and series of a range is read from.

mod cache;
mod contacts;
mod csv_export;
mod figures;
mod messages;
mod range;

use std::sync::Arc;

use rusqlite::Connection;

use crate::business_hours::{OpeningHours, Schedule};
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::store::analytics as sql;
use crate::{store, Engine};

/// The scan of messages the figures start from, for benchmarks that run it beside the engine.
pub use crate::store::analytics::SCAN_SQL;
pub use cache::ReportCache;
pub(crate) use figures::ratio;
pub use figures::{
    ByKind, BySource, CampaignFigures, ContactPoint, ContactSeries, Figures, MessagePoint,
    MessageSeries, Overview, Report,
};
pub use range::{Granularity, Period, RangeQuery, MAX_RANGE_DAYS};

use cache::ReportKey;
use range::Range;

impl Engine {
    /// The overview cards for a range and the range before it.
    pub fn analytics_overview(&self, query: &RangeQuery) -> Result<Overview> {
        let report = self.cached_report(query)?;
        Ok(Overview {
            range: report.range.clone(),
            current: report.current.clone(),
            previous: report.previous.clone(),
        })
    }

    /// Messages per bucket for a range.
    pub fn analytics_messages(&self, query: &RangeQuery) -> Result<MessageSeries> {
        let report = self.cached_report(query)?;
        Ok(MessageSeries {
            range: report.range.clone(),
            points: report.messages.clone(),
            inbound_by_hour: report.inbound_by_hour.clone(),
        })
    }

    /// Contacts per bucket for a range.
    pub fn analytics_contacts(&self, query: &RangeQuery) -> Result<ContactSeries> {
        let report = self.cached_report(query)?;
        Ok(ContactSeries {
            range: report.range.clone(),
            points: report.contacts.clone(),
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
        Ok(self.cached_report(query)?.campaigns.clone())
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
        Ok(Report::clone(&*self.cached_report(query)?))
    }

    /// The report for a range: the one kept for the same range, business zone and hours, and
    /// data, or a new one.
    fn cached_report(&self, query: &RangeQuery) -> Result<Arc<Report>> {
        // Read before the snapshot: a write that commits after it bumps the version past it.
        let data_version = self.db().data_version();
        self.in_range(query, |conn, range, business_hours| {
            let key = ReportKey::new(data_version, range, business_hours);
            self.inner
                .analytics_reports
                .get_or_compute(key, || report(conn, range, business_hours))
        })
    }

    /// Runs `work` on one snapshot of the database with the range resolved in the business's zone
    /// (UTC without a profile) and its opening hours (none when not set).
    fn in_range<T>(
        &self,
        query: &RangeQuery,
        work: impl FnOnce(&Connection, &Range, &[OpeningHours]) -> Result<T>,
    ) -> Result<T> {
        let now = self.now();
        self.db().with(|conn| {
            let snapshot = conn.unchecked_transaction()?;
            let profile = store::profile::get(&snapshot)?;
            let tz = profile.as_ref().map_or(chrono_tz::UTC, Profile::zone);
            let business_hours = profile
                .as_ref()
                .map(|p| p.business_hours.as_slice())
                .unwrap_or_default();
            let range = Range::resolve(query, tz, now)?;
            work(&snapshot, &range, business_hours)
        })
    }
}

/// Computes every figure and series for a range.
fn report(conn: &Connection, range: &Range, business_hours: &[OpeningHours]) -> Result<Report> {
    let schedule = Schedule::from_hours(business_hours);
    let scanned = messages::scan(conn, range, schedule.as_ref())?;
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
}
