use crate::db::Db;
use crate::secrets;
use crate::sql::q;
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
    q("INSERT INTO accounts (auth_id, token_sha256, realm) VALUES ($1, $2, $3)")
        .arg(&account.auth_id)
        .arg(&account.token_sha256)
        .arg(&account.realm)
        .execute(&db.write)
        .await?;
    Ok(account)
}

pub async fn find(db: &Db, auth_id: &str) -> Result<Option<Account>, sqlx::Error> {
    q("SELECT auth_id, token_sha256, realm FROM accounts WHERE auth_id = $1")
        .arg(auth_id)
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
    q("SELECT auth_id FROM accounts ORDER BY rowid LIMIT 1")
        .scalar_optional(&db.read)
        .await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    q("SELECT count(*) FROM accounts").scalar(&db.read).await
}

/// Rows whose SIP name is not their account's: credentials in another realm
/// and Twilio domains outside the account's realm, each described for the
/// operator. The API refuses to make them (they would authenticate another
/// account's traffic); a store that holds one from before that rule must be
/// cleaned up before it serves (see `sipauth serve`).
pub async fn foreign_sip_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    // The domain's last `length(realm) + 1` characters, read from a
    // positive start: the CASE reaches `substr` only for names longer than
    // that, whose start is then at least 2.
    let rows: Vec<(String,)> = q(
        "SELECT 'credential ' || c.id || ' (username ' || c.username || ', realm ' || c.realm
                || ') of account ' || c.account_id || ', whose realm is ' || a.realm
         FROM credentials c JOIN accounts a ON a.auth_id = c.account_id
         WHERE c.realm <> a.realm
         UNION ALL
         SELECT 'domain ' || d.id || ' (' || d.domain_name || ') of account ' || d.account_id
                || ', whose names must end with .' || a.realm
         FROM domains d JOIN accounts a ON a.auth_id = d.account_id
         WHERE CASE WHEN length(d.domain_name) <= length(a.realm) + 1 THEN TRUE
                    ELSE substr(d.domain_name, length(d.domain_name) - length(a.realm))
                         <> '.' || a.realm END",
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
            q("SELECT auth_id, realm FROM accounts ORDER BY rowid LIMIT $1")
                .arg(MAX_LISTED)
                .fetch_all(&db.read)
                .await
        }
        // `IN ()` is no SQL on PostgreSQL: an empty scope lists nothing.
        Some(ids) if ids.is_empty() => Ok(Vec::new()),
        Some(ids) => {
            q(format!(
                "SELECT auth_id, realm FROM accounts WHERE auth_id IN ({})
                 ORDER BY rowid LIMIT ${}",
                numbered(1, ids.len()),
                ids.len() + 1
            ))
            .args(ids)
            .arg(MAX_LISTED)
            .fetch_all(&db.read)
            .await
        }
    }
}

/// Which of `ids` name no account (in their order, repeats kept).
pub async fn unknown<'e>(
    exec: impl Into<crate::sql::Exec<'e>>,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<(String,)> = q(format!(
        "SELECT auth_id FROM accounts WHERE auth_id IN ({})",
        numbered(1, ids.len())
    ))
    .args(ids)
    .fetch_all(exec)
    .await?;
    let known: std::collections::HashSet<String> = known.into_iter().map(|(id,)| id).collect();
    Ok(ids
        .iter()
        .filter(|id| !known.contains(*id))
        .cloned()
        .collect())
}

/// `count` placeholders from `$first`: `$1, $2, $3`.
fn numbered(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
