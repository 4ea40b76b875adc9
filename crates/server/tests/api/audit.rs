//! The audit log: one record per change in the change's own transaction,
//! through every dialect; sign-ins; never a secret; append-only; retention;
//! `GET /console/audit` (filters, paging, CSV, NDJSON, scope); and a kill -9
//! in the middle of many creates.

use crate::{field, json, spawn_app, TestApp, Who, OPERATOR_PASSWORD, SIP_DOMAIN};
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_server::sql::q;
use sipauth_server::store;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const SID_TOKEN: &str = "twilio-token-0123456789abcdef";
const AS_TWILIO: Who = Who::Account(SID, SID_TOKEN);

/// Every record, oldest first, as the endpoint shows them.
async fn records(app: &TestApp) -> Vec<Value> {
    let rows: Vec<store::audit::Record> = app
        .select(
            "SELECT seq, at, actor, role, source, user_agent, dialect, account_id, action, resource,
                    resource_id, parent_id, name, changes, batch FROM audit_log ORDER BY seq",
            &[],
        )
        .await;
    rows.into_iter()
        .map(sipauth_server::activity::shown)
        .collect()
}

/// (dialect, resource, action, name) of each record from the `from`th on.
fn summary(records: &[Value]) -> Vec<(String, String, String, String)> {
    let s = |r: &Value, k: &str| r[k].as_str().unwrap_or("").to_string();
    records
        .iter()
        .map(|r| {
            (
                s(r, "dialect"),
                s(r, "resource"),
                s(r, "action"),
                s(r, "name"),
            )
        })
        .collect()
}

fn rows(expected: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

fn zentrunk(app: &TestApp, rest: &str) -> String {
    app.url(&format!("/v1/Account/{}/Zentrunk/{rest}", app.auth_id))
}

fn twilio(app: &TestApp, rest: &str) -> String {
    app.url(&format!("/2010-04-01/Accounts/{SID}/SIP/{rest}"))
}

/// A twilio form POST's status and JSON answer.
async fn twilio_post(app: &TestApp, rest: &str, form: &[(&str, &str)]) -> (u16, Value) {
    json(app.post_form(AS_TWILIO, &twilio(app, rest), form).await).await
}

#[tokio::test]
async fn every_change_of_every_kind_through_three_dialects_is_one_record() {
    let app = spawn_app().await;
    store::accounts::create(&app.db, SID, SID_TOKEN, SIP_DOMAIN)
        .await
        .unwrap();

    // plivo
    let (status, body) = json(app.create("desk.1", "Xy7pQ2mLk9Rt4w").await).await;
    assert_eq!(status, 201);
    let cred = field(&body, "credential_uuid");
    let url = app.credentials(&format!("{cred}/"));
    let (status, _) = app
        .post_json(&url, json!({"password": "Fresh-Passw0rd-2026"}))
        .await;
    assert_eq!(status, 202);
    let acl = app
        .create_acl(
            "Office",
            json!([{"ip": "10.0.0.1"}, {"ip": "10.0.1.0", "cidr_prefix": 24}]),
        )
        .await;
    let (status, entry) = app
        .post_json(
            &app.acls(&format!("{acl}/Entry/")),
            json!({"ip": "10.0.9.9"}),
        )
        .await;
    assert_eq!(status, 201);
    let entry = field(&entry, "entry_id");
    let (status, _) = app
        .post_json(
            &app.acls(&format!("{acl}/")),
            json!({"name": "Head office"}),
        )
        .await;
    assert_eq!(status, 202);
    let apps = app.url(&format!("/v1/Account/{}/Application/", app.auth_id));
    let (status, created) = app
        .post_json(
            &apps,
            json!({"app_name": "Desk", "answer_url": "https://example.com/a",
                   "sip_auth_type": "ip_acl", "ip_acl_uuid": acl}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let app_id = field(&created, "app_id");
    assert_eq!(app.delete(&format!("{apps}{app_id}/")).await, 204);
    assert_eq!(
        app.delete(&app.acls(&format!("{acl}/Entry/{entry}/")))
            .await,
        204
    );

    // zentrunk: a trunk, whose credential then goes (the trunk lets go).
    let r = app
        .send(
            Who::Me,
            Method::POST,
            &zentrunk(&app, "Trunk/"),
            Some(&json!({"name": "out", "trunk_direction": "outbound", "credential_uuid": cred})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let trunk = field(&r.json::<Value>().await.unwrap(), "trunk_id");
    assert_eq!(app.delete(&url).await, 204);
    let r = app
        .send(
            Who::Me,
            Method::DELETE,
            &zentrunk(&app, &format!("Trunk/{trunk}/")),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.delete(&app.acls(&format!("{acl}/"))).await, 204);

    // twilio: a list with a credential, a domain mapped to it; the list's
    // delete takes the credential and the mapping with it.
    let (status, list) =
        twilio_post(&app, "CredentialLists.json", &[("FriendlyName", "Phones")]).await;
    assert_eq!(status, 201);
    let cl = field(&list, "sid");
    let (status, _) = twilio_post(
        &app,
        &format!("CredentialLists/{cl}/Credentials.json"),
        &[("Username", "desk.101"), ("Password", "IWasAtSignal2018")],
    )
    .await;
    assert_eq!(status, 201);
    let office = format!("office.{}.{SIP_DOMAIN}", SID.to_lowercase());
    let (status, domain) = twilio_post(&app, "Domains.json", &[("DomainName", &office)]).await;
    assert_eq!(status, 201);
    let sd = field(&domain, "sid");
    let mappings = format!("Domains/{sd}/Auth/Calls/CredentialListMappings.json");
    let (status, _) = twilio_post(&app, &mappings, &[("CredentialListSid", &cl)]).await;
    assert_eq!(status, 201);
    let (status, _) = twilio_post(
        &app,
        &format!("Domains/{sd}.json"),
        &[("FriendlyName", "Front desk")],
    )
    .await;
    assert_eq!(status, 200);
    for rest in [
        format!("CredentialLists/{cl}.json"),
        format!("Domains/{sd}.json"),
    ] {
        let r = app
            .send(AS_TWILIO, Method::DELETE, &twilio(&app, &rest), None)
            .await;
        assert_eq!(r.status(), 204, "{rest}");
    }

    let all = records(&app).await;
    assert_eq!(
        summary(&all),
        rows(&[
            ("plivo", "credential", "created", "desk.1"),
            ("plivo", "credential", "changed", "desk.1"),
            ("plivo", "ip-acl", "created", "Office"),
            ("plivo", "ip-acl-entry", "created", "10.0.0.1/32"),
            ("plivo", "ip-acl-entry", "created", "10.0.1.0/24"),
            ("plivo", "ip-acl-entry", "created", "10.0.9.9/32"),
            ("plivo", "ip-acl", "changed", "Head office"),
            ("plivo", "application", "created", "Desk"),
            ("plivo", "application", "deleted", "Desk"),
            ("plivo", "ip-acl-entry", "deleted", "10.0.9.9/32"),
            ("zentrunk", "trunk", "created", "out"),
            ("plivo", "trunk", "changed", "out"),
            ("plivo", "credential", "deleted", "desk.1"),
            ("zentrunk", "trunk", "deleted", "out"),
            ("plivo", "ip-acl-entry", "deleted", "10.0.0.1/32"),
            ("plivo", "ip-acl-entry", "deleted", "10.0.1.0/24"),
            ("plivo", "ip-acl", "deleted", "Head office"),
            ("twilio", "credential-list", "created", "Phones"),
            ("twilio", "credential", "created", "desk.101"),
            ("twilio", "domain", "created", &office),
            ("twilio", "mapping", "created", "Phones"),
            ("twilio", "domain", "changed", &office),
            ("twilio", "credential", "deleted", "desk.101"),
            ("twilio", "mapping", "deleted", "Phones"),
            ("twilio", "credential-list", "deleted", "Phones"),
            ("twilio", "domain", "deleted", &office),
        ])
    );
    for r in &all {
        assert_eq!(r["actor"], "api-token", "{r}");
        assert_eq!(r["role"], "admin", "{r}");
        assert_eq!(r["source"], "127.0.0.1", "{r}");
        let account = if r["dialect"] == "twilio" {
            SID
        } else {
            app.auth_id.as_str()
        };
        assert_eq!(r["account"], account, "{r}");
        assert!(r["resource_id"].is_string(), "{r}");
    }
    assert_eq!(all[0]["resource_id"], cred.as_str());
    assert_eq!(all[0]["changes"]["username"], json!({"after": "desk.1"}));
    assert_eq!(all[1]["changes"], json!({"password": {"after": "changed"}}));
    assert_eq!(
        all[6]["changes"],
        json!({"name": {"before": "Office", "after": "Head office"}})
    );
    assert_eq!(
        all[11]["changes"],
        json!({"credential_uuid": {"before": cred, "after": null}})
    );
    assert_eq!(
        all[21]["changes"],
        json!({"name": {"before": "", "after": "Front desk"}})
    );
    assert_eq!(
        all[23]["resource_id"],
        format!("{sd}/calls_credentials/{cl}")
    );
    // An entry is filed under its ACL, a twilio credential under its list,
    // a mapping under its domain: their histories show them.
    for r in &all {
        let parent = match (r["resource"].as_str().unwrap(), r["dialect"].as_str()) {
            ("ip-acl-entry", _) => json!(acl),
            ("credential", Some("twilio")) => json!(cl),
            ("mapping", _) => json!(sd),
            _ => Value::Null,
        };
        assert_eq!(r["parent_id"], parent, "{r}");
    }
}

#[tokio::test]
async fn a_resources_history_holds_its_childrens_records_and_no_one_elses() {
    let app = spawn_app().await;
    app.add_operator().await;
    assert_eq!(app.sign_in("ops", OPERATOR_PASSWORD).await.status(), 200);
    let office = app.create_acl("Office", json!([{"ip": "10.0.0.1"}])).await;
    let lab = app.create_acl("Lab", json!([{"ip": "10.9.0.1"}])).await;
    let (status, entry) = app
        .post_json(
            &app.acls(&format!("{office}/Entry/")),
            json!({"ip": "10.0.9.9"}),
        )
        .await;
    assert_eq!(status, 201);
    let entry = field(&entry, "entry_id");
    let url = app.acls(&format!("{office}/Entry/{entry}/"));
    assert_eq!(app.delete(&url).await, 204);

    let (status, page) = audit(&app, &format!("?within={office}")).await;
    assert_eq!(status, 200, "{page}");
    let shown: Vec<(String, String, String)> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (s("resource"), s("action"), s("name"))
        })
        .collect();
    let expected = [
        ("ip-acl-entry", "deleted", "10.0.9.9/32"),
        ("ip-acl-entry", "created", "10.0.9.9/32"),
        ("ip-acl-entry", "created", "10.0.0.1/32"),
        ("ip-acl", "created", "Office"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(shown, expected, "newest first, and nothing of {lab}");
    // An entry's own history is the entry's alone.
    let (_, page) = audit(&app, &format!("?within={entry}")).await;
    assert_eq!(page["total"], 2);
}

/// Hex HA1 of a credential, as the store keeps it.
fn ha1(username: &str, realm: &str, password: &str) -> String {
    use sipauth_model::{Password, Realm, Username};
    sipauth_model::ha1(
        &Username::parse(username).unwrap(),
        &Realm::parse(realm).unwrap(),
        &Password::parse(password).unwrap(),
    )
}

#[tokio::test]
async fn an_update_records_before_and_after_and_never_a_password_or_an_ha1() {
    let app = spawn_app().await;
    let (first, second) = ("Known-Secret-Pass-1", "Known-Secret-Pass-2");
    let base = zentrunk(&app, "Credential/");
    let app = &app;
    let send = |url: String, body: Value| async move {
        app.send(Who::Me, Method::POST, &url, Some(&body)).await
    };
    let r = send(
        base.clone(),
        json!({"name": "prod", "username": "trunk.a", "password": first}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = field(&r.json::<Value>().await.unwrap(), "credential_uuid");
    let r = send(
        format!("{base}{id}/"),
        json!({"name": "staging", "username": "trunk.b", "password": second}),
    )
    .await;
    assert_eq!(r.status(), 202);

    let all = records(app).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["dialect"], "zentrunk");
    assert_eq!(all[1]["action"], "changed");
    assert_eq!(all[1]["name"], "trunk.b");
    assert_eq!(
        all[1]["changes"],
        json!({
            "username": {"before": "trunk.a", "after": "trunk.b"},
            "name": {"before": "prod", "after": "staging"},
            "password": {"after": "changed"},
        })
    );

    let realm = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());
    let secrets = [
        first.to_string(),
        second.to_string(),
        ha1("trunk.a", &realm, first),
        ha1("trunk.b", &realm, second),
    ];
    // No audit row holds a password or an HA1 …
    let text = serde_json::to_string(&all).unwrap();
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "an audit record holds {s}");
    }
    // … and no byte of the store's files holds a password.
    let files = app.db_files().await;
    assert!(
        crate::postgres_url().is_some() || files.iter().any(|f| f.ends_with("sipauth.db-wal")),
        "{files:?}"
    );
    for file in files {
        let bytes = crate::read_store_file(&file);
        for password in [first, second] {
            let found = bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes());
            assert!(!found, "{} holds a password", file.display());
        }
    }
}

#[tokio::test]
async fn records_are_append_only_and_pruned_after_their_retention() {
    let app = spawn_app().await;
    app.create_all(["one".to_string()]).await;
    let refused = q("UPDATE audit_log SET actor = 'someone-else'")
        .execute(&app.db.write)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    // No route changes or deletes a record.
    app.add_operator().await;
    app.sign_in("ops", OPERATOR_PASSWORD).await;
    for method in [Method::DELETE, Method::PUT, Method::PATCH, Method::POST] {
        let r = app
            .send(
                Who::Csrf("x"),
                method.clone(),
                &app.url("/console/audit"),
                None,
            )
            .await;
        assert_eq!(r.status(), 405, "{method}");
    }

    app.execute(
        "INSERT INTO audit_log (at, actor, dialect, action, resource)
         VALUES ('2001-01-01T00:00:00.000Z', 'cli', 'cli', 'created', 'account')",
        &[],
    )
    .await;
    let before = records(&app).await.len();
    assert_eq!(
        sipauth_server::activity::prune(&app.db, 30).await.unwrap(),
        1
    );
    let left = records(&app).await;
    assert_eq!(left.len(), before - 1);
    assert!(left.iter().all(|r| r["at"] != "2001-01-01T00:00:00.000Z"));
}

/// A GET of the audit endpoint with the jar's session.
async fn audit(app: &TestApp, query: &str) -> (u16, Value) {
    json(
        app.get_anonymous(&app.url(&format!("/console/audit{query}")))
            .await,
    )
    .await
}

#[tokio::test]
async fn sign_ins_sign_outs_and_the_endpoint_with_filters_paging_exports_and_scope() {
    let app = spawn_app().await;
    let other = app.other_account().await;
    assert_eq!(audit(&app, "").await.0, 401);
    app.add_operator().await;
    let wrong = "Not-The-Password-1";
    assert_eq!(app.sign_in("ops", wrong).await.status(), 401);
    let (_, session) = json(app.sign_in("ops", OPERATOR_PASSWORD).await).await;
    let csrf = field(&session, "csrf_token");

    // Through the console: the operator is the actor, and an import's
    // batch id is kept.
    let r = app
        .client
        .post(app.acls(""))
        .header("X-CSRF-Token", &csrf)
        .header("X-Audit-Batch", "import-7")
        .header("User-Agent", "audit-test/1")
        .json(&json!({"name": "Console ACL"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    app.create_all((0..4).map(|i| format!("user.{i}"))).await;
    assert_eq!(app.create_in(&other, "theirs").await.status(), 201);

    let (status, page) = audit(&app, "?page_size=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 8);
    assert_eq!(
        (page["page"].clone(), page["page_size"].clone()),
        (json!(1), json!(2))
    );
    let names: Vec<&str> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["theirs", "user.3"], "newest first");
    let (_, page4) = audit(&app, "?page_size=2&page=4").await;
    let r = &page4["records"][0];
    assert_eq!(r["name"], "ops");
    assert_eq!(r["resource"], "session");
    assert_eq!(r["action"], "signed-in");
    assert_eq!(r["dialect"], "console");
    assert_eq!(r["actor"], "operator:ops");
    assert!(r["account"].is_null());
    assert_eq!(page4["records"][1]["action"], "sign-in-failed");
    assert_eq!(page4["records"][1]["name"], "ops");
    assert!(page4["records"][1]["role"].is_null());
    let (_, page3) = audit(&app, "?page_size=2&page=3").await;
    let console = &page3["records"][1];
    assert_eq!(console["actor"], "operator:ops");
    assert_eq!(console["dialect"], "plivo");
    assert_eq!(console["batch"], "import-7");
    assert_eq!(console["user_agent"], "audit-test/1");
    assert_eq!(console["resource"], "ip-acl");

    // Filters.
    let (_, by) = audit(&app, &format!("?account={}&resource=credential", other.0)).await;
    assert_eq!(by["total"], 1);
    let (_, by) = audit(&app, "?actor=operator:ops&action=created").await;
    assert_eq!(by["total"], 1);
    let (_, by) = audit(&app, "?resource=session").await;
    assert_eq!(by["total"], 2);
    let (_, by) = audit(&app, "?from=2000-01-01&to=2000-12-31").await;
    assert_eq!(by["total"], 0);
    let (_, by) = audit(&app, "?from=2000-01-01T00:00:00Z").await;
    assert_eq!(by["total"], 8);
    for (query, field) in [
        ("?page_size=201", "page_size"),
        ("?page=0", "page"),
        ("?from=yesterday", "from"),
        ("?format=xml", "format"),
    ] {
        let (status, body) = audit(&app, query).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (400, Some(field)),
            "{query}"
        );
    }
    let long = "a".repeat(201);
    assert_eq!(audit(&app, &format!("?actor={long}")).await.0, 400);

    // Exports: every matching record, newest first.
    let r = app
        .get_anonymous(&app.url("/console/audit?format=csv&resource=credential"))
        .await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"audit-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["seq", "at", "actor"]);
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(&lines[0][12], "theirs");
    // A JSON object in a field: quoted as RFC 4180 says.
    assert!(
        text.contains(",\"{\"\"") && text.contains("\"\"username\"\""),
        "{text}"
    );
    let r = app
        .get_anonymous(&app.url("/console/audit?format=ndjson"))
        .await;
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .ends_with(".ndjson\""));
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["name"], "theirs");
    assert!(!text.contains(wrong) && !text.contains(OPERATOR_PASSWORD));

    // An editor limited to the other account sees only its records.
    app.execute(
        "UPDATE operators SET role = 'editor', accounts = $1 WHERE username = 'ops'",
        &[&json!([other.0]).to_string()],
    )
    .await;
    let (_, scoped) = audit(&app, "").await;
    assert_eq!(scoped["total"], 1, "{scoped}");
    assert_eq!(scoped["records"][0]["name"], "theirs");
    let (_, scoped) = audit(&app, "?resource=session").await;
    assert_eq!(scoped["total"], 0);
    let ndjson = app
        .get_anonymous(&app.url("/console/audit?format=ndjson"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(ndjson.lines().count(), 1);
    // Every account, but still no record without one.
    app.execute(
        "UPDATE operators SET accounts = NULL WHERE username = 'ops'",
        &[],
    )
    .await;
    assert_eq!(audit(&app, "").await.1["total"], 6);

    // Sign-out is recorded too.
    let r = app
        .send(
            Who::Csrf(&csrf),
            Method::DELETE,
            &app.url("/console/session"),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    let last = records(&app).await.pop().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["name"].as_str()),
        (Some("signed-out"), Some("ops"))
    );
    assert_eq!(last["role"], "editor");
}

/// The real binary, killed with SIGKILL in the middle of many concurrent
/// creates: after a restart, the log holds a record for exactly the
/// credentials that exist, and every acknowledged create has both.
#[tokio::test]
async fn after_a_kill_9_mid_stream_records_and_rows_are_the_same_creates() {
    use std::collections::BTreeSet;
    let dir = tempfile::tempdir().unwrap();
    let mut server = crate::binary::start(dir.path());
    let (auth_id, token, _) = crate::binary::first_run(dir.path());
    let url = format!("{}/v1/Account/{auth_id}/SipAuth/Credential/", server.base);
    let client = reqwest::Client::new();
    let (acked, mut heard) = tokio::sync::mpsc::unbounded_channel::<String>();
    let creates: Vec<_> = (0..150)
        .map(|i| {
            let (client, url, auth_id, token) =
                (client.clone(), url.clone(), auth_id.clone(), token.clone());
            let acked = acked.clone();
            tokio::spawn(async move {
                let username = format!("crash.{i}");
                let body = json!({"username": username, "password": "Xy7pQ2mLk9Rt4w"});
                let sent = client
                    .post(url)
                    .basic_auth(auth_id, Some(token))
                    .json(&body)
                    .send()
                    .await;
                if sent.is_ok_and(|r| r.status() == 201) {
                    let _ = acked.send(username);
                }
            })
        })
        .collect();
    drop(acked);
    let mut acknowledged = BTreeSet::new();
    while acknowledged.len() < 30 {
        acknowledged.insert(heard.recv().await.expect("creates acknowledged"));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for c in creates {
        c.await.unwrap();
    }
    while let Ok(username) = heard.try_recv() {
        acknowledged.insert(username);
    }

    // Restarted on the same data directory (WAL recovery), with a short
    // retention: a record older than it is pruned at start.
    {
        let db = sipauth_server::db::open(dir.path()).await.unwrap();
        q(
            "INSERT INTO audit_log (at, actor, dialect, action, resource)
             VALUES ('2001-01-01T00:00:00.000Z', 'cli', 'cli', 'created', 'account')",
        )
        .execute(&db.write)
        .await
        .unwrap();
        db.close().await;
    }
    let again = crate::binary::start_with(dir.path(), &["--audit-retention-days", "30"], &[]);
    let db = sipauth_server::db::open(dir.path()).await.unwrap();
    let names = |sql: &'static str| {
        let db = db.clone();
        async move {
            let rows: Vec<(String,)> = q(sql).fetch_all(&db.read).await.unwrap();
            rows.into_iter().map(|(n,)| n).collect::<BTreeSet<String>>()
        }
    };
    let rows = names("SELECT username FROM credentials").await;
    let recorded =
        names("SELECT name FROM audit_log WHERE resource = 'credential' AND action = 'created'")
            .await;
    assert_eq!(recorded, rows, "a record for each credential, and no other");
    assert!(
        acknowledged.is_subset(&rows),
        "acknowledged but lost: {:?}",
        acknowledged.difference(&rows).collect::<Vec<_>>()
    );
    let (total,): (i64,) = q("SELECT count(*) FROM audit_log")
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert_eq!(
        total as usize,
        rows.len(),
        "the old record was pruned at start"
    );
    drop(again);
}

/// The command line's changes are recorded with the `cli` actor and dialect.
#[tokio::test]
async fn cli_changes_are_recorded_as_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let password = "Operator-Pass-2026";
    for (args, stdin) in [
        (
            vec!["account", "create", "--auth-id", "MACLI", "--data-dir", d],
            "",
        ),
        (vec!["operator", "add", "--data-dir", d, "ops"], password),
        (
            vec!["operator", "reset", "--data-dir", d, "ops"],
            "Operator-Pass-2027",
        ),
    ] {
        let (ok, out) = crate::binary::cli(&args, stdin);
        assert!(ok, "{args:?}: {out}");
    }
    let db = sipauth_server::db::open(dir.path()).await.unwrap();
    let rows: Vec<(String,)> = q(
        "SELECT actor || ' ' || role || ' ' || dialect || ' ' || coalesce(account_id, '-')
                || ' ' || action || ' ' || resource || ' ' || name
         FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.read)
    .await
    .unwrap();
    let rows: Vec<String> = rows.into_iter().map(|(r,)| r).collect();
    assert_eq!(
        rows,
        [
            "cli admin cli MACLI created account MACLI",
            "cli admin cli - created operator ops",
            "cli admin cli - password-reset operator ops",
        ]
    );
    let (changes,): (String,) = q("SELECT changes FROM audit_log WHERE action = 'password-reset'")
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert_eq!(changes, r#"{"password":{"after":"changed"}}"#);
}

/// Each reload round's outcome per node is one record: reloaded by a node
/// that answers, failed (after every attempt) by one that does not.
#[tokio::test]
async fn kamailio_reload_outcomes_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kamailio_rpc.sock");
    let socket = tokio::net::UnixDatagram::bind(&path).unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            let call: Value = serde_json::from_slice(&buf[..n]).unwrap();
            let answer = json!({"jsonrpc": "2.0", "result": "Ok.", "id": call["id"]});
            let to = from.as_pathname().unwrap().to_path_buf();
            let _ = socket.send_to(answer.to_string().as_bytes(), to).await;
        }
    });
    let good = format!("unix:{}", path.display());
    let bad = format!("unix:{}", dir.path().join("nobody-here.sock").display());
    let app = TestApp::builder()
        .kamailio(good.clone())
        .kamailio(bad.clone())
        .spawn()
        .await;
    // The round every start runs (the settings in `sipcfg` reach every
    // node); a change's round is recorded the same way.
    let outcome = |node: String| {
        let db = app.db.clone();
        async move {
            // The failing node gives up after its attempts' backoff (~8 s).
            for _ in 0..300 {
                let row: Option<(String, String)> = q(
                    "SELECT action, changes FROM audit_log WHERE resource = 'kamailio' AND resource_id = $1",
                )
                .arg(&node)
                .fetch_optional(&db.read)
                .await
                .unwrap();
                if let Some(row) = row {
                    return row;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("no outcome recorded for {node}");
        }
    };
    let (action, changes) = outcome(good.clone()).await;
    assert_eq!(action, "reloaded", "{changes}");
    let (action, changes) = outcome(bad.clone()).await;
    assert_eq!(action, "reload-failed");
    let changes: Value = serde_json::from_str(&changes).unwrap();
    assert_eq!(changes["node"]["after"], bad.as_str());
    assert!(changes["error"]["after"]
        .as_str()
        .unwrap()
        .contains("no answer"));
    let n: i64 = app
        .scalar(
            "SELECT count(*) FROM audit_log WHERE resource = 'kamailio'",
            &[],
        )
        .await;
    assert_eq!(n, 2, "one outcome per node for the round");
}
