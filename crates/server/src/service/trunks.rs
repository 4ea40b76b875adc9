//! Zentrunk trunks: references only to the caller's own credential and IP
//! ACL, and their events. A trunk's credential may be deleted (the seed
//! says it breaks the trunk; the console warns first).

use super::{owned, Action, Changes, Ctx, Kind, ServiceError, ServiceResult};
use crate::store::trunks::{self as store, Trunk};
use crate::store::{Rows, Window};
use sipauth_model::quota::TRUNKS_PER_ACCOUNT;

/// Writes the trunk and records it, in one transaction.
async fn save(cx: &Ctx, t: &Trunk, insert: bool) -> ServiceResult<()> {
    owned(cx, t.credential_id.as_deref(), t.ip_acl_id.as_deref()).await?;
    let mut tx = cx.begin().await?;
    let old = if insert {
        None
    } else {
        crate::store::find_on::<Trunk>(tx.conn(), cx.account(), &t.id).await?
    };
    // The statement checks ownership again: a reference deleted meanwhile,
    // or (on update) the trunk itself.
    if store::save(tx.conn(), cx.account(), t, insert).await? {
        let (action, changes) = match &old {
            Some(old) => (Action::Updated, Changes::between(old, t)),
            None => (Action::Created, Changes::created(t)),
        };
        tx.record(Kind::Trunk, &t.id, &t.name, action, changes);
        return tx.commit().await;
    }
    tx.rollback().await;
    if !insert {
        find(cx, &t.id).await?;
    } else if crate::store::count::<Trunk>(cx.db(), cx.account()).await? >= TRUNKS_PER_ACCOUNT {
        return Err(ServiceError::Quota(Kind::Trunk, TRUNKS_PER_ACCOUNT));
    }
    Err(ServiceError::Gone(Kind::Trunk))
}

pub async fn create(cx: &Ctx, trunk: Trunk) -> ServiceResult<Trunk> {
    save(cx, &trunk, true).await?;
    Ok(trunk)
}

/// Saves `trunk` (its id names it).
pub async fn update(cx: &Ctx, trunk: Trunk) -> ServiceResult<Trunk> {
    find(cx, &trunk.id).await?;
    save(cx, &trunk, false).await?;
    Ok(trunk)
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<Trunk> {
    cx.find::<Trunk>(id, Kind::Trunk).await
}

/// A page of the caller's trunks, only those using `credential` when set.
pub async fn list(cx: &Ctx, credential: Option<&str>, w: Window) -> ServiceResult<Rows<Trunk>> {
    Ok(store::list(cx.db(), cx.account(), credential, w).await?)
}

pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    super::delete::<Trunk>(cx, id, Kind::Trunk).await
}
