use crate::{assert_invalid, error_message, field, json, spawn_app, too_many, TestApp, Who};
use reqwest::Method;
use serde_json::json;

impl TestApp {
    pub fn applications(&self, rest: &str) -> String {
        self.url(&format!("/v1/Account/{}/Application/{rest}", self.auth_id))
    }

    async fn credential_id(&self, username: &str) -> String {
        let (status, body) = json(self.create(username, "Xy7pQ2mLk9Rt4w").await).await;
        assert_eq!(status, 201);
        field(&body, "credential_uuid")
    }
}

#[tokio::test]
async fn applications_reference_credentials_and_acls() {
    let app = spawn_app().await;
    let cred = app.credential_id("pbx1").await;
    let acl = app.create_acl("Office", json!([{"ip": "10.0.0.1"}])).await;

    let (status, created) = app
        .post_json(
            &app.applications(""),
            json!({"app_name": "Support line", "answer_url": "https://example.com/answer",
                   "sip_auth_type": "credential_and_ip_acl", "credential_uuid": cred, "ip_acl_uuid": acl}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let app_id = created["app_id"].as_str().unwrap().to_string();
    assert_eq!(app_id.len(), 17);
    assert!(app_id.bytes().all(|b| b.is_ascii_digit()));

    let (status, got) = json(app.get(&app.applications(&format!("{app_id}/"))).await).await;
    assert_eq!(status, 200);
    assert_eq!(got["app_name"], "Support line");
    assert_eq!(got["sip_auth_type"], "credential_and_ip_acl");
    assert_eq!(got["credential_uuid"], cred.as_str());
    assert_eq!(got["ip_acl_uuid"], acl.as_str());

    // Where-used, both ways.
    let (_, by_cred) = json(
        app.get(&app.applications(&format!("?credential_uuid={cred}")))
            .await,
    )
    .await;
    assert_eq!(by_cred["meta"]["total_count"], 1);
    let (_, by_acl) = json(
        app.get(&app.applications(&format!("?ip_acl_uuid={acl}")))
            .await,
    )
    .await;
    assert_eq!(by_acl["objects"][0]["app_id"], app_id.as_str());

    // What is in use cannot be deleted: 409 with the seed's words and the users.
    let (status, body) = app.delete_json(&app.credentials(&format!("{cred}/"))).await;
    assert_eq!(status, 409);
    assert_eq!(
        error_message(&body),
        "This credential is currently assigned to an application. Remove the assignment first by setting sip_auth_type to empty."
    );
    assert_eq!(body["applications"], json!(["Support line"]));
    let (status, body) = app.delete_json(&app.acls(&format!("{acl}/"))).await;
    assert_eq!(status, 409);
    assert!(
        error_message(&body).starts_with("This IP ACL is currently assigned to an application.")
    );

    // Narrowing the type drops the reference it no longer needs; ""
    // clears the assignment. Then what it used can go.
    let url = app.applications(&format!("{app_id}/"));
    let retype = |kind: &str| app.post_json(&url, json!({"sip_auth_type": kind}));
    assert_eq!(retype("ip_acl").await.0, 202);
    let (_, got) = json(app.get(&url).await).await;
    assert!(got["credential_uuid"].is_null());
    assert_eq!(app.delete(&app.credentials(&format!("{cred}/"))).await, 204);
    assert_eq!(retype("").await.0, 202);
    let (_, got) = json(app.get(&url).await).await;
    assert!(got["ip_acl_uuid"].is_null());
    assert_eq!(got["sip_auth_type"], "");
    assert_eq!(app.delete(&app.acls(&format!("{acl}/"))).await, 204);

    assert_eq!(app.delete(&url).await, 204);
    assert_eq!(app.delete(&url).await, 404);
}

#[tokio::test]
async fn application_input_is_checked() {
    let app = spawn_app().await;
    let cred = app.credential_id("pbx1").await;
    let other = app.other_account().await;
    let (_, theirs) = json(app.create_in(&other, "theirs").await).await;
    let theirs = field(&theirs, "credential_uuid");
    let cases = [
        (json!({}), "app_name", "required"),
        (
            json!({"app_name": "A", "answer_url": "ftp://x"}),
            "answer_url",
            "http",
        ),
        (
            json!({"app_name": "A", "sip_auth_type": "digest"}),
            "sip_auth_type",
            "\"digest\" is not one of them (rule: \"\", \"credential\", \"ip_acl\" or \"credential_and_ip_acl\")",
        ),
        (
            json!({"app_name": "A", "sip_auth_type": "credential"}),
            "credential_uuid",
            "needs a credential",
        ),
        (
            json!({"app_name": "A", "sip_auth_type": "ip_acl"}),
            "ip_acl_uuid",
            "needs an IP ACL",
        ),
        (
            json!({"app_name": "A", "sip_auth_type": "credential", "credential_uuid": "nope"}),
            "credential_uuid",
            "no credential",
        ),
        // Another account's credential is as good as missing.
        (
            json!({"app_name": "A", "sip_auth_type": "credential", "credential_uuid": theirs}),
            "credential_uuid",
            "no credential",
        ),
    ];
    for (body, field, fragment) in cases {
        assert_invalid(
            &app.post_json(&app.applications(""), body).await,
            field,
            fragment,
        );
    }
    let (status, _) = app
        .post_json(
            &app.applications(""),
            json!({"app_name": "ok", "sip_auth_type": "credential", "credential_uuid": cred}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, list) = json(app.get(&app.applications("")).await).await;
    assert_eq!(list["meta"]["total_count"], 1);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let app = TestApp::builder().rate_limit(5).spawn().await;
    for _ in 0..5 {
        assert_eq!(app.get(&app.credentials("")).await.status(), 200);
    }
    let r = app.get(&app.credentials("")).await;
    let message = too_many(r, 12).await;
    assert!(message.contains("too many requests"), "{message}");
    // Another account is not held back.
    let (other, token) = app.other_account().await;
    let url = app.url(&format!("/v1/Account/{other}/SipAuth/Credential/"));
    let r = app
        .send(Who::Account(&other, &token), Method::GET, &url, None)
        .await;
    assert_eq!(r.status(), 200);
}
