//! The views Kamailio reads — `subscriber` (auth_db), `address`
//! (permissions, one group per entry point), `sip_entry_points` and
//! `sip_members` (htable) — kept true by every API write, the `version`
//! rows Kamailio checks before it starts, and the reloads the server asks
//! each Kamailio node for.

use crate::{json, spawn_app, TestApp, Who, SIP_DOMAIN};
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_model::{Password, Realm, Username};
use std::sync::{Arc, Mutex};

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    post_at(
        app,
        &app.url(&format!("/v1/Account/{}/{path}", app.auth_id)),
        body,
    )
    .await
}

/// A JSON POST to `url` that must succeed; its answer.
async fn post_at(app: &TestApp, url: &str, body: Value) -> Value {
    let (status, body) = app.post_json(url, body).await;
    assert!((200..300).contains(&status), "{url}: {status} {body}");
    body
}

#[tokio::test]
async fn subscriber_holds_ha1_and_ha1b_of_enabled_credentials_in_their_own_realm() {
    let app = spawn_app().await;
    let versions: Vec<(String, i64)> = app
        .select(
            "SELECT table_name, CAST(table_version AS BIGINT) FROM version ORDER BY table_name",
            &[],
        )
        .await;
    assert_eq!(
        versions,
        [
            ("address".to_string(), 6),
            ("htable".to_string(), 2),
            ("subscriber".to_string(), 7)
        ]
    );

    assert_eq!(
        app.create("phone.100", "Phone-Passw0rd-100").await.status(),
        201
    );
    let stored: Vec<(String, String, String, String, String)> = app
        .select(
            "SELECT username, domain, password, ha1, ha1b FROM subscriber",
            &[],
        )
        .await;
    let (user, domain, password, ha1, ha1b) = &stored[0];
    assert_eq!((user.as_str(), password.as_str()), ("phone.100", ""));
    assert_eq!(
        *domain,
        format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase())
    );
    let digests = sipauth_model::digests(
        &Username::parse("phone.100").unwrap(),
        &Realm::parse(domain).unwrap(),
        &Password::parse("Phone-Passw0rd-100").unwrap(),
    );
    assert_eq!((ha1, ha1b), (&digests.ha1, &digests.ha1b));
    assert_ne!(ha1, ha1b);

    // A disabled credential is not a subscriber until it is enabled.
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let created = post_at(
        &app,
        &vobiz,
        json!({ "username": "agent.off", "password": "eightchr", "enabled": false }),
    )
    .await;
    let users = || app.rows("SELECT username, domain FROM subscriber ORDER BY id");
    assert_eq!(users().await.len(), 1);
    let url = format!("{vobiz}/{}", created["id"].as_str().unwrap());
    let enable = json!({ "enabled": true });
    let r = app.send(Who::Me, Method::PUT, &url, Some(&enable)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(users().await[1].0, "agent.off");

    // A row in another account's realm (only a store from before the rule
    // could hold one) never reaches Kamailio.
    let (other, _) = app.other_account().await;
    app.execute(
        "INSERT INTO credentials (id, account_id, username, realm, ha1) VALUES ('x', $1, 'intruder', $2, 'h')",
        &[&app.auth_id, &format!("{}.{SIP_DOMAIN}", other.to_lowercase())],
    )
    .await;
    assert!(users().await.iter().all(|(u, _)| u != "intruder"));
}

#[tokio::test]
async fn entry_points_members_and_address_groups_follow_assignments() {
    let app = spawn_app().await;
    let realm = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());
    let alice = post(
        &app,
        "SipAuth/Credential/",
        json!({"username": "alice", "password": "Alice-Passw0rd-1"}),
    )
    .await;
    let alice = alice["credential_uuid"].as_str().unwrap().to_string();
    post(
        &app,
        "SipAuth/Credential/",
        json!({"username": "bob", "password": "Bob-Passw0rd-1"}),
    )
    .await;
    let office = post(
        &app,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Office", "entries": [
            { "ip": "203.0.113.9", "cidr_prefix": 24 },
            { "ip": "2001:db8::1", "cidr_prefix": 128 }
        ]}),
    )
    .await;
    let office = office["ip_acl_uuid"].as_str().unwrap().to_string();
    post(
        &app,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Unused", "entries": [{ "ip": "127.0.0.2", "cidr_prefix": 32 }]}),
    )
    .await;
    // Before any entry point uses them, ACLs admit nothing at any entry
    // point; the account's group (its realm's, `rowid * 4 + 3`) holds every
    // entry of every ACL of the account: the sources never banned there.
    let address = || {
        app.rows(
            "SELECT grp || '', ip_addr || '/' || mask FROM address WHERE grp % 4 <> 3
             ORDER BY grp, id",
        )
    };
    assert!(address().await.is_empty());
    let exempt = || {
        app.rows(
            "SELECT grp || '', ip_addr || '/' || mask FROM address WHERE grp % 4 = 3
             ORDER BY grp, id",
        )
    };
    let account_group: i64 = app
        .scalar(
            "SELECT rowid * 4 + 3 FROM accounts WHERE auth_id = $1",
            &[&app.auth_id],
        )
        .await;
    let account_group = account_group.to_string();
    assert_eq!(
        exempt().await,
        [
            (account_group.clone(), "203.0.113.0/24".to_string()),
            (account_group.clone(), "2001:db8::1/128".to_string()),
            (account_group.clone(), "127.0.0.2/32".to_string()),
        ]
    );

    let app_both = post(
        &app,
        "Application/",
        json!({"app_name": "Both", "sip_auth_type": "credential_and_ip_acl",
               "credential_uuid": alice, "ip_acl_uuid": office}),
    )
    .await;
    let app_id = app_both["app_id"].as_str().unwrap().to_string();
    let shown = app
        .get(&app.url(&format!(
            "/v1/Account/{}/Application/{app_id}/",
            app.auth_id
        )))
        .await;
    let (_, shown) = json(shown).await;
    assert_eq!(shown["sip_uri"], format!("sip:{app_id}@{realm}"));

    let entries = || app.rows("SELECT key_name, key_value FROM sip_entry_points ORDER BY id");
    let eps = entries().await;
    // The application, then the account's realm (its vobiz credentials).
    assert_eq!(eps.len(), 2, "{eps:?}");
    assert_eq!(eps[0].0, format!("{app_id}@{realm}"));
    let group = eps[0].1.split('|').next().unwrap().to_string();
    assert_eq!(
        eps[0].1,
        format!("{group}|both|closed|{realm}|{account_group}")
    );
    assert_eq!(eps[1].0, realm);
    assert_eq!(
        eps[1].1,
        format!("{account_group}|cred|cred|{realm}|{account_group}"),
        "{eps:?}"
    );
    // Only the assigned credential is a member; only the assigned ACL's
    // entries are in the application's group.
    let members = || app.rows("SELECT key_name, key_value FROM sip_members ORDER BY key_name");
    assert_eq!(
        members().await,
        [(format!("{group}:i:alice"), "1".to_string())]
    );
    assert_eq!(
        address().await,
        [
            (group.clone(), "203.0.113.0/24".to_string()),
            (group.clone(), "2001:db8::1/128".to_string())
        ]
    );

    // Unassigning: an application with no SIP auth takes calls openly and
    // has no members or addresses.
    post(
        &app,
        &format!("Application/{app_id}/"),
        json!({"sip_auth_type": ""}),
    )
    .await;
    assert_eq!(
        entries().await[0].1,
        format!("{group}|open|closed|{realm}|{account_group}")
    );
    assert!(members().await.is_empty());
    assert!(address().await.is_empty());

    // A vobiz credential is a member at the account's realm, for calls and
    // registrations; a plivo one is not.
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let erin = json!({ "username": "erin", "password": "Erin-Passw0rd" });
    let erin = post_at(&app, &vobiz, erin).await;
    assert_eq!(erin["sip_uri"], format!("sip:erin@{realm}"));
    assert_eq!(
        entries().await[1].1.split('|').next().unwrap(),
        account_group
    );
    assert_eq!(
        members().await,
        [
            (format!("{account_group}:i:erin"), "1".to_string()),
            (format!("{account_group}:r:erin"), "1".to_string())
        ]
    );
}

/// A stand-in JSON-RPC endpoint on a free port that records the methods it
/// is called with (the real Kamailio is driven by the SIP suite).
pub(crate) async fn rpc_recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let handler = move |body: String| {
        let seen = seen.clone();
        async move {
            let call: Value = serde_json::from_str(&body).unwrap();
            let params = call["params"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            seen.lock()
                .unwrap()
                .push(format!("{} {params}", call["method"].as_str().unwrap()));
            axum::Json(json!({"jsonrpc": "2.0", "result": "Ok.", "id": call["id"]}))
        }
    };
    let router = axum::Router::new().route("/RPC", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/RPC", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, calls)
}

#[tokio::test]
async fn a_change_kamailio_caches_reloads_it_and_reads_do_not() {
    let (url, calls) = rpc_recorder().await;
    let app = TestApp::builder().kamailio(url).spawn().await;
    let wait = |n: usize| {
        let calls = calls.clone();
        async move {
            for _ in 0..200 {
                if calls.lock().unwrap().len() >= n {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
    // One round at start: the settings `sipauth serve` wrote (`sipcfg`)
    // reach the node with everything else.
    wait(4).await;
    let round = [
        "permissions.addressReload ",
        "htable.reload sipep",
        "htable.reload sipmember",
        "htable.reload sipcfg",
    ];
    assert_eq!(*calls.lock().unwrap(), round);
    // A write that is not an ACL (an application's assignment) reloads all
    // four caches.
    post(
        &app,
        "Application/",
        json!({"app_name": "Open", "sip_auth_type": ""}),
    )
    .await;
    wait(8).await;
    assert_eq!(calls.lock().unwrap()[4..], round);
    // Reads and refused writes reload nothing.
    let r = app
        .get(&app.url(&format!("/v1/Account/{}/Application/", app.auth_id)))
        .await;
    assert_eq!(r.status(), 200);
    let r = app.create("x", "short").await;
    assert_eq!(r.status(), 400);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(calls.lock().unwrap().len(), 8);
}

/// The reloads follow the service's change events, whatever the dialect or
/// route: a new password or a new label reaches nothing Kamailio caches,
/// while an address added through twilio's IpAddresses does.
#[tokio::test]
async fn passwords_and_labels_reload_nothing_and_twilio_addresses_reload() {
    let (url, calls) = rpc_recorder().await;
    let app = TestApp::builder().kamailio(url).spawn().await;
    let count = || calls.lock().unwrap().len();
    let settle = || tokio::time::sleep(std::time::Duration::from_millis(300));
    // The round at start.
    settle().await;
    assert_eq!(count(), 4);
    let created = post(
        &app,
        "SipAuth/Credential/",
        json!({"username": "desk.1", "password": "Correct-Horse-9"}),
    )
    .await;
    let acl = post(
        &app,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Office"}),
    )
    .await;
    settle().await;
    let before = count();
    assert!(before >= 8, "creates reload: {before}");
    let id = created["credential_uuid"].as_str().unwrap();
    post(
        &app,
        &format!("SipAuth/Credential/{id}/"),
        json!({"password": "Battery-Staple-7"}),
    )
    .await;
    let acl_id = acl["ip_acl_uuid"].as_str().unwrap();
    post(
        &app,
        &format!("SipAuth/IpAccessControlList/{acl_id}/"),
        json!({"name": "Head office"}),
    )
    .await;
    settle().await;
    assert_eq!(count(), before, "a password or a name reloaded Kamailio");
    let addresses = app.url(&format!(
        "/2010-04-01/Accounts/{}/SIP/IpAccessControlLists/{acl_id}/IpAddresses.json",
        app.auth_id
    ));
    let form = [("IpAddress", "192.0.2.7"), ("FriendlyName", "PBX")];
    let r = app.post_form(Who::Me, &addresses, &form).await;
    assert_eq!(r.status(), 201);
    settle().await;
    assert_eq!(count(), before + 4, "{:?}", calls.lock().unwrap());
}

/// The reloads reach Kamailio over its jsonrpcs Unix datagram socket too
/// (`--kamailio-rpc unix:…`, which no browser can reach): a stand-in socket
/// records the calls and answers each to the sender's own socket.
#[tokio::test]
async fn reloads_go_over_the_unix_datagram_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kamailio_rpc.sock");
    let socket = tokio::net::UnixDatagram::bind(&path).unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            let call: Value = serde_json::from_slice(&buf[..n]).unwrap();
            seen.lock()
                .unwrap()
                .push(call["method"].as_str().unwrap().to_string());
            let answer = json!({"jsonrpc": "2.0", "result": "Ok.", "id": call["id"]});
            let to = from.as_pathname().unwrap().to_path_buf();
            socket
                .send_to(answer.to_string().as_bytes(), to)
                .await
                .unwrap();
        }
    });
    let app = TestApp::builder()
        .kamailio(format!("unix:{}", path.display()))
        .spawn()
        .await;
    let wait = |n: usize| {
        let calls = calls.clone();
        async move {
            for _ in 0..200 {
                if calls.lock().unwrap().len() >= n {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
    // The round at start, then the change's.
    wait(4).await;
    post(
        &app,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Office", "entries": [{"ip": "192.0.2.1"}]}),
    )
    .await;
    wait(8).await;
    let round = [
        "permissions.addressReload",
        "htable.reload",
        "htable.reload",
        "htable.reload",
    ];
    assert_eq!(calls.lock().unwrap()[..4], round);
    assert_eq!(calls.lock().unwrap()[4..], round);
    // The server's own reply sockets are cleaned up.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!("sipauth-rpc-{}-", std::process::id()))
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The notice as an operator signed in through `one` reads it from `at`.
async fn notice(one: &TestApp, at: &TestApp) -> Value {
    let r = one
        .client
        .get(at.url("/console/sip-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn every_servers_notice_lists_each_node_whichever_server_changed_it() {
    let (live, calls) = rpc_recorder().await;
    // Nothing listens on port 9 of loopback: a stopped node.
    let dead = "http://127.0.0.1:9/RPC".to_string();
    let one = TestApp::builder()
        .kamailio(live.clone())
        .kamailio(dead.clone())
        .spawn()
        .await;
    let two = TestApp::builder()
        .beside(&one)
        .kamailio(live.clone())
        .kamailio(dead.clone())
        .spawn()
        .await;
    one.add_operator().await;
    assert_eq!(
        one.sign_in("ops", crate::OPERATOR_PASSWORD).await.status(),
        200
    );
    let before = notice(&one, &two).await["changes"].as_u64().unwrap();
    post(
        &one,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Office"}),
    )
    .await;
    // Counted with the change: the other server knows at once.
    let counted = notice(&one, &two).await;
    assert_eq!(
        counted["changes"].as_u64().unwrap(),
        before + 1,
        "{counted}"
    );
    let mut last = Value::Null;
    for _ in 0..100 {
        last = notice(&one, &two).await;
        if last["nodes"][0]["state"] == "enforced" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last["configured"], true);
    assert_eq!(last["picked_up"], false, "{last}");
    let nodes = last["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2, "{last}");
    assert_eq!(nodes[0]["node"], live.as_str());
    assert_eq!(nodes[0]["state"], "enforced", "{last}");
    assert_eq!(nodes[1]["node"], dead.as_str());
    assert_eq!(nodes[1]["state"], "pending", "{last}");
    let why = nodes[1]["why"].as_str().unwrap_or_default();
    assert!(why.contains("127.0.0.1:9"), "{last}");
    assert!(last["error"].as_str().unwrap().starts_with(&dead), "{last}");
    // The same on the server that made the change.
    assert_eq!(notice(&one, &one).await["nodes"], last["nodes"]);
    assert!(!calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_node_only_another_server_names_still_gets_the_change() {
    let (url, calls) = rpc_recorder().await;
    // `one` tells no node; `two` tells this one.
    let one = crate::spawn_app().await;
    let two = TestApp::builder().beside(&one).kamailio(url).spawn().await;
    let settled = |n: usize| {
        let calls = calls.clone();
        async move {
            for _ in 0..100 {
                if calls.lock().unwrap().len() >= n {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            false
        }
    };
    // The start's round.
    assert!(settled(4).await);
    post(
        &one,
        "SipAuth/IpAccessControlList/",
        json!({"name": "Office"}),
    )
    .await;
    // Found counted in the store by `two`'s worker (looks each second,
    // reloads when behind on two looks in a row).
    assert!(settled(8).await, "{:?}", calls.lock().unwrap());
    let state = notice_of(&two).await;
    assert_eq!(state["picked_up"], true, "{state}");
}

/// The notice read by an operator signed in on `app` itself.
async fn notice_of(app: &TestApp) -> Value {
    app.add_operator().await;
    assert_eq!(
        app.sign_in("ops", crate::OPERATOR_PASSWORD).await.status(),
        200
    );
    notice(app, app).await
}
