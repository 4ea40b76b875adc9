//! The zentrunk dialect over real HTTP: its credentials are the account's
//! credentials, with a name; 422 for a missing username or password.

use crate::{spawn_app, TestApp, Who};
use reqwest::{Method, Response};
use serde_json::{json, Value};

async fn post(app: &TestApp, url: String, body: Value) -> Response {
    app.send(Who::Me, Method::POST, &url, Some(&body)).await
}

#[tokio::test]
async fn zentrunk_credentials_round_trip_on_the_shared_store() {
    let app = spawn_app().await;
    let base = app.url(&format!("/v1/Account/{}/Zentrunk/Credential/", app.auth_id));
    let post = |url: String, body: Value| post(&app, url, body);

    // The seed's 422 for a missing username or password, naming the field.
    let r = post(base.clone(), json!({ "username": "trunk.a" })).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["field"], "password");
    assert_eq!(e["error"], "password: this parameter is required");
    // Invalid values are 400 with the rule.
    let r = post(
        base.clone(),
        json!({ "username": "trunk a", "password": "Trunk-Passw0rd-26" }),
    )
    .await;
    assert_eq!(r.status(), 400);

    let r = post(
        base.clone(),
        json!({ "name": "production-credentials", "username": "trunk.a", "password": "Trunk-Passw0rd-26" }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["message"], "credential created successfully.");
    let id = created["credential_uuid"].as_str().unwrap().to_string();

    let one: Value = app.get(&format!("{base}{id}/")).await.json().await.unwrap();
    assert_eq!(
        one,
        json!({ "credential_uuid": id, "name": "production-credentials", "username": "trunk.a" })
    );

    // A new username needs the password (the digest covers both).
    let r = post(format!("{base}{id}/"), json!({ "username": "trunk.b" })).await;
    assert_eq!(r.status(), 400);
    let r = post(
        format!("{base}{id}/"),
        json!({ "name": "staging", "username": "trunk.b", "password": "Trunk-Passw0rd-27" }),
    )
    .await;
    assert_eq!(r.status(), 202);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "Credential updated successfully."
    );
    let (username, ha1, realm): (String, String, String) = app
        .select_one(
            "SELECT username, ha1, realm FROM credentials WHERE id = $1",
            &[&id],
        )
        .await;
    assert_eq!(username, "trunk.b");
    use sipauth_model::{Password, Realm, Username};
    assert_eq!(
        ha1,
        sipauth_model::ha1(
            &Username::parse("trunk.b").unwrap(),
            &Realm::parse(&realm).unwrap(),
            &Password::parse("Trunk-Passw0rd-27").unwrap()
        )
    );

    // The SipAuth dialect sees the same credential.
    let plivo: Value = app.get(&app.credentials("")).await.json().await.unwrap();
    assert_eq!(plivo["objects"][0]["username"], "trunk.b");

    let list: Value = app
        .get(&format!("{base}?limit=1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total_count"], 1);
    assert_eq!(list["objects"][0]["name"], "staging");

    assert_eq!(app.delete(&format!("{base}{id}/")).await, 204);
    assert_eq!(app.get(&format!("{base}{id}/")).await.status(), 404);
}

#[tokio::test]
async fn trunks_reference_credentials_and_survive_their_deletion() {
    let app = spawn_app().await;
    let v1 = |rest: &str| app.url(&format!("/v1/Account/{}/Zentrunk/{rest}", app.auth_id));
    let post = |url: String, body: Value| post(&app, url, body);
    let credential: Value = post(
        v1("Credential/"),
        json!({ "username": "trunk.out", "password": "Trunk-Passw0rd-26" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = credential["credential_uuid"].as_str().unwrap().to_string();

    let r = post(
        v1("Trunk/"),
        json!({ "name": "outbound-trunk", "trunk_direction": "outbound" }),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        v1("Trunk/"),
        json!({ "name": "t", "trunk_direction": "sideways", "credential_uuid": credential }),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "trunk_direction");
    let r = post(
        v1("Trunk/"),
        json!({ "name": "t", "trunk_direction": "outbound", "credential_uuid": "nope" }),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "credential_uuid");

    let r = post(
        v1("Trunk/"),
        json!({ "name": "outbound-trunk", "trunk_direction": "outbound", "credential_uuid": credential }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let trunk = r.json::<Value>().await.unwrap()["trunk_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Where used: the trunks of a credential.
    let used: Value = app
        .get(&format!("{}?credential_uuid={credential}", v1("Trunk/")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(used["objects"][0]["name"], "outbound-trunk");
    // The filter is bounded as every list filter is, and documented so.
    let long = "a".repeat(201);
    let r = app
        .get(&format!("{}?credential_uuid={long}", v1("Trunk/")))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "credential_uuid");

    // Deleting the credential is allowed and leaves the trunk without one.
    let url = v1(&format!("Credential/{credential}/"));
    assert_eq!(app.delete(&url).await, 204);
    let t: Value = app
        .get(&v1(&format!("Trunk/{trunk}/")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["credential_uuid"], Value::Null);
    assert_eq!(t["trunk_direction"], "outbound");

    let r = post(v1(&format!("Trunk/{trunk}/")), json!({ "name": "renamed" })).await;
    assert_eq!(r.status(), 202);
    assert_eq!(app.delete(&v1(&format!("Trunk/{trunk}/"))).await, 204);
}
