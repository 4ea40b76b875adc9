//! Exports of an account's credentials and IP ACLs, as CSV or JSON, for any
//! caller of the account (viewers included: an export changes nothing).
//!
//! - `GET /v1/Account/{auth_id}/Export/Credentials?format=csv|json`
//! - `GET /v1/Account/{auth_id}/Export/IPAccessControlLists?format=csv|json[&acl=<id>]`
//!
//! One ACL's CSV is the bulk import's format (`ip,description`, the address
//! as `ip/prefix`), so it imports into another ACL unchanged. Every CSV
//! quotes every cell (an import trims what is not quoted) and guards cells
//! against spreadsheet formulas with `sipauth_model::spreadsheet`, which
//! the import undoes. Bounded by the account's quotas: everything is built
//! in memory. Each export appends one audit record. Not served in proxy
//! mode (the provider has no such route).

use crate::error::ApiError;
use crate::service::audit;
use crate::service::Caller;
use crate::store::{self, acls, applications, credential_lists, credentials, Window};
use crate::{auth, AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use sipauth_model::{quota, spreadsheet};
use std::collections::HashMap;

/// Relative to `/v1`.
const CREDENTIALS: &str = "/Account/{auth_id}/Export/Credentials";
const ACLS: &str = "/Account/{auth_id}/Export/IPAccessControlLists";

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(CREDENTIALS, get(export_credentials))
        .route(ACLS, get(export_acls))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_account,
        ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

impl Format {
    /// `format=csv` or `format=json` (the default).
    fn of(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        match query.get("format").map(String::as_str) {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(ApiError::BadField {
                field: "format".into(),
                message: format!("format: csv or json, not {other:?}"),
            }),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// Where a credential is used, by name, in each dialect's terms.
#[derive(Debug, Default, Serialize)]
struct UsedBy {
    /// Plivo applications.
    applications: Vec<String>,
    /// Zentrunk trunks.
    trunks: Vec<String>,
    /// Twilio domains mapping the credential's list.
    domains: Vec<String>,
}

#[derive(Debug, Serialize)]
struct CredentialOut {
    id: String,
    username: String,
    realm: String,
    /// Zentrunk's name.
    name: String,
    /// Vobiz's description.
    description: String,
    enabled: bool,
    created: String,
    /// The twilio credential list holding it, by name.
    credential_list: Option<String>,
    used_by: UsedBy,
}

#[derive(Debug, Serialize)]
struct CredentialsOut {
    account: String,
    exported_at: String,
    credentials: Vec<CredentialOut>,
}

#[derive(Debug, Serialize)]
struct EntryOut {
    address: String,
    prefix: i64,
    description: String,
    /// Null for entries made before dates were kept.
    created: Option<String>,
}

#[derive(Debug, Serialize)]
struct AclOut {
    id: String,
    name: String,
    created: String,
    entries: Vec<EntryOut>,
}

#[derive(Debug, Serialize)]
struct AclsOut {
    account: String,
    exported_at: String,
    ip_access_control_lists: Vec<AclOut>,
}

/// All of a kind, within its quota: quotas are enforced by the inserts,
/// so the quota bounds the rows.
fn all(limit: i64) -> Window {
    Window { limit, offset: 0 }
}

async fn export_credentials(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = Format::of(&query)?;
    let account = caller.account.auth_id.as_str();
    let db = &state.db;
    let (rows, _) = credentials::list(
        db,
        account,
        credentials::Filter::default(),
        all(quota::CREDENTIALS_PER_ACCOUNT),
    )
    .await?;
    let (apps, _) = applications::list(
        db,
        account,
        applications::Filter::default(),
        all(quota::APPLICATIONS_PER_ACCOUNT),
    )
    .await?;
    let (trunks, _) =
        store::trunks::list(db, account, None, all(quota::TRUNKS_PER_ACCOUNT)).await?;
    let (lists, _) = store::list::<credential_lists::CredentialList>(
        db,
        account,
        all(quota::CREDENTIAL_LISTS_PER_ACCOUNT),
    )
    .await?;
    let domains = store::domains::credential_list_users(db, account).await?;
    let out: Vec<CredentialOut> = rows
        .into_iter()
        .map(|c| {
            let mut used_by = UsedBy {
                applications: apps
                    .iter()
                    .filter(|a| a.credential_id.as_deref() == Some(&c.id))
                    .map(|a| a.app_name.clone())
                    .collect(),
                trunks: trunks
                    .iter()
                    .filter(|t| t.credential_id.as_deref() == Some(&c.id))
                    .map(|t| t.name.clone())
                    .collect(),
                domains: Vec::new(),
            };
            for (list, domain) in &domains {
                if c.list_id.as_deref() == Some(list) && !used_by.domains.contains(domain) {
                    used_by.domains.push(domain.clone());
                }
            }
            let credential_list = c.list_id.as_ref().and_then(|id| {
                lists
                    .iter()
                    .find(|l| &l.id == id)
                    .map(|l| l.friendly_name.clone())
            });
            CredentialOut {
                id: c.id,
                username: c.username,
                realm: c.realm,
                name: c.name,
                description: c.description,
                enabled: c.enabled,
                created: c.created_at,
                credential_list,
                used_by,
            }
        })
        .collect();
    let body = match format {
        Format::Json => json(&CredentialsOut {
            account: account.to_string(),
            exported_at: now(),
            credentials: out,
        })?,
        Format::Csv => csv_of(
            &[
                "id",
                "username",
                "realm",
                "name",
                "description",
                "enabled",
                "created",
                "credential_list",
                "applications",
                "trunks",
                "domains",
            ],
            out.iter().map(|c| {
                vec![
                    c.id.clone(),
                    c.username.clone(),
                    c.realm.clone(),
                    c.name.clone(),
                    c.description.clone(),
                    c.enabled.to_string(),
                    c.created.clone(),
                    c.credential_list.clone().unwrap_or_default(),
                    c.used_by.applications.join("; "),
                    c.used_by.trunks.join("; "),
                    c.used_by.domains.join("; "),
                ]
            }),
        )?,
    };
    let name = format!("credentials.{}", format.extension());
    record(&state, &caller, name, None).await?;
    download(format, &format!("credentials-{account}"), body)
}

async fn export_acls(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let format = Format::of(&query)?;
    let account = caller.account.auth_id.as_str();
    let db = &state.db;
    let one = query.get("acl").filter(|id| !id.is_empty());
    let list = match one {
        // Another account's id is as unknown as a missing one.
        Some(id) => vec![store::find::<acls::Acl>(db, account, id)
            .await?
            .ok_or(ApiError::NotFound("IP ACL"))?],
        None => {
            acls::list(db, account, None, all(quota::ACLS_PER_ACCOUNT))
                .await?
                .0
        }
    };
    let ids: Vec<String> = list.iter().map(|a| a.id.clone()).collect();
    let entries = acls::entries_of(&db.read, &ids).await?;
    let out: Vec<AclOut> = list
        .into_iter()
        .map(|acl| AclOut {
            entries: entries
                .iter()
                .filter(|e| e.acl_id == acl.id)
                .map(|e| EntryOut {
                    address: e.ip.clone(),
                    prefix: e.cidr_prefix,
                    description: e.description.clone(),
                    created: e.created_at.clone(),
                })
                .collect(),
            id: acl.id,
            name: acl.name,
            created: acl.created_at,
        })
        .collect();
    let ext = format.extension();
    let (name, stem, resource_id) = match (one, out.first()) {
        (Some(_), Some(acl)) => (
            format!("ip-acl {}.{ext}", acl.name),
            format!("ip-acl-{}", acl.id),
            Some(acl.id.clone()),
        ),
        _ => (format!("ip-acls.{ext}"), format!("ip-acls-{account}"), None),
    };
    let body = match (format, one) {
        (Format::Json, _) => json(&AclsOut {
            account: account.to_string(),
            exported_at: now(),
            ip_access_control_lists: out,
        })?,
        // The bulk import's own format: `ip[/prefix],description`, with the
        // header it skips.
        (Format::Csv, Some(_)) => csv_of(
            &["ip", "description"],
            out.iter()
                .flat_map(|a| &a.entries)
                .map(|e| vec![format!("{}/{}", e.address, e.prefix), e.description.clone()]),
        )?,
        // Every ACL: one row per entry, the ACL's name first; an ACL
        // without entries is one row with empty entry cells, so it is not
        // lost.
        (Format::Csv, None) => csv_of(
            &["acl", "ip", "description", "created"],
            out.iter().flat_map(|a| {
                let rows: Vec<Vec<String>> = if a.entries.is_empty() {
                    vec![vec![
                        a.name.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]]
                } else {
                    a.entries
                        .iter()
                        .map(|e| {
                            vec![
                                a.name.clone(),
                                format!("{}/{}", e.address, e.prefix),
                                e.description.clone(),
                                e.created.clone().unwrap_or_default(),
                            ]
                        })
                        .collect()
                };
                rows
            }),
        )?,
    };
    record(&state, &caller, name, resource_id).await?;
    download(format, &stem, body)
}

/// The caller's export as one audit record, in its own transaction,
/// before the answer: no export leaves without its record.
// Branch `audit` may replace the body with its `service::audit::record`.
async fn record(
    state: &AppState,
    caller: &Caller,
    name: String,
    resource_id: Option<String>,
) -> Result<(), ApiError> {
    let mut tx = state.db.transaction(None).await?;
    let id = resource_id.as_deref();
    audit::record(
        tx.conn(),
        caller,
        "exported",
        "export",
        id,
        Some(&name),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// RFC 4180 CSV: a header, then one record per row, every cell quoted and
/// guarded against spreadsheet formulas.
fn csv_of(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, ApiError> {
    let failed = |e: csv::Error| ApiError::Internal(format!("CSV: {e}"));
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).map_err(failed)?;
    for row in rows {
        for cell in &row {
            w.write_field(spreadsheet::guard(cell).as_bytes())
                .map_err(failed)?;
        }
        w.write_record(None::<&[u8]>).map_err(failed)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::Internal(format!("CSV: {e}")))
}

fn json(value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec_pretty(value).map_err(|e| ApiError::Internal(format!("JSON: {e}")))
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The export as a file to save: `<stem>-<UTC date>.<csv|json>`.
fn download(format: Format, stem: &str, body: Vec<u8>) -> Result<Response, ApiError> {
    let date = time::OffsetDateTime::now_utc().date();
    let disposition = format!(
        "attachment; filename=\"{stem}-{date}.{}\"",
        format.extension()
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|e| ApiError::Internal(format!("file name: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}
