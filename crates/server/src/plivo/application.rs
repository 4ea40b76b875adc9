//! Applications, which put a credential, an IP ACL or both to use through
//! `sip_auth_type`.

use super::filter_query;
use crate::body::JsonObject;
use crate::error::{api_id, ApiResult};
use crate::paging::{Page, PLIVO_MAX};
use crate::paths::{resource, Id};
use crate::service::{applications, Ctx};
use crate::store::accounts;
use crate::store::applications::{Application, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::sip::{self, SipAuthType};
use sipauth_model::{AnswerUrl, AppName};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Application";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

fn to_json(account: &accounts::Account, a: &Application) -> Value {
    let auth_id = &account.auth_id;
    json!({
        "app_id": a.id,
        "app_name": a.app_name,
        "answer_url": a.answer_url,
        "sip_auth_type": a.sip_auth_type,
        "credential_uuid": a.credential_id,
        "ip_acl_uuid": a.ip_acl_id,
        // Extension: the address calls to this application are sent to.
        "sip_uri": sip::application_address(&a.id, &account.realm),
        "resource_uri": format!("{}{}/", super::uri(BASE, auth_id), a.id),
    })
}

/// A plivo-style numeric app id: 17 random digits, the first not 0.
fn new_app_id() -> String {
    let low = 10u128.pow(16);
    (low + uuid::Uuid::new_v4().as_u128() % (9 * low)).to_string()
}

/// The request's fields over `app` (absent fields keep their value); the
/// core decides what `sip_auth_type` keeps and needs.
fn apply(body: &JsonObject, app: &mut Application) -> ApiResult<()> {
    if let Some(name) = body.optional_str(AppName::FIELD)? {
        app.app_name = AppName::parse(name)?.as_str().to_string();
    }
    if let Some(url) = body.optional_str(AnswerUrl::FIELD)? {
        app.answer_url = AnswerUrl::parse(url)?.as_str().to_string();
    }
    if let Some(kind) = body.optional_str(SipAuthType::FIELD)? {
        app.sip_auth_type = SipAuthType::parse(kind)?.as_str().to_string();
    }
    if let Some(id) = body.optional_str("credential_uuid")? {
        app.credential_id = Some(id.to_string()).filter(|s| !s.is_empty());
    }
    if let Some(id) = body.optional_str("ip_acl_uuid")? {
        app.ip_acl_id = Some(id.to_string()).filter(|s| !s.is_empty());
    }
    Ok(())
}

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    // Required on create; `apply` validates it.
    body.required_str(AppName::FIELD)?;
    let mut app = Application {
        id: new_app_id(),
        ..Application::default()
    };
    apply(&body, &mut app)?;
    let app = applications::create(&cx, app).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api_id": api_id(), "app_id": app.id, "message": "created" })),
    ))
}

async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: which applications use a given credential or ACL.
    let filter = Filter {
        credential_id: query.get("credential_uuid").map(String::as_str),
        ip_acl_id: query.get("ip_acl_uuid").map(String::as_str),
    };
    let (rows, total) = applications::list(&cx, filter, page.window()).await?;
    let extra = filter_query("credential_uuid", filter.credential_id)
        + &filter_query("ip_acl_uuid", filter.ip_acl_id);
    let account = &cx.caller.account;
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&super::uri(BASE, &account.auth_id), total, &extra),
        "objects": rows.iter().map(|a| to_json(account, a)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    let app = applications::find(&cx, &id).await?;
    let mut out = to_json(&cx.caller.account, &app);
    out["api_id"] = api_id().into();
    Ok(Json(out))
}

async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<(StatusCode, Json<super::Changed>)> {
    let mut app = applications::find(&cx, &id).await?;
    apply(&body, &mut app)?;
    applications::update(&cx, app).await?;
    Ok(super::changed())
}

async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    applications::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
