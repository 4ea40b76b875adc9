//! The vobiz dialect over real HTTP: X-Auth headers, PUT updates, enabled
//! and description, `meta.total`, on the shared store.

use crate::{field, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A vobiz request, signed with the X-Auth headers as the app's account
/// with `token`: status and JSON body (Null when empty).
async fn send_as(
    app: &TestApp,
    token: &str,
    method: Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, url)
        .header("X-Auth-ID", &app.auth_id)
        .header("X-Auth-Token", token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// As [`send_as`] with the account's own token.
async fn send_vobiz(
    app: &TestApp,
    method: Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    send_as(app, &app.token, method, url, body).await
}

#[tokio::test]
async fn vobiz_credentials_with_headers_put_and_enabled() {
    let app = spawn_app().await;
    let base = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let send = |method, url, body| send_vobiz(&app, method, url, body);

    // The headers are the auth; a wrong token is 401.
    let wrong = send_as(
        &app,
        "wrong-token-0123456789",
        Method::GET,
        base.clone(),
        None,
    );
    assert_eq!(wrong.await.0, 401);

    // Vobiz's policy: 8 characters suffice.
    let short = json!({ "username": "agent7", "password": "short7" });
    let (status, body) = send(Method::POST, base.clone(), Some(short)).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("password")));
    let (status, created) = send(
        Method::POST,
        base.clone(),
        Some(json!({ "username": "agent7", "password": "eightchr", "description": "Front desk", "enabled": false })),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            created["enabled"].as_bool(),
            created["description"].as_str()
        ),
        (Some(false), Some("Front desk"))
    );
    assert!(created.get("password").is_none() && created.get("ha1").is_none());
    let id = field(&created, "id");
    let enabled: bool = app
        .scalar("SELECT enabled FROM credentials WHERE id = $1", &[&id])
        .await;
    assert!(!enabled, "stored disabled");

    // Listed at both paths, with meta.total.
    for path in [
        base.clone(),
        app.url(&format!(
            "/api/v1/account/{}/trunks/credentials?limit=5",
            app.auth_id
        )),
    ] {
        let (_, list) = send(Method::GET, path, None).await;
        assert_eq!(list["meta"]["total"], 1);
        assert_eq!(list["objects"][0]["username"], "agent7");
    }

    // PUT: enable it and change the password; the username cannot change.
    let one = format!("{base}/{id}");
    let rename = json!({ "username": "other" });
    assert_eq!(send(Method::PUT, one.clone(), Some(rename)).await.0, 400);
    let enable = json!({ "enabled": true, "password": "new-pass-9" });
    let (status, updated) = send(Method::PUT, one.clone(), Some(enable)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            updated["enabled"].as_bool(),
            updated["description"].as_str()
        ),
        (Some(true), Some("Front desk"))
    );

    assert_eq!(send(Method::DELETE, one.clone(), None).await.0, 204);
    assert_eq!(send(Method::GET, one, None).await.0, 404);
}

#[tokio::test]
async fn a_credential_an_application_uses_is_kept_in_every_dialect() {
    let app = spawn_app().await;
    let (status, created) = send_vobiz(
        &app,
        Method::POST,
        app.url(&format!("/api/v1/account/{}/credentials", app.auth_id)),
        Some(json!({ "username": "shared.one", "password": "eightchr" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = field(&created, "id");
    let (status, _) = app
        .post_json(
            &app.url(&format!("/v1/Account/{}/Application/", app.auth_id)),
            json!({ "app_name": "Support line", "sip_auth_type": "credential", "credential_uuid": id }),
        )
        .await;
    assert_eq!(status, 201);
    for url in [
        app.url(&format!("/api/v1/account/{}/credentials/{id}", app.auth_id)),
        app.url(&format!(
            "/v1/Account/{}/Zentrunk/Credential/{id}/",
            app.auth_id
        )),
    ] {
        let (status, body) = app.delete_json(&url).await;
        assert_eq!(status, 409);
        assert_eq!(body["applications"], json!(["Support line"]));
    }
}
