use crate::{
    assert_invalid, count, error_message, error_of, json, pluck, spawn_app, Who, SIP_DOMAIN,
};
use md5::{Digest, Md5};
use serde_json::json;

const PASSWORD: &str = "Xy7pQ2mLk9Rt4w";

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn create_returns_the_credential_and_stores_only_ha1() {
    let app = spawn_app().await;
    let (status, body) = json(app.create("sipuser1", PASSWORD).await).await;
    assert_eq!(status, 201, "{body}");
    let id = body["credential_uuid"].as_str().unwrap();
    let realm = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());
    assert_eq!(body["username"], "sipuser1");
    assert_eq!(body["realm"], realm);
    assert_eq!(
        body["resource_uri"],
        format!("/v1/Account/{}/SipAuth/Credential/{id}/", app.auth_id)
    );
    assert!(body["api_id"].is_string());
    assert!(body.get("password").is_none());

    let stored: String = app
        .scalar("SELECT ha1 FROM credentials WHERE id = $1", &[id])
        .await;
    assert_eq!(stored, md5_hex(&format!("sipuser1:{realm}:{PASSWORD}")));

    // Look for the password's bytes in every file of the store.
    for file in app.db_files().await {
        let bytes = crate::read_store_file(&file);
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "password found in {}",
            file.display()
        );
    }
}

#[tokio::test]
async fn realm_may_only_be_the_accounts_own() {
    let app = spawn_app().await;
    let own = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());
    let url = app.credentials("");
    let create = |username: &'static str, realm: String| {
        app.post_json(
            &url,
            json!({"username": username, "password": PASSWORD, "realm": realm}),
        )
    };
    // Its own realm, in any case, is fine.
    let (status, body) = create("alice", own.to_uppercase()).await;
    assert_eq!((status, body["realm"].as_str()), (201, Some(own.as_str())));

    // Another account's realm (the hijack: A's password for B's user) and
    // a realm nobody owns yet are refused, naming the field and the rule.
    let other = app.other_account().await;
    let theirs = format!("{}.{SIP_DOMAIN}", other.0.to_lowercase());
    for realm in [theirs.clone(), "pbx.example.com".to_string()] {
        let answer = create("1001", realm.clone()).await;
        assert_invalid(&answer, "realm", "not this account's realm");
        assert!(error_message(&answer.1).contains(&own), "{realm}");
    }
    assert_invalid(&create("bob", "bad realm".into()).await, "realm", "");

    // Nothing was written into B's realm: B's own 1001 is created, and
    // Kamailio's view holds only each account's users in its own realm.
    assert_eq!(app.create_in(&other, "1001").await.status(), 201);
    let rows = app
        .rows("SELECT username, domain FROM subscriber ORDER BY id")
        .await;
    assert_eq!(
        rows,
        [
            ("alice".to_string(), own.clone()),
            ("1001".to_string(), theirs)
        ]
    );
}

#[tokio::test]
async fn a_conflict_names_only_the_callers_own_credential() {
    let app = spawn_app().await;
    assert_eq!(app.create("sipuser1", PASSWORD).await.status(), 201);
    let (status, body) = json(app.create("sipuser1", PASSWORD).await).await;
    assert_eq!(status, 409);
    assert_eq!(
        error_message(&body),
        "a credential with username 'sipuser1' already exists in this account"
    );
    // Another account taking the same username learns nothing of the first.
    let other = app.other_account().await;
    assert_eq!(app.create_in(&other, "sipuser1").await.status(), 201);
}

#[tokio::test]
async fn invalid_fields_are_400_naming_the_field_and_rule() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"username": "ab", "password": PASSWORD}),
            "username",
            "2 characters",
        ),
        (
            json!({"username": "sip user", "password": PASSWORD}),
            "username",
            "a space",
        ),
        (
            json!({"username": "sipuser1", "password": "short1A"}),
            "password",
            "7 characters",
        ),
        (
            json!({"username": "sipuser1", "password": "alllowercase123"}),
            "password",
            "uppercase",
        ),
        (json!({"password": PASSWORD}), "username", "required"),
        (json!({"username": "sipuser1"}), "password", "required"),
        (
            json!({"username": 42, "password": PASSWORD}),
            "username",
            "must be a string",
        ),
    ];
    for (body, field, fragment) in cases {
        let answer = app.post_json(&app.credentials(""), body.clone()).await;
        assert_invalid(&answer, field, fragment);
        assert!(error_message(&answer.1).starts_with(field), "{body}");
    }
    // A rejected password is never echoed back.
    let (_, out) = json(app.create("sipuser1", "alllowercase123").await).await;
    assert!(!out.to_string().contains("alllowercase123"));
    let (_, list) = json(app.get(&app.credentials("")).await).await;
    assert_eq!(list["meta"]["total_count"], 0);
}

#[tokio::test]
async fn duplicate_username_is_409() {
    let app = spawn_app().await;
    assert_eq!(app.create("sipuser1", PASSWORD).await.status(), 201);
    let message = error_of(
        json(app.create("sipuser1", "Another-Pass-42").await).await,
        409,
    );
    assert!(message.contains("'sipuser1' already exists"), "{message}");
}

#[tokio::test]
async fn list_pages_with_limit_offset_and_meta() {
    let app = spawn_app().await;
    app.create_all((0..25).map(|i| format!("user{i:02}"))).await;
    let (status, body) = json(app.get(&app.credentials("")).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["limit"], 20);
    assert_eq!(body["meta"]["offset"], 0);
    assert_eq!(body["meta"]["total_count"], 25);
    assert!(body["meta"]["previous"].is_null());
    let next = body["meta"]["next"].as_str().unwrap();
    assert!(next.contains("limit=20&offset=20"), "{next}");
    let objects = body["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 20);
    assert_eq!(objects[0]["username"], "user00");

    let (_, page2) = json(app.get(&app.url(next)).await).await;
    let names = pluck(&page2["objects"], "username");
    assert_eq!(names, ["user20", "user21", "user22", "user23", "user24"]);
    assert!(page2["meta"]["next"].is_null());
    assert!(page2["meta"]["previous"]
        .as_str()
        .unwrap()
        .contains("offset=0"));

    let (_, small) = json(app.get(&app.credentials("?limit=5&offset=3")).await).await;
    assert_eq!(small["objects"][0]["username"], "user03");
    assert_eq!(small["objects"].as_array().unwrap().len(), 5);

    for bad in ["?limit=0", "?limit=21", "?limit=abc", "?offset=-1"] {
        let (status, body) = json(app.get(&app.credentials(bad)).await).await;
        assert_eq!(status, 400, "{bad}");
        let field = if bad.contains("limit") {
            "limit"
        } else {
            "offset"
        };
        assert_eq!(body["field"], field);
    }
}

#[tokio::test]
async fn list_filters_by_username_substring() {
    let app = spawn_app().await;
    let names = ["alice.desk", "bob.desk", "alice.mobile", "carol"];
    app.create_all(names.map(String::from)).await;
    let (_, body) = json(app.get(&app.credentials("?username=ALICE")).await).await;
    let names = pluck(&body["objects"], "username");
    assert_eq!(names, ["alice.desk", "alice.mobile"]);
    assert_eq!(body["meta"]["total_count"], 2);
    // LIKE wildcards in the search are taken literally.
    let (_, body) = json(app.get(&app.credentials("?username=%25")).await).await;
    assert_eq!(body["meta"]["total_count"], 0);
}

#[tokio::test]
async fn retrieve_update_delete() {
    let app = spawn_app().await;
    let (_, created) = json(app.create("sipuser1", PASSWORD).await).await;
    let id = created["credential_uuid"].as_str().unwrap();

    let (status, got) = json(app.get(&app.credentials(&format!("{id}/"))).await).await;
    assert_eq!(status, 200);
    assert_eq!(got["username"], "sipuser1");
    assert_eq!(got["credential_uuid"], id);
    // Without the trailing slash too.
    assert_eq!(app.get(&app.credentials(id)).await.status(), 200);

    let new_password = "Fresh-Passw0rd-2026";
    let url = app.credentials(&format!("{id}/"));
    let (status, body) = app.post_json(&url, json!({"password": new_password})).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["message"], "changed");
    let stored: String = app
        .scalar("SELECT ha1 FROM credentials WHERE id = $1", &[id])
        .await;
    let realm = created["realm"].as_str().unwrap();
    assert_eq!(stored, md5_hex(&format!("sipuser1:{realm}:{new_password}")));

    let weak = app.post_json(&url, json!({"password": "weak"})).await;
    assert_invalid(&weak, "password", "");
    let renamed = json!({"username": "renamed", "password": new_password});
    assert_invalid(&app.post_json(&url, renamed).await, "username", "");

    assert_eq!(app.delete(&url).await, 204);
    assert_eq!(
        error_of(json(app.get(&url).await).await, 404),
        "credential not found"
    );
    assert_eq!(app.delete(&url).await, 404);
}

#[tokio::test]
async fn another_accounts_credentials_look_missing() {
    let app = spawn_app().await;
    let (_, created) = json(app.create("sipuser1", PASSWORD).await).await;
    let id = created["credential_uuid"].as_str().unwrap();
    let other = app.other_account().await;
    let url = app.url(&format!("/v1/Account/{}/SipAuth/Credential/{id}/", other.0));
    for method in [
        reqwest::Method::GET,
        reqwest::Method::DELETE,
        reqwest::Method::POST,
    ] {
        let as_other = Who::Account(&other.0, &other.1);
        let body = json!({"password": "Fresh-Passw0rd-2026"});
        let r = app.send(as_other, method.clone(), &url, Some(&body)).await;
        let (status, body) = json(r).await;
        assert_eq!(status, 404, "{method}");
        assert_eq!(error_message(&body), "credential not found");
    }
    // The same username in the other account is fine: realms differ.
    assert_eq!(app.create_in(&other, "sipuser1").await.status(), 201);
    // And the first account's credential is untouched.
    assert_eq!(
        app.get(&app.credentials(&format!("{id}/"))).await.status(),
        200
    );
}

#[tokio::test]
async fn authentication_is_required_and_checked() {
    let app = spawn_app().await;
    let url = app.credentials("");
    let none = app.get_anonymous(&url).await;
    assert_eq!(none.status(), 401);
    assert!(none.headers().get("www-authenticate").is_some());
    error_message(&json(none).await.1);

    let wrong = Who::Account(&app.auth_id, "wrong-token");
    let r = app.send(wrong, reqwest::Method::GET, &url, None).await;
    assert_eq!(r.status(), 401);
    // A valid token used for another account's path is refused.
    let (other, _) = app.other_account().await;
    let theirs = app.url(&format!("/v1/Account/{other}/SipAuth/Credential/"));
    assert_eq!(app.get(&theirs).await.status(), 401);
    // The console's requests never trigger the browser's Basic prompt.
    let r = app
        .client
        .get(&url)
        .header("X-Requested-With", "sipauth-console")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_none());
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_the_api_error_shape() {
    let app = spawn_app().await;
    let send = |body: Vec<u8>| {
        app.client
            .post(app.credentials(""))
            .basic_auth(&app.auth_id, Some(&app.token))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let message = error_of(
        json(send(b"{\"username\": ".to_vec()).await.unwrap()).await,
        400,
    );
    assert!(message.contains("not valid JSON"), "{message}");
    let message = error_of(json(send(b"[1, 2]".to_vec()).await.unwrap()).await, 400);
    assert!(message.contains("JSON object"), "{message}");
    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(100_000));
    let message = error_of(json(send(big.into_bytes()).await.unwrap()).await, 413);
    assert!(message.contains("too large"), "{message}");
    error_of(
        json(app.get(&app.url("/v1/Account/x/Nothing/")).await).await,
        404,
    );
}

#[tokio::test]
async fn quota_of_200_credentials() {
    let app = spawn_app().await;
    app.create_all((0..200).map(|i| format!("user{i:03}")))
        .await;
    let message = error_of(json(app.create("user200", PASSWORD).await).await, 400);
    assert!(
        message.contains("quota") && message.contains("200"),
        "{message}"
    );
}

#[tokio::test]
async fn racing_creates_respect_quota_and_uniqueness() {
    let app = spawn_app().await;
    app.create_all((0..180).map(|i| format!("seed{i:03}")))
        .await;
    // 50 distinct usernames race for the last 20 places.
    let statuses = app
        .race(
            &app.credentials(""),
            50,
            |i| json!({"username": format!("race{i:02}"), "password": PASSWORD}),
        )
        .await;
    assert_eq!(count(&statuses, 201), 20);
    assert_eq!(count(&statuses, 400), 30);
    let (_, body) = json(app.get(&app.credentials("")).await).await;
    assert_eq!(body["meta"]["total_count"], 200);
}

#[tokio::test]
async fn racing_duplicates_create_one() {
    let app = spawn_app().await;
    let statuses = app
        .race(
            &app.credentials(""),
            50,
            |_| json!({"username": "same.user", "password": PASSWORD}),
        )
        .await;
    assert_eq!(count(&statuses, 201), 1);
    assert_eq!(count(&statuses, 409), 49);
}

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let app = spawn_app().await;
    app.create_all((0..20).map(|i| format!("user{i:02}"))).await;
    let r = app
        .client
        .get(app.credentials(""))
        .basic_auth(&app.auth_id, Some(&app.token))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let plain = app.get(&app.credentials("")).await;
    assert!(plain.headers().get("content-encoding").is_none());
}

/// One trailing-slash policy for every route: plivo documents the slash,
/// clients drop it, and both reach the same resource.
#[tokio::test]
async fn paths_answer_the_same_with_or_without_the_trailing_slash() {
    let app = spawn_app().await;
    let (status, created) = json(app.create("slash.user", "Correct-Horse-9").await).await;
    assert_eq!(status, 201, "{created}");
    let id = created["credential_uuid"].as_str().unwrap();
    for list in [
        app.credentials(""),
        app.credentials("").trim_end_matches('/').to_string(),
    ] {
        let (status, body) = json(app.get(&list).await).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(body["objects"][0]["username"], "slash.user", "{list}");
    }
    for one in [app.credentials(&format!("{id}/")), app.credentials(id)] {
        let (status, body) = json(app.get(&one).await).await;
        assert_eq!(
            (status, body["username"].as_str()),
            (200, Some("slash.user")),
            "{one}"
        );
    }
    let missing = app.credentials("no-such-id/");
    assert_eq!(app.get(&missing).await.status(), 404);
}

/// A list filter is bounded: past 200 characters it is 400 naming the
/// parameter (a 50,000-character one once reached SQLite and came back 500;
/// a request line that long is now 414), in every list.
#[tokio::test]
async fn an_overlong_filter_is_refused_naming_it() {
    let app = spawn_app().await;
    let long = "a%".repeat(500);
    for (path, name) in [
        ("SipAuth/Credential/", "username"),
        ("SipAuth/IpAccessControlList/", "name"),
        // Found by Schemathesis: these two took any length.
        ("Application/", "credential_uuid"),
        ("Application/", "ip_acl_uuid"),
    ] {
        let url = app.url(&format!("/v1/Account/{}/{path}?{name}={long}", app.auth_id));
        let (status, body) = json(app.get(&url).await).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["field"], name);
        assert!(
            error_message(&body).contains("at most 200 characters"),
            "{body}"
        );
    }
}
