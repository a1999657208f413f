//! The range the dashboard asks for, resolved in the business's time zone: the current and the
//! previous days as UTC bounds, the buckets of the series (days, weeks or months, so a DST day is a
//! 23- or 25-hour bucket), and the zone's offsets over the range for local hours.

use chrono::{Datelike, Duration, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::business_hours::local_minute_to_utc;
use crate::clock::Millis;
use crate::error::{Checks, Result};

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
    /// The first day; by default 29 days before `to`.
    pub from: Option<String>,
    /// The last day, included; by default today.
    pub to: Option<String>,
    /// day (default), week or month.
    pub granularity: Option<String>,
}

/// The size of the series' buckets. A week starts on Monday and a month on its first day, or on
/// the range's first day for the first bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One bucket per local day.
    Day,
    /// One bucket per week, Monday to Sunday.
    Week,
    /// One bucket per calendar month.
    Month,
}

/// The range the figures are for, as resolved.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// The first day (YYYY-MM-DD).
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The same number of days just before `from`.
    pub previous_from: String,
    /// The day before `from`.
    pub previous_to: String,
    /// How many days each of the two ranges has.
    pub days: i64,
    /// The size of the series' buckets.
    pub granularity: Granularity,
    /// The IANA zone the days are in.
    pub timezone: String,
}

/// A resolved range: dates, their UTC bounds, and the bucket bounds of the current range.
#[derive(Debug, Clone)]
pub(super) struct Range {
    pub tz: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
    pub previous_from: NaiveDate,
    /// Start of the previous range, of the current one, and end of the current one (UTC millis).
    pub previous_start: Millis,
    pub start: Millis,
    pub end: Millis,
    /// Each bucket's first day and start; the last bucket ends at `end`.
    pub buckets: Vec<(NaiveDate, Millis)>,
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
    /// Resolves what was asked in a zone, at `now`; bad fields are reported together.
    pub fn resolve(query: &RangeQuery, tz: Tz, now: Millis) -> Result<Range> {
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

    /// The range as the API shows it.
    pub fn period(&self) -> Period {
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
    pub fn which(&self, at: Millis) -> Option<usize> {
        if at >= self.start && at < self.end {
            Some(1)
        } else if at >= self.previous_start && at < self.start {
            Some(0)
        } else {
            None
        }
    }

    /// The bucket of a moment of the current range.
    pub fn bucket(&self, at: Millis) -> usize {
        self.buckets
            .partition_point(|&(_, start)| start <= at)
            .saturating_sub(1)
    }

    /// Each bucket's first day, YYYY-MM-DD.
    pub fn bucket_dates(&self) -> impl Iterator<Item = String> + '_ {
        self.buckets
            .iter()
            .map(|(date, _)| date.format("%Y-%m-%d").to_string())
    }
}

const HOUR: Millis = 3_600_000;
const DAY: Millis = 24 * HOUR;

/// The business zone's UTC offset over the current range, in pieces that each keep one offset, so a
/// moment's local weekday and hour cost a search among a few pieces instead of a zone look-up.
pub(super) struct LocalTime {
    /// (first moment, offset in millis), in time order.
    pieces: Vec<(Millis, Millis)>,
}

impl LocalTime {
    pub fn new(range: &Range) -> LocalTime {
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
    pub fn weekday_and_hour(&self, at: Millis) -> (usize, usize) {
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
        let dates = |granularity: &str| -> Vec<String> {
            let q = RangeQuery {
                granularity: Some(granularity.into()),
                ..query("2026-03-25", "2026-04-14")
            };
            let range = Range::resolve(&q, chrono_tz::UTC, 0).unwrap();
            range.bucket_dates().collect()
        };
        assert_eq!(
            dates("week"),
            ["2026-03-25", "2026-03-30", "2026-04-06", "2026-04-13"]
        );
        assert_eq!(dates("month"), ["2026-03-25", "2026-04-01"]);
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
}
