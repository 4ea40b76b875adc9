//! Applications: what puts credentials and ACLs to use.

use super::{Listed, Window};
use crate::db::Db;
use crate::sql::{q, Conn};
use sipauth_model::quota;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Application {
    pub id: String,
    pub app_name: String,
    pub answer_url: String,
    pub sip_auth_type: String,
    pub credential_id: Option<String>,
    pub ip_acl_id: Option<String>,
}

const COLUMNS: &str = "id, app_name, answer_url, sip_auth_type, credential_id, ip_acl_id";

impl super::Owned for Application {
    const TABLE: &'static str = "applications";
    const COLUMNS: &'static str = COLUMNS;
}

/// Inserts an application unless the account holds its quota (counted in
/// the insert, so racing creates cannot pass it together); false if it does.
pub async fn create(
    mut conn: Conn<'_>,
    account_id: &str,
    a: &Application,
) -> Result<bool, sqlx::Error> {
    let r = q(
        "INSERT INTO applications (id, account_id, app_name, answer_url, sip_auth_type, credential_id, ip_acl_id)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE (SELECT count(*) FROM applications WHERE account_id = $2) < $8",
    )
    .arg(&a.id)
    .arg(account_id)
    .arg(&a.app_name)
    .arg(&a.answer_url)
    .arg(&a.sip_auth_type)
    .arg(&a.credential_id)
    .arg(&a.ip_acl_id)
    .arg(quota::APPLICATIONS_PER_ACCOUNT)
    .execute(conn.re())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Which applications to list: all, or those using a credential or an ACL.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub credential_id: Option<&'a str>,
    pub ip_acl_id: Option<&'a str>,
}

pub async fn list(db: &Db, account_id: &str, filter: Filter<'_>, w: Window) -> Listed<Application> {
    let select = format!(
        "SELECT {COLUMNS}, seq FROM applications WHERE account_id = $1
           AND ($2 IS NULL OR credential_id = $2) AND ($3 IS NULL OR ip_acl_id = $3)"
    );
    let binds = [Some(account_id), filter.credential_id, filter.ip_acl_id];
    super::page(db, &select, &binds, "seq", w).await
}

pub async fn update(
    mut conn: Conn<'_>,
    account_id: &str,
    a: &Application,
) -> Result<bool, sqlx::Error> {
    let r = q(
        "UPDATE applications SET app_name = $1, answer_url = $2, sip_auth_type = $3, credential_id = $4, ip_acl_id = $5
         WHERE account_id = $6 AND id = $7",
    )
    .arg(&a.app_name)
    .arg(&a.answer_url)
    .arg(&a.sip_auth_type)
    .arg(&a.credential_id)
    .arg(&a.ip_acl_id)
    .arg(account_id)
    .arg(&a.id)
    .execute(conn.re())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What an application may use, by id.
#[derive(Debug, Clone, Copy)]
pub enum Uses<'a> {
    Credential(&'a str),
    Acl(&'a str),
    /// Any credential of a twilio credential list.
    CredentialList(&'a str),
}

/// The names of the account's applications that use it, oldest first.
pub async fn names_using(
    db: &Db,
    account_id: &str,
    uses: Uses<'_>,
) -> Result<Vec<String>, sqlx::Error> {
    let (what, id) = match uses {
        Uses::Credential(id) => ("credential", id),
        Uses::Acl(id) => ("acl", id),
        Uses::CredentialList(id) => ("list", id),
    };
    let names: Vec<(String,)> = q(
        "SELECT a.app_name FROM applications a LEFT JOIN credentials c ON c.id = a.credential_id
         WHERE a.account_id = $3 AND CASE $1 WHEN 'credential' THEN a.credential_id = $2
                                             WHEN 'acl' THEN a.ip_acl_id = $2
                                             ELSE c.list_id = $2 END
         ORDER BY a.seq",
    )
    .arg(what)
    .arg(id)
    .arg(account_id)
    .fetch_all(&db.read)
    .await?;
    Ok(names.into_iter().map(|(name,)| name).collect())
}
