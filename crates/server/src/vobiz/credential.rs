//! Vobiz credentials: create (enabled and a description optional), list,
//! retrieve, update password/enabled/description with PUT, delete. A
//! disabled credential stays listed but cannot authenticate SIP traffic.

use crate::auth::Account;
use crate::body::JsonObject;
use crate::error::{ApiError, ApiResult};
use crate::plivo::{delete_unless_used, refuse_unless_created};
use crate::store::credentials::{self, Described, NewCredential};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{digests, sip, Description, Dialect, Password, Realm, Username};
use std::collections::HashMap;

const BASE: &str = "/account/{auth_id}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{BASE}/credentials"), get(list).post(create))
        // The documented list path.
        .route(&format!("{BASE}/trunks/credentials"), get(list))
        .route(
            &format!("{BASE}/credentials/{{id}}"),
            get(retrieve).put(update).delete(remove),
        )
}

fn to_json(account: &str, c: &Described) -> Value {
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

fn path_id(params: &HashMap<String, String>) -> &str {
    params.get("id").map(String::as_str).unwrap_or_default()
}

async fn found(state: &AppState, account: &str, id: &str) -> ApiResult<Described> {
    credentials::find_described(&state.db, account, id)
        .await?
        .ok_or(ApiError::NotFound("credential"))
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let policy = Dialect::Vobiz.policy();
    let username = Username::parse_with(body.required_str(Username::FIELD)?, &policy)?;
    let password = Password::parse_with(body.required_str(Password::FIELD)?, &policy)?;
    let description = Description::parse(body.optional_str(Description::FIELD)?.unwrap_or(""))?;
    let enabled = optional_bool(&body, "enabled")?.unwrap_or(true);
    let realm = Realm::parse(&account.realm)?;
    let digest = digests(&username, &realm, &password);
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewCredential {
        id: &id,
        username: username.as_str(),
        realm: realm.as_str(),
        digests: &digest,
        list_id: None,
        name: "",
        description: description.as_str(),
        enabled,
        account_wide: true,
    };
    let created = credentials::create_in(&state.db, &account.auth_id, &new).await?;
    refuse_unless_created(created, &username)?;
    tracing::info!(account = %account.auth_id, credential = %id, enabled, "vobiz credential created");
    let created = found(&state, &account.auth_id, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(to_json(&account.auth_id, &created)),
    ))
}

/// `limit` 1–100 (default 20) and `offset`, with `meta.total`.
async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let number = |field: &'static str, default: i64, max: i64| match query.get(field) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (if field == "limit" { 1 } else { 0 }..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::BadField {
                field: field.into(),
                message: format!("{field}: must be a whole number up to {max}, not {raw:?}"),
            }),
        },
    };
    let limit = number("limit", 20, 100)?;
    let offset = number("offset", 0, i64::from(i32::MAX))?;
    let (rows, total) =
        credentials::list_described(&state.db, &account.auth_id, limit, offset).await?;
    Ok(Json(json!({
        "meta": { "limit": limit, "offset": offset, "total": total },
        "objects": rows.iter().map(|c| to_json(&account.auth_id, c)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let c = found(&state, &account.auth_id, path_id(&params)).await?;
    Ok(Json(to_json(&account.auth_id, &c)))
}

/// Any of password, enabled and description; the username is immutable.
async fn update(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<Json<Value>> {
    let id = path_id(&params);
    let current = found(&state, &account.auth_id, id).await?;
    if body.optional_str(Username::FIELD)?.is_some() {
        return Err(ApiError::BadField {
            field: Username::FIELD.into(),
            message: "username: cannot be changed; create a new credential instead".into(),
        });
    }
    let digest = match body.optional_str(Password::FIELD)? {
        None => None,
        Some(p) => {
            let password = Password::parse_with(p, &Dialect::Vobiz.policy())?;
            Some(digests(
                &Username::parse(&current.username)?,
                &Realm::parse(&current.realm)?,
                &password,
            ))
        }
    };
    let enabled = optional_bool(&body, "enabled")?.unwrap_or(current.enabled);
    let description = match body.optional_str(Description::FIELD)? {
        Some(d) => Description::parse(d)?.as_str().to_string(),
        None => current.description.clone(),
    };
    if !credentials::update_described(
        &state.db,
        &account.auth_id,
        id,
        digest.as_ref(),
        enabled,
        &description,
    )
    .await?
    {
        return Err(ApiError::NotFound("credential"));
    }
    tracing::info!(account = %account.auth_id, credential = %id, enabled, "vobiz credential changed");
    let updated = found(&state, &account.auth_id, id).await?;
    Ok(Json(to_json(&account.auth_id, &updated)))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let id = path_id(&params);
    // A plivo application that uses it keeps it, as in the SipAuth API.
    delete_unless_used(&state, &account.auth_id, id).await?;
    tracing::info!(account = %account.auth_id, credential = %id, "vobiz credential deleted");
    Ok(StatusCode::NO_CONTENT)
}
