//! Per-account request rate limit: a token bucket per account, refilled
//! continuously, so bursts up to the per-minute budget pass and a steady
//! overrun gets 429 with the seconds to wait.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one request from `account`'s budget, or says how many whole
    /// seconds until one is available.
    pub fn check(&self, account: &str) -> Result<(), u64> {
        self.check_at(account, Instant::now())
    }

    fn check_at(&self, account: &str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(account.to_string()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_pass_then_refill_with_time() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert_eq!(limiter.check_at("a", start), Ok(()));
        }
        assert_eq!(limiter.check_at("a", start), Err(1));
        // Other accounts have their own budget.
        assert_eq!(limiter.check_at("b", start), Ok(()));
        // One second later, one more request fits.
        let later = start + Duration::from_secs(1);
        assert_eq!(limiter.check_at("a", later), Ok(()));
        assert_eq!(limiter.check_at("a", later), Err(1));
    }

    #[test]
    fn slow_budgets_say_how_long_to_wait() {
        let limiter = RateLimiter::new(6);
        let now = Instant::now();
        for _ in 0..6 {
            assert!(limiter.check_at("a", now).is_ok());
        }
        assert_eq!(limiter.check_at("a", now), Err(10));
        assert!(RateLimiter::new(0).check_at("a", now).is_ok());
    }
}
