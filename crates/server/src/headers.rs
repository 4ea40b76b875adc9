//! Security and caching headers on every response. The nginx sample in
//! `deploy/` sends the same ones.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Scripts only from this origin (the start-up script is a file, see
/// `xtask`), wasm compilation allowed, nothing framed, nothing inline.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// Trunk names built assets `name-<16 hex>.ext` (15 when the hash starts
/// with a zero, which it drops): they never change, so browsers may keep
/// them; everything else is revalidated.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    matches!(ext, "js" | "wasm" | "css")
        && stem.rsplit_once('-').is_some_and(|(_, hash)| {
            (15..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// Every dialect's API and the console's own routes: answers that must
/// never be kept (they carry account data), errors included.
fn is_api(path: &str) -> bool {
    ["/v1/", "/2010-04-01/", "/api/v1/", "/console/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// The longest request URI the API reads: far more than any route and
/// filter need (filters are at most 200 characters).
pub const MAX_URI: usize = 8 * 1024;

/// A URI past `MAX_URI` is 414, in the shape of the dialect it was for.
fn too_long(request: &Request) -> Option<Response> {
    let uri = request.uri();
    if uri.path().len() + uri.query().map_or(0, str::len) <= MAX_URI {
        return None;
    }
    Some(if uri.path().starts_with("/2010-04-01/") {
        crate::twilio::TwilioError::UriTooLong(MAX_URI).into_response()
    } else {
        crate::error::ApiError::UriTooLong(MAX_URI).into_response()
    })
}

/// One middleware on every request: the request line's bound, then the
/// headers on the answer.
pub async fn add(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = match too_long(&request) {
        Some(refused) => refused,
        None => next.run(request).await,
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let cache = if is_api(&path) {
        "no-store"
    } else if is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::{is_api, is_hashed_asset};

    #[test]
    fn every_dialect_is_api() {
        for path in [
            "/v1/Account/MA1/SipAuth/Credential/",
            "/2010-04-01/Accounts/AC1/SIP/Domains.json",
            "/api/v1/account/MA1/credentials",
            "/console/session",
        ] {
            assert!(is_api(path), "{path}");
        }
        assert!(!is_api("/credentials"));
        assert!(!is_api("/config.json"));
    }

    #[test]
    fn recognises_trunk_asset_names() {
        for (path, hashed) in [
            ("/sipauth-console-90c112348e94e95a.js", true),
            ("/sipauth-console-90c112348e94e95a_bg.wasm", true),
            ("/main-7574902c9c053bed.css", true),
            ("/boot-0123456789abcdef.js", true),
            ("/index.html", false),
            ("/config.json", false),
            ("/credentials", false),
            ("/app-123.js", false),
            ("/sipauth-console-0c112348e94e95a_bg.wasm", true),
            ("/app-0123456789abc.js", false),
        ] {
            assert_eq!(is_hashed_asset(path), hashed, "{path}");
        }
    }
}
