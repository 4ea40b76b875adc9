//! SIP credentials: create, list, retrieve, change password, delete.

use super::Page;
use crate::auth::Account;
use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::store::applications;
use crate::store::credentials::{self, Created, Credential};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{digests, quota, sip, Password, Realm, Username};
use std::collections::HashMap;

/// The seed's words for deleting a credential an application uses.
pub const CREDENTIAL_IN_USE: &str = "This credential is currently assigned to an application. Remove the assignment first by setting sip_auth_type to empty.";

/// What an insert that did not happen means, in the API's words; shared by
/// every dialect with plivo's error shape.
pub fn refuse_unless_created(created: Created, username: &Username) -> ApiResult<()> {
    match created {
        Created::Ok => Ok(()),
        Created::QuotaReached => Err(ApiError::Quota(format!(
            "credential quota reached: an account may hold {} credentials; delete one first",
            quota::CREDENTIALS_PER_ACCOUNT
        ))),
        Created::Duplicate => Err(ApiError::Conflict(format!(
            "a credential with username '{username}' already exists in this account"
        ))),
    }
}

/// Deletes one of the account's credentials unless an application uses it
/// (409 naming them, as the seed says), for every dialect that deletes
/// credentials; 404 when there is no such credential.
pub async fn delete_unless_used(state: &AppState, account: &str, id: &str) -> ApiResult<()> {
    let users = applications::names_using(
        &state.db,
        applications::Filter {
            credential_id: Some(id),
            ip_acl_id: None,
        },
    )
    .await?;
    if !users.is_empty() {
        return Err(ApiError::InUse {
            message: CREDENTIAL_IN_USE,
            applications: users,
        });
    }
    match credentials::delete(&state.db, account, id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::NotFound("credential")),
        // Assigned between the check and the delete.
        Err(e) if crate::store::is_foreign_key_violation(&e) => Err(ApiError::InUse {
            message: CREDENTIAL_IN_USE,
            applications: Vec::new(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/SipAuth/Credential";

pub fn router() -> Router<AppState> {
    let list = get(list).post(create);
    let one = get(retrieve).post(update).delete(remove);
    Router::new()
        .route(&format!("{BASE}/"), list.clone())
        .route(BASE, list)
        .route(&format!("{BASE}/{{id}}/"), one.clone())
        .route(&format!("{BASE}/{{id}}"), one)
}

fn base_uri(auth_id: &str) -> String {
    format!("/v1/Account/{auth_id}/SipAuth/Credential/")
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
        resource_uri: format!("{}{}/", base_uri(auth_id), c.id),
    }
}

fn to_json(auth_id: &str, c: &Credential) -> Value {
    json!(shown(auth_id, c))
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let username = Username::parse(body.required_str(Username::FIELD)?)?;
    let password = Password::parse(body.required_str(Password::FIELD)?)?;
    // Only the account's own realm: a credential in another realm would
    // answer for that realm's users on the SIP side.
    let realm = sip::own_realm(
        body.optional_str(Realm::FIELD)?.unwrap_or(&account.realm),
        &account.realm,
    )?;
    let credential = Credential {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.to_string(),
        realm: realm.to_string(),
    };
    let digest = digests(&username, &realm, &password);
    let created = credentials::create(
        &state.db,
        &account.auth_id,
        &credential.id,
        &credential.username,
        &credential.realm,
        &digest,
    )
    .await?;
    refuse_unless_created(created, &username)?;
    tracing::info!(account = %account.auth_id, credential = %credential.id, "credential created");
    let mut out = to_json(&account.auth_id, &credential);
    out["api_id"] = api_id().into();
    Ok((StatusCode::CREATED, Json(out)))
}

async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query)?;
    // Extension: `username` filters by a case-insensitive substring.
    let search = query
        .get("username")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    let (rows, total) =
        credentials::list(&state.db, &account.auth_id, search, page.limit, page.offset).await?;
    let extra = search
        .map(|s| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("username", s)]).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base_uri(&account.auth_id), total, &extra),
        "objects": rows.iter().map(|c| shown(&account.auth_id, c)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let credential = credentials::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("credential"))?;
    let mut out = to_json(&account.auth_id, &credential);
    out["api_id"] = api_id().into();
    Ok(Json(out))
}

async fn update(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let credential = credentials::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("credential"))?;
    if body.has("username") {
        return Err(ApiError::BadField {
            field: "username".into(),
            message: "username: cannot be changed; create a new credential instead".into(),
        });
    }
    let password = Password::parse(body.required_str(Password::FIELD)?)?;
    let digest = digests(
        &Username::parse(&credential.username)?,
        &Realm::parse(&credential.realm)?,
        &password,
    );
    if !credentials::set_digests(&state.db, &account.auth_id, id, &digest).await? {
        return Err(ApiError::NotFound("credential"));
    }
    tracing::info!(account = %account.auth_id, credential = %id, "credential HA1 replaced");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "api_id": api_id(), "message": "changed" })),
    ))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<StatusCode> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    delete_unless_used(&state, &account.auth_id, id).await?;
    tracing::info!(account = %account.auth_id, credential = %id, "credential deleted");
    Ok(StatusCode::NO_CONTENT)
}
