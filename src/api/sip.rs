//! What the SIP side sees (issue 18; only with `config.sip_insight`): each
//! credential's last successful authentication and registrations, the
//! account's failed authentications and bans, and lifting a ban. Operator
//! routes under `/console/accounts/{auth_id}/sip/`.

use super::{parse, Api, ApiError};
use gloo_net::http::Method;
use serde_json::Value;

/// A credential's last successful authentication (REGISTER or INVITE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LastSeen {
    /// RFC 3339, UTC.
    pub at: String,
    pub source: String,
    pub port: Option<u32>,
    pub transport: String,
    pub method: String,
}

/// What the SIP side knows of one credential.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SipCredential {
    /// The credential's id as the dialect's API shows it.
    pub id: String,
    pub username: String,
    pub last_seen: Option<LastSeen>,
    /// Current registrations; `None` where no entry point lets the
    /// credential register.
    pub registrations: Option<u32>,
    /// Flagged after too many failures within the last 24 hours.
    pub under_attack: bool,
}

/// Every credential of the account, and after how many days unused one is
/// stale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipCredentials {
    pub credentials: Vec<SipCredential>,
    pub stale_days: u32,
    /// Kamailio nodes that did not answer: their contacts are missing
    /// from the counts.
    pub unreachable: Vec<String>,
}

impl SipCredentials {
    /// The credential whose id is `id`.
    pub fn of(&self, id: &str) -> Option<&SipCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

/// One contact registered for an address of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Registration {
    pub aor: String,
    pub username: String,
    pub contact: String,
    pub source: String,
    pub port: Option<u32>,
    pub transport: String,
    pub user_agent: String,
    /// Seconds.
    pub expires_in: i64,
    /// The first REGISTER of this Call-ID the server saw; unknown after a
    /// restart.
    pub registered_since: Option<String>,
    pub last_refresh: Option<String>,
    pub node: String,
}

/// The registrations of a credential or a domain, and the Kamailio nodes
/// that did not answer (their registrations are missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registrations {
    pub registrations: Vec<Registration>,
    pub unreachable: Vec<String>,
    /// More than 1,000 addresses of record: only the first were looked up.
    pub truncated: bool,
}

/// Whose registrations: a credential's (by id) or a Twilio domain's (SID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    Credential(String),
    Domain(String),
}

/// When a source is banned, and when a username is flagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BanSettings {
    pub ban_failures: u32,
    /// Seconds.
    pub ban_window: u32,
    /// Seconds.
    pub ban_seconds: u32,
    pub user_failures: u32,
}

/// Failed authentications in one hour (`hour`: its start, RFC 3339).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourCount {
    pub hour: String,
    pub failures: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TopSource {
    pub source: String,
    pub failures: u64,
    pub banned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TopUsername {
    pub username: String,
    pub failures: u64,
    /// The credential with this username, if there is one.
    pub credential_id: Option<String>,
    pub under_attack: bool,
}

/// A current ban of a source at this account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ban {
    pub source: String,
    pub banned_at: String,
    pub until: String,
    /// When the answer was made.
    pub seconds_left: i64,
    pub failures: u64,
}

/// The Security page's summary of the last 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Security {
    pub settings: BanSettings,
    /// 24 hours, oldest first; the last is the current hour.
    pub hourly: Vec<HourCount>,
    pub top_sources: Vec<TopSource>,
    pub top_usernames: Vec<TopUsername>,
    pub bans: Vec<Ban>,
}

/// One row of failed authentications (grouped by minute, source, username,
/// entry point and reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Failure {
    pub at: String,
    pub source: String,
    pub username: String,
    /// `$rU@domain` for an app or trunk, else the domain.
    pub entry: String,
    /// "wrong password" or "unknown user".
    pub reason: String,
    pub count: u64,
}

/// A page of failures, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailurePage {
    pub failures: Vec<Failure>,
    pub total: u64,
}

/// What the recent failures are filtered by; the same names in the
/// Security page's URL and in the request. `page` counts from 1 in the
/// URL (the server's from 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FailureFilter {
    pub source: String,
    pub username: String,
    pub page: u32,
}

impl FailureFilter {
    /// The filter a query string's parameters hold (`get` reads one).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |key: &str| get(key).map(|v| v.trim().to_string()).unwrap_or_default();
        FailureFilter {
            source: text("source"),
            username: text("username"),
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// The URL's parameters (page 1 left out).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (key, value) in [("source", &self.source), ("username", &self.username)] {
            if !value.is_empty() {
                out.push((key, value.clone()));
            }
        }
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        out
    }

    /// The query string (without `?`) that [`FailureFilter::read`] reads back.
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self.pairs()).unwrap_or_default()
    }

    /// Whether a source or username narrows the list.
    pub fn narrows(&self) -> bool {
        !self.source.is_empty() || !self.username.is_empty()
    }

    /// "source “192.0.2.1”, username “alice”".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.source.is_empty() {
            parts.push(format!("source \u{201c}{}\u{201d}", self.source));
        }
        if !self.username.is_empty() {
            parts.push(format!("username \u{201c}{}\u{201d}", self.username));
        }
        parts.join(" and ")
    }
}

/// How an unban went on each Kamailio node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unbanned {
    pub source: String,
    pub nodes: Vec<NodeOutcome>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeOutcome {
    pub node: String,
    pub lifted: bool,
    pub error: Option<String>,
}

// Reading the answers. By hand from a `serde_json::Value` rather than
// derived, as for the audit records: derived `Deserialize`s (one sequence
// visitor per list type) cost several times these lines in the wasm.
// Missing or mistyped fields read as empty; only a missing list is an
// unexpected answer.

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn some_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key)
        .and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
        .unwrap_or_default()
}

fn count(v: &Value, key: &str) -> u64 {
    int(v, key).max(0) as u64
}

fn small(v: &Value, key: &str) -> u32 {
    int(v, key).clamp(0, u32::MAX as i64) as u32
}

fn port(v: &Value) -> Option<u32> {
    v.get("port").and_then(Value::as_u64).map(|p| p as u32)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or_default()
}

/// The items of the list `key`, each read by `read`; `None` without it.
fn list<T>(v: &Value, key: &str, read: fn(&Value) -> T) -> Option<Vec<T>> {
    Some(v.get(key)?.as_array()?.iter().map(read).collect())
}

fn node_name(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The JSON object of an answer, or the error for one we did not expect.
fn object(text: &str) -> Result<Value, ApiError> {
    parse::<Value>(text)
}

fn unexpected(what: &str) -> ApiError {
    ApiError::Server(format!("unexpected answer: no {what}"))
}

impl LastSeen {
    fn read(v: &Value) -> Self {
        LastSeen {
            at: text(v, "at"),
            source: text(v, "source"),
            port: port(v),
            transport: text(v, "transport"),
            method: text(v, "method"),
        }
    }
}

impl SipCredential {
    fn read(v: &Value) -> Self {
        SipCredential {
            id: text(v, "id"),
            username: text(v, "username"),
            last_seen: v
                .get("last_seen")
                .filter(|s| s.is_object())
                .map(LastSeen::read),
            registrations: v
                .get("registrations")
                .and_then(Value::as_u64)
                .map(|n| n as u32),
            under_attack: flag(v, "under_attack"),
        }
    }
}

impl SipCredentials {
    /// The answer of `GET …/sip/credentials`.
    pub fn parse(answer: &str) -> Result<Self, ApiError> {
        let v = object(answer)?;
        Ok(SipCredentials {
            credentials: list(&v, "credentials", SipCredential::read)
                .ok_or_else(|| unexpected("credentials"))?,
            stale_days: match small(&v, "stale_days") {
                0 => 90,
                days => days,
            },
            unreachable: list(&v, "unreachable", node_name).unwrap_or_default(),
        })
    }
}

impl Registration {
    fn read(v: &Value) -> Self {
        Registration {
            aor: text(v, "aor"),
            username: text(v, "username"),
            contact: text(v, "contact"),
            source: text(v, "source"),
            port: port(v),
            transport: text(v, "transport"),
            user_agent: text(v, "user_agent"),
            expires_in: int(v, "expires_in"),
            registered_since: some_text(v, "registered_since"),
            last_refresh: some_text(v, "last_refresh"),
            node: text(v, "node"),
        }
    }
}

impl Registrations {
    /// The answer of `GET …/sip/registrations`.
    pub fn parse(answer: &str) -> Result<Self, ApiError> {
        let v = object(answer)?;
        Ok(Registrations {
            registrations: list(&v, "registrations", Registration::read)
                .ok_or_else(|| unexpected("registrations"))?,
            unreachable: list(&v, "unreachable", node_name).unwrap_or_default(),
            truncated: flag(&v, "truncated"),
        })
    }
}

impl Security {
    /// The answer of `GET …/sip/security`.
    pub fn parse(answer: &str) -> Result<Self, ApiError> {
        let v = object(answer)?;
        let s = v.get("settings").unwrap_or(&Value::Null);
        Ok(Security {
            settings: BanSettings {
                ban_failures: small(s, "ban_failures"),
                ban_window: small(s, "ban_window"),
                ban_seconds: small(s, "ban_seconds"),
                user_failures: small(s, "user_failures"),
            },
            hourly: list(&v, "hourly", |h| HourCount {
                hour: text(h, "hour"),
                failures: count(h, "failures"),
            })
            .ok_or_else(|| unexpected("hourly failures"))?,
            top_sources: list(&v, "top_sources", |t| TopSource {
                source: text(t, "source"),
                failures: count(t, "failures"),
                banned: flag(t, "banned"),
            })
            .unwrap_or_default(),
            top_usernames: list(&v, "top_usernames", |t| TopUsername {
                username: text(t, "username"),
                failures: count(t, "failures"),
                credential_id: some_text(t, "credential_id"),
                under_attack: flag(t, "under_attack"),
            })
            .unwrap_or_default(),
            bans: list(&v, "bans", |b| Ban {
                source: text(b, "source"),
                banned_at: text(b, "banned_at"),
                until: text(b, "until"),
                seconds_left: int(b, "seconds_left"),
                failures: count(b, "failures"),
            })
            .unwrap_or_default(),
        })
    }
}

impl FailurePage {
    /// The answer of `GET …/sip/failures`.
    pub fn parse(answer: &str) -> Result<Self, ApiError> {
        let v = object(answer)?;
        Ok(FailurePage {
            failures: list(&v, "failures", |f| Failure {
                at: text(f, "at"),
                source: text(f, "source"),
                username: text(f, "username"),
                entry: text(f, "entry"),
                reason: text(f, "reason"),
                count: count(f, "count"),
            })
            .ok_or_else(|| unexpected("failures"))?,
            total: count(&v, "total"),
        })
    }
}

impl Unbanned {
    /// The answer of `DELETE …/sip/bans/{source}`.
    pub fn parse(answer: &str) -> Result<Self, ApiError> {
        let v = object(answer)?;
        Ok(Unbanned {
            source: text(&v, "source"),
            nodes: list(&v, "nodes", |n| NodeOutcome {
                node: text(n, "node"),
                lifted: flag(n, "lifted"),
                error: some_text(n, "error"),
            })
            .unwrap_or_default(),
        })
    }
}

impl Api {
    fn sip_url(&self, rest: &str) -> String {
        self.url(&format!(
            "/console/accounts/{}/sip/{rest}",
            js_sys::encode_uri_component(&self.account)
        ))
    }

    /// Last seen, registrations and flags of every credential.
    pub async fn sip_credentials(&self) -> Result<SipCredentials, ApiError> {
        SipCredentials::parse(&self.get_text(&self.sip_url("credentials"), &[]).await?)
    }

    /// The current registrations of a credential or a Twilio domain.
    pub async fn sip_registrations(&self, of: &Registered) -> Result<Registrations, ApiError> {
        let query = match of {
            Registered::Credential(id) => [("credential", id.clone())],
            Registered::Domain(sid) => [("domain", sid.clone())],
        };
        let answer = self
            .get_text(&self.sip_url("registrations"), &query)
            .await?;
        Registrations::parse(&answer)
    }

    /// Failures per hour, top sources and usernames, current bans.
    pub async fn sip_security(&self) -> Result<Security, ApiError> {
        Security::parse(&self.get_text(&self.sip_url("security"), &[]).await?)
    }

    /// One page of the failures `filter` keeps, newest first.
    pub async fn sip_failures(
        &self,
        filter: &FailureFilter,
        page_size: u32,
    ) -> Result<FailurePage, ApiError> {
        let mut query: Vec<(&str, String)> = filter
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != "page")
            .collect();
        query.push(("page", filter.page.max(1).saturating_sub(1).to_string()));
        query.push(("page_size", page_size.to_string()));
        FailurePage::parse(&self.get_text(&self.sip_url("failures"), &query).await?)
    }

    /// Lifts the ban of `source` on every Kamailio node (editor).
    pub async fn unban(&self, source: &str) -> Result<Unbanned, ApiError> {
        let url = self.sip_url(&format!("bans/{}", js_sys::encode_uri_component(source)));
        Unbanned::parse(&self.text(Method::DELETE, &url, &[], None).await?)
    }

    async fn get_text(&self, url: &str, query: &[(&str, String)]) -> Result<String, ApiError> {
        self.text(Method::GET, url, query, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_contracts_answers_read() {
        let c = SipCredentials::parse(
            r#"{"credentials":[
                {"id":"c1","username":"alice","last_seen":{"at":"2026-12-01T10:00:00Z","source":"192.0.2.1","port":5060,"transport":"udp","method":"REGISTER"},"registrations":2,"under_attack":false},
                {"id":"c2","username":"bob","last_seen":null,"registrations":null,"under_attack":true}],
                "stale_days":90, "unreachable":["unix:/run/k.sock"]}"#,
        )
        .unwrap();
        assert_eq!(c.of("c1").unwrap().registrations, Some(2));
        assert_eq!(c.of("c2").unwrap().last_seen, None);
        assert!(c.of("c2").unwrap().under_attack);
        assert_eq!(c.unreachable, ["unix:/run/k.sock"]);
        let s = Security::parse(
            r#"{"settings":{"ban_failures":10,"ban_window":60,"ban_seconds":600,"user_failures":20},
                "hourly":[{"hour":"2026-12-01T10:00:00Z","failures":3}],
                "top_sources":[{"source":"127.0.0.30","failures":12,"banned":true}],
                "top_usernames":[{"username":"alice","failures":12,"credential_id":null,"under_attack":false}],
                "bans":[{"source":"127.0.0.30","banned_at":"2026-12-01T10:00:00Z","until":"2026-12-01T10:10:00Z","seconds_left":590,"failures":11}]}"#,
        )
        .unwrap();
        assert_eq!((s.settings.ban_seconds, s.bans[0].seconds_left), (600, 590));
        let r = Registrations::parse(
            r#"{"registrations":[{"aor":"alice@r","username":"alice","contact":"sip:alice@192.0.2.1:5060","source":"192.0.2.1","port":5060,"transport":"udp","user_agent":"SIPp","expires_in":3599,"registered_since":null,"last_refresh":"2026-12-01T10:00:00Z","node":"unix:/run/k.sock"}],"unreachable":[]}"#,
        )
        .unwrap();
        assert_eq!(r.registrations[0].expires_in, 3599);
        assert!(!r.truncated && r.unreachable.is_empty());
        let f = FailurePage::parse(
            r#"{"failures":[{"at":"2026-12-01T10:00:00Z","source":"127.0.0.30","username":"alice","entry":"r","reason":"wrong password","count":4}],"total":1,"page":0,"page_size":50}"#,
        )
        .unwrap();
        assert_eq!((f.total, f.failures[0].count), (1, 4));
        let u = Unbanned::parse(
            r#"{"source":"127.0.0.30","nodes":[{"node":"a","lifted":true},{"node":"b","lifted":false,"error":"timeout"}]}"#,
        )
        .unwrap();
        assert_eq!(u.nodes[1].error.as_deref(), Some("timeout"));
        // Not the shape asked for: an error, not an empty list.
        assert!(SipCredentials::parse(r#"{"objects":[]}"#).is_err());
        assert!(Security::parse("<html>").is_err());
    }

    #[test]
    fn a_failure_filter_survives_the_url() {
        let full = FailureFilter {
            source: "2001:db8::1".into(),
            username: "al ice&co".into(),
            page: 3,
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&full.query_string()).unwrap();
        let back =
            FailureFilter::read(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()));
        assert_eq!(back, full);
        let none = FailureFilter::read(|_| None);
        assert_eq!((none.page, none.query_string()), (1, String::new()));
        assert!(!none.narrows());
        assert_eq!(
            full.describe(),
            "source \u{201c}2001:db8::1\u{201d} and username \u{201c}al ice&co\u{201d}"
        );
    }
}
