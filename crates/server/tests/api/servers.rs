//! Several servers on one store (each with its own connections, caches
//! and limits, as separate processes have): they behave as one. On
//! PostgreSQL this is the deployment the backend exists for; on SQLite,
//! two processes on one file.

use crate::{count, json, spawn_app, TestApp, OPERATOR_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn racing_creates_through_two_servers_land_exactly_the_quota() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    // 40 of the ACL's 50 entries, then 50 more, every other one through
    // the other server, all at once.
    let seed: Vec<_> = (0..40)
        .map(|i| json!({"ip": format!("10.0.0.{i}")}))
        .collect();
    let id = one.create_acl("Office", json!(seed)).await;
    let racers: Vec<_> = (0..50)
        .map(|i| {
            let app = if i % 2 == 0 { &one } else { &two };
            let url = app.acls(&format!("{id}/Entry/"));
            let request = app
                .client
                .post(url)
                .basic_auth(&app.auth_id, Some(&app.token))
                .json(&json!({"ip": format!("192.0.2.{i}")}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in racers {
        statuses.push(r.await.unwrap());
    }
    assert_eq!(count(&statuses, 201), 10, "{statuses:?}");
    assert_eq!(count(&statuses, 400), 40, "{statuses:?}");
    for app in [&one, &two] {
        let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
        assert_eq!(acl["entries"].as_array().unwrap().len(), 50);
    }
}

#[tokio::test]
async fn a_change_through_one_server_is_read_through_the_other_at_once() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    for i in 0..5 {
        let name = format!("user{i}");
        let (status, body) = json(one.create(&name, "Str0ng-Passw0rd-2026").await).await;
        assert_eq!(status, 201, "{body}");
        let id = body["credential_uuid"].as_str().unwrap();
        let (status, read) = json(two.get(&two.credentials(&format!("{id}/"))).await).await;
        assert_eq!(
            (status, read["username"].as_str()),
            (200, Some(name.as_str()))
        );
        // And a delete through the second is gone from the first.
        assert_eq!(two.delete(&two.credentials(&format!("{id}/"))).await, 204);
        assert_eq!(
            one.get(&one.credentials(&format!("{id}/"))).await.status(),
            404
        );
    }
}

#[tokio::test]
async fn a_session_signed_in_on_one_server_works_on_the_other_and_ends_on_both() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    one.add_operator().await;
    let signed = one.sign_in("ops", OPERATOR_PASSWORD).await;
    assert_eq!(signed.status(), 200);
    let csrf = json(signed).await.1["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    // One browser (`one`'s cookie jar) sent to either server, as a
    // balancer does.
    let session = |app: &TestApp| one.client.get(app.url("/console/session")).send();
    assert_eq!(session(&two).await.unwrap().status(), 200);
    let out = one
        .client
        .delete(two.url("/console/session"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    // Signed out through the second server: out on the first too.
    assert_eq!(session(&one).await.unwrap().status(), 401);
}

#[tokio::test]
async fn serve_refuses_a_database_url_holding_a_password_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let url = "postgres://sipauth:hunter2-secret@127.0.0.1:1/sipauth";
    let (ok, out) = crate::binary::cli(&["serve", "--data-dir", d, "--database", url], "");
    assert!(!ok, "{out}");
    assert!(out.contains("holds a password"), "{out}");
    assert!(out.contains("PGPASSFILE"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
    let (ok, out) = crate::binary::cli(
        &["serve", "--data-dir", d, "--database", "mysql://x@y/z"],
        "",
    );
    assert!(!ok && out.contains("a postgres:// URL"), "{out}");
}

#[tokio::test]
async fn serve_on_postgres_keeps_the_store_there() {
    let Some((options, url)) = fresh_postgres_url().await else {
        return;
    };
    // A data directory that does not exist yet: made, for the first run's
    // sign-in.
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let server = crate::binary::start_with(&dir, &[], &[("SIPAUTH_DATABASE_URL", &url)]);
    let (auth_id, token, _) = crate::binary::first_run(&dir);
    let created = crate::binary::request(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        format!("{}/v1/Account/{auth_id}/SipAuth/Credential/", server.base),
        Some((&auth_id, &token)),
        Some(json!({"username": "pg.user", "password": "Str0ng-Passw0rd-2026"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    // In PostgreSQL, where Kamailio reads it; nothing in the data directory
    // but the first run's file.
    let db = sipauth_server::db::open_postgres(options).await.unwrap();
    let users: Vec<String> = sipauth_server::sql::q("SELECT username FROM subscriber")
        .fetch_all::<(String,)>(&db.read)
        .await
        .unwrap()
        .into_iter()
        .map(|(u,)| u)
        .collect();
    assert_eq!(users, ["pg.user"]);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["first-run.json"]);
}

#[tokio::test]
async fn servers_starting_together_on_a_new_database_make_one_demo_account() {
    let Some((options, url)) = fresh_postgres_url().await else {
        return;
    };
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let starting: Vec<_> = dirs
        .iter()
        .map(|d| {
            let (path, url) = (d.path().to_path_buf(), url.clone());
            std::thread::spawn(move || {
                crate::binary::start_with(&path, &[], &[("SIPAUTH_DATABASE_URL", &url)])
            })
        })
        .collect();
    let _servers: Vec<_> = starting.into_iter().map(|s| s.join().unwrap()).collect();
    let made = dirs
        .iter()
        .filter(|d| d.path().join("first-run.json").exists())
        .count();
    assert_eq!(made, 1);
    let db = sipauth_server::db::open_postgres(options).await.unwrap();
    let accounts: i64 = sipauth_server::sql::q("SELECT count(*) FROM accounts")
        .scalar(&db.read)
        .await
        .unwrap();
    assert_eq!(accounts, 1);
}

/// On a PostgreSQL run, a new database and its URL (no password: the test
/// cluster trusts loopback); else `None`, saying why.
async fn fresh_postgres_url() -> Option<(sqlx::postgres::PgConnectOptions, String)> {
    let Some(options) = crate::fresh_postgres().await else {
        eprintln!("a PostgreSQL run only (SIPAUTH_TEST_DATABASE_URL)");
        return None;
    };
    let url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database()?
    );
    Some((options, url))
}
