//! An account's API keys: made by an admin in the console, used with Basic
//! auth (or vobiz's headers) in every dialect, refused at once when revoked.

use crate::roles::{add, call, message_of, signed_in, Auth, Dialect, Op, DIALECTS, VIEWER_REFUSED};
use crate::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_server::secrets;
use sipauth_server::service::Role;

fn keys_path(account: &str) -> String {
    format!("/console/accounts/{account}/api-keys")
}

/// Makes a key as `admin`: (id, secret).
async fn make_key(
    app: &TestApp,
    admin: &Op,
    account: &str,
    name: &str,
    role: &str,
) -> (String, String) {
    let (status, made) = admin
        .send(
            app,
            Method::POST,
            &keys_path(account),
            Some(json!({"name": name, "role": role})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["api_key"]["name"], name);
    assert_eq!(made["api_key"]["role"], role);
    assert_eq!(made["api_key"]["last_used_at"], Value::Null);
    let id = made["api_key"]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 34, "{id}");
    assert!(id.starts_with("SK"));
    assert!(id[2..]
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    (id, made["secret"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_viewer_key_lists_an_editor_key_creates_in_every_dialect() {
    let app = spawn_app().await;
    app.add_operator().await;
    let admin = signed_in(&app, "ops").await;
    let a = app.auth_id.clone();
    let (viewer, viewer_secret) = make_key(&app, &admin, &a, "monitoring", "viewer").await;
    let (editor, editor_secret) = make_key(&app, &admin, &a, "provisioning", "editor").await;
    let client = reqwest::Client::new();
    for (i, d) in DIALECTS.into_iter().enumerate() {
        let as_viewer = Auth::Basic(&viewer, &viewer_secret);
        let listed = call(&app, &client, d, &a, None, as_viewer).await;
        assert_eq!(listed.0, 200, "{d:?}: {}", listed.1);
        let refused = call(&app, &client, d, &a, Some(i), as_viewer).await;
        assert_eq!(refused.0, 403, "{d:?}: {}", refused.1);
        assert_eq!(message_of(d, &refused), VIEWER_REFUSED, "{d:?}");
        let as_editor = Auth::Basic(&editor, &editor_secret);
        let made = call(&app, &client, d, &a, Some(i), as_editor).await;
        assert_eq!(made.0, 201, "{d:?}: {}", made.1);
    }
    // The account's own token keeps full access.
    let token = Auth::Basic(&app.auth_id, &app.token);
    assert_eq!(
        call(&app, &client, Dialect::Plivo, &a, Some(9), token)
            .await
            .0,
        201
    );

    // Both keys show when they were used; neither shows its secret.
    let (status, listed) = admin.send(&app, Method::GET, &keys_path(&a), None).await;
    assert_eq!(status, 200);
    let keys = listed["api_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for key in keys {
        assert!(key["last_used_at"].is_string(), "{key}");
        assert!(key["created_at"].is_string(), "{key}");
    }
    assert!(!listed.to_string().contains(&viewer_secret));
    // The store holds the secrets' SHA-256 only.
    let rows: Vec<(String, Vec<u8>)> = app
        .select("SELECT id, secret_sha256 FROM api_keys ORDER BY rowid", &[])
        .await;
    assert_eq!(
        rows,
        [
            (viewer.clone(), secrets::sha256(&viewer_secret)),
            (editor.clone(), secrets::sha256(&editor_secret)),
        ]
    );
    for file in app.db_files().await {
        let bytes = crate::read_store_file(&file);
        for secret in [&viewer_secret, &editor_secret] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a secret",
                file.display()
            );
        }
    }
    // Each key's creation has its audit record, by its admin.
    let actors: Vec<String> = app
        .column(
            "SELECT actor FROM audit_log WHERE resource = 'api-key' ORDER BY seq",
            &[],
        )
        .await;
    assert_eq!(actors, ["operator:ops"; 2]);
}

#[tokio::test]
async fn a_key_opens_its_own_account_only_and_is_refused_once_revoked() {
    let app = spawn_app().await;
    let (b, _) = app.other_account().await;
    app.add_operator().await;
    let admin = signed_in(&app, "ops").await;
    let a = app.auth_id.clone();
    let (id, secret) = make_key(&app, &admin, &a, "ci", "editor").await;
    let client = reqwest::Client::new();
    for d in DIALECTS {
        // On another account's path a key is a wrong password.
        let other = call(&app, &client, d, &b, None, Auth::Basic(&id, &secret)).await;
        assert_eq!(other.0, 401, "{d:?}: {}", other.1);
        let wrong = call(
            &app,
            &client,
            d,
            &a,
            None,
            Auth::Basic(&id, "not-the-secret"),
        )
        .await;
        assert_eq!(wrong.0, 401, "{d:?}");
        assert_eq!(
            call(&app, &client, d, &a, None, Auth::Basic(&id, &secret))
                .await
                .0,
            200
        );
    }
    // A made-up key id is refused like any wrong credential.
    let made_up = secrets::new_sid("SK");
    let r = call(
        &app,
        &client,
        Dialect::Plivo,
        &a,
        None,
        Auth::Basic(&made_up, &secret),
    )
    .await;
    assert_eq!(r.0, 401);

    // Revoked: its very next request is refused.
    let (status, _) = admin
        .send(
            &app,
            Method::DELETE,
            &format!("{}/{id}", keys_path(&a)),
            None,
        )
        .await;
    assert_eq!(status, 204);
    for d in DIALECTS {
        let r = call(&app, &client, d, &a, None, Auth::Basic(&id, &secret)).await;
        assert_eq!(r.0, 401, "{d:?}");
    }
    let (status, _) = admin
        .send(
            &app,
            Method::DELETE,
            &format!("{}/{id}", keys_path(&a)),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let records: Vec<(String, String, Option<String>)> = app
        .select(
            "SELECT action, resource_id, account_id FROM audit_log WHERE resource = 'api-key' ORDER BY seq",
            &[],
        )
        .await;
    assert_eq!(
        records,
        [
            ("created".into(), id.clone(), Some(a.clone())),
            ("revoked".into(), id.clone(), Some(a.clone())),
        ]
    );
}

#[tokio::test]
async fn api_keys_are_an_admins_in_its_own_accounts() {
    let app = spawn_app().await;
    let (b, _) = app.other_account().await;
    let a = app.auth_id.clone();
    add(&app, "scoped", Role::Admin, Some(&[&a])).await;
    add(&app, "eddie", Role::Editor, None).await;
    let admin = signed_in(&app, "scoped").await;
    let editor = signed_in(&app, "eddie").await;

    let (status, body) = editor.send(&app, Method::GET, &keys_path(&a), None).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"],
        "this needs the admin role; you are an editor"
    );
    // Outside the admin's scope, as for no account at all.
    for account in [b.as_str(), "MANOSUCHACCOUNT00009"] {
        let (status, body) = admin
            .send(&app, Method::GET, &keys_path(account), None)
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("account not found"))
        );
        let (status, _) = admin
            .send(
                &app,
                Method::POST,
                &keys_path(account),
                Some(json!({"name": "x", "role": "viewer"})),
            )
            .await;
        assert_eq!(status, 404);
    }
    // What a key may be.
    let path = keys_path(&a);
    for (body, field) in [
        (json!({"name": "", "role": "viewer"}), "name"),
        (json!({"name": "x".repeat(65), "role": "viewer"}), "name"),
        (json!({"name": "ok", "role": "admin"}), "role"),
        (json!({"name": "ok", "role": "root"}), "role"),
        (json!({"role": "viewer"}), "name"),
    ] {
        let (status, answer) = admin
            .send(&app, Method::POST, &path, Some(body.clone()))
            .await;
        assert_eq!(
            (status, &answer["field"]),
            (400, &json!(field)),
            "{body}: {answer}"
        );
    }
    make_key(&app, &admin, &a, "ci", "viewer").await;
    let (status, answer) = admin
        .send(
            &app,
            Method::POST,
            &path,
            Some(json!({"name": "CI", "role": "editor"})),
        )
        .await;
    assert_eq!(
        (status, &answer["field"]),
        (409, &json!("name")),
        "{answer}"
    );
    // Writes need the CSRF token.
    let r = admin
        .client
        .post(app.url(&path))
        .json(&json!({"name": "nocsrf", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
