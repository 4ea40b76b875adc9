//! The console's team routes: who the signed-in operator is and which
//! accounts it may use (the session body), the operators (admin only), and
//! each account's API keys (admin only). Every change writes its audit
//! record in its own transaction.

use crate::auth;
use crate::body::JsonObject;
use crate::error::{ApiError, ApiResult};
use crate::service::{Origin, Role};
use crate::store::accounts::{self, MAX_LISTED};
use crate::store::api_keys::{self, ApiKey};
use crate::store::audit::{self, NewRecord};
use crate::store::operators::{self, Operator, Session};
use crate::{secrets, AppState};
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{KeyName, OperatorName, Password};
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/operators", get(list).post(create))
        .route(
            "/console/operators/{username}",
            patch(change).delete(remove),
        )
        .route(
            "/console/operators/{username}/password",
            post(reset_password),
        )
        .route(
            "/console/accounts/{auth_id}/api-keys",
            get(list_keys).post(create_key),
        )
        .route(
            "/console/accounts/{auth_id}/api-keys/{id}",
            delete(revoke_key),
        )
}

/// `GET`/`POST /console/session`'s body: the operator, its CSRF token, its
/// role and the accounts it may use (oldest first, at most 500).
pub async fn session_body(state: &AppState, operator: &str, csrf: &str) -> ApiResult<Value> {
    let o = operators::find(&state.db.read, operator)
        .await?
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    let accounts: Vec<Value> = match &state.settings.upstream {
        // Proxy mode serves the provider's one account, whose realm is
        // not known here.
        Some(up) => vec![json!({ "auth_id": up.auth_id, "realm": null })],
        None => accounts::usable(&state.db, &o.accounts)
            .await?
            .into_iter()
            .map(|(auth_id, realm)| json!({ "auth_id": auth_id, "realm": realm }))
            .collect(),
    };
    Ok(json!({
        "operator": o.username,
        "csrf_token": csrf,
        "role": o.role.as_str(),
        "all_accounts": o.accounts.is_none(),
        "accounts": accounts,
    }))
}

/// A signed-in admin: the session cookie, the CSRF token on writes, and the
/// admin role (403 naming it otherwise).
pub struct Admin {
    session: Session,
    /// The session's own token: a reset of one's own password keeps it.
    token: String,
    origin: Origin,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        auth::refuse_cross_site(&parts.method, &parts.headers)?;
        let signed_out = ApiError::Unauthorized { challenge: false };
        let token = auth::session_token(&parts.headers, state.settings.session_cookie())
            .ok_or(ApiError::Unauthorized { challenge: false })?;
        let session = operators::find_session(&state.db, &token)
            .await?
            .ok_or(signed_out)?;
        auth::check_csrf(&parts.method, &parts.headers, &session)?;
        if session.role != Role::Admin {
            return Err(ApiError::Forbidden {
                needed: Role::Admin,
                have: session.role,
            });
        }
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| state.settings.client_ip(c.0.ip(), &parts.headers));
        Ok(Admin {
            session,
            token,
            origin: Origin::of(client, &parts.headers, "console"),
        })
    }
}

impl Admin {
    /// The audit record of a change this admin made.
    fn record(
        &self,
        account: Option<&str>,
        action: &'static str,
        resource: &'static str,
        (id, name): (&str, &str),
        changes: Option<Value>,
    ) -> NewRecord {
        NewRecord {
            actor: format!("operator:{}", self.session.operator),
            role: Some(Role::Admin.as_str()),
            source: self.origin.source.map(|s| s.to_string()),
            user_agent: self.origin.user_agent.clone(),
            dialect: "console",
            account_id: account.map(str::to_string),
            action,
            resource,
            resource_id: Some(id.to_string()),
            name: Some(name.to_string()),
            changes,
            batch: self.origin.batch.clone(),
            parent_id: None,
        }
    }
}

/// An operator as the console shows it.
fn shown(o: &Operator) -> Value {
    json!({
        "username": o.username,
        "role": o.role.as_str(),
        "accounts": o.accounts,
        "disabled": o.disabled,
        "created_at": o.created_at,
        "last_sign_in_at": o.last_sign_in_at,
    })
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::BadField {
        field: field.into(),
        message: format!("{field}: {message}"),
    }
}

fn parse_role(value: &str) -> ApiResult<Role> {
    value.parse().map_err(|e: String| bad("role", e))
}

/// `accounts`: null (every account) or a list of at most 500 auth_ids, each
/// an existing account (named when not), repeats dropped.
async fn parse_accounts(state: &AppState, value: &Value) -> ApiResult<Option<Vec<String>>> {
    let list = match value {
        Value::Null => return Ok(None),
        Value::Array(list) => list,
        _ => {
            return Err(bad(
                "accounts",
                "must be null (every account) or a list of account ids".into(),
            ))
        }
    };
    if list.is_empty() {
        // An operator with no account could do nothing at all.
        return Err(bad(
            "accounts",
            "pick at least one account, or null for every account".into(),
        ));
    }
    if list.len() as i64 > MAX_LISTED {
        return Err(bad(
            "accounts",
            format!("at most {MAX_LISTED} accounts; leave it null for every account"),
        ));
    }
    let mut ids: Vec<String> = Vec::with_capacity(list.len());
    for v in list {
        let id = v
            .as_str()
            .ok_or_else(|| bad("accounts", "each account is an auth_id string".into()))?;
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    }
    let unknown = accounts::unknown(&state.db.read, &ids).await?;
    if !unknown.is_empty() {
        let named: Vec<&str> = unknown.iter().take(5).map(String::as_str).collect();
        return Err(bad("accounts", format!("no account {}", named.join(", "))));
    }
    Ok(Some(ids))
}

/// The password typed (checked against the model's rule) or, when none is,
/// a generated one to show once: (password, whether generated).
fn password_from(body: &JsonObject) -> ApiResult<(String, bool)> {
    match body.optional_str("password")? {
        Some(p) => Ok((Password::parse(p)?.expose().to_string(), false)),
        None => Ok((
            sipauth_model::strength::generate(secrets::fill_random)
                .expose()
                .to_string(),
            true,
        )),
    }
}

/// argon2id of `password`, taking a turn among the server's password checks
/// (each holds 19 MiB).
async fn hash(state: &AppState, password: String) -> ApiResult<String> {
    let turn = state
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        secrets::hash_password(&password)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))
}

fn last_admin(username: &str) -> ApiError {
    ApiError::ConflictOn {
        field: "role",
        message: format!(
            "{username} is the last admin: make another operator an admin first, so someone can still manage operators"
        ),
    }
}

async fn list(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    let all = operators::list(&state.db).await?;
    Ok(Json(
        json!({ "operators": all.iter().map(shown).collect::<Vec<_>>() }),
    ))
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let username = OperatorName::parse(body.required_str("username")?)?
        .as_str()
        .to_string();
    let role = parse_role(body.required_str("role")?)?;
    let scope = parse_accounts(&state, body.0.get("accounts").unwrap_or(&Value::Null)).await?;
    let (password, generated) = password_from(&body)?;
    let hashed = hash(&state, password.clone()).await?;
    let mut tx = state.db.transaction(Some(crate::db::GLOBAL)).await?;
    if !operators::insert(tx.conn(), &username, &hashed, role, &scope).await? {
        return Err(ApiError::ConflictOn {
            field: "username",
            message: format!("an operator named {username} already exists"),
        });
    }
    let created = operators::find(tx.conn(), &username)
        .await?
        .ok_or_else(|| ApiError::Internal("the new operator is gone".into()))?;
    let changes = json!({
        "role": { "after": role.as_str() },
        "accounts": { "after": scope },
        "disabled": { "after": false },
    });
    let record = admin.record(
        None,
        "created",
        "operator",
        (&username, &username),
        Some(changes),
    );
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    tracing::info!(operator = %username, by = %admin.session.operator, "operator created");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "operator": shown(&created),
            "password": generated.then_some(password),
        })),
    ))
}

async fn change(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Value>> {
    let role = body.optional_str("role")?.map(parse_role).transpose()?;
    let scope = match body.0.get("accounts") {
        Some(v) => Some(parse_accounts(&state, v).await?),
        None => None,
    };
    let disabled = match body.0.get("disabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad("disabled", "must be true or false".into())),
    };
    let mut tx = state.db.transaction(Some(crate::db::GLOBAL)).await?;
    let before = operators::find(tx.conn(), &username)
        .await?
        .ok_or(ApiError::NotFound("operator"))?;
    let mut after = before.clone();
    if let Some(role) = role {
        after.role = role;
    }
    if let Some(scope) = scope {
        after.accounts = scope;
    }
    if let Some(disabled) = disabled {
        after.disabled = disabled;
    }
    if after.disabled && !before.disabled && username == admin.session.operator {
        return Err(ApiError::ConflictOn {
            field: "disabled",
            message: "you cannot disable yourself; another admin can".into(),
        });
    }
    let was_admin = before.role == Role::Admin && !before.disabled;
    let is_admin = after.role == Role::Admin && !after.disabled;
    if was_admin && !is_admin && operators::other_enabled_admins(tx.conn(), &username).await? == 0 {
        return Err(last_admin(&username));
    }
    if after != before {
        operators::update(tx.conn(), &after).await?;
        if after.disabled && !before.disabled {
            operators::end_sessions(tx.conn(), &username, None).await?;
        }
        let mut changes = serde_json::Map::new();
        if after.role != before.role {
            changes.insert(
                "role".into(),
                json!({ "before": before.role.as_str(), "after": after.role.as_str() }),
            );
        }
        if after.accounts != before.accounts {
            changes.insert(
                "accounts".into(),
                json!({ "before": before.accounts, "after": after.accounts }),
            );
        }
        if after.disabled != before.disabled {
            changes.insert(
                "disabled".into(),
                json!({ "before": before.disabled, "after": after.disabled }),
            );
        }
        let record = admin.record(
            None,
            "changed",
            "operator",
            (&username, &username),
            Some(Value::Object(changes)),
        );
        audit::append(tx.conn(), &record).await?;
    }
    tx.commit().await?;
    Ok(Json(json!({ "operator": shown(&after) })))
}

async fn reset_password(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Value>> {
    let (password, generated) = password_from(&body)?;
    // No hashing for a name that is not there.
    operators::find(&state.db.read, &username)
        .await?
        .ok_or(ApiError::NotFound("operator"))?;
    let hashed = hash(&state, password.clone()).await?;
    let mut tx = state.db.transaction(Some(crate::db::GLOBAL)).await?;
    if !operators::set_password(tx.conn(), &username, &hashed).await? {
        return Err(ApiError::NotFound("operator"));
    }
    // Every session of theirs ends; an admin resetting its own keeps the
    // one it is using.
    let keep = (username == admin.session.operator).then_some(admin.token.as_str());
    operators::end_sessions(tx.conn(), &username, keep).await?;
    let record = admin.record(
        None,
        "password-reset",
        "operator",
        (&username, &username),
        Some(json!({ "password": { "after": "changed" } })),
    );
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    Ok(Json(json!({ "password": generated.then_some(password) })))
}

async fn remove(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    if username == admin.session.operator {
        return Err(ApiError::ConflictOn {
            field: "username",
            message: "you cannot delete yourself; another admin can".into(),
        });
    }
    let mut tx = state.db.transaction(Some(crate::db::GLOBAL)).await?;
    let before = operators::find(tx.conn(), &username)
        .await?
        .ok_or(ApiError::NotFound("operator"))?;
    if before.role == Role::Admin
        && !before.disabled
        && operators::other_enabled_admins(tx.conn(), &username).await? == 0
    {
        return Err(last_admin(&username));
    }
    operators::end_sessions(tx.conn(), &username, None).await?;
    operators::remove(tx.conn(), &username).await?;
    let changes = json!({
        "role": { "before": before.role.as_str() },
        "accounts": { "before": before.accounts },
        "disabled": { "before": before.disabled },
    });
    let record = admin.record(
        None,
        "deleted",
        "operator",
        (&username, &username),
        Some(changes),
    );
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account `auth_id` if it exists and is in the admin's scope; 404
/// alike otherwise.
async fn in_scope(state: &AppState, admin: &Admin, auth_id: &str) -> ApiResult<()> {
    if !admin.session.may_use(auth_id) {
        return Err(ApiError::NotFound("account"));
    }
    state
        .accounts
        .find(&state.db, auth_id)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(())
}

/// An API key as the console shows it (never its secret or hash).
fn shown_key(k: &ApiKey) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "role": k.role.as_str(),
        "created_at": k.created_at,
        "last_used_at": k.last_used_at,
    })
}

async fn list_keys(
    State(state): State<AppState>,
    admin: Admin,
    Path(auth_id): Path<String>,
) -> ApiResult<Json<Value>> {
    in_scope(&state, &admin, &auth_id).await?;
    let keys = api_keys::list(&state.db, &auth_id).await?;
    Ok(Json(
        json!({ "api_keys": keys.iter().map(shown_key).collect::<Vec<_>>() }),
    ))
}

async fn create_key(
    State(state): State<AppState>,
    admin: Admin,
    Path(auth_id): Path<String>,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Value>)> {
    in_scope(&state, &admin, &auth_id).await?;
    let name = KeyName::parse(body.required_str("name")?)?
        .as_str()
        .to_string();
    let role = match parse_role(body.required_str("role")?)? {
        Role::Admin => {
            return Err(bad(
                "role",
                "an API key is an editor or a viewer; the account's own token has full access"
                    .into(),
            ))
        }
        role => role,
    };
    let id = secrets::new_sid("SK");
    let secret = secrets::new_token();
    let mut tx = state.db.transaction(Some(&auth_id)).await?;
    if api_keys::count(tx.conn(), &auth_id).await? >= api_keys::MAX_PER_ACCOUNT {
        return Err(ApiError::Quota(format!(
            "API key quota reached: an account may hold {} API keys; revoke one first",
            api_keys::MAX_PER_ACCOUNT
        )));
    }
    if api_keys::name_taken(tx.conn(), &auth_id, &name).await? {
        return Err(ApiError::ConflictOn {
            field: "name",
            message: format!("this account already has an API key named \"{name}\""),
        });
    }
    api_keys::insert(
        tx.conn(),
        &id,
        &auth_id,
        &name,
        role,
        &secrets::sha256(&secret),
    )
    .await?;
    let key = api_keys::find(tx.conn(), &auth_id, &id)
        .await?
        .ok_or_else(|| ApiError::Internal("the new API key is gone".into()))?;
    let record = admin.record(
        Some(&auth_id),
        "created",
        "api-key",
        (&id, &name),
        Some(json!({ "role": { "after": role.as_str() } })),
    );
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "api_key": shown_key(&key), "secret": secret })),
    ))
}

async fn revoke_key(
    State(state): State<AppState>,
    admin: Admin,
    Path((auth_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    in_scope(&state, &admin, &auth_id).await?;
    let mut tx = state.db.transaction(Some(&auth_id)).await?;
    let key = api_keys::find(tx.conn(), &auth_id, &id)
        .await?
        .ok_or(ApiError::NotFound("API key"))?;
    api_keys::remove(tx.conn(), &auth_id, &id).await?;
    let record = admin.record(
        Some(&auth_id),
        "revoked",
        "api-key",
        (&id, &key.name),
        Some(json!({ "role": { "before": key.role.as_str() } })),
    );
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
