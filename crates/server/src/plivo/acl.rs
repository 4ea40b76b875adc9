//! IP access control lists and their entries.

use super::Page;
use crate::auth::Account;
use crate::body::{Fields, JsonObject};
use crate::error::{api_id, ApiError, ApiResult};
use crate::store::acls::{self, Acl, Added, Created, Entry, NewEntry};
use crate::store::applications;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{quota, AclName, Description, IpEntry};
use std::collections::HashMap;

/// The seed's words for deleting an ACL an application uses.
pub const ACL_IN_USE: &str = "This IP ACL is currently assigned to an application. Remove the assignment first by setting sip_auth_type to empty.";

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/SipAuth/IpAccessControlList";

pub fn router() -> Router<AppState> {
    let list = get(list).post(create);
    let one = get(retrieve).post(rename).delete(remove);
    let entries = post(add_entry);
    let entry = delete(remove_entry);
    Router::new()
        .route(&format!("{BASE}/"), list.clone())
        .route(BASE, list)
        .route(&format!("{BASE}/{{id}}/"), one.clone())
        .route(&format!("{BASE}/{{id}}"), one)
        .route(&format!("{BASE}/{{id}}/Entry/"), entries.clone())
        .route(&format!("{BASE}/{{id}}/Entry"), entries)
        .route(&format!("{BASE}/{{id}}/Entry/{{entry_id}}/"), entry.clone())
        .route(&format!("{BASE}/{{id}}/Entry/{{entry_id}}"), entry)
}

fn base_uri(auth_id: &str) -> String {
    format!("/v1/Account/{auth_id}/SipAuth/IpAccessControlList/")
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "entry_id": e.id,
        "ip": e.ip,
        "cidr_prefix": e.cidr_prefix,
        "description": e.description,
    })
}

fn acl_json(auth_id: &str, acl: &Acl, entries: &[Entry]) -> Value {
    let mine: Vec<Value> = entries
        .iter()
        .filter(|e| e.acl_id == acl.id)
        .map(entry_json)
        .collect();
    json!({
        "ip_acl_uuid": acl.id,
        "name": acl.name,
        "entry_count": mine.len(),
        "entries": mine,
        "resource_uri": format!("{}{}/", base_uri(auth_id), acl.id),
    })
}

/// Reads and validates one entry object; errors are named with `prefix`.
fn parse_entry(fields: &Fields) -> Result<NewEntry, ApiError> {
    let ip = fields.required_str(IpEntry::IP_FIELD)?;
    let prefix = fields.optional_int(IpEntry::PREFIX_FIELD)?;
    let entry = IpEntry::parse(ip, prefix).map_err(|e| fields.rule(e))?;
    let description = Description::parse(fields.optional_str(Description::FIELD)?.unwrap_or(""))
        .map_err(|e| fields.rule(e))?;
    Ok(NewEntry {
        id: uuid::Uuid::new_v4().to_string(),
        ip: entry.ip.to_string(),
        cidr_prefix: i64::from(entry.prefix),
        network: entry.network().to_string(),
        description: description.as_str().to_string(),
    })
}

fn path_id<'a>(params: &'a HashMap<String, String>, key: &str) -> &'a str {
    params.get(key).map(String::as_str).unwrap_or_default()
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    let raw_entries = body
        .fields()
        .optional_array("entries")?
        .cloned()
        .unwrap_or_default();
    if raw_entries.len() > quota::ENTRIES_PER_ACL as usize {
        return Err(ApiError::Quota(format!(
            "entries: an ACL holds at most {} entries; {} were given",
            quota::ENTRIES_PER_ACL,
            raw_entries.len()
        )));
    }
    // Every entry is checked before anything is written.
    let mut entries = Vec::with_capacity(raw_entries.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in raw_entries.iter().enumerate() {
        let prefix = format!("entries[{i}].");
        let Value::Object(map) = raw else {
            return Err(ApiError::BadField {
                field: format!("entries[{i}]"),
                message: format!(
                    "entries[{i}]: must be an object with ip, cidr_prefix and description"
                ),
            });
        };
        let entry = parse_entry(&Fields::nested(map, prefix))?;
        if let Some(first) = seen.insert(entry.network.clone(), i) {
            return Err(ApiError::BadField {
                field: format!("entries[{i}].ip"),
                message: format!(
                    "entries[{i}].ip: {} is the same network as entries[{first}]",
                    entry.network
                ),
            });
        }
        entries.push(entry);
    }
    let acl = Acl {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.as_str().to_string(),
    };
    match acls::create(&state.db, &account.auth_id, &acl.id, &acl.name, &entries).await? {
        Created::Ok => {}
        Created::QuotaReached => {
            return Err(ApiError::Quota(format!(
                "IP ACL quota reached: an account may hold {} IP ACLs; delete one first",
                quota::ACLS_PER_ACCOUNT
            )))
        }
    }
    tracing::info!(account = %account.auth_id, acl = %acl.id, entries = entries.len(), "IP ACL created");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "api_id": api_id(),
            "ip_acl_uuid": acl.id,
            "message": "created",
            "resource_uri": format!("{}{}/", base_uri(&account.auth_id), acl.id),
        })),
    ))
}

async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query)?;
    // Extension: `name` filters by a case-insensitive substring.
    let search = query
        .get("name")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    let (rows, total) =
        acls::list(&state.db, &account.auth_id, search, page.limit, page.offset).await?;
    let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
    let entries = acls::entries_of(&state.db, &ids).await?;
    let extra = search
        .map(|s| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("name", s)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base_uri(&account.auth_id), total, &extra),
        "objects": rows.iter().map(|a| acl_json(&account.auth_id, a, &entries)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let acl = acls::find(&state.db, &account.auth_id, path_id(&params, "id"))
        .await?
        .ok_or(ApiError::NotFound("IP ACL"))?;
    let entries = acls::entries_of(&state.db, std::slice::from_ref(&acl.id)).await?;
    let mut out = acl_json(&account.auth_id, &acl, &entries);
    out["api_id"] = api_id().into();
    Ok(Json(out))
}

async fn rename(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&params, "id");
    if acls::find(&state.db, &account.auth_id, id).await?.is_none() {
        return Err(ApiError::NotFound("IP ACL"));
    }
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    if !acls::rename(&state.db, &account.auth_id, id, name.as_str()).await? {
        return Err(ApiError::NotFound("IP ACL"));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "api_id": api_id(), "message": "changed" })),
    ))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let id = path_id(&params, "id");
    if acls::find(&state.db, &account.auth_id, id).await?.is_none() {
        return Err(ApiError::NotFound("IP ACL"));
    }
    let users = applications::names_using(
        &state.db,
        applications::Filter {
            credential_id: None,
            ip_acl_id: Some(id),
        },
    )
    .await?;
    if !users.is_empty() {
        return Err(ApiError::InUse {
            message: ACL_IN_USE,
            applications: users,
        });
    }
    match acls::delete(&state.db, &account.auth_id, id).await {
        Ok(true) => {}
        Ok(false) => return Err(ApiError::NotFound("IP ACL")),
        Err(e) if crate::store::is_foreign_key_violation(&e) => {
            return Err(ApiError::InUse {
                message: ACL_IN_USE,
                applications: Vec::new(),
            })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %account.auth_id, acl = %id, "IP ACL deleted");
    Ok(StatusCode::NO_CONTENT)
}

async fn add_entry(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let acl_id = path_id(&params, "id");
    if acls::find(&state.db, &account.auth_id, acl_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("IP ACL"));
    }
    let entry = parse_entry(&body.fields())?;
    match acls::add_entry(&state.db, &account.auth_id, acl_id, &entry).await? {
        Added::Ok => {}
        Added::NoSuchAcl => return Err(ApiError::NotFound("IP ACL")),
        Added::QuotaReached => {
            return Err(ApiError::Quota(format!(
                "entry quota reached: an IP ACL holds at most {} entries; remove one first",
                quota::ENTRIES_PER_ACL
            )))
        }
        Added::Duplicate => {
            return Err(ApiError::Conflict(format!(
                "this IP ACL already has an entry for the network {}",
                entry.network
            )))
        }
    }
    tracing::info!(account = %account.auth_id, acl = %acl_id, entry = %entry.id, "IP ACL entry added");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api_id": api_id(), "entry_id": entry.id })),
    ))
}

async fn remove_entry(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let acl_id = path_id(&params, "id");
    if acls::find(&state.db, &account.auth_id, acl_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound("IP ACL"));
    }
    if !acls::remove_entry(
        &state.db,
        &account.auth_id,
        acl_id,
        path_id(&params, "entry_id"),
    )
    .await?
    {
        return Err(ApiError::NotFound("entry"));
    }
    Ok(StatusCode::NO_CONTENT)
}
