//! The vobiz dialect over real HTTP: X-Auth headers, PUT updates, enabled
//! and description, `meta.total`, on the shared store.

use crate::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn vobiz_credentials_with_headers_put_and_enabled() {
    let app = spawn_app().await;
    let base = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let send = |method: reqwest::Method, url: String, body: Option<Value>| {
        let mut request = app
            .client
            .request(method, url)
            .header("X-Auth-ID", &app.auth_id)
            .header("X-Auth-Token", &app.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move { request.send().await.unwrap() }
    };

    // The headers are the auth; a wrong token is 401.
    let r = app
        .client
        .get(&base)
        .header("X-Auth-ID", &app.auth_id)
        .header("X-Auth-Token", "wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Vobiz's policy: 8 characters suffice.
    let r = send(
        reqwest::Method::POST,
        base.clone(),
        Some(json!({ "username": "agent7", "password": "short7" })),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "password");
    let r = send(
        reqwest::Method::POST,
        base.clone(),
        Some(json!({ "username": "agent7", "password": "eightchr", "description": "Front desk", "enabled": false })),
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (
            created["enabled"].as_bool(),
            created["description"].as_str()
        ),
        (Some(false), Some("Front desk"))
    );
    assert!(created.get("password").is_none() && created.get("ha1").is_none());
    let id = created["id"].as_str().unwrap().to_string();
    let (enabled,): (bool,) = sqlx::query_as("SELECT enabled FROM credentials WHERE id = ?")
        .bind(&id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert!(!enabled, "stored disabled");

    // Listed at both paths, with meta.total.
    for path in [
        base.clone(),
        app.url(&format!(
            "/api/v1/account/{}/trunks/credentials?limit=5",
            app.auth_id
        )),
    ] {
        let list: Value = send(reqwest::Method::GET, path, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["meta"]["total"], 1);
        assert_eq!(list["objects"][0]["username"], "agent7");
    }

    // PUT: enable it and change the password; the username cannot change.
    let r = send(
        reqwest::Method::PUT,
        format!("{base}/{id}"),
        Some(json!({ "username": "other" })),
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = send(
        reqwest::Method::PUT,
        format!("{base}/{id}"),
        Some(json!({ "enabled": true, "password": "new-pass-9" })),
    )
    .await;
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(
        (
            updated["enabled"].as_bool(),
            updated["description"].as_str()
        ),
        (Some(true), Some("Front desk"))
    );

    let r = send(reqwest::Method::DELETE, format!("{base}/{id}"), None).await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        send(reqwest::Method::GET, format!("{base}/{id}"), None)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_credential_an_application_uses_is_kept_in_every_dialect() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/account/{}/credentials", app.auth_id)))
        .header("X-Auth-ID", &app.auth_id)
        .header("X-Auth-Token", &app.token)
        .json(&json!({ "username": "shared.one", "password": "eightchr" }))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .client
        .post(app.url(&format!("/v1/Account/{}/Application/", app.auth_id)))
        .basic_auth(&app.auth_id, Some(&app.token))
        .json(&json!({ "app_name": "Support line", "sip_auth_type": "credential", "credential_uuid": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for url in [
        app.url(&format!("/api/v1/account/{}/credentials/{id}", app.auth_id)),
        app.url(&format!(
            "/v1/Account/{}/Zentrunk/Credential/{id}/",
            app.auth_id
        )),
    ] {
        let r = app
            .client
            .delete(url)
            .basic_auth(&app.auth_id, Some(&app.token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        assert_eq!(
            r.json::<Value>().await.unwrap()["applications"],
            json!(["Support line"])
        );
    }
}
