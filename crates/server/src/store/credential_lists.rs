//! Credential lists (the twilio dialect's CredentialLists): named groups of
//! an account's credentials.

use crate::sql::{q, Conn};
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

/// Why a create or rename wrote nothing.
pub enum Refused {
    /// The account holds its quota of lists (create) or has no such list
    /// (rename).
    QuotaOrMissing,
    /// Another of the account's lists has the name.
    NameTaken,
}

/// Creates a list unless the account holds its quota of lists or a list
/// of that name (both checked in the insert itself).
pub async fn create(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    friendly_name: &str,
) -> Result<Result<CredentialList, Refused>, sqlx::Error> {
    let free = super::name_free("credential_lists", "friendly_name", "$2", "$3", "$1");
    let row = q(format!(
        "INSERT INTO credential_lists (id, account_id, friendly_name)
         SELECT $1, $2, $3 WHERE (SELECT count(*) FROM credential_lists WHERE account_id = $2) < $4
           AND {free}
         RETURNING {COLUMNS}"
    ))
    .arg(id)
    .arg(account_id)
    .arg(friendly_name)
    .arg(quota::CREDENTIAL_LISTS_PER_ACCOUNT)
    .fetch_optional(conn.re())
    .await?;
    written(conn, account_id, id, friendly_name, row).await
}

/// Renames one of the account's lists unless another has the name.
pub async fn rename(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    friendly_name: &str,
) -> Result<Result<CredentialList, Refused>, sqlx::Error> {
    let free = super::name_free("credential_lists", "friendly_name", "$2", "$1", "$3");
    let row = q(format!(
        "UPDATE credential_lists SET friendly_name = $1, updated_at = (SELECT now FROM utc)
         WHERE account_id = $2 AND id = $3 AND {free} RETURNING {COLUMNS}"
    ))
    .arg(friendly_name)
    .arg(account_id)
    .arg(id)
    .fetch_optional(conn.re())
    .await?;
    if row.is_none()
        && super::find_on::<CredentialList>(conn.re(), account_id, id)
            .await?
            .is_none()
    {
        return Ok(Err(Refused::QuotaOrMissing));
    }
    written(conn, account_id, id, friendly_name, row).await
}

/// The written row, or why nothing was written.
async fn written(
    conn: Conn<'_>,
    account_id: &str,
    id: &str,
    friendly_name: &str,
    row: Option<CredentialList>,
) -> Result<Result<CredentialList, Refused>, sqlx::Error> {
    if let Some(row) = row {
        return Ok(Ok(row));
    }
    let taken = super::name_taken(
        conn,
        "credential_lists",
        "friendly_name",
        account_id,
        friendly_name,
        id,
    )
    .await?;
    Ok(Err(if taken {
        Refused::NameTaken
    } else {
        Refused::QuotaOrMissing
    }))
}
