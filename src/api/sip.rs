//! What the SIP side sees (issue 18; only with `config.sip_insight`): each
//! credential's last successful authentication and registrations, the
//! account's failed authentications and bans, and lifting a ban. Operator
//! routes under `/console/accounts/{auth_id}/sip/`.

use super::{parse, Api, ApiError};
use gloo_net::http::Method;
use serde::Deserialize;

/// A credential's last successful authentication (REGISTER or INVITE).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct LastSeen {
    /// RFC 3339, UTC.
    pub at: String,
    pub source: String,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default)]
    pub transport: String,
    #[serde(default)]
    pub method: String,
}

/// What the SIP side knows of one credential.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct SipCredential {
    /// The credential's id as the dialect's API shows it.
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub last_seen: Option<LastSeen>,
    /// Current registrations; `None` where no entry point lets the
    /// credential register.
    #[serde(default)]
    pub registrations: Option<u32>,
    /// Flagged after too many failures within the last 24 hours.
    #[serde(default)]
    pub under_attack: bool,
}

/// Every credential of the account, and after how many days unused one is
/// stale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SipCredentials {
    pub credentials: Vec<SipCredential>,
    #[serde(default = "ninety")]
    pub stale_days: u32,
}

fn ninety() -> u32 {
    90
}

impl SipCredentials {
    /// The credential whose id is `id`.
    pub fn of(&self, id: &str) -> Option<&SipCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

/// One contact registered for an address of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub aor: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default)]
    pub transport: String,
    #[serde(default)]
    pub user_agent: String,
    /// Seconds.
    #[serde(default)]
    pub expires_in: i64,
    /// The first REGISTER of this Call-ID the server saw; unknown after a
    /// restart.
    #[serde(default)]
    pub registered_since: Option<String>,
    #[serde(default)]
    pub last_refresh: Option<String>,
    #[serde(default)]
    pub node: String,
}

/// The registrations of a credential or a domain, and the Kamailio nodes
/// that did not answer (their registrations are missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Registrations {
    pub registrations: Vec<Registration>,
    #[serde(default)]
    pub unreachable: Vec<String>,
}

/// Whose registrations: a credential's (by id) or a Twilio domain's (SID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    Credential(String),
    Domain(String),
}

/// When a source is banned, and when a username is flagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct BanSettings {
    pub ban_failures: u32,
    /// Seconds.
    pub ban_window: u32,
    /// Seconds.
    pub ban_seconds: u32,
    pub user_failures: u32,
}

/// Failed authentications in one hour (`hour`: its start, RFC 3339).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct HourCount {
    pub hour: String,
    pub failures: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct TopSource {
    pub source: String,
    pub failures: u64,
    #[serde(default)]
    pub banned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct TopUsername {
    pub username: String,
    pub failures: u64,
    /// The credential with this username, if there is one.
    #[serde(default)]
    pub credential_id: Option<String>,
    #[serde(default)]
    pub under_attack: bool,
}

/// A current ban of a source at this account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Ban {
    pub source: String,
    #[serde(default)]
    pub banned_at: String,
    #[serde(default)]
    pub until: String,
    /// When the answer was made.
    pub seconds_left: i64,
    #[serde(default)]
    pub failures: u64,
}

/// The Security page's summary of the last 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Security {
    #[serde(default)]
    pub settings: BanSettings,
    /// 24 hours, oldest first; the last is the current hour.
    #[serde(default)]
    pub hourly: Vec<HourCount>,
    #[serde(default)]
    pub top_sources: Vec<TopSource>,
    #[serde(default)]
    pub top_usernames: Vec<TopUsername>,
    #[serde(default)]
    pub bans: Vec<Ban>,
}

/// One row of failed authentications (grouped by minute, source, username,
/// entry point and reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Failure {
    pub at: String,
    pub source: String,
    pub username: String,
    /// `$rU@domain` for an app or trunk, else the domain.
    #[serde(default)]
    pub entry: String,
    /// "wrong password" or "unknown user".
    pub reason: String,
    pub count: u64,
}

/// A page of failures, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Unbanned {
    pub source: String,
    #[serde(default)]
    pub nodes: Vec<NodeOutcome>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NodeOutcome {
    pub node: String,
    pub lifted: bool,
    #[serde(default)]
    pub error: Option<String>,
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
        parse(&self.get_text(&self.sip_url("credentials"), &[]).await?)
    }

    /// The current registrations of a credential or a Twilio domain.
    pub async fn sip_registrations(&self, of: &Registered) -> Result<Registrations, ApiError> {
        let query = match of {
            Registered::Credential(id) => [("credential", id.clone())],
            Registered::Domain(sid) => [("domain", sid.clone())],
        };
        parse(
            &self
                .get_text(&self.sip_url("registrations"), &query)
                .await?,
        )
    }

    /// Failures per hour, top sources and usernames, current bans.
    pub async fn sip_security(&self) -> Result<Security, ApiError> {
        parse(&self.get_text(&self.sip_url("security"), &[]).await?)
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
        parse(&self.get_text(&self.sip_url("failures"), &query).await?)
    }

    /// Lifts the ban of `source` on every Kamailio node (editor).
    pub async fn unban(&self, source: &str) -> Result<Unbanned, ApiError> {
        let url = self.sip_url(&format!("bans/{}", js_sys::encode_uri_component(source)));
        parse(&self.text(Method::DELETE, &url, &[], None).await?)
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
        let c: SipCredentials = serde_json::from_str(
            r#"{"credentials":[
                {"id":"c1","username":"alice","last_seen":{"at":"2026-12-01T10:00:00Z","source":"192.0.2.1","port":5060,"transport":"udp","method":"REGISTER"},"registrations":2,"under_attack":false},
                {"id":"c2","username":"bob","last_seen":null,"registrations":null,"under_attack":true}],
                "stale_days":90}"#,
        )
        .unwrap();
        assert_eq!(c.of("c1").unwrap().registrations, Some(2));
        assert_eq!(c.of("c2").unwrap().last_seen, None);
        assert!(c.of("c2").unwrap().under_attack);
        let s: Security = serde_json::from_str(
            r#"{"settings":{"ban_failures":10,"ban_window":60,"ban_seconds":600,"user_failures":20},
                "hourly":[{"hour":"2026-12-01T10:00:00Z","failures":3}],
                "top_sources":[{"source":"127.0.0.30","failures":12,"banned":true}],
                "top_usernames":[{"username":"alice","failures":12,"credential_id":null,"under_attack":false}],
                "bans":[{"source":"127.0.0.30","banned_at":"2026-12-01T10:00:00Z","until":"2026-12-01T10:10:00Z","seconds_left":590,"failures":11}]}"#,
        )
        .unwrap();
        assert_eq!((s.settings.ban_seconds, s.bans[0].seconds_left), (600, 590));
        let r: Registrations = serde_json::from_str(
            r#"{"registrations":[{"aor":"alice@r","username":"alice","contact":"sip:alice@192.0.2.1:5060","source":"192.0.2.1","port":5060,"transport":"udp","user_agent":"SIPp","expires_in":3599,"registered_since":null,"last_refresh":"2026-12-01T10:00:00Z","node":"unix:/run/k.sock"}],"unreachable":[]}"#,
        )
        .unwrap();
        assert_eq!(r.registrations[0].expires_in, 3599);
        let f: FailurePage = serde_json::from_str(
            r#"{"failures":[{"at":"2026-12-01T10:00:00Z","source":"127.0.0.30","username":"alice","entry":"r","reason":"wrong password","count":4}],"total":1,"page":0,"page_size":50}"#,
        )
        .unwrap();
        assert_eq!(f.total, 1);
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
