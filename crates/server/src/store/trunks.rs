//! Zentrunk trunks and the credential and IP ACL each one uses.

use super::{Listed, Window};
use crate::db::Db;
use crate::sql::{q, Conn};
use sipauth_model::quota;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Trunk {
    pub id: String,
    pub name: String,
    pub trunk_direction: String,
    pub credential_id: Option<String>,
    pub ip_acl_id: Option<String>,
}

const COLUMNS: &str = "id, name, trunk_direction, credential_id, ip_acl_id";

impl super::Owned for Trunk {
    const TABLE: &'static str = "trunks";
    const COLUMNS: &'static str = COLUMNS;
}

/// Inserts or replaces a trunk; false when a reference is not the account's
/// or (insert) the account holds its quota. The checks are part of the
/// statement, so racing requests cannot pass them.
pub async fn save(
    mut conn: Conn<'_>,
    account_id: &str,
    t: &Trunk,
    insert: bool,
) -> Result<bool, sqlx::Error> {
    let owned =
        "($4 IS NULL OR EXISTS (SELECT 1 FROM credentials WHERE id = $4 AND account_id = $6))
         AND ($5 IS NULL OR EXISTS (SELECT 1 FROM ip_acls WHERE id = $5 AND account_id = $6))";
    let sql = if insert {
        format!(
            "INSERT INTO trunks (id, name, trunk_direction, credential_id, ip_acl_id, account_id)
             SELECT $1, $2, $3, $4, $5, $6 WHERE {owned}
               AND (SELECT count(*) FROM trunks WHERE account_id = $6) < {}",
            quota::TRUNKS_PER_ACCOUNT
        )
    } else {
        format!(
            "UPDATE trunks SET name = $2, trunk_direction = $3, credential_id = $4, ip_acl_id = $5
             WHERE id = $1 AND account_id = $6 AND {owned}"
        )
    };
    let r = q(sql)
        .arg(&t.id)
        .arg(&t.name)
        .arg(&t.trunk_direction)
        .arg(&t.credential_id)
        .arg(&t.ip_acl_id)
        .arg(account_id)
        .execute(conn.re())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A page of the account's trunks, optionally only those using a credential.
pub async fn list(
    db: &Db,
    account_id: &str,
    credential_id: Option<&str>,
    w: Window,
) -> Listed<Trunk> {
    let select = format!(
        "SELECT {COLUMNS}, seq FROM trunks
         WHERE account_id = $1 AND ($2 IS NULL OR credential_id = $2)"
    );
    let binds = [Some(account_id), credential_id];
    super::page(db, &select, &binds, "seq", w).await
}

/// The account's trunks whose `column` (`credential_id` or `ip_acl_id`) is
/// `id`: what a delete of that credential or ACL changes.
pub async fn using_on(
    mut conn: Conn<'_>,
    account_id: &str,
    column: &'static str,
    id: &str,
) -> Result<Vec<Trunk>, sqlx::Error> {
    q(format!(
        "SELECT {COLUMNS} FROM trunks WHERE account_id = $1 AND {column} = $2 ORDER BY seq"
    ))
    .arg(account_id)
    .arg(id)
    .fetch_all(conn.re())
    .await
}
