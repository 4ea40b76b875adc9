//! What Kamailio reports: one UDP datagram per event (`--sip-events`,
//! default 127.0.0.1:5072, only with `--kamailio-rpc`), sent with corex's
//! `send_data` so no SIP request ever waits on the server. A lost datagram
//! costs a line of observability, never a decision: bans are decided and
//! enforced in Kamailio (htables); the server only shows them.
//!
//! One datagram is one line of `|`-separated fields (at most
//! [`MAX_DATAGRAM`] bytes; text fields hex-encoded by `{s.encode.hexa}`):
//! - `S|time|ip|port|proto|realm|username|REGISTER or INVITE|call-id`: a
//!   successful digest authentication (last seen, registered since);
//! - `F|time|ip|port|proto|realm|entry|username|password or user|source
//!   count|username count`: a wrong password or an unknown user;
//! - `B|time|ip|realm|seconds|source count`: a source banned by the
//!   account of `realm`.
//!
//! Every field is checked with the standard parsers, and a realm that is no
//! account's drops the datagram: a forged report can at worst show a wrong
//! line, never ban or unban anything. Reports are aggregated in memory
//! (at most [`MAX_KEYS`] distinct rows per flush; beyond that they are
//! dropped and counted) and flushed about once a second in one transaction.
//! Warnings about ignored datagrams are one line per ten seconds at most.

use crate::db::Db;
use crate::sql::q;
use crate::AppState;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `--sip-events`' default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:5072";
/// The longest report.
pub const MAX_DATAGRAM: usize = 1024;
/// Distinct rows aggregated between two flushes.
pub const MAX_KEYS: usize = 50_000;
/// Registrations whose first REGISTER is remembered.
pub const MAX_REGISTERED: usize = 100_000;
/// A registration not refreshed for this long is forgotten.
const REGISTERED_IDLE: Duration = Duration::from_secs(60 * 60);
/// Failures (and lifted or expired bans, flags) are kept this many days.
pub const KEEP_DAYS: i64 = 7;
/// The longest username Kamailio reports (it cuts them before encoding).
pub const MAX_USERNAME: usize = 64;
/// Kamailio cuts entry points to this many characters before encoding.
pub const MAX_ENTRY: usize = 160;
/// …and Call-IDs to this many bytes.
pub const MAX_CALL_ID: usize = 128;
/// Realms not found are remembered for a minute, at most this many.
const MAX_UNKNOWN_REALMS: usize = 10_000;
/// How far a report's time may be from the server's clock.
const SKEW: i64 = 24 * 60 * 60;

/// What Kamailio decides with (`sip_settings`, htable `sipcfg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BanSettings {
    /// More failures than this from one source at one account…
    pub ban_failures: u32,
    /// …within this many seconds (from the first failure)…
    pub ban_window: u32,
    /// …ban the source at that account for this many seconds.
    pub ban_seconds: u32,
    /// A username with more failures than this in the window is flagged.
    pub user_failures: u32,
}

impl Default for BanSettings {
    fn default() -> Self {
        Self {
            ban_failures: 10,
            ban_window: 60,
            ban_seconds: 600,
            user_failures: 20,
        }
    }
}

impl BanSettings {
    fn rows(&self) -> [(&'static str, u32); 4] {
        [
            ("ban_failures", self.ban_failures),
            ("ban_window", self.ban_window),
            ("ban_seconds", self.ban_seconds),
            ("user_failures", self.user_failures),
        ]
    }
}

/// Writes the settings Kamailio loads as htable `sipcfg` (at start; the
/// reloader's first round makes every node read them).
pub async fn write_settings(db: &Db, settings: BanSettings) -> Result<(), sqlx::Error> {
    let mut tx = db.transaction(None).await?;
    for (key, value) in settings.rows() {
        q(
            "INSERT INTO sip_settings (key_name, key_value) VALUES ($1, $2)
             ON CONFLICT (key_name) DO UPDATE SET key_value = excluded.key_value",
        )
        .arg(key)
        .arg(value.to_string())
        .execute(tx.conn())
        .await?;
    }
    tx.commit().await
}

/// The settings in the store (the defaults for a key that is missing).
pub async fn read_settings(pool: &crate::sql::Pool) -> Result<BanSettings, sqlx::Error> {
    let rows: Vec<(String, String)> = q("SELECT key_name, key_value FROM sip_settings")
        .fetch_all(pool)
        .await?;
    let mut s = BanSettings::default();
    for (key, value) in rows {
        let Ok(v) = value.parse::<u32>() else {
            continue;
        };
        match key.as_str() {
            "ban_failures" => s.ban_failures = v,
            "ban_window" => s.ban_window = v,
            "ban_seconds" => s.ban_seconds = v,
            "user_failures" => s.user_failures = v,
            _ => {}
        }
    }
    Ok(s)
}

/// A report, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    Success {
        at: i64,
        source: String,
        port: u16,
        transport: String,
        realm: String,
        username: String,
        method: &'static str,
        call_id: String,
    },
    Failure {
        at: i64,
        source: String,
        port: u16,
        transport: String,
        realm: String,
        entry: String,
        username: String,
        reason: &'static str,
        source_count: u32,
        user_count: u32,
    },
    Ban {
        at: i64,
        source: String,
        realm: String,
        seconds: u32,
        failures: u32,
    },
}

impl Report {
    pub fn realm(&self) -> &str {
        match self {
            Report::Success { realm, .. }
            | Report::Failure { realm, .. }
            | Report::Ban { realm, .. } => realm,
        }
    }
}

/// `value` as hex pairs (either case) decoded to text of at most `max`
/// characters, none of them a control character; not empty.
fn hex_text(value: &str, max: usize) -> Option<String> {
    if value.is_empty() || !value.len().is_multiple_of(2) || value.len() > max * 8 {
        return None;
    }
    let bytes = (0..value.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(value.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let text = String::from_utf8(bytes).ok()?;
    (text.chars().count() <= max && !text.chars().any(char::is_control)).then_some(text)
}

/// A host name: dot-separated labels of letters, digits and `-`, lowercase.
fn host_name(value: &str) -> Option<String> {
    let ok = (1..=253).contains(&value.len())
        && value.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then(|| value.to_ascii_lowercase())
}

/// A source address as Kamailio wrote it (kept as written: it is the key
/// of Kamailio's htables), if it is one.
fn address(value: &str) -> Option<String> {
    (value.len() <= 45 && value.parse::<IpAddr>().is_ok()).then(|| value.to_string())
}

fn transport(value: &str) -> Option<String> {
    let t = value.to_ascii_lowercase();
    ["udp", "tcp", "tls", "sctp", "ws", "wss"]
        .contains(&t.as_str())
        .then_some(t)
}

/// Parses one datagram received at `now` (Unix seconds): `None` for
/// anything malformed.
pub fn parse(datagram: &[u8], now: i64) -> Option<Report> {
    if datagram.len() > MAX_DATAGRAM {
        return None;
    }
    let line = std::str::from_utf8(datagram).ok()?;
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let f: Vec<&str> = line.split('|').collect();
    let at = |v: &str| {
        v.parse::<i64>()
            .ok()
            .filter(|t| (now - SKEW..=now + SKEW).contains(t))
    };
    match f.as_slice() {
        ["S", time, ip, port, proto, realm, user, method, call_id] => Some(Report::Success {
            at: at(time)?,
            source: address(ip)?,
            port: port.parse().ok()?,
            transport: transport(proto)?,
            realm: host_name(realm)?,
            username: hex_text(user, MAX_USERNAME)?,
            method: match *method {
                "REGISTER" => "REGISTER",
                "INVITE" => "INVITE",
                _ => return None,
            },
            call_id: hex_text(call_id, MAX_CALL_ID)?,
        }),
        ["F", time, ip, port, proto, realm, entry, user, reason, by_source, by_user] => {
            let realm = host_name(realm)?;
            let entry = hex_text(entry, MAX_ENTRY)?;
            // `user@domain` or a domain, whose domain is the realm or a
            // name under it (a Twilio domain). Kamailio cuts a long entry
            // (an attacker's long request user) to MAX_ENTRY characters,
            // which may cut the domain: such an entry is kept as it came.
            if entry.chars().count() < MAX_ENTRY {
                let domain = host_name(entry.rsplit('@').next()?)?;
                if domain != realm && !domain.ends_with(&format!(".{realm}")) {
                    return None;
                }
                if let Some((user_part, _)) = entry.rsplit_once('@') {
                    if user_part.is_empty() {
                        return None;
                    }
                }
            }
            Some(Report::Failure {
                at: at(time)?,
                source: address(ip)?,
                port: port.parse().ok()?,
                transport: transport(proto)?,
                realm,
                entry,
                username: hex_text(user, MAX_USERNAME)?,
                reason: match *reason {
                    "password" => "password",
                    "user" => "user",
                    _ => return None,
                },
                source_count: by_source.parse().ok()?,
                user_count: by_user.parse().ok()?,
            })
        }
        ["B", time, ip, realm, seconds, failures] => Some(Report::Ban {
            at: at(time)?,
            source: address(ip)?,
            realm: host_name(realm)?,
            seconds: seconds.parse().ok().filter(|s| *s <= 366 * 86_400)?,
            failures: failures.parse().ok()?,
        }),
        _ => None,
    }
}

/// The first REGISTER the server saw of each registration (realm,
/// username, Call-ID), for "registered since". Bounded; a registration
/// not refreshed for an hour is forgotten.
#[derive(Default)]
pub struct Registered {
    map: Mutex<HashMap<RegistrationKey, (i64, Instant)>>,
}

/// (realm, username, Call-ID).
type RegistrationKey = (String, String, String);

/// (account, minute, source, username, entry, reason).
type FailureKey = (String, i64, String, String, String, &'static str);

impl Registered {
    /// A REGISTER at `at`; false when the map is full.
    fn saw(&self, realm: &str, username: &str, call_id: &str, at: i64) -> bool {
        let mut map = self.map.lock().expect("registered");
        let key = (realm.to_string(), username.to_string(), call_id.to_string());
        if let Some(entry) = map.get_mut(&key) {
            entry.1 = Instant::now();
            return true;
        }
        if map.len() >= MAX_REGISTERED {
            return false;
        }
        map.insert(key, (at, Instant::now()));
        true
    }

    /// When the registration `call_id` of `username@realm` first registered.
    pub fn since(&self, realm: &str, username: &str, call_id: &str) -> Option<i64> {
        // As Kamailio reports it: cut to MAX_CALL_ID bytes.
        let mut cut = call_id.len().min(MAX_CALL_ID);
        while !call_id.is_char_boundary(cut) {
            cut -= 1;
        }
        let call_id = &call_id[..cut];
        let key = (realm.to_string(), username.to_string(), call_id.to_string());
        self.map.lock().expect("registered").get(&key).map(|e| e.0)
    }

    fn evict(&self) {
        self.map
            .lock()
            .expect("registered")
            .retain(|_, (_, last)| last.elapsed() < REGISTERED_IDLE);
    }
}

/// Rows waiting for the next flush.
#[derive(Default)]
struct Pending {
    /// (account, minute, source, username, entry, reason) → (count, last at).
    failures: HashMap<FailureKey, (i64, i64)>,
    /// (account, username) → (at, Kamailio's count).
    flags: HashMap<(String, String), (i64, i64)>,
    /// (account, source, banned at) → (until, failures).
    bans: HashMap<(String, String, i64), (i64, i64)>,
    /// (realm, username) → the latest success.
    seen: HashMap<(String, String), Seen>,
}

#[derive(Debug, Clone)]
struct Seen {
    at: i64,
    source: String,
    port: u16,
    transport: String,
    method: &'static str,
}

impl Pending {
    fn keys(&self) -> usize {
        self.failures.len() + self.flags.len() + self.bans.len() + self.seen.len()
    }

    fn is_empty(&self) -> bool {
        self.keys() == 0
    }

    /// Adds `report` of `account`; false when it would be a new row past
    /// [`MAX_KEYS`].
    fn add(&mut self, account: &str, report: Report, user_failures: u32) -> bool {
        let full = self.keys() >= MAX_KEYS;
        match report {
            Report::Success {
                at,
                source,
                port,
                transport,
                realm,
                username,
                method,
                ..
            } => {
                let key = (realm, username);
                if full && !self.seen.contains_key(&key) {
                    return false;
                }
                let seen = Seen {
                    at,
                    source,
                    port,
                    transport,
                    method,
                };
                match self.seen.get_mut(&key) {
                    Some(old) if old.at > at => {}
                    Some(old) => *old = seen,
                    None => {
                        self.seen.insert(key, seen);
                    }
                }
            }
            Report::Failure {
                at,
                source,
                username,
                entry,
                reason,
                user_count,
                ..
            } => {
                let key = (
                    account.to_string(),
                    at.div_euclid(60),
                    source,
                    username.clone(),
                    entry,
                    reason,
                );
                let flag = (user_count > user_failures).then(|| (account.to_string(), username));
                let new_rows = usize::from(!self.failures.contains_key(&key))
                    + flag
                        .as_ref()
                        .map_or(0, |f| usize::from(!self.flags.contains_key(f)));
                if self.keys() + new_rows > MAX_KEYS && new_rows > 0 {
                    return false;
                }
                let row = self.failures.entry(key).or_insert((0, at));
                row.0 += 1;
                row.1 = row.1.max(at);
                if let Some(flag) = flag {
                    let f = self.flags.entry(flag).or_insert((at, 0));
                    f.0 = f.0.max(at);
                    f.1 = f.1.max(i64::from(user_count));
                }
            }
            Report::Ban {
                at,
                source,
                seconds,
                failures,
                ..
            } => {
                let key = (account.to_string(), source, at);
                if full && !self.bans.contains_key(&key) {
                    return false;
                }
                self.bans
                    .insert(key, (at + i64::from(seconds), i64::from(failures)));
            }
        }
        true
    }
}

/// Counts of ignored datagrams, logged at most once per [`Quiet::EVERY`].
#[derive(Default)]
struct Quiet {
    counts: HashMap<&'static str, u64>,
    last: Option<Instant>,
}

impl Quiet {
    const EVERY: Duration = Duration::from_secs(10);

    fn note(&mut self, why: &'static str) {
        *self.counts.entry(why).or_default() += 1;
    }

    fn tick(&mut self) {
        if self.counts.is_empty() || self.last.is_some_and(|l| l.elapsed() < Self::EVERY) {
            return;
        }
        let mut counts: Vec<(&str, u64)> = self.counts.drain().collect();
        counts.sort();
        let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        tracing::warn!(ignored = %summary.join(", "), "SIP reports ignored");
        self.last = Some(Instant::now());
    }
}

/// Which account each realm is (accounts never change once made; realms
/// not found are asked again after a minute).
struct Realms {
    known: HashMap<String, String>,
    unknown: HashMap<String, ()>,
}

impl Realms {
    async fn account(&mut self, db: &Db, realm: &str) -> Option<String> {
        if let Some(a) = self.known.get(realm) {
            return Some(a.clone());
        }
        if self.unknown.contains_key(realm) {
            return None;
        }
        let found: Option<String> = q("SELECT auth_id FROM accounts WHERE realm = $1")
            .arg(realm)
            .scalar_optional(&db.read)
            .await
            .ok()
            .flatten();
        match &found {
            Some(a) => {
                self.known.insert(realm.to_string(), a.clone());
            }
            None if self.unknown.len() < MAX_UNKNOWN_REALMS => {
                self.unknown.insert(realm.to_string(), ());
            }
            None => {}
        }
        found
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Listens for Kamailio's reports on `addr` (UDP): the address bound. Also
/// prunes what is older than [`KEEP_DAYS`] now and once a day.
pub async fn listen(state: &AppState, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let socket = tokio::net::UdpSocket::bind(addr).await?;
    let local = socket.local_addr()?;
    let db = state.db.clone();
    let settings = read_settings(&db.read)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    prune(&db)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    // A flush waits for the write connection; reports keep arriving
    // meanwhile, and at most a few windows wait behind it.
    let (flushes, mut waiting) = tokio::sync::mpsc::channel::<Pending>(4);
    let flush_db = db.clone();
    tokio::spawn(async move {
        while let Some(batch) = waiting.recv().await {
            if let Err(e) = flush(&flush_db, batch).await {
                tracing::warn!(error = %e, "could not store SIP reports");
            }
        }
    });
    let prune_db = db.clone();
    tokio::spawn(async move {
        let day = Duration::from_secs(24 * 60 * 60);
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + day, day);
        loop {
            every.tick().await;
            if let Err(e) = prune(&prune_db).await {
                tracing::warn!(error = %e, "could not prune SIP reports");
            }
        }
    });
    let registered = state.registered.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; MAX_DATAGRAM * 2];
        let mut pending = Pending::default();
        let mut quiet = Quiet::default();
        let mut realms = Realms {
            known: HashMap::new(),
            unknown: HashMap::new(),
        };
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                received = socket.recv_from(&mut buf) => {
                    let n = match received {
                        Ok((n, _)) => n,
                        Err(_) => {
                            quiet.note("unreadable");
                            continue;
                        }
                    };
                    // A datagram longer than the buffer arrives cut to it.
                    let Some(report) = parse(&buf[..n], now()) else {
                        quiet.note(if n > MAX_DATAGRAM { "oversized" } else { "malformed" });
                        continue;
                    };
                    let Some(account) = realms.account(&db, report.realm()).await else {
                        quiet.note("unknown realm");
                        continue;
                    };
                    if let Report::Success { method: "REGISTER", realm, username, call_id, at, .. } = &report {
                        if !registered.saw(realm, username, call_id, *at) {
                            quiet.note("registrations full");
                        }
                    }
                    if !pending.add(&account, report, settings.user_failures) {
                        quiet.note("over the rows per second");
                    }
                }
                _ = tick.tick() => {
                    ticks += 1;
                    if !pending.is_empty() {
                        let batch = std::mem::take(&mut pending);
                        if flushes.try_send(batch).is_err() {
                            quiet.note("store behind");
                        }
                    }
                    if ticks.is_multiple_of(60) {
                        registered.evict();
                        realms.unknown.clear();
                    }
                    quiet.tick();
                }
            }
        }
    });
    tracing::info!(%local, "listening for Kamailio's reports");
    Ok(local)
}

/// The entries of `map` in the order of their keys.
fn sorted<K: Ord, V>(map: &HashMap<K, V>) -> Vec<(&K, &V)> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Writes one window of reports in one transaction. Every table's rows
/// are written in the order of their keys: two servers flushing into one
/// store lock rows in the same order and so never wait for each other in
/// a circle (a deadlock).
async fn flush(db: &Db, batch: Pending) -> Result<(), sqlx::Error> {
    let mut tx = db.transaction(None).await?;
    for ((realm, username), s) in sorted(&batch.seen) {
        q(
            "INSERT INTO credential_seen (credential_seq, at, source, port, transport, method)
             SELECT id, $1, $2, $3, $4, $5 FROM subscriber WHERE username = $6 AND domain = $7
             ON CONFLICT (credential_seq) DO UPDATE SET
                 at = excluded.at, source = excluded.source, port = excluded.port,
                 transport = excluded.transport, method = excluded.method
             WHERE excluded.at >= credential_seen.at",
        )
        .arg(s.at)
        .arg(&s.source)
        .arg(s.port)
        .arg(&s.transport)
        .arg(s.method)
        .arg(username)
        .arg(realm)
        .execute(tx.conn())
        .await?;
    }
    for ((account, minute, source, username, entry, reason), (count, last_at)) in
        sorted(&batch.failures)
    {
        q(
            "INSERT INTO sip_failures (account_id, minute, source, username, entry, reason, count, last_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (account_id, minute, source, username, entry, reason) DO UPDATE SET
                 count = sip_failures.count + excluded.count,
                 last_at = CASE WHEN sip_failures.last_at > excluded.last_at
                                THEN sip_failures.last_at ELSE excluded.last_at END",
        )
        .arg(account)
        .arg(*minute)
        .arg(source)
        .arg(username)
        .arg(entry)
        .arg(*reason)
        .arg(*count)
        .arg(*last_at)
        .execute(tx.conn())
        .await?;
    }
    for ((account, username), (at, failures)) in sorted(&batch.flags) {
        q(
            "INSERT INTO sip_user_flags (account_id, username, flagged_at, failures)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, username) DO UPDATE SET
                 flagged_at = CASE WHEN sip_user_flags.flagged_at > excluded.flagged_at
                                   THEN sip_user_flags.flagged_at ELSE excluded.flagged_at END,
                 failures = excluded.failures",
        )
        .arg(account)
        .arg(username)
        .arg(*at)
        .arg(*failures)
        .execute(tx.conn())
        .await?;
    }
    for ((account, source, at), (until, failures)) in sorted(&batch.bans) {
        q(
            "INSERT INTO sip_bans (account_id, source, banned_at, until, failures)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .arg(account)
        .arg(source)
        .arg(*at)
        .arg(*until)
        .arg(*failures)
        .execute(tx.conn())
        .await?;
    }
    tx.commit().await
}

/// Deletes failures older than [`KEEP_DAYS`], bans over that long ago and
/// flags not renewed for that long.
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    let cutoff = now() - KEEP_DAYS * 24 * 60 * 60;
    let mut tx = db.transaction(None).await?;
    let mut pruned = q("DELETE FROM sip_failures WHERE minute < $1")
        .arg(cutoff.div_euclid(60))
        .execute(tx.conn())
        .await?
        .rows_affected();
    pruned += q("DELETE FROM sip_bans WHERE until < $1")
        .arg(cutoff)
        .execute(tx.conn())
        .await?
        .rows_affected();
    pruned += q("DELETE FROM sip_user_flags WHERE flagged_at < $1")
        .arg(cutoff)
        .execute(tx.conn())
        .await?
        .rows_affected();
    tx.commit().await?;
    if pruned > 0 {
        tracing::info!(pruned, days = KEEP_DAYS, "old SIP reports pruned");
    }
    Ok(pruned)
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(t: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The clock reports are read against (Unix seconds).
pub fn unix_now() -> i64 {
    now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> String {
        s.bytes().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn reports_parse_and_anything_else_is_refused() {
        let now = 1_800_000_000;
        let s = format!(
            "S|{now}|192.0.2.1|5060|UDP|acme.sip.test|{}|REGISTER|{}",
            hex("alice"),
            hex("abc@host")
        );
        assert!(matches!(
            parse(s.as_bytes(), now),
            Some(Report::Success { ref username, ref transport, .. }) if username == "alice" && transport == "udp"
        ));
        let f = format!(
            "F|{now}|2001:db8::1|5060|tcp|acme.sip.test|{}|{}|password|3|4\n",
            hex("AP1@acme.sip.test").to_uppercase(),
            hex("bob")
        );
        assert!(matches!(
            parse(f.as_bytes(), now),
            Some(Report::Failure {
                source_count: 3,
                ..
            })
        ));
        let b = format!("B|{now}|192.0.2.1|acme.sip.test|600|11");
        assert!(matches!(
            parse(b.as_bytes(), now),
            Some(Report::Ban { seconds: 600, .. })
        ));
        for bad in [
            String::new(),
            "S".into(),
            format!(
                "S|{now}|192.0.2.1|5060|udp|../etc|{}|REGISTER|{}",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme..test|{}|REGISTER|{}",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|REGISTER|{}",
                hex(&"a".repeat(65)),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|REGISTER|{}",
                hex("a\u{7}"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme.sip.test|zz|REGISTER|{}",
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|OPTIONS|{}",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.300|5060|udp|acme.sip.test|{}|REGISTER|{}",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|70000|udp|acme.sip.test|{}|REGISTER|{}",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|REGISTER|{}|x",
                hex("a"),
                hex("c")
            ),
            format!(
                "S|{}|192.0.2.1|5060|udp|acme.sip.test|{}|REGISTER|{}",
                now + 10 * SKEW,
                hex("a"),
                hex("c")
            ),
            format!(
                "F|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|{}|password|1|1",
                hex("x@other.test"),
                hex("b")
            ),
            format!(
                "F|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|{}|password|1|1",
                hex("../acme.sip.test"),
                hex("b")
            ),
            format!(
                "F|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|{}|stale|1|1",
                hex("acme.sip.test"),
                hex("b")
            ),
            format!("B|{now}|192.0.2.1|acme.sip.test|-5|11"),
            format!(
                "B|{now}|192.0.2.1|acme.sip.test|600|11|{}",
                "x".repeat(MAX_DATAGRAM)
            ),
        ] {
            assert_eq!(parse(bad.as_bytes(), now), None, "{bad}");
        }
    }

    #[test]
    fn what_kamailio_cuts_still_counts() {
        let now = 1_800_000_000;
        // A long request user: the entry arrives cut inside the domain.
        let entry: String = format!("{}@acme.sip.test", "9".repeat(200))
            .chars()
            .take(MAX_ENTRY)
            .collect();
        let f = format!(
            "F|{now}|192.0.2.1|5060|udp|acme.sip.test|{}|{}|user|1|1",
            hex(&entry),
            hex("x")
        );
        assert!(parse(f.as_bytes(), now).is_some());
        // A long Call-ID is reported cut; the full one still finds it.
        let long = "c".repeat(300);
        let r = Registered::default();
        assert!(r.saw("acme.sip.test", "alice", &long[..MAX_CALL_ID], now));
        assert_eq!(r.since("acme.sip.test", "alice", &long), Some(now));
    }

    #[test]
    fn a_window_holds_at_most_max_keys_rows() {
        let mut p = Pending::default();
        for i in 0..MAX_KEYS + 10 {
            let r = Report::Ban {
                at: i as i64,
                source: "192.0.2.1".into(),
                realm: "r".into(),
                seconds: 1,
                failures: 1,
            };
            assert_eq!(p.add("A", r, 20), i < MAX_KEYS);
        }
    }
}
