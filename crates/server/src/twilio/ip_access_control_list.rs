//! IpAccessControlLists and their IpAddresses, over the same IP ACLs and
//! entries the plivo dialect manages.

use super::error::{invalid, param, TwilioError, TwilioResult};
use super::{resource, rfc2822, At, Form, Here, Item, Nested, Paging, Params, Under};
use crate::secrets;
use crate::service::{acls, Ctx};
use crate::store::acls::{Acl, Entry, NewEntry};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{AclName, Description, IpEntry};

const LISTS: &str = "/Accounts/{account_sid}/SIP/IpAccessControlLists";

pub fn router() -> Router<AppState> {
    let acls = get(fetch_acl).post(update_acl).delete(delete_acl);
    let addresses = get(fetch_address)
        .post(update_address)
        .delete(delete_address);
    resource(LISTS, get(list_acls).post(create_acl), acls).merge(resource(
        &format!("{LISTS}/{{parent}}/IpAddresses"),
        get(list_addresses).post(create_address),
        addresses,
    ))
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

async fn list_acls(cx: Ctx, here: Here, Query(query): Query<Params>) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = acls::list(&cx, None, paging.window()).await.at(&here)?;
    let items = rows.iter().map(|a| acl_json(cx.account(), a)).collect();
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
        .at(&here)?;
    Ok((StatusCode::CREATED, Json(acl_json(cx.account(), &created))))
}

async fn fetch_acl(cx: Ctx, acl: Item) -> TwilioResult<Json<Value>> {
    let found = acls::find(&cx, &acl.id).await.at(&acl.here)?;
    Ok(Json(acl_json(cx.account(), &found)))
}

async fn update_acl(cx: Ctx, acl: Item, form: Form) -> TwilioResult<Json<Value>> {
    let name = acl_name(&form)?;
    let renamed = acls::rename(&cx, &acl.id, &name).await.at(&acl.here)?;
    Ok(Json(acl_json(cx.account(), &renamed)))
}

/// What uses it elsewhere in the store (plivo applications) keeps it.
async fn delete_acl(cx: Ctx, acl: Item) -> TwilioResult<StatusCode> {
    acls::delete(&cx, &acl.id).await.at(&acl.here)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_addresses(cx: Ctx, at: Under, Query(q): Query<Params>) -> TwilioResult<Json<Value>> {
    let acl = acls::find(&cx, &at.parent).await.at(&at.here)?;
    let paging = Paging::from_query(&q)?;
    let (rows, total) = acls::entries_page(&cx, &acl.id, paging.window())
        .await
        .at(&at.here)?;
    let items = rows
        .iter()
        .map(|e| address_json(cx.account(), &acl, e))
        .collect();
    Ok(Json(paging.envelope(
        "ip_addresses",
        &at.here.0,
        items,
        total,
    )))
}

async fn create_address(cx: Ctx, at: Under, form: Form) -> TwilioResult<(StatusCode, Json<Value>)> {
    let acl = acls::find(&cx, &at.parent).await.at(&at.here)?;
    let entry = new_entry(
        secrets::new_sid("IP"),
        form.required("IpAddress")?,
        form.get("CidrPrefixLength"),
        form.required("FriendlyName")?,
    )?;
    let created = acls::add_entry(&cx, &acl.id, &entry).await.at(&at.here)?;
    let shown = address_json(cx.account(), &acl, &created);
    Ok((StatusCode::CREATED, Json(shown)))
}

/// The ACL and the address the path names.
async fn the_address(cx: &Ctx, at: &Nested) -> TwilioResult<(Acl, Entry)> {
    let acl = acls::find(cx, &at.parent).await.at(&at.here)?;
    let entry = acls::find_entry(cx, &acl.id, &at.id).await.at(&at.here)?;
    Ok((acl, entry))
}

async fn fetch_address(cx: Ctx, at: Nested) -> TwilioResult<Json<Value>> {
    let (acl, entry) = the_address(&cx, &at).await?;
    Ok(Json(address_json(cx.account(), &acl, &entry)))
}

/// Any of `IpAddress`, `CidrPrefixLength`, `FriendlyName`; the rest is kept.
async fn update_address(cx: Ctx, at: Nested, form: Form) -> TwilioResult<Json<Value>> {
    let (acl, old) = the_address(&cx, &at).await?;
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
        .at(&at.here)?;
    Ok(Json(address_json(cx.account(), &acl, &updated)))
}

async fn delete_address(cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    let (acl, entry) = the_address(&cx, &at).await?;
    acls::remove_entry(&cx, &acl.id, &entry.id)
        .await
        .at(&at.here)?;
    Ok(StatusCode::NO_CONTENT)
}
