//! Zentrunk credentials: create (422 without username or password), list,
//! retrieve, update name/username/password, delete.

use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Page, PLIVO_MAX};
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
use sipauth_model::{AclName, Dialect, Password, Username};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Zentrunk/Credential";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

fn to_json(c: &Credential) -> Value {
    json!({ "credential_uuid": c.id, "name": c.name, "username": c.username })
}

/// A required field that zentrunk answers 422 for when it is absent.
fn required<'a>(body: &'a JsonObject, field: &str) -> ApiResult<&'a str> {
    body.optional_str(field)?.ok_or_else(|| ApiError::Missing {
        field: field.to_string(),
        message: format!("{field}: this parameter is required"),
    })
}

/// The optional friendly name: 1–120 characters when given.
fn name(body: &JsonObject) -> ApiResult<Option<String>> {
    Ok(match body.optional_str(AclName::FIELD)? {
        None => None,
        Some(n) => Some(AclName::parse(n)?.as_str().to_string()),
    })
}

/// What every response to a write says besides its message.
fn answer(message: &str, id: &str) -> Json<Value> {
    Json(json!({ "api_id": api_id(), "message": message, "credential_uuid": id }))
}

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    let policy = Dialect::Zentrunk.policy();
    let username = Username::parse_with(required(&body, Username::FIELD)?, &policy)?;
    let password = Password::parse_with(required(&body, Password::FIELD)?, &policy)?;
    let new = NewCredential {
        name: name(&body)?.unwrap_or_default(),
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((
        StatusCode::CREATED,
        answer("credential created successfully.", &created.id),
    ))
}

async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    let (rows, total) = credentials::list(&cx, Filter::default(), page.window()).await?;
    let base = crate::plivo::uri(BASE, cx.account());
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base, total, ""),
        "objects": rows.iter().map(to_json).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&credentials::find(&cx, &id).await?)))
}

/// Any of name, username and password.
async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    credentials::find(&cx, &id).await?;
    let policy = Dialect::Zentrunk.policy();
    let change = Change {
        name: name(&body)?,
        username: body
            .optional_str(Username::FIELD)?
            .map(|u| Username::parse_with(u, &policy))
            .transpose()?,
        password: body
            .optional_str(Password::FIELD)?
            .map(|p| Password::parse_with(p, &policy))
            .transpose()?,
        ..Change::default()
    };
    credentials::update(&cx, &id, change).await?;
    Ok((
        StatusCode::ACCEPTED,
        answer("Credential updated successfully.", &id),
    ))
}

/// Allowed even when a trunk uses it (the seed says it breaks the trunk;
/// the console warns first); a plivo application that uses it keeps it.
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
