//! IpAccessControlLists and their IpAddresses, over the same IP ACLs and
//! entries the plivo dialect manages.

use super::error::{invalid, param, TwilioError, TwilioResult};
use super::{resource, rfc2822, At, Form, Here, Item, Nested, Under};
use super::{
    Account, AclSid, IpAccessControlListSid, IpAddressSid, PageMeta, Paging, Params, TwilioPaging,
};
use crate::secrets;
use crate::service::{acls, Ctx};
use crate::store::acls::{Acl, Entry, NewEntry};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::{AclName, Description, IpEntry};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema};
use utoipa::openapi::schema::{SchemaFormat, Type};

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

/// An IP access control list as Twilio shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAccessControlList)]
struct Shown {
    account_sid: String,
    /// RFC 2822, in GMT.
    date_created: String,
    /// RFC 2822, in GMT; the creation's until first renamed.
    date_updated: String,
    friendly_name: String,
    sid: String,
    subresource_uris: AclLinks,
    uri: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAccessControlListSubresources)]
struct AclLinks {
    ip_addresses: String,
}

fn shown(account: &str, a: Acl) -> Shown {
    let uri = format!("{}/{}", acls_path(account), a.id);
    Shown {
        account_sid: account.to_string(),
        date_created: rfc2822(&a.created_at),
        date_updated: rfc2822(a.updated_at.as_deref().unwrap_or(&a.created_at)),
        friendly_name: a.name,
        sid: a.id,
        subresource_uris: AclLinks {
            ip_addresses: format!("{uri}/IpAddresses.json"),
        },
        uri: format!("{uri}.json"),
    }
}

/// An IP address (or network) of a list, as Twilio shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAddress)]
struct AddressShown {
    account_sid: String,
    /// The network's prefix length: 32 (IPv4) or 128 (IPv6) for one host.
    cidr_prefix_length: i64,
    /// RFC 2822, in GMT.
    date_created: String,
    /// RFC 2822, in GMT.
    date_updated: String,
    friendly_name: String,
    ip_access_control_list_sid: String,
    ip_address: String,
    sid: String,
    uri: String,
}

fn address_shown(account: &str, acl: &Acl, e: Entry) -> AddressShown {
    let created = e.created_at.as_deref().unwrap_or(&acl.created_at);
    AddressShown {
        account_sid: account.to_string(),
        cidr_prefix_length: e.cidr_prefix,
        date_created: rfc2822(created),
        date_updated: rfc2822(e.updated_at.as_deref().unwrap_or(created)),
        uri: format!(
            "{}/{}/IpAddresses/{}.json",
            acls_path(account),
            acl.id,
            e.id
        ),
        friendly_name: e.description,
        ip_access_control_list_sid: acl.id.clone(),
        ip_address: e.ip,
        sid: e.id,
    }
}

/// One page of the account's IP access control lists.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAccessControlListPage)]
struct AclPage {
    ip_access_control_lists: Vec<Shown>,
    #[serde(flatten)]
    meta: PageMeta,
}

/// One page of a list's IP addresses.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = IpAddressPage)]
struct AddressPage {
    ip_addresses: Vec<AddressShown>,
    #[serde(flatten)]
    meta: PageMeta,
}

// The bodies below are only described: the handlers read the form field by
// field so that each refusal names its parameter and rule.

/// An IP access control list's create or rename.
#[derive(utoipa::ToSchema)]
#[schema(as = IpAccessControlListForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct AclForm {
    #[schema(schema_with = acl_name_schema)]
    friendly_name: String,
}

/// A new IP address: the prefix's range follows the address's family.
#[derive(utoipa::ToSchema)]
#[schema(as = NewIpAddressForm)]
#[serde(untagged)]
#[allow(dead_code)]
enum NewAddressForm {
    V4(NewV4),
    V6(NewV6),
}

#[derive(utoipa::ToSchema)]
#[schema(as = NewIpv4AddressForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct NewV4 {
    #[schema(format = Ipv4)]
    ip_address: String,
    /// The network's prefix length; a single host (32) when absent.
    #[schema(minimum = 0, maximum = 32, required = false)]
    cidr_prefix_length: i64,
    #[schema(schema_with = crate::openapi::description_schema)]
    friendly_name: String,
}

#[derive(utoipa::ToSchema)]
#[schema(as = NewIpv6AddressForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct NewV6 {
    #[schema(format = Ipv6)]
    ip_address: String,
    /// The network's prefix length; a single host (128) when absent.
    #[schema(minimum = 0, maximum = 128, required = false)]
    cidr_prefix_length: i64,
    #[schema(schema_with = crate::openapi::description_schema)]
    friendly_name: String,
}

/// An IP address's update: what is absent is kept, except that a new
/// address without a prefix is a single host.
#[derive(utoipa::ToSchema)]
#[schema(as = IpAddressForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct AddressForm {
    /// An IPv4 or IPv6 address.
    #[schema(schema_with = ip_address_schema, required = false)]
    ip_address: String,
    /// 0–32 for an IPv4 address, 0–128 for an IPv6 one.
    #[schema(minimum = 0, maximum = 128, required = false)]
    cidr_prefix_length: i64,
    #[schema(schema_with = crate::openapi::description_schema, required = false)]
    friendly_name: String,
}

/// A list's `FriendlyName`: the plivo IP ACLs' name.
fn acl_name_schema() -> Object {
    crate::openapi::name_schema(120)
}

fn ip_address_schema() -> Schema {
    let format = |f| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(f)))
    };
    OneOfBuilder::new()
        .item(format(KnownFormat::Ipv4))
        .item(format(KnownFormat::Ipv6))
        .build()
        .into()
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

/// Lists the account's IP access control lists.
///
/// The plivo dialect's IP ACLs are among them: one store.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists.json",
    tag = "IP access control lists", operation_id = "list_ip_access_control_lists",
    params(Account, TwilioPaging),
    responses((status = 200, description = "One page", body = AclPage)))]
async fn list_acls(
    cx: Ctx,
    here: Here,
    Query(query): Query<Params>,
) -> TwilioResult<Json<AclPage>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = acls::list(&cx, None, paging.window()).await.at(&here)?;
    Ok(Json(AclPage {
        meta: paging.meta(&here.0, rows.len(), total),
        ip_access_control_lists: rows.into_iter().map(|a| shown(cx.account(), a)).collect(),
    }))
}

/// Creates an IP access control list.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists.json",
    tag = "IP access control lists", operation_id = "create_ip_access_control_list",
    params(Account),
    request_body(content = AclForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Created", body = Shown)))]
async fn create_acl(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Shown>)> {
    let name = acl_name(&form)?;
    let created = acls::create(&cx, &secrets::new_sid("AL"), &name, &[])
        .await
        .at(&here)?;
    Ok((StatusCode::CREATED, Json(shown(cx.account(), created))))
}

/// Fetches an IP access control list.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{Sid}.json",
    tag = "IP access control lists", operation_id = "get_ip_access_control_list",
    params(Account, AclSid),
    responses((status = 200, description = "The IP access control list", body = Shown)))]
async fn fetch_acl(cx: Ctx, acl: Item) -> TwilioResult<Json<Shown>> {
    let found = acls::find(&cx, &acl.id).await.at(&acl.here)?;
    Ok(Json(shown(cx.account(), found)))
}

/// Renames an IP access control list.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{Sid}.json",
    tag = "IP access control lists", operation_id = "update_ip_access_control_list",
    params(Account, AclSid),
    request_body(content = AclForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Renamed", body = Shown)))]
async fn update_acl(cx: Ctx, acl: Item, form: Form) -> TwilioResult<Json<Shown>> {
    let name = acl_name(&form)?;
    let renamed = acls::rename(&cx, &acl.id, &name).await.at(&acl.here)?;
    Ok(Json(shown(cx.account(), renamed)))
}

/// Deletes an IP access control list and its addresses.
///
/// What uses it elsewhere in the store (plivo applications) keeps it.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{Sid}.json",
    tag = "IP access control lists", operation_id = "delete_ip_access_control_list",
    params(Account, AclSid),
    responses((status = 204, description = "Deleted")))]
async fn delete_acl(cx: Ctx, acl: Item) -> TwilioResult<StatusCode> {
    acls::delete(&cx, &acl.id).await.at(&acl.here)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists an IP access control list's addresses.
#[utoipa::path(get,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses.json",
    tag = "IP access control lists", operation_id = "list_ip_addresses",
    params(Account, IpAccessControlListSid, TwilioPaging),
    responses((status = 200, description = "One page", body = AddressPage)))]
async fn list_addresses(
    cx: Ctx,
    at: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<AddressPage>> {
    let acl = acls::find(&cx, &at.parent).await.at(&at.here)?;
    let paging = Paging::from_query(&q)?;
    let (rows, total) = acls::entries_page(&cx, &acl.id, paging.window())
        .await
        .at(&at.here)?;
    Ok(Json(AddressPage {
        meta: paging.meta(&at.here.0, rows.len(), total),
        ip_addresses: rows
            .into_iter()
            .map(|e| address_shown(cx.account(), &acl, e))
            .collect(),
    }))
}

/// Adds an IP address or network to an IP access control list.
#[utoipa::path(post,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses.json",
    tag = "IP access control lists", operation_id = "create_ip_address",
    params(Account, IpAccessControlListSid),
    request_body(content = NewAddressForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Created", body = AddressShown)))]
async fn create_address(
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<AddressShown>)> {
    let acl = acls::find(&cx, &at.parent).await.at(&at.here)?;
    let entry = new_entry(
        secrets::new_sid("IP"),
        form.required("IpAddress")?,
        form.get("CidrPrefixLength"),
        form.required("FriendlyName")?,
    )?;
    let created = acls::add_entry(&cx, &acl.id, &entry).await.at(&at.here)?;
    let shown = address_shown(cx.account(), &acl, created);
    Ok((StatusCode::CREATED, Json(shown)))
}

/// The ACL and the address the path names.
async fn the_address(cx: &Ctx, at: &Nested) -> TwilioResult<(Acl, Entry)> {
    let acl = acls::find(cx, &at.parent).await.at(&at.here)?;
    let entry = acls::find_entry(cx, &acl.id, &at.id).await.at(&at.here)?;
    Ok((acl, entry))
}

/// Fetches an IP address.
#[utoipa::path(get,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses/{Sid}.json",
    tag = "IP access control lists", operation_id = "get_ip_address",
    params(Account, IpAccessControlListSid, IpAddressSid),
    responses((status = 200, description = "The IP address", body = AddressShown)))]
async fn fetch_address(cx: Ctx, at: Nested) -> TwilioResult<Json<AddressShown>> {
    let (acl, entry) = the_address(&cx, &at).await?;
    Ok(Json(address_shown(cx.account(), &acl, entry)))
}

/// Changes an IP address.
///
/// Any of `IpAddress`, `CidrPrefixLength`, `FriendlyName`; the rest is kept.
#[utoipa::path(post,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses/{Sid}.json",
    tag = "IP access control lists", operation_id = "update_ip_address",
    params(Account, IpAccessControlListSid, IpAddressSid),
    request_body(content = AddressForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Changed", body = AddressShown)))]
async fn update_address(cx: Ctx, at: Nested, form: Form) -> TwilioResult<Json<AddressShown>> {
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
    Ok(Json(address_shown(cx.account(), &acl, updated)))
}

/// Deletes an IP address.
#[utoipa::path(delete,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/IpAccessControlLists/{IpAccessControlListSid}/IpAddresses/{Sid}.json",
    tag = "IP access control lists", operation_id = "delete_ip_address",
    params(Account, IpAccessControlListSid, IpAddressSid),
    responses((status = 204, description = "Deleted")))]
async fn delete_address(cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    let (acl, entry) = the_address(&cx, &at).await?;
    acls::remove_entry(&cx, &acl.id, &entry.id)
        .await
        .at(&at.here)?;
    Ok(StatusCode::NO_CONTENT)
}
