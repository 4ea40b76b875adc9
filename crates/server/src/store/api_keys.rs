//! An account's named API keys: an id (`SK` + 32 hex digits) and a secret
//! stored only as its SHA-256. A revoked key is a deleted row, so nothing
//! can remember it past its revocation.

use crate::db::Db;
use crate::service::Role;
use crate::sql::{q, Conn};

/// Keys an account may hold.
pub const MAX_PER_ACCOUNT: i64 = 100;

/// A key as the console lists it (never its secret or hash).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

type Row = (String, String, String, String, String, Option<String>);

impl From<Row> for ApiKey {
    fn from((id, account_id, name, role, created_at, last_used_at): Row) -> Self {
        ApiKey {
            id,
            account_id,
            name,
            // The column's CHECK admits editor and viewer only.
            role: role.parse().unwrap_or(Role::Viewer),
            created_at,
            last_used_at,
        }
    }
}

const COLUMNS: &str = "id, account_id, name, role, created_at, last_used_at";

/// Whether `user` has the shape of a key id, so Basic auth's user names a
/// key rather than an account.
pub fn looks_like_id(user: &str) -> bool {
    user.len() == 34
        && user.starts_with("SK")
        && user[2..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The account's keys, oldest first.
pub async fn list(db: &Db, account_id: &str) -> Result<Vec<ApiKey>, sqlx::Error> {
    let rows: Vec<Row> = q(format!(
        "SELECT {COLUMNS} FROM api_keys WHERE account_id = $1 ORDER BY rowid"
    ))
    .arg(account_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

pub async fn find<'e>(
    exec: impl Into<crate::sql::Exec<'e>>,
    account_id: &str,
    id: &str,
) -> Result<Option<ApiKey>, sqlx::Error> {
    let row: Option<Row> = q(format!(
        "SELECT {COLUMNS} FROM api_keys WHERE account_id = $1 AND id = $2"
    ))
    .arg(account_id)
    .arg(id)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(ApiKey::from))
}

/// What authenticating with a key needs: its account, name, role and hash.
pub struct Presented {
    pub account_id: String,
    pub name: String,
    pub role: Role,
    pub secret_sha256: Vec<u8>,
}

/// The key `id`, read on every request that presents it (no cache: a
/// revoked key is refused on its very next request).
pub async fn for_auth(db: &Db, id: &str) -> Result<Option<Presented>, sqlx::Error> {
    let row: Option<(String, String, String, Vec<u8>)> =
        q("SELECT account_id, name, role, secret_sha256 FROM api_keys WHERE id = $1")
            .arg(id)
            .fetch_optional(&db.read)
            .await?;
    Ok(
        row.map(|(account_id, name, role, secret_sha256)| Presented {
            account_id,
            name,
            role: role.parse().unwrap_or(Role::Viewer),
            secret_sha256,
        }),
    )
}

/// How many keys the account has.
pub async fn count(mut conn: Conn<'_>, account_id: &str) -> Result<i64, sqlx::Error> {
    q("SELECT count(*) FROM api_keys WHERE account_id = $1")
        .arg(account_id)
        .scalar(conn.re())
        .await
}

/// Whether the account has a key named `name` (ASCII case ignored).
pub async fn name_taken(
    mut conn: Conn<'_>,
    account_id: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    q("SELECT EXISTS (SELECT 1 FROM api_keys WHERE account_id = $1 AND lower(name) = lower($2))")
        .arg(account_id)
        .arg(name)
        .scalar(conn.re())
        .await
}

pub async fn insert(
    mut conn: Conn<'_>,
    id: &str,
    account_id: &str,
    name: &str,
    role: Role,
    secret_sha256: &[u8],
) -> Result<(), sqlx::Error> {
    q("INSERT INTO api_keys (id, account_id, name, role, secret_sha256) VALUES ($1, $2, $3, $4, $5)")
        .arg(id)
        .arg(account_id)
        .arg(name)
        .arg(role.as_str())
        .arg(secret_sha256)
        .execute(conn.re())
    .await?;
    Ok(())
}

/// Revokes a key: its row goes.
pub async fn remove(mut conn: Conn<'_>, account_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let r = q("DELETE FROM api_keys WHERE account_id = $1 AND id = $2")
        .arg(account_id)
        .arg(id)
        .execute(conn.re())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records that the key was used now.
pub async fn touch(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    q("UPDATE api_keys SET last_used_at = (SELECT now FROM utc) WHERE id = $1")
        .arg(id)
        .execute(&db.write)
        .await?;
    Ok(())
}
