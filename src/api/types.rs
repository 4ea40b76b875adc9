//! The resources as the plivo dialect sends them.

use serde::{Deserialize, Serialize};

/// Runtime configuration, fetched from `/config.json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Config {
    /// Prefix of the API (the proxy), "" for the same origin.
    #[serde(default)]
    pub api_base: String,
    #[serde(default = "default_dialect")]
    pub dialect: String,
    /// The account (auth_id) whose resources the console manages.
    pub account: Option<String>,
}

fn default_dialect() -> String {
    "plivo".into()
}

/// A signed-in operator and the CSRF token that must accompany writes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    pub operator: String,
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Meta {
    pub limit: u32,
    pub offset: u32,
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
    #[serde(alias = "ip_acl_uuid", alias = "entry_id", alias = "app_id")]
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Credential {
    pub credential_uuid: String,
    pub username: String,
    pub realm: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewCredential {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Acl {
    pub ip_acl_uuid: String,
    pub name: String,
    #[serde(default)]
    pub entries: Vec<Entry>,
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
    /// The entry as the model sees it (the server only stores valid ones).
    pub fn model(&self) -> Option<sipauth_model::IpEntry> {
        sipauth_model::IpEntry::parse(&self.ip, Some(i64::from(self.cidr_prefix))).ok()
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
    match kind {
        "credential" => "Credential",
        "ip_acl" => "IP ACL",
        "credential_and_ip_acl" => "Credential and IP ACL",
        _ => "None",
    }
}

/// What an application keeps when `resource` (a credential or an ACL) is
/// taken away from it: the other half, or nothing.
pub fn auth_type_without(kind: &str, removing_credential: bool) -> &'static str {
    match (kind, removing_credential) {
        ("credential_and_ip_acl", true) => "ip_acl",
        ("credential_and_ip_acl", false) => "credential",
        _ => "",
    }
}
