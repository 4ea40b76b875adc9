//! Credential lists (the twilio dialect's CredentialLists): named groups of
//! an account's credentials.

use crate::db::Db;
use sipauth_model::quota;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CredentialList {
    pub id: String,
    pub friendly_name: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, friendly_name, created_at, updated_at";

impl super::Owned for CredentialList {
    const TABLE: &'static str = "credential_lists";
    const COLUMNS: &'static str = COLUMNS;
}

pub async fn create(
    db: &Db,
    account_id: &str,
    id: &str,
    friendly_name: &str,
) -> Result<Option<CredentialList>, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO credential_lists (id, account_id, friendly_name)
         SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM credential_lists WHERE account_id = ?2) < ?4
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(account_id)
    .bind(friendly_name)
    .bind(quota::CREDENTIAL_LISTS_PER_ACCOUNT)
    .fetch_optional(&db.write)
    .await
}

pub async fn rename(
    db: &Db,
    account_id: &str,
    id: &str,
    friendly_name: &str,
) -> Result<Option<CredentialList>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE credential_lists SET friendly_name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE account_id = ? AND id = ? RETURNING {COLUMNS}"
    ))
    .bind(friendly_name)
    .bind(account_id)
    .bind(id)
    .fetch_optional(&db.write)
    .await
}
