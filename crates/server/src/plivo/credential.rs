//! SIP credentials: create, list, retrieve, change password, delete.

use super::filter_query;
use crate::body::JsonObject;
use crate::error::{api_id, ApiResult};
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
use sipauth_model::{username_is_fixed, Password, Realm, Username};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/SipAuth/Credential";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

/// A credential as the API shows it (never its HA1).
#[derive(serde::Serialize)]
struct Shown<'a> {
    credential_uuid: &'a str,
    username: &'a str,
    realm: &'a str,
    resource_uri: String,
}

fn shown<'a>(auth_id: &str, c: &'a Credential) -> Shown<'a> {
    Shown {
        credential_uuid: &c.id,
        username: &c.username,
        realm: &c.realm,
        resource_uri: format!("{}{}/", super::uri(BASE, auth_id), c.id),
    }
}

fn with_api_id(auth_id: &str, c: &Credential) -> Value {
    let mut out = json!(shown(auth_id, c));
    out["api_id"] = api_id().into();
    out
}

async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    let username = Username::parse(body.required_str(Username::FIELD)?)?;
    let password = Password::parse(body.required_str(Password::FIELD)?)?;
    let new = NewCredential {
        realm: body.optional_str(Realm::FIELD)?.map(str::to_string),
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(with_api_id(cx.account(), &created)),
    ))
}

async fn list(cx: Ctx, Query(query): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: `username` filters by a case-insensitive substring.
    let search = super::search(&query, "username")?;
    let filter = Filter {
        search,
        list_id: None,
        brief: true,
    };
    let (rows, total) = credentials::list(&cx, filter, page.window()).await?;
    let auth_id = cx.account();
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&super::uri(BASE, auth_id), total, &filter_query("username", search)),
        "objects": rows.iter().map(|c| shown(auth_id, c)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Value>> {
    let credential = credentials::find(&cx, &id).await?;
    Ok(Json(with_api_id(cx.account(), &credential)))
}

/// The password only: the seed's username is fixed.
async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<(StatusCode, Json<Value>)> {
    if body.has(Username::FIELD) {
        return Err(username_is_fixed().into());
    }
    let change = Change {
        password: Some(Password::parse(body.required_str(Password::FIELD)?)?),
        ..Change::default()
    };
    credentials::update(&cx, &id, change).await?;
    Ok(super::changed())
}

async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
