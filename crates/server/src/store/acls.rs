//! IP ACLs and their entries.

use super::{Listed, Window};
use crate::db::Db;
use crate::sql::{q, Conn};
use sipauth_model::quota;

/// An IP ACL (its entries are read apart).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Acl {
    pub id: String,
    pub name: String,
    pub created_at: String,
    /// NULL until first renamed.
    pub updated_at: Option<String>,
}

const ACL: &str = "id, name, created_at, updated_at";

impl super::Owned for Acl {
    const TABLE: &'static str = "ip_acls";
    const COLUMNS: &'static str = ACL;
}

/// An entry; dates are NULL for entries made before dates were kept.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: String,
    pub acl_id: String,
    pub ip: String,
    pub cidr_prefix: i64,
    pub description: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const ENTRY: &str = "id, acl_id, ip, cidr_prefix, description, created_at, updated_at";

/// An entry to insert: validated, with its masked network.
pub struct NewEntry {
    pub id: String,
    pub ip: String,
    pub cidr_prefix: i64,
    pub network: String,
    pub description: String,
}

pub enum Created {
    Ok,
    QuotaReached,
    NameTaken,
}

/// Creates an ACL with its entries (on the change's transaction), unless the account
/// already holds its quota of ACLs or an ACL of that name (checked in the
/// insert itself).
pub async fn create(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    name: &str,
    entries: &[NewEntry],
) -> Result<Created, sqlx::Error> {
    let free = super::name_free("ip_acls", "name", "$2", "$3", "$1");
    let inserted = q(format!(
        "INSERT INTO ip_acls (id, account_id, name)
         SELECT $1, $2, $3
         WHERE (SELECT count(*) FROM ip_acls WHERE account_id = $2) < $4 AND {free}"
    ))
    .arg(id)
    .arg(account_id)
    .arg(name)
    .arg(quota::ACLS_PER_ACCOUNT)
    .execute(conn.re())
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(
            if super::name_taken(conn, "ip_acls", "name", account_id, name, id).await? {
                Created::NameTaken
            } else {
                Created::QuotaReached
            },
        );
    }
    for e in entries {
        q("INSERT INTO acl_entries (id, acl_id, ip, cidr_prefix, network, description, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, (SELECT now FROM utc))")
        .arg(&e.id)
        .arg(id)
        .arg(&e.ip)
        .arg(e.cidr_prefix)
        .arg(&e.network)
        .arg(&e.description)
        .execute(conn.re())
        .await?;
    }
    Ok(Created::Ok)
}

/// A page of the account's ACLs (oldest first, optionally by name
/// substring) and the total.
pub async fn list(db: &Db, account_id: &str, search: Option<&str>, w: Window) -> Listed<Acl> {
    let pattern = search.map(super::like_pattern);
    let select = format!(
        "SELECT {ACL}, seq FROM ip_acls
         WHERE account_id = $1 AND ($2 IS NULL OR lower(name) LIKE lower($2) ESCAPE '\\')"
    );
    let binds = [Some(account_id), pattern.as_deref()];
    super::page(db, &select, &binds, "seq", w).await
}

/// The entries of the given ACLs, in the order they were added.
pub async fn entries_of<'e>(
    on: impl Into<crate::sql::Exec<'e>>,
    acl_ids: &[String],
) -> Result<Vec<Entry>, sqlx::Error> {
    if acl_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=acl_ids.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    q(format!(
        "SELECT {ENTRY} FROM acl_entries WHERE acl_id IN ({placeholders}) ORDER BY seq"
    ))
    .args(acl_ids)
    .fetch_all(on)
    .await
}

pub enum Renamed {
    Ok,
    Missing,
    NameTaken,
}

/// Renames one of the account's ACLs unless another of its ACLs has the
/// name (checked in the update itself).
pub async fn rename(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    name: &str,
) -> Result<Renamed, sqlx::Error> {
    let free = super::name_free("ip_acls", "name", "$2", "$1", "$3");
    let r = q(format!(
        "UPDATE ip_acls SET name = $1, updated_at = (SELECT now FROM utc)
         WHERE account_id = $2 AND id = $3 AND {free}"
    ))
    .arg(name)
    .arg(account_id)
    .arg(id)
    .execute(conn.re())
    .await?;
    Ok(if r.rows_affected() == 1 {
        Renamed::Ok
    } else if super::find_on::<Acl>(conn, account_id, id).await?.is_none() {
        Renamed::Missing
    } else {
        Renamed::NameTaken
    })
}

pub enum Added {
    Ok,
    NoSuchAcl,
    QuotaReached,
    Duplicate,
}

/// Adds an entry to one of the account's ACLs; the ownership and quota
/// checks are part of the insert, so racing adds cannot pass the quota.
pub async fn add_entry(
    mut conn: Conn<'_>,
    account_id: &str,
    acl_id: &str,
    e: &NewEntry,
) -> Result<Added, sqlx::Error> {
    let result = q(
        "INSERT INTO acl_entries (id, acl_id, ip, cidr_prefix, network, description, created_at)
         SELECT $1, $2, $3, $4, $5, $6, (SELECT now FROM utc)
         WHERE EXISTS (SELECT 1 FROM ip_acls WHERE id = $2 AND account_id = $7)
           AND (SELECT count(*) FROM acl_entries WHERE acl_id = $2) < $8",
    )
    .arg(&e.id)
    .arg(acl_id)
    .arg(&e.ip)
    .arg(e.cidr_prefix)
    .arg(&e.network)
    .arg(&e.description)
    .arg(account_id)
    .arg(quota::ENTRIES_PER_ACL)
    .execute(conn.re())
    .await;
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Added::Ok),
        Ok(_) => Ok(
            if super::find_on::<Acl>(conn, account_id, acl_id)
                .await?
                .is_some()
            {
                Added::QuotaReached
            } else {
                Added::NoSuchAcl
            },
        ),
        Err(e) if super::is_unique_violation(&e) => Ok(Added::Duplicate),
        Err(e) => Err(e),
    }
}

pub async fn remove_entry(
    mut conn: Conn<'_>,
    account_id: &str,
    acl_id: &str,
    entry_id: &str,
) -> Result<bool, sqlx::Error> {
    let r = q("DELETE FROM acl_entries WHERE id = $1 AND acl_id = $2
           AND acl_id IN (SELECT id FROM ip_acls WHERE account_id = $3)")
    .arg(entry_id)
    .arg(acl_id)
    .arg(account_id)
    .execute(conn.re())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One page of an ACL's entries in the order they were added, and the total.
pub async fn entries_page(db: &Db, acl_id: &str, w: Window) -> Listed<Entry> {
    let select = format!("SELECT {ENTRY}, seq FROM acl_entries WHERE acl_id = $1");
    super::page(db, &select, &[Some(acl_id)], "seq", w).await
}

/// One entry of one of the account's ACLs.
pub async fn find_entry<'e>(
    on: impl Into<crate::sql::Exec<'e>>,
    account_id: &str,
    acl_id: &str,
    entry_id: &str,
) -> Result<Option<Entry>, sqlx::Error> {
    q(format!(
        "SELECT {ENTRY} FROM acl_entries
         WHERE id = $1 AND acl_id = $2 AND acl_id IN (SELECT id FROM ip_acls WHERE account_id = $3)"
    ))
    .arg(entry_id)
    .arg(acl_id)
    .arg(account_id)
    .fetch_optional(on)
    .await
}

pub enum Updated {
    Ok,
    Missing,
    Duplicate,
}

/// Replaces an entry's address, prefix and description.
pub async fn update_entry(
    mut conn: Conn<'_>,
    account_id: &str,
    acl_id: &str,
    e: &NewEntry,
) -> Result<Updated, sqlx::Error> {
    let result = q(
        "UPDATE acl_entries SET ip = $1, cidr_prefix = $2, network = $3, description = $4,
                updated_at = (SELECT now FROM utc)
         WHERE id = $5 AND acl_id = $6 AND acl_id IN (SELECT id FROM ip_acls WHERE account_id = $7)",
    )
    .arg(&e.ip)
    .arg(e.cidr_prefix)
    .arg(&e.network)
    .arg(&e.description)
    .arg(&e.id)
    .arg(acl_id)
    .arg(account_id)
    .execute(conn.re())
    .await;
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Updated::Ok),
        Ok(_) => Ok(Updated::Missing),
        Err(e) if super::is_unique_violation(&e) => Ok(Updated::Duplicate),
        Err(e) => Err(e),
    }
}
