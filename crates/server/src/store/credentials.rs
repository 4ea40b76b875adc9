//! SIP credentials: username, realm and HA1s, never the password. One row
//! type for every dialect; each shows the columns it knows.

use super::{Listed, Window};
use crate::db::Db;
use crate::sql::{q, Conn, Done};
use sipauth_model::{quota, Digests};

/// A stored credential (never its digests). A brief list row has only the
/// first three fields; the rest are their defaults.
#[derive(Debug, Clone, Default, sqlx::FromRow, serde::Deserialize)]
#[serde(default)]
pub struct Credential {
    pub id: String,
    pub username: String,
    pub realm: String,
    /// A twilio credential list; `None`: made through another dialect.
    pub list_id: Option<String>,
    /// Zentrunk's friendly name.
    pub name: String,
    /// Vobiz's description.
    pub description: String,
    /// Vobiz can disable a credential; a disabled one authenticates nothing.
    pub enabled: bool,
    /// Vobiz credentials register and call at the account's realm without
    /// being assigned anywhere.
    pub account_wide: bool,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, username, realm, list_id, name, description, enabled, account_wide,
                       created_at, updated_at";

impl super::Owned for Credential {
    const TABLE: &'static str = "credentials";
    const COLUMNS: &'static str = COLUMNS;
}

/// The same columns as one JSON array, in the struct's field order (serde
/// reads a struct from an array): no key is repeated per row, which made the
/// page a quarter slower to build and parse than the columns themselves.
const AS_JSON: &str = "json_array(id, username, realm, list_id, name, description,
    json(CASE WHEN enabled THEN 'true' ELSE 'false' END),
    json(CASE WHEN account_wide THEN 'true' ELSE 'false' END),
    created_at, updated_at)";

/// [`AS_JSON`] on PostgreSQL, whose booleans are JSON's already.
const AS_JSON_PG: &str = "json_build_array(id, username, realm, list_id, name, description,
    enabled, account_wide, created_at, updated_at)";

/// A credential to insert (the password already reduced to its digests).
pub struct NewCredential<'a> {
    pub id: &'a str,
    pub username: &'a str,
    /// Always the account's own realm.
    pub realm: &'a str,
    pub digests: &'a Digests,
    pub list_id: Option<&'a str>,
    pub name: &'a str,
    pub description: &'a str,
    pub enabled: bool,
    pub account_wide: bool,
}

pub enum Written {
    Ok,
    /// Create: the account holds its quota. Update: no such credential.
    Refused,
    /// The account already has this username.
    Duplicate,
}

/// Inserts a credential unless the account already holds its quota. The
/// count and the insert are one statement, so racing creates cannot pass
/// the quota together.
pub async fn create(
    mut conn: Conn<'_>,
    account_id: &str,
    c: &NewCredential<'_>,
) -> Result<Written, sqlx::Error> {
    let result = q(
        "INSERT INTO credentials (id, account_id, username, realm, ha1, list_id, name, description,
                                  enabled, ha1b, account_wide)
         SELECT $1, $2, $3, $4, $5, $7, $8, $9, $10, $11, $12
         WHERE (SELECT count(*) FROM credentials WHERE account_id = $2) < $6",
    )
    .arg(c.id)
    .arg(account_id)
    .arg(c.username)
    .arg(c.realm)
    .arg(&c.digests.ha1)
    .arg(quota::CREDENTIALS_PER_ACCOUNT)
    .arg(c.list_id)
    .arg(c.name)
    .arg(c.description)
    .arg(c.enabled)
    .arg(&c.digests.ha1b)
    .arg(c.account_wide)
    .execute(conn.re())
    .await;
    written(result)
}

fn written(result: Result<Done, sqlx::Error>) -> Result<Written, sqlx::Error> {
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Written::Ok),
        Ok(_) => Ok(Written::Refused),
        // Realms are the account's own, so either constraint means a
        // username this account already has: nothing about another account.
        Err(e) if super::is_unique_violation(&e) => Ok(Written::Duplicate),
        Err(e) => Err(e),
    }
}

/// Which credentials a list shows, and how much of each.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Only `id`, `username` and `realm` (what plivo's list shows): the
    /// hottest list builds and parses a third of the columns.
    pub brief: bool,
    /// Usernames containing this (case-insensitive).
    pub search: Option<&'a str>,
    /// Only this twilio credential list's.
    pub list_id: Option<&'a str>,
}

/// One page of the account's credentials, oldest first, and the total.
pub async fn list(db: &Db, account_id: &str, filter: Filter<'_>, w: Window) -> Listed<Credential> {
    let pattern = filter.search.map(super::like_pattern);
    const WHERE: &str = "WHERE account_id = $1
                         AND ($2 IS NULL OR lower(username) LIKE lower($2) ESCAPE '\\')
                         AND ($3 IS NULL OR list_id = $3)";
    // The page comes back as one JSON array in one row, with the total:
    // sqlx hands SQLite rows over one by one from its worker thread, and for
    // a list that hand-over cost more than the query (BENCHMARKS.md).
    // PostgreSQL builds the same array with its own functions (and `[]`, as
    // SQLite does, for an empty page).
    let (row, row_pg) = if filter.brief {
        (
            "json_array(id, username, realm)",
            "json_build_array(id, username, realm)",
        )
    } else {
        (AS_JSON, AS_JSON_PG)
    };
    let tail = format!(
        "(SELECT count(*) FROM credentials {WHERE})
         FROM (SELECT seq, {COLUMNS} FROM credentials {WHERE}
               ORDER BY seq LIMIT $4 OFFSET $5) AS page"
    );
    let (page, total): (String, i64) = q(format!(
        "SELECT json_group_array({row} ORDER BY seq), {tail}"
    ))
    .pg(format!(
        "SELECT coalesce(json_agg({row_pg} ORDER BY seq), '[]')::text, {tail}"
    ))
    .arg(account_id)
    .arg(&pattern)
    .arg(filter.list_id)
    .arg(w.limit)
    .arg(w.offset)
    .fetch_one(&db.read)
    .await?;
    let rows = serde_json::from_str(&page).map_err(|e| sqlx::Error::Decode(e.into()))?;
    Ok((rows, total))
}

/// The list that already has `username` in this account, if any (`None`
/// inside: made through another dialect), for the 409.
pub async fn list_holding(
    db: &Db,
    account_id: &str,
    username: &str,
) -> Result<Option<Option<(String, String)>>, sqlx::Error> {
    let row: Option<(Option<String>, Option<String>)> =
        q("SELECT c.list_id, l.friendly_name FROM credentials c
           LEFT JOIN credential_lists l ON l.id = c.list_id
           WHERE c.account_id = $1 AND c.username = $2")
        .arg(account_id)
        .arg(username)
        .fetch_optional(&db.read)
        .await?;
    Ok(row.map(|(id, name)| id.zip(name)))
}

/// What an update sets; `None` keeps the stored value.
#[derive(Default)]
pub struct Update<'a> {
    pub username: Option<&'a str>,
    /// A new username needs new digests: the caller passes both.
    pub digests: Option<&'a Digests>,
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub enabled: Option<bool>,
}

pub async fn update(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    u: &Update<'_>,
) -> Result<Written, sqlx::Error> {
    let result = q(
        "UPDATE credentials SET username = coalesce($1, username), ha1 = coalesce($2, ha1),
                ha1b = coalesce($3, ha1b), name = coalesce($4, name),
                description = coalesce($5, description), enabled = coalesce($6, enabled),
                updated_at = (SELECT now FROM utc)
         WHERE account_id = $7 AND id = $8",
    )
    .arg(u.username)
    .arg(u.digests.map(|d| &d.ha1))
    .arg(u.digests.map(|d| &d.ha1b))
    .arg(u.name)
    .arg(u.description)
    .arg(u.enabled)
    .arg(account_id)
    .arg(id)
    .execute(conn.re())
    .await;
    written(result)
}

/// The credentials of one of the account's twilio lists, on `conn`: what
/// the list's delete takes with it.
pub async fn in_list_on(
    mut conn: Conn<'_>,
    account_id: &str,
    list_id: &str,
) -> Result<Vec<Credential>, sqlx::Error> {
    q(format!(
        "SELECT {COLUMNS} FROM credentials WHERE account_id = $1 AND list_id = $2 ORDER BY seq"
    ))
    .arg(account_id)
    .arg(list_id)
    .fetch_all(conn.re())
    .await
}
