//! IpAccessControlLists and their IpAddresses, over the same IP ACLs and
//! entries the plivo dialect manages.

use super::error::{invalid, param, TwilioError, TwilioResult};
use super::{rfc2822, Form, Here, Paging};
use crate::paths::{Child, Parent};
use crate::secrets;
use crate::service::{acls, Ctx};
use crate::store::acls::{Acl, Entry, NewEntry};
use crate::AppState;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{AclName, Description, IpEntry};
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

fn acl_json(account: &str, a: &Acl) -> Value {
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

fn address_json(account: &str, acl: &Acl, e: &Entry) -> Value {
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

/// The caller's ACL named by a path segment (`{Sid}.json`, or a bare SID
/// where a sub-resource follows).
async fn the_acl(cx: &Ctx, here: &Here, segment: &str) -> TwilioResult<Acl> {
    let id = segment.strip_suffix(".json").unwrap_or(segment);
    acls::find(cx, id).await.map_err(|e| here.refused(e))
}

fn acl_name(form: &Form) -> TwilioResult<AclName> {
    AclName::parse(form.required("FriendlyName")?).map_err(|e| invalid("FriendlyName", e))
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
    let entry = IpEntry::parse(ip, prefix).map_err(|e| invalid(param(e.field), e))?;
    let description = Description::parse(friendly_name).map_err(|e| invalid("FriendlyName", e))?;
    Ok(acls::entry(id, &entry, &description))
}

async fn list_acls(
    cx: Ctx,
    here: Here,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = acls::list(&cx, None, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows.iter().map(|a| acl_json(account, a)).collect();
    Ok(Json(paging.envelope(
        "ip_access_control_lists",
        &here.0,
        items,
        total,
    )))
}

async fn create_acl(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Value>)> {
    let name = acl_name(&form)?;
    let created = acls::create(&cx, &secrets::new_sid("AL"), &name, &[])
        .await
        .map_err(|e| here.refused(e))?;
    Ok((StatusCode::CREATED, Json(acl_json(cx.account(), &created))))
}

async fn fetch_acl(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<Json<Value>> {
    here.sid(&parent)?;
    let acl = the_acl(&cx, &here, &parent).await?;
    Ok(Json(acl_json(cx.account(), &acl)))
}

async fn update_acl(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    form: Form,
) -> TwilioResult<Json<Value>> {
    let id = here.sid(&parent)?;
    let name = acl_name(&form)?;
    let acl = acls::rename(&cx, id, &name)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(acl_json(cx.account(), &acl)))
}

/// What uses it elsewhere in the store (plivo applications) keeps it.
async fn delete_acl(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<StatusCode> {
    acls::delete(&cx, here.sid(&parent)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_addresses(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    let acl = the_acl(&cx, &here, &parent).await?;
    let paging = Paging::from_query(&query)?;
    let (rows, total) = acls::entries_page(&cx, &acl.id, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows
        .iter()
        .map(|e| address_json(account, &acl, e))
        .collect();
    Ok(Json(paging.envelope("ip_addresses", &here.0, items, total)))
}

async fn create_address(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    form: Form,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let acl = the_acl(&cx, &here, &parent).await?;
    let entry = new_entry(
        secrets::new_sid("IP"),
        form.required("IpAddress")?,
        form.get("CidrPrefixLength"),
        form.required("FriendlyName")?,
    )?;
    let created = acls::add_entry(&cx, &acl.id, &entry)
        .await
        .map_err(|e| here.refused(e))?;
    Ok((
        StatusCode::CREATED,
        Json(address_json(cx.account(), &acl, &created)),
    ))
}

/// The ACL and the address the path names.
async fn the_address(cx: &Ctx, here: &Here, path: &Child) -> TwilioResult<(Acl, Entry)> {
    let acl = the_acl(cx, here, &path.parent).await?;
    let entry = acls::find_entry(cx, &acl.id, here.sid(&path.child)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok((acl, entry))
}

async fn fetch_address(cx: Ctx, here: Here, Path(path): Path<Child>) -> TwilioResult<Json<Value>> {
    let (acl, entry) = the_address(&cx, &here, &path).await?;
    Ok(Json(address_json(cx.account(), &acl, &entry)))
}

/// Any of `IpAddress`, `CidrPrefixLength`, `FriendlyName`; the rest is kept.
async fn update_address(
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
    form: Form,
) -> TwilioResult<Json<Value>> {
    let (acl, old) = the_address(&cx, &here, &path).await?;
    let kept_prefix = old.cidr_prefix.to_string();
    // A new address without a prefix is a single host, as on create.
    let prefix = match (form.get("IpAddress"), form.get("CidrPrefixLength")) {
        (_, Some(p)) => Some(p),
        (Some(_), None) => None,
        (None, None) => Some(kept_prefix.as_str()),
    };
    let entry = new_entry(
        old.id.clone(),
        form.get("IpAddress").unwrap_or(&old.ip),
        prefix,
        form.get("FriendlyName").unwrap_or(&old.description),
    )?;
    let updated = acls::update_entry(&cx, &acl.id, &entry)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(address_json(cx.account(), &acl, &updated)))
}

async fn delete_address(cx: Ctx, here: Here, Path(path): Path<Child>) -> TwilioResult<StatusCode> {
    let (acl, entry) = the_address(&cx, &here, &path).await?;
    acls::remove_entry(&cx, &acl.id, &entry.id)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}
