//! `sipauth migrate` as an operator runs it: a SQLite store filled through
//! the API (every dialect's resources, operators, a session, an API key,
//! SIP reports, and the audit records of it all) copied by the real binary
//! into a new PostgreSQL database, then read back from both stores: the
//! same rows and numbers, the same views Kamailio reads, and a server on
//! PostgreSQL serving the account. A PostgreSQL run only.

use crate::binary::{cli, request, start_with};
use crate::roles::{add, signed_in};
use crate::{hex, json, unix_now as now, url_of, TestApp, Who, OPERATOR_PASSWORD, SIP_DOMAIN};
use reqwest::Method;
use serde_json::json;
use sipauth_server::db::Db;
use sipauth_server::service::Role;
use sipauth_server::sql::{q, Rows};
use std::time::Duration;

/// Every table of the store.
const TABLES: [&str; 22] = [
    "accounts",
    "operators",
    "sessions",
    "api_keys",
    "credential_lists",
    "credentials",
    "subscriber",
    "ip_acls",
    "acl_entries",
    "applications",
    "domains",
    "domain_mappings",
    "trunks",
    "audit_log",
    "credential_seen",
    "sip_failures",
    "sip_bans",
    "sip_user_flags",
    "sip_settings",
    "kamailio_changes",
    "kamailio_nodes",
    "version",
];

async fn all<T: Rows>(db: &Db, sql: &str) -> Vec<T> {
    q(sql).fetch_all(&db.read).await.unwrap()
}

async fn one(db: &Db, sql: &str) -> i64 {
    q(sql).scalar(&db.read).await.unwrap()
}

/// Every row of `view` (its integers as BIGINT on both backends), sorted.
async fn view<T: Rows + Ord>(db: &Db, sql: &str) -> Vec<T> {
    let mut rows: Vec<T> = all(db, sql).await;
    rows.sort();
    rows
}

/// An audit record, every column.
#[derive(sqlx::FromRow, PartialEq, Debug)]
struct Audit {
    seq: i64,
    at: String,
    actor: String,
    role: Option<String>,
    source: Option<String>,
    user_agent: Option<String>,
    dialect: String,
    account_id: Option<String>,
    action: String,
    resource: String,
    resource_id: Option<String>,
    name: Option<String>,
    changes: Option<String>,
    batch: Option<String>,
    parent_id: Option<String>,
}

/// Asserts both stores hold the same: every table's count, and the rows
/// of everything a user or Kamailio reads.
async fn same(lite: &Db, pg: &Db) {
    for table in TABLES {
        let count = format!("SELECT count(*) FROM {table}");
        assert_eq!(
            one(lite, &count).await,
            one(pg, &count).await,
            "rows of {table}"
        );
    }
    macro_rules! rows {
        ($t:ty, $sql:expr) => {{
            let (a, b): (Vec<$t>, Vec<$t>) = (all(lite, $sql).await, all(pg, $sql).await);
            assert!(!a.is_empty(), "{}", $sql);
            assert_eq!(a, b, "{}", $sql);
        }};
    }
    // rowid: Kamailio's groups of an account are rowid * 4 + 3.
    rows!(
        (String, Vec<u8>, String, String, i64),
        "SELECT auth_id, token_sha256, realm, created_at, rowid FROM accounts ORDER BY auth_id"
    );
    rows!(
        (
            String,
            String,
            String,
            Option<String>,
            bool,
            Option<String>,
            i64
        ),
        "SELECT username, password_hash, role, accounts, disabled, last_sign_in_at, rowid
         FROM operators ORDER BY username"
    );
    rows!(
        (Vec<u8>, String, String, i64),
        "SELECT token_sha256, operator, csrf_token, expires_at FROM sessions ORDER BY token_sha256"
    );
    rows!(
        (
            String,
            String,
            String,
            String,
            Vec<u8>,
            String,
            Option<String>,
            i64
        ),
        "SELECT id, account_id, name, role, secret_sha256, created_at, last_used_at, rowid
         FROM api_keys ORDER BY id"
    );
    // Every credential's HA1s as they were: the passwords still work.
    rows!(
        (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            bool,
            bool,
            Option<String>
        ),
        "SELECT seq, id, account_id, username, realm, ha1, ha1b, enabled, account_wide, list_id
         FROM credentials ORDER BY seq"
    );
    rows!(
        (i64, String, String, String, String, String),
        "SELECT id, username, domain, password, ha1, ha1b FROM subscriber ORDER BY id"
    );
    rows!(
        Audit,
        "SELECT seq, at, actor, role, source, user_agent, dialect, account_id, action,
                resource, resource_id, name, changes, batch, parent_id
         FROM audit_log ORDER BY seq"
    );
    rows!(
        (String, i64, String, String, String, String, i64, i64),
        "SELECT account_id, minute, source, username, entry, reason, count, last_at
         FROM sip_failures ORDER BY account_id, minute, source, username, entry, reason"
    );
    rows!(
        (i64, i64, String, i64, String, String),
        "SELECT credential_seq, at, source, port, transport, method
         FROM credential_seen ORDER BY credential_seq"
    );
    // What Kamailio reads.
    let address = "SELECT CAST(id AS BIGINT), CAST(grp AS BIGINT), ip_addr, CAST(mask AS BIGINT),
                          CAST(port AS BIGINT), tag FROM address";
    type Address = (i64, i64, String, i64, i64, String);
    let (a, b) = (
        view::<Address>(lite, address).await,
        view::<Address>(pg, address).await,
    );
    assert!(!a.is_empty());
    assert_eq!(a, b, "address");
    for htable in ["sip_entry_points", "sip_members"] {
        let sql = format!(
            "SELECT CAST(id AS BIGINT), key_name, key_value, CAST(key_type AS BIGINT),
                    CAST(value_type AS BIGINT), CAST(expires AS BIGINT) FROM {htable}"
        );
        type Entry = (i64, String, String, i64, i64, i64);
        let (a, b) = (
            view::<Entry>(lite, &sql).await,
            view::<Entry>(pg, &sql).await,
        );
        assert!(!a.is_empty());
        assert_eq!(a, b, "{htable}");
    }
}

/// Waits until nothing changes in the store for a second (the reports'
/// flush and the Kamailio rounds' audit records have landed).
async fn quiet(db: &Db) {
    let state = || async {
        let mut counts = Vec::new();
        for table in TABLES {
            counts.push(one(db, &format!("SELECT count(*) FROM {table}")).await);
        }
        counts.push(one(db, "SELECT coalesce(max(seq), 0) FROM audit_log").await);
        counts
    };
    let mut last = state().await;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let now = state().await;
        if now == last {
            return;
        }
        last = now;
    }
    panic!("the store never settled");
}

/// Fills `app`'s store as users would: every kind of row. The API key
/// made: (id, secret).
async fn fill(app: &TestApp) -> (String, String) {
    let a = app.auth_id.clone();
    let realm = format!("{}.{SIP_DOMAIN}", a.to_lowercase());
    // A few hundred plivo credentials, in two accounts (200 at most each).
    app.create_all((0..150).map(|i| format!("desk{i:03}")))
        .await;
    let other = app.other_account().await;
    for i in 0..150 {
        let r = app.create_in(&other, &format!("elsewhere{i:03}")).await;
        assert_eq!(r.status(), 201);
    }
    let (_, pbx) = json(app.create("pbx", "Xy7pQ2mLk9Rt4w").await).await;
    let pbx = pbx["credential_uuid"].as_str().unwrap().to_string();
    // Vobiz: account-wide credentials, one disabled (absent from subscriber).
    let vobiz = app.url(&format!("/api/v1/account/{a}/credentials"));
    for (name, enabled) in [("erin", true), ("gone", false)] {
        let body = json!({"username": name, "password": "Erin-Passw0rd", "enabled": enabled});
        let (status, made) = app.post_json(&vobiz, body).await;
        assert!((200..300).contains(&status), "{made}");
    }
    // An ACL with entries, used by an application and an outbound trunk.
    let acl = app
        .create_acl(
            "Office",
            json!([{"ip": "203.0.113.10", "description": "PBX"},
                   {"ip": "198.51.100.0", "cidr_prefix": 24},
                   {"ip": "2001:db8::", "cidr_prefix": 32}]),
        )
        .await;
    let (status, made) = app
        .post_json(
            &app.applications(""),
            json!({"app_name": "Support line", "answer_url": "https://example.com/answer",
                   "sip_auth_type": "credential_and_ip_acl", "credential_uuid": pbx,
                   "ip_acl_uuid": acl}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, made) = app
        .post_json(
            &app.url(&format!("/v1/Account/{a}/Zentrunk/Trunk/")),
            json!({"name": "Outbound A", "trunk_direction": "outbound",
                   "credential_uuid": pbx, "ip_acl_uuid": acl}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    // Twilio: a credential list with a credential, an ACL with an address,
    // a domain with all three mappings.
    let twilio = |rest: &str| app.url(&format!("/2010-04-01/Accounts/{a}/SIP/{rest}"));
    let post = |rest: String, form: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = json(app.post_form(Who::Me, &twilio(&rest), &form).await).await;
        assert_eq!(status, 201, "{rest}: {body}");
        body["sid"].as_str().unwrap_or_default().to_string()
    };
    let cl = post(
        "CredentialLists.json".into(),
        vec![("FriendlyName", "Phones".into())],
    )
    .await;
    post(
        format!("CredentialLists/{cl}/Credentials.json"),
        vec![
            ("Username", "frank".into()),
            ("Password", "Xy7pQ2mLk9Rt4wZ".into()),
        ],
    )
    .await;
    let al = post(
        "IpAccessControlLists.json".into(),
        vec![("FriendlyName", "Branch".into())],
    )
    .await;
    post(
        format!("IpAccessControlLists/{al}/IpAddresses.json"),
        vec![
            ("FriendlyName", "Branch PBX".into()),
            ("IpAddress", "192.0.2.10".into()),
        ],
    )
    .await;
    let sd = post(
        "Domains.json".into(),
        vec![
            ("DomainName", format!("office.{realm}")),
            ("SipRegistration", "true".into()),
        ],
    )
    .await;
    for (path, key, sid) in [
        ("Calls/CredentialListMappings", "CredentialListSid", &cl),
        (
            "Calls/IpAccessControlListMappings",
            "IpAccessControlListSid",
            &al,
        ),
        (
            "Registrations/CredentialListMappings",
            "CredentialListSid",
            &cl,
        ),
    ] {
        post(
            format!("Domains/{sd}/Auth/{path}.json"),
            vec![(key, sid.clone())],
        )
        .await;
    }
    // Operators, a session, an API key that has been used.
    add(app, "ops", Role::Admin, None).await;
    add(app, "vi", Role::Viewer, Some(&[&a])).await;
    let ops = signed_in(app, "ops").await;
    let (status, made) = ops
        .send(
            app,
            Method::POST,
            &format!("/console/accounts/{a}/api-keys"),
            Some(json!({"name": "provisioning", "role": "editor"})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (key, secret) = (
        made["api_key"]["id"].as_str().unwrap().to_string(),
        made["secret"].as_str().unwrap().to_string(),
    );
    let used = app
        .send(
            Who::Account(&key, &secret),
            Method::GET,
            &app.credentials(""),
            None,
        )
        .await;
    assert_eq!(used.status(), 200);
    // Kamailio's reports: a failure storm (a flagged username), a ban, a
    // REGISTER that succeeded.
    let to = app.sip_events.unwrap();
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let at = now();
    let mut reports: Vec<String> = (1..=30)
        .map(|i| {
            format!(
                "F|{at}|192.0.2.50|5060|udp|{realm}|{}|{}|password|{i}|{i}",
                hex(&realm),
                hex("desk001")
            )
        })
        .collect();
    reports.push(format!("B|{at}|192.0.2.50|{realm}|600|11"));
    reports.push(format!(
        "S|{at}|127.0.0.3|25099|udp|{realm}|{}|REGISTER|{}",
        hex("erin"),
        hex("call-erin-1")
    ));
    for r in &reports {
        socket.send_to(r.as_bytes(), to).await.unwrap();
    }
    for table in [
        "sip_failures",
        "sip_bans",
        "sip_user_flags",
        "credential_seen",
    ] {
        let sql = format!("SELECT count(*) FROM {table}");
        let mut n = 0;
        for _ in 0..50 {
            n = one(&app.db, &sql).await;
            if n > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(n > 0, "no report landed in {table}");
    }
    // The newest credentials deleted: SQLite never reuses their numbers.
    for name in ["last1", "last2"] {
        let (_, made) = json(app.create(name, "Xy7pQ2mLk9Rt4w").await).await;
        let id = made["credential_uuid"].as_str().unwrap();
        assert_eq!(app.delete(&app.credentials(&format!("{id}/"))).await, 204);
    }
    quiet(&app.db).await;
    (key, secret)
}

#[tokio::test]
async fn a_sqlite_store_moves_to_postgres_whole_and_serves_from_there() {
    let Some(options) = crate::fresh_postgres().await else {
        eprintln!("a PostgreSQL run only (SIPAUTH_TEST_DATABASE_URL): the target of migrate");
        return;
    };
    let url = url_of(&options);
    let app = TestApp::builder()
        .sqlite()
        .kamailio(crate::kamailio::rpc_recorder().await.0)
        .spawn()
        .await;
    let (key, secret) = fill(&app).await;
    let lite = &app.db;
    let from = format!("sqlite:{}", app.dir.path().display());

    let (ok, out) = cli(&["migrate", "--from", &from, "--to", &url], "");
    eprintln!("{out}");
    assert!(ok, "{out}");
    assert!(out.contains("committed"), "{out}");
    assert!(!out.contains("NO"), "{out}");
    let credentials = one(lite, "SELECT count(*) FROM credentials").await;
    assert!(credentials > 300);
    let line = out
        .lines()
        .find(|l| l.starts_with("credentials "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        [
            "credentials",
            &credentials.to_string(),
            &credentials.to_string(),
            "yes"
        ]
    );
    let pg = sipauth_server::db::open_postgres(options.clone())
        .await
        .unwrap();
    same(lite, &pg).await;

    // Into a database that holds data: refused, nothing changed.
    let (ok, again) = cli(&["migrate", "--from", &from, "--to", &url], "");
    assert!(!ok, "{again}");
    assert!(again.contains("already holds data"), "{again}");
    assert!(again.contains("Nothing was written"), "{again}");
    same(lite, &pg).await;
    // A password in the URL: refused, and not shown.
    let with_password = url.replacen("@", ":hunter2-secret@", 1);
    let (ok, refused) = cli(&["migrate", "--from", &from, "--to", &with_password], "");
    assert!(!ok, "{refused}");
    assert!(refused.contains("holds a password"), "{refused}");
    assert!(!refused.contains("hunter2"), "{refused}");

    // A server on PostgreSQL serves the migrated account: no demo account
    // made, the token, the API key and the operator's password work.
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), &[], &[("SIPAUTH_DATABASE_URL", &url)]);
    assert!(!dir.path().join("first-run.json").exists());
    let client = reqwest::Client::new();
    let mine = format!(
        "{}/v1/Account/{}/SipAuth/Credential/",
        server.base, app.auth_id
    );
    let basic = Some((app.auth_id.as_str(), app.token.as_str()));
    let (status, listed) =
        json(request(&client, Method::GET, mine.clone(), basic, None).await).await;
    assert_eq!(status, 200, "{listed}");
    let in_account = one(
        lite,
        &format!(
            "SELECT count(*) FROM credentials WHERE account_id = '{}'",
            app.auth_id
        ),
    )
    .await;
    assert_eq!(listed["meta"]["total_count"], in_account);
    let desk: String = q("SELECT id FROM credentials WHERE username = 'desk042'")
        .scalar(&lite.read)
        .await
        .unwrap();
    let (status, found) =
        json(request(&client, Method::GET, format!("{mine}{desk}/"), basic, None).await).await;
    assert_eq!((status, found["username"].as_str()), (200, Some("desk042")));
    let as_key = Some((key.as_str(), secret.as_str()));
    let r = request(&client, Method::GET, mine.clone(), as_key, None).await;
    assert_eq!(r.status(), 200);
    let signed = request(
        &client,
        Method::POST,
        format!("{}/console/session", server.base),
        None,
        Some(json!({"username": "ops", "password": OPERATOR_PASSWORD})),
    )
    .await;
    assert_eq!(signed.status(), 200);

    // New rows get new numbers: past SQLite's last credential (deleted
    // ones included), audit record and account.
    let last_seq: i64 = one(
        lite,
        "SELECT seq FROM sqlite_sequence WHERE name = 'credentials'",
    )
    .await;
    let last_audit = one(lite, "SELECT max(seq) FROM audit_log").await;
    let last_rowid = one(lite, "SELECT max(rowid) FROM accounts").await;
    let made = request(
        &client,
        Method::POST,
        mine,
        basic,
        Some(json!({"username": "fresh", "password": "Xy7pQ2mLk9Rt4w"})),
    )
    .await;
    assert_eq!(made.status(), 201);
    let seq = one(&pg, "SELECT seq FROM credentials WHERE username = 'fresh'").await;
    assert_eq!(seq, last_seq + 1);
    let audit = one(&pg, "SELECT max(seq) FROM audit_log").await;
    assert!(audit > last_audit, "{audit} after {last_audit}");
    let (ok, out) = cli(
        &[
            "account",
            "create",
            "--database",
            &url,
            "--auth-id",
            "MANEWACCOUNT",
        ],
        "",
    );
    assert!(ok, "{out}");
    let rowid = one(
        &pg,
        "SELECT rowid FROM accounts WHERE auth_id = 'MANEWACCOUNT'",
    )
    .await;
    assert_eq!(rowid, last_rowid + 1);
    drop(server);
    pg.close().await;
}

#[tokio::test]
async fn a_row_postgres_refuses_leaves_the_target_empty() {
    let Some(options) = crate::fresh_postgres().await else {
        eprintln!("a PostgreSQL run only (SIPAUTH_TEST_DATABASE_URL): the target of migrate");
        return;
    };
    let url = url_of(&options);
    let app = TestApp::builder().sqlite().spawn().await;
    app.create_all(["alice".to_string(), "bob".to_string()])
        .await;
    // A NUL in a text (SQLite keeps it; PostgreSQL's text cannot hold it),
    // in a table copied after several others.
    app.execute(
        "UPDATE credentials SET description = 'front' || char(0) || 'desk' WHERE username = 'bob'",
        &[],
    )
    .await;
    let from = format!("sqlite:{}", app.dir.path().display());
    let (ok, out) = cli(&["migrate", "--from", &from, "--to", &url], "");
    assert!(!ok, "{out}");
    assert!(out.contains("credentials"), "{out}");
    assert!(out.contains("Nothing was written"), "{out}");
    let pg = sipauth_server::db::open_postgres(options).await.unwrap();
    for table in ["accounts", "credentials", "subscriber", "audit_log"] {
        let n = one(&pg, &format!("SELECT count(*) FROM {table}")).await;
        assert_eq!(n, 0, "{table}");
    }
    // Mended, it goes through into the same database.
    app.execute(
        "UPDATE credentials SET description = 'front desk' WHERE username = 'bob'",
        &[],
    )
    .await;
    let (ok, out) = cli(&["migrate", "--from", &from, "--to", &url], "");
    assert!(ok, "{out}");
    assert_eq!(one(&pg, "SELECT count(*) FROM subscriber").await, 2);
    pg.close().await;
}
