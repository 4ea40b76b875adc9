//! Twilio's credential lists: named groups of an account's credentials.
//! Deleting one deletes its credentials, so the credentials' in-use rule
//! applies to the list as a whole.

use super::{Action, Caller, Kind, ServiceError, ServiceResult};
use crate::store::applications;
use crate::store::credential_lists::{self as store, CredentialList};
use crate::AppState;
use sipauth_model::FriendlyName;

pub async fn create(
    state: &AppState,
    caller: &Caller,
    id: &str,
    name: &FriendlyName,
) -> ServiceResult<CredentialList> {
    let list = store::create(&state.db, &caller.account.auth_id, id, name.as_str()).await?;
    caller.raise(state, Kind::CredentialList, id, Action::Created, Vec::new());
    Ok(list)
}

pub async fn find(state: &AppState, caller: &Caller, id: &str) -> ServiceResult<CredentialList> {
    store::find(&state.db, &caller.account.auth_id, id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::CredentialList))
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<CredentialList>, i64)> {
    Ok(store::list(&state.db, &caller.account.auth_id, limit, offset).await?)
}

pub async fn rename(
    state: &AppState,
    caller: &Caller,
    id: &str,
    name: &FriendlyName,
) -> ServiceResult<CredentialList> {
    let list = store::rename(&state.db, &caller.account.auth_id, id, name.as_str())
        .await?
        .ok_or(ServiceError::NotFound(Kind::CredentialList))?;
    caller.raise(
        state,
        Kind::CredentialList,
        id,
        Action::Updated,
        vec!["name"],
    );
    Ok(list)
}

/// Deletes the list with its credentials, unless an application uses one
/// of them (the rule every dialect's credential delete follows).
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> ServiceResult<()> {
    find(state, caller, id).await?;
    let users = applications::names_using_list(&state.db, id).await?;
    if !users.is_empty() {
        return Err(ServiceError::InUse(Kind::CredentialList, users));
    }
    match store::delete(&state.db, &caller.account.auth_id, id).await {
        Ok(true) => {}
        Ok(false) => return Err(ServiceError::NotFound(Kind::CredentialList)),
        // Assigned between the check and the delete.
        Err(e) if crate::store::is_foreign_key_violation(&e) => {
            let users = applications::names_using_list(&state.db, id).await?;
            return Err(ServiceError::InUse(Kind::CredentialList, users));
        }
        Err(e) => return Err(e.into()),
    }
    caller.raise(state, Kind::CredentialList, id, Action::Deleted, Vec::new());
    Ok(())
}
