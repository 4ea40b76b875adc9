//! SIP Domains and their authentication mappings (seed 004): credential
//! lists for calls and for registrations, IP ACLs for calls.

use super::error::{invalid, TwilioError, TwilioResult};
use super::{rfc2822, Form, Here, Paging};
use crate::paths::{Child, Parent};
use crate::secrets;
use crate::service::domains::{self, NewDomain};
use crate::service::Ctx;
use crate::store::domains::{Domain, Mapping, MappingKind as Kind};
use crate::AppState;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{sip, AnswerUrl, FriendlyName};
use std::collections::HashMap;

const DOMAINS: &str = "/Accounts/{account_sid}/SIP/Domains";

type Q = Query<HashMap<String, String>>;

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route(
            &format!("{DOMAINS}.json"),
            get(list_domains).post(create_domain),
        )
        .route(
            &format!("{DOMAINS}/{{domain}}"),
            get(fetch_domain).post(update_domain).delete(delete_domain),
        );
    for kind in [
        Kind::CallsCredentials,
        Kind::CallsIpAcls,
        Kind::RegistrationsCredentials,
    ] {
        let base = format!("{DOMAINS}/{{domain}}/Auth/{}", segment(kind));
        router = router
            .route(
                &format!("{base}.json"),
                get(move |c: Ctx, h: Here, p: Path<Parent>, q: Q| list_mappings(kind, c, h, p, q))
                    .post(move |c: Ctx, h: Here, p: Path<Parent>, f: Form| {
                        create_mapping(kind, c, h, p, f)
                    }),
            )
            .route(
                &format!("{base}/{{mapping}}"),
                get(move |c: Ctx, h: Here, p: Path<Child>| fetch_mapping(kind, c, h, p))
                    .delete(move |c: Ctx, h: Here, p: Path<Child>| delete_mapping(kind, c, h, p)),
            );
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

/// The caller's domain named by a path segment (`{Sid}.json`, or a bare
/// SID where a sub-resource follows).
async fn the_domain(cx: &Ctx, here: &Here, segment: &str) -> TwilioResult<Domain> {
    let id = segment.strip_suffix(".json").unwrap_or(segment);
    domains::find(cx, id).await.map_err(|e| here.refused(e))
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

async fn list_domains(cx: Ctx, here: Here, Query(query): Q) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = domains::list(&cx, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows.iter().map(|d| domain_json(account, d)).collect();
    Ok(Json(paging.envelope("domains", &here.0, items, total)))
}

async fn create_domain(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Value>)> {
    let new = NewDomain {
        id: secrets::new_sid("SD"),
        domain_name: form.required("DomainName")?.to_string(),
        friendly_name: form
            .get("FriendlyName")
            .map(friendly_name)
            .transpose()?
            .unwrap_or_default(),
        voice_url: voice_url(form.get("VoiceUrl").unwrap_or(""))?,
        sip_registration: bool_param(&form, "SipRegistration")?.unwrap_or(false),
    };
    let created = domains::create(&cx, new)
        .await
        .map_err(|e| here.refused(e))?;
    Ok((
        StatusCode::CREATED,
        Json(domain_json(cx.account(), &created)),
    ))
}

async fn fetch_domain(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<Json<Value>> {
    here.sid(&parent)?;
    let d = the_domain(&cx, &here, &parent).await?;
    Ok(Json(domain_json(cx.account(), &d)))
}

/// Any of `FriendlyName`, `VoiceUrl`, `SipRegistration`; the rest is kept.
async fn update_domain(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    form: Form,
) -> TwilioResult<Json<Value>> {
    here.sid(&parent)?;
    let mut d = the_domain(&cx, &here, &parent).await?;
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
    let updated = domains::update(&cx, &d, changed)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(domain_json(cx.account(), &updated)))
}

async fn delete_domain(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<StatusCode> {
    domains::delete(&cx, here.sid(&parent)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_mappings(
    kind: Kind,
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    Query(query): Q,
) -> TwilioResult<Json<Value>> {
    let d = the_domain(&cx, &here, &parent).await?;
    let paging = Paging::from_query(&query)?;
    let (rows, total) = domains::mappings(&cx, &d, kind, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows.iter().map(|m| mapping_json(account, m)).collect();
    Ok(Json(paging.envelope("contents", &here.0, items, total)))
}

async fn create_mapping(
    kind: Kind,
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    form: Form,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let d = the_domain(&cx, &here, &parent).await?;
    let target = form.required(target_param(kind))?;
    let m = domains::map(&cx, &d, kind, target)
        .await
        .map_err(|e| here.refused(e))?;
    Ok((StatusCode::CREATED, Json(mapping_json(cx.account(), &m))))
}

async fn fetch_mapping(
    kind: Kind,
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
) -> TwilioResult<Json<Value>> {
    let d = the_domain(&cx, &here, &path.parent).await?;
    let m = domains::mapping(&cx, &d, kind, here.sid(&path.child)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(mapping_json(cx.account(), &m)))
}

async fn delete_mapping(
    kind: Kind,
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
) -> TwilioResult<StatusCode> {
    let d = the_domain(&cx, &here, &path.parent).await?;
    domains::unmap(&cx, &d, kind, here.sid(&path.child)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}
