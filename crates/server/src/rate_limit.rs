//! Rate limits: a token bucket per key (an account, a client source, an
//! operator name), refilled continuously, so bursts up to the per-minute
//! budget pass and a steady overrun is told the seconds to wait. Buckets
//! are governor's; idle ones are evicted (`evict`, every minute).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_minute: u32,
    buckets: Option<DefaultKeyedRateLimiter<String>>,
}

impl RateLimiter {
    /// `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: NonZeroU32::new(per_minute)
                .map(|n| governor::RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one request from `key`'s budget, or says how many whole
    /// seconds until one is available.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_n(key, 1)
    }

    /// Takes `n` from `key`'s budget (a failed authentication costs more
    /// than a request), or says how many seconds until they are there.
    pub fn check_n(&self, key: &str, n: u32) -> Result<(), u64> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        let n = NonZeroU32::new(n.min(self.per_minute)).unwrap_or(NonZeroU32::MIN);
        match buckets.check_key_n(&key.to_string(), n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(wait.as_millis().div_ceil(1000).max(1) as u64)
            }
            // More than the whole budget: never (n is capped above).
            Err(_) => Err(60),
        }
    }

    /// Forgets buckets that are full again, so memory follows the keys seen
    /// in the last minute, not every key ever seen.
    pub fn evict(&self) {
        if let Some(buckets) = &self.buckets {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
    }

    /// How many keys have a bucket.
    pub fn keys(&self) -> usize {
        self.buckets.as_ref().map_or(0, |b| b.len())
    }
}

/// Failed authentications per source: past the budget the source is
/// refused for as long as the budget takes to refill, whatever it sends
/// (a right guess included, so guessing learns nothing while refused).
pub struct FailureGuard {
    failures: RateLimiter,
    refused_until: Mutex<HashMap<String, Instant>>,
}

impl FailureGuard {
    pub fn new(per_minute: u32) -> Self {
        Self {
            failures: RateLimiter::new(per_minute),
            refused_until: Mutex::default(),
        }
    }

    /// Whether `key` may try now, or the seconds until it may.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let map = self.refused_until.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some(until) if *until > Instant::now() => Err(until
                .duration_since(Instant::now())
                .as_millis()
                .div_ceil(1000)
                .max(1) as u64),
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt from `key`; past the budget, refuses it.
    pub fn failed(&self, key: &str) {
        if let Err(wait) = self.failures.check(key) {
            let until = Instant::now() + Duration::from_secs(wait);
            self.refused_until
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.to_string(), until);
        }
    }

    pub fn evict(&self) {
        self.failures.evict();
        let now = Instant::now();
        self.refused_until
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}

/// The client a per-source limit counts: its IPv4 address, or the /64 of
/// an IPv6 one (a host is usually handed a whole /64, so its addresses are
/// one source).
pub fn source(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_pass_then_wait_and_keys_are_apart() {
        let limiter = RateLimiter::new(60);
        for _ in 0..60 {
            assert_eq!(limiter.check("a"), Ok(()));
        }
        assert_eq!(limiter.check("a"), Err(1));
        // Other keys have their own budget.
        assert_eq!(limiter.check("b"), Ok(()));
        assert!(RateLimiter::new(0).check("a").is_ok());
    }

    #[test]
    fn slow_budgets_and_heavy_costs_say_how_long_to_wait() {
        let limiter = RateLimiter::new(6);
        for _ in 0..6 {
            assert!(limiter.check("a").is_ok());
        }
        assert_eq!(limiter.check("a"), Err(10));
        let heavy = RateLimiter::new(60);
        assert!(heavy.check_n("x", 30).is_ok());
        assert!(heavy.check_n("x", 30).is_ok());
        assert_eq!(heavy.check_n("x", 30), Err(30));
    }

    #[test]
    fn a_source_past_its_failures_is_refused_until_they_refill() {
        let guard = FailureGuard::new(3);
        for _ in 0..3 {
            assert!(guard.check("s").is_ok());
            guard.failed("s");
        }
        assert!(
            guard.check("s").is_ok(),
            "three failures are within the budget"
        );
        guard.failed("s");
        assert_eq!(guard.check("s"), Err(20));
        assert!(guard.check("other").is_ok());
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_mapped_ipv4_as_ipv4() {
        let a = source("2001:db8:1:2::10".parse().unwrap());
        let b = source("2001:db8:1:2:ffff:1:2:3".parse().unwrap());
        let c = source("2001:db8:1:3::10".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(source("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(source("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }

    #[test]
    fn idle_full_buckets_are_evicted() {
        let limiter = RateLimiter::new(600_000);
        for i in 0..100 {
            limiter.check(&format!("k{i}")).unwrap();
        }
        assert_eq!(limiter.keys(), 100);
        // At 10,000 a second, one token refills in 0.1 ms.
        std::thread::sleep(std::time::Duration::from_millis(5));
        limiter.evict();
        assert_eq!(limiter.keys(), 0);
    }
}
