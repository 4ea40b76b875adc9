//! SIP Domains and their authentication mappings (seed 004): credential
//! lists for calls and for registrations, IP ACLs for calls.

use super::error::{invalid, TwilioError, TwilioResult};
use super::{form, required, rfc2822, sid_of, Paging};
use crate::auth::Account;
use crate::secrets;
use crate::store::domains::{self, Domain, Kind, Mapped, Mapping};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{sip, AnswerUrl, FriendlyName};
use std::collections::HashMap;

const DOMAINS: &str = "/Accounts/{account_sid}/SIP/Domains";

type Params = Path<HashMap<String, String>>;
type Q = Query<HashMap<String, String>>;
type Acct = Extension<Account>;
type St = State<AppState>;

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
                get(move |s: St, a: Acct, p: Params, q: Q, u: OriginalUri| {
                    list_mappings(kind, s, a, p, q, u)
                })
                .post(
                    move |s: St, a: Acct, p: Params, u: OriginalUri, b: Bytes| {
                        create_mapping(kind, s, a, p, u, b)
                    },
                ),
            )
            .route(
                &format!("{base}/{{mapping}}"),
                get(move |s: St, a: Acct, p: Params, u: OriginalUri| {
                    fetch_mapping(kind, s, a, p, u)
                })
                .delete(move |s: St, a: Acct, p: Params, u: OriginalUri| {
                    delete_mapping(kind, s, a, p, u)
                }),
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

fn bool_param(form: &HashMap<String, String>, name: &str) -> TwilioResult<Option<bool>> {
    match form.get(name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if v == "true" => Ok(Some(true)),
        Some(v) if v == "false" => Ok(Some(false)),
        Some(v) => Err(TwilioError::Invalid(format!(
            "{name}: must be true or false, not {v:?}"
        ))),
    }
}

/// The account's domain named by the path (`{Sid}.json` or a bare SID).
async fn the_domain(
    state: &AppState,
    account: &str,
    segment: &str,
    uri: &OriginalUri,
) -> TwilioResult<Domain> {
    let id = segment.strip_suffix(".json").unwrap_or(segment);
    domains::find(&state.db, account, id)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))
}

async fn list_domains(
    State(state): St,
    Extension(Account(account)): Acct,
    Query(query): Q,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) =
        domains::list(&state.db, &account.auth_id, paging.page_size, paging.offset).await?;
    let items = rows
        .iter()
        .map(|d| domain_json(&account.auth_id, d))
        .collect();
    let path = format!("/2010-04-01/Accounts/{}/SIP/Domains.json", account.auth_id);
    Ok(Json(paging.envelope("domains", &path, items, total)))
}

async fn create_domain(
    State(state): St,
    Extension(Account(account)): Acct,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let form = form(&body)?;
    // Under the account's realm, so that no account can name another's
    // realm or domains (the rule is in sipauth_model::sip).
    let name = sip::domain_name(required(&form, "DomainName")?, &account.realm)
        .map_err(|e| invalid("DomainName", e))?;
    let friendly = match form.get("FriendlyName") {
        Some(f) => FriendlyName::parse(f)
            .map_err(|e| invalid("FriendlyName", e))?
            .as_str()
            .to_string(),
        None => String::new(),
    };
    let voice_url = AnswerUrl::parse(form.get("VoiceUrl").map_or("", String::as_str))
        .map_err(|e| invalid("VoiceUrl", e))?;
    let registration = bool_param(&form, "SipRegistration")?.unwrap_or(false);
    let id = secrets::new_sid("SD");
    let created = match domains::create(
        &state.db,
        &account.auth_id,
        &id,
        name.as_str(),
        &friendly,
        voice_url.as_str(),
        registration,
    )
    .await?
    {
        domains::Created::Ok(d) => d,
        domains::Created::NameTaken => {
            return Err(TwilioError::Conflict(format!(
                // Names live under the account's realm: the holder is this account.
                "DomainName: this account already has a domain named {name}"
            )));
        }
    };
    tracing::info!(account = %account.auth_id, domain = %id, "SIP domain created");
    Ok((
        StatusCode::CREATED,
        Json(domain_json(&account.auth_id, &created)),
    ))
}

async fn fetch_domain(
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    sid_of(&params["domain"], uri.path())?;
    let d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    Ok(Json(domain_json(&account.auth_id, &d)))
}

/// Any of `FriendlyName`, `VoiceUrl`, `SipRegistration`; the rest is kept.
async fn update_domain(
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<Json<Value>> {
    sid_of(&params["domain"], uri.path())?;
    let mut d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    let form = form(&body)?;
    if let Some(f) = form.get("FriendlyName") {
        d.friendly_name = FriendlyName::parse(f)
            .map_err(|e| invalid("FriendlyName", e))?
            .as_str()
            .to_string();
    }
    if let Some(v) = form.get("VoiceUrl") {
        d.voice_url = AnswerUrl::parse(v)
            .map_err(|e| invalid("VoiceUrl", e))?
            .as_str()
            .to_string();
    }
    if let Some(r) = bool_param(&form, "SipRegistration")? {
        d.sip_registration = r;
    }
    let updated = domains::update(&state.db, &account.auth_id, &d)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))?;
    tracing::info!(account = %account.auth_id, domain = %d.id, "SIP domain changed");
    Ok(Json(domain_json(&account.auth_id, &updated)))
}

async fn delete_domain(
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let id = sid_of(&params["domain"], uri.path())?;
    if !domains::delete(&state.db, &account.auth_id, id).await? {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    tracing::info!(account = %account.auth_id, domain = %id, "SIP domain deleted");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_mappings(
    kind: Kind,
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    Query(query): Q,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    let paging = Paging::from_query(&query)?;
    let (rows, total) =
        domains::mappings(&state.db, &d.id, kind, paging.page_size, paging.offset).await?;
    let items = rows
        .iter()
        .map(|m| mapping_json(&account.auth_id, m))
        .collect();
    Ok(Json(paging.envelope("contents", uri.path(), items, total)))
}

async fn create_mapping(
    kind: Kind,
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    let form = form(&body)?;
    let param = target_param(kind);
    let target = required(&form, param)?;
    match domains::map(&state.db, &account.auth_id, &d.id, kind, target).await? {
        Mapped::Ok => {}
        Mapped::NoSuchTarget => {
            return Err(TwilioError::Invalid(format!(
                "{param}: {target} is not one of this account's {}",
                if kind == Kind::CallsIpAcls {
                    "IP access control lists"
                } else {
                    "credential lists"
                }
            )))
        }
        Mapped::Already => {
            return Err(TwilioError::Conflict(format!(
                "{param}: {target} is already mapped to this domain"
            )))
        }
    }
    tracing::info!(account = %account.auth_id, domain = %d.id, target = %target, "domain mapping added");
    let m = domains::mapping(&state.db, &d.id, kind, target)
        .await?
        .ok_or_else(|| TwilioError::Internal("created mapping not found".into()))?;
    Ok((
        StatusCode::CREATED,
        Json(mapping_json(&account.auth_id, &m)),
    ))
}

async fn fetch_mapping(
    kind: Kind,
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    let target = sid_of(&params["mapping"], uri.path())?;
    let m = domains::mapping(&state.db, &d.id, kind, target)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))?;
    Ok(Json(mapping_json(&account.auth_id, &m)))
}

async fn delete_mapping(
    kind: Kind,
    State(state): St,
    Extension(Account(account)): Acct,
    Path(params): Params,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let d = the_domain(&state, &account.auth_id, &params["domain"], &uri).await?;
    let target = sid_of(&params["mapping"], uri.path())?;
    if !domains::unmap(&state.db, &d.id, kind, target).await? {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    tracing::info!(account = %account.auth_id, domain = %d.id, target = %target, "domain mapping removed");
    Ok(StatusCode::NO_CONTENT)
}
