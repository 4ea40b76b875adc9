//! The same rule through every dialect: a credential an application uses
//! cannot be deleted (409 in each dialect's shape, naming the application),
//! and the account's credential quota holds whichever dialect creates.

use crate::{field, json, spawn_app, TestApp, Who};
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_model::quota;

const PASSWORD: &str = "Cross-Dialect-Passw0rd-1";

impl TestApp {
    /// A request to `path` as this account: status and JSON body.
    async fn at(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        json(
            self.send(Who::Me, method, &self.url(path), body.as_ref())
                .await,
        )
        .await
    }

    async fn twilio_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        json(self.post_form(Who::Me, &self.url(path), form).await).await
    }

    /// A new twilio credential list's SID.
    async fn twilio_list(&self, name: &str) -> String {
        let path = format!(
            "/2010-04-01/Accounts/{}/SIP/CredentialLists.json",
            self.auth_id
        );
        let (status, list) = self.twilio_form(&path, &[("FriendlyName", name)]).await;
        assert_eq!(status, 201, "{list}");
        field(&list, "sid")
    }
}

/// Assigns the credential `id` to a new plivo application named `name`.
async fn assign(app: &TestApp, id: &str, name: &str) {
    let (status, body) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{}/Application/", app.auth_id),
            Some(json!({"app_name": name, "sip_auth_type": "credential", "credential_uuid": id})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn no_dialect_deletes_a_credential_an_application_uses() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    let plivo = format!("/v1/Account/{a}/SipAuth/Credential/");
    let desk = json!({"username": "desk", "password": PASSWORD});
    let (_, made) = app.at(Method::POST, &plivo, Some(desk)).await;
    let id = field(&made, "credential_uuid");
    assign(&app, &id, "Front desk").await;

    // plivo, zentrunk and vobiz: plivo's shape with the seed's message and
    // the applications.
    for path in [
        format!("{plivo}{id}/"),
        format!("/v1/Account/{a}/Zentrunk/Credential/{id}/"),
        format!("/api/v1/account/{a}/credentials/{id}"),
    ] {
        let (status, body) = app.at(Method::DELETE, &path, None).await;
        assert_eq!(status, 409, "{path}: {body}");
        assert_eq!(body["applications"], json!(["Front desk"]), "{path}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("assigned to an application"),
            "{path}"
        );
    }

    // twilio: a credential of a list, used by an application, cannot be
    // deleted, nor can its list; Twilio's shape names the application.
    let twilio = format!("/2010-04-01/Accounts/{a}/SIP");
    let cl = app.twilio_list("Phones").await;
    let (_, cred) = app
        .twilio_form(
            &format!("{twilio}/CredentialLists/{cl}/Credentials.json"),
            &[("Username", "lobby"), ("Password", PASSWORD)],
        )
        .await;
    let cr = cred["sid"].as_str().unwrap().to_string();
    assign(&app, &cr, "Lobby").await;
    for path in [
        format!("{twilio}/CredentialLists/{cl}/Credentials/{cr}.json"),
        format!("{twilio}/CredentialLists/{cl}.json"),
    ] {
        let (status, body) = app.at(Method::DELETE, &path, None).await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (409, Some(20409)),
            "{path}: {body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("application(s) Lobby"), "{message}");
    }
    // The same credential through plivo's path: 409 too.
    let (status, _) = app.at(Method::DELETE, &format!("{plivo}{cr}/"), None).await;
    assert_eq!(status, 409);
    // Nothing was deleted.
    for path in [
        format!("{twilio}/CredentialLists/{cl}/Credentials/{cr}.json"),
        format!("{plivo}{id}/"),
    ] {
        assert_eq!(app.at(Method::GET, &path, None).await.0, 200, "{path}");
    }
}

#[tokio::test]
async fn the_credential_quota_holds_in_every_dialect() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    app.create_all((0..quota::CREDENTIALS_PER_ACCOUNT).map(|i| format!("user{i:03}")))
        .await;
    let twilio = format!("/2010-04-01/Accounts/{a}/SIP");
    let cl = app.twilio_list("Full").await;

    let one_more = json!({"username": "one.more", "password": PASSWORD, "name": "One more"});
    for path in [
        format!("/v1/Account/{a}/SipAuth/Credential/"),
        format!("/v1/Account/{a}/Zentrunk/Credential/"),
        format!("/api/v1/account/{a}/credentials"),
    ] {
        let (status, body) = app.at(Method::POST, &path, Some(one_more.clone())).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("quota"),
            "{path}: {body}"
        );
    }
    let (status, body) = app
        .twilio_form(
            &format!("{twilio}/CredentialLists/{cl}/Credentials.json"),
            &[("Username", "one.more"), ("Password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (400, Some(20002)),
        "{body}"
    );
    // Still exactly the quota.
    let count: i64 = app.scalar("SELECT count(*) FROM credentials", &[]).await;
    assert_eq!(count, quota::CREDENTIALS_PER_ACCOUNT);
}

/// Another account's in-use credential, ACL or list looks missing in every
/// dialect: 404, and nothing of that account (no application names, not
/// even that the id exists) in the answer.
#[tokio::test]
async fn another_accounts_in_use_resources_look_missing_everywhere() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    let (status, made) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/SipAuth/Credential/"),
            Some(json!({"username": "secret.desk", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = field(&made, "credential_uuid");
    assign(&app, &id, "Private Application Name").await;
    let (_, acl) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/SipAuth/IpAccessControlList/"),
            Some(json!({"name": "Office"})),
        )
        .await;
    let acl = field(&acl, "ip_acl_uuid");
    let (status, body) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/Application/"),
            Some(json!({"app_name": "Private Gateway", "sip_auth_type": "ip_acl", "ip_acl_uuid": acl})),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let (b, token) = app.other_account().await;
    let as_b = Who::Account(&b, &token);
    for path in [
        format!("/v1/Account/{b}/SipAuth/Credential/{id}/"),
        format!("/v1/Account/{b}/Zentrunk/Credential/{id}/"),
        format!("/api/v1/account/{b}/credentials/{id}"),
        format!("/v1/Account/{b}/SipAuth/IpAccessControlList/{acl}/"),
        format!("/2010-04-01/Accounts/{b}/SIP/IpAccessControlLists/{acl}.json"),
    ] {
        let r = app.send(as_b, Method::DELETE, &app.url(&path), None).await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, 404, "{path}: {text}");
        assert!(!text.contains("Private"), "{path} leaked: {text}");
    }
}

/// Every resource has a quota, held when creates race: exactly the quota
/// lands and the rest are refused in the dialect's shape, naming the limit.
#[tokio::test]
async fn applications_trunks_lists_and_domains_have_race_safe_quotas() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    let (_, made) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/SipAuth/Credential/"),
            Some(json!({"username": "trunk.user", "password": PASSWORD})),
        )
        .await;
    let credential = field(&made, "credential_uuid");
    let extra = 5;
    let json_cases = [
        (
            format!("/v1/Account/{a}/Application/"),
            quota::APPLICATIONS_PER_ACCOUNT,
            "application quota reached",
        ),
        (
            format!("/v1/Account/{a}/Zentrunk/Trunk/"),
            quota::TRUNKS_PER_ACCOUNT,
            "trunk quota reached",
        ),
    ];
    for (url, max, words) in json_cases {
        let statuses = app
            .race(&app.url(&url), max as usize + extra, |i| {
                json!({"app_name": format!("App {i}"), "sip_auth_type": "",
                       "name": format!("Trunk {i}"), "trunk_direction": "outbound",
                       "credential_uuid": credential})
            })
            .await;
        let landed = statuses.iter().filter(|s| **s == 201).count();
        assert_eq!(landed, max as usize, "{url}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 400).count(), extra);
        let (status, body) = app
            .at(
                Method::POST,
                &url,
                Some(json!({"app_name": "One more", "sip_auth_type": "",
                "name": "One more", "trunk_direction": "outbound", "credential_uuid": credential})),
            )
            .await;
        assert_eq!(status, 400);
        let message = body["error"].as_str().unwrap();
        assert!(
            message.contains(words) && message.contains(&max.to_string()),
            "{message}"
        );
    }
    let realm = format!("{}.{}", a.to_lowercase(), crate::SIP_DOMAIN);
    let twilio = |what: &str| format!("/2010-04-01/Accounts/{a}/SIP/{what}.json");
    for (what, max, noun) in [
        (
            "CredentialLists",
            quota::CREDENTIAL_LISTS_PER_ACCOUNT,
            "credential lists",
        ),
        ("Domains", quota::DOMAINS_PER_ACCOUNT, "domains"),
    ] {
        let forms = (0..max + extra as i64).map(|i| {
            let name = format!("d{i}.{realm}");
            vec![
                ("FriendlyName".to_string(), format!("Item {i}")),
                ("DomainName".to_string(), name),
            ]
        });
        let racers: Vec<_> = forms
            .map(|form| {
                let (client, url) = (app.client.clone(), app.url(&twilio(what)));
                let (id, token) = (app.auth_id.clone(), app.token.clone());
                tokio::spawn(async move {
                    let r = client.post(url).basic_auth(id, Some(token)).form(&form);
                    let r = r.send().await.unwrap();
                    (r.status().as_u16(), r.json::<Value>().await.unwrap())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for r in racers {
            answers.push(r.await.unwrap());
        }
        let landed = answers.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(landed, max as usize, "{what}");
        let refused: Vec<_> = answers.iter().filter(|(s, _)| *s == 400).collect();
        assert_eq!(refused.len(), extra, "{what}");
        let message = refused[0].1["message"].as_str().unwrap();
        assert_eq!(refused[0].1["code"], 20002, "{message}");
        assert!(message.contains(&format!("{max} {noun}")), "{message}");
    }
}

/// A name that reads as another (a right-to-left override, a zero-width
/// space) is refused in every dialect, naming the field and the character.
#[tokio::test]
async fn names_with_invisible_characters_are_refused_everywhere() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    let (status, body) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/SipAuth/IpAccessControlList/"),
            Some(json!({"name": "Office\u{202E}gnp.exe"})),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (400, Some("name")),
        "{body}"
    );
    assert!(body["error"].as_str().unwrap().contains("U+202E"), "{body}");
    let path = format!("/2010-04-01/Accounts/{a}/SIP/CredentialLists.json");
    let (status, body) = app
        .twilio_form(&path, &[("FriendlyName", "Desk\u{200B}phones")])
        .await;
    assert_eq!(status, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("FriendlyName:") && message.contains("U+200B"),
        "{message}"
    );
}

/// Errors of the HTTP layer come in each dialect's own shape too: a method
/// a path does not take (405), a body over the limit (413) and a request
/// line over it (414).
#[tokio::test]
async fn methods_and_oversized_bodies_are_answered_in_each_dialects_shape() {
    let app = spawn_app().await;
    let a = app.auth_id.clone();
    for path in [
        format!("/v1/Account/{a}/SipAuth/Credential/"),
        format!("/api/v1/account/{a}/credentials"),
    ] {
        let (status, body) = app.at(Method::PUT, &path, None).await;
        assert_eq!(status, 405, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let lists = format!("/2010-04-01/Accounts/{a}/SIP/CredentialLists.json");
    let (status, body) = app.at(Method::DELETE, &lists, None).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (405, Some(20004)),
        "{body}"
    );
    let huge = "x".repeat(100 * 1024);
    let (status, body) = app.twilio_form(&lists, &[("FriendlyName", &huge)]).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (413, Some(20413)),
        "{body}"
    );
    let (status, body) = app
        .at(
            Method::POST,
            &format!("/v1/Account/{a}/SipAuth/Credential/"),
            Some(json!({"username": huge})),
        )
        .await;
    assert_eq!(status, 413);
    assert!(
        body["error"].as_str().unwrap().contains("too large"),
        "{body}"
    );
}
