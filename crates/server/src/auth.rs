//! Who is calling: an account with its API token or one of its API keys
//! (Basic auth, or vobiz's headers), or a signed-in operator (session
//! cookie, plus the CSRF token on writes); and what it may do there: an
//! operator only in the accounts of its scope (404 elsewhere, as for an
//! unknown account), and a viewer (operator or key) no writes (403).

use crate::error::ApiError;
use crate::paths::AccountPath;
use crate::rate_limit;
use crate::service::{Actor, Caller, Origin, Role};
use crate::store::{accounts, api_keys, operators};
use crate::{secrets, AppState};
use axum::extract::{ConnectInfo, OriginalUri, Path, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
            .await
            .map_err(|r| r.answer(|retry_after| ApiError::SourceThrottled { retry_after }))?;
    }
    let origin = Origin::of(client, headers, dialect);
    let caller = match authenticate(state, auth_id, method, headers, origin).await {
        Ok(caller) => caller,
        Err(e) => {
            if let (ApiError::Unauthorized { .. }, Some(source)) = (&e, &source) {
                state.auth_failures.failed(source).await;
            }
            return Err(e);
        }
    };
    state
        .limiter
        .check(&caller.account.auth_id)
        .await
        .map_err(|r| {
            r.answer(|retry_after| ApiError::RateLimited {
                per_minute: state.limiter.per_minute(),
                retry_after,
            })
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

/// Whether `method` changes something.
pub(crate) fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A write without the session's CSRF token is refused.
pub(crate) fn check_csrf(
    method: &Method,
    headers: &HeaderMap,
    session: &operators::Session,
) -> Result<(), ApiError> {
    if is_write(method) {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !secrets::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(ApiError::Csrf);
        }
    }
    Ok(())
}

/// Basic auth (plivo, zentrunk, twilio), `X-Auth-ID`/`X-Auth-Token` (vobiz)
/// — with the account's token or one of its API keys — or an operator
/// session; then whether the caller's role may do this.
pub(crate) async fn authenticate(
    state: &AppState,
    auth_id: &str,
    method: &Method,
    headers: &HeaderMap,
    origin: Origin,
) -> Result<Caller, ApiError> {
    refuse_cross_site(method, headers)?;
    // Vobiz's headers carry the same pair as Basic auth.
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let pair = basic_credentials(headers).or_else(|| {
        match (header("x-auth-id"), header("x-auth-token")) {
            (Some(user), Some(token)) => Some((user.to_string(), token.to_string())),
            _ => None,
        }
    });
    let caller = match pair {
        Some((user, secret)) if user != auth_id && api_keys::looks_like_id(&user) => {
            check_key(state, auth_id, &user, &secret, origin).await?
        }
        Some((user, token)) => Caller {
            account: check_token(state, auth_id, &user, &token).await?,
            actor: Actor::Token,
            // The account's own token keeps full access.
            role: Role::Admin,
            origin,
        },
        None => by_session(state, auth_id, method, headers, origin).await?,
    };
    if is_write(method) && !caller.role.may_write() {
        return Err(ApiError::Forbidden {
            needed: Role::Editor,
            have: caller.role,
        });
    }
    Ok(caller)
}

/// An operator's session: its account must be in the operator's scope, and
/// one outside it answers as an unknown account does.
async fn by_session(
    state: &AppState,
    auth_id: &str,
    method: &Method,
    headers: &HeaderMap,
    origin: Origin,
) -> Result<Caller, ApiError> {
    // A console request names itself; it must never trigger the browser's
    // own Basic-auth prompt.
    let from_console = headers.contains_key("x-requested-with");
    let unauthorized = ApiError::Unauthorized {
        challenge: !from_console,
    };
    let Some(token) = session_token(headers, state.settings.session_cookie()) else {
        return Err(unauthorized);
    };
    let Some(session) = operators::find_session(&state.db, &token).await? else {
        return Err(unauthorized);
    };
    check_csrf(method, headers, &session)?;
    if !session.may_use(auth_id) {
        return Err(ApiError::NotFound("account"));
    }
    let account = state
        .accounts
        .find(&state.db, auth_id)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(Caller {
        account,
        actor: Actor::Operator(session.operator),
        role: session.role,
        origin,
    })
}

/// The account `auth_id` if `id` is one of its API keys and `secret` that
/// key's. Another account's key is refused like a wrong token.
async fn check_key(
    state: &AppState,
    auth_id: &str,
    id: &str,
    secret: &str,
    origin: Origin,
) -> Result<Caller, ApiError> {
    let key = api_keys::for_auth(&state.db, id).await?;
    // Hash and compare even for an unknown key, so timing does not reveal
    // which key ids exist.
    let presented = secrets::sha256(secret);
    let stored = key
        .as_ref()
        .map(|k| k.secret_sha256.clone())
        .unwrap_or_else(|| vec![0; presented.len()]);
    let ok = secrets::same(&presented, &stored);
    let refused = ApiError::Unauthorized { challenge: true };
    let key = match key {
        Some(k) if ok && k.account_id == auth_id => k,
        _ => return Err(refused),
    };
    let account = state
        .accounts
        .find(&state.db, auth_id)
        .await?
        .ok_or(refused)?;
    if state.key_uses.due(id) {
        // Not worth refusing the request over.
        if let Err(e) = api_keys::touch(&state.db, id).await {
            tracing::warn!(key = %id, error = %e, "could not record the API key's use");
        }
    }
    Ok(Caller {
        account,
        actor: Actor::ApiKey {
            id: id.to_string(),
            name: key.name,
        },
        role: key.role,
        origin,
    })
}

/// When each API key's `last_used_at` was last written: at most once a
/// minute per key, so a busy key costs no write per request (the time shown
/// is up to a minute early).
#[derive(Default)]
pub struct KeyUses {
    written: Mutex<HashMap<String, Instant>>,
}

impl KeyUses {
    pub const EVERY: Duration = Duration::from_secs(60);

    /// Whether the key's use should be written now (and notes that it is).
    pub fn due(&self, id: &str) -> bool {
        let now = Instant::now();
        let mut written = self.written.lock().expect("key uses");
        match written.get(id) {
            Some(at) if now.duration_since(*at) < Self::EVERY => false,
            _ => {
                written.insert(id.to_string(), now);
                true
            }
        }
    }

    /// Forgets keys not written for a minute (revoked ones among them).
    pub fn evict(&self) {
        let now = Instant::now();
        self.written
            .lock()
            .expect("key uses")
            .retain(|_, at| now.duration_since(*at) < Self::EVERY);
    }
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

#[cfg(test)]
mod tests {
    use super::KeyUses;

    #[test]
    fn a_keys_use_is_written_once_a_minute() {
        let uses = KeyUses::default();
        assert!(uses.due("SKa"));
        assert!(!uses.due("SKa"));
        assert!(uses.due("SKb"));
        uses.evict();
        assert!(!uses.due("SKa"), "written less than a minute ago");
    }
}
