//! Opening hours of the business, per weekday in its time zone, and the time that counts between two
//! moments when only opening hours count (first-response times on the dashboard). No hours set means
//! every hour counts.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::Checks;

/// One opening interval on one weekday, e.g. Monday 09:00–13:00. A day may have several (a lunch
/// break); a day with none is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpeningHours {
    /// mon, tue, wed, thu, fri, sat or sun.
    pub day: String,
    /// Local time "HH:MM" the business opens.
    pub open: String,
    /// Local time "HH:MM" it closes, after `open` ("24:00" for midnight).
    pub close: String,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes after midnight for "HH:MM", 00:00 to 24:00.
fn minutes(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= 24 * 60).then_some(total)
}

/// Trims and checks every interval (field names `businessHours[i].open`, ...), and refuses
/// overlapping intervals on the same day. Returns the hours sorted by day and opening time.
pub(crate) fn validated(hours: Vec<OpeningHours>, checks: &mut Checks) -> Vec<OpeningHours> {
    let mut seen: Vec<(usize, u32, u32)> = Vec::new();
    let mut out = Vec::new();
    for (i, h) in hours.into_iter().enumerate() {
        let h = OpeningHours {
            day: h.day.trim().to_ascii_lowercase(),
            open: h.open.trim().to_owned(),
            close: h.close.trim().to_owned(),
        };
        let field = |name: &str| format!("businessHours[{i}].{name}");
        let day = DAYS.iter().position(|d| *d == h.day);
        if day.is_none() {
            checks.fail(
                &field("day"),
                "Day must be one of mon, tue, wed, thu, fri, sat, sun",
            );
        }
        let open = minutes(&h.open);
        let close = minutes(&h.close);
        if open.is_none() || open == Some(24 * 60) {
            checks.fail(&field("open"), "Opening time must be HH:MM, e.g. 09:00");
        }
        if close.is_none() {
            checks.fail(&field("close"), "Closing time must be HH:MM, e.g. 17:30");
        }
        if let (Some(day), Some(open), Some(close)) = (day, open, close) {
            if close <= open {
                checks.fail(&field("close"), "Closing time must be after opening time");
            } else if seen
                .iter()
                .any(|&(d, o, c)| d == day && open < c && o < close)
            {
                checks.fail(
                    &field("open"),
                    "Opening hours on the same day must not overlap",
                );
            } else {
                seen.push((day, open, close));
            }
        }
        out.push(h);
    }
    out.sort_by_key(|h| (DAYS.iter().position(|d| *d == h.day), minutes(&h.open)));
    out
}

/// Opening hours ready for arithmetic: per weekday (Monday first), intervals in minutes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schedule {
    days: [Vec<(u32, u32)>; 7],
}

impl Schedule {
    /// From validated hours; `None` when no hours are set (every hour counts).
    pub(crate) fn from_hours(hours: &[OpeningHours]) -> Option<Schedule> {
        let mut schedule = Schedule::default();
        for h in hours {
            if let (Some(day), Some(open), Some(close)) = (
                DAYS.iter().position(|d| *d == h.day),
                minutes(&h.open),
                minutes(&h.close),
            ) {
                schedule.days[day].push((open, close));
            }
        }
        schedule
            .days
            .iter()
            .any(|d| !d.is_empty())
            .then_some(schedule)
    }

    /// Milliseconds of opening hours between `from` and `to` (UTC millis), walking the local days
    /// between them; each interval is converted with the zone, so DST days count their real length.
    pub(crate) fn open_millis_between(&self, tz: Tz, from: Millis, to: Millis) -> Millis {
        if to <= from {
            return 0;
        }
        let local_date = |at: Millis| {
            chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .with_timezone(&tz)
                .date_naive()
        };
        let (first, last) = (local_date(from), local_date(to));
        let mut total = 0;
        let mut date = first;
        while date <= last {
            let weekday = date.weekday().num_days_from_monday() as usize;
            for &(open, close) in &self.days[weekday] {
                let start = local_minute_to_utc(tz, date, open);
                let end = local_minute_to_utc(tz, date, close);
                let (a, b) = (start.max(from), end.min(to));
                if b > a {
                    total += b - a;
                }
            }
            date += Duration::days(1);
        }
        total
    }
}

/// The UTC moment of a local minute of a day. A local time skipped by a DST jump maps to the moment
/// of the jump; a repeated one to its first occurrence.
pub(crate) fn local_minute_to_utc(tz: Tz, date: NaiveDate, minute: u32) -> Millis {
    if minute >= 24 * 60 {
        return local_minute_to_utc(tz, date + Duration::days(1), minute - 24 * 60);
    }
    let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default();
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(at) => at.timestamp_millis(),
        // In a DST gap: the first valid local minute after it is the moment of the jump.
        None => {
            let mut later = naive;
            loop {
                later += Duration::minutes(1);
                if let Some(at) = tz.from_local_datetime(&later).earliest() {
                    return at.timestamp_millis();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(list: &[(&str, &str, &str)]) -> Vec<OpeningHours> {
        list.iter()
            .map(|(d, o, c)| OpeningHours {
                day: (*d).into(),
                open: (*o).into(),
                close: (*c).into(),
            })
            .collect()
    }

    #[test]
    fn bad_hours_are_reported_per_field() {
        let mut checks = Checks::default();
        validated(
            hours(&[
                ("mon", "09:00", "17:00"),
                ("mon", "12:00", "13:00"),
                ("funday", "9", "25:00"),
                ("tue", "10:00", "09:00"),
            ]),
            &mut checks,
        );
        let err = checks.finish().unwrap_err();
        let fields: Vec<_> = err.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "businessHours[1].open",
                "businessHours[2].day",
                "businessHours[2].open",
                "businessHours[2].close",
                "businessHours[3].close"
            ]
        );
    }

    #[test]
    fn only_open_hours_count_also_across_a_dst_change() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let mut checks = Checks::default();
        let list = validated(
            hours(&[
                ("sat", "01:00", "04:00"),
                ("sun", "00:00", "24:00"),
                ("mon", "09:00", "12:00"),
                ("mon", "13:00", "17:00"),
            ]),
            &mut checks,
        );
        checks.finish().unwrap();
        let schedule = Schedule::from_hours(&list).unwrap();
        let at = |y, m, d, h, min| {
            tz.with_ymd_and_hms(y, m, d, h, min, 0)
                .single()
                .unwrap()
                .timestamp_millis()
        };
        const HOUR: Millis = 3_600_000;
        // Sunday 2026-03-29 has 23 hours in Berlin (02:00 → 03:00).
        assert_eq!(
            schedule.open_millis_between(tz, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0)),
            23 * HOUR
        );
        // Friday 20:00 to Monday 10:00: Saturday 3 h, Sunday 23 h, Monday 1 h.
        assert_eq!(
            schedule.open_millis_between(tz, at(2026, 3, 27, 20, 0), at(2026, 3, 30, 10, 0)),
            27 * HOUR
        );
        // Monday 11:30 to 13:30 skips the lunch break.
        assert_eq!(
            schedule.open_millis_between(tz, at(2026, 3, 30, 11, 30), at(2026, 3, 30, 13, 30)),
            HOUR
        );
        // Sunday 2026-10-25 has 25 hours.
        assert_eq!(
            schedule.open_millis_between(tz, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0)),
            25 * HOUR
        );
        assert_eq!(Schedule::from_hours(&[]).map(|_| ()), None);
    }
}
