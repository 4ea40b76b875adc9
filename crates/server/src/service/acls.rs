//! IP ACLs and their entries, for every dialect: quotas, one entry per
//! network, the in-use check before a delete, and the events that tell the
//! SIP servers.

use super::{Action, Ctx, Duplicate, Kind, ServiceError, ServiceResult};
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
    match store::create(cx.db(), account, id, name.as_str(), entries).await? {
        Created::Ok => {}
        Created::QuotaReached => {
            return Err(ServiceError::Quota(Kind::Acl, quota::ACLS_PER_ACCOUNT))
        }
        Created::NameTaken => return Err(name_taken(name)),
    }
    cx.raise(Kind::Acl, id, Action::Created, Vec::new());
    find(cx, id).await
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
    Ok(store::entries_of(cx.db(), &ids).await?)
}

/// Another of the account's ACLs has `name` (case aside).
fn name_taken(name: &AclName) -> ServiceError {
    ServiceError::Duplicate(Kind::Acl, Duplicate::Name(name.as_str().to_string()))
}

pub async fn rename(cx: &Ctx, id: &str, name: &AclName) -> ServiceResult<Acl> {
    match store::rename(cx.db(), cx.account(), id, name.as_str()).await? {
        Renamed::Ok => {}
        Renamed::Missing => return Err(ServiceError::NotFound(Kind::Acl)),
        Renamed::NameTaken => return Err(name_taken(name)),
    }
    cx.raise(Kind::Acl, id, Action::Updated, vec!["name"]);
    find(cx, id).await
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
    match store::add_entry(cx.db(), cx.account(), acl_id, entry).await? {
        Added::Ok => {}
        Added::NoSuchAcl => return Err(ServiceError::NotFound(Kind::Acl)),
        Added::QuotaReached => {
            return Err(ServiceError::Quota(Kind::AclEntry, quota::ENTRIES_PER_ACL))
        }
        Added::Duplicate => return Err(duplicate(entry)),
    }
    cx.raise(Kind::AclEntry, &entry.id, Action::Created, Vec::new());
    find_entry(cx, acl_id, &entry.id).await
}

pub async fn find_entry(cx: &Ctx, acl_id: &str, id: &str) -> ServiceResult<Entry> {
    store::find_entry(cx.db(), cx.account(), acl_id, id)
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
    let old = find_entry(cx, acl_id, &entry.id).await?;
    match store::update_entry(cx.db(), cx.account(), acl_id, entry).await? {
        Updated::Ok => {}
        Updated::Missing => return Err(ServiceError::NotFound(Kind::AclEntry)),
        Updated::Duplicate => return Err(duplicate(entry)),
    }
    let changed = super::changed([
        ("ip", old.ip != entry.ip),
        ("cidr_prefix", old.cidr_prefix != entry.cidr_prefix),
        ("description", old.description != entry.description),
    ]);
    cx.raise(Kind::AclEntry, &entry.id, Action::Updated, changed);
    find_entry(cx, acl_id, &entry.id).await
}

pub async fn remove_entry(cx: &Ctx, acl_id: &str, id: &str) -> ServiceResult<()> {
    find(cx, acl_id).await?;
    if !store::remove_entry(cx.db(), cx.account(), acl_id, id).await? {
        return Err(ServiceError::NotFound(Kind::AclEntry));
    }
    cx.raise(Kind::AclEntry, id, Action::Deleted, Vec::new());
    Ok(())
}
