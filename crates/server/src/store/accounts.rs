use crate::db::Db;
use crate::secrets;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub auth_id: String,
    pub token_sha256: Vec<u8>,
    pub realm: String,
}

/// The account's default realm: its id under the server's SIP domain, so
/// that two accounts never share a realm.
pub fn realm_for(auth_id: &str, sip_domain: &str) -> String {
    format!("{}.{}", auth_id.to_ascii_lowercase(), sip_domain)
}

pub async fn create(
    db: &Db,
    auth_id: &str,
    token: &str,
    sip_domain: &str,
) -> Result<Account, sqlx::Error> {
    let account = Account {
        auth_id: auth_id.to_string(),
        token_sha256: secrets::sha256(token),
        realm: realm_for(auth_id, sip_domain),
    };
    sqlx::query("INSERT INTO accounts (auth_id, token_sha256, realm) VALUES (?, ?, ?)")
        .bind(&account.auth_id)
        .bind(&account.token_sha256)
        .bind(&account.realm)
        .execute(&db.write)
        .await?;
    Ok(account)
}

pub async fn find(db: &Db, auth_id: &str) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as("SELECT auth_id, token_sha256, realm FROM accounts WHERE auth_id = ?")
        .bind(auth_id)
        .fetch_optional(&db.read)
        .await
}

/// Accounts already read, so that an API request costs no query to
/// authenticate. Sound because an account never changes once created (there
/// is no token rotation or deletion; whoever adds one must evict here).
/// Unknown ids are not remembered: an account the CLI creates while the
/// server runs is found on its first request.
#[derive(Default)]
pub struct Cache {
    known: RwLock<HashMap<String, Arc<Account>>>,
}

impl Cache {
    /// Shared, not copied: every request of an account holds the same one.
    pub async fn find(&self, db: &Db, auth_id: &str) -> Result<Option<Arc<Account>>, sqlx::Error> {
        if let Some(a) = self.known.read().expect("account cache").get(auth_id) {
            return Ok(Some(a.clone()));
        }
        let found = find(db, auth_id).await?.map(Arc::new);
        if let Some(a) = &found {
            self.known
                .write()
                .expect("account cache")
                .insert(a.auth_id.clone(), a.clone());
        }
        Ok(found)
    }
}

/// The account the console opens by default: the oldest one.
pub async fn first(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT auth_id FROM accounts ORDER BY rowid LIMIT 1")
        .fetch_optional(&db.read)
        .await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&db.read)
        .await
}

/// Rows whose SIP name is not their account's: credentials in another realm
/// and Twilio domains outside the account's realm, each described for the
/// operator. The API refuses to make them (they would authenticate another
/// account's traffic); a store that holds one from before that rule must be
/// cleaned up before it serves (see `sipauth serve`).
pub async fn foreign_sip_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT 'credential ' || c.id || ' (username ' || c.username || ', realm ' || c.realm
                || ') of account ' || c.account_id || ', whose realm is ' || a.realm
         FROM credentials c JOIN accounts a ON a.auth_id = c.account_id
         WHERE c.realm <> a.realm
         UNION ALL
         SELECT 'domain ' || d.id || ' (' || d.domain_name || ') of account ' || d.account_id
                || ', whose names must end with .' || a.realm
         FROM domains d JOIN accounts a ON a.auth_id = d.account_id
         WHERE substr(d.domain_name, -length(a.realm) - 1) <> '.' || a.realm
            OR length(d.domain_name) <= length(a.realm) + 1",
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// The most accounts a session lists, and an operator's scope may name.
pub const MAX_LISTED: i64 = 500;

/// The accounts an operator with this scope may use (`None`: all), oldest
/// first, at most [`MAX_LISTED`]: `(auth_id, realm)`.
pub async fn usable(
    db: &Db,
    scope: &Option<Vec<String>>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    match scope {
        None => {
            sqlx::query_as("SELECT auth_id, realm FROM accounts ORDER BY rowid LIMIT ?")
                .bind(MAX_LISTED)
                .fetch_all(&db.read)
                .await
        }
        Some(ids) => {
            sqlx::query_as(
                "SELECT auth_id, realm FROM accounts
                 WHERE auth_id IN (SELECT value FROM json_each(?))
                 ORDER BY rowid LIMIT ?",
            )
            .bind(serde_json::to_string(ids).expect("strings serialize"))
            .bind(MAX_LISTED)
            .fetch_all(&db.read)
            .await
        }
    }
}

/// Which of `ids` name no account.
pub async fn unknown(
    exec: impl sqlx::SqliteExecutor<'_>,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT auth_id FROM accounts)",
    )
    .bind(serde_json::to_string(ids).expect("strings serialize"))
    .fetch_all(exec)
    .await
}
