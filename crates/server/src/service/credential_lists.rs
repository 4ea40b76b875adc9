//! Twilio's credential lists: named groups of an account's credentials.
//! Deleting one deletes its credentials, so the credentials' in-use rule
//! applies to the list as a whole.

use super::{Action, Ctx, Kind, ServiceError, ServiceResult};
use crate::store::applications::Uses;
use crate::store::credential_lists::{self as store, CredentialList};
use crate::store::{Rows, Window};
use sipauth_model::{quota, FriendlyName};

pub async fn create(cx: &Ctx, id: &str, name: &FriendlyName) -> ServiceResult<CredentialList> {
    let list = store::create(cx.db(), cx.account(), id, name.as_str())
        .await?
        .ok_or(ServiceError::Quota(
            Kind::CredentialList,
            quota::CREDENTIAL_LISTS_PER_ACCOUNT,
        ))?;
    cx.raise(Kind::CredentialList, id, Action::Created, Vec::new());
    Ok(list)
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<CredentialList> {
    cx.find::<CredentialList>(id, Kind::CredentialList).await
}

pub async fn list(cx: &Ctx, w: Window) -> ServiceResult<Rows<CredentialList>> {
    Ok(crate::store::list::<CredentialList>(cx.db(), cx.account(), w).await?)
}

pub async fn rename(cx: &Ctx, id: &str, name: &FriendlyName) -> ServiceResult<CredentialList> {
    let list = store::rename(cx.db(), cx.account(), id, name.as_str())
        .await?
        .ok_or(ServiceError::NotFound(Kind::CredentialList))?;
    cx.raise(Kind::CredentialList, id, Action::Updated, vec!["name"]);
    Ok(list)
}

/// Deletes the list with its credentials, unless an application uses one
/// of them (the rule every dialect's credential delete follows).
pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    let uses = Uses::CredentialList(id);
    super::delete_unless_used::<CredentialList>(cx, id, Kind::CredentialList, uses).await
}
