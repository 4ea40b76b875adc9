//! Twilio's credential lists: named groups of an account's credentials.
//! Deleting one deletes its credentials, so the credentials' in-use rule
//! applies to the list as a whole.

use super::{Action, Changes, Ctx, Duplicate, Kind, ServiceError, ServiceResult};
use crate::store::applications::Uses;
use crate::store::credential_lists::{self as store, CredentialList, Refused};
use crate::store::{Rows, Window};
use sipauth_model::{quota, FriendlyName};

/// Another of the account's lists has `name` (case aside).
fn name_taken(name: &FriendlyName) -> ServiceError {
    ServiceError::Duplicate(
        Kind::CredentialList,
        Duplicate::Name(name.as_str().to_string()),
    )
}

/// Creates a list; names are unique per account (case aside), so pickers
/// never show two alike.
pub async fn create(cx: &Ctx, id: &str, name: &FriendlyName) -> ServiceResult<CredentialList> {
    let mut tx = cx.begin().await?;
    let list = match store::create(tx.conn(), cx.account(), id, name.as_str()).await? {
        Ok(list) => list,
        Err(Refused::NameTaken) => return Err(name_taken(name)),
        Err(Refused::QuotaOrMissing) => {
            return Err(ServiceError::Quota(
                Kind::CredentialList,
                quota::CREDENTIAL_LISTS_PER_ACCOUNT,
            ))
        }
    };
    let changes = Changes::created(&list);
    tx.record(
        Kind::CredentialList,
        id,
        &list.friendly_name,
        Action::Created,
        changes,
    );
    tx.commit().await?;
    Ok(list)
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<CredentialList> {
    cx.find::<CredentialList>(id, Kind::CredentialList).await
}

pub async fn list(cx: &Ctx, w: Window) -> ServiceResult<Rows<CredentialList>> {
    Ok(crate::store::list::<CredentialList>(cx.db(), cx.account(), w).await?)
}

pub async fn rename(cx: &Ctx, id: &str, name: &FriendlyName) -> ServiceResult<CredentialList> {
    let mut tx = cx.begin().await?;
    let before = crate::store::find_on::<CredentialList>(tx.conn(), cx.account(), id).await?;
    let list = match store::rename(tx.conn(), cx.account(), id, name.as_str()).await? {
        Ok(list) => list,
        Err(Refused::NameTaken) => return Err(name_taken(name)),
        Err(Refused::QuotaOrMissing) => return Err(ServiceError::NotFound(Kind::CredentialList)),
    };
    let changes = before.map_or_else(Changes::default, |b| Changes::between(&b, &list));
    tx.record(
        Kind::CredentialList,
        id,
        &list.friendly_name,
        Action::Updated,
        changes,
    );
    tx.commit().await?;
    Ok(list)
}

/// Deletes the list with its credentials, unless an application uses one
/// of them (the rule every dialect's credential delete follows).
pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    let uses = Uses::CredentialList(id);
    super::delete_unless_used::<CredentialList>(cx, id, Kind::CredentialList, uses).await
}
