//! Zentrunk trunks: a name, a direction, the credential they authenticate
//! with and optionally an IP ACL. `credential_uuid=` filters the list (the
//! console's where-used, before a credential is deleted).

use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Page, PLIVO_MAX};
use crate::paths::{resource, Id};
use crate::plivo::filter_query;
use crate::service::{trunks, Ctx};
use crate::store::trunks::Trunk;
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::sip::{self, TrunkDirection};
use sipauth_model::AclName;
use std::collections::HashMap;

const BASE: &str = "/Account/{auth_id}/Zentrunk/Trunk";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

fn to_json(realm: &str, t: &Trunk) -> Value {
    json!({
        "trunk_id": t.id,
        "name": t.name,
        "trunk_direction": t.trunk_direction,
        "credential_uuid": t.credential_id,
        "ip_acl_uuid": t.ip_acl_id,
        // Extension: where an outbound trunk's PBX sends its calls (inbound
        // trunks take no calls from it).
        "sip_uri": TrunkDirection::parse(&t.trunk_direction)
            .is_ok_and(TrunkDirection::takes_calls)
            .then(|| sip::trunk_address(&t.id, realm)),
    })
}

/// The fields of `body` over `t` (absent ones kept); checks them.
fn apply(body: &JsonObject, t: &mut Trunk) -> ApiResult<()> {
    if let Some(name) = body.optional_str(AclName::FIELD)? {
        t.name = AclName::parse(name)?.as_str().to_string();
    }
    if let Some(direction) = body.optional_str(TrunkDirection::FIELD)? {
        t.trunk_direction = TrunkDirection::parse(direction)?.as_str().to_string();
    }
    if let Some(c) = body.optional_str("credential_uuid")? {
        t.credential_id = Some(c.to_string());
    }
    if body.has("ip_acl_uuid") {
        t.ip_acl_id = body
            .optional_str("ip_acl_uuid")?
            .filter(|a| !a.is_empty())
            .map(str::to_string);
    }
    Ok(())
}

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    for field in ["name", "trunk_direction", "credential_uuid"] {
        if body.optional_str(field)?.is_none() {
            return Err(ApiError::Missing {
                field: field.into(),
                message: format!("{field}: this parameter is required"),
            });
        }
    }
    let mut trunk = Trunk {
        id: uuid::Uuid::new_v4().to_string(),
        name: String::new(),
        trunk_direction: String::new(),
        credential_id: None,
        ip_acl_id: None,
    };
    apply(&body, &mut trunk)?;
    let trunk = trunks::create(&cx, trunk).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "api_id": api_id(), "message": "trunk created successfully.", "trunk_id": trunk.id }),
        ),
    ))
}

async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    let credential = query.get("credential_uuid").map(String::as_str);
    let (rows, total) = trunks::list(&cx, credential, page.window()).await?;
    let account = &cx.caller.account;
    let base = crate::plivo::uri(BASE, &account.auth_id);
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base, total, &filter_query("credential_uuid", credential)),
        "objects": rows.iter().map(|t| to_json(&account.realm, t)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    let t = trunks::find(&cx, &id).await?;
    Ok(Json(to_json(&cx.caller.account.realm, &t)))
}

async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut trunk = trunks::find(&cx, &id).await?;
    apply(&body, &mut trunk)?;
    trunks::update(&cx, trunk).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "api_id": api_id(), "message": "changed", "trunk_id": id })),
    ))
}

async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    trunks::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
