//! Zentrunk trunks: a name, a direction, the credential they authenticate
//! with and optionally an IP ACL. `credential_uuid=` filters the list (the
//! console's where-used, before a credential is deleted).

use crate::auth::Account;
use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::plivo::Page;
use crate::store::trunks::{self, Trunk};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::sip::{self, TrunkDirection};
use sipauth_model::AclName;
use std::collections::HashMap;

const BASE: &str = "/Account/{auth_id}/Zentrunk/Trunk";

pub fn router() -> Router<AppState> {
    let list = get(list).post(create);
    let one = get(retrieve).post(update).delete(remove);
    Router::new()
        .route(&format!("{BASE}/"), list.clone())
        .route(BASE, list)
        .route(&format!("{BASE}/{{id}}/"), one.clone())
        .route(&format!("{BASE}/{{id}}"), one)
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

/// Saves, explaining which reference is not the account's.
async fn save(state: &AppState, account: &str, t: &Trunk, insert: bool) -> ApiResult<()> {
    if trunks::save(&state.db, account, t, insert).await? {
        return Ok(());
    }
    if !insert && trunks::find(&state.db, account, &t.id).await?.is_none() {
        return Err(ApiError::NotFound("trunk"));
    }
    let credential_ok = match &t.credential_id {
        Some(id) => crate::store::credentials::find(&state.db, account, id)
            .await?
            .is_some(),
        None => true,
    };
    let (field, what) = if credential_ok {
        ("ip_acl_uuid", "IP ACL")
    } else {
        ("credential_uuid", "credential")
    };
    Err(ApiError::BadField {
        field: field.into(),
        message: format!("{field}: no such {what} in this account"),
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
    save(&state, &account.auth_id, &trunk, true).await?;
    tracing::info!(account = %account.auth_id, trunk = %trunk.id, "trunk created");
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "api_id": api_id(), "message": "trunk created successfully.", "trunk_id": trunk.id }),
        ),
    ))
}

async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query)?;
    let credential = query.get("credential_uuid").map(String::as_str);
    let (rows, total) = trunks::list(
        &state.db,
        &account.auth_id,
        credential,
        page.limit,
        page.offset,
    )
    .await?;
    let extra = credential
        .map(|c| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("credential_uuid", c)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let base = format!("/v1/Account/{}/Zentrunk/Trunk/", account.auth_id);
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base, total, &extra),
        "objects": rows.iter().map(|t| to_json(&account.realm, t)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let t = trunks::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("trunk"))?;
    Ok(Json(to_json(&account.realm, &t)))
}

async fn update(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let mut trunk = trunks::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("trunk"))?;
    apply(&body, &mut trunk)?;
    save(&state, &account.auth_id, &trunk, false).await?;
    tracing::info!(account = %account.auth_id, trunk = %id, "trunk changed");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "api_id": api_id(), "message": "changed", "trunk_id": id })),
    ))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    if !trunks::delete(&state.db, &account.auth_id, id).await? {
        return Err(ApiError::NotFound("trunk"));
    }
    tracing::info!(account = %account.auth_id, trunk = %id, "trunk deleted");
    Ok(StatusCode::NO_CONTENT)
}
