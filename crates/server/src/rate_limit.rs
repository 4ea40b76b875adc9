//! Rate limits: a token bucket per key (an account, a client source, an
//! operator name), refilled continuously, so bursts up to the per-minute
//! budget pass and a steady overrun is told the seconds to wait.
//!
//! # Where the buckets are
//!
//! Chosen when the [`crate::AppState`] is built ([`Buckets::of`]):
//!
//! - On SQLite (one server per file), in this process's memory: governor's
//!   keyed limiters; idle buckets are evicted every minute.
//! - On PostgreSQL, where several servers share the store, in the store:
//!   the UNLOGGED table `rate_buckets(key, tat)`, one row per key holding
//!   its GCRA theoretical arrival time in microseconds, taken and updated
//!   by ONE statement per check ([`TAKE`]), on the database's clock (the
//!   servers' clocks may differ). N servers then allow each budget once, not
//!   N times. Keys carry their limiter's prefix ([`API`], [`SIGN_IN`],
//!   [`SIGN_IN_REFUSED`], [`NAME`], [`FAILURE`], [`REFUSED`]), so the
//!   limiters stay apart in the one table. Eviction is one `DELETE ... WHERE tat < now` a minute
//!   ([`Buckets::evict`]): a row lives until its bucket is full again (at
//!   most a minute and a cost after its last use), so a flood from many
//!   sources costs one short row per source for a minute or two, and
//!   nothing in the server's memory.
//!
//! The cost on PostgreSQL, bounded whatever the load: an API request makes
//! two statements (is its source refused: a read by key; take the
//! account's cell), a sign-in two (the same read; take the name's cell),
//! a failed authentication or sign-in one more (and one again when it
//! crosses the budget, once per refusal); a refused check writes nothing. About 0.6 ms a check on a local cluster, a round trip
//! and little more. The checks use the server's pool like any statement.
//!
//! Both run the same GCRA with governor's `Quota::per_minute(n)`: a burst
//! of `n`, one cell back every `60/n` s ([`gcra`] is the arithmetic; the
//! tests hold it, and the statement, to governor's answers).
//!
//! When PostgreSQL cannot be asked, a check answers [`Refused::Unavailable`]
//! and the caller refuses (503 with `Retry-After`: fail closed), for
//! sign-ins and API requests alike: every API route needs the store anyway,
//! so refusing costs no request that could have been answered, while
//! waving requests through would lift the failed-authentication guard just
//! when cached accounts let tokens be checked without the store.
//!
//! # What stays per process, and why that is safe
//!
//! - The `password_checks` semaphore ([`crate::AppState`]): it bounds this
//!   process's memory (argon2 holds 19 MiB a check) and CPU, which is what
//!   it protects; a shared one would let other servers' load starve this
//!   one. The shared sign-in limits bound the attempts across servers.
//! - `KeyUses` ([`crate::auth::KeyUses`]): it only spares writes of an API
//!   key's `last_used_at`; with N servers a busy key's use is written up to
//!   N times a minute instead of once, and the time shown stays at most a
//!   minute early.
//! - The account cache ([`crate::store::accounts::Cache`]): it holds found
//!   accounts only (an unknown one is asked again next time, so an account
//!   made through another server is found at once), and an account's id,
//!   token and realm never change, so no server reads a stale one.

use crate::error::ApiError;
use crate::sql::q;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Key prefixes in `rate_buckets`: API requests per account.
pub const API: &str = "api:";
/// Failed sign-ins per client source.
pub const SIGN_IN: &str = "signin:";
/// Sources refused sign-in after too many failures: `tat` is when they may
/// try again.
pub const SIGN_IN_REFUSED: &str = "signin-refused:";
/// Sign-in attempts per operator name.
pub const NAME: &str = "name:";
/// Failed API authentications per client source.
pub const FAILURE: &str = "fail:";
/// Sources refused after too many failures: `tat` is when they may try again.
pub const REFUSED: &str = "refused:";

/// The seconds a client is told to wait when the limits could not be checked.
pub const UNAVAILABLE_RETRY: u64 = 5;

/// Why a check did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Over budget: whole seconds until there is room again.
    Wait(u64),
    /// The store holding the shared buckets could not be asked (PostgreSQL
    /// unreachable): refused too, not waved through.
    Unavailable,
}

impl Refused {
    /// The answer to send: `over(seconds)` for a key over its budget, 503
    /// with `Retry-After` when the limits could not be checked.
    pub fn answer(self, over: impl FnOnce(u64) -> ApiError) -> ApiError {
        match self {
            Refused::Wait(seconds) => over(seconds),
            Refused::Unavailable => ApiError::LimitsUnavailable {
                retry_after: UNAVAILABLE_RETRY,
            },
        }
    }
}

/// One GCRA step, in microseconds, as governor takes it and [`TAKE`] does
/// in SQL: a key whose bucket is full has no `tat` (or one in the past);
/// taking `cost` (n × the emission interval) passes when the new `tat`
/// is at most `tolerance` (the burst × the interval) ahead of `now`. The
/// new `tat`, or how long until the cost would pass.
pub fn gcra(tat: Option<i64>, now: i64, cost: i64, tolerance: i64) -> Result<i64, i64> {
    let next = tat.map_or(now, |t| t.max(now)) + cost;
    if next - tolerance <= now {
        Ok(next)
    } else {
        Err(next - tolerance - now)
    }
}

/// Microseconds to the whole seconds a client is told: as governor's
/// waits are (milliseconds, rounded up to seconds, at least one).
fn seconds(micros: i64) -> u64 {
    ((micros.max(0) / 1000) as u64).div_ceil(1000).max(1)
}

/// The database's clock in microseconds since the epoch (every server
/// reads the same one).
macro_rules! now_micros {
    () => {
        "CAST(extract(epoch FROM statement_timestamp()) * 1000000 AS bigint)"
    };
}

/// How long a refused source still waits (microseconds; negative: no
/// longer refused).
const REFUSED_LEFT: &str = concat!(
    "SELECT tat - ",
    now_micros!(),
    " FROM rate_buckets WHERE key = $1"
);

/// Buckets full again and refusals that ended: rows a check treats as absent.
const EVICT: &str = concat!("DELETE FROM rate_buckets WHERE tat < ", now_micros!());

/// GCRA in one statement: `$1` the key, `$2` the cost, `$3` the tolerance
/// (microseconds), `$4` the time now (NULL: the database's). It inserts a
/// new key's row or moves an existing row's `tat` on only if the cost
/// passes (a refused check writes nothing), and answers the time it used,
/// whether the cost was taken, and the `tat` it found (for the wait).
/// `excluded.tat - $2` is the time now inside the upsert.
pub const TAKE: &str = concat!(
    "WITH c AS (SELECT coalesce(CAST($4 AS bigint), ",
    now_micros!(),
    ") AS now), \
     was AS (SELECT tat FROM rate_buckets WHERE key = $1), \
     taken AS ( \
       INSERT INTO rate_buckets AS b (key, tat) SELECT $1, c.now + $2 FROM c \
       ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat + $2, excluded.tat) \
       WHERE GREATEST(b.tat + $2, excluded.tat) - $3 <= excluded.tat - $2 \
       RETURNING tat) \
     SELECT c.now, EXISTS (SELECT 1 FROM taken), (SELECT tat FROM was) FROM c"
);

/// Where a server keeps its buckets: in its memory (SQLite: one server
/// per file) or in the PostgreSQL store every server shares.
#[derive(Clone, Debug)]
pub enum Buckets {
    Memory,
    Shared(PgPool),
}

impl Buckets {
    /// Shared on PostgreSQL, in memory on SQLite.
    pub fn of(db: &crate::db::Db) -> Self {
        match &db.write {
            crate::sql::Pool::Pg(pool) if db.is_postgres() => Buckets::Shared(pool.clone()),
            _ => Buckets::Memory,
        }
    }

    /// A limiter of `per_minute` per key (0: no limit); `prefix` keeps its
    /// keys apart from other limiters' in the shared table.
    pub fn limiter(&self, prefix: &'static str, per_minute: u32) -> RateLimiter {
        match self {
            Buckets::Memory => RateLimiter::new(per_minute),
            Buckets::Shared(pool) => RateLimiter::shared(pool.clone(), prefix, per_minute),
        }
    }

    /// A guard refusing sources past `per_minute` failures; `failures`
    /// and `refused` keep its keys apart in the shared table.
    pub fn failure_guard(
        &self,
        failures: &'static str,
        refused: &'static str,
        per_minute: u32,
    ) -> FailureGuard {
        match self {
            Buckets::Memory => FailureGuard::new(per_minute),
            Buckets::Shared(pool) => {
                FailureGuard::shared(pool.clone(), failures, refused, per_minute)
            }
        }
    }

    /// Forgets the shared buckets that are full again (and refusals that
    /// ended), every limiter's at once; in memory each limiter evicts its
    /// own ([`RateLimiter::evict`]). Any server may run it: it only removes
    /// rows a check would treat as absent.
    pub async fn evict(&self) -> Result<u64, sqlx::Error> {
        match self {
            Buckets::Memory => Ok(0),
            Buckets::Shared(pool) => Ok(q(EVICT).execute(pool).await?.rows_affected()),
        }
    }
}

enum Kind {
    Off,
    Memory(DefaultKeyedRateLimiter<String>),
    Shared { pool: PgPool, prefix: &'static str },
}

pub struct RateLimiter {
    per_minute: u32,
    kind: Kind,
}

impl RateLimiter {
    /// In this process's memory; `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            kind: match NonZeroU32::new(per_minute) {
                Some(n) => Kind::Memory(governor::RateLimiter::keyed(Quota::per_minute(n))),
                None => Kind::Off,
            },
        }
    }

    /// In the store's `rate_buckets`, under `prefix`, shared with every
    /// server on it; `per_minute` 0 turns the limit off.
    pub fn shared(pool: PgPool, prefix: &'static str, per_minute: u32) -> Self {
        Self {
            per_minute,
            kind: match per_minute {
                0 => Kind::Off,
                _ => Kind::Shared { pool, prefix },
            },
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one request from `key`'s budget, or says how many whole
    /// seconds until one is available.
    pub async fn check(&self, key: &str) -> Result<(), Refused> {
        self.check_n(key, 1).await
    }

    /// Takes `n` from `key`'s budget (a failed authentication costs more
    /// than a request), or says how many seconds until they are there.
    pub async fn check_n(&self, key: &str, n: u32) -> Result<(), Refused> {
        let n = NonZeroU32::new(n.min(self.per_minute)).unwrap_or(NonZeroU32::MIN);
        match &self.kind {
            Kind::Off => Ok(()),
            Kind::Memory(buckets) => match buckets.check_key_n(&key.to_string(), n) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(not_until)) => {
                    let wait = not_until.wait_time_from(DefaultClock::default().now());
                    Err(Refused::Wait(wait.as_millis().div_ceil(1000).max(1) as u64))
                }
                // More than the whole budget: never (n is capped above).
                Err(_) => Err(Refused::Wait(60)),
            },
            Kind::Shared { .. } => match self.take(key, n.get(), None).await {
                Ok((_, Ok(()))) => Ok(()),
                Ok((_, Err(wait))) => Err(Refused::Wait(seconds(wait))),
                Err(e) => {
                    tracing::warn!(error = %e, "rate limit not checked (the store did not answer): refused");
                    Err(Refused::Unavailable)
                }
            },
        }
    }

    /// The shared check at `now` (microseconds; `None`: the database's
    /// clock): the time used, and `Ok` or the microseconds to wait. For
    /// tests that hold the statement to governor's answers.
    #[doc(hidden)]
    pub async fn take(
        &self,
        key: &str,
        n: u32,
        now: Option<i64>,
    ) -> Result<(i64, Result<(), i64>), sqlx::Error> {
        let Kind::Shared { pool, prefix } = &self.kind else {
            return Err(sqlx::Error::Protocol("not a shared limiter".into()));
        };
        let interval = 60_000_000 / i64::from(self.per_minute);
        let cost = interval * i64::from(n.clamp(1, self.per_minute));
        let tolerance = interval * i64::from(self.per_minute);
        let (now, taken, was) = q(TAKE)
            .arg(format!("{prefix}{key}"))
            .arg(cost)
            .arg(tolerance)
            .arg(now)
            .fetch_one::<(i64, bool, Option<i64>)>(pool)
            .await?;
        if taken {
            return Ok((now, Ok(())));
        }
        // Refused: what the row held says how long until the cost passes.
        // (No row seen: another server made it since this statement's
        // snapshot; then the cost itself is the wait.)
        let wait = match gcra(was, now, cost, tolerance) {
            Err(wait) => wait,
            Ok(_) => cost,
        };
        Ok((now, Err(wait)))
    }

    /// Forgets in-memory buckets that are full again, so memory follows the
    /// keys seen in the last minute, not every key ever seen. (Shared
    /// buckets: [`Buckets::evict`].)
    pub fn evict(&self) {
        if let Kind::Memory(buckets) = &self.kind {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
    }

    /// How many keys have a bucket in memory.
    pub fn keys(&self) -> usize {
        match &self.kind {
            Kind::Memory(buckets) => buckets.len(),
            _ => 0,
        }
    }
}

/// Failed authentications per source: past the budget the source is
/// refused for as long as the budget takes to give one back, whatever it
/// sends (a right guess included, so guessing learns nothing while
/// refused).
pub struct FailureGuard {
    failures: RateLimiter,
    refused: Refusals,
}

enum Refusals {
    /// Until when each refused source is refused.
    Memory(Mutex<HashMap<String, Instant>>),
    /// Rows `<prefix><source>` (`refused:`, `signin-refused:`) whose `tat`
    /// is the end of the refusal.
    Shared { pool: PgPool, prefix: &'static str },
}

impl FailureGuard {
    /// In this process's memory.
    pub fn new(per_minute: u32) -> Self {
        Self {
            failures: RateLimiter::new(per_minute),
            refused: Refusals::Memory(Mutex::default()),
        }
    }

    /// In the store's `rate_buckets` (keys `<failures><source>` and
    /// `<refused><source>`), shared with every server on it.
    pub fn shared(
        pool: PgPool,
        failures: &'static str,
        refused: &'static str,
        per_minute: u32,
    ) -> Self {
        Self {
            failures: RateLimiter::shared(pool.clone(), failures, per_minute),
            refused: Refusals::Shared {
                pool,
                prefix: refused,
            },
        }
    }

    /// Whether `key` may try now, or the seconds until it may.
    pub async fn check(&self, key: &str) -> Result<(), Refused> {
        match &self.refused {
            Refusals::Memory(map) => {
                let map = map.lock().unwrap_or_else(|e| e.into_inner());
                match map.get(key) {
                    Some(until) if *until > Instant::now() => Err(Refused::Wait(
                        until
                            .duration_since(Instant::now())
                            .as_millis()
                            .div_ceil(1000)
                            .max(1) as u64,
                    )),
                    _ => Ok(()),
                }
            }
            Refusals::Shared { pool, prefix } => {
                let left = q(REFUSED_LEFT)
                    .arg(format!("{prefix}{key}"))
                    .scalar_optional::<i64>(pool)
                    .await;
                match left {
                    Ok(Some(left)) if left > 0 => Err(Refused::Wait(seconds(left))),
                    Ok(_) => Ok(()),
                    Err(e) => {
                        tracing::warn!(error = %e, "failed authentications not checked (the store did not answer): refused");
                        Err(Refused::Unavailable)
                    }
                }
            }
        }
    }

    /// Counts a failed attempt from `key`; past the budget, refuses it.
    /// (The attempt is answered 401 anyway: a store that cannot count it
    /// is logged, not reported.)
    pub async fn failed(&self, key: &str) {
        match &self.refused {
            Refusals::Memory(map) => {
                if let Err(Refused::Wait(wait)) = self.failures.check(key).await {
                    let until = Instant::now() + Duration::from_secs(wait);
                    map.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(key.to_string(), until);
                }
            }
            Refusals::Shared { pool, prefix } => {
                let refused = match self.failures.take(key, 1, None).await {
                    Ok((_, Ok(()))) => return,
                    // As in memory: refused for the wait in whole seconds.
                    Ok((now, Err(wait))) => now + seconds(wait) as i64 * 1_000_000,
                    Err(e) => {
                        tracing::warn!(error = %e, "a failed authentication was not counted (the store did not answer)");
                        return;
                    }
                };
                let recorded = q("INSERT INTO rate_buckets AS b (key, tat) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, excluded.tat)")
                .arg(format!("{prefix}{key}"))
                .arg(refused)
                .execute(pool)
                .await;
                if let Err(e) = recorded {
                    tracing::warn!(error = %e, "a refused source was not recorded (the store did not answer)");
                }
            }
        }
    }

    /// Forgets in-memory counts and refusals that ended (shared ones:
    /// [`Buckets::evict`]).
    pub fn evict(&self) {
        self.failures.evict();
        if let Refusals::Memory(map) = &self.refused {
            let now = Instant::now();
            map.lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|_, until| *until > now);
        }
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

    #[tokio::test]
    async fn bursts_pass_then_wait_and_keys_are_apart() {
        let limiter = RateLimiter::new(60);
        for _ in 0..60 {
            assert_eq!(limiter.check("a").await, Ok(()));
        }
        assert_eq!(limiter.check("a").await, Err(Refused::Wait(1)));
        // Other keys have their own budget.
        assert_eq!(limiter.check("b").await, Ok(()));
        assert!(RateLimiter::new(0).check("a").await.is_ok());
    }

    #[tokio::test]
    async fn slow_budgets_and_heavy_costs_say_how_long_to_wait() {
        let limiter = RateLimiter::new(6);
        for _ in 0..6 {
            assert!(limiter.check("a").await.is_ok());
        }
        assert_eq!(limiter.check("a").await, Err(Refused::Wait(10)));
        let heavy = RateLimiter::new(60);
        assert!(heavy.check_n("x", 30).await.is_ok());
        assert!(heavy.check_n("x", 30).await.is_ok());
        assert_eq!(heavy.check_n("x", 30).await, Err(Refused::Wait(30)));
    }

    #[tokio::test]
    async fn a_source_past_its_failures_is_refused_until_they_refill() {
        let guard = FailureGuard::new(3);
        for _ in 0..3 {
            assert!(guard.check("s").await.is_ok());
            guard.failed("s").await;
        }
        assert!(
            guard.check("s").await.is_ok(),
            "three failures are within the budget"
        );
        guard.failed("s").await;
        assert_eq!(guard.check("s").await, Err(Refused::Wait(20)));
        assert!(guard.check("other").await.is_ok());
    }

    /// The arithmetic the shared statement runs decides as governor does,
    /// with the same waits, over a long run of uneven arrivals and costs.
    #[test]
    fn gcra_answers_as_governor_does() {
        use governor::clock::FakeRelativeClock;
        let mut seed: u64 = 0x5eed;
        let mut random = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for per_minute in [1u32, 3, 6, 10, 30, 60, 1200] {
            let clock = FakeRelativeClock::default();
            let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap());
            let governor = governor::RateLimiter::hashmap_with_clock(quota, clock.clone());
            let interval = 60_000_000 / i64::from(per_minute);
            let tolerance = interval * i64::from(per_minute);
            let (mut tat, mut now, mut passed, mut refused) = (None, 0i64, 0, 0);
            for _ in 0..2000 {
                // Mostly quicker than the refill, sometimes slower.
                let step = random(2 * interval as u64 / 1000 + 1) as i64 * 1000 / 3;
                now += step;
                clock.advance(Duration::from_micros(step as u64));
                let n = 1 + random(u64::from(per_minute.min(3))) as u32;
                let ours = gcra(tat, now, interval * i64::from(n), tolerance);
                let theirs = governor.check_key_n(&"k", NonZeroU32::new(n).unwrap());
                match (ours, theirs) {
                    (Ok(next), Ok(Ok(()))) => {
                        tat = Some(next);
                        passed += 1;
                    }
                    (Err(wait), Ok(Err(not_until))) => {
                        let theirs = not_until.wait_time_from(clock.now());
                        assert_eq!(Duration::from_micros(wait as u64), theirs, "{per_minute}");
                        refused += 1;
                    }
                    (ours, theirs) => {
                        panic!("{per_minute}/min at {now} µs, n {n}: {ours:?} vs {theirs:?}")
                    }
                }
            }
            assert!(
                passed > 100 && refused > 100,
                "{per_minute}: {passed}, {refused}"
            );
        }
        assert_eq!(seconds(1), 1);
        assert_eq!(seconds(1_000_999), 1);
        assert_eq!(seconds(1_001_000), 2);
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

    #[tokio::test]
    async fn idle_full_buckets_are_evicted() {
        let limiter = RateLimiter::new(600_000);
        for i in 0..100 {
            limiter.check(&format!("k{i}")).await.unwrap();
        }
        assert_eq!(limiter.keys(), 100);
        // At 10,000 a second, one token refills in 0.1 ms.
        std::thread::sleep(std::time::Duration::from_millis(5));
        limiter.evict();
        assert_eq!(limiter.keys(), 0);
    }
}
