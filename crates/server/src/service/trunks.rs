//! Zentrunk trunks: references only to the caller's own credential and IP
//! ACL, and their events. A trunk's credential may be deleted (the seed
//! says it breaks the trunk; the console warns first).

use super::{owned, Action, Caller, Kind, ServiceError, ServiceResult};
use crate::store::trunks::{self as store, Trunk};
use crate::AppState;

async fn save(state: &AppState, caller: &Caller, t: &Trunk, insert: bool) -> ServiceResult<()> {
    owned(
        state,
        caller,
        t.credential_id.as_deref(),
        t.ip_acl_id.as_deref(),
    )
    .await?;
    // The statement checks ownership again: a reference deleted meanwhile,
    // or (on update) the trunk itself.
    if store::save(&state.db, &caller.account.auth_id, t, insert).await? {
        return Ok(());
    }
    if !insert {
        find(state, caller, &t.id).await?;
    }
    Err(ServiceError::Gone(Kind::Trunk))
}

pub async fn create(state: &AppState, caller: &Caller, trunk: Trunk) -> ServiceResult<Trunk> {
    save(state, caller, &trunk, true).await?;
    caller.raise(state, Kind::Trunk, &trunk.id, Action::Created, Vec::new());
    Ok(trunk)
}

/// Saves `trunk` (its id names it).
pub async fn update(state: &AppState, caller: &Caller, trunk: Trunk) -> ServiceResult<Trunk> {
    save(state, caller, &trunk, false).await?;
    caller.raise(state, Kind::Trunk, &trunk.id, Action::Updated, Vec::new());
    Ok(trunk)
}

pub async fn find(state: &AppState, caller: &Caller, id: &str) -> ServiceResult<Trunk> {
    store::find(&state.db, &caller.account.auth_id, id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Trunk))
}

/// A page of the caller's trunks, only those using `credential` when set.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    credential: Option<&str>,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<Trunk>, i64)> {
    Ok(store::list(
        &state.db,
        &caller.account.auth_id,
        credential,
        limit,
        offset,
    )
    .await?)
}

pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> ServiceResult<()> {
    if !store::delete(&state.db, &caller.account.auth_id, id).await? {
        return Err(ServiceError::NotFound(Kind::Trunk));
    }
    caller.raise(state, Kind::Trunk, id, Action::Deleted, Vec::new());
    Ok(())
}
