//! SIP domains (the twilio dialect's Domains) and their authentication
//! mappings to credential lists and IP ACLs.

use super::{Listed, Window};
use crate::db::Db;
use crate::sql::{q, Conn, Exec};
use sipauth_model::quota;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Domain {
    pub id: String,
    pub domain_name: String,
    pub friendly_name: String,
    pub voice_url: String,
    pub sip_registration: bool,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, domain_name, friendly_name, voice_url, sip_registration, created_at, updated_at";

impl super::Owned for Domain {
    const TABLE: &'static str = "domains";
    const COLUMNS: &'static str = COLUMNS;
}

pub enum Created {
    Ok(Domain),
    NameTaken,
    QuotaReached,
}

#[allow(clippy::too_many_arguments)]
pub async fn create(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
    domain_name: &str,
    friendly_name: &str,
    voice_url: &str,
    sip_registration: bool,
) -> Result<Created, sqlx::Error> {
    let result = q(format!(
        "INSERT INTO domains (id, account_id, domain_name, friendly_name, voice_url, sip_registration)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE (SELECT count(*) FROM domains WHERE account_id = $2) < $7
         RETURNING {COLUMNS}"
    ))
    .arg(id)
    .arg(account_id)
    .arg(domain_name)
    .arg(friendly_name)
    .arg(voice_url)
    .arg(sip_registration)
    .arg(quota::DOMAINS_PER_ACCOUNT)
    .fetch_optional(conn.re())
    .await;
    match result {
        Ok(Some(d)) => Ok(Created::Ok(d)),
        Ok(None) => Ok(Created::QuotaReached),
        Err(e) if super::is_unique_violation(&e) => Ok(Created::NameTaken),
        Err(e) => Err(e),
    }
}

/// Replaces the changeable fields (the caller merges what was not sent).
pub async fn update(
    mut conn: Conn<'_>,
    account_id: &str,
    d: &Domain,
) -> Result<Option<Domain>, sqlx::Error> {
    q(format!(
        "UPDATE domains SET friendly_name = $1, voice_url = $2, sip_registration = $3,
                updated_at = (SELECT now FROM utc)
         WHERE account_id = $4 AND id = $5 RETURNING {COLUMNS}"
    ))
    .arg(&d.friendly_name)
    .arg(&d.voice_url)
    .arg(d.sip_registration)
    .arg(account_id)
    .arg(&d.id)
    .fetch_optional(conn.re())
    .await
}

/// What a domain authenticates against, and for what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    CallsCredentials,
    CallsIpAcls,
    RegistrationsCredentials,
}

impl MappingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingKind::CallsCredentials => "calls_credentials",
            MappingKind::CallsIpAcls => "calls_ip_acls",
            MappingKind::RegistrationsCredentials => "registrations_credentials",
        }
    }

    fn target_column(self) -> &'static str {
        match self {
            MappingKind::CallsIpAcls => "ip_acl_id",
            _ => "credential_list_id",
        }
    }

    /// The table the target lives in, with its name column.
    fn target_table(self) -> (&'static str, &'static str) {
        match self {
            MappingKind::CallsIpAcls => ("ip_acls", "name"),
            _ => ("credential_lists", "friendly_name"),
        }
    }
}

/// A mapping as shown: the target's id and name, and when it was mapped.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mapping {
    pub target_id: String,
    pub friendly_name: String,
    pub created_at: String,
}

pub enum Mapped {
    Ok,
    NoSuchTarget,
    Already,
}

/// Maps one of the account's lists or ACLs to the domain; the target must
/// belong to the same account (checked in the insert).
pub async fn map(
    mut conn: Conn<'_>,
    account_id: &str,
    domain_id: &str,
    kind: MappingKind,
    target_id: &str,
) -> Result<Mapped, sqlx::Error> {
    let (table, _) = kind.target_table();
    let result = q(format!(
        "INSERT INTO domain_mappings (domain_id, kind, {column})
         SELECT $1, $2, $3
         WHERE EXISTS (SELECT 1 FROM {table} WHERE id = $3 AND account_id = $4)
           AND EXISTS (SELECT 1 FROM domains WHERE id = $1 AND account_id = $4)",
        column = kind.target_column()
    ))
    .arg(domain_id)
    .arg(kind.as_str())
    .arg(target_id)
    .arg(account_id)
    .execute(conn.re())
    .await;
    match result {
        Ok(r) if r.rows_affected() == 1 => Ok(Mapped::Ok),
        Ok(_) => Ok(Mapped::NoSuchTarget),
        Err(e) if super::is_unique_violation(&e) => Ok(Mapped::Already),
        Err(e) => Err(e),
    }
}

const MAPPING_SELECT: &str = "SELECT t.id AS target_id, t.{name} AS friendly_name, m.created_at,
            m.seq AS seq
     FROM domain_mappings m JOIN {table} t ON t.id = m.{column}
     WHERE m.domain_id = $1 AND m.kind = $2";

fn mapping_sql(kind: MappingKind, tail: &str) -> String {
    let (table, name) = kind.target_table();
    format!(
        "{} {tail}",
        MAPPING_SELECT
            .replace("{name}", name)
            .replace("{table}", table)
            .replace("{column}", kind.target_column())
    )
}

pub async fn mappings(db: &Db, domain_id: &str, kind: MappingKind, w: Window) -> Listed<Mapping> {
    let select = mapping_sql(kind, "");
    let binds = [Some(domain_id), Some(kind.as_str())];
    super::page(db, &select, &binds, "seq", w).await
}

pub async fn mapping<'e>(
    on: impl Into<Exec<'e>>,
    domain_id: &str,
    kind: MappingKind,
    target_id: &str,
) -> Result<Option<Mapping>, sqlx::Error> {
    q(mapping_sql(kind, "AND t.id = $3"))
        .arg(domain_id)
        .arg(kind.as_str())
        .arg(target_id)
        .fetch_optional(on)
        .await
}

pub async fn unmap(
    mut conn: Conn<'_>,
    domain_id: &str,
    kind: MappingKind,
    target_id: &str,
) -> Result<bool, sqlx::Error> {
    let r = q(format!(
        "DELETE FROM domain_mappings WHERE domain_id = $1 AND kind = $2 AND {} = $3",
        kind.target_column()
    ))
    .arg(domain_id)
    .arg(kind.as_str())
    .arg(target_id)
    .execute(conn.re())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A mapping with what the audit log names it by.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MappingRow {
    pub domain_id: String,
    pub domain_name: String,
    pub kind: String,
    pub target_id: String,
    pub target_name: String,
}

/// The mappings whose `column` (`domain_id`, `ip_acl_id` or
/// `credential_list_id`) is `id`: what a delete of it takes with it.
pub async fn mappings_touching(
    mut conn: Conn<'_>,
    column: &'static str,
    id: &str,
) -> Result<Vec<MappingRow>, sqlx::Error> {
    q(format!(
        "SELECT m.domain_id, d.domain_name, m.kind,
                coalesce(m.ip_acl_id, m.credential_list_id) AS target_id,
                coalesce(a.name, l.friendly_name) AS target_name
         FROM domain_mappings m JOIN domains d ON d.id = m.domain_id
         LEFT JOIN ip_acls a ON a.id = m.ip_acl_id
         LEFT JOIN credential_lists l ON l.id = m.credential_list_id
         WHERE m.{column} = $1 ORDER BY m.seq"
    ))
    .arg(id)
    .fetch_all(conn.re())
    .await
}

/// Every (credential list id, domain name) pair of the account where the
/// domain authenticates calls or registrations against the list, by
/// domain then mapping (a list mapped for both appears twice): where the
/// list's credentials are used (the export).
pub async fn credential_list_users(
    db: &Db,
    account_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    q("SELECT m.credential_list_id, d.domain_name
       FROM domain_mappings m JOIN domains d ON d.id = m.domain_id
       WHERE d.account_id = $1 AND m.credential_list_id IS NOT NULL
       ORDER BY d.seq, m.seq")
    .arg(account_id)
    .fetch_all(&db.read)
    .await
}
