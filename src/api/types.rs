//! The resources as the plivo dialect sends them.

use serde::{Deserialize, Serialize};
use sipauth_model::sip::SipAuthType;
use sipauth_model::Dialect;

/// Runtime configuration, fetched from `/config.json`: the same `dist/`
/// runs in every hosting mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Prefix of the API (the proxy), "" for the same origin.
    pub api_base: String,
    pub dialect: Dialect,
    /// The account (auth_id) whose resources the console manages.
    pub account: String,
    /// Shown in the header and the tab.
    pub title: String,
    /// False when something in front of the console (nginx, SSO) guards
    /// the API and the server has no operator sign-in.
    pub sign_in: bool,
    /// The account's SIP realm, under which its SIP names live (twilio
    /// domain names end with it); unknown in proxy mode.
    pub sip_realm: Option<String>,
    /// The server answers the export routes (`sipauth serve`, not proxy
    /// mode, nor a provider's own API).
    pub exports: bool,
    /// The server keeps the account's API keys (not in proxy mode: the
    /// provider's account is not in the local store).
    pub api_keys: bool,
    /// The server reads what Kamailio sees (`--kamailio-rpc`): last seen,
    /// registrations, failed authentications and bans. Never in proxy mode.
    pub sip_insight: bool,
}

impl Config {
    /// Reads `config.json`, naming the key that is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("config.json is not valid JSON: {e}."))?;
        let serde_json::Value::Object(map) = value else {
            return Err(
                "config.json must be a JSON object with api_base, dialect and account.".into(),
            );
        };
        let string = |key: &str, what: &str| -> Result<Option<String>, String> {
            match map.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(format!(
                    "config.json: \"{key}\" must be a string ({what}), not {other}."
                )),
            }
        };
        let api_base =
            string("api_base", "the API's prefix, \"\" for this origin")?.unwrap_or_default();
        if !(api_base.is_empty()
            || api_base.starts_with('/')
            || api_base.starts_with("http://")
            || api_base.starts_with("https://"))
        {
            return Err(format!(
                "config.json: \"api_base\" must be \"\", a path starting with / or an http(s) URL, not \"{api_base}\"."
            ));
        }
        let dialect = string("dialect", "the provider API")?.unwrap_or_else(|| "plivo".into());
        let dialect: Dialect = dialect.parse().map_err(|_| {
            format!(
                "config.json: \"dialect\" must be one of {}, not \"{dialect}\".",
                Dialect::ALL.map(|d| format!("\"{d}\"")).join(", ")
            )
        })?;
        let account = string("account", "the account's auth_id")?
            .filter(|a| !a.trim().is_empty())
            .ok_or("config.json: \"account\" is missing: set it to the auth_id of the account to manage.")?;
        let title = string("title", "the console's name")?
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "SIP auth console".into());
        let sign_in = match map.get("sign_in") {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "config.json: \"sign_in\" must be true or false (whether the server asks operators to sign in), not {other}."
                ))
            }
        };
        let sip_realm =
            string("sip_realm", "the account's SIP realm")?.filter(|r| !r.trim().is_empty());
        Ok(Self {
            api_base,
            dialect,
            account,
            title,
            sign_in,
            sip_realm,
            exports: map.get("exports") == Some(&serde_json::Value::Bool(true)),
            api_keys: map.get("api_keys") == Some(&serde_json::Value::Bool(true)),
            sip_insight: map.get("sip_insight") == Some(&serde_json::Value::Bool(true)),
        })
    }
}

/// A signed-in operator, the CSRF token that must accompany writes, its
/// role and the accounts it may use.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Session {
    pub operator: String,
    pub csrf_token: String,
    #[serde(default)]
    pub role: super::Role,
    /// Whether it may use every account (new ones too).
    #[serde(default)]
    pub all_accounts: bool,
    /// Every account it may use, oldest first; empty where the server does
    /// not say (then the configured account is the one).
    #[serde(default)]
    pub accounts: Vec<super::AccountRef>,
}

/// Whether the SIP server (Kamailio) enforces every IP ACL change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SipServerStatus {
    pub configured: bool,
    pub changes: u64,
    pub picked_up: bool,
    pub error: Option<String>,
    /// Each Kamailio node: "enforced", or "pending" and why.
    #[serde(default)]
    pub nodes: Vec<SipNode>,
}

/// One Kamailio node's state in [`SipServerStatus`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SipNode {
    pub node: String,
    pub state: String,
    pub why: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Meta {
    pub limit: u32,
    pub offset: u32,
    /// `total` in the vobiz dialect.
    #[serde(alias = "total")]
    pub total_count: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    pub meta: Meta,
    pub objects: Vec<T>,
}

/// What a create answers: the new id under its resource's name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Created {
    #[serde(
        alias = "ip_acl_uuid",
        alias = "entry_id",
        alias = "app_id",
        alias = "sid",
        alias = "credential_uuid"
    )]
    pub id: String,
}

/// A credential as every dialect sends it (`id` in vobiz, `sid` in
/// twilio); what a dialect does not have is left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Credential {
    #[serde(alias = "id", alias = "sid")]
    pub credential_uuid: String,
    pub username: String,
    /// Plivo and vobiz say; zentrunk and twilio do not.
    #[serde(default)]
    pub realm: String,
    /// Zentrunk's label for the credential.
    #[serde(default)]
    pub name: Option<String>,
    /// Vobiz: a disabled credential is kept but cannot authenticate.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Vobiz's note.
    #[serde(default)]
    pub description: Option<String>,
    /// Vobiz: where a credential made through vobiz registers and calls
    /// (account-wide, assigned nowhere); none for one another API made.
    #[serde(default)]
    pub sip_uri: Option<String>,
    /// When it was made and last changed, where the API says (vobiz's ISO
    /// 8601 `created_at`, twilio's RFC 2822 `date_created`).
    #[serde(default, alias = "date_created")]
    pub created_at: Option<String>,
    #[serde(default, alias = "date_updated")]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct NewCredential {
    pub username: String,
    pub password: String,
    /// Zentrunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Vobiz.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Acl {
    pub ip_acl_uuid: String,
    pub name: String,
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// When it was made and last changed (twilio says; plivo does not).
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Entry {
    pub entry_id: String,
    pub ip: String,
    pub cidr_prefix: u8,
    #[serde(default)]
    pub description: String,
}

impl Entry {
    /// The entry as the model sees it (the server only stores valid ones;
    /// `read`, so rows older than a rule for new entries still count).
    pub fn model(&self) -> Option<sipauth_model::IpEntry> {
        sipauth_model::IpEntry::read(&self.ip, Some(i64::from(self.cidr_prefix))).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEntry {
    pub ip: String,
    pub cidr_prefix: u8,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Application {
    pub app_id: String,
    pub app_name: String,
    #[serde(default)]
    pub answer_url: String,
    #[serde(default)]
    pub sip_auth_type: String,
    pub credential_uuid: Option<String>,
    pub ip_acl_uuid: Option<String>,
    /// The address calls to this application are sent to.
    #[serde(default)]
    pub sip_uri: Option<String>,
}

/// Create or update an application; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplicationInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip_auth_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_acl_uuid: Option<String>,
}

/// What `sip_auth_type` means, in words.
pub fn auth_type_label(kind: &str) -> &'static str {
    SipAuthType::parse(kind).map_or("None", SipAuthType::label)
}

/// What an application keeps when `resource` (a credential or an ACL) is
/// taken away from it: the other half, or nothing.
pub fn auth_type_without(kind: &str, removing_credential: bool) -> &'static str {
    SipAuthType::parse(kind)
        .map_or(SipAuthType::None, |t| t.without(removing_credential))
        .as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn with(extra: &str) -> Result<Config, String> {
        Config::parse(&format!(r#"{{"account": "MA1"{extra}}}"#))
    }

    #[test]
    fn the_api_is_this_origin_a_path_or_an_http_url() {
        for base in [
            "",
            "/api",
            "http://10.0.0.2:8080",
            "https://api.example.com/v2",
        ] {
            let config = with(&format!(r#", "api_base": "{base}""#)).unwrap();
            assert_eq!(config.api_base, base);
        }
        for base in ["ftp://example.com", "api.example.com/v2"] {
            let e = with(&format!(r#", "api_base": "{base}""#)).unwrap_err();
            assert!(e.contains(base), "{e}");
        }
    }

    #[test]
    fn every_dialect_is_named_as_the_model_spells_it() {
        for dialect in Dialect::ALL {
            let config = with(&format!(r#", "dialect": "{dialect}""#)).unwrap();
            assert_eq!(config.dialect, dialect);
        }
        assert!(
            with(r#", "dialect": "Plivo""#).is_err(),
            "names are lowercase"
        );
    }

    #[test]
    fn exports_are_offered_only_when_the_server_says_it_answers_them() {
        assert!(with(r#", "exports": true"#).unwrap().exports);
        assert!(with(r#", "api_keys": true"#).unwrap().api_keys);
        assert!(!with("").unwrap().api_keys);
        assert!(with(r#", "sip_insight": true"#).unwrap().sip_insight);
        assert!(!with(r#", "sip_insight": "yes""#).unwrap().sip_insight);
        assert!(!with("").unwrap().sip_insight);
        for absent in ["", r#", "exports": false"#, r#", "exports": "yes""#] {
            assert!(!with(absent).unwrap().exports, "{absent}");
        }
    }

    #[test]
    fn blank_texts_count_as_left_out() {
        let config = with(r#", "title": "  ", "sip_realm": "", "sign_in": null"#).unwrap();
        assert_eq!(config.title, "SIP auth console");
        assert_eq!(config.sip_realm, None);
        assert!(config.sign_in);
        let e = Config::parse(r#"{"account": "   "}"#).unwrap_err();
        assert!(e.contains("\"account\" is missing"), "{e}");
    }

    #[test]
    fn taking_a_credential_away_keeps_the_acl_half() {
        assert_eq!(auth_type_without("credential_and_ip_acl", true), "ip_acl");
        assert_eq!(
            auth_type_without("credential_and_ip_acl", false),
            "credential"
        );
        assert_eq!(auth_type_without("credential", true), "");
        assert_eq!(auth_type_without("nonsense", true), "");
    }
}
