//! Who may do what: the operator's role and accounts in the session, the
//! operators (admin only) and each account's API keys (admin only).

use super::{Api, ApiError};
use gloo_net::http::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An operator's (or an API key's) role.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything it may see, changes nothing.
    Viewer,
    /// Creates, changes and deletes SIP resources.
    Editor,
    /// Everything, operators and API keys included. The default: a
    /// session without a role is one where something in front of the
    /// console guards the API (`sign_in: false`).
    #[default]
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// "Admin", as a table or a select shows it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Editor => "Editor",
            Role::Admin => "Admin",
        }
    }

    /// What the role may do, in a sentence.
    pub fn explained(self) -> &'static str {
        match self {
            Role::Viewer => "reads everything in its accounts, changes nothing",
            Role::Editor => "creates, changes and deletes SIP resources in its accounts",
            Role::Admin => "everything, including operators and API keys",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn may_write(self) -> bool {
        self != Role::Viewer
    }
}

/// An account the operator may use, as the session lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct AccountRef {
    pub auth_id: String,
    /// Unknown in proxy mode (null): then empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub realm: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// An operator as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct Operator {
    pub username: String,
    pub role: Role,
    /// The auth_ids it may use; `None`: every account.
    pub accounts: Option<Vec<String>>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_sign_in_at: Option<String>,
}

/// An operator to add; without a password the server makes a one-time one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewOperator {
    pub username: String,
    pub role: Role,
    pub accounts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// What an edit changes; what is `None` stays.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OperatorChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `Some(None)`: every account (sent as null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

#[derive(Deserialize)]
struct Operators {
    operators: Vec<Operator>,
}

#[derive(Deserialize)]
struct OneOperator {
    operator: Operator,
}

/// An added operator, and the one-time password the server made if none
/// was typed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AddedOperator {
    pub operator: Operator,
    pub password: Option<String>,
}

#[derive(Deserialize)]
struct NewPassword {
    password: Option<String>,
}

/// An account's API key (its secret is never listed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_used_at: Option<String>,
}

#[derive(Deserialize)]
struct ApiKeys {
    api_keys: Vec<ApiKey>,
}

/// A new key and its secret, shown once.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    pub secret: String,
}

impl Api {
    fn operator_url(&self, username: &str) -> String {
        let name = js_sys::encode_uri_component(username);
        self.url(&format!("/console/operators/{name}"))
    }

    fn api_keys_url(&self, rest: &str) -> String {
        self.url(&format!(
            "/console/accounts/{}/api-keys{rest}",
            js_sys::encode_uri_component(&self.account)
        ))
    }

    pub async fn operators(&self) -> Result<Vec<Operator>, ApiError> {
        let list: Operators = self.get(&self.url("/console/operators"), &[]).await?;
        Ok(list.operators)
    }

    pub async fn add_operator(&self, new: &NewOperator) -> Result<AddedOperator, ApiError> {
        self.post(&self.url("/console/operators"), new).await
    }

    pub async fn change_operator(
        &self,
        username: &str,
        change: &OperatorChange,
    ) -> Result<Operator, ApiError> {
        let one: OneOperator = self
            .write(Method::PATCH, &self.operator_url(username), change)
            .await?;
        Ok(one.operator)
    }

    /// Sets the password typed, or (`None`) one the server makes and
    /// answers once; the operator's sessions end either way.
    pub async fn reset_operator_password(
        &self,
        username: &str,
        password: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        let body = match password {
            Some(p) => json!({ "password": p }),
            None => json!({}),
        };
        let url = format!("{}/password", self.operator_url(username));
        let answer: NewPassword = self.post(&url, &body).await?;
        Ok(answer.password)
    }

    pub async fn delete_operator(&self, username: &str) -> Result<(), ApiError> {
        self.delete(&self.operator_url(username)).await
    }

    /// The API keys of the account the client is for.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, ApiError> {
        let list: ApiKeys = self.get(&self.api_keys_url(""), &[]).await?;
        Ok(list.api_keys)
    }

    pub async fn create_api_key(&self, name: &str, role: Role) -> Result<CreatedApiKey, ApiError> {
        self.post(
            &self.api_keys_url(""),
            &json!({ "name": name, "role": role }),
        )
        .await
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<(), ApiError> {
        let id = js_sys::encode_uri_component(id);
        self.delete(&self.api_keys_url(&format!("/{id}"))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn an_edit_sends_only_what_changes_and_null_for_every_account() {
        let all = OperatorChange {
            accounts: Some(None),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&all).unwrap(), r#"{"accounts":null}"#);
        let some = OperatorChange {
            role: Some(Role::Viewer),
            accounts: Some(Some(vec!["MA1".into()])),
            disabled: None,
        };
        assert_eq!(
            serde_json::to_string(&some).unwrap(),
            r#"{"role":"viewer","accounts":["MA1"]}"#
        );
        let new = NewOperator {
            username: "bob".into(),
            role: Role::Editor,
            accounts: None,
            password: None,
        };
        assert_eq!(
            serde_json::to_string(&new).unwrap(),
            r#"{"username":"bob","role":"editor","accounts":null}"#
        );
    }

    #[test]
    fn a_session_without_a_role_is_an_admins_and_a_null_realm_is_empty() {
        let old: crate::api::Session =
            serde_json::from_str(r#"{"operator": "a", "csrf_token": "t"}"#).unwrap();
        assert_eq!(old.role, Role::Admin);
        assert!(old.accounts.is_empty());
        let proxied: crate::api::Session = serde_json::from_str(
            r#"{"operator": "a", "csrf_token": "t", "role": "viewer", "all_accounts": true,
                "accounts": [{"auth_id": "MA1", "realm": null}]}"#,
        )
        .unwrap();
        assert_eq!(proxied.role, Role::Viewer);
        assert_eq!(proxied.accounts[0].realm, "");
    }

    #[test]
    fn only_viewers_may_not_write() {
        assert!(Role::Admin.may_write() && Role::Editor.may_write());
        assert!(!Role::Viewer.may_write());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
