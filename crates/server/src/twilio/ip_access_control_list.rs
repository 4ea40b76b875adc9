//! IpAccessControlLists and their IpAddresses, over the same IP ACLs and
//! entries the plivo dialect manages.

use super::error::{invalid, TwilioError, TwilioResult};
use super::{form, required, rfc2822, sid_of, Paging};
use crate::auth::Account;
use crate::secrets;
use crate::store::acls::{self, Added, Created, Dated, DatedEntry, NewEntry, Updated};
use crate::store::applications;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{quota, AclName, Description, FieldError, IpEntry};
use std::collections::HashMap;

const LISTS: &str = "/Accounts/{account_sid}/SIP/IpAccessControlLists";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{LISTS}.json"), get(list_acls).post(create_acl))
        .route(
            &format!("{LISTS}/{{acl}}"),
            get(fetch_acl).post(update_acl).delete(delete_acl),
        )
        .route(
            &format!("{LISTS}/{{acl}}/IpAddresses.json"),
            get(list_addresses).post(create_address),
        )
        .route(
            &format!("{LISTS}/{{acl}}/IpAddresses/{{address}}"),
            get(fetch_address)
                .post(update_address)
                .delete(delete_address),
        )
}

fn acls_path(account: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/SIP/IpAccessControlLists")
}

fn acl_json(account: &str, a: &Dated) -> Value {
    let uri = format!("{}/{}", acls_path(account), a.id);
    json!({
        "account_sid": account,
        "date_created": rfc2822(&a.created_at),
        "date_updated": rfc2822(a.updated_at.as_deref().unwrap_or(&a.created_at)),
        "friendly_name": a.name,
        "sid": a.id,
        "subresource_uris": { "ip_addresses": format!("{uri}/IpAddresses.json") },
        "uri": format!("{uri}.json"),
    })
}

fn address_json(account: &str, acl: &Dated, e: &DatedEntry) -> Value {
    let created = e.created_at.as_deref().unwrap_or(&acl.created_at);
    json!({
        "account_sid": account,
        "cidr_prefix_length": e.cidr_prefix,
        "date_created": rfc2822(created),
        "date_updated": rfc2822(e.updated_at.as_deref().unwrap_or(created)),
        "friendly_name": e.description,
        "ip_access_control_list_sid": acl.id,
        "ip_address": e.ip,
        "sid": e.id,
        "uri": format!("{}/{}/IpAddresses/{}.json", acls_path(account), acl.id, e.id),
    })
}

/// The account's ACL named by the path (`{Sid}.json` or a bare SID), or 404.
async fn the_acl(
    state: &AppState,
    account: &str,
    segment: &str,
    uri: &OriginalUri,
) -> TwilioResult<Dated> {
    let id = segment.strip_suffix(".json").unwrap_or(segment);
    acls::find_dated(&state.db, account, id)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))
}

/// The model's field names in Twilio's parameter names.
fn address_error(e: FieldError) -> TwilioError {
    let param = match e.field {
        IpEntry::PREFIX_FIELD => "CidrPrefixLength",
        IpEntry::IP_FIELD => "IpAddress",
        _ => "FriendlyName",
    };
    invalid(param, e)
}

/// `IpAddress`, `CidrPrefixLength` (a single host when absent) and
/// `FriendlyName`, validated by the model as the plivo dialect does.
fn new_entry(
    id: String,
    ip: &str,
    prefix: Option<&str>,
    friendly_name: &str,
) -> TwilioResult<NewEntry> {
    let prefix = match prefix {
        None => None,
        Some(raw) => Some(raw.trim().parse::<i64>().map_err(|_| {
            TwilioError::Invalid(format!("CidrPrefixLength: {raw:?} is not a whole number"))
        })?),
    };
    let entry = IpEntry::parse(ip, prefix).map_err(address_error)?;
    let description = Description::parse(friendly_name).map_err(|e| invalid("FriendlyName", e))?;
    Ok(NewEntry {
        id,
        ip: entry.ip.to_string(),
        cidr_prefix: i64::from(entry.prefix),
        network: entry.network().to_string(),
        description: description.as_str().to_string(),
    })
}

async fn list_acls(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) =
        acls::page_dated(&state.db, &account.auth_id, paging.page_size, paging.offset).await?;
    let items = rows.iter().map(|a| acl_json(&account.auth_id, a)).collect();
    let path = format!("{}.json", acls_path(&account.auth_id));
    Ok(Json(paging.envelope(
        "ip_access_control_lists",
        &path,
        items,
        total,
    )))
}

async fn create_acl(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let form = form(&body)?;
    let name =
        AclName::parse(required(&form, "FriendlyName")?).map_err(|e| invalid("FriendlyName", e))?;
    let id = secrets::new_sid("AL");
    match acls::create(&state.db, &account.auth_id, &id, name.as_str(), &[]).await? {
        Created::Ok => {}
        Created::QuotaReached => {
            return Err(TwilioError::Quota(format!(
                "this account already has {} IP access control lists, the most it may have",
                quota::ACLS_PER_ACCOUNT
            )))
        }
    }
    tracing::info!(account = %account.auth_id, acl = %id, "IP ACL created");
    let created = acls::find_dated(&state.db, &account.auth_id, &id)
        .await?
        .ok_or_else(|| TwilioError::Internal("created IP ACL not found".into()))?;
    Ok((
        StatusCode::CREATED,
        Json(acl_json(&account.auth_id, &created)),
    ))
}

async fn fetch_acl(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    sid_of(&params["acl"], uri.path())?;
    let acl = the_acl(&state, &account.auth_id, &params["acl"], &uri).await?;
    Ok(Json(acl_json(&account.auth_id, &acl)))
}

async fn update_acl(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<Json<Value>> {
    let id = sid_of(&params["acl"], uri.path())?;
    let form = form(&body)?;
    let name =
        AclName::parse(required(&form, "FriendlyName")?).map_err(|e| invalid("FriendlyName", e))?;
    if !acls::rename(&state.db, &account.auth_id, id, name.as_str()).await? {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    tracing::info!(account = %account.auth_id, acl = %id, "IP ACL renamed");
    let acl = the_acl(&state, &account.auth_id, id, &uri).await?;
    Ok(Json(acl_json(&account.auth_id, &acl)))
}

async fn delete_acl(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let id = sid_of(&params["acl"], uri.path())?;
    the_acl(&state, &account.auth_id, id, &uri).await?;
    // What uses it elsewhere in the store (plivo applications) keeps it.
    let users = applications::names_using(
        &state.db,
        applications::Filter {
            credential_id: None,
            ip_acl_id: Some(id),
        },
    )
    .await?;
    if !users.is_empty() {
        return Err(TwilioError::Conflict(format!(
            "this IP access control list is used by {}; remove it from them first",
            users.join(", ")
        )));
    }
    if !acls::delete(&state.db, &account.auth_id, id).await? {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    tracing::info!(account = %account.auth_id, acl = %id, "IP ACL deleted");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_addresses(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let acl = the_acl(&state, &account.auth_id, &params["acl"], &uri).await?;
    let paging = Paging::from_query(&query)?;
    let (rows, total) =
        acls::entries_page(&state.db, &acl.id, paging.page_size, paging.offset).await?;
    let items = rows
        .iter()
        .map(|e| address_json(&account.auth_id, &acl, e))
        .collect();
    Ok(Json(paging.envelope(
        "ip_addresses",
        uri.path(),
        items,
        total,
    )))
}

async fn create_address(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let acl = the_acl(&state, &account.auth_id, &params["acl"], &uri).await?;
    let form = form(&body)?;
    let entry = new_entry(
        secrets::new_sid("IP"),
        required(&form, "IpAddress")?,
        form.get("CidrPrefixLength").map(String::as_str),
        required(&form, "FriendlyName")?,
    )?;
    match acls::add_entry(&state.db, &account.auth_id, &acl.id, &entry).await? {
        Added::Ok => {}
        Added::NoSuchAcl => return Err(TwilioError::NotFound(uri.path().to_string())),
        Added::QuotaReached => {
            return Err(TwilioError::Quota(format!(
                "this IP access control list already has {} addresses, the most it may have",
                quota::ENTRIES_PER_ACL
            )))
        }
        Added::Duplicate => {
            return Err(TwilioError::Conflict(format!(
                "{}/{} is already in this IP access control list (as the same network)",
                entry.ip, entry.cidr_prefix
            )))
        }
    }
    tracing::info!(account = %account.auth_id, acl = %acl.id, entry = %entry.id, "IP ACL entry added");
    let created = acls::find_entry(&state.db, &account.auth_id, &acl.id, &entry.id)
        .await?
        .ok_or_else(|| TwilioError::Internal("created address not found".into()))?;
    Ok((
        StatusCode::CREATED,
        Json(address_json(&account.auth_id, &acl, &created)),
    ))
}

/// The ACL and the address the path names.
async fn the_address(
    state: &AppState,
    account: &str,
    params: &HashMap<String, String>,
    uri: &OriginalUri,
) -> TwilioResult<(Dated, DatedEntry)> {
    let acl = the_acl(state, account, &params["acl"], uri).await?;
    let id = sid_of(&params["address"], uri.path())?;
    let entry = acls::find_entry(&state.db, account, &acl.id, id)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))?;
    Ok((acl, entry))
}

async fn fetch_address(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let (acl, entry) = the_address(&state, &account.auth_id, &params, &uri).await?;
    Ok(Json(address_json(&account.auth_id, &acl, &entry)))
}

/// Any of `IpAddress`, `CidrPrefixLength`, `FriendlyName`; the rest is kept.
async fn update_address(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<Json<Value>> {
    let (acl, old) = the_address(&state, &account.auth_id, &params, &uri).await?;
    let form = form(&body)?;
    let kept_prefix = old.cidr_prefix.to_string();
    // A new address without a prefix is a single host, as on create.
    let prefix = match (form.get("IpAddress"), form.get("CidrPrefixLength")) {
        (_, Some(p)) => Some(p.as_str()),
        (Some(_), None) => None,
        (None, None) => Some(kept_prefix.as_str()),
    };
    let entry = new_entry(
        old.id.clone(),
        form.get("IpAddress").unwrap_or(&old.ip),
        prefix,
        form.get("FriendlyName").unwrap_or(&old.description),
    )?;
    match acls::update_entry(&state.db, &account.auth_id, &acl.id, &entry).await? {
        Updated::Ok => {}
        Updated::Missing => return Err(TwilioError::NotFound(uri.path().to_string())),
        Updated::Duplicate => {
            return Err(TwilioError::Conflict(format!(
                "{}/{} is already in this IP access control list (as the same network)",
                entry.ip, entry.cidr_prefix
            )))
        }
    }
    tracing::info!(account = %account.auth_id, acl = %acl.id, entry = %entry.id, "IP ACL entry changed");
    let (_, updated) = the_address(&state, &account.auth_id, &params, &uri).await?;
    Ok(Json(address_json(&account.auth_id, &acl, &updated)))
}

async fn delete_address(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let (acl, entry) = the_address(&state, &account.auth_id, &params, &uri).await?;
    if !acls::remove_entry(&state.db, &account.auth_id, &acl.id, &entry.id).await? {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    tracing::info!(account = %account.auth_id, acl = %acl.id, entry = %entry.id, "IP ACL entry removed");
    Ok(StatusCode::NO_CONTENT)
}
