//! SIP Domains and their authentication mappings (seed 004): credential
//! lists for calls and for registrations, IP ACLs for calls.

use super::error::{invalid, TwilioError, TwilioResult};
use super::{resource, rfc2822, At, Form, Here, Item, Nested, Paging, Params, Under};
use crate::secrets;
use crate::service::domains::{self, NewDomain};
use crate::service::Ctx;
use crate::store::domains::{Domain, Mapping, MappingKind as Kind};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{sip, AnswerUrl, FriendlyName};

const DOMAINS: &str = "/Accounts/{account_sid}/SIP/Domains";

pub fn router() -> Router<AppState> {
    let domains = get(fetch_domain).post(update_domain).delete(delete_domain);
    let mut router = resource(DOMAINS, get(list_domains).post(create_domain), domains);
    for kind in [
        Kind::CallsCredentials,
        Kind::CallsIpAcls,
        Kind::RegistrationsCredentials,
    ] {
        let base = format!("{DOMAINS}/{{parent}}/Auth/{}", segment(kind));
        let list = move |c: Ctx, u: Under, Query(q): Query<Params>| list_mappings(kind, c, u, q);
        let create = move |c: Ctx, u: Under, f: Form| create_mapping(kind, c, u, f);
        let fetch = move |c: Ctx, n: Nested| fetch_mapping(kind, c, n);
        let delete = move |c: Ctx, n: Nested| delete_mapping(kind, c, n);
        router = router.merge(resource(
            &base,
            get(list).post(create),
            get(fetch).delete(delete),
        ));
    }
    router
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

fn domain_json(account: &str, d: &Domain) -> Value {
    let path = domain_path(account, &d.id);
    json!({
        "account_sid": account,
        "date_created": rfc2822(&d.created_at),
        "date_updated": rfc2822(&d.updated_at),
        "domain_name": d.domain_name,
        // Extension: the address calls and registrations are sent to.
        "sip_uri": sip::domain_address(&d.domain_name),
        "friendly_name": d.friendly_name,
        "sid": d.id,
        "sip_registration": d.sip_registration,
        "voice_url": d.voice_url,
        "voice_method": "POST",
        "subresource_uris": {
            "credential_list_mappings": format!("{path}/Auth/Calls/CredentialListMappings.json"),
            "ip_access_control_list_mappings": format!("{path}/Auth/Calls/IpAccessControlListMappings.json"),
        },
        "uri": format!("{path}.json"),
    })
}

fn mapping_json(account: &str, m: &Mapping) -> Value {
    let date = rfc2822(&m.created_at);
    json!({
        "account_sid": account,
        "date_created": date,
        "date_updated": date,
        "friendly_name": m.friendly_name,
        "sid": m.target_id,
    })
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

async fn list_domains(
    cx: Ctx,
    here: Here,
    Query(query): Query<Params>,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = domains::list(&cx, paging.window()).await.at(&here)?;
    let items = rows.iter().map(|d| domain_json(cx.account(), d)).collect();
    Ok(Json(paging.envelope("domains", &here.0, items, total)))
}

async fn create_domain(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Value>)> {
    let friendly = form.get("FriendlyName").map(friendly_name).transpose()?;
    let new = NewDomain {
        id: secrets::new_sid("SD"),
        domain_name: form.required("DomainName")?.to_string(),
        friendly_name: friendly.unwrap_or_default(),
        voice_url: voice_url(form.get("VoiceUrl").unwrap_or(""))?,
        sip_registration: bool_param(&form, "SipRegistration")?.unwrap_or(false),
    };
    let created = domains::create(&cx, new).await.at(&here)?;
    Ok((
        StatusCode::CREATED,
        Json(domain_json(cx.account(), &created)),
    ))
}

async fn fetch_domain(cx: Ctx, domain: Item) -> TwilioResult<Json<Value>> {
    let d = domains::find(&cx, &domain.id).await.at(&domain.here)?;
    Ok(Json(domain_json(cx.account(), &d)))
}

/// Any of `FriendlyName`, `VoiceUrl`, `SipRegistration`; the rest is kept.
async fn update_domain(cx: Ctx, domain: Item, form: Form) -> TwilioResult<Json<Value>> {
    let mut d = domains::find(&cx, &domain.id).await.at(&domain.here)?;
    let mut changed = Vec::new();
    if let Some(f) = form.get("FriendlyName") {
        d.friendly_name = friendly_name(f)?;
        changed.push("name");
    }
    if let Some(v) = form.get("VoiceUrl") {
        d.voice_url = voice_url(v)?;
        changed.push("voice_url");
    }
    if let Some(r) = bool_param(&form, "SipRegistration")? {
        d.sip_registration = r;
        changed.push("sip_registration");
    }
    let updated = domains::update(&cx, &d, changed).await.at(&domain.here)?;
    Ok(Json(domain_json(cx.account(), &updated)))
}

async fn delete_domain(cx: Ctx, domain: Item) -> TwilioResult<StatusCode> {
    domains::delete(&cx, &domain.id).await.at(&domain.here)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_mappings(kind: Kind, cx: Ctx, at: Under, q: Params) -> TwilioResult<Json<Value>> {
    let d = domains::find(&cx, &at.parent).await.at(&at.here)?;
    let paging = Paging::from_query(&q)?;
    let (rows, total) = domains::mappings(&cx, &d, kind, paging.window())
        .await
        .at(&at.here)?;
    let items = rows.iter().map(|m| mapping_json(cx.account(), m)).collect();
    Ok(Json(paging.envelope("contents", &at.here.0, items, total)))
}

async fn create_mapping(
    kind: Kind,
    cx: Ctx,
    at: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let d = domains::find(&cx, &at.parent).await.at(&at.here)?;
    let target = form.required(target_param(kind))?;
    let m = domains::map(&cx, &d, kind, target).await.at(&at.here)?;
    Ok((StatusCode::CREATED, Json(mapping_json(cx.account(), &m))))
}

/// The domain the path names, and its mapping `kind` to the path's target.
async fn the_mapping(cx: &Ctx, kind: Kind, at: &Nested) -> TwilioResult<(Domain, Mapping)> {
    let d = domains::find(cx, &at.parent).await.at(&at.here)?;
    let m = domains::mapping(cx, &d, kind, &at.id).await.at(&at.here)?;
    Ok((d, m))
}

async fn fetch_mapping(kind: Kind, cx: Ctx, at: Nested) -> TwilioResult<Json<Value>> {
    let (_, m) = the_mapping(&cx, kind, &at).await?;
    Ok(Json(mapping_json(cx.account(), &m)))
}

async fn delete_mapping(kind: Kind, cx: Ctx, at: Nested) -> TwilioResult<StatusCode> {
    let (d, _) = the_mapping(&cx, kind, &at).await?;
    domains::unmap(&cx, &d, kind, &at.id).await.at(&at.here)?;
    Ok(StatusCode::NO_CONTENT)
}
