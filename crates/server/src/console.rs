//! What the console needs besides the API: operator sign-in and sign-out,
//! and its runtime `config.json`.

use crate::auth::{self, CSRF_HEADER};
use crate::body::JsonObject;
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, Actor, Origin, Role};
use crate::store::{accounts, operators};
use crate::{secrets, AppState};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;

/// Sessions last a working day.
const SESSION_SECONDS: i64 = 12 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/session",
            get(current).post(sign_in).delete(sign_out),
        )
        .route("/config.json", get(config))
        .route("/console/sip-server", get(sip_server))
}

/// Whether the SIP server has every IP ACL change (`--kamailio-rpc`), for a
/// signed-in operator: `{configured, changes, picked_up, error, nodes:
/// [{node, state: enforced|pending, why}]}`, over every server's changes.
async fn sip_server(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let token = auth::session_token(&headers, state.settings.session_cookie())
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    operators::find_session(&state.db, &token)
        .await?
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    Ok(Json(match &state.kamailio {
        None => json!({
            "configured": false, "changes": 0, "picked_up": true, "error": null, "nodes": [],
        }),
        Some(k) => {
            let s = k.status().await?;
            json!({
                "configured": true,
                "changes": s.changes,
                "picked_up": s.picked_up(),
                "error": s.error(),
                "nodes": s.nodes,
            })
        }
    }))
}

async fn config(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    // In proxy mode the console manages the provider's account.
    let account = match (&state.settings.upstream, &state.settings.account) {
        (Some(up), _) => Some(up.auth_id.clone()),
        (None, Some(a)) => Some(a.clone()),
        (None, None) => accounts::first(&state.db).await?,
    };
    // The account's realm, under which its SIP names live (Twilio domain
    // names end with it). Not a secret: every digest challenge carries it.
    // Unknown in proxy mode.
    let realm = match (&state.settings.upstream, &account) {
        (None, Some(id)) => state
            .accounts
            .find(&state.db, id)
            .await?
            .map(|a| a.realm.clone()),
        _ => None,
    };
    let mut config = json!({
        "api_base": "",
        "dialect": state.settings.dialect.as_str(),
        "account": account,
        "sip_realm": realm,
    });
    // The export routes and API keys are this server's (crate::export,
    // crate::operators): a provider behind the proxy has neither, and its
    // account is not in the local store.
    if state.settings.upstream.is_none() {
        config["exports"] = json!(true);
        config["api_keys"] = json!(true);
    }
    // Registrations, last seen, failures and bans (crate::security).
    config["sip_insight"] = json!(state.sip_insight());
    Ok(Json(config))
}

/// Over plain HTTP a password can be read on the way: sign-in is open to
/// this machine only (a local reverse proxy, a developer) unless operators
/// come over TLS.
fn sign_in_allowed(settings: &crate::Settings, peer: std::net::IpAddr) -> bool {
    settings.https() || peer.is_loopback()
}

/// The session cookie: script cannot read it, other sites do not get it,
/// and over TLS it is Secure and bound to this origin (`__Host-`).
fn session_cookie(state: &AppState, value: String, seconds: i64) -> cookie::Cookie<'static> {
    cookie::Cookie::build((state.settings.session_cookie(), value))
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(state.settings.https())
        .path("/")
        .max_age(cookie::time::Duration::seconds(seconds))
        .build()
}

async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: JsonObject,
) -> ApiResult<Response> {
    crate::auth::refuse_cross_site(&axum::http::Method::POST, &headers)?;
    if !sign_in_allowed(&state.settings, peer.ip()) {
        return Err(ApiError::PlainHttp);
    }
    // Guessing passwords takes many failures: past a few a minute, the
    // address is refused for a while, its right guesses too. Successful
    // sign-ins cost nothing here (operators behind one address sign in as
    // often as they need); the per-name limit below and the password-check
    // turns bound their work.
    let client = state.settings.client_ip(peer.ip(), &headers);
    let source = crate::rate_limit::source(client);
    state
        .sign_in_failures
        .check(&source)
        .await
        .map_err(|r| r.answer(|retry_after| ApiError::SignInThrottled { retry_after }))?;
    let username = body.required_str("username")?.to_string();
    // Many addresses guessing one name are slowed down too.
    state
        .sign_in_names
        // Bounded: a key is kept for a minute, and the body may be 64 KiB.
        .check(
            &username
                .chars()
                .take(128)
                .collect::<String>()
                .to_lowercase(),
        )
        .await
        .map_err(|r| r.answer(|retry_after| ApiError::NameThrottled { retry_after }))?;
    let password = body.required_str("password")?.to_string();
    let stored = operators::password_hash(&state.db, &username).await?;
    let known = stored.is_some();
    let phc = stored.unwrap_or_else(|| secrets::dummy_hash().to_string());
    // A sign-in waits its turn briefly, then is told to come back.
    let busy = ApiError::Busy { retry_after: 2 };
    let turn = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        state.password_checks.clone().acquire_owned(),
    )
    .await
    .map_err(|_| busy)?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let ok = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        secrets::verify_password(&password, &phc)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !(ok && known) {
        tracing::warn!(operator = %username, "sign-in failed");
        state.sign_in_failures.failed(&source).await;
        // The name as typed (it may be anyone's, or a password typed in
        // the wrong field: cut short), never the password.
        let typed: String = username.chars().take(64).collect();
        let recorded = record_session(
            &state.db.write,
            client,
            &headers,
            &typed,
            None,
            "sign-in-failed",
        )
        .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "could not record a failed sign-in");
        }
        return Err(ApiError::SignInFailed);
    }
    let token = secrets::new_token();
    let csrf = secrets::new_token();
    let role = operators::find(&state.db.read, &username)
        .await?
        .map(|o| o.role);
    // The session and its record land together.
    let mut tx = state.db.transaction(None).await?;
    operators::create_session(
        tx.conn(),
        &username,
        &token,
        &csrf,
        operators::now() + SESSION_SECONDS,
    )
    .await?;
    record_session(tx.conn(), client, &headers, &username, role, "signed-in").await?;
    tx.commit().await?;
    tracing::info!(operator = %username, "signed in");
    let cookie = session_cookie(&state, token, SESSION_SECONDS);
    Ok((
        [(header::SET_COOKIE, cookie.to_string())],
        Json(crate::operators::session_body(&state, &username, &csrf).await?),
    )
        .into_response())
}

async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let token = auth::session_token(&headers, state.settings.session_cookie())
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    let session = operators::find_session(&state.db, &token)
        .await?
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    Ok(Json(
        crate::operators::session_body(&state, &session.operator, &session.csrf_token).await?,
    ))
}

/// Records a sign-in, a failed one or a sign-out on `conn` (resource
/// `session`, no account: admins read them).
async fn record_session(
    conn: impl Into<crate::sql::Exec<'_>>,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    operator: &str,
    role: Option<Role>,
    action: &'static str,
) -> Result<(), sqlx::Error> {
    let origin = Origin::of(Some(client), headers, "console");
    let actor = Actor::Operator(operator.to_string());
    audit::append(
        conn,
        &actor,
        role,
        &origin,
        None,
        action,
        "session",
        None,
        Some(operator),
        None,
    )
    .await
}

async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = auth::session_token(&headers, state.settings.session_cookie()) {
        if let Some(session) = operators::find_session(&state.db, &token).await? {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !secrets::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::Csrf);
            }
            let client = state.settings.client_ip(peer.ip(), &headers);
            let mut tx = state.db.transaction(None).await?;
            operators::delete_session(tx.conn(), &token).await?;
            let (operator, role) = (&session.operator, Some(session.role));
            record_session(tx.conn(), client, &headers, operator, role, "signed-out").await?;
            tx.commit().await?;
        }
    }
    let expired = session_cookie(&state, String::new(), 0);
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, expired.to_string())],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::sign_in_allowed;
    use std::net::IpAddr;

    #[test]
    fn plain_http_sign_in_is_for_this_machine_only() {
        let mut settings = crate::Settings {
            data_dir: std::path::PathBuf::new(),
            dist: None,
            sip_domain: "sip.localhost".into(),
            account: None,
            dialect: sipauth_model::Dialect::Plivo,
            rate_limit_per_minute: 0,
            upstream: None,
            kamailio_rpc: Vec::new(),
            public_url: None,
            trusted_proxies: Vec::new(),
        };
        let lan: IpAddr = "192.0.2.10".parse().unwrap();
        for local in ["127.0.0.1", "127.3.0.9", "::1"] {
            assert!(
                sign_in_allowed(&settings, local.parse().unwrap()),
                "{local}"
            );
        }
        assert!(!sign_in_allowed(&settings, lan));
        settings.public_url = Some("http://admin.example.com".into());
        assert!(!sign_in_allowed(&settings, lan));
        settings.public_url = Some("https://admin.example.com".into());
        assert!(sign_in_allowed(&settings, lan));
    }
}
