//! IP access control lists and their entries.

use super::filter_query;
use crate::body::{Fields, JsonObject};
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Page, PLIVO_MAX};
use crate::paths::{resource, EntryPath, Id};
use crate::service::{acls, Ctx};
use crate::store::acls::{Acl, Entry, NewEntry};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
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
        "resource_uri": format!("{}{}/", super::uri(BASE, auth_id), acl.id),
    })
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

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    let entries = parse_entries(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    acls::create(&cx, &id, &name, &entries).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "api_id": api_id(),
            "ip_acl_uuid": id,
            "message": "created",
            "resource_uri": format!("{}{id}/", super::uri(BASE, cx.account())),
        })),
    ))
}

async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: `name` filters by a case-insensitive substring.
    let search = super::search(&query, "name")?;
    let (rows, total) = acls::list(&cx, search, page.window()).await?;
    let entries = acls::entries_of(&cx, &rows).await?;
    let auth_id = cx.account();
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&super::uri(BASE, auth_id), total, &filter_query("name", search)),
        "objects": rows.iter().map(|a| acl_json(auth_id, a, &entries)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    let acl = acls::find(&cx, &id).await?;
    let entries = acls::entries_of(&cx, std::slice::from_ref(&acl)).await?;
    let mut out = acl_json(cx.account(), &acl, &entries);
    out["api_id"] = api_id().into();
    Ok(Json(out))
}

async fn rename(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<(StatusCode, Json<super::Changed>)> {
    acls::find(&cx, &id).await?;
    let name = AclName::parse(body.required_str(AclName::FIELD)?)?;
    acls::rename(&cx, &id, &name).await?;
    Ok(super::changed())
}

async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    acls::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_entry(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    acls::find(&cx, &id).await?;
    let entry = parse_entry(&body.fields())?;
    acls::add_entry(&cx, &id, &entry).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api_id": api_id(), "entry_id": entry.id })),
    ))
}

async fn remove_entry(cx: Ctx, EntryPath { id, entry_id }: EntryPath) -> ApiResult<StatusCode> {
    acls::remove_entry(&cx, &id, &entry_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
