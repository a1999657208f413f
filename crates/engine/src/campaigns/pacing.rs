//! The pacing policy and the pure decision the scheduler asks of it: given what has been sent and the
//! time, send now or wait until when and why. Random gaps (never a fixed interval), hourly and daily
//! caps over every outgoing message, a warm-up for a newly linked number, quiet hours and the days of
//! the business's time zone (DST included), bursts with longer pauses, typing time for a message.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::Checks;

/// An hour in milliseconds.
pub const HOUR_MS: Millis = 3_600_000;
const DAY_MS: Millis = 24 * HOUR_MS;

/// How fast and when a campaign may send. A field left out of the input takes its default, which is
/// safe for an established number (see WHATSAPP-WEB.md, "sending safely").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PacingPolicy {
    /// Shortest pause between two sends (milliseconds).
    pub min_gap_ms: i64,
    /// Longest pause between two sends; each gap is drawn at random between the two.
    pub max_gap_ms: i64,
    /// Most outgoing messages in any 60 minutes (every message, not only this campaign's).
    pub hourly_cap: i64,
    /// Most outgoing messages in one day of the business's time zone.
    pub daily_cap: i64,
    /// No sending between these local times; `null` for none.
    pub quiet_hours: Option<QuietHours>,
    /// Sends in a row before a longer pause.
    pub burst_size: i64,
    /// The longer pause after each burst (a random gap is added to it).
    pub burst_pause_ms: i64,
    /// Show "typing…" before each send, for a time that fits the message's length.
    pub typing: bool,
    /// Lower caps in the first two weeks after the number was linked.
    pub warm_up: bool,
}

impl Default for PacingPolicy {
    fn default() -> PacingPolicy {
        PacingPolicy {
            min_gap_ms: 30_000,
            max_gap_ms: 60_000,
            hourly_cap: 80,
            daily_cap: 500,
            quiet_hours: Some(QuietHours {
                start: "21:00".into(),
                end: "09:00".into(),
            }),
            burst_size: 20,
            burst_pause_ms: 5 * 60_000,
            typing: true,
            warm_up: true,
        }
    }
}

/// Local times `HH:MM`; the quiet span may cross midnight (`21:00`–`09:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    /// When quiet hours begin, `HH:MM` local time.
    pub start: String,
    /// When quiet hours end, `HH:MM` local time.
    pub end: String,
}

fn parse_hhmm(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

impl PacingPolicy {
    /// A policy for tests and benchmarks: no gaps, no typing, no caps, no quiet hours, no warm-up.
    pub fn unpaced() -> PacingPolicy {
        PacingPolicy {
            min_gap_ms: 0,
            max_gap_ms: 0,
            hourly_cap: 1_000_000,
            daily_cap: 1_000_000,
            quiet_hours: None,
            burst_size: 1_000_000,
            burst_pause_ms: 0,
            typing: false,
            warm_up: false,
        }
    }

    /// Adds every problem to `checks`, on fields named `pacing.<field>`.
    pub fn check(&self, checks: &mut Checks) {
        if self.min_gap_ms < 0 {
            checks.fail("pacing.minGapMs", "The shortest gap cannot be negative");
        }
        if self.max_gap_ms < self.min_gap_ms {
            checks.fail(
                "pacing.maxGapMs",
                "The longest gap must not be shorter than the shortest gap",
            );
        } else if self.max_gap_ms == self.min_gap_ms && self.min_gap_ms > 0 {
            checks.fail(
                "pacing.maxGapMs",
                "The longest gap must be longer than the shortest: a fixed interval looks like a bot",
            );
        }
        if self.max_gap_ms > DAY_MS {
            checks.fail("pacing.maxGapMs", "The longest gap must be under a day");
        }
        if self.hourly_cap < 1 {
            checks.fail("pacing.hourlyCap", "The hourly cap must be at least 1");
        }
        if self.daily_cap < 1 {
            checks.fail("pacing.dailyCap", "The daily cap must be at least 1");
        }
        if self.burst_size < 1 {
            checks.fail("pacing.burstSize", "A burst must be at least 1 message");
        }
        if self.burst_pause_ms < 0 || self.burst_pause_ms > DAY_MS {
            checks.fail(
                "pacing.burstPauseMs",
                "The pause between bursts must be between 0 and a day",
            );
        }
        if let Some(quiet) = &self.quiet_hours {
            let start = parse_hhmm(&quiet.start);
            let end = parse_hhmm(&quiet.end);
            if start.is_none() {
                checks.fail(
                    "pacing.quietHours.start",
                    "Quiet hours start as HH:MM, e.g. 21:00",
                );
            }
            if end.is_none() {
                checks.fail(
                    "pacing.quietHours.end",
                    "Quiet hours end as HH:MM, e.g. 09:00",
                );
            }
            if start.is_some() && start == end {
                checks.fail(
                    "pacing.quietHours.end",
                    "Quiet hours must end at another time than they start",
                );
            }
        }
    }

    /// The caps in force at `now`: the policy's, lowered during a new number's warm-up (first week
    /// 20/h and 50/day, second week 40/h and 200/day), counted in days of the business's zone.
    pub fn caps_at(&self, tz: Tz, linked_at: Option<Millis>, now: Millis) -> (i64, i64) {
        let warm = match (self.warm_up, linked_at) {
            (true, Some(linked)) => {
                let days = (local_date(tz, now) - local_date(tz, linked)).num_days();
                match days {
                    ..=6 => Some((20, 50)),
                    7..=13 => Some((40, 200)),
                    _ => None,
                }
            }
            _ => None,
        };
        match warm {
            Some((hourly, daily)) => (self.hourly_cap.min(hourly), self.daily_cap.min(daily)),
            None => (self.hourly_cap, self.daily_cap),
        }
    }

    /// When quiet hours in force at `now` end, or `None` when sending is allowed.
    pub fn quiet_until(&self, tz: Tz, now: Millis) -> Option<Millis> {
        let quiet = self.quiet_hours.as_ref()?;
        let (start, end) = (parse_hhmm(&quiet.start)?, parse_hhmm(&quiet.end)?);
        let local = tz.timestamp_millis_opt(now).single()?.naive_local();
        let (date, time) = (local.date(), local.time());
        let ends_on = if start < end {
            (start <= time && time < end).then_some(date)
        } else if time >= start {
            date.succ_opt()
        } else {
            (time < end).then_some(date)
        }?;
        Some(local_instant(tz, ends_on.and_time(end)))
    }

    /// The pause after a send that leaves `burst_sent` sends in the current burst: a random gap,
    /// plus the burst pause when the burst is full.
    pub fn next_gap(&self, burst_sent: i64, rng: &mut impl Rng) -> Millis {
        let gap = if self.max_gap_ms > self.min_gap_ms {
            rng.gen_range(self.min_gap_ms..=self.max_gap_ms)
        } else {
            self.min_gap_ms
        };
        if burst_sent >= self.burst_size {
            gap + self.burst_pause_ms
        } else {
            gap
        }
    }

    /// How long "typing…" shows before a message of `chars` characters (none without `typing`).
    pub fn typing_ms(&self, chars: usize) -> Millis {
        if self.typing {
            (1_000 + 40 * chars as Millis).min(10_000)
        } else {
            0
        }
    }
}

/// What the scheduler knows when it asks whether it may send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The time of the decision.
    pub now: Millis,
    /// When the current number was first linked (for the warm-up; a new session of the same
    /// number keeps it).
    pub linked_at: Option<Millis>,
    /// When the last outgoing message (any) was queued.
    pub last_send_at: Option<Millis>,
    /// The gap drawn after this campaign's last send (0 before its first).
    pub gap_ms: Millis,
    /// Outgoing messages of the last 60 minutes.
    pub sent_last_hour: i64,
    /// Once `sent_last_hour` reached the hourly cap: when the oldest message the cap counts (the
    /// cap-th newest) was sent; a place frees up as it leaves the 60 minutes.
    pub oldest_counted_in_hour: Option<Millis>,
    /// Outgoing messages since the business's local midnight.
    pub sent_today: i64,
}

/// Why the scheduler waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// Sending is not allowed at this local time.
    QuietHours,
    /// The day's cap is reached; sending goes on after local midnight.
    DailyCap,
    /// The hourly cap is reached; sending goes on as the oldest counted message leaves the hour.
    HourlyCap,
    /// The random gap since the last send has not passed.
    Gap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What the pacing policy says about the next send.
pub enum Decision {
    /// Send the next message now.
    SendNow,
    /// Wait, then ask again.
    WaitUntil {
        /// Until when.
        at: Millis,
        /// Why.
        reason: WaitReason,
    },
}

/// Send now, or wait until when and why. Pure: the same inputs give the same answer.
pub fn decide(policy: &PacingPolicy, tz: Tz, facts: &Facts) -> Decision {
    let now = facts.now;
    if let Some(at) = policy.quiet_until(tz, now) {
        return Decision::WaitUntil {
            at,
            reason: WaitReason::QuietHours,
        };
    }
    let (hourly, daily) = policy.caps_at(tz, facts.linked_at, now);
    if facts.sent_today >= daily {
        return Decision::WaitUntil {
            at: next_midnight(tz, now),
            reason: WaitReason::DailyCap,
        };
    }
    if facts.sent_last_hour >= hourly {
        let oldest_counted = facts.oldest_counted_in_hour.unwrap_or(now);
        return Decision::WaitUntil {
            at: oldest_counted + HOUR_MS + 1,
            reason: WaitReason::HourlyCap,
        };
    }
    if let Some(last) = facts.last_send_at {
        let at = last + facts.gap_ms;
        if at > now {
            return Decision::WaitUntil {
                at,
                reason: WaitReason::Gap,
            };
        }
    }
    Decision::SendNow
}

/// A rough finish time for `remaining` sends from `now`: hour by hour at the average gap, within
/// the caps and outside quiet hours. `None` past three years.
pub fn estimate_finish(
    policy: &PacingPolicy,
    tz: Tz,
    linked_at: Option<Millis>,
    now: Millis,
    remaining: i64,
    sent_today: i64,
) -> Option<Millis> {
    if remaining <= 0 {
        return Some(now);
    }
    let average_gap = (policy.min_gap_ms + policy.max_gap_ms) / 2
        + policy.burst_pause_ms / policy.burst_size.max(1)
        + policy.typing_ms(80);
    let mut left = remaining;
    let mut day = local_date(tz, now);
    let mut today = sent_today;
    let mut slot = now;
    for _ in 0..(24 * 366 * 3) {
        let slot_day = local_date(tz, slot);
        if slot_day != day {
            day = slot_day;
            today = 0;
        }
        let (hourly, daily) = policy.caps_at(tz, linked_at, slot);
        let by_gap = if average_gap > 0 {
            HOUR_MS / average_gap
        } else {
            i64::MAX
        };
        let quiet = policy.quiet_until(tz, slot).is_some();
        let room = if quiet {
            0
        } else {
            hourly.min(by_gap).min(daily - today).max(0)
        };
        if room >= left {
            return Some(slot + left * average_gap.min(HOUR_MS / left.max(1)));
        }
        left -= room;
        today += room;
        slot += HOUR_MS;
    }
    None
}

/// The date of an instant in the business's zone.
pub fn local_date(tz: Tz, at: Millis) -> NaiveDate {
    tz.timestamp_millis_opt(at)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The next local midnight after `now` (the start of the next business day).
pub fn next_midnight(tz: Tz, now: Millis) -> Millis {
    let tomorrow = local_date(tz, now).succ_opt().unwrap_or_default();
    local_instant(tz, tomorrow.and_time(NaiveTime::MIN))
}

/// The first local midnight at or before `now` (the start of today).
pub fn today_start(tz: Tz, now: Millis) -> Millis {
    local_instant(tz, local_date(tz, now).and_time(NaiveTime::MIN))
}

/// The instant of a local time: the first of two when the clocks go back, the first minute that
/// exists when they go forward over it.
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> Millis {
    let mut candidate = local;
    for _ in 0..=180 {
        if let Some(t) = tz.from_local_datetime(&candidate).earliest() {
            return t.timestamp_millis();
        }
        candidate = (candidate + Duration::minutes(1))
            .with_second(0)
            .unwrap_or(candidate);
    }
    tz.from_utc_datetime(&local).timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const NY: Tz = chrono_tz::America::New_York;

    fn at(local: &str) -> Millis {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        NY.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn bad_policies_are_refused_per_field() {
        let cases: Vec<(PacingPolicy, &str)> = vec![
            (
                PacingPolicy {
                    min_gap_ms: -1,
                    ..Default::default()
                },
                "pacing.minGapMs",
            ),
            (
                PacingPolicy {
                    max_gap_ms: 10_000,
                    ..Default::default()
                },
                "pacing.maxGapMs",
            ),
            (
                PacingPolicy {
                    min_gap_ms: 30_000,
                    max_gap_ms: 30_000,
                    ..Default::default()
                },
                "pacing.maxGapMs",
            ),
            (
                PacingPolicy {
                    hourly_cap: 0,
                    ..Default::default()
                },
                "pacing.hourlyCap",
            ),
            (
                PacingPolicy {
                    daily_cap: -5,
                    ..Default::default()
                },
                "pacing.dailyCap",
            ),
            (
                PacingPolicy {
                    burst_size: 0,
                    ..Default::default()
                },
                "pacing.burstSize",
            ),
            (
                PacingPolicy {
                    quiet_hours: Some(QuietHours {
                        start: "22:00".into(),
                        end: "22:00".into(),
                    }),
                    ..Default::default()
                },
                "pacing.quietHours.end",
            ),
            (
                PacingPolicy {
                    quiet_hours: Some(QuietHours {
                        start: "25:00".into(),
                        end: "08:00".into(),
                    }),
                    ..Default::default()
                },
                "pacing.quietHours.start",
            ),
        ];
        for (policy, field) in cases {
            let mut checks = Checks::default();
            policy.check(&mut checks);
            let err = checks.finish().unwrap_err();
            assert_eq!(err.details[0].field, field, "{policy:?}");
        }
        for good in [PacingPolicy::default(), PacingPolicy::unpaced()] {
            let mut checks = Checks::default();
            good.check(&mut checks);
            assert!(checks.finish().is_ok());
        }
    }

    #[test]
    fn gaps_are_random_within_bounds_and_bursts_pause_longer() {
        let policy = PacingPolicy::default();
        let mut rng = StdRng::seed_from_u64(3);
        let gaps: Vec<Millis> = (1..=19).map(|n| policy.next_gap(n, &mut rng)).collect();
        assert!(
            gaps.iter().all(|g| (30_000..=60_000).contains(g)),
            "{gaps:?}"
        );
        assert!(
            gaps.windows(2).all(|w| w[0] != w[1]),
            "never the same gap twice in a row: {gaps:?}"
        );
        let after_burst = policy.next_gap(20, &mut rng);
        assert!((330_000..=360_000).contains(&after_burst), "{after_burst}");
    }

    #[test]
    fn quiet_hours_cross_midnight_in_the_business_zone() {
        let policy = PacingPolicy::default(); // 21:00–09:00
        assert_eq!(policy.quiet_until(NY, at("2026-06-10 12:00")), None);
        assert_eq!(policy.quiet_until(NY, at("2026-06-10 20:59")), None);
        assert_eq!(
            policy.quiet_until(NY, at("2026-06-10 21:00")),
            Some(at("2026-06-11 09:00"))
        );
        assert_eq!(
            policy.quiet_until(NY, at("2026-06-11 03:00")),
            Some(at("2026-06-11 09:00"))
        );
        assert_eq!(policy.quiet_until(NY, at("2026-06-11 09:00")), None);
        let daytime = PacingPolicy {
            quiet_hours: Some(QuietHours {
                start: "12:00".into(),
                end: "13:30".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            daytime.quiet_until(NY, at("2026-06-10 12:10")),
            Some(at("2026-06-10 13:30"))
        );
        assert_eq!(daytime.quiet_until(NY, at("2026-06-10 13:30")), None);
    }

    #[test]
    fn quiet_hours_ending_in_a_dst_gap_end_at_the_first_real_minute() {
        // New York skipped 02:00–03:00 on 2026-03-08.
        let policy = PacingPolicy {
            quiet_hours: Some(QuietHours {
                start: "23:00".into(),
                end: "02:30".into(),
            }),
            ..Default::default()
        };
        let until = policy.quiet_until(NY, at("2026-03-08 01:00")).unwrap();
        assert_eq!(until, at("2026-03-08 03:00"));
        assert_eq!(
            until - at("2026-03-08 01:00"),
            HOUR_MS,
            "01:00 EST to 03:00 EDT is one hour"
        );
    }

    #[test]
    fn daily_caps_reset_at_local_midnight_across_dst() {
        let policy = PacingPolicy {
            quiet_hours: None,
            warm_up: false,
            daily_cap: 3,
            ..Default::default()
        };
        // The night the clocks go back (2026-11-01 has 25 hours in New York).
        let now = at("2026-10-31 23:30");
        let facts = Facts {
            now,
            sent_today: 3,
            ..Default::default()
        };
        let decision = decide(&policy, NY, &facts);
        assert_eq!(
            decision,
            Decision::WaitUntil {
                at: at("2026-11-01 00:00"),
                reason: WaitReason::DailyCap
            }
        );
        assert_eq!(
            next_midnight(NY, at("2026-11-01 12:00")) - today_start(NY, at("2026-11-01 12:00")),
            25 * HOUR_MS
        );
        assert_eq!(
            next_midnight(NY, at("2026-03-08 12:00")) - today_start(NY, at("2026-03-08 12:00")),
            23 * HOUR_MS
        );
    }

    #[test]
    fn hourly_caps_wait_for_the_oldest_send_to_leave_the_window() {
        let policy = PacingPolicy {
            quiet_hours: None,
            warm_up: false,
            hourly_cap: 2,
            ..Default::default()
        };
        let now = at("2026-06-10 12:00");
        let facts = Facts {
            now,
            sent_last_hour: 2,
            oldest_counted_in_hour: Some(now - 50 * 60_000),
            sent_today: 2,
            ..Default::default()
        };
        assert_eq!(
            decide(&policy, NY, &facts),
            Decision::WaitUntil {
                at: now + 10 * 60_000 + 1,
                reason: WaitReason::HourlyCap
            }
        );
        let one_left = Facts {
            sent_last_hour: 1,
            oldest_counted_in_hour: None,
            ..facts
        };
        assert_eq!(decide(&policy, NY, &one_left), Decision::SendNow);
    }

    #[test]
    fn gaps_count_from_the_last_send() {
        let policy = PacingPolicy {
            quiet_hours: None,
            warm_up: false,
            ..Default::default()
        };
        let now = at("2026-06-10 12:00");
        let facts = Facts {
            now,
            last_send_at: Some(now - 20_000),
            gap_ms: 45_000,
            ..Default::default()
        };
        assert_eq!(
            decide(&policy, NY, &facts),
            Decision::WaitUntil {
                at: now + 25_000,
                reason: WaitReason::Gap
            }
        );
        let later = Facts {
            now: now + 25_000,
            ..facts
        };
        assert_eq!(decide(&policy, NY, &later), Decision::SendNow);
    }

    #[test]
    fn warm_up_caps_step_up_at_local_midnight() {
        let policy = PacingPolicy::default();
        let linked = at("2026-06-01 23:50");
        assert_eq!(
            policy.caps_at(NY, Some(linked), at("2026-06-07 23:59")),
            (20, 50)
        );
        assert_eq!(
            policy.caps_at(NY, Some(linked), at("2026-06-08 00:00")),
            (40, 200)
        );
        assert_eq!(
            policy.caps_at(NY, Some(linked), at("2026-06-15 00:00")),
            (80, 500)
        );
        let off = PacingPolicy {
            warm_up: false,
            ..Default::default()
        };
        assert_eq!(
            off.caps_at(NY, Some(linked), at("2026-06-02 10:00")),
            (80, 500)
        );
    }

    #[test]
    fn typing_time_grows_with_the_message() {
        let policy = PacingPolicy::default();
        assert!(policy.typing_ms(10) < policy.typing_ms(100));
        assert_eq!(policy.typing_ms(10_000), 10_000);
        assert_eq!(PacingPolicy::unpaced().typing_ms(100), 0);
    }

    #[test]
    fn estimates_respect_caps_and_quiet_hours() {
        let policy = PacingPolicy {
            warm_up: false,
            ..Default::default()
        };
        let now = at("2026-06-10 09:00");
        let small = estimate_finish(&policy, NY, None, now, 10, 0).unwrap();
        assert!(small > now && small < now + HOUR_MS, "{}", small - now);
        // 1000 messages at 500 a day finish on the second day, in its working hours.
        let big = estimate_finish(&policy, NY, None, now, 1000, 0).unwrap();
        assert_eq!(
            local_date(NY, big),
            NaiveDate::from_ymd_opt(2026, 6, 11).unwrap()
        );
        assert_eq!(policy.quiet_until(NY, big), None);
        assert_eq!(
            estimate_finish(&PacingPolicy::unpaced(), NY, None, now, 100_000, 0).map(|t| t >= now),
            Some(true)
        );
    }
}
