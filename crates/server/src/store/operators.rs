//! Console operators and their sessions.

use crate::db::Db;
use crate::secrets;

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM operators")
        .fetch_one(&db.read)
        .await
}

/// Adds an operator, or with `replace` sets an existing one's password.
/// Returns false when adding a name that exists, or resetting one that doesn't.
pub async fn upsert(
    db: &Db,
    username: &str,
    password_hash: &str,
    replace: bool,
) -> Result<bool, sqlx::Error> {
    // One transaction: a reset password and the end of that operator's
    // sessions land together, or neither does.
    let mut tx = db.write.begin().await?;
    let result = if replace {
        sqlx::query("UPDATE operators SET password_hash = ? WHERE username = ?")
            .bind(password_hash)
            .bind(username)
            .execute(&mut *tx)
            .await?
    } else {
        sqlx::query("INSERT OR IGNORE INTO operators (username, password_hash) VALUES (?, ?)")
            .bind(username)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?
    };
    if replace && result.rows_affected() == 1 {
        // A new password signs out every session of that operator.
        sqlx::query("DELETE FROM sessions WHERE operator = ?")
            .bind(username)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(result.rows_affected() == 1)
}

pub async fn password_hash(db: &Db, username: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM operators WHERE username = ?")
        .bind(username)
        .fetch_optional(&db.read)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub operator: String,
    pub csrf_token: String,
}

pub async fn create_session(
    db: &Db,
    operator: &str,
    token: &str,
    csrf_token: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
        .bind(now())
        .execute(&db.write)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_sha256, operator, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(secrets::sha256(token))
    .bind(operator)
    .bind(csrf_token)
    .bind(expires_at)
    .execute(&db.write)
    .await?;
    Ok(())
}

pub async fn find_session(db: &Db, token: &str) -> Result<Option<Session>, sqlx::Error> {
    sqlx::query_as(
        "SELECT operator, csrf_token FROM sessions WHERE token_sha256 = ? AND expires_at > ?",
    )
    .bind(secrets::sha256(token))
    .bind(now())
    .fetch_optional(&db.read)
    .await
}

pub async fn delete_session(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_sha256 = ?")
        .bind(secrets::sha256(token))
        .execute(&db.write)
        .await?;
    Ok(())
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
