//! IP access control lists and their entries.

use super::filter_query;
use crate::body::{Fields, JsonObject};
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Listed, Page, PlivoPaging, WithApiId, PLIVO_MAX};
use crate::paths::{resource, AccountPath, EntryPath, Id};
use crate::service::{acls, Ctx};
use crate::store::acls::{Acl, Entry, NewEntry};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::Value;
use sipauth_model::{quota, AclName, Description, IpEntry};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/SipAuth/IpAccessControlList";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(rename).delete(remove);
    resource(BASE, get(list).post(create), item)
        .route(&format!("{BASE}/{{id}}/Entry"), post(add_entry))
        .route(
            &format!("{BASE}/{{id}}/Entry/{{entry_id}}"),
            delete(remove_entry),
        )
}

/// One network of an IP ACL.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Entry)]
pub(super) struct ShownEntry {
    entry_id: String,
    /// The network's address (IPv4 or IPv6).
    ip: String,
    cidr_prefix: i64,
    description: String,
}

/// An IP ACL with its entries.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAccessControlList)]
pub(super) struct Shown {
    ip_acl_uuid: String,
    name: String,
    entry_count: usize,
    entries: Vec<ShownEntry>,
    resource_uri: String,
}

fn shown(auth_id: &str, acl: Acl, entries: &[Entry]) -> Shown {
    let mine: Vec<ShownEntry> = entries
        .iter()
        .filter(|e| e.acl_id == acl.id)
        .map(|e| ShownEntry {
            entry_id: e.id.clone(),
            ip: e.ip.clone(),
            cidr_prefix: e.cidr_prefix,
            description: e.description.clone(),
        })
        .collect();
    Shown {
        resource_uri: format!("{}{}/", super::uri(BASE, auth_id), acl.id),
        ip_acl_uuid: acl.id,
        name: acl.name,
        entry_count: mine.len(),
        entries: mine,
    }
}

/// An entry as a create or an add takes it.
#[derive(utoipa::ToSchema)]
#[schema(as = NewEntry, example = json!({"ip": "198.51.100.7", "description": "Branch"}))]
#[allow(dead_code)] // only described: `parse_entry` reads it, naming each error
pub(super) struct EntryBody {
    /// An IPv4 or IPv6 address: the network's (host bits zero).
    ip: String,
    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6 (default: the
    /// whole address).
    #[schema(minimum = 0, maximum = 128)]
    cidr_prefix: Option<i64>,
    #[schema(schema_with = crate::openapi::optional_description, required = false)]
    description: Option<String>,
}

/// A create's body.
#[derive(utoipa::ToSchema)]
#[schema(as = NewIpAccessControlList, example = json!({"name": "Office", "entries": [{"ip": "203.0.113.0", "cidr_prefix": 24, "description": "HQ"}]}))]
#[allow(dead_code)] // only described, as above
pub(super) struct NewBody {
    /// 1–120 characters once trimmed, not only spaces; unique in the account.
    #[schema(schema_with = crate::openapi::name_120)]
    name: String,
    /// At most 50, each a different network.
    #[schema(max_items = 50)]
    entries: Option<Vec<EntryBody>>,
}

/// A rename's body.
#[derive(utoipa::ToSchema)]
#[schema(as = IpAccessControlListChange, example = json!({"name": "Office (renamed)"}))]
#[allow(dead_code)] // only described, as above
pub(super) struct RenameBody {
    /// 1–120 characters once trimmed, not only spaces.
    #[schema(schema_with = crate::openapi::name_120)]
    name: String,
}

/// A create's answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAccessControlListCreated)]
pub(super) struct Created {
    api_id: String,
    ip_acl_uuid: String,
    /// "created"
    message: &'static str,
    resource_uri: String,
}

/// An entry add's answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = EntryCreated)]
pub(super) struct EntryCreated {
    api_id: String,
    entry_id: String,
}

/// Reads and validates one entry object; errors are named with its prefix.
fn parse_entry(fields: &Fields) -> Result<NewEntry, ApiError> {
    let ip = fields.required_str(IpEntry::IP_FIELD)?;
    let prefix = fields.optional_int(IpEntry::PREFIX_FIELD)?;
    let entry = IpEntry::parse(ip, prefix).map_err(|e| fields.rule(e))?;
    let description = Description::parse(fields.optional_str(Description::FIELD)?.unwrap_or(""))
        .map_err(|e| fields.rule(e))?;
    Ok(acls::entry(
        uuid::Uuid::new_v4().to_string(),
        &entry,
        &description,
    ))
}

/// A create's `entries`: each valid, at most an ACL's quota, and no network
/// twice, all checked before anything is written.
fn parse_entries(body: &JsonObject) -> ApiResult<Vec<NewEntry>> {
    let raw = body
        .fields()
        .optional_array("entries")?
        .cloned()
        .unwrap_or_default();
    if raw.len() > quota::ENTRIES_PER_ACL as usize {
        return Err(ApiError::Quota(format!(
            "entries: an ACL holds at most {} entries; {} were given",
            quota::ENTRIES_PER_ACL,
            raw.len()
        )));
    }
    let mut entries: Vec<NewEntry> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.iter().enumerate() {
        let Value::Object(map) = raw else {
            return Err(ApiError::BadField {
                field: format!("entries[{i}]"),
                message: format!(
                    "entries[{i}]: must be an object with ip, cidr_prefix and description"
                ),
            });
        };
        let entry = parse_entry(&Fields::nested(map, format!("entries[{i}].")))?;
        if let Some(first) = entries.iter().position(|e| e.network == entry.network) {
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
    Ok(entries)
}

/// Creates an IP ACL, with its first entries if given.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/", tag = "IP access control lists", operation_id = "create_ip_acl",
    params(AccountPath), request_body = NewBody,
    responses((status = 201, description = "Created", body = Created)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Created>)> {
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    let entries = parse_entries(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    acls::create(&cx, &id, &name, &entries).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            api_id: api_id(),
            resource_uri: format!("{}{id}/", super::uri(BASE, cx.account())),
            ip_acl_uuid: id,
            message: "created",
        }),
    ))
}

/// Lists the account's IP ACLs with their entries.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/", tag = "IP access control lists", operation_id = "list_ip_acls",
    params(AccountPath, PlivoPaging,
        ("name" = Option<String>, Query, max_length = 200,
         description = "Only names holding this text, ignoring case (an extension)")),
    responses((status = 200, description = "One page", body = Listed<Shown>)))]
async fn list(
    cx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed<Shown>>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: `name` filters by a case-insensitive substring.
    let search = super::search(&query, "name")?;
    let (rows, total) = acls::list(&cx, search, page.window()).await?;
    let entries = acls::entries_of(&cx, &rows).await?;
    let auth_id = cx.account();
    Ok(Json(Listed {
        api_id: api_id(),
        meta: page.meta(
            &super::uri(BASE, auth_id),
            total,
            &filter_query("name", search),
        ),
        objects: rows
            .into_iter()
            .map(|a| shown(auth_id, a, &entries))
            .collect(),
    }))
}

/// Retrieves one IP ACL with its entries.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/{id}/", tag = "IP access control lists", operation_id = "get_ip_acl",
    params(AccountPath, Id),
    responses((status = 200, description = "The IP ACL", body = WithApiId<Shown>)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<WithApiId<Shown>>> {
    let acl = acls::find(&cx, &id).await?;
    let entries = acls::entries_of(&cx, std::slice::from_ref(&acl)).await?;
    Ok(Json(WithApiId::new(shown(cx.account(), acl, &entries))))
}

/// Renames an IP ACL.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/{id}/", tag = "IP access control lists", operation_id = "update_ip_acl",
    params(AccountPath, Id), request_body = RenameBody,
    responses((status = 202, description = "Changed", body = super::Changed)))]
async fn rename(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<super::Changed>)> {
    acls::find(&cx, &id).await?;
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    acls::rename(&cx, &id, &name).await?;
    Ok(super::changed())
}

/// Deletes an IP ACL no application uses, with its entries.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/{id}/", tag = "IP access control lists", operation_id = "delete_ip_acl",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    acls::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds one entry (network) to an IP ACL.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/{id}/Entry/", tag = "IP access control lists", operation_id = "add_ip_acl_entry",
    params(AccountPath, Id), request_body = EntryBody,
    responses((status = 201, description = "Added", body = EntryCreated)))]
async fn add_entry(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<EntryCreated>)> {
    acls::find(&cx, &id).await?;
    let entry = parse_entry(&body.fields())?;
    acls::add_entry(&cx, &id, &entry).await?;
    Ok((
        StatusCode::CREATED,
        Json(EntryCreated {
            api_id: api_id(),
            entry_id: entry.id,
        }),
    ))
}

/// Removes one entry from an IP ACL.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/SipAuth/IpAccessControlList/{id}/Entry/{entry_id}/", tag = "IP access control lists", operation_id = "delete_ip_acl_entry",
    params(AccountPath, EntryPath),
    responses((status = 204, description = "Removed")))]
async fn remove_entry(cx: Ctx, EntryPath { id, entry_id }: EntryPath) -> ApiResult<StatusCode> {
    acls::remove_entry(&cx, &id, &entry_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
