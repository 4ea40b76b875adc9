//! Credentials, for every dialect: the realm rule, quotas, unique
//! usernames, HA1s, the in-use check before a delete, and their events.

use super::{Action, Changes, Ctx, Duplicate, Kind, ServiceError, ServiceResult};
use crate::store::applications::Uses;
use crate::store::credentials::{self as store, Credential, Filter, Written};
use crate::store::{Rows, Window};
use sipauth_model::{digests, quota, rename_needs_password, sip, Password, Realm, Username};

/// A credential to create, its fields already valid in the dialect.
pub struct NewCredential {
    /// The dialect's id format (a UUID, or a twilio SID).
    pub id: String,
    pub username: Username,
    pub password: Password,
    /// As the caller gave it; `None`: the account's realm.
    pub realm: Option<String>,
    pub list_id: Option<String>,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub account_wide: bool,
}

impl NewCredential {
    /// An enabled credential in the account's realm, in no list, unlabelled,
    /// authenticating only where it is assigned.
    pub fn new(id: String, username: Username, password: Password) -> Self {
        Self {
            id,
            username,
            password,
            realm: None,
            list_id: None,
            name: String::new(),
            description: String::new(),
            enabled: true,
            account_wide: false,
        }
    }
}

pub async fn create(cx: &Ctx, new: NewCredential) -> ServiceResult<Credential> {
    let account = &cx.caller.account;
    // Only the account's own realm: a credential in another realm would
    // answer for that realm's users on the SIP side.
    let realm = sip::own_realm(
        new.realm.as_deref().unwrap_or(&account.realm),
        &account.realm,
    )?;
    let digest = digests(&new.username, &realm, &new.password);
    let row = store::NewCredential {
        id: &new.id,
        username: new.username.as_str(),
        realm: realm.as_str(),
        digests: &digest,
        list_id: new.list_id.as_deref(),
        name: &new.name,
        description: &new.description,
        enabled: new.enabled,
        account_wide: new.account_wide,
    };
    let mut tx = cx.begin().await?;
    match store::create(tx.conn(), &account.auth_id, &row).await? {
        Written::Ok => {}
        Written::Refused => {
            return Err(ServiceError::Quota(
                Kind::Credential,
                quota::CREDENTIALS_PER_ACCOUNT,
            ))
        }
        Written::Duplicate => {
            tx.rollback().await;
            return Err(duplicate(cx, new.username.as_str()).await);
        }
    }
    // What was written, as a row (the store's dates aside): no read needed.
    let created = Credential {
        id: new.id.clone(),
        username: new.username.as_str().to_string(),
        realm: realm.as_str().to_string(),
        list_id: new.list_id.clone(),
        name: new.name.clone(),
        description: new.description.clone(),
        enabled: new.enabled,
        account_wide: new.account_wide,
        ..Credential::default()
    };
    let changes = Changes::created(&created);
    tx.record_of(
        Kind::Credential,
        &new.id,
        &created,
        Action::Created,
        changes,
    );
    tx.commit().await?;
    find(cx, &new.id).await
}

async fn duplicate(cx: &Ctx, username: &str) -> ServiceError {
    match store::list_holding(cx.db(), cx.account(), username).await {
        Ok(list) => ServiceError::Duplicate(
            Kind::Credential,
            Duplicate::Username {
                username: username.to_string(),
                list: list.flatten(),
            },
        ),
        Err(e) => e.into(),
    }
}

/// One of the caller's credentials.
pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<Credential> {
    cx.find::<Credential>(id, Kind::Credential).await
}

/// One of the caller's credentials in the twilio credential list `list_id`.
pub async fn find_in(cx: &Ctx, list_id: &str, id: &str) -> ServiceResult<Credential> {
    find(cx, id)
        .await
        .ok()
        .filter(|c| c.list_id.as_deref() == Some(list_id))
        .ok_or(ServiceError::NotFound(Kind::Credential))
}

pub async fn list(cx: &Ctx, filter: Filter<'_>, w: Window) -> ServiceResult<Rows<Credential>> {
    Ok(store::list(cx.db(), cx.account(), filter, w).await?)
}

/// What a change sets; `None` keeps the stored value.
#[derive(Default)]
pub struct Change {
    pub username: Option<Username>,
    pub password: Option<Password>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// Applies `change`. A new username needs the password with it.
pub async fn update(cx: &Ctx, id: &str, change: Change) -> ServiceResult<Credential> {
    let mut tx = cx.begin().await?;
    let current = crate::store::find_on::<Credential>(tx.conn(), cx.account(), id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Credential))?;
    let username = change.username.filter(|u| u.as_str() != current.username);
    let digest = match (&username, &change.password) {
        (Some(_), None) => return Err(rename_needs_password().into()),
        (_, None) => None,
        (new, Some(password)) => {
            // Stored values passed these rules when they were written.
            let username = match new {
                Some(u) => u.clone(),
                None => Username::parse(&current.username)?,
            };
            Some(digests(&username, &Realm::parse(&current.realm)?, password))
        }
    };
    let update = store::Update {
        username: username.as_ref().map(Username::as_str),
        digests: digest.as_ref(),
        name: change.name.as_deref(),
        description: change.description.as_deref(),
        enabled: change.enabled,
    };
    match store::update(tx.conn(), cx.account(), id, &update).await? {
        Written::Ok => {}
        Written::Refused => return Err(ServiceError::NotFound(Kind::Credential)),
        Written::Duplicate => {
            tx.rollback().await;
            let taken = username.as_ref().map(Username::as_str).unwrap_or_default();
            return Err(duplicate(cx, taken).await);
        }
    }
    let after = crate::store::find_on::<Credential>(tx.conn(), cx.account(), id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Credential))?;
    let mut changes = Changes::between(&current, &after);
    if update.digests.is_some() {
        changes = changes.password();
    }
    tx.record_of(Kind::Credential, id, &after, Action::Updated, changes);
    tx.commit().await?;
    Ok(after)
}

/// Deletes one of the caller's credentials unless an application uses it.
pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    super::delete_unless_used::<Credential>(cx, id, Kind::Credential, Uses::Credential(id)).await
}
