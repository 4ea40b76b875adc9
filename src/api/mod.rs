//! The REST client for the configured dialect. Only this module knows HTTP
//! and JSON; pages get typed values and [`ApiError`]s.

mod error;

pub use error::ApiError;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Runtime configuration, fetched from `config.json` beside `index.html`.
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
pub struct Credential {
    pub credential_uuid: String,
    pub username: String,
    pub realm: String,
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

#[derive(Debug, Clone, Serialize)]
pub struct NewCredential {
    pub username: String,
    pub password: String,
}

/// Page size of every list (the plivo maximum).
pub const PAGE_SIZE: u32 = 20;

pub async fn load_config() -> Result<Config, ApiError> {
    let response = Request::get("config.json").send().await?;
    read(response).await
}

/// The API client: where the API is, which account, and the session's CSRF
/// token. The session cookie itself is HttpOnly: this code never sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub base: String,
    pub account: String,
    pub csrf_token: Option<String>,
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }

    fn credentials_url(&self, rest: &str) -> String {
        self.url(&format!(
            "/v1/Account/{}/SipAuth/Credential/{rest}",
            self.account
        ))
    }

    /// Marks the request as the console's (no Basic-auth prompt) and adds
    /// the CSRF token.
    fn prepare(&self, builder: RequestBuilder) -> RequestBuilder {
        let builder = builder.header("X-Requested-With", "sipauth-console");
        match &self.csrf_token {
            Some(token) => builder.header("X-CSRF-Token", token),
            None => builder,
        }
    }

    pub async fn session(&self) -> Result<Option<Session>, ApiError> {
        let response = self
            .prepare(Request::get(&self.url("/console/session")))
            .send()
            .await?;
        match read(response).await {
            Ok(session) => Ok(Some(session)),
            Err(ApiError::Unauthorized) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Result<Session, ApiError> {
        let response = self
            .prepare(Request::post(&self.url("/console/session")))
            .json(&json!({ "username": username, "password": password }))?
            .send()
            .await?;
        if response.status() == 401 {
            return Err(ApiError::SignInFailed);
        }
        read(response).await
    }

    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let response = self
            .prepare(Request::delete(&self.url("/console/session")))
            .send()
            .await?;
        read_empty(response).await
    }

    pub async fn list_credentials(
        &self,
        search: &str,
        offset: u32,
    ) -> Result<Page<Credential>, ApiError> {
        let mut query = vec![
            ("limit", PAGE_SIZE.to_string()),
            ("offset", offset.to_string()),
        ];
        if !search.is_empty() {
            query.push(("username", search.to_string()));
        }
        let response = self
            .prepare(Request::get(&self.credentials_url("")).query(query))
            .send()
            .await?;
        read(response).await
    }

    pub async fn create_credential(&self, new: &NewCredential) -> Result<Credential, ApiError> {
        let response = self
            .prepare(Request::post(&self.credentials_url("")))
            .json(new)?
            .send()
            .await?;
        read(response).await
    }

    pub async fn change_password(&self, id: &str, password: &str) -> Result<(), ApiError> {
        let response = self
            .prepare(Request::post(&self.credentials_url(&format!("{id}/"))))
            .json(&json!({ "password": password }))?
            .send()
            .await?;
        read_empty(response).await
    }

    pub async fn delete_credential(&self, id: &str) -> Result<(), ApiError> {
        let response = self
            .prepare(Request::delete(&self.credentials_url(&format!("{id}/"))))
            .send()
            .await?;
        read_empty(response).await
    }
}

async fn read<T: for<'de> Deserialize<'de>>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        Ok(response.json().await?)
    } else {
        Err(ApiError::from_response(response).await)
    }
}

async fn read_empty(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        Err(ApiError::from_response(response).await)
    }
}
