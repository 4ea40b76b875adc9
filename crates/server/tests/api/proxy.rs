//! Proxy mode against a second instance of our own server as the provider,
//! and against small misbehaving providers.

use crate::{
    assert_invalid, error_message, error_of, json, spawn_app, TestApp, Who, OPERATOR_PASSWORD,
};
use axum::routing::get;
use reqwest::Method;
use serde_json::json;
use sipauth_server::upstream::Upstream;
use std::time::Duration;

/// A proxy in front of `base` for `auth_id`/`token`, with a signed-in
/// operator; returns the app and the session's CSRF token.
async fn signed_in_proxy(
    base: &str,
    auth_id: &str,
    token: &str,
    timeout: Duration,
) -> (TestApp, String) {
    let proxy = TestApp::builder()
        .proxy(Upstream::new(base, auth_id, token, timeout).unwrap())
        .spawn()
        .await;
    proxy.add_operator().await;
    let (status, body) = json(proxy.sign_in("ops", OPERATOR_PASSWORD).await).await;
    assert_eq!(status, 200);
    (proxy, body["csrf_token"].as_str().unwrap().to_string())
}

/// A signed-in proxy in front of our own server as the provider: the
/// proxy, its CSRF token and its URL of the provider's credentials.
async fn proxy_for(provider: &TestApp) -> (TestApp, String, String) {
    let (proxy, csrf) = signed_in_proxy(
        &provider.base,
        &provider.auth_id,
        &provider.token,
        Duration::from_secs(5),
    )
    .await;
    let path = format!("/v1/Account/{}/SipAuth/Credential/", provider.auth_id);
    let url = proxy.url(&path);
    (proxy, csrf, url)
}

/// What a signed-in console gets through a proxy to the provider at
/// `base` that waits at most `timeout`.
async fn through_proxy(base: &str, timeout: Duration) -> (u16, serde_json::Value) {
    let (proxy, _) = signed_in_proxy(base, "MAX", "secret-token-123456", timeout).await;
    let url = proxy.url("/v1/Account/MAX/SipAuth/Credential/");
    json(proxy.get_anonymous(&url).await).await
}

/// A provider that answers every request with `status` and `body` after `delay`.
async fn fake_provider(status: u16, body: &'static str, delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(get(move || async move {
        tokio::time::sleep(delay).await;
        (axum::http::StatusCode::from_u16(status).unwrap(), body)
    }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_console_works_through_the_proxy_with_the_token_added_here() {
    let provider = spawn_app().await;
    let (proxy, csrf, url) = proxy_for(&provider).await;

    // config.json names the provider's account, and nothing secret.
    let r = proxy.get_anonymous(&proxy.url("/config.json")).await;
    let text = r.text().await.unwrap();
    assert!(text.contains(&provider.auth_id), "{text}");
    assert!(!text.contains(&provider.token));

    let body = json!({"username": "via.proxy", "password": "Xy7pQ2mLk9Rt4w"});
    let create = || proxy.send(Who::Csrf(&csrf), Method::POST, &url, Some(&body));
    let (status, created) = json(create().await).await;
    assert_eq!(status, 201, "{created}");
    assert!(!created.to_string().contains(&provider.token));
    // It is in the provider's store, created with the provider's credentials.
    let (_, direct) = json(provider.get(&provider.credentials("")).await).await;
    assert_eq!(direct["objects"][0]["username"], "via.proxy");

    // Status codes and bodies pass through unchanged.
    let message = error_of(json(create().await).await, 409);
    assert!(message.contains("already exists"), "{message}");
    let limit = json(proxy.get_anonymous(&format!("{url}?limit=50")).await).await;
    assert_invalid(&limit, "limit", "");
    let (status, list) = json(proxy.get_anonymous(&url).await).await;
    assert_eq!(
        (status, list["meta"]["total_count"].as_i64()),
        (200, Some(1))
    );
}

#[tokio::test]
async fn only_a_signed_in_operator_reaches_the_provider() {
    let provider = spawn_app().await;
    let (proxy, csrf, url) = proxy_for(&provider).await;
    // No session: the provider's Basic auth is not a way in either.
    let anonymous = reqwest::Client::new();
    let r = anonymous
        .get(&url)
        .basic_auth(&provider.auth_id, Some(&provider.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A write without the CSRF token is refused before it leaves.
    let body = json!({"username": "no.csrf", "password": "Xy7pQ2mLk9Rt4w"});
    let r = proxy
        .send(Who::Nobody, Method::POST, &url, Some(&body))
        .await;
    assert_eq!(r.status(), 403);
    let (_, direct) = json(provider.get(&provider.credentials("")).await).await;
    assert_eq!(direct["meta"]["total_count"], 0);
    // A body over the limit never leaves either.
    let big = json!({"username": "a".repeat(70_000)});
    let r = proxy
        .send(Who::Csrf(&csrf), Method::POST, &url, Some(&big))
        .await;
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn provider_failures_come_back_as_clear_json_errors() {
    // Unreachable: a port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let (status, body) = through_proxy(&format!("http://{closed}"), Duration::from_secs(5)).await;
    assert_eq!(status, 502);
    assert!(
        error_message(&body).starts_with("cannot reach the provider at http://127.0.0.1"),
        "{body}"
    );

    // A provider error page becomes a JSON 502 quoting it.
    let failing = fake_provider(503, "<html>maintenance</html>", Duration::ZERO).await;
    let (status, body) = through_proxy(&failing, Duration::from_secs(5)).await;
    assert_eq!(status, 502);
    assert_eq!(
        error_message(&body),
        "the provider failed (HTTP 503): <html>maintenance</html>"
    );

    // Too slow.
    let slow = fake_provider(200, "{}", Duration::from_secs(3)).await;
    let (status, body) = through_proxy(&slow, Duration::from_secs(1)).await;
    assert_eq!(status, 504);
    assert_eq!(
        error_message(&body),
        "the provider did not answer within 1 s"
    );

    // Too big.
    let huge: &'static str = Box::leak("x".repeat(5 * 1024 * 1024).into_boxed_str());
    let big = fake_provider(200, huge, Duration::ZERO).await;
    let message = error_of(through_proxy(&big, Duration::from_secs(5)).await, 502);
    assert!(message.contains("larger than 4 MiB"), "{message}");
}

/// Proxy mode forwards only the console's routes for its own account: no
/// other account id, none of the provider's other APIs, no dot segments or
/// encoded separators (sent raw, as an attacker's client would), and none
/// of them reaches the provider.
#[tokio::test]
async fn only_the_consoles_routes_reach_the_provider() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let provider = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(uri.to_string());
            axum::Json(json!({"api_id": "x", "objects": []}))
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (proxy, csrf) = signed_in_proxy(
        &provider,
        "MAX",
        "secret-token-123456",
        Duration::from_secs(5),
    )
    .await;

    let allowed = proxy.url("/v1/Account/MAX/SipAuth/Credential/");
    assert_eq!(proxy.get_anonymous(&allowed).await.status(), 200);
    assert_eq!(seen.lock().unwrap().len(), 1);

    let call = proxy.url("/v1/Account/MAX/Call/");
    let r = proxy
        .send(Who::Csrf(&csrf), Method::POST, &call, Some(&json!({})))
        .await;
    assert_eq!(r.status(), 403);
    let other = proxy.url("/v1/Account/MAOTHER/SipAuth/Credential/");
    assert_eq!(proxy.get_anonymous(&other).await.status(), 403);

    // Raw request lines: an HTTP client library would resolve these itself.
    for raw in [
        "/v1/../2010-04-01/Accounts/MAX/SIP/CredentialLists.json",
        "/v1/%2e%2e/api/v1/account/MAX/credentials",
        "/v1/Account/MAX/SipAuth/.%2e/Call/",
    ] {
        assert_eq!(raw_get(&proxy, raw).await, 403, "{raw}");
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "{:?}", seen.lock().unwrap());
}

/// Sends `GET path` exactly as written (with a fresh operator session) and
/// returns the status code.
async fn raw_get(proxy: &TestApp, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let r = proxy.sign_in("ops", OPERATOR_PASSWORD).await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let addr = proxy.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Proxy mode serves the twilio and vobiz consoles too: their requests go
/// to the provider (our own server here) with the provider's own way of
/// authenticating (Basic auth; vobiz's X-Auth-ID/X-Auth-Token) added by the
/// proxy, form bodies as sent, and only on their routes.
#[tokio::test]
async fn twilio_and_vobiz_consoles_work_through_the_proxy() {
    let provider = spawn_app().await;
    let (proxy, csrf, _) = proxy_for(&provider).await;
    let id = &provider.auth_id;
    let lists = proxy.url(&format!(
        "/2010-04-01/Accounts/{id}/SIP/CredentialLists.json"
    ));
    let r = proxy
        .client
        .post(&lists)
        .header("X-CSRF-Token", &csrf)
        .form(&[("FriendlyName", "Via the proxy")])
        .send()
        .await
        .unwrap();
    let (status, list) = json(r).await;
    assert_eq!(status, 201, "{list}");
    assert!(list["sid"].as_str().unwrap().starts_with("CL"));
    let (status, page) = json(proxy.get_anonymous(&lists).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        page["credential_lists"][0]["friendly_name"],
        "Via the proxy"
    );

    let credentials = proxy.url(&format!("/api/v1/account/{id}/credentials"));
    let body = json!({"username": "vobiz.via.proxy", "password": "Xy7pQ2mLk9Rt4w"});
    let (status, made) = json(
        proxy
            .send(Who::Csrf(&csrf), Method::POST, &credentials, Some(&body))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["username"], "vobiz.via.proxy");
    // What the provider holds came through its own API, nothing else.
    let calls = proxy.url(&format!("/2010-04-01/Accounts/{id}/Calls.json"));
    assert_eq!(proxy.get_anonymous(&calls).await.status(), 403);
    let (status, body) = json(proxy.get_anonymous(&credentials).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["total"], 1);
}

#[tokio::test]
async fn a_viewer_reads_through_the_proxy_and_writes_nothing() {
    use crate::roles::{add, signed_in, VIEWER_REFUSED};
    let provider = spawn_app().await;
    let up = Upstream::new(
        &provider.base,
        &provider.auth_id,
        &provider.token,
        Duration::from_secs(5),
    )
    .unwrap();
    let proxy = TestApp::builder().proxy(up).spawn().await;
    add(&proxy, "vera", sipauth_server::service::Role::Viewer, None).await;
    let vera = signed_in(&proxy, "vera").await;
    assert_eq!(
        vera.session["accounts"],
        json!([{"auth_id": provider.auth_id, "realm": null}])
    );
    let path = format!("/v1/Account/{}/SipAuth/Credential/", provider.auth_id);
    assert_eq!(vera.send(&proxy, Method::GET, &path, None).await.0, 200);
    let body = json!({"username": "via.proxy", "password": "Xy7pQ2mLk9Rt4w"});
    let (status, refused) = vera.send(&proxy, Method::POST, &path, Some(body)).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (403, Some(VIEWER_REFUSED))
    );
    let (_, listed) = json(provider.get(&provider.credentials("")).await).await;
    assert_eq!(listed["meta"]["total_count"], 0);
}
