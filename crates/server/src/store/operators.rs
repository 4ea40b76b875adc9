//! Console operators and their sessions.

use crate::db::Db;
use crate::secrets;
use crate::service::Role;
use crate::sql::{q, Arg, Conn, Exec};

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    q("SELECT count(*) FROM operators").scalar(&db.read).await
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
    let mut tx = db.transaction(Some(crate::db::GLOBAL)).await?;
    let result = if replace {
        q("UPDATE operators SET password_hash = $1 WHERE username = $2")
            .arg(password_hash)
            .arg(username)
            .execute(tx.conn())
            .await?
    } else {
        q(
            "INSERT INTO operators (username, password_hash) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .arg(username)
        .arg(password_hash)
        .execute(tx.conn())
        .await?
    };
    if replace && result.rows_affected() == 1 {
        // A new password signs out every session of that operator.
        q("DELETE FROM sessions WHERE operator = $1")
            .arg(username)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(result.rows_affected() == 1)
}

/// The password hash of an operator who may sign in: a disabled one has
/// none, so its sign-in fails exactly like a wrong password.
pub async fn password_hash(db: &Db, username: &str) -> Result<Option<String>, sqlx::Error> {
    q("SELECT password_hash FROM operators WHERE username = $1 AND NOT disabled")
        .arg(username)
        .scalar_optional(&db.read)
        .await
}

/// A live session of an enabled operator, with what that operator may do
/// as the operators row says now (a change of role or scope applies to the
/// very next request).
#[derive(Debug, Clone)]
pub struct Session {
    pub operator: String,
    pub csrf_token: String,
    pub role: Role,
    /// The accounts the operator may use; `None`: every account.
    pub accounts: Option<Vec<String>>,
}

impl Session {
    /// Whether the operator may use the account `auth_id`.
    pub fn may_use(&self, auth_id: &str) -> bool {
        self.accounts
            .as_ref()
            .is_none_or(|a| a.iter().any(|id| id == auth_id))
    }
}

/// An operator as the console's Operators page shows it (never its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub username: String,
    pub role: Role,
    /// `None`: every account.
    pub accounts: Option<Vec<String>>,
    pub disabled: bool,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
}

type OperatorRow = (String, String, Option<String>, bool, String, Option<String>);

fn role_of(text: &str) -> Role {
    // The column's CHECK admits only the three names.
    text.parse().unwrap_or(Role::Viewer)
}

/// The JSON array of a scope as stored (`NULL`: every account).
pub fn scope_json(accounts: &Option<Vec<String>>) -> Option<String> {
    accounts
        .as_ref()
        .map(|a| serde_json::to_string(a).expect("strings serialize"))
}

fn scope_of(json: Option<String>) -> Option<Vec<String>> {
    // A scope that does not read back grants nothing rather than everything.
    json.map(|j| serde_json::from_str(&j).unwrap_or_default())
}

impl From<OperatorRow> for Operator {
    fn from(
        (username, role, accounts, disabled, created_at, last_sign_in_at): OperatorRow,
    ) -> Self {
        Operator {
            username,
            role: role_of(&role),
            accounts: scope_of(accounts),
            disabled,
            created_at,
            last_sign_in_at,
        }
    }
}

const OPERATOR_COLUMNS: &str = "username, role, accounts, disabled, created_at, last_sign_in_at";

/// Every operator, oldest first.
pub async fn list(db: &Db) -> Result<Vec<Operator>, sqlx::Error> {
    let rows: Vec<OperatorRow> = q(format!(
        "SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY rowid"
    ))
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(Operator::from).collect())
}

pub async fn find<'e>(
    exec: impl Into<Exec<'e>>,
    username: &str,
) -> Result<Option<Operator>, sqlx::Error> {
    let row: Option<OperatorRow> = q(format!(
        "SELECT {OPERATOR_COLUMNS} FROM operators WHERE username = $1"
    ))
    .arg(username)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(Operator::from))
}

/// Adds an operator; false when the name is taken.
pub async fn insert(
    mut conn: Conn<'_>,
    username: &str,
    password_hash: &str,
    role: Role,
    accounts: &Option<Vec<String>>,
) -> Result<bool, sqlx::Error> {
    let r = q(
        "INSERT INTO operators (username, password_hash, role, accounts)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .arg(username)
    .arg(password_hash)
    .arg(role.as_str())
    .arg(scope_json(accounts))
    .execute(conn.re())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets an operator's role, scope and disabled flag.
pub async fn update(mut conn: Conn<'_>, o: &Operator) -> Result<(), sqlx::Error> {
    q("UPDATE operators SET role = $1, accounts = $2, disabled = $3 WHERE username = $4")
        .arg(o.role.as_str())
        .arg(scope_json(&o.accounts))
        .arg(o.disabled)
        .arg(&o.username)
        .execute(conn.re())
        .await?;
    Ok(())
}

pub async fn set_password(
    mut conn: Conn<'_>,
    username: &str,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let r = q("UPDATE operators SET password_hash = $1 WHERE username = $2")
        .arg(password_hash)
        .arg(username)
        .execute(conn.re())
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn remove(mut conn: Conn<'_>, username: &str) -> Result<bool, sqlx::Error> {
    let r = q("DELETE FROM operators WHERE username = $1")
        .arg(username)
        .execute(conn.re())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends every session of `username` but the one whose token is `keep`.
pub async fn end_sessions(
    mut conn: Conn<'_>,
    username: &str,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    q("DELETE FROM sessions WHERE operator = $1 AND token_sha256 IS DISTINCT FROM $2")
        .arg(username)
        .arg(Arg::Blob(keep.map(|k| secrets::sha256(k).into())))
        .execute(conn.re())
        .await?;
    Ok(())
}

/// How many enabled admins there are besides `username`.
pub async fn other_enabled_admins(mut conn: Conn<'_>, username: &str) -> Result<i64, sqlx::Error> {
    q("SELECT count(*) FROM operators WHERE role = 'admin' AND NOT disabled AND username <> $1")
        .arg(username)
        .scalar(conn.re())
        .await
}

/// Sessions one operator may hold at once (browsers, machines, tabs
/// signed in apart): a new one past it ends the one that would end first.
pub const SESSIONS_PER_OPERATOR: i64 = 30;

pub async fn create_session(
    mut conn: Conn<'_>,
    operator: &str,
    token: &str,
    csrf_token: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    q("DELETE FROM sessions WHERE expires_at < $1")
        .arg(now())
        .execute(conn.re())
        .await?;
    q(
        "INSERT INTO sessions (token_sha256, operator, csrf_token, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .arg(secrets::sha256(token))
    .arg(operator)
    .arg(csrf_token)
    .arg(expires_at)
    .execute(conn.re())
    .await?;
    // Every resource has a quota: past it, the sessions that would end
    // first are ended now.
    q(
        "DELETE FROM sessions WHERE operator = $1 AND token_sha256 NOT IN (
           SELECT token_sha256 FROM sessions WHERE operator = $2
           ORDER BY expires_at DESC, token_sha256 LIMIT $3)",
    )
    .arg(operator)
    .arg(operator)
    .arg(SESSIONS_PER_OPERATOR)
    .execute(conn.re())
    .await?;
    q("UPDATE operators SET last_sign_in_at = (SELECT now FROM utc) WHERE username = $1")
        .arg(operator)
        .execute(conn.re())
        .await?;
    Ok(())
}

/// The session of `token`, with its operator's role and scope read in the
/// same query; none when it expired or its operator is disabled.
pub async fn find_session(db: &Db, token: &str) -> Result<Option<Session>, sqlx::Error> {
    let row: Option<(String, String, String, Option<String>)> =
        q("SELECT s.operator, s.csrf_token, o.role, o.accounts
           FROM sessions s JOIN operators o ON o.username = s.operator
           WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND NOT o.disabled")
        .arg(secrets::sha256(token))
        .arg(now())
        .fetch_optional(&db.read)
        .await?;
    Ok(row.map(|(operator, csrf_token, role, accounts)| Session {
        operator,
        csrf_token,
        role: role_of(&role),
        accounts: scope_of(accounts),
    }))
}

pub async fn delete_session(mut conn: Conn<'_>, token: &str) -> Result<(), sqlx::Error> {
    q("DELETE FROM sessions WHERE token_sha256 = $1")
        .arg(secrets::sha256(token))
        .execute(conn.re())
        .await?;
    Ok(())
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
