//! Applications, which put a credential, an IP ACL or both to use through
//! `sip_auth_type`.

use super::Page;
use crate::auth::Account;
use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::store::applications::{self, Application, Filter};
use crate::store::{accounts, acls, credentials};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::sip::{self, SipAuthType};
use sipauth_model::{AnswerUrl, AppName};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Application";

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
    format!("/v1/Account/{auth_id}/Application/")
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
        "resource_uri": format!("{}{}/", base_uri(auth_id), a.id),
    })
}

/// A plivo-style numeric app id: 17 random digits, the first not 0.
fn new_app_id() -> String {
    let low = 10u128.pow(16);
    (low + uuid::Uuid::new_v4().as_u128() % (9 * low)).to_string()
}

/// Applies the request's fields to `app` (absent fields keep their value),
/// then checks `sip_auth_type` and that what it needs exists in the account.
/// The type decides what is kept: `""` clears both references.
async fn apply(
    state: &AppState,
    account: &str,
    body: &JsonObject,
    app: &mut Application,
) -> Result<(), ApiError> {
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
    // Stored values passed this rule when they were written.
    let kind = SipAuthType::parse(&app.sip_auth_type)?;
    let (wants_credential, wants_acl) = (kind.needs_credential(), kind.needs_acl());
    if !wants_credential {
        app.credential_id = None;
    }
    if !wants_acl {
        app.ip_acl_id = None;
    }
    let missing = |field: &str, what: &str| ApiError::BadField {
        field: field.into(),
        message: format!(
            "{field}: sip_auth_type {:?} needs {what}",
            app.sip_auth_type
        ),
    };
    if wants_credential {
        let id = app
            .credential_id
            .as_deref()
            .ok_or_else(|| missing("credential_uuid", "a credential"))?;
        if credentials::find(&state.db, account, id).await?.is_none() {
            return Err(ApiError::BadField {
                field: "credential_uuid".into(),
                message: format!("credential_uuid: no credential {id} in this account"),
            });
        }
    }
    if wants_acl {
        let id = app
            .ip_acl_id
            .as_deref()
            .ok_or_else(|| missing("ip_acl_uuid", "an IP ACL"))?;
        if acls::find(&state.db, account, id).await?.is_none() {
            return Err(ApiError::BadField {
                field: "ip_acl_uuid".into(),
                message: format!("ip_acl_uuid: no IP ACL {id} in this account"),
            });
        }
    }
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Required on create; `apply` validates it.
    body.required_str(AppName::FIELD)?;
    let mut app = Application {
        id: new_app_id(),
        ..Application::default()
    };
    apply(&state, &account.auth_id, &body, &mut app).await?;
    if let Err(e) = applications::create(&state.db, &account.auth_id, &app).await {
        // A reference deleted between the check and the insert.
        if crate::store::is_foreign_key_violation(&e) {
            return Err(ApiError::Conflict(
                "the credential or IP ACL was deleted meanwhile; pick another".into(),
            ));
        }
        return Err(e.into());
    }
    tracing::info!(account = %account.auth_id, app = %app.id, "application created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api_id": api_id(), "app_id": app.id, "message": "created" })),
    ))
}

async fn list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = Page::from_query(&query)?;
    // Extension: which applications use a given credential or ACL.
    let filter = Filter {
        credential_id: query.get("credential_uuid").map(String::as_str),
        ip_acl_id: query.get("ip_acl_uuid").map(String::as_str),
    };
    let (rows, total) =
        applications::list(&state.db, &account.auth_id, filter, page.limit, page.offset).await?;
    let extra: Vec<(&str, &str)> = [
        ("credential_uuid", filter.credential_id),
        ("ip_acl_uuid", filter.ip_acl_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(
            "&{}",
            serde_urlencoded::to_string(&extra).unwrap_or_default()
        )
    };
    Ok(Json(json!({
        "api_id": api_id(),
        "meta": page.meta(&base_uri(&account.auth_id), total, &extra),
        "objects": rows.iter().map(|a| to_json(&account, a)).collect::<Vec<_>>(),
    })))
}

async fn retrieve(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let id = params.get("id").map(String::as_str).unwrap_or_default();
    let app = applications::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let mut out = to_json(&account, &app);
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
    let mut app = applications::find(&state.db, &account.auth_id, id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    apply(&state, &account.auth_id, &body, &mut app).await?;
    match applications::update(&state.db, &account.auth_id, &app).await {
        Ok(true) => {}
        Ok(false) => return Err(ApiError::NotFound("application")),
        Err(e) if crate::store::is_foreign_key_violation(&e) => {
            return Err(ApiError::Conflict(
                "the credential or IP ACL was deleted meanwhile; pick another".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %account.auth_id, app = %id, "application changed");
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
    if !applications::delete(&state.db, &account.auth_id, id).await? {
        return Err(ApiError::NotFound("application"));
    }
    Ok(StatusCode::NO_CONTENT)
}
