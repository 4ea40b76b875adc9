//! Zentrunk credentials: create (422 without username or password), list,
//! retrieve, update name/username/password, delete.

use crate::auth::Account;
use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::plivo::{delete_unless_used, refuse_unless_created, Page};
use crate::store::credentials::{self, Named, NewCredential, Renamed};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{digests, AclName, Dialect, Password, Realm, Username};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Zentrunk/Credential";

pub fn router() -> Router<AppState> {
    let list = get(list).post(create);
    let one = get(retrieve).post(update).delete(remove);
    Router::new()
        .route(&format!("{BASE}/"), list.clone())
        .route(BASE, list)
        .route(&format!("{BASE}/{{id}}/"), one.clone())
        .route(&format!("{BASE}/{{id}}"), one)
}

fn to_json(c: &Named) -> Value {
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

fn path_id(params: &HashMap<String, String>) -> &str {
    params.get("id").map(String::as_str).unwrap_or_default()
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let policy = Dialect::Zentrunk.policy();
    let username = Username::parse_with(required(&body, Username::FIELD)?, &policy)?;
    let password = Password::parse_with(required(&body, Password::FIELD)?, &policy)?;
    let name = name(&body)?.unwrap_or_default();
    let realm = Realm::parse(&account.realm)?;
    let digest = digests(&username, &realm, &password);
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewCredential {
        id: &id,
        username: username.as_str(),
        realm: realm.as_str(),
        digests: &digest,
        list_id: None,
        name: &name,
        description: "",
        enabled: true,
        account_wide: false,
    };
    let created = credentials::create_in(&state.db, &account.auth_id, &new).await?;
    refuse_unless_created(created, &username)?;
    tracing::info!(account = %account.auth_id, credential = %id, "zentrunk credential created");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "api_id": api_id(),
            "message": "credential created successfully.",
            "credential_uuid": id,
        })),
    ))
}

async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query)?;
    let (rows, total) =
        credentials::list_named(&state.db, &account.auth_id, page.limit, page.offset).await?;
    let base = format!("/v1/Account/{}/Zentrunk/Credential/", account.auth_id);
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base, total, ""),
        "objects": rows.iter().map(to_json).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let c = credentials::find_named(&state.db, &account.auth_id, path_id(&params))
        .await?
        .ok_or(ApiError::NotFound("credential"))?;
    Ok(Json(to_json(&c)))
}

/// Any of name, username and password. The HA1 covers the username, so a
/// new username needs the password with it.
async fn update(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&params);
    let current = credentials::find_named(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("credential"))?;
    let policy = Dialect::Zentrunk.policy();
    let name = name(&body)?.unwrap_or(current.name.clone());
    let username = body
        .optional_str(Username::FIELD)?
        .map(|u| Username::parse_with(u, &policy))
        .transpose()?;
    let password = body
        .optional_str(Password::FIELD)?
        .map(|p| Password::parse_with(p, &policy))
        .transpose()?;
    let changed_username = username
        .as_ref()
        .is_some_and(|u| u.as_str() != current.username);
    match password {
        None if changed_username => return Err(ApiError::BadField {
            field: Password::FIELD.into(),
            message:
                "password: a new username needs the password too (the stored digest covers both)"
                    .into(),
        }),
        None => {
            if !credentials::set_name(&state.db, &account.auth_id, id, &name).await? {
                return Err(ApiError::NotFound("credential"));
            }
        }
        Some(password) => {
            let username = match username {
                Some(u) => u,
                None => Username::parse(&current.username)?,
            };
            let digest = digests(&username, &Realm::parse(&current.realm)?, &password);
            match credentials::update_named(
                &state.db,
                &account.auth_id,
                id,
                &name,
                username.as_str(),
                &digest,
            )
            .await?
            {
                Renamed::Ok => {}
                Renamed::Missing => return Err(ApiError::NotFound("credential")),
                Renamed::Duplicate => {
                    return Err(ApiError::Conflict(format!(
                        "a credential with username '{username}' already exists"
                    )))
                }
            }
        }
    }
    tracing::info!(account = %account.auth_id, credential = %id, "zentrunk credential changed");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "api_id": api_id(),
            "message": "Credential updated successfully.",
            "credential_uuid": id,
        })),
    ))
}

/// Allowed even when a trunk uses it (the seed says it breaks the trunk);
/// the console warns first.
async fn remove(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let id = path_id(&params);
    // A plivo application that uses it keeps it, as in the SipAuth API.
    delete_unless_used(&state, &account.auth_id, id).await?;
    tracing::info!(account = %account.auth_id, credential = %id, "zentrunk credential deleted");
    Ok(StatusCode::NO_CONTENT)
}
