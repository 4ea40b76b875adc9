//! Who is calling: an account with its API token (Basic auth), or a
//! signed-in operator (session cookie, plus the CSRF token on writes).

use crate::error::ApiError;
use crate::paths::AccountPath;
use crate::rate_limit;
use crate::service::{Actor, Caller, Origin, Role};
use crate::store::{accounts, operators};
use crate::{secrets, AppState};
use axum::extract::{ConnectInfo, OriginalUri, Path, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie's name over plain HTTP (see `Settings::session_cookie`).
pub const SESSION_COOKIE: &str = "sipauth_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session token from the request's cookie named `name`, if any.
pub fn session_token(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Middleware for `/v1/Account/{auth_id}/…`: authenticates the caller for
/// that account and hands the account to the handlers.
pub async fn require_account(
    State(state): State<AppState>,
    Path(AccountPath { auth_id }): Path<AccountPath>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path())
        .unwrap_or_else(|| request.uri().path());
    let dialect = if path.starts_with("/api/v1/") {
        "vobiz"
    } else if path.contains("/Zentrunk/") {
        "zentrunk"
    } else {
        "plivo"
    };
    let caller = admit_request(
        &state,
        &auth_id,
        peer(&request),
        request.method(),
        request.headers(),
        dialect,
    )
    .await?;
    admit(&mut request, caller);
    Ok(next.run(request).await)
}

/// Every dialect's way in: whether the client source may try (too many
/// failed authentications refuse it for a while), the caller's
/// credentials, then the account's rate limit.
/// (Takes the request's parts, not the request: its body is not `Sync`.)
pub(crate) async fn admit_request(
    state: &AppState,
    auth_id: &str,
    peer: Option<SocketAddr>,
    method: &Method,
    headers: &HeaderMap,
    dialect: &'static str,
) -> Result<Caller, ApiError> {
    let client = peer.map(|p| state.settings.client_ip(p.ip(), headers));
    let source = client.map(rate_limit::source);
    if let Some(source) = &source {
        state
            .auth_failures
            .check(source)
            .map_err(|retry_after| ApiError::SourceThrottled { retry_after })?;
    }
    let origin = Origin::of(client, headers, dialect);
    let caller = match authenticate(state, auth_id, method, headers, origin).await {
        Ok(caller) => caller,
        Err(e) => {
            if let (ApiError::Unauthorized { .. }, Some(source)) = (&e, &source) {
                state.auth_failures.failed(source);
            }
            return Err(e);
        }
    };
    state
        .limiter
        .check(&caller.account.auth_id)
        .map_err(|retry_after| ApiError::RateLimited {
            per_minute: state.limiter.per_minute(),
            retry_after,
        })?;
    Ok(caller)
}

/// The client's address, when the server was started with it.
pub(crate) fn peer(request: &Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// Hands the authenticated caller to the handlers.
pub(crate) fn admit(request: &mut Request, caller: Caller) {
    request.extensions_mut().insert(Arc::new(caller));
}

/// The account `auth_id` if `user` names it and `token` is its API token.
async fn check_token(
    state: &AppState,
    auth_id: &str,
    user: &str,
    token: &str,
) -> Result<Arc<accounts::Account>, ApiError> {
    let account = state.accounts.find(&state.db, auth_id).await?;
    // Hash and compare even for an unknown account, so timing does not
    // reveal which account ids exist.
    let presented = secrets::sha256(token);
    let stored = account
        .as_ref()
        .map(|a| a.token_sha256.clone())
        .unwrap_or_else(|| vec![0; presented.len()]);
    let ok = secrets::same(&presented, &stored) && user == auth_id;
    match account {
        Some(a) if ok => Ok(a),
        _ => Err(ApiError::Unauthorized { challenge: true }),
    }
}

/// Basic auth (plivo, zentrunk, twilio), `X-Auth-ID`/`X-Auth-Token` (vobiz)
/// or an operator session.
pub(crate) async fn authenticate(
    state: &AppState,
    auth_id: &str,
    method: &Method,
    headers: &HeaderMap,
    origin: Origin,
) -> Result<Caller, ApiError> {
    refuse_cross_site(method, headers)?;
    let by_token = |account| Caller {
        account,
        actor: Actor::Token,
        role: Role::Admin,
        origin: origin.clone(),
    };
    if let Some((user, token)) = basic_credentials(headers) {
        return check_token(state, auth_id, &user, &token)
            .await
            .map(by_token);
    }
    // Vobiz's headers carry the same pair.
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let (Some(user), Some(token)) = (header("x-auth-id"), header("x-auth-token")) {
        return check_token(state, auth_id, user, token).await.map(by_token);
    }
    // A console request names itself; it must never trigger the browser's
    // own Basic-auth prompt.
    let from_console = headers.contains_key("x-requested-with");
    let Some(token) = session_token(headers, state.settings.session_cookie()) else {
        return Err(ApiError::Unauthorized {
            challenge: !from_console,
        });
    };
    let Some(session) = operators::find_session(&state.db, &token).await? else {
        return Err(ApiError::Unauthorized {
            challenge: !from_console,
        });
    };
    if !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !secrets::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(ApiError::Csrf);
        }
    }
    let account = state
        .accounts
        .find(&state.db, auth_id)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(Caller {
        account,
        actor: Actor::Operator(session.operator),
        role: Role::Admin,
        origin,
    })
}

/// A write that a browser says comes from another site's page is refused,
/// whatever credentials it carries (its cookies or a remembered Basic auth).
pub(crate) fn refuse_cross_site(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let cross = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    if write && cross {
        return Err(ApiError::CrossSite);
    }
    Ok(())
}

/// `Authorization: Basic base64(user:token)`, decoded.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, token) = text.split_once(':')?;
    Some((user.to_string(), token.to_string()))
}
