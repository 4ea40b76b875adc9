use crate::{error_message, error_of, json, spawn_app, too_many, TestApp, Who, OPERATOR_PASSWORD};
use reqwest::Method;
use serde_json::json;

async fn with_operator() -> TestApp {
    let app = spawn_app().await;
    app.add_operator().await;
    app
}

async fn sign_in(app: &TestApp, password: &str) -> reqwest::Response {
    app.sign_in("ops", password).await
}

#[tokio::test]
async fn wrong_password_or_unknown_operator_is_refused() {
    let app = with_operator().await;
    assert_eq!(
        error_of(json(sign_in(&app, "Wrong-Pass-2026").await).await, 401),
        "wrong username or password"
    );
    let r = app.sign_in("nobody", OPERATOR_PASSWORD).await;
    assert_eq!(r.status(), 401);
    let r = app.get_anonymous(&app.url("/console/session")).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_none());
}

#[tokio::test]
async fn session_cookie_csrf_and_sign_out() {
    let app = with_operator().await;
    let r = sign_in(&app, OPERATOR_PASSWORD).await;
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("sipauth_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let token = session_token(&r);
    let (_, body) = json(r).await;
    assert_eq!(body["operator"], "ops");
    let csrf = body["csrf_token"].as_str().unwrap().to_string();
    // The token is only in the HttpOnly cookie, never in the body.
    assert!(!body.to_string().contains(token.as_str()));

    let session = app.url("/console/session");
    let (status, me) = json(app.get_anonymous(&session).await).await;
    assert_eq!(
        (status, me["csrf_token"].as_str()),
        (200, Some(csrf.as_str()))
    );

    // Reads work with the cookie alone.
    let url = app.credentials("");
    assert_eq!(app.get_anonymous(&url).await.status(), 200);
    // Writes need the CSRF token.
    let body = json!({"username": "sipuser1", "password": "Xy7pQ2mLk9Rt4w"});
    let post = |who| app.send(who, Method::POST, &url, Some(&body));
    let message = error_of(json(post(Who::Nobody).await).await, 403);
    assert!(message.contains("CSRF"), "{message}");
    assert_eq!(post(Who::Csrf("not-the-token")).await.status(), 403);
    assert_eq!(post(Who::Csrf(&csrf)).await.status(), 201);

    // An operator session does not reach accounts that do not exist.
    let missing = app.url("/v1/Account/MANOSUCHACCOUNT00000/SipAuth/Credential/");
    assert_eq!(app.get_anonymous(&missing).await.status(), 404);

    // Sign-out needs the CSRF token too, then the cookie stops working.
    let sign_out = |who| app.send(who, Method::DELETE, &session, None);
    assert_eq!(sign_out(Who::Nobody).await.status(), 403);
    assert_eq!(sign_out(Who::Csrf(&csrf)).await.status(), 204);
    let r = app
        .client
        .get(app.credentials(""))
        .header("cookie", format!("sipauth_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn config_json_points_at_the_account() {
    let app = spawn_app().await;
    let (status, body) = json(app.get_anonymous(&app.url("/config.json")).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["dialect"], "plivo");
    assert_eq!(body["account"], app.auth_id.as_str());
    assert_eq!(body["api_base"], "");
}

#[tokio::test]
async fn security_and_cache_headers_on_every_response() {
    let app = spawn_app().await;
    let config = app.get_anonymous(&app.url("/config.json")).await;
    let api = app.get(&app.credentials("")).await;
    for r in [&config, &api] {
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
    assert_eq!(config.headers()["cache-control"], "no-cache");
    assert_eq!(api.headers()["cache-control"], "no-store");
    // Every dialect's answers, errors included, carry account data.
    let id = &app.auth_id;
    for path in [
        format!("/2010-04-01/Accounts/{id}/SIP/CredentialLists.json"),
        format!("/2010-04-01/Accounts/{id}/SIP/CredentialLists/CLnope.json"),
        format!("/api/v1/account/{id}/credentials"),
        format!("/api/v1/account/{id}/credentials/nope"),
    ] {
        let r = app.get(&app.url(&path)).await;
        assert_eq!(
            r.headers()["cache-control"],
            "no-store",
            "{path}: {}",
            r.status()
        );
    }
}

#[tokio::test]
async fn serves_the_console_with_spa_fallback_and_asset_caching() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!DOCTYPE html><title>console</title>",
    )
    .unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    let app = TestApp::builder()
        .serving(dist.path().to_path_buf())
        .spawn()
        .await;
    let asset = app
        .get_anonymous(&app.url("/app-0123456789abcdef_bg.wasm"))
        .await;
    assert_eq!(asset.status(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // The split console's chunks and its chunk loader: named after their
    // content, kept a year, served with the type the browser compiles.
    std::fs::write(dist.path().join("chunk_7-0123456789abcdef.wasm"), b"\0asm").unwrap();
    std::fs::write(
        dist.path().join("wasm-split-0123456789abcdef.js"),
        "export {}",
    )
    .unwrap();
    for (file, kind) in [
        ("chunk_7-0123456789abcdef.wasm", "application/wasm"),
        ("wasm-split-0123456789abcdef.js", "text/javascript"),
    ] {
        let r = app.get_anonymous(&app.url(&format!("/{file}"))).await;
        assert_eq!(r.status(), 200, "{file}");
        assert_eq!(r.headers()["content-type"], kind, "{file}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{file}"
        );
    }
    // A console route the server does not know is the console itself.
    let route = app.get_anonymous(&app.url("/acls/some-id")).await;
    assert_eq!(route.status(), 200);
    assert_eq!(route.headers()["cache-control"], "no-cache");
    assert!(route
        .text()
        .await
        .unwrap()
        .contains("<title>console</title>"));
    // Unknown API paths stay JSON 404s.
    error_of(
        json(app.get_anonymous(&app.url("/v1/nothing")).await).await,
        404,
    );
}

#[tokio::test]
async fn sends_the_console_compressed_as_the_build_wrote_it() {
    let dist = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dist.path().join(name), bytes).unwrap();
    let wasm = "chunk_4-0123456789abcdef.wasm";
    write("index.html", b"<!DOCTYPE html><title>console</title>");
    write("index.html.gz", b"index as gzip");
    write(wasm, b"\0asm plain");
    write(&format!("{wasm}.gz"), b"wasm as gzip");
    write(&format!("{wasm}.br"), b"wasm as brotli");
    let app = TestApp::builder()
        .serving(dist.path().to_path_buf())
        .spawn()
        .await;
    let get = |path: &str, accept: &str| {
        app.client
            .get(app.url(path))
            .header("accept-encoding", accept)
            .send()
    };
    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "wasm as brotli"),
        ("gzip, deflate", Some("gzip"), "wasm as gzip"),
        ("identity", None, "\0asm plain"),
    ] {
        let r = get(&format!("/{wasm}"), accept).await.unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        let headers = r.headers().clone();
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        // The type of the file, not of its compressed copy: the browser
        // compiles it as it streams in.
        assert_eq!(headers["content-type"], "application/wasm", "{accept}");
        assert_eq!(
            headers["cache-control"], "public, max-age=31536000, immutable",
            "{accept}"
        );
        // Caches keep one answer per encoding asked for.
        assert_eq!(headers["vary"], "accept-encoding", "{accept}");
        assert_eq!(r.text().await.unwrap(), body, "{accept}");
    }
    // A console address is index.html, compressed too; without a brotli
    // copy, the gzip one.
    let r = get("/acls/some-id", "gzip, br").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.text().await.unwrap(), "index as gzip");
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_address() {
    let app = with_operator().await;
    // Ten failures a minute pass; the eleventh is answered, and refuses
    // the address from then on, a right password included.
    for _ in 0..=sipauth_server::SIGN_IN_FAILURES_PER_MINUTE {
        assert_eq!(sign_in(&app, "Wrong-Pass-2026").await.status(), 401);
    }
    let r = sign_in(&app, OPERATOR_PASSWORD).await;
    let message = too_many(r, 6).await;
    assert!(
        message.contains("too many failed sign-ins from this address"),
        "{message}"
    );
}

/// An office behind one address signs in as often as it needs to: only
/// failures count against the address.
#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_address() {
    let app = with_operator().await;
    let many = sipauth_server::SIGN_IN_FAILURES_PER_MINUTE + 3;
    for i in 0..many {
        assert_eq!(
            sign_in(&app, OPERATOR_PASSWORD).await.status(),
            200,
            "sign-in {i}"
        );
    }
    // A few failures after them are still answered as failures.
    for _ in 0..3 {
        assert_eq!(sign_in(&app, "Wrong-Pass-2026").await.status(), 401);
    }
    assert_eq!(sign_in(&app, OPERATOR_PASSWORD).await.status(), 200);
}

/// The session token a sign-in's answer sets.
fn session_token(r: &reqwest::Response) -> String {
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap();
    pair.trim_start_matches("sipauth_session=").to_string()
}

/// Whether `/console/session` knows the session of `token`.
async fn session_status(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/console/session"))
        .header("cookie", format!("sipauth_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// An operator holds at most 30 sessions: a new one past them ends the
/// one that would end first, and no other.
#[tokio::test]
async fn an_operator_holds_a_bounded_number_of_sessions() {
    use sipauth_server::store::operators;
    let app = with_operator().await;
    let first = sign_in(&app, OPERATOR_PASSWORD).await;
    assert_eq!(first.status(), 200);
    let first = session_token(&first);
    // The first would end first.
    app.execute("UPDATE sessions SET expires_at = expires_at - 60", &[])
        .await;
    let later = operators::now() + 13 * 60 * 60;
    for i in 1..operators::SESSIONS_PER_OPERATOR {
        let mut tx = app.db.transaction(None).await.unwrap();
        let token = format!("other-browser-{i}");
        operators::create_session(tx.conn(), "ops", &token, "csrf", later + i)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        session_status(&app, &first).await,
        200,
        "30 sessions: all kept"
    );
    let newest = sign_in(&app, OPERATOR_PASSWORD).await;
    assert_eq!(newest.status(), 200);
    let newest = session_token(&newest);
    assert_eq!(session_status(&app, &newest).await, 200);
    assert_eq!(session_status(&app, &first).await, 401, "the oldest ended");
    for i in 1..operators::SESSIONS_PER_OPERATOR {
        let token = format!("other-browser-{i}");
        assert_eq!(session_status(&app, &token).await, 200, "{token}");
    }
}

#[tokio::test]
async fn sessions_expire() {
    let app = with_operator().await;
    assert_eq!(sign_in(&app, OPERATOR_PASSWORD).await.status(), 200);
    assert_eq!(app.get_anonymous(&app.credentials("")).await.status(), 200);
    // Twelve hours later, as far as the store can tell.
    app.execute(
        "UPDATE sessions SET expires_at = expires_at - 12 * 60 * 60 - 1",
        &[],
    )
    .await;
    let r = app
        .client
        .get(app.credentials(""))
        .header("X-Requested-With", "sipauth-console")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let session = app.get_anonymous(&app.url("/console/session")).await;
    assert_eq!(session.status(), 401);
}

/// A page on another site cannot write: a browser marks its requests
/// `Sec-Fetch-Site: cross-site` (refused whatever credentials they carry,
/// in each dialect's shape), and JSON routes read only JSON bodies, which a
/// form on another site cannot send.
#[tokio::test]
async fn writes_from_other_sites_and_bodies_that_are_not_json_are_refused() {
    let app = spawn_app().await;
    let body = r#"{"username": "forged", "password": "Xy7pQ2mLk9Rt4w"}"#;
    let post = |content_type: &'static str, site: &'static str| {
        app.client
            .post(app.credentials(""))
            .basic_auth(&app.auth_id, Some(&app.token))
            .header("content-type", content_type)
            .header("sec-fetch-site", site)
            .body(body)
            .send()
    };
    let r = post("application/json", "cross-site").await.unwrap();
    assert_eq!(r.status(), 403);
    let (_, refused) = json(r).await;
    assert!(
        error_message(&refused).contains("another site"),
        "{refused}"
    );
    let r = post("text/plain", "same-origin").await.unwrap();
    assert_eq!(r.status(), 415);
    let r = post("application/json; charset=utf-8", "same-origin")
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let twilio = app.url(&format!(
        "/2010-04-01/Accounts/{}/SIP/CredentialLists.json",
        app.auth_id
    ));
    let r = app
        .client
        .post(twilio)
        .basic_auth(&app.auth_id, Some(&app.token))
        .header("sec-fetch-site", "cross-site")
        .form(&[("FriendlyName", "Forged")])
        .send()
        .await
        .unwrap();
    let (status, body) = json(r).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (403, Some(20403)),
        "{body}"
    );
    let sign_in = app
        .client
        .post(app.url("/console/session"))
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({"username": "admin", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 403);
}

/// Behind TLS (`--public-url https://…`) the session cookie is Secure and
/// bound to the origin (`__Host-`), every answer carries HSTS, and the
/// session works under that name; over plain HTTP neither is claimed.
#[tokio::test]
async fn over_tls_the_session_cookie_is_secure_and_hsts_is_sent() {
    let app = TestApp::builder()
        .public_url("https://sip-admin.example.com")
        .spawn()
        .await;
    app.add_operator().await;
    let r = app.sign_in("ops", OPERATOR_PASSWORD).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-sipauth_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let token = cookie.split(';').next().unwrap().to_string();
    let me = app
        .client
        .get(app.url("/console/session"))
        .header("cookie", token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let plain = spawn_app().await;
    plain.add_operator().await;
    let r = plain.sign_in("ops", OPERATOR_PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("sipauth_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(r.headers().get("strict-transport-security").is_none());
}

/// A client bound to the loopback address `127.<b>.<c>.<d>`.
fn client_from(b: u8, c: u8, d: u8) -> reqwest::Client {
    let from = std::net::IpAddr::from([127, b, c, d]);
    reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap()
}

/// A wrong sign-in for `name` from `client`: the status and whether it
/// says when to retry.
async fn wrong_sign_in(client: &reqwest::Client, app: &TestApp, name: &str) -> (u16, bool) {
    let body = json!({"username": name, "password": "a-wrong-guess"});
    let url = app.url("/console/session");
    let r = client.post(url).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.headers().contains_key("retry-after"))
}

/// A GET of `url` from `client` with Basic auth `token` for the app's account.
async fn get_with(
    client: &reqwest::Client,
    app: &TestApp,
    url: &str,
    token: &str,
) -> reqwest::Response {
    let r = client.get(url).basic_auth(&app.auth_id, Some(token));
    r.send().await.unwrap()
}

/// Rotating addresses does not buy unlimited guesses at one operator's
/// password: past 20 a minute for one name, sign-in is 429 with Retry-After.
#[tokio::test]
async fn guessing_one_operators_password_from_many_addresses_is_limited() {
    let app = spawn_app().await;
    app.add_operator().await;
    let mut statuses = Vec::new();
    for i in 0..24u8 {
        statuses.push(wrong_sign_in(&client_from(4, 0, i + 1), &app, "ops").await);
    }
    assert!(
        statuses[..20].iter().all(|(s, _)| *s == 401),
        "{statuses:?}"
    );
    let refused = &statuses[20..];
    assert!(
        refused.iter().all(|(s, retry)| *s == 429 && *retry),
        "{statuses:?}"
    );
    // Another operator's name is not held up.
    let other = wrong_sign_in(&client_from(4, 1, 1), &app, "someone-else").await;
    assert_eq!(other.0, 401);
}

/// Guessing API tokens from one source stops after 30 failures a minute:
/// then even the right token from there is 429 (a right guess would teach
/// nothing), in every dialect's shape, while other sources carry on.
#[tokio::test]
async fn failed_api_authentication_is_limited_per_source() {
    let app = spawn_app().await;
    let guesser = client_from(5, 0, 1);
    let list = app.credentials("");
    for i in 0..31 {
        let r = get_with(&guesser, &app, &list, &format!("guess-{i}")).await;
        // The 31st is counted too, then the source is refused.
        assert_eq!(r.status(), 401, "guess {i}");
    }
    let right = get_with(&guesser, &app, &list, &app.token).await;
    assert_eq!(right.status(), 429);
    assert!(right.headers().contains_key("retry-after"));
    let twilio = app.url(&format!(
        "/2010-04-01/Accounts/{}/SIP/CredentialLists.json",
        app.auth_id
    ));
    let (status, body) = json(get_with(&guesser, &app, &twilio, &app.token).await).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (429, Some(20429)),
        "{body}"
    );
    let elsewhere = get_with(&client_from(5, 0, 2), &app, &list, &app.token).await;
    assert_eq!(elsewhere.status(), 200);
}

/// Behind a reverse proxy, `--trusted-proxy` lets the per-client limit
/// count each client by the address the proxy forwards; without it the
/// header is ignored (a client could write any address there).
#[tokio::test]
async fn sign_in_limits_count_forwarded_clients_only_from_a_trusted_proxy() {
    let attempts = |app: TestApp, forwarded: fn(u8) -> String| async move {
        let mut statuses = Vec::new();
        // Ten failures pass, the eleventh refuses the source: the twelfth
        // is 429.
        for i in 0..12u8 {
            let r = app
                .client
                .post(app.url("/console/session"))
                .header("x-forwarded-for", forwarded(i))
                .json(&json!({"username": format!("name{i}"), "password": "wrong"}))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        statuses
    };
    // One client behind the proxy: refused after 11 failures, like a
    // direct one.
    let trusting = TestApp::builder().trusting("127.0.0.1").spawn().await;
    let one = attempts(trusting, |_| "198.51.100.7".into()).await;
    assert_eq!(one.iter().filter(|s| **s == 429).count(), 1, "{one:?}");
    // Many clients behind it: each has its own budget.
    let trusting = TestApp::builder().trusting("127.0.0.1").spawn().await;
    let many = attempts(trusting, |i| format!("203.0.113.9, 198.51.100.{i}")).await;
    assert!(many.iter().all(|s| *s == 401), "{many:?}");
    // Not trusted: the header changes nothing.
    let plain = spawn_app().await;
    let ignored = attempts(plain, |i| format!("198.51.100.{i}")).await;
    assert_eq!(
        ignored.iter().filter(|s| **s == 429).count(),
        1,
        "{ignored:?}"
    );
}
