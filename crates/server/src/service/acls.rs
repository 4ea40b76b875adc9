//! IP ACLs and their entries, for every dialect: quotas, one entry per
//! network, the in-use check before a delete, and the events that tell the
//! SIP servers.

use super::{Action, Changes, Ctx, Duplicate, Kind, ServiceError, ServiceResult};
use crate::store::acls::{self as store, Acl, Added, Created, Entry, NewEntry, Renamed, Updated};
use crate::store::applications::Uses;
use crate::store::{Rows, Window};
use sipauth_model::{quota, AclName, Description, IpEntry};

/// An entry to write: its id (the dialect's format), the validated address
/// and its masked network, and the description.
pub fn entry(id: String, ip: &IpEntry, description: &Description) -> NewEntry {
    NewEntry {
        id,
        ip: ip.ip.to_string(),
        cidr_prefix: i64::from(ip.prefix),
        network: ip.network().to_string(),
        description: description.as_str().to_string(),
    }
}

/// Creates an ACL with its entries (at most an ACL's quota, distinct
/// networks: the caller checks each against the request it came in). Names
/// are unique per account (case aside), so pickers never show two alike.
pub async fn create(
    cx: &Ctx,
    id: &str,
    name: &AclName,
    entries: &[NewEntry],
) -> ServiceResult<Acl> {
    let account = cx.account();
    let mut tx = cx.begin().await?;
    match store::create(tx.conn(), account, id, name.as_str(), entries).await? {
        Created::Ok => {}
        Created::QuotaReached => {
            return Err(ServiceError::Quota(Kind::Acl, quota::ACLS_PER_ACCOUNT))
        }
        Created::NameTaken => return Err(name_taken(name)),
    }
    let acl = crate::store::find_on::<Acl>(tx.conn(), account, id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Acl))?;
    tx.record(
        Kind::Acl,
        id,
        &acl.name,
        Action::Created,
        Changes::created(&acl),
    );
    // One record per entry: each has its own history.
    for e in store::entries_of(tx.conn(), &[id.to_string()]).await? {
        tx.record_of(
            Kind::AclEntry,
            &e.id,
            &e,
            Action::Created,
            Changes::created(&e),
        );
    }
    tx.commit().await?;
    Ok(acl)
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<Acl> {
    cx.find::<Acl>(id, Kind::Acl).await
}

/// A page of the caller's ACLs (by name substring when `search` is set).
pub async fn list(cx: &Ctx, search: Option<&str>, w: Window) -> ServiceResult<Rows<Acl>> {
    Ok(store::list(cx.db(), cx.account(), search, w).await?)
}

/// The entries of the given ACLs (already the caller's), in order.
pub async fn entries_of(cx: &Ctx, acls: &[Acl]) -> ServiceResult<Vec<Entry>> {
    let ids: Vec<String> = acls.iter().map(|a| a.id.clone()).collect();
    Ok(store::entries_of(&cx.db().read, &ids).await?)
}

/// Another of the account's ACLs has `name` (case aside).
fn name_taken(name: &AclName) -> ServiceError {
    ServiceError::Duplicate(Kind::Acl, Duplicate::Name(name.as_str().to_string()))
}

pub async fn rename(cx: &Ctx, id: &str, name: &AclName) -> ServiceResult<Acl> {
    let mut tx = cx.begin().await?;
    let before = crate::store::find_on::<Acl>(tx.conn(), cx.account(), id).await?;
    match store::rename(tx.conn(), cx.account(), id, name.as_str()).await? {
        Renamed::Ok => {}
        Renamed::Missing => return Err(ServiceError::NotFound(Kind::Acl)),
        Renamed::NameTaken => return Err(name_taken(name)),
    }
    let (Some(before), Some(after)) = (
        before,
        crate::store::find_on::<Acl>(tx.conn(), cx.account(), id).await?,
    ) else {
        return Err(ServiceError::NotFound(Kind::Acl));
    };
    let changes = Changes::between(&before, &after);
    tx.record(Kind::Acl, id, &after.name, Action::Updated, changes);
    tx.commit().await?;
    Ok(after)
}

/// Deletes an ACL and its entries unless an application uses it. Trunks
/// and domain mappings let go of it.
pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    super::delete_unless_used::<Acl>(cx, id, Kind::Acl, Uses::Acl(id)).await
}

fn duplicate(e: &NewEntry) -> ServiceError {
    ServiceError::Duplicate(
        Kind::AclEntry,
        Duplicate::Network {
            ip: e.ip.clone(),
            prefix: e.cidr_prefix,
            network: e.network.clone(),
        },
    )
}

pub async fn add_entry(cx: &Ctx, acl_id: &str, entry: &NewEntry) -> ServiceResult<Entry> {
    let mut tx = cx.begin().await?;
    match store::add_entry(tx.conn(), cx.account(), acl_id, entry).await? {
        Added::Ok => {}
        Added::NoSuchAcl => return Err(ServiceError::NotFound(Kind::Acl)),
        Added::QuotaReached => {
            return Err(ServiceError::Quota(Kind::AclEntry, quota::ENTRIES_PER_ACL))
        }
        Added::Duplicate => return Err(duplicate(entry)),
    }
    let added = store::find_entry(tx.conn(), cx.account(), acl_id, &entry.id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::AclEntry))?;
    let changes = Changes::created(&added);
    tx.record_of(Kind::AclEntry, &added.id, &added, Action::Created, changes);
    tx.commit().await?;
    Ok(added)
}

pub async fn find_entry(cx: &Ctx, acl_id: &str, id: &str) -> ServiceResult<Entry> {
    store::find_entry(&cx.db().read, cx.account(), acl_id, id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::AclEntry))
}

/// A page of one of the caller's ACLs' entries.
pub async fn entries_page(cx: &Ctx, acl_id: &str, w: Window) -> ServiceResult<Rows<Entry>> {
    find(cx, acl_id).await?;
    Ok(store::entries_page(cx.db(), acl_id, w).await?)
}

/// Replaces an entry (`entry.id` names it) with new values.
pub async fn update_entry(cx: &Ctx, acl_id: &str, entry: &NewEntry) -> ServiceResult<Entry> {
    let mut tx = cx.begin().await?;
    let missing = || ServiceError::NotFound(Kind::AclEntry);
    let old = store::find_entry(tx.conn(), cx.account(), acl_id, &entry.id)
        .await?
        .ok_or_else(missing)?;
    match store::update_entry(tx.conn(), cx.account(), acl_id, entry).await? {
        Updated::Ok => {}
        Updated::Missing => return Err(missing()),
        Updated::Duplicate => return Err(duplicate(entry)),
    }
    let new = store::find_entry(tx.conn(), cx.account(), acl_id, &entry.id)
        .await?
        .ok_or_else(missing)?;
    let changes = Changes::between(&old, &new);
    tx.record_of(Kind::AclEntry, &new.id, &new, Action::Updated, changes);
    tx.commit().await?;
    Ok(new)
}

pub async fn remove_entry(cx: &Ctx, acl_id: &str, id: &str) -> ServiceResult<()> {
    find(cx, acl_id).await?;
    let mut tx = cx.begin().await?;
    let missing = || ServiceError::NotFound(Kind::AclEntry);
    let old = store::find_entry(tx.conn(), cx.account(), acl_id, id)
        .await?
        .ok_or_else(missing)?;
    if !store::remove_entry(tx.conn(), cx.account(), acl_id, id).await? {
        return Err(missing());
    }
    tx.record_of(
        Kind::AclEntry,
        id,
        &old,
        Action::Deleted,
        Changes::deleted(&old),
    );
    tx.commit().await?;
    Ok(())
}
