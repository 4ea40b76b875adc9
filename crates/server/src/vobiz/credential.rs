//! Vobiz credentials: create (enabled and a description optional), list,
//! retrieve, update password/enabled/description with PUT, delete. A
//! disabled credential stays listed but cannot authenticate SIP traffic.

use crate::body::JsonObject;
use crate::error::{ApiError, ApiResult};
use crate::paging::{Page, VOBIZ_MAX};
use crate::paths::{resource, Id};
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::Ctx;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{sip, username_is_fixed, Description, Dialect, Password, Username};
use std::collections::HashMap;

const BASE: &str = "/account/{auth_id}";

pub fn router() -> Router<AppState> {
    let credentials = format!("{BASE}/credentials");
    resource(
        &credentials,
        get(list).post(create),
        get(retrieve).put(update).delete(remove),
    )
    // The documented list path.
    .route(&format!("{BASE}/trunks/credentials"), get(list))
}

fn to_json(account: &str, c: &Credential) -> Value {
    json!({
        "id": c.id,
        "account_id": account,
        "username": c.username,
        "realm": c.realm,
        // Extension: where the credential registers and calls; null for a
        // credential another dialect made, which authenticates only where
        // it is assigned.
        "sip_uri": c.account_wide.then(|| sip::account_address(&c.username, &c.realm)),
        "enabled": c.enabled,
        "description": c.description,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

fn optional_bool(body: &JsonObject, field: &str) -> ApiResult<Option<bool>> {
    match body.0.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::BadField {
            field: field.into(),
            message: format!("{field}: must be true or false"),
        }),
    }
}

fn description(body: &JsonObject) -> ApiResult<Option<String>> {
    Ok(match body.optional_str(Description::FIELD)? {
        Some(d) => Some(Description::parse(d)?.as_str().to_string()),
        None => None,
    })
}

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    let policy = Dialect::Vobiz.policy();
    let username = Username::parse_with(body.required_str(Username::FIELD)?, &policy)?;
    let password = Password::parse_with(body.required_str(Password::FIELD)?, &policy)?;
    let new = NewCredential {
        description: description(&body)?.unwrap_or_default(),
        enabled: optional_bool(&body, "enabled")?.unwrap_or(true),
        account_wide: true,
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((StatusCode::CREATED, Json(to_json(cx.account(), &created))))
}

/// `limit` 1–100 (default 20) and `offset`, with `meta.total`.
async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, VOBIZ_MAX)?;
    let (rows, total) = credentials::list(&cx, Filter::default(), page.window()).await?;
    let account = cx.account();
    Ok(Json(json!({
        "meta": { "limit": page.limit, "offset": page.offset, "total": total },
        "objects": rows.iter().map(|c| to_json(account, c)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    let c = credentials::find(&cx, &id).await?;
    Ok(Json(to_json(cx.account(), &c)))
}

/// Any of password, enabled and description; the username is fixed.
async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<Json<Value>> {
    credentials::find(&cx, &id).await?;
    if body.optional_str(Username::FIELD)?.is_some() {
        return Err(username_is_fixed().into());
    }
    let change = Change {
        password: body
            .optional_str(Password::FIELD)?
            .map(|p| Password::parse_with(p, &Dialect::Vobiz.policy()))
            .transpose()?,
        enabled: optional_bool(&body, "enabled")?,
        description: description(&body)?,
        ..Change::default()
    };
    let updated = credentials::update(&cx, &id, change).await?;
    Ok(Json(to_json(cx.account(), &updated)))
}

/// A plivo application that uses it keeps it, as in the SipAuth API.
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
