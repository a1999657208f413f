//! Per-key rate limits for scripts: a token bucket per API key (default 120 requests a minute with
//! bursts of 30), timed by the engine's `Clock`. The UI's session and the desktop are not limited.

use std::collections::HashMap;
use std::sync::Mutex;

use whatsflow_engine::Millis;

/// A limit: `per_minute` requests on average, at most `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl RateLimit {
    /// `per_minute` requests a minute, in bursts of up to a quarter of that (at least one).
    pub fn per_minute(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute,
            burst: (per_minute / 4).max(1),
        }
    }
}

impl Default for RateLimit {
    /// 120 requests a minute, bursts of 30.
    fn default() -> RateLimit {
        RateLimit::per_minute(120)
    }
}

/// What the limiter decided for one request, with what the `RateLimit-*` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Requests that may still be made at once.
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// Seconds until the next request is allowed, when this one was refused.
    pub retry_after: Option<u64>,
}

/// Tokens are counted in 60 000ths of a request, so a millisecond adds exactly `per_minute` of them
/// and no rounding drifts.
const UNIT: i64 = 60_000;

struct Bucket {
    tokens: i64,
    at: Millis,
}

/// The buckets of every key seen.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one request from `key`'s bucket if it has one.
    pub fn check(&self, key: i64, now: Millis) -> Decision {
        let per_ms = i64::from(self.limit.per_minute.max(1));
        let full = i64::from(self.limit.burst.max(1)) * UNIT;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: full,
            at: now,
        });
        let elapsed = (now - bucket.at).max(0);
        bucket.tokens = (bucket.tokens + elapsed.saturating_mul(per_ms)).min(full);
        bucket.at = now;
        let allowed = bucket.tokens >= UNIT;
        if allowed {
            bucket.tokens -= UNIT;
        }
        // Milliseconds until `missing` tokens have come back, in whole seconds rounded up.
        let seconds = |missing: i64| (missing.max(0) + per_ms * 1000 - 1) / (per_ms * 1000);
        Decision {
            allowed,
            remaining: (bucket.tokens / UNIT) as u32,
            reset: seconds(full - bucket.tokens) as u64,
            retry_after: (!allowed).then(|| seconds(UNIT - bucket.tokens).max(1) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_per_minute_bursts_a_quarter_of_it() {
        let default = RateLimit::default();
        assert_eq!((default.per_minute, default.burst), (120, 30));
        let high = RateLimit::per_minute(100_000);
        assert_eq!((high.per_minute, high.burst), (100_000, 25_000));
        assert_eq!(RateLimit::per_minute(2).burst, 1);
    }

    #[test]
    fn a_burst_then_the_steady_rate() {
        let limiter = RateLimiter::new(RateLimit::default());
        let t0 = 1_000_000;
        for n in 0..30 {
            let decision = limiter.check(7, t0);
            assert!(decision.allowed, "request {n} of the burst");
            assert_eq!(decision.remaining, 29 - n);
        }
        let refused = limiter.check(7, t0);
        assert!(!refused.allowed);
        assert_eq!(
            refused.retry_after,
            Some(1),
            "120/min is one request per 500 ms"
        );
        assert_eq!(refused.reset, 15, "30 requests at 2 per second");
        assert!(
            limiter.check(8, t0).allowed,
            "another key has its own bucket"
        );
        assert!(!limiter.check(7, t0 + 499).allowed);
        assert!(limiter.check(7, t0 + 500).allowed);
        assert!(!limiter.check(7, t0 + 500).allowed);
        assert_eq!(
            limiter.check(7, t0 + 60_000).remaining,
            29,
            "full again after a quiet minute"
        );
    }
}
