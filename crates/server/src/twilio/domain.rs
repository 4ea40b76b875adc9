//! SIP Domains and their authentication mappings (seed 004): credential
//! lists for calls and for registrations, IP ACLs for calls.

use super::error::{invalid, TwilioError, TwilioResult};
use super::{friendly_name_schema, resource, rfc2822, At, Form, Here, Item, Nested, Under};
use super::{
    Account, AclSid, DomainItemSid, DomainSid, ListSid, PageMeta, Paging, Params, TwilioPaging,
};
use crate::openapi::SPACE;
use crate::secrets;
use crate::service::domains::{self, NewDomain};
use crate::service::Ctx;
use crate::store::domains::{Domain, Mapping, MappingKind as Kind};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::{sip, AnswerUrl, FriendlyName};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

const DOMAINS: &str = "/Accounts/{account_sid}/SIP/Domains";

pub fn router() -> Router<AppState> {
    let domains = get(fetch_domain).post(update_domain).delete(delete_domain);
    resource(DOMAINS, get(list_domains).post(create_domain), domains)
        .merge(resource(
            &mappings(Kind::CallsCredentials),
            get(list_calls_credential_lists).post(map_calls_credential_list),
            get(get_calls_credential_list).delete(unmap_calls_credential_list),
        ))
        .merge(resource(
            &mappings(Kind::CallsIpAcls),
            get(list_calls_acls).post(map_calls_acl),
            get(get_calls_acl).delete(unmap_calls_acl),
        ))
        .merge(resource(
            &mappings(Kind::RegistrationsCredentials),
            get(list_registrations_credential_lists).post(map_registrations_credential_list),
            get(get_registrations_credential_list).delete(unmap_registrations_credential_list),
        ))
}

/// A kind of mapping's collection, relative to `/2010-04-01`.
fn mappings(kind: Kind) -> String {
    format!("{DOMAINS}/{{parent}}/Auth/{}", segment(kind))
}

/// The path under `Auth/` for each kind of mapping.
fn segment(kind: Kind) -> &'static str {
    match kind {
        Kind::CallsCredentials => "Calls/CredentialListMappings",
        Kind::CallsIpAcls => "Calls/IpAccessControlListMappings",
        Kind::RegistrationsCredentials => "Registrations/CredentialListMappings",
    }
}

/// The form parameter naming what to map.
fn target_param(kind: Kind) -> &'static str {
    match kind {
        Kind::CallsIpAcls => "IpAccessControlListSid",
        _ => "CredentialListSid",
    }
}

fn domain_path(account: &str, id: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/SIP/Domains/{id}")
}

/// A domain as Twilio shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Domain)]
struct Shown {
    account_sid: String,
    /// RFC 2822, in GMT.
    date_created: String,
    /// RFC 2822, in GMT.
    date_updated: String,
    domain_name: String,
    /// Extension: the address calls and registrations are sent to.
    sip_uri: String,
    friendly_name: String,
    sid: String,
    sip_registration: bool,
    voice_url: String,
    /// Always "POST".
    voice_method: &'static str,
    subresource_uris: DomainLinks,
    uri: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = DomainSubresources)]
struct DomainLinks {
    credential_list_mappings: String,
    ip_access_control_list_mappings: String,
}

fn shown(account: &str, d: Domain) -> Shown {
    let path = domain_path(account, &d.id);
    Shown {
        account_sid: account.to_string(),
        date_created: rfc2822(&d.created_at),
        date_updated: rfc2822(&d.updated_at),
        sip_uri: sip::domain_address(&d.domain_name),
        domain_name: d.domain_name,
        friendly_name: d.friendly_name,
        sid: d.id,
        sip_registration: d.sip_registration,
        voice_url: d.voice_url,
        voice_method: "POST",
        subresource_uris: DomainLinks {
            credential_list_mappings: format!("{path}/Auth/Calls/CredentialListMappings.json"),
            ip_access_control_list_mappings: format!(
                "{path}/Auth/Calls/IpAccessControlListMappings.json"
            ),
        },
        uri: format!("{path}.json"),
    }
}

/// A credential list or IP access control list mapped to a domain: its
/// `sid` is the list's.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Mapping)]
struct MappingShown {
    account_sid: String,
    /// RFC 2822, in GMT.
    date_created: String,
    /// The creation's: a mapping does not change.
    date_updated: String,
    /// The list's.
    friendly_name: String,
    /// The mapped list's SID.
    sid: String,
}

fn mapping_shown(account: &str, m: Mapping) -> MappingShown {
    let date = rfc2822(&m.created_at);
    MappingShown {
        account_sid: account.to_string(),
        date_created: date.clone(),
        date_updated: date,
        friendly_name: m.friendly_name,
        sid: m.target_id,
    }
}

/// One page of the account's domains.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = DomainPage)]
struct DomainPage {
    domains: Vec<Shown>,
    #[serde(flatten)]
    meta: PageMeta,
}

/// One page of a domain's mappings of one kind.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = MappingPage)]
struct MappingPage {
    contents: Vec<MappingShown>,
    #[serde(flatten)]
    meta: PageMeta,
}

// The bodies below are only described: the handlers read the form field by
// field so that each refusal names its parameter and rule.

/// A new domain.
#[derive(utoipa::ToSchema)]
#[schema(as = NewDomainForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct NewDomainForm {
    /// A name under the account's realm, `<name>.<realm>` (the realm is
    /// `<AccountSid>.<the server's SIP domain>`): letters, digits, '.' or
    /// '-', up to 253 characters; unique in the account.
    #[schema(pattern = "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$", max_length = 253)]
    domain_name: String,
    /// Empty when absent.
    #[schema(schema_with = friendly_name_schema, required = false)]
    friendly_name: String,
    #[schema(schema_with = voice_url_schema, required = false)]
    voice_url: String,
    /// Whether devices may register at the domain (false when absent).
    #[schema(required = false)]
    sip_registration: bool,
}

/// A domain's update: what is absent is kept.
#[derive(utoipa::ToSchema)]
#[schema(as = DomainForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct DomainForm {
    #[schema(schema_with = friendly_name_schema, required = false)]
    friendly_name: String,
    #[schema(schema_with = voice_url_schema, required = false)]
    voice_url: String,
    /// Whether devices may register at the domain.
    #[schema(required = false)]
    sip_registration: bool,
}

/// A credential list to map.
#[derive(utoipa::ToSchema)]
#[schema(as = CredentialListMappingForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct CredentialListMappingForm {
    /// One of the account's credential lists.
    #[schema(pattern = "^CL[0-9a-f]{32}$")]
    credential_list_sid: String,
}

/// An IP access control list to map.
#[derive(utoipa::ToSchema)]
#[schema(as = IpAccessControlListMappingForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct AclMappingForm {
    /// One of the account's IP access control lists (`AL…`, or the UUID of
    /// one made through the plivo API).
    #[schema(
        pattern = "^(AL[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    )]
    ip_access_control_list_sid: String,
}

/// `VoiceUrl`: empty, or an http(s) URL of up to 500 characters once
/// trimmed, without spaces or control characters.
fn voice_url_schema() -> Object {
    let url = format!(r"[^/{SPACE}\x00-\x1f\x7f-\x9f][^{SPACE}\x00-\x1f\x7f-\x9f]");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "Empty, or an http:// or https:// URL of up to 500 characters once trimmed, without spaces",
        ))
        .pattern(Some(format!(
            "^[{SPACE}]*(?:https://{url}{{0,491}}|http://{url}{{0,492}})?[{SPACE}]*$"
        )))
        .build()
}

fn bool_param(form: &Form, name: &str) -> TwilioResult<Option<bool>> {
    match form.get(name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if v == "true" => Ok(Some(true)),
        Some(v) if v == "false" => Ok(Some(false)),
        Some(v) => Err(TwilioError::Invalid(format!(
            "{name}: must be true or false, not {v:?}"
        ))),
    }
}

fn friendly_name(raw: &str) -> TwilioResult<String> {
    Ok(FriendlyName::parse(raw)
        .map_err(|e| invalid("FriendlyName", e))?
        .as_str()
        .to_string())
}

fn voice_url(raw: &str) -> TwilioResult<String> {
    Ok(AnswerUrl::parse(raw)
        .map_err(|e| invalid("VoiceUrl", e))?
        .as_str()
        .to_string())
}

/// Lists the account's domains.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json",
    tag = "Domains", operation_id = "list_domains",
    params(Account, TwilioPaging),
    responses((status = 200, description = "One page", body = DomainPage)))]
async fn list_domains(
    cx: Ctx,
    here: Here,
    Query(query): Query<Params>,
) -> TwilioResult<Json<DomainPage>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = domains::list(&cx, paging.window()).await.at(&here)?;
    Ok(Json(DomainPage {
        meta: paging.meta(&here.0, rows.len(), total),
        domains: rows.into_iter().map(|d| shown(cx.account(), d)).collect(),
    }))
}

/// Creates a domain.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json",
    tag = "Domains", operation_id = "create_domain",
    params(Account),
    request_body(content = NewDomainForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Created", body = Shown)))]
async fn create_domain(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Shown>)> {
    let friendly = form.get("FriendlyName").map(friendly_name).transpose()?;
    let new = NewDomain {
        id: secrets::new_sid("SD"),
        domain_name: form.required("DomainName")?.to_string(),
        friendly_name: friendly.unwrap_or_default(),
        voice_url: voice_url(form.get("VoiceUrl").unwrap_or(""))?,
        sip_registration: bool_param(&form, "SipRegistration")?.unwrap_or(false),
    };
    let created = domains::create(&cx, new).await.at(&here)?;
    Ok((StatusCode::CREATED, Json(shown(cx.account(), created))))
}

/// Fetches a domain.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json",
    tag = "Domains", operation_id = "get_domain",
    params(Account, DomainItemSid),
    responses((status = 200, description = "The domain", body = Shown)))]
async fn fetch_domain(cx: Ctx, domain: Item) -> TwilioResult<Json<Shown>> {
    let d = domains::find(&cx, &domain.id).await.at(&domain.here)?;
    Ok(Json(shown(cx.account(), d)))
}

/// Changes a domain.
///
/// Any of `FriendlyName`, `VoiceUrl`, `SipRegistration`; the rest is kept.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json",
    tag = "Domains", operation_id = "update_domain",
    params(Account, DomainItemSid),
    request_body(content = DomainForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Changed", body = Shown)))]
async fn update_domain(cx: Ctx, domain: Item, form: Form) -> TwilioResult<Json<Shown>> {
    let mut d = domains::find(&cx, &domain.id).await.at(&domain.here)?;
    if let Some(f) = form.get("FriendlyName") {
        d.friendly_name = friendly_name(f)?;
    }
    if let Some(v) = form.get("VoiceUrl") {
        d.voice_url = voice_url(v)?;
    }
    if let Some(r) = bool_param(&form, "SipRegistration")? {
        d.sip_registration = r;
    }
    let updated = domains::update(&cx, &d).await.at(&domain.here)?;
    Ok(Json(shown(cx.account(), updated)))
}

/// Deletes a domain and its mappings.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json",
    tag = "Domains", operation_id = "delete_domain",
    params(Account, DomainItemSid),
    responses((status = 204, description = "Deleted")))]
async fn delete_domain(cx: Ctx, domain: Item) -> TwilioResult<StatusCode> {
    domains::delete(&cx, &domain.id).await.at(&domain.here)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_mappings(
    kind: Kind,
    cx: Ctx,
    at: Under,
    q: Params,
) -> TwilioResult<Json<MappingPage>> {
    let d = domains::find(&cx, &at.parent).await.at(&at.here)?;
    let paging = Paging::from_query(&q)?;
    let (rows, total) = domains::mappings(&cx, &d, kind, paging.window())
        .await
        .at(&at.here)?;
    Ok(Json(MappingPage {
        meta: paging.meta(&at.here.0, rows.len(), total),
        contents: rows
            .into_iter()
            .map(|m| mapping_shown(cx.account(), m))
            .collect(),
    }))
}

async fn create_mapping(
    kind: Kind,
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<MappingShown>)> {
    let d = domains::find(&cx, &at.parent).await.at(&at.here)?;
    let target = form.required(target_param(kind))?;
    let m = domains::map(&cx, &d, kind, target).await.at(&at.here)?;
    Ok((StatusCode::CREATED, Json(mapping_shown(cx.account(), m))))
}

/// The domain the path names, and its mapping `kind` to the path's target.
async fn the_mapping(cx: &Ctx, kind: Kind, at: &Nested) -> TwilioResult<(Domain, Mapping)> {
    let d = domains::find(cx, &at.parent).await.at(&at.here)?;
    let m = domains::mapping(cx, &d, kind, &at.id).await.at(&at.here)?;
    Ok((d, m))
}

async fn fetch_mapping(kind: Kind, cx: Ctx, at: Nested) -> TwilioResult<Json<MappingShown>> {
    let (_, m) = the_mapping(&cx, kind, &at).await?;
    Ok(Json(mapping_shown(cx.account(), m)))
}

async fn delete_mapping(kind: Kind, cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    let (d, _) = the_mapping(&cx, kind, &at).await?;
    domains::unmap(&cx, &d, kind, &at.id).await.at(&at.here)?;
    Ok(StatusCode::NO_CONTENT)
}

// One named handler per kind of mapping and operation: `#[utoipa::path]`
// documents a fn at a literal path, and the kinds differ in more than the
// path (the form's parameter, the SID's shape, the summary), which copying
// one documented PathItem to the other paths would have to patch by hand.
// Named fns keep each annotation beside the route it documents.

/// Lists the credential lists that authenticate the domain's calls.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings.json",
    tag = "Domains", operation_id = "list_calls_credential_list_mappings",
    params(Account, DomainSid, TwilioPaging),
    responses((status = 200, description = "One page", body = MappingPage)))]
async fn list_calls_credential_lists(
    cx: Ctx,
    at: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<MappingPage>> {
    list_mappings(Kind::CallsCredentials, cx, at, q).await
}

/// Maps a credential list to authenticate the domain's calls.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings.json",
    tag = "Domains", operation_id = "create_calls_credential_list_mapping",
    params(Account, DomainSid),
    request_body(content = CredentialListMappingForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Mapped", body = MappingShown)))]
async fn map_calls_credential_list(
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<MappingShown>)> {
    create_mapping(Kind::CallsCredentials, cx, at, form).await
}

/// Fetches a credential list mapped for the domain's calls.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings/{Sid}.json",
    tag = "Domains", operation_id = "get_calls_credential_list_mapping",
    params(Account, DomainSid, ListSid),
    responses((status = 200, description = "The mapping", body = MappingShown)))]
async fn get_calls_credential_list(cx: Ctx, at: Nested) -> TwilioResult<Json<MappingShown>> {
    fetch_mapping(Kind::CallsCredentials, cx, at).await
}

/// Unmaps a credential list from the domain's calls.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/CredentialListMappings/{Sid}.json",
    tag = "Domains", operation_id = "delete_calls_credential_list_mapping",
    params(Account, DomainSid, ListSid),
    responses((status = 204, description = "Unmapped")))]
async fn unmap_calls_credential_list(cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    delete_mapping(Kind::CallsCredentials, cx, at).await
}

/// Lists the IP access control lists that admit the domain's calls.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json",
    tag = "Domains", operation_id = "list_calls_ip_access_control_list_mappings",
    params(Account, DomainSid, TwilioPaging),
    responses((status = 200, description = "One page", body = MappingPage)))]
async fn list_calls_acls(
    cx: Ctx,
    at: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<MappingPage>> {
    list_mappings(Kind::CallsIpAcls, cx, at, q).await
}

/// Maps an IP access control list to admit the domain's calls.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json",
    tag = "Domains", operation_id = "create_calls_ip_access_control_list_mapping",
    params(Account, DomainSid),
    request_body(content = AclMappingForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Mapped", body = MappingShown)))]
async fn map_calls_acl(
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<MappingShown>)> {
    create_mapping(Kind::CallsIpAcls, cx, at, form).await
}

/// Fetches an IP access control list mapped for the domain's calls.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings/{Sid}.json",
    tag = "Domains", operation_id = "get_calls_ip_access_control_list_mapping",
    params(Account, DomainSid, AclSid),
    responses((status = 200, description = "The mapping", body = MappingShown)))]
async fn get_calls_acl(cx: Ctx, at: Nested) -> TwilioResult<Json<MappingShown>> {
    fetch_mapping(Kind::CallsIpAcls, cx, at).await
}

/// Unmaps an IP access control list from the domain's calls.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings/{Sid}.json",
    tag = "Domains", operation_id = "delete_calls_ip_access_control_list_mapping",
    params(Account, DomainSid, AclSid),
    responses((status = 204, description = "Unmapped")))]
async fn unmap_calls_acl(cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    delete_mapping(Kind::CallsIpAcls, cx, at).await
}

/// Lists the credential lists that authenticate registrations at the domain.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings.json",
    tag = "Domains", operation_id = "list_registrations_credential_list_mappings",
    params(Account, DomainSid, TwilioPaging),
    responses((status = 200, description = "One page", body = MappingPage)))]
async fn list_registrations_credential_lists(
    cx: Ctx,
    at: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<MappingPage>> {
    list_mappings(Kind::RegistrationsCredentials, cx, at, q).await
}

/// Maps a credential list to authenticate registrations at the domain.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings.json",
    tag = "Domains", operation_id = "create_registrations_credential_list_mapping",
    params(Account, DomainSid),
    request_body(content = CredentialListMappingForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Mapped", body = MappingShown)))]
async fn map_registrations_credential_list(
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<MappingShown>)> {
    create_mapping(Kind::RegistrationsCredentials, cx, at, form).await
}

/// Fetches a credential list mapped for registrations at the domain.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings/{Sid}.json",
    tag = "Domains", operation_id = "get_registrations_credential_list_mapping",
    params(Account, DomainSid, ListSid),
    responses((status = 200, description = "The mapping", body = MappingShown)))]
async fn get_registrations_credential_list(
    cx: Ctx,
    at: Nested,
) -> TwilioResult<Json<MappingShown>> {
    fetch_mapping(Kind::RegistrationsCredentials, cx, at).await
}

/// Unmaps a credential list from registrations at the domain.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/Domains/{DomainSid}/Auth/Registrations/CredentialListMappings/{Sid}.json",
    tag = "Domains", operation_id = "delete_registrations_credential_list_mapping",
    params(Account, DomainSid, ListSid),
    responses((status = 204, description = "Unmapped")))]
async fn unmap_registrations_credential_list(cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    delete_mapping(Kind::RegistrationsCredentials, cx, at).await
}
