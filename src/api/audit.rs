//! The audit log (`GET /console/audit`): who changed what, paged and
//! filtered, and its CSV and NDJSON downloads.

use super::{parse, Api, ApiError};
use gloo_net::http::Method;
use serde_json::Value;

/// One record of the log, as the server sends it. Read from a JSON value
/// by hand rather than derived: the derive's code for its fields cost more
/// wasm than these few lines.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    /// `operator:alice`, `api-key:SK…`, `api-token`, `cli`.
    pub actor: String,
    pub role: Option<String>,
    pub source: Option<String>,
    pub user_agent: Option<String>,
    pub dialect: Option<String>,
    pub account: Option<String>,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub name: Option<String>,
    /// What changed, field by field, in field order; a password only says
    /// "changed".
    pub changes: Vec<(String, Change)>,
    /// One id shared by every line of an import.
    pub batch: Option<String>,
}

/// A field's value before and after a change (absent or null: none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Change {
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A page of records, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

/// What the Activity page and a history ask for; the same names in the
/// page's URL and in the request, so a filter reads alike in both. Empty
/// fields filter nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub resource_id: String,
    /// A resource's history: its records and those of what it holds (an
    /// ACL's entries, a list's credentials, a domain's mappings).
    pub within: String,
    pub account: String,
    /// `YYYY-MM-DD`, as an `<input type=date>` gives it.
    pub from: String,
    pub to: String,
    /// From 1.
    pub page: u32,
}

/// The actions the server records (the contract's list).
pub const ACTIONS: &[&str] = &[
    "created",
    "changed",
    "deleted",
    "signed-in",
    "sign-in-failed",
    "signed-out",
    "exported",
    "reloaded",
    "reload-failed",
    "revoked",
    "password-reset",
    // Issue 18: a ban lifted from the Security page.
    "unban",
];

/// The resources the server records, with their words.
pub const RESOURCES: &[(&str, &str)] = &[
    ("credential", "Credential"),
    ("credential-list", "Credential list"),
    ("ip-acl", "IP ACL"),
    ("ip-acl-entry", "IP ACL entry"),
    ("application", "Application"),
    ("trunk", "Trunk"),
    ("domain", "Domain"),
    ("mapping", "Domain mapping"),
    ("operator", "Operator"),
    ("api-key", "API key"),
    ("session", "Session"),
    ("kamailio", "SIP server"),
    ("export", "Export"),
    // The CLI's `account create` (an addition to the contract's list).
    ("account", "Account"),
    // Issue 18: a source banned after failed SIP authentications.
    ("ban", "Ban"),
];

/// A resource type in words ("ip-acl" → "IP ACL"); unknown ones as sent.
pub fn resource_words(resource: &str) -> &str {
    RESOURCES
        .iter()
        .find(|(key, _)| *key == resource)
        .map_or(resource, |(_, words)| words)
}

impl AuditRecord {
    /// A record from the server's JSON; `None` without its required fields.
    pub fn read(v: &Value) -> Option<Self> {
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        let value = |change: &Value, key: &str| change.get(key).filter(|v| !v.is_null()).cloned();
        let changes = v
            .get("changes")
            .and_then(Value::as_object)
            .map(|fields| {
                fields
                    .iter()
                    .map(|(field, change)| {
                        let change = Change {
                            before: value(change, "before"),
                            after: value(change, "after"),
                        };
                        (field.clone(), change)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(AuditRecord {
            seq: v.get("seq")?.as_i64()?,
            at: text("at")?,
            actor: text("actor")?,
            role: text("role"),
            source: text("source"),
            user_agent: text("user_agent"),
            dialect: text("dialect"),
            account: text("account"),
            action: text("action")?,
            resource: text("resource")?,
            resource_id: text("resource_id"),
            name: text("name"),
            changes,
            batch: text("batch"),
        })
    }

    /// [`AuditRecord::read`] from JSON text.
    pub fn parse(text: &str) -> Option<Self> {
        Self::read(&serde_json::from_str(text).ok()?)
    }
}

impl AuditPage {
    fn read(v: &Value) -> Option<Self> {
        let number = |key: &str| v.get(key).and_then(Value::as_u64);
        Some(AuditPage {
            records: v
                .get("records")?
                .as_array()?
                .iter()
                .map(AuditRecord::read)
                .collect::<Option<_>>()?,
            total: number("total")?,
            page: number("page")? as u32,
            page_size: number("page_size")? as u32,
        })
    }
}

impl AuditFilter {
    /// The filter a query string's parameters hold (`get` reads one).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |key: &str| get(key).map(|v| v.trim().to_string()).unwrap_or_default();
        AuditFilter {
            actor: text("actor"),
            action: text("action"),
            resource: text("resource"),
            resource_id: text("resource_id"),
            within: text("within"),
            account: text("account"),
            from: text("from"),
            to: text("to"),
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    /// The parameters that filter something, in a fixed order (page 1 is
    /// left out, as on the other lists).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("resource", &self.resource),
            ("resource_id", &self.resource_id),
            ("within", &self.within),
            ("account", &self.account),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        out
    }

    /// The query string (without `?`) that [`AuditFilter::read`] reads back.
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self.pairs()).unwrap_or_default()
    }

    /// A parameter's value by its name ("" for an unknown one).
    pub fn param(&self, key: &str) -> &str {
        match key {
            "actor" => &self.actor,
            "action" => &self.action,
            "resource" => &self.resource,
            "resource_id" => &self.resource_id,
            "within" => &self.within,
            "account" => &self.account,
            "from" => &self.from,
            "to" => &self.to,
            _ => "",
        }
    }

    /// Whether anything but the page narrows the log.
    pub fn narrows(&self) -> bool {
        self.pairs().iter().any(|(k, _)| *k != "page")
    }

    /// What the filter keeps, in words, for the empty state: "actor
    /// “alice”, action changed, from 2026-01-01".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.actor.is_empty() {
            parts.push(format!("actor \u{201c}{}\u{201d}", self.actor));
        }
        if !self.action.is_empty() {
            parts.push(format!("action {}", self.action));
        }
        if !self.resource.is_empty() {
            parts.push(format!("resource {}", resource_words(&self.resource)));
        }
        if !self.within.is_empty() {
            parts.push(format!("the history of {}", self.within));
        }
        if !self.account.is_empty() {
            parts.push(format!("account {}", self.account));
        }
        if !self.from.is_empty() {
            parts.push(format!("from {}", self.from));
        }
        if !self.to.is_empty() {
            parts.push(format!("to {}", self.to));
        }
        parts.join(", ")
    }
}

/// A download of the log: its contents and the file name the server gave.
pub struct Download {
    pub blob: web_sys::Blob,
    pub filename: String,
}

impl Api {
    /// One page of the records `filter` keeps, newest first.
    pub async fn audit(&self, filter: &AuditFilter, page_size: u32) -> Result<AuditPage, ApiError> {
        let mut query = filter.pairs();
        if filter.page <= 1 {
            query.push(("page", "1".into()));
        }
        query.push(("page_size", page_size.to_string()));
        let value: Value = parse(
            &self
                .text(Method::GET, &self.url("/console/audit"), &query, None)
                .await?,
        )?;
        AuditPage::read(&value)
            .ok_or_else(|| ApiError::Server("unexpected answer: not a page of records".into()))
    }

    /// Every record `filter` keeps (its page aside) as `format` (`csv` or
    /// `ndjson`). Fetched with the console's headers, so an ended session
    /// is an error on the page, never the browser's sign-in prompt.
    pub async fn audit_download(
        &self,
        filter: &AuditFilter,
        format: &str,
    ) -> Result<Download, ApiError> {
        let mut query: Vec<_> = filter
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != "page")
            .collect();
        query.push(("format", format.to_string()));
        let url = self.url("/console/audit");
        let response = self.send(Method::GET, &url, &query, None).await?;
        if !response.ok() {
            return Err(ApiError::from_response(response).await);
        }
        let filename = response
            .headers()
            .get("content-disposition")
            .and_then(|d| {
                let (_, name) = d.split_once("filename=")?;
                Some(name.trim_matches(['"', ' ', ';']).to_string())
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("audit.{format}"));
        let promise = web_sys::Response::from(response)
            .blob()
            .map_err(|_| ApiError::Server("the download could not be read".into()))?;
        let blob = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| ApiError::Network("the download was interrupted".into()))?;
        Ok(Download {
            blob: wasm_bindgen::JsCast::unchecked_into(blob),
            filename,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn round_trip(filter: &AuditFilter) -> AuditFilter {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&filter.query_string()).unwrap();
        AuditFilter::read(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn a_filter_survives_the_url() {
        let full = AuditFilter {
            actor: "operator:al ice&co".into(),
            action: "changed".into(),
            resource: "ip-acl".into(),
            resource_id: "abc-1".into(),
            within: "acl-9".into(),
            account: "MA123".into(),
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            page: 3,
        };
        assert_eq!(round_trip(&full), full);
        let none = AuditFilter {
            page: 1,
            ..Default::default()
        };
        assert_eq!(none.query_string(), "");
        assert_eq!(round_trip(&none), none);
        assert!(!none.narrows());
        assert!(full.narrows());
    }

    #[test]
    fn a_bad_page_is_the_first_and_values_are_trimmed() {
        for page in ["0", "-2", "x", ""] {
            let f = AuditFilter::read(|k| match k {
                "page" => Some(page.to_string()),
                "actor" => Some("  cli ".to_string()),
                _ => None,
            });
            assert_eq!((f.page, f.actor.as_str()), (1, "cli"), "{page}");
        }
    }

    #[test]
    fn an_unban_is_worded_and_filterable() {
        assert_eq!(resource_words("ban"), "Ban");
        assert!(ACTIONS.contains(&"unban"));
    }

    #[test]
    fn the_filter_in_words() {
        let f = AuditFilter {
            actor: "operator:alice".into(),
            resource: "ip-acl".into(),
            from: "2026-01-01".into(),
            ..Default::default()
        };
        assert_eq!(
            f.describe(),
            "actor \u{201c}operator:alice\u{201d}, resource IP ACL, from 2026-01-01"
        );
    }

    #[test]
    fn a_record_reads_with_and_without_its_optional_parts() {
        let r = AuditRecord::parse(
            r#"{"seq":7,"at":"2026-12-01T10:00:00.000Z","actor":"operator:alice","role":"admin",
                "source":"127.0.0.1","user_agent":"UA","dialect":"plivo","account":"MA1",
                "action":"changed","resource":"credential","resource_id":"c1","name":"bob",
                "changes":{"password":{"after":"changed"},"name":{"before":"a","after":null}},
                "batch":null}"#,
        )
        .unwrap();
        // Fields in order; null reads as absent: both are shown as nothing.
        assert_eq!(
            r.changes,
            [
                (
                    "name".to_string(),
                    Change {
                        before: Some("a".into()),
                        after: None
                    }
                ),
                (
                    "password".to_string(),
                    Change {
                        before: None,
                        after: Some("changed".into())
                    }
                ),
            ]
        );
        assert_eq!((r.batch, r.seq), (None, 7));
        let bare = AuditRecord::parse(
            r#"{"seq":1,"at":"x","actor":"cli","action":"reloaded","resource":"kamailio"}"#,
        )
        .unwrap();
        assert_eq!((bare.changes, bare.account), (vec![], None));
        // Without a required field it is not a record.
        assert_eq!(AuditRecord::parse(r#"{"seq":1,"at":"x"}"#), None);
    }
}
