//! Credentials in each dialect: the same four operations over four wire
//! formats. Twilio keeps credentials in credential lists, so its calls
//! name the list; the others ignore it.

use super::{Api, ApiError, Credential, NewCredential};
use gloo_net::http::Method;
use serde_json::json;
use sipauth_model::Dialect;

impl Api {
    /// The credentials collection (twilio: of the list `list`).
    fn credentials_url(&self, list: Option<&str>) -> String {
        match self.dialect {
            Dialect::Plivo => self.account_url("SipAuth/Credential/"),
            Dialect::Zentrunk => self.account_url("Zentrunk/Credential/"),
            Dialect::Vobiz => self.url(&format!("/api/v1/account/{}/credentials", self.account)),
            Dialect::Twilio => self.twilio_url(&format!(
                "CredentialLists/{}/Credentials",
                list.unwrap_or_default()
            )),
        }
    }

    fn credential_url(&self, list: Option<&str>, id: &str) -> String {
        match self.dialect {
            Dialect::Plivo | Dialect::Zentrunk => format!("{}{id}/", self.credentials_url(list)),
            Dialect::Vobiz => format!("{}/{id}", self.credentials_url(list)),
            Dialect::Twilio => self.twilio_url(&format!(
                "CredentialLists/{}/Credentials/{id}",
                list.unwrap_or_default()
            )),
        }
    }

    pub async fn all_credentials(&self, list: Option<&str>) -> Result<Vec<Credential>, ApiError> {
        self.credentials_from_first(list, |_, _| ()).await
    }

    /// Every credential; `first_page` gets the first page early.
    pub async fn credentials_from_first(
        &self,
        list: Option<&str>,
        first_page: impl FnOnce(Vec<Credential>, usize),
    ) -> Result<Vec<Credential>, ApiError> {
        let url = self.credentials_url(list);
        match self.dialect {
            Dialect::Twilio => self.twilio_all(&format!("{url}.json")).await,
            _ => self.all_from_first(&url, &[], first_page).await,
        }
    }

    pub async fn create_credential(
        &self,
        list: Option<&str>,
        new: &NewCredential,
    ) -> Result<Credential, ApiError> {
        let url = self.credentials_url(list);
        match self.dialect {
            // Plivo answers the object; zentrunk only its id.
            Dialect::Plivo | Dialect::Vobiz => self.post(&url, new).await,
            Dialect::Zentrunk => {
                let created: super::Created = self.post(&url, new).await?;
                Ok(Credential {
                    credential_uuid: created.id,
                    username: new.username.clone(),
                    name: new.name.clone(),
                    ..Credential::default()
                })
            }
            Dialect::Twilio => {
                let fields = [
                    ("Username", new.username.clone()),
                    ("Password", new.password.clone()),
                ];
                self.post_form(&format!("{url}.json"), &fields).await
            }
        }
    }

    pub async fn change_password(
        &self,
        list: Option<&str>,
        id: &str,
        password: &str,
    ) -> Result<(), ApiError> {
        let url = self.credential_url(list, id);
        let body = json!({ "password": password });
        match self.dialect {
            Dialect::Plivo | Dialect::Zentrunk => self.post_empty(&url, &body).await,
            Dialect::Vobiz => self.write_empty(Method::PUT, &url, &body).await,
            Dialect::Twilio => {
                let fields = [("Password", password.to_string())];
                self.post_form::<serde_json::Value>(&format!("{url}.json"), &fields)
                    .await
                    .map(drop)
            }
        }
    }

    /// Zentrunk's name or vobiz's description: the credential's label.
    pub async fn set_label(&self, id: &str, label: &str) -> Result<(), ApiError> {
        let url = self.credential_url(None, id);
        match self.dialect {
            Dialect::Vobiz => {
                self.write_empty(Method::PUT, &url, &json!({ "description": label }))
                    .await
            }
            _ => self.post_empty(&url, &json!({ "name": label })).await,
        }
    }

    /// Vobiz: a disabled credential stays but cannot authenticate.
    pub async fn set_enabled(&self, id: &str, enabled: bool) -> Result<Credential, ApiError> {
        self.write(
            Method::PUT,
            &self.credential_url(None, id),
            &json!({ "enabled": enabled }),
        )
        .await
    }

    pub async fn delete_credential(&self, list: Option<&str>, id: &str) -> Result<(), ApiError> {
        let url = self.credential_url(list, id);
        match self.dialect {
            Dialect::Twilio => self.delete(&format!("{url}.json")).await,
            _ => self.delete(&url).await,
        }
    }
}
