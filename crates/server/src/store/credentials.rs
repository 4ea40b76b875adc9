//! SIP credentials: username, realm and HA1, never the password.

use crate::db::Db;
use sipauth_model::{quota, Digests};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Credential {
    pub id: String,
    pub username: String,
    pub realm: String,
}

pub enum Created {
    Ok,
    QuotaReached,
    /// The account already has this username.
    Duplicate,
}

/// Inserts a credential unless the account already holds its quota. The
/// count and the insert are one statement, so racing creates cannot pass
/// the quota together.
pub async fn create(
    db: &Db,
    account_id: &str,
    id: &str,
    username: &str,
    realm: &str,
    digests: &Digests,
) -> Result<Created, sqlx::Error> {
    let new = NewCredential {
        id,
        username,
        realm,
        digests,
        list_id: None,
        name: "",
        description: "",
        enabled: true,
        account_wide: false,
    };
    create_in(db, account_id, &new).await
}

/// A credential to insert (the password already reduced to its HA1).
pub struct NewCredential<'a> {
    pub id: &'a str,
    pub username: &'a str,
    /// Always the account's own realm.
    pub realm: &'a str,
    pub digests: &'a Digests,
    /// A twilio credential list; `None`: the account's implicit one.
    pub list_id: Option<&'a str>,
    /// Zentrunk's friendly name.
    pub name: &'a str,
    /// Vobiz's description.
    pub description: &'a str,
    /// Vobiz can create a credential disabled.
    pub enabled: bool,
    /// Vobiz credentials register and call at the account's realm without
    /// being assigned anywhere.
    pub account_wide: bool,
}

/// `create`, with a list and a name. The quota counts every list.
pub async fn create_in(
    db: &Db,
    account_id: &str,
    c: &NewCredential<'_>,
) -> Result<Created, sqlx::Error> {
    let (id, username, realm, list_id) = (c.id, c.username, c.realm, c.list_id);
    let result = sqlx::query(
        "INSERT INTO credentials (id, account_id, username, realm, ha1, list_id, name, description,
                                  enabled, ha1b, account_wide)
         SELECT ?1, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?10, ?11, ?12
         WHERE (SELECT count(*) FROM credentials WHERE account_id = ?2) < ?6",
    )
    .bind(id)
    .bind(account_id)
    .bind(username)
    .bind(realm)
    .bind(&c.digests.ha1)
    .bind(quota::CREDENTIALS_PER_ACCOUNT)
    .bind(list_id)
    .bind(c.name)
    .bind(c.description)
    .bind(c.enabled)
    .bind(&c.digests.ha1b)
    .bind(c.account_wide)
    .execute(&db.write)
    .await;
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Created::Ok),
        Ok(_) => Ok(Created::QuotaReached),
        // Realms are the account's own, so either constraint means a
        // username this account already has: nothing about another account.
        Err(e) if super::is_unique_violation(&e) => Ok(Created::Duplicate),
        Err(e) => Err(e),
    }
}

/// One page of the account's credentials, oldest first, optionally only
/// those whose username contains `search` (case-insensitive), and the total.
pub async fn list(
    db: &Db,
    account_id: &str,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Credential>, i64), sqlx::Error> {
    let pattern = search.map(super::like_pattern);
    // The page comes back as one JSON array in one row, with the total:
    // sqlx hands SQLite rows over one by one from its worker thread, and for
    // a list that hand-over cost more than the query (BENCHMARKS.md).
    let (page, total): (String, i64) = sqlx::query_as(
        "SELECT json_group_array(json_object('id', id, 'username', username, 'realm', realm)
                                 ORDER BY seq),
                (SELECT count(*) FROM credentials
                 WHERE account_id = ?1 AND (?2 IS NULL OR username LIKE ?2 ESCAPE '\\'))
         FROM (SELECT seq, id, username, realm FROM credentials
               WHERE account_id = ?1 AND (?2 IS NULL OR username LIKE ?2 ESCAPE '\\')
               ORDER BY seq LIMIT ?3 OFFSET ?4)",
    )
    .bind(account_id)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_one(&db.read)
    .await?;
    let rows = serde_json::from_str(&page).map_err(|e| sqlx::Error::Decode(e.into()))?;
    Ok((rows, total))
}

pub async fn find(db: &Db, account_id: &str, id: &str) -> Result<Option<Credential>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, realm FROM credentials WHERE account_id = ? AND id = ?")
        .bind(account_id)
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// Replaces the digests (a new password). False when there is no such credential.
pub async fn set_digests(
    db: &Db,
    account_id: &str,
    id: &str,
    digests: &Digests,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE credentials SET ha1 = ?, ha1b = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE account_id = ? AND id = ?",
    )
    .bind(&digests.ha1)
    .bind(&digests.ha1b)
    .bind(account_id)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete(db: &Db, account_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM credentials WHERE account_id = ? AND id = ?")
        .bind(account_id)
        .bind(id)
        .execute(&db.write)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A credential with its dates, as the twilio dialect shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub username: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One page of a credential list's credentials, oldest first, and the total.
pub async fn list_in(
    db: &Db,
    account_id: &str,
    list_id: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64), sqlx::Error> {
    let rows = sqlx::query_as(
        "SELECT id, username, created_at, updated_at FROM credentials
         WHERE account_id = ? AND list_id = ? ORDER BY seq LIMIT ? OFFSET ?",
    )
    .bind(account_id)
    .bind(list_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.read)
    .await?;
    let total =
        sqlx::query_scalar("SELECT count(*) FROM credentials WHERE account_id = ? AND list_id = ?")
            .bind(account_id)
            .bind(list_id)
            .fetch_one(&db.read)
            .await?;
    Ok((rows, total))
}

/// A credential of one credential list.
pub async fn find_in(
    db: &Db,
    account_id: &str,
    list_id: &str,
    id: &str,
) -> Result<Option<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, username, created_at, updated_at FROM credentials
         WHERE account_id = ? AND list_id = ? AND id = ?",
    )
    .bind(account_id)
    .bind(list_id)
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

/// The list that already has `username` in this account, if any (`None`
/// inside: the implicit list), for the twilio dialect's 409.
pub async fn list_holding(
    db: &Db,
    account_id: &str,
    username: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar("SELECT list_id FROM credentials WHERE account_id = ? AND username = ?")
        .bind(account_id)
        .bind(username)
        .fetch_optional(&db.read)
        .await
}

/// A credential as zentrunk shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub username: String,
    pub realm: String,
}

/// One page of the account's credentials (every list), oldest first.
pub async fn list_named(
    db: &Db,
    account_id: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Named>, i64), sqlx::Error> {
    let rows = sqlx::query_as(
        "SELECT id, name, username, realm FROM credentials
         WHERE account_id = ? ORDER BY seq LIMIT ? OFFSET ?",
    )
    .bind(account_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.read)
    .await?;
    let total = sqlx::query_scalar("SELECT count(*) FROM credentials WHERE account_id = ?")
        .bind(account_id)
        .fetch_one(&db.read)
        .await?;
    Ok((rows, total))
}

pub async fn find_named(db: &Db, account_id: &str, id: &str) -> Result<Option<Named>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, username, realm FROM credentials WHERE account_id = ? AND id = ?",
    )
    .bind(account_id)
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

pub enum Renamed {
    Ok,
    Missing,
    Duplicate,
}

/// Sets the name, username and HA1 at once (a new username needs a new HA1).
pub async fn update_named(
    db: &Db,
    account_id: &str,
    id: &str,
    name: &str,
    username: &str,
    digests: &Digests,
) -> Result<Renamed, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE credentials SET name = ?, username = ?, ha1 = ?, ha1b = ?,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE account_id = ? AND id = ?",
    )
    .bind(name)
    .bind(username)
    .bind(&digests.ha1)
    .bind(&digests.ha1b)
    .bind(account_id)
    .bind(id)
    .execute(&db.write)
    .await;
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Renamed::Ok),
        Ok(_) => Ok(Renamed::Missing),
        Err(e) if super::is_unique_violation(&e) => Ok(Renamed::Duplicate),
        Err(e) => Err(e),
    }
}

/// Sets only the name.
pub async fn set_name(
    db: &Db,
    account_id: &str,
    id: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE credentials SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE account_id = ? AND id = ?",
    )
    .bind(name)
    .bind(account_id)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A credential as vobiz shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Described {
    pub id: String,
    pub username: String,
    pub realm: String,
    pub enabled: bool,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    pub account_wide: bool,
}

const DESCRIBED: &str =
    "id, username, realm, enabled, description, created_at, updated_at, account_wide";

pub async fn list_described(
    db: &Db,
    account_id: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Described>, i64), sqlx::Error> {
    let rows = sqlx::query_as(&format!(
        "SELECT {DESCRIBED} FROM credentials WHERE account_id = ? ORDER BY seq LIMIT ? OFFSET ?"
    ))
    .bind(account_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.read)
    .await?;
    let total = sqlx::query_scalar("SELECT count(*) FROM credentials WHERE account_id = ?")
        .bind(account_id)
        .fetch_one(&db.read)
        .await?;
    Ok((rows, total))
}

pub async fn find_described(
    db: &Db,
    account_id: &str,
    id: &str,
) -> Result<Option<Described>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DESCRIBED} FROM credentials WHERE account_id = ? AND id = ?"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

/// Sets HA1, enabled and description at once (the caller merges the rest).
pub async fn update_described(
    db: &Db,
    account_id: &str,
    id: &str,
    digests: Option<&Digests>,
    enabled: bool,
    description: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE credentials SET ha1 = coalesce(?, ha1), ha1b = coalesce(?, ha1b), enabled = ?,
                description = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE account_id = ? AND id = ?",
    )
    .bind(digests.map(|d| &d.ha1))
    .bind(digests.map(|d| &d.ha1b))
    .bind(enabled)
    .bind(description)
    .bind(account_id)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(r.rows_affected() == 1)
}
