//! Upstream proxy mode: the console's API requests go to a real provider,
//! with the provider's credentials added here, so the browser only ever
//! holds the operator's session.

use crate::auth::{session_token, CSRF_HEADER};
use crate::error::api_id;
use crate::store::operators;
use crate::{secrets, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sipauth_model::Dialect;
use std::time::Duration;

/// Answers larger than this are refused (a provider's list page is far smaller).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Where the provider is and how to authenticate to it.
#[derive(Clone)]
pub struct Upstream {
    /// e.g. `https://api.plivo.com`; the request path is appended.
    pub base: String,
    pub auth_id: String,
    /// Never logged, never sent to the browser.
    pub token: String,
    pub timeout: Duration,
    pub client: reqwest::Client,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base", &self.base)
            .field("auth_id", &self.auth_id)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Upstream {
    pub fn new(base: &str, auth_id: &str, token: &str, timeout: Duration) -> Result<Self, String> {
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "--upstream must be an http:// or https:// URL, not {base:?}"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            auth_id: auth_id.to_string(),
            token: token.to_string(),
            timeout,
            client,
        })
    }
}

/// A JSON error in the plivo shape.
fn error(status: StatusCode, message: String) -> Response {
    (
        status,
        axum::Json(json!({ "api_id": api_id(), "error": message })),
    )
        .into_response()
}

/// What the console uses of each provider API, with the methods it sends
/// (`*`: one id; `*.json`: one id and Twilio's `.json`). Nothing else is
/// forwarded: the provider's token opens far more than SIP auth.
struct Api {
    /// The path before the account id, and after it.
    before: &'static str,
    after: &'static str,
    routes: &'static [(&'static str, &'static [Method])],
}

const GET_POST: &[Method] = &[Method::GET, Method::POST];
const ITEM: &[Method] = &[Method::GET, Method::POST, Method::DELETE];

/// plivo's SipAuth and Application, and zentrunk's routes, under `/v1`.
const PLIVO: Api = Api {
    before: "/v1/Account/",
    after: "/",
    routes: &[
        ("SipAuth/Credential", GET_POST),
        ("SipAuth/Credential/*", ITEM),
        ("SipAuth/IpAccessControlList", GET_POST),
        ("SipAuth/IpAccessControlList/*", ITEM),
        ("SipAuth/IpAccessControlList/*/Entry", &[Method::POST]),
        ("SipAuth/IpAccessControlList/*/Entry/*", &[Method::DELETE]),
        ("Application", GET_POST),
        ("Application/*", ITEM),
        ("Zentrunk/Credential", GET_POST),
        ("Zentrunk/Credential/*", ITEM),
        ("Zentrunk/Trunk", GET_POST),
        ("Zentrunk/Trunk/*", ITEM),
    ],
};

/// Twilio's SIP resources, under `/2010-04-01`.
const TWILIO: Api = Api {
    before: "/2010-04-01/Accounts/",
    after: "/SIP/",
    routes: &[
        ("CredentialLists.json", GET_POST),
        ("CredentialLists/*.json", ITEM),
        ("CredentialLists/*/Credentials.json", GET_POST),
        ("CredentialLists/*/Credentials/*.json", ITEM),
        ("IpAccessControlLists.json", GET_POST),
        ("IpAccessControlLists/*.json", ITEM),
        ("IpAccessControlLists/*/IpAddresses.json", GET_POST),
        ("IpAccessControlLists/*/IpAddresses/*.json", ITEM),
        ("Domains.json", GET_POST),
        ("Domains/*.json", ITEM),
        ("Domains/*/Auth/Calls/CredentialListMappings.json", GET_POST),
        (
            "Domains/*/Auth/Calls/CredentialListMappings/*.json",
            &[Method::GET, Method::DELETE],
        ),
        (
            "Domains/*/Auth/Calls/IpAccessControlListMappings.json",
            GET_POST,
        ),
        (
            "Domains/*/Auth/Calls/IpAccessControlListMappings/*.json",
            &[Method::GET, Method::DELETE],
        ),
        (
            "Domains/*/Auth/Registrations/CredentialListMappings.json",
            GET_POST,
        ),
        (
            "Domains/*/Auth/Registrations/CredentialListMappings/*.json",
            &[Method::GET, Method::DELETE],
        ),
    ],
};

/// Vobiz's credentials, under `/api/v1`.
const VOBIZ: Api = Api {
    before: "/api/v1/account/",
    after: "/",
    routes: &[
        ("credentials", GET_POST),
        ("credentials/*", &[Method::GET, Method::PUT, Method::DELETE]),
        ("trunks/credentials", &[Method::GET]),
    ],
};

/// Whether `method` on `path` (as sent, still percent-encoded) is one of
/// the console's routes for the configured account, and in which API. Dot
/// segments and encoded dots, slashes and backslashes are refused before
/// matching: the provider could resolve them into another of its APIs.
pub fn forwardable(method: &Method, path: &str, auth_id: &str) -> Result<Dialect, &'static str> {
    let lower = path.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c", "\\"]
        .iter()
        .any(|bad| lower.contains(bad))
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return Err("the path holds dot segments or encoded separators");
    }
    let (dialect, api) = [
        (Dialect::Plivo, &PLIVO),
        (Dialect::Twilio, &TWILIO),
        (Dialect::Vobiz, &VOBIZ),
    ]
    .into_iter()
    .find(|(_, api)| path.starts_with(api.before))
    .ok_or("not a provider API this console uses")?;
    let Some(rest) = path.strip_prefix(&format!("{}{auth_id}{}", api.before, api.after)) else {
        return Err("only the console's account is forwarded");
    };
    let segments: Vec<&str> = rest.strip_suffix('/').unwrap_or(rest).split('/').collect();
    let id = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let fits = |want: &str, got: &str| match want {
        "*" => id(got),
        "*.json" => got.strip_suffix(".json").is_some_and(id),
        _ => want == got,
    };
    let route = api.routes.iter().find(|(route, _)| {
        let parts: Vec<&str> = route.split('/').collect();
        parts.len() == segments.len() && parts.iter().zip(&segments).all(|(w, g)| fits(w, g))
    });
    match route {
        Some((_, methods)) if methods.contains(method) => Ok(dialect),
        Some(_) => Err("the console does not send that method there"),
        None => Err("not a route the console uses"),
    }
}

/// `/v1/*` in proxy mode: a signed-in operator (with the CSRF token on
/// writes) is forwarded on the console's routes; nobody else is.
pub async fn forward(State(state): State<AppState>, request: Request) -> Response {
    let Some(upstream) = state.settings.upstream.clone() else {
        return error(StatusCode::NOT_FOUND, "resource not found".into());
    };
    let (parts, body) = request.into_parts();
    if let Err(refused) = signed_in(&state, &parts).await {
        return refused;
    }
    let body = match axum::body::to_bytes(body, crate::body::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return crate::error::ApiError::TooLarge(crate::body::MAX_BODY_BYTES).into_response()
        }
    };
    // `nest("/v1", …)` strips the prefix from the URI; forward the original.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let dialect = match forwardable(&parts.method, uri.path(), &upstream.auth_id) {
        Ok(dialect) => dialect,
        Err(why) => {
            tracing::warn!(method = %parts.method, path = %uri.path(), why, "not forwarded");
            return error(
                StatusCode::FORBIDDEN,
                format!("not forwarded to the provider: {why}"),
            );
        }
    };
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{path}", upstream.base);
    // Only what the provider needs: no cookie, no CSRF token, no client headers.
    let outgoing = upstream
        .client
        .request(parts.method.clone(), &url)
        .header(header::ACCEPT, "application/json");
    // Each provider's own way of authenticating.
    let mut outgoing = match dialect {
        Dialect::Vobiz => outgoing
            .header("X-Auth-ID", &upstream.auth_id)
            .header("X-Auth-Token", &upstream.token),
        _ => outgoing.basic_auth(&upstream.auth_id, Some(&upstream.token)),
    };
    if let Some(ct) = parts.headers.get(header::CONTENT_TYPE) {
        outgoing = outgoing.header(header::CONTENT_TYPE, ct.clone());
    }
    if !body.is_empty() {
        outgoing = outgoing.body(body);
    }
    let mut answer = match outgoing.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            return error(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "the provider did not answer within {} s",
                    upstream.timeout.as_secs()
                ),
            )
        }
        Err(e) => {
            tracing::warn!(upstream = %upstream.base, "provider unreachable");
            let reason = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.to_string());
            return error(
                StatusCode::BAD_GATEWAY,
                format!("cannot reach the provider at {}: {reason}", upstream.base),
            );
        }
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let retry_after = answer.headers().get(header::RETRY_AFTER).cloned();
    let bytes = match read_answer(&mut answer, &upstream).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    tracing::info!(method = %parts.method, path = %uri.path(), status = status.as_u16(), "forwarded to the provider");
    if status.is_server_error() {
        let snippet: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
        return error(
            StatusCode::BAD_GATEWAY,
            format!(
                "the provider failed (HTTP {}): {}",
                status.as_u16(),
                snippet.trim()
            ),
        );
    }
    let mut response = Response::new(Body::from(Bytes::from(bytes)));
    *response.status_mut() =
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        content_type.unwrap_or_else(|| HeaderValue::from_static("application/json")),
    );
    if let Some(r) = retry_after {
        h.insert(header::RETRY_AFTER, r);
    }
    response
}

/// Only a signed-in operator is forwarded, with the session's CSRF token on
/// writes; otherwise the answer to send back.
async fn signed_in(state: &AppState, parts: &axum::http::request::Parts) -> Result<(), Response> {
    let Some(token) = session_token(&parts.headers, state.settings.session_cookie()) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "sign in to the console first".into(),
        ));
    };
    let session = match operators::find_session(&state.db, &token).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "your session has ended; sign in again".into(),
            ))
        }
        Err(e) => return Err(crate::error::ApiError::from(e).into_response()),
    };
    if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !secrets::same(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(crate::error::ApiError::Csrf.into_response());
        }
        // The provider would take any write: a viewer's stops here.
        if !session.role.may_write() {
            return Err(crate::error::ApiError::Forbidden {
                needed: crate::service::Role::Editor,
                have: session.role,
            }
            .into_response());
        }
    }
    Ok(())
}

/// The provider's answer, at most `MAX_RESPONSE_BYTES`, in time.
async fn read_answer(
    answer: &mut reqwest::Response,
    upstream: &Upstream,
) -> Result<Vec<u8>, Response> {
    let mut bytes = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(error(
                        StatusCode::BAD_GATEWAY,
                        format!(
                            "the provider's answer is larger than {} MiB",
                            MAX_RESPONSE_BYTES >> 20
                        ),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(error(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "the provider did not finish answering within {} s",
                        upstream.timeout.as_secs()
                    ),
                ))
            }
            Err(_) => {
                return Err(error(
                    StatusCode::BAD_GATEWAY,
                    "the provider's answer was cut off".into(),
                ))
            }
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::forwardable;
    use axum::http::Method;
    use sipauth_model::Dialect;

    #[test]
    fn only_the_consoles_routes_for_its_account_are_forwarded() {
        let ok = |m: Method, p: &str| forwardable(&m, p, "MA1").is_ok();
        assert!(ok(Method::GET, "/v1/Account/MA1/SipAuth/Credential/"));
        assert!(ok(Method::POST, "/v1/Account/MA1/SipAuth/Credential"));
        assert!(ok(
            Method::DELETE,
            "/v1/Account/MA1/SipAuth/IpAccessControlList/ab-1/Entry/e_2/"
        ));
        assert!(ok(Method::POST, "/v1/Account/MA1/Zentrunk/Trunk/t1/"));
        assert!(ok(
            Method::POST,
            "/2010-04-01/Accounts/MA1/SIP/CredentialLists/CL1/Credentials.json"
        ));
        assert!(ok(Method::DELETE, "/2010-04-01/Accounts/MA1/SIP/Domains/SD1/Auth/Calls/IpAccessControlListMappings/AL1.json"));
        assert!(ok(Method::PUT, "/api/v1/account/MA1/credentials/c-1"));
        assert_eq!(
            forwardable(
                &Method::GET,
                "/api/v1/account/MA1/trunks/credentials",
                "MA1"
            ),
            Ok(Dialect::Vobiz)
        );
        for (m, p) in [
            (
                Method::GET,
                "/v1/../2010-04-01/Accounts/MA1/SIP/Domains.json",
            ),
            (Method::GET, "/v1/%2e%2e/api/v1/account/MA1/credentials"),
            (Method::GET, "/v1/Account/MA1/SipAuth/.%2e/Call/"),
            (Method::GET, "/v1/Account/MA1/SipAuth/Credential/a%2Fb/"),
            (Method::POST, "/v1/Account/MA1/Call/"),
            (Method::GET, "/v1/Account/MA2/SipAuth/Credential/"),
            (Method::DELETE, "/v1/Account/MA1/SipAuth/Credential/"),
            (Method::PUT, "/v1/Account/MA1/Application/a1/"),
            (Method::GET, "/v1/Account/MA1/SipAuth/Credential/a/b/"),
            (Method::POST, "/2010-04-01/Accounts/MA1/Calls.json"),
            (Method::GET, "/2010-04-01/Accounts/MA2/SIP/Domains.json"),
            (Method::PUT, "/api/v1/account/MA1/credentials"),
            (Method::GET, "/api/v1/account/MA1/calls"),
            (Method::GET, "/2010-04-01/Accounts/MA1/SIP/Domains/SD1"),
        ] {
            assert!(!ok(m.clone(), p), "{m} {p}");
        }
    }
}
