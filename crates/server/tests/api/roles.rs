//! Operators with roles and account scopes: what each may do in every
//! dialect, and the admin's Operators routes.

use crate::{json, spawn_app, TestApp, OPERATOR_PASSWORD};
use reqwest::{Client, Method};
use serde_json::{json, Value};
use sipauth_server::service::Role;
use sipauth_server::{secrets, store};

pub const VIEWER_REFUSED: &str = "this needs the editor role; you are a viewer";

/// The four dialects' routes of one account.
#[derive(Clone, Copy, Debug)]
pub enum Dialect {
    Plivo,
    Zentrunk,
    Twilio,
    Vobiz,
}

pub const DIALECTS: [Dialect; 4] = [
    Dialect::Plivo,
    Dialect::Zentrunk,
    Dialect::Twilio,
    Dialect::Vobiz,
];

/// How a request is signed.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    /// The client's session cookie, with this CSRF token.
    Session(&'a str),
    /// Basic auth (or vobiz's X-Auth headers) with this id and secret.
    Basic(&'a str, &'a str),
}

/// A list (`n: None`) or a create of something named after `n`, in
/// `account`'s routes of `dialect`: status and JSON body.
pub async fn call(
    app: &TestApp,
    client: &Client,
    dialect: Dialect,
    account: &str,
    n: Option<usize>,
    auth: Auth<'_>,
) -> (u16, Value) {
    let path = match dialect {
        Dialect::Plivo => format!("/v1/Account/{account}/SipAuth/Credential/"),
        Dialect::Zentrunk => format!("/v1/Account/{account}/Zentrunk/Credential/"),
        Dialect::Twilio => format!("/2010-04-01/Accounts/{account}/SIP/CredentialLists.json"),
        Dialect::Vobiz => format!("/api/v1/account/{account}/credentials"),
    };
    let method = if n.is_some() {
        Method::POST
    } else {
        Method::GET
    };
    let mut request = client.request(method, app.url(&path));
    if let Some(n) = n {
        request = match dialect {
            Dialect::Twilio => request.form(&[("FriendlyName", format!("list{n}"))]),
            _ => {
                request.json(&json!({"username": format!("user{n}"), "password": "Xy7pQ2mLk9Rt4w"}))
            }
        };
    }
    request = match (auth, dialect) {
        (Auth::Session(csrf), _) => request.header("X-CSRF-Token", csrf),
        (Auth::Basic(id, secret), Dialect::Vobiz) => request
            .header("X-Auth-ID", id)
            .header("X-Auth-Token", secret),
        (Auth::Basic(id, secret), _) => request.basic_auth(id, Some(secret)),
    };
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An error answer's message in the dialect's shape (twilio: `message`,
/// with code 20403 on a 403).
pub fn message_of(dialect: Dialect, (status, body): &(u16, Value)) -> String {
    let key = match dialect {
        Dialect::Twilio => {
            if *status == 403 {
                assert_eq!(body["code"], 20403, "{body}");
            }
            "message"
        }
        _ => "error",
    };
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{dialect:?}: no {key} in {body}"))
        .to_string()
}

/// Adds an operator with [`OPERATOR_PASSWORD`].
pub async fn add(app: &TestApp, name: &str, role: Role, accounts: Option<&[&str]>) {
    let hash = secrets::hash_password(OPERATOR_PASSWORD);
    let scope = accounts.map(|a| a.iter().map(|s| s.to_string()).collect());
    let mut tx = app.db.transaction(None).await.unwrap();
    assert!(
        store::operators::insert(tx.conn(), name, &hash, role, &scope)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

/// A signed-in operator: its own cookie jar and CSRF token.
pub struct Op {
    pub client: Client,
    pub csrf: String,
    /// The sign-in's answer.
    pub session: Value,
}

pub async fn sign_in(app: &TestApp, name: &str, password: &str) -> (u16, Op) {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let r = client
        .post(app.url("/console/session"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    let (status, session) = json(r).await;
    let csrf = session["csrf_token"].as_str().unwrap_or("").to_string();
    (
        status,
        Op {
            client,
            csrf,
            session,
        },
    )
}

/// Signs `name` in with [`OPERATOR_PASSWORD`], which must work.
pub async fn signed_in(app: &TestApp, name: &str) -> Op {
    let (status, op) = sign_in(app, name, OPERATOR_PASSWORD).await;
    assert_eq!(status, 200, "{}", op.session);
    op
}

impl Op {
    /// A console request with the session and its CSRF token.
    pub async fn send(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, app.url(path))
            .header("X-CSRF-Token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn call(
        &self,
        app: &TestApp,
        d: Dialect,
        account: &str,
        n: Option<usize>,
    ) -> (u16, Value) {
        call(app, &self.client, d, account, n, Auth::Session(&self.csrf)).await
    }
}

#[tokio::test]
async fn a_viewer_reads_every_dialect_and_writes_none_an_editor_writes() {
    let app = spawn_app().await;
    add(&app, "vera", Role::Viewer, None).await;
    add(&app, "eddie", Role::Editor, None).await;
    let viewer = signed_in(&app, "vera").await;
    assert_eq!(viewer.session["role"], "viewer");
    let editor = signed_in(&app, "eddie").await;
    let a = app.auth_id.as_str();
    for (i, d) in DIALECTS.into_iter().enumerate() {
        assert_eq!(viewer.call(&app, d, a, None).await.0, 200, "{d:?}");
        let refused = viewer.call(&app, d, a, Some(i)).await;
        assert_eq!(refused.0, 403, "{d:?}: {}", refused.1);
        assert_eq!(message_of(d, &refused), VIEWER_REFUSED, "{d:?}");
        let made = editor.call(&app, d, a, Some(i)).await;
        assert_eq!(made.0, 201, "{d:?}: {}", made.1);
    }
    // Nothing the viewer tried was made: the editor's three credentials.
    let (_, listed) = viewer.call(&app, Dialect::Plivo, a, None).await;
    assert_eq!(listed["meta"]["total_count"], 3, "{listed}");
}

/// A 404 body with the account's id and the answer's random id taken out.
fn without(account: &str, (status, mut body): (u16, Value)) -> (u16, String) {
    body.as_object_mut().unwrap().remove("api_id");
    (status, body.to_string().replace(account, "ACCOUNT"))
}

#[tokio::test]
async fn an_operator_scoped_to_one_account_finds_no_other() {
    let app = spawn_app().await;
    let (b, _) = app.other_account().await;
    let a = app.auth_id.clone();
    add(&app, "scoped", Role::Editor, Some(&[&a])).await;
    let op = signed_in(&app, "scoped").await;
    assert_eq!(op.session["all_accounts"], false);
    assert_eq!(op.session["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(op.session["accounts"][0]["auth_id"], a.as_str());
    let nobody = "MANOSUCHACCOUNT00009";
    for (i, d) in DIALECTS.into_iter().enumerate() {
        assert_eq!(op.call(&app, d, &a, None).await.0, 200, "{d:?}");
        for n in [None, Some(i)] {
            let other = without(&b, op.call(&app, d, &b, n).await);
            let unknown = without(nobody, op.call(&app, d, nobody, n).await);
            assert_eq!(other.0, 404, "{d:?} {n:?}: {}", other.1);
            // Nothing tells an account outside the scope from none at all.
            assert_eq!(other, unknown, "{d:?} {n:?}");
        }
    }
    // An admin of every account reaches both, oldest first in its session.
    app.add_operator().await;
    let admin = signed_in(&app, "ops").await;
    assert_eq!(admin.session["role"], "admin");
    assert_eq!(admin.session["all_accounts"], true);
    let ids: Vec<&str> = admin.session["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["auth_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!(
        admin.session["accounts"][0]["realm"],
        format!("{}.{}", a.to_lowercase(), crate::SIP_DOMAIN)
    );
    assert_eq!(admin.call(&app, Dialect::Twilio, &b, None).await.0, 200);
    // The session body reads the same on GET.
    let (status, me) = admin
        .send(&app, Method::GET, "/console/session", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(me, admin.session);
}

/// Asserts a refusal: status, field and a fragment of the message.
fn refused((status, body): &(u16, Value), expect: u16, field: &str, fragment: &str) {
    assert_eq!(*status, expect, "{body}");
    assert_eq!(body["field"], field, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains(fragment), "{message}");
}

#[tokio::test]
async fn an_admin_manages_operators_never_the_last_admin_nor_itself() {
    let app = spawn_app().await;
    app.add_operator().await;
    let admin = signed_in(&app, "ops").await;
    let a = app.auth_id.clone();
    let send = |method, path: &'static str, body| admin.send(&app, method, path, body);

    // Created with a typed password: none comes back.
    let (status, made) = send(
        Method::POST,
        "/console/operators",
        Some(json!({"username": "eddie", "role": "editor", "accounts": [a, a], "password": "Editor-Pass-2026"})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["password"], Value::Null);
    assert_eq!(made["operator"]["role"], "editor");
    assert_eq!(made["operator"]["accounts"], json!([a]));
    assert_eq!(made["operator"]["disabled"], false);
    assert_eq!(made["operator"]["last_sign_in_at"], Value::Null);
    // Without one, a generated password is shown once, and signs in.
    let (status, made) = send(
        Method::POST,
        "/console/operators",
        Some(json!({"username": "vera@example.com", "role": "viewer", "accounts": null})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let generated = made["password"].as_str().unwrap().to_string();
    assert!(sipauth_model::Password::parse(&generated).is_ok());
    let (status, vera) = sign_in(&app, "vera@example.com", &generated).await;
    assert_eq!(status, 200);
    assert_eq!(vera.session["all_accounts"], true);

    // Refusals name their field.
    let create = |body: Value| send(Method::POST, "/console/operators", Some(body));
    refused(
        &create(json!({"username": "eddie", "role": "viewer"})).await,
        409,
        "username",
        "already exists",
    );
    refused(
        &create(json!({"username": "has space", "role": "viewer"})).await,
        400,
        "username",
        "a space is not allowed",
    );
    refused(
        &create(json!({"username": "x".repeat(65), "role": "viewer"})).await,
        400,
        "username",
        "65 characters",
    );
    refused(
        &create(json!({"username": "boss", "role": "owner"})).await,
        400,
        "role",
        "not a role",
    );
    refused(
        &create(json!({"username": "lost", "role": "viewer", "accounts": ["MANOSUCH"]})).await,
        400,
        "accounts",
        "no account MANOSUCH",
    );
    refused(
        &create(json!({"username": "idle", "role": "viewer", "accounts": []})).await,
        400,
        "accounts",
        "at least one account",
    );
    let many: Vec<String> = (0..501).map(|i| format!("MA{i}")).collect();
    refused(
        &create(json!({"username": "many", "role": "viewer", "accounts": many})).await,
        400,
        "accounts",
        "at most 500",
    );
    refused(
        &create(json!({"username": "weak", "role": "viewer", "password": "short"})).await,
        400,
        "password",
        "12–128",
    );
    // Writes need the session's CSRF token.
    let r = admin
        .client
        .post(app.url("/console/operators"))
        .json(&json!({"username": "nocsrf", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Only admins manage operators.
    let editor = signed_in_as(&app, "eddie", "Editor-Pass-2026").await;
    let (status, body) = editor
        .send(&app, Method::GET, "/console/operators", None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"],
        "this needs the admin role; you are an editor"
    );
    let (status, _) = vera
        .send(&app, Method::DELETE, "/console/operators/eddie", None)
        .await;
    assert_eq!(status, 403);

    // The last admin stays one, and an admin cannot disable or delete itself.
    let patch = |path: &'static str, body: Value| admin.send(&app, Method::PATCH, path, Some(body));
    let (ops, eddie) = ("/console/operators/ops", "/console/operators/eddie");
    refused(
        &patch(ops, json!({"role": "editor"})).await,
        409,
        "role",
        "the last admin",
    );
    refused(
        &patch(ops, json!({"disabled": true})).await,
        409,
        "disabled",
        "you cannot disable yourself",
    );
    refused(
        &send(Method::DELETE, "/console/operators/ops", None).await,
        409,
        "username",
        "you cannot delete yourself",
    );
    // With a second admin, the first may step down; the last one may not
    // be deleted by anyone.
    let (status, changed) = patch(eddie, json!({"role": "admin", "accounts": null})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["operator"]["accounts"], Value::Null);
    let (status, _) = patch(ops, json!({"role": "viewer"})).await;
    assert_eq!(status, 200);
    let (status, body) = editor
        .send(&app, Method::DELETE, "/console/operators/ops", None)
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = editor
        .send(&app, Method::DELETE, "/console/operators/eddie", None)
        .await;
    refused(&(status, body), 409, "username", "yourself");
    // ops's session ended with it.
    let (status, _) = admin
        .send(&app, Method::GET, "/console/session", None)
        .await;
    assert_eq!(status, 401);
    let (status, listed) = editor
        .send(&app, Method::GET, "/console/operators", None)
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["eddie", "vera@example.com"]);
    assert!(listed["operators"][0]["last_sign_in_at"].is_string());
    let (status, _) = editor
        .send(
            &app,
            Method::PATCH,
            "/console/operators/nobody",
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, 404);

    // Each change has its one audit record, by its admin, with no secret.
    let rows: Vec<(String, String, String, Option<String>)> = app
        .select(
            "SELECT actor, action, resource_id, changes FROM audit_log WHERE resource = 'operator' ORDER BY seq",
            &[],
        )
        .await;
    let actions: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(actor, action, id, _)| (actor.as_str(), action.as_str(), id.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("operator:ops", "created", "eddie"),
            ("operator:ops", "created", "vera@example.com"),
            ("operator:ops", "changed", "eddie"),
            ("operator:ops", "changed", "ops"),
            ("operator:eddie", "deleted", "ops"),
        ]
    );
    let demoted: Value = serde_json::from_str(rows[3].3.as_deref().unwrap()).unwrap();
    assert_eq!(
        demoted,
        json!({"role": {"before": "admin", "after": "viewer"}})
    );
    for (.., changes) in &rows {
        let changes = changes.as_deref().unwrap_or("");
        assert!(!changes.contains(&generated) && !changes.contains("Editor-Pass-2026"));
    }
}

async fn signed_in_as(app: &TestApp, name: &str, password: &str) -> Op {
    let (status, op) = sign_in(app, name, password).await;
    assert_eq!(status, 200, "{}", op.session);
    op
}

#[tokio::test]
async fn a_password_reset_or_a_disable_ends_the_operators_sessions() {
    let app = spawn_app().await;
    app.add_operator().await;
    add(&app, "eddie", Role::Editor, None).await;
    let admin = signed_in(&app, "ops").await;
    let eddie = signed_in(&app, "eddie").await;
    let a = app.auth_id.clone();
    assert_eq!(eddie.call(&app, Dialect::Plivo, &a, None).await.0, 200);

    // A reset ends eddie's session: the old cookie is 401 everywhere.
    let (status, reset) = admin
        .send(
            &app,
            Method::POST,
            "/console/operators/eddie/password",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{reset}");
    let new_password = reset["password"].as_str().unwrap().to_string();
    assert!(sipauth_model::Password::parse(&new_password).is_ok());
    assert_eq!(
        eddie
            .send(&app, Method::GET, "/console/session", None)
            .await
            .0,
        401
    );
    assert_eq!(eddie.call(&app, Dialect::Twilio, &a, None).await.0, 401);
    assert_eq!(sign_in(&app, "eddie", OPERATOR_PASSWORD).await.0, 401);
    let eddie = signed_in_as(&app, "eddie", &new_password).await;
    // A typed one is checked against the rule, and not shown back.
    let (status, body) = admin
        .send(
            &app,
            Method::POST,
            "/console/operators/eddie/password",
            Some(json!({"password": "weak"})),
        )
        .await;
    refused(&(status, body), 400, "password", "12–128");
    let (status, body) = admin
        .send(
            &app,
            Method::POST,
            "/console/operators/ops/password",
            Some(json!({"password": "Admin-Pass-2027"})),
        )
        .await;
    assert_eq!((status, &body["password"]), (200, &Value::Null));
    // Its own reset keeps the admin's session.
    assert_eq!(
        admin
            .send(&app, Method::GET, "/console/session", None)
            .await
            .0,
        200
    );

    // Disabled: its session ends and it cannot sign in, as with a wrong
    // password.
    let (status, body) = admin
        .send(
            &app,
            Method::PATCH,
            "/console/operators/eddie",
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!((status, &body["operator"]["disabled"]), (200, &json!(true)));
    assert_eq!(eddie.call(&app, Dialect::Vobiz, &a, None).await.0, 401);
    let (status, op) = sign_in(&app, "eddie", &new_password).await;
    assert_eq!(status, 401);
    assert_eq!(op.session["error"], "wrong username or password");
    // Enabled again, it signs in.
    let (status, _) = admin
        .send(
            &app,
            Method::PATCH,
            "/console/operators/eddie",
            Some(json!({"disabled": false})),
        )
        .await;
    assert_eq!(status, 200);
    signed_in_as(&app, "eddie", &new_password).await;
    let resets: i64 = app
        .scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'password-reset' AND changes = '{\"password\":{\"after\":\"changed\"}}'",
            &[],
        )
        .await;
    assert_eq!(resets, 2);
}
