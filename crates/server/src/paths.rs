//! Typed path parameters: one struct per route shape. Routes are declared
//! once, without a trailing slash; `app` trims one before routing.

use serde::Deserialize;

/// The account a route acts for (`{auth_id}`, or twilio's `{account_sid}`).
#[derive(Debug, Deserialize)]
pub struct AccountPath {
    #[serde(alias = "account_sid")]
    pub auth_id: String,
}

/// `…/{id}`: one resource.
#[derive(Debug, Deserialize)]
pub struct ById {
    pub id: String,
}

/// `…/IpAccessControlList/{id}/Entry/{entry_id}`.
#[derive(Debug, Deserialize)]
pub struct EntryPath {
    pub id: String,
    pub entry_id: String,
}

/// Twilio's `…/{parent}` and `…/{parent}/…/{child}`; each segment is a SID,
/// with `.json` where Twilio's paths end in it.
#[derive(Debug, Deserialize)]
pub struct Parent {
    #[serde(alias = "list", alias = "acl", alias = "domain")]
    pub parent: String,
}

#[derive(Debug, Deserialize)]
pub struct Child {
    #[serde(alias = "list", alias = "acl", alias = "domain")]
    pub parent: String,
    #[serde(alias = "credential", alias = "address", alias = "mapping")]
    pub child: String,
}
