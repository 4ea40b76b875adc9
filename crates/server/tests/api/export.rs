//! Exports: every column, never a secret, CSV quoting and formula guards,
//! one audit record each, viewers allowed, another account's ACL unknown,
//! and one ACL's CSV imported into another unchanged (the model's import
//! parser, as the console runs it).

use crate::{error_message, json, spawn_app, TestApp, Who, OPERATOR_PASSWORD, SIP_DOMAIN};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use sipauth_model::acl::parse_import;
use sipauth_server::sql::q;
use sipauth_server::store;

const PASSWORD: &str = "Known-Secret-Pass-2026";

impl TestApp {
    /// `/v1/Account/{auth_id}/Export/{what}` plus `query`.
    fn export(&self, what: &str, query: &str) -> String {
        self.url(&format!(
            "/v1/Account/{}/Export/{what}{query}",
            self.auth_id
        ))
    }

    /// An export's text, asserting a 200 with the download headers.
    async fn exported(&self, what: &str, query: &str) -> String {
        downloaded(self.get(&self.export(what, query)).await).await
    }

    /// Every audit record: (actor, role, account, action, resource,
    /// resource_id, name).
    async fn audit(&self) -> Vec<AuditRow> {
        self.select(
            "SELECT actor, role, account_id, action, resource, resource_id, name
             FROM audit_log ORDER BY seq",
            &[],
        )
        .await
    }
}

type AuditRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The body of a 200 export, checking its headers.
async fn downloaded(r: Response) -> String {
    let status = r.status();
    let h = r.headers().clone();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let kind = h["content-type"].to_str().unwrap();
    let disposition = h["content-disposition"].to_str().unwrap();
    let ext = if kind == "text/csv; charset=utf-8" {
        "csv"
    } else {
        assert_eq!(kind, "application/json");
        "json"
    };
    let date = time::OffsetDateTime::now_utc().date().to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.ends_with(&format!("-{date}.{ext}\"")),
        "{disposition}"
    );
    assert_eq!(h["cache-control"], "no-store");
    text
}

/// The cells of a CSV text, read by the csv crate.
fn cells(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let url = app.url(&format!("/v1/Account/{}/{path}", app.auth_id));
    let (status, body) = json(app.send(Who::Me, Method::POST, &url, Some(&body)).await).await;
    assert!(status == 201 || status == 202, "{status} {body}");
    body
}

async fn add_entry(app: &TestApp, acl: &str, ip: &str, prefix: u8, description: &str) {
    let body = json!({"ip": ip, "cidr_prefix": prefix, "description": description});
    let (status, answer) = app
        .post_json(&app.acls(&format!("{acl}/Entry/")), body)
        .await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn credentials_export_every_column_and_never_a_password_or_ha1() {
    let app = spawn_app().await;
    let (status, created) = json(app.create("alice", PASSWORD).await).await;
    assert_eq!(status, 201);
    let alice = created["credential_uuid"].as_str().unwrap().to_string();
    let trunk_cred = post(
        &app,
        "Zentrunk/Credential/",
        json!({"name": "=cmd|' /C calc'!A0", "username": "trunk.a", "password": PASSWORD}),
    )
    .await["credential_uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let r = app
        .client
        .post(&vobiz)
        .header("X-Auth-ID", &app.auth_id)
        .header("X-Auth-Token", &app.token)
        .json(&json!({"username": "desk7", "password": PASSWORD,
                      "description": "Front desk, \"east\" wing", "enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    post(
        &app,
        "Application/",
        json!({"app_name": "Support line", "answer_url": "https://example.com/answer", "sip_auth_type": "credential", "credential_uuid": alice}),
    )
    .await;
    post(
        &app,
        "Zentrunk/Trunk/",
        json!({"name": "Outbound A", "trunk_direction": "outbound", "credential_uuid": trunk_cred}),
    )
    .await;
    let realm = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());

    let csv = app.exported("Credentials", "?format=csv").await;
    let rows = cells(&csv);
    assert_eq!(
        rows[0],
        [
            "id",
            "username",
            "realm",
            "name",
            "description",
            "enabled",
            "created",
            "credential_list",
            "applications",
            "trunks",
            "domains"
        ]
    );
    assert_eq!(rows.len(), 4, "{csv}");
    let row = |username: &str| rows.iter().find(|r| r[1] == username).unwrap().clone();
    let a = row("alice");
    assert_eq!(a[0], alice);
    assert_eq!(
        a[2..],
        [
            realm.as_str(),
            "",
            "",
            "true",
            a[6].as_str(),
            "",
            "Support line",
            "",
            ""
        ]
    );
    assert!(a[6].ends_with('Z') && a[6].len() >= 20, "{a:?}");
    let t = row("trunk.a");
    // A name a spreadsheet would run as a formula is text.
    assert_eq!(t[3], "'=cmd|' /C calc'!A0");
    assert_eq!(t[9], "Outbound A");
    let d = row("desk7");
    assert_eq!(
        (d[4].as_str(), d[5].as_str()),
        ("Front desk, \"east\" wing", "false")
    );
    // Quoted as RFC 4180 says.
    assert!(csv.contains("\"Front desk, \"\"east\"\" wing\""), "{csv}");

    let body = app.exported("Credentials", "?format=json").await;
    let exported: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(exported["account"], app.auth_id.as_str());
    let list = exported["credentials"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let alice_json = list.iter().find(|c| c["username"] == "alice").unwrap();
    assert_eq!(
        alice_json,
        &json!({
            "id": alice, "username": "alice", "realm": realm, "name": "", "description": "",
            "enabled": true, "created": alice_json["created"], "credential_list": null,
            "used_by": {"applications": ["Support line"], "trunks": [], "domains": []}
        })
    );
    let trunk_json = list.iter().find(|c| c["username"] == "trunk.a").unwrap();
    // JSON is data, not a spreadsheet: the name as stored.
    assert_eq!(trunk_json["name"], "=cmd|' /C calc'!A0");
    assert_eq!(trunk_json["used_by"]["trunks"], json!(["Outbound A"]));

    // Neither the password nor any digest, in any export.
    let digests: Vec<(String, String)> = app.rows("SELECT ha1, ha1b FROM credentials").await;
    assert_eq!(digests.len(), 3);
    for text in [&csv, &body] {
        assert!(!text.contains(PASSWORD));
        for (ha1, ha1b) in &digests {
            assert!(!text.to_lowercase().contains(&ha1.to_lowercase()));
            assert!(!text.to_lowercase().contains(&ha1b.to_lowercase()));
        }
        assert!(!text.contains("ha1") && !text.contains("password"));
    }
}

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-token-0123456789abcdef";

/// Creates what the twilio path `rest` lists, as the twilio account: its SID.
async fn twilio_create(app: &TestApp, rest: String, form: Vec<(&'static str, String)>) -> String {
    let url = app.url(&format!("/2010-04-01/Accounts/{SID}/SIP/{rest}"));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form(Who::Account(SID, TOKEN), &url, &form).await;
    assert_eq!(r.status(), 201, "{rest}");
    r.json::<Value>().await.unwrap()["sid"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_twilio_domain_is_where_its_lists_credentials_are_used() {
    let app = spawn_app().await;
    store::accounts::create(&app.db, SID, TOKEN, SIP_DOMAIN)
        .await
        .unwrap();
    let create = |rest: String, form: Vec<(&'static str, String)>| twilio_create(&app, rest, form);
    let cl = create(
        "CredentialLists.json".into(),
        vec![("FriendlyName", "Phones".into())],
    )
    .await;
    create(
        format!("CredentialLists/{cl}/Credentials.json"),
        vec![("Username", "lobby".into()), ("Password", PASSWORD.into())],
    )
    .await;
    let office = format!("office.{}.{SIP_DOMAIN}", SID.to_lowercase());
    let sd = create("Domains.json".into(), vec![("DomainName", office.clone())]).await;
    for kind in ["Calls", "Registrations"] {
        create(
            format!("Domains/{sd}/Auth/{kind}/CredentialListMappings.json"),
            vec![("CredentialListSid", cl.clone())],
        )
        .await;
    }
    let url = app.url(&format!("/v1/Account/{SID}/Export/Credentials?format=json"));
    let r = app
        .send(Who::Account(SID, TOKEN), Method::GET, &url, None)
        .await;
    let exported: Value = serde_json::from_str(&downloaded(r).await).unwrap();
    let lobby = &exported["credentials"][0];
    assert_eq!(lobby["username"], "lobby");
    assert_eq!(lobby["credential_list"], "Phones");
    // Mapped for calls and registrations: named once.
    assert_eq!(lobby["used_by"]["domains"], json!([office]));
}

#[tokio::test]
async fn acls_export_as_json_and_csv_and_another_accounts_acl_is_unknown() {
    let app = spawn_app().await;
    let office = app
        .create_acl(
            "Office",
            json!([{"ip": "203.0.113.10", "description": "PBX"},
                   {"ip": "2001:db8::", "cidr_prefix": 32, "description": "v6"}]),
        )
        .await;
    app.create_acl("Empty", json!([])).await;

    let body = app.exported("IPAccessControlLists", "?format=json").await;
    let exported: Value = serde_json::from_str(&body).unwrap();
    let acls = exported["ip_access_control_lists"].as_array().unwrap();
    assert_eq!(acls.len(), 2);
    assert_eq!(
        (acls[0]["id"].as_str(), acls[0]["name"].as_str()),
        (Some(office.as_str()), Some("Office"))
    );
    let entries: Vec<(&str, i64, &str, bool)> = acls[0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["address"].as_str().unwrap(),
                e["prefix"].as_i64().unwrap(),
                e["description"].as_str().unwrap(),
                e["created"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("203.0.113.10", 32, "PBX", true),
            ("2001:db8::", 32, "v6", true)
        ]
    );
    assert_eq!(acls[1]["entries"], json!([]));
    assert!(acls[0]["created"].is_string());

    // Every ACL: the name first, an empty ACL as one row.
    let csv = app.exported("IPAccessControlLists", "?format=csv").await;
    let rows = cells(&csv);
    assert_eq!(rows[0], ["acl", "ip", "description", "created"]);
    let firsts: Vec<[&str; 3]> = rows[1..]
        .iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
        .collect();
    assert_eq!(
        firsts,
        [
            ["Office", "203.0.113.10/32", "PBX"],
            ["Office", "2001:db8::/32", "v6"],
            ["Empty", "", ""]
        ]
    );
    assert!(rows[1][3].ends_with('Z') && rows[3][3].is_empty());

    // One ACL: the import's format.
    let one = app
        .exported("IPAccessControlLists", &format!("?format=csv&acl={office}"))
        .await;
    assert_eq!(
        one,
        "\"ip\",\"description\"\r\n\"203.0.113.10/32\",\"PBX\"\r\n\"2001:db8::/32\",\"v6\"\r\n"
    );
    let r = app
        .get(&app.export(
            "IPAccessControlLists",
            &format!("?format=json&acl={office}"),
        ))
        .await;
    let single: Value = serde_json::from_str(&downloaded(r).await).unwrap();
    assert_eq!(
        single["ip_access_control_lists"].as_array().unwrap().len(),
        1
    );

    // Another account's ACL is as unknown as a missing one, and its
    // owner's export is refused to this account.
    let other = app.other_account().await;
    let url = app.url(&format!(
        "/v1/Account/{}/SipAuth/IpAccessControlList/",
        other.0
    ));
    let (_, theirs) = json(
        app.send(
            Who::Account(&other.0, &other.1),
            Method::POST,
            &url,
            Some(&json!({"name": "Theirs", "entries": [{"ip": "192.0.2.9"}]})),
        )
        .await,
    )
    .await;
    let theirs = theirs["ip_acl_uuid"].as_str().unwrap();
    for id in [theirs, "no-such-acl"] {
        let r = app
            .get(&app.export("IPAccessControlLists", &format!("?format=csv&acl={id}")))
            .await;
        assert_eq!(r.status(), 404);
        assert!(!r.text().await.unwrap().contains("192.0.2.9"));
    }
    let mine_as_them = app.url(&format!(
        "/v1/Account/{}/Export/IPAccessControlLists?format=csv",
        app.auth_id
    ));
    let r = app
        .send(
            Who::Account(&other.0, &other.1),
            Method::GET,
            &mine_as_them,
            None,
        )
        .await;
    assert_eq!(r.status(), 401);

    // A format it does not write is a 400 naming the parameter.
    let (status, e) = json(app.get(&app.export("Credentials", "?format=xlsx")).await).await;
    assert_eq!((status, e["field"].as_str()), (400, Some("format")));
    assert!(error_message(&e).contains("csv or json"));
}

#[tokio::test]
async fn csv_cells_with_commas_quotes_and_newlines_are_quoted() {
    let app = spawn_app().await;
    let acl = app
        .create_acl(
            "Branch, \"B\"",
            json!([{"ip": "198.51.100.0", "cidr_prefix": 24, "description": "a, b"},
                   {"ip": "198.51.101.0", "cidr_prefix": 24, "description": "say \"hi\""}]),
        )
        .await;
    // The API refuses control characters; a row stored before that rule
    // may hold a newline.
    app.execute(
        "UPDATE acl_entries SET description = 'two\nlines' WHERE ip = '198.51.100.0'",
        &[],
    )
    .await;
    let csv = app.exported("IPAccessControlLists", "?format=csv").await;
    assert!(
        csv.contains("\"Branch, \"\"B\"\"\",\"198.51.100.0/24\",\"two\nlines\""),
        "{csv}"
    );
    assert!(csv.contains("\"say \"\"hi\"\"\""), "{csv}");
    let rows = cells(&csv);
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][2].as_str(),
            rows[2][2].as_str()
        ),
        ("Branch, \"B\"", "two\nlines", "say \"hi\"")
    );
    let one = app
        .exported("IPAccessControlLists", &format!("?format=csv&acl={acl}"))
        .await;
    assert_eq!(cells(&one)[1], ["198.51.100.0/24", "two\nlines"]);
}

#[tokio::test]
async fn one_acls_csv_imports_into_another_unchanged() {
    let app = spawn_app().await;
    let source = app.create_acl("Source", json!([])).await;
    let entries: [(&str, u8, &str); 10] = [
        ("203.0.113.10", 32, "Primary PBX"),
        ("198.51.100.0", 24, "Branch, \"B\" office"),
        ("10.0.0.1", 8, "host bits kept as written"),
        ("2001:db8::", 32, "v6 range"),
        ("2001:db8:1::5", 128, ""),
        ("192.0.2.1", 32, "=HYPERLINK(\"http://x\")"),
        ("192.0.2.2", 32, "+31 20 555 0100"),
        ("192.0.2.3", 32, "-rack 2; @desk"),
        ("192.0.2.4", 32, "'=already quoted"),
        ("192.0.2.5", 32, "  spaced; tabbed\u{00a0}and ünïcode  "),
    ];
    for (ip, prefix, description) in entries {
        add_entry(&app, &source, ip, prefix, description).await;
    }
    let exported = app
        .exported("IPAccessControlLists", &format!("?format=csv&acl={source}"))
        .await;
    // Formulas are text in a spreadsheet.
    assert!(
        exported.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{exported}"
    );
    assert!(exported.contains("\"''=already quoted\""), "{exported}");

    // The console's import: the model's parser over the file's text, then
    // one request per line with the line's address, prefix and
    // description (src/components/import_form.rs).
    let target = app.create_acl("Target", json!([])).await;
    let parsed = parse_import(&exported, &[]);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert!(parsed.present.is_empty());
    assert_eq!(parsed.entries.len(), entries.len());
    for line in &parsed.entries {
        add_entry(
            &app,
            &target,
            &line.entry.ip.to_string(),
            line.entry.prefix,
            line.description.as_str(),
        )
        .await;
    }
    let imported = app
        .exported("IPAccessControlLists", &format!("?format=csv&acl={target}"))
        .await;
    assert_eq!(imported, exported);

    // And the entries themselves, as stored.
    let stored = |acl: String| {
        let db = app.db.clone();
        async move {
            let rows: Vec<(String, i64, String)> = q(
                "SELECT ip, cidr_prefix, description FROM acl_entries WHERE acl_id = $1 ORDER BY seq",
            )
            .arg(acl)
            .fetch_all(&db.read)
            .await
            .unwrap();
            rows
        }
    };
    let want: Vec<(String, i64, String)> = entries
        .iter()
        .map(|(ip, p, d)| (ip.to_string(), i64::from(*p), d.to_string()))
        .collect();
    assert_eq!(stored(source).await, want);
    assert_eq!(stored(target).await, want);
}

#[tokio::test]
async fn each_export_is_one_audit_record_and_viewers_may_export() {
    let app = spawn_app().await;
    let acl = app
        .create_acl("Office", json!([{"ip": "203.0.113.10"}]))
        .await;
    let before = app.audit().await.len();
    app.exported("Credentials", "?format=csv").await;
    app.exported("Credentials", "?format=json").await;
    app.exported("IPAccessControlLists", "?format=json").await;
    app.exported("IPAccessControlLists", &format!("?format=csv&acl={acl}"))
        .await;
    // A refused export records nothing.
    let r = app
        .get(&app.export("IPAccessControlLists", "?format=csv&acl=missing"))
        .await;
    assert_eq!(r.status(), 404);

    // A viewer operator may export (an export changes nothing).
    app.add_operator().await;
    app.execute(
        "UPDATE operators SET role = 'viewer' WHERE username = 'ops'",
        &[],
    )
    .await;
    assert_eq!(app.sign_in("ops", OPERATOR_PASSWORD).await.status(), 200);
    let r = app
        .client
        .get(app.export("IPAccessControlLists", "?format=csv"))
        .header("X-Requested-With", "sipauth-console")
        .header("User-Agent", "export-test")
        .send()
        .await
        .unwrap();
    let csv = downloaded(r).await;
    assert!(csv.contains("203.0.113.10/32"));

    let records = app.audit().await;
    let exports: Vec<AuditRow> = records[before..]
        .iter()
        .filter(|r| r.3 == "exported")
        .cloned()
        .collect();
    let account = Some(app.auth_id.clone());
    let token = |name: &str, id: Option<&str>| {
        (
            "api-token".to_string(),
            Some("admin".to_string()),
            account.clone(),
            "exported".to_string(),
            "export".to_string(),
            id.map(str::to_string),
            Some(name.to_string()),
        )
    };
    assert_eq!(
        exports[..4],
        [
            token("credentials.csv", None),
            token("credentials.json", None),
            token("ip-acls.json", None),
            token("ip-acl Office.csv", Some(&acl)),
        ]
    );
    assert_eq!(exports.len(), 5, "{exports:?}");
    let viewer = &exports[4];
    assert_eq!(
        (viewer.0.as_str(), viewer.2.as_ref(), viewer.6.as_deref()),
        ("operator:ops", account.as_ref(), Some("ip-acls.csv"))
    );
    let agent: Option<String> = app
        .scalar(
            "SELECT user_agent FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await;
    assert_eq!(agent.as_deref(), Some("export-test"));
}

#[tokio::test]
async fn exports_are_this_servers_not_a_proxied_providers() {
    let provider = spawn_app().await;
    let (status, config) = json(provider.get_anonymous(&provider.url("/config.json")).await).await;
    assert_eq!((status, &config["exports"]), (200, &json!(true)));
    assert_eq!(config["api_keys"], json!(true));

    let proxy = TestApp::builder()
        .proxy(
            sipauth_server::upstream::Upstream::new(
                &provider.base,
                &provider.auth_id,
                &provider.token,
                std::time::Duration::from_secs(5),
            )
            .unwrap(),
        )
        .spawn()
        .await;
    let (_, config) = json(proxy.get_anonymous(&proxy.url("/config.json")).await).await;
    assert!(config.get("exports").is_none(), "{config}");
    assert!(config.get("api_keys").is_none(), "{config}");
    proxy.add_operator().await;
    assert_eq!(proxy.sign_in("ops", OPERATOR_PASSWORD).await.status(), 200);
    let url = proxy.url(&format!(
        "/v1/Account/{}/Export/Credentials?format=csv",
        provider.auth_id
    ));
    let r = proxy.get_anonymous(&url).await;
    assert_ne!(r.status(), 200);
    assert!(r.headers().get("content-disposition").is_none());
    assert!(provider.audit().await.iter().all(|r| r.3 != "exported"));
}
