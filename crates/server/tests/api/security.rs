//! What the SIP side reports, as operators see it: Kamailio's datagrams
//! (sent here over a real UDP socket to the server's listener) become last
//! seen, failures, flagged usernames and bans; registrations come from each
//! node's usrloc over JSON-RPC (a stand-in node answering as Kamailio 5.6
//! does; the SIP suite drives the real one); Unban asks every node and is
//! audited. Each account sees only its own.

use crate::roles::{add, signed_in, Op};
use crate::{hex, json, spawn_app, unix_now as now, TestApp, Who, SIP_DOMAIN};
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_server::service::Role;
use sipauth_server::sql::q;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A stand-in Kamailio node: records every call (`method p1,p2`), answers
/// `ul.lookup` from `contacts` (by AoR) or with usrloc's "AOR not found",
/// `htable.delete` as htable does, and reloads with "Ok.".
struct Node {
    url: String,
    calls: Arc<Mutex<Vec<String>>>,
    contacts: Arc<Mutex<HashMap<String, Value>>>,
}

async fn node() -> Node {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let contacts: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let (seen, known) = (calls.clone(), contacts.clone());
    let handler = move |body: String| {
        let (seen, known) = (seen.clone(), known.clone());
        async move {
            let call: Value = serde_json::from_str(&body).unwrap();
            let method = call["method"].as_str().unwrap().to_string();
            let params: Vec<String> = call["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            seen.lock()
                .unwrap()
                .push(format!("{method} {}", params.join(",")));
            let answer = match method.as_str() {
                "ul.lookup" => match known.lock().unwrap().get(&params[1]) {
                    Some(result) => json!({"jsonrpc": "2.0", "result": result, "id": call["id"]}),
                    None => json!({"jsonrpc": "2.0", "id": call["id"],
                        "error": {"code": 500, "message": "AOR not found in location table"}}),
                },
                "htable.delete" if params[0] == "failsrc" => json!({"jsonrpc": "2.0",
                    "id": call["id"], "error": {"code": 404, "message": "Key not found in htable."}}),
                "htable.delete" => {
                    json!({"jsonrpc": "2.0", "result": "Ok. Key deleted.", "id": call["id"]})
                }
                _ => json!({"jsonrpc": "2.0", "result": "Ok.", "id": call["id"]}),
            };
            axum::Json(answer)
        }
    };
    let router = axum::Router::new().route("/RPC", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/RPC", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Node {
        url,
        calls,
        contacts,
    }
}

/// One contact as Kamailio 5.6's `ul.lookup` answers it (checked against
/// `/usr/sbin/kamailio` with usrloc and registrar's `received_avp`).
fn usrloc(aor: &str, call_id: &str, modified: i64) -> Value {
    json!({
        "AoR": aor,
        "Contacts": [{"Contact": {
            "Address": format!("sip:{}@10.9.8.7:5090;transport=udp", aor.split('@').next().unwrap()),
            "Expires": 300, "Q": -1, "Call-ID": call_id, "CSeq": 1,
            "User-Agent": "ProbePhone/1.0",
            "Received": "sip:127.0.0.3:25099;transport=udp",
            "Path": "[not set]", "State": "CS_NEW", "Flags": 0, "CFlags": 0,
            "Socket": "udp:127.0.0.1:25060", "Methods": 4294967295u32,
            "Ruid": "uloc-6b0f7ffb-51ba-1", "Instance": "[not set]", "Reg-Id": 0,
            "Server-Id": 0, "Tcpconn-Id": -1, "Keepalive": 0,
            "Last-Keepalive": modified, "KA-Roundtrip": 0, "Last-Modified": modified
        }}]
    })
}

fn realm(auth_id: &str) -> String {
    format!("{}.{SIP_DOMAIN}", auth_id.to_lowercase())
}

/// Sends each datagram to the app's listener from one UDP socket.
async fn report(app: &TestApp, datagrams: &[Vec<u8>]) {
    let to = app.sip_events.expect("a listener with --kamailio-rpc");
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for d in datagrams {
        // A datagram UDP cannot carry (1 MB) fails here, as it would in
        // Kamailio; it never reaches the server.
        let _ = socket.send_to(d, to).await;
    }
}

fn failure(
    at: i64,
    source: &str,
    realm: &str,
    entry: &str,
    user: &str,
    reason: &str,
    by_user: u32,
) -> Vec<u8> {
    format!(
        "F|{at}|{source}|5060|udp|{realm}|{}|{}|{reason}|1|{by_user}",
        hex(entry),
        hex(user)
    )
    .into_bytes()
}

/// `op`'s GET of `path` until `done` holds for its JSON (reports are
/// flushed about once a second): the last answer.
async fn until(app: &TestApp, op: &Op, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..60 {
        let (status, body) = op.send(app, Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        if done(&body) {
            return body;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never got there: {last}");
}

fn sip(app: &TestApp, rest: &str) -> String {
    format!("/console/accounts/{}/sip/{rest}", app.auth_id)
}

#[tokio::test]
async fn a_failure_storm_is_counted_flagged_banned_and_an_editor_unbans() {
    let node = node().await;
    let app = TestApp::builder().kamailio(node.url.clone()).spawn().await;
    let created = app.create("desk100", "Xy7pQ2mLk9Rt4w").await;
    let (_, created) = json(created).await;
    let desk = created["credential_uuid"].as_str().unwrap().to_string();
    add(&app, "ed", Role::Editor, None).await;
    add(&app, "vi", Role::Viewer, Some(&[&app.auth_id])).await;
    let ed = signed_in(&app, "ed").await;
    let vi = signed_in(&app, "vi").await;
    let realm = realm(&app.auth_id);
    let at = now();
    // 30 wrong passwords for desk100 from one source (the username's
    // count passes 20 from the 21st), 5 unknown users from another.
    let mut storm: Vec<Vec<u8>> = (1..=30)
        .map(|i| failure(at, "192.0.2.50", &realm, &realm, "desk100", "password", i))
        .collect();
    let entry = format!("AP123@{realm}");
    storm.extend((1..=5).map(|i| failure(at, "192.0.2.51", &realm, &entry, "admin", "user", i)));
    report(&app, &storm).await;

    let failures = until(&app, &vi, &sip(&app, "failures"), |b| {
        b["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["count"].as_i64().unwrap())
            .sum::<i64>()
            == 35
    })
    .await;
    assert_eq!(failures["total"], 2, "{failures}");
    assert_eq!(
        (failures["page"].as_i64(), failures["page_size"].as_i64()),
        (Some(0), Some(50))
    );
    let rows = failures["failures"].as_array().unwrap();
    let desk_row = rows.iter().find(|r| r["source"] == "192.0.2.50").unwrap();
    assert_eq!(desk_row["count"], 30);
    assert_eq!(desk_row["username"], "desk100");
    assert_eq!(desk_row["reason"], "wrong password");
    assert_eq!(desk_row["entry"], realm.as_str());
    assert!(desk_row["at"].as_str().unwrap().ends_with('Z'));
    let admin_row = rows.iter().find(|r| r["source"] == "192.0.2.51").unwrap();
    assert_eq!(
        (admin_row["reason"].as_str(), admin_row["entry"].as_str()),
        (Some("unknown user"), Some(entry.as_str()))
    );
    // Filters narrow the list; a bad page size is refused.
    let (_, only) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, "failures?username=admin"),
            None,
        )
        .await;
    assert_eq!(only["total"], 1);
    let (_, only) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, "failures?source=192.0.2.50&page_size=1"),
            None,
        )
        .await;
    assert_eq!(
        (
            only["total"].as_i64(),
            only["failures"][0]["count"].as_i64()
        ),
        (Some(1), Some(30))
    );
    let (status, _) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, "failures?page_size=500"),
            None,
        )
        .await;
    assert_eq!(status, 400);

    let security = until(&app, &vi, &sip(&app, "security"), |b| {
        !b["top_sources"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        security["settings"],
        json!({"ban_failures": 10, "ban_window": 60, "ban_seconds": 600, "user_failures": 20})
    );
    let hourly = security["hourly"].as_array().unwrap();
    assert_eq!(hourly.len(), 24);
    assert_eq!(hourly[23]["failures"], 35, "{security}");
    assert_eq!(
        hourly
            .iter()
            .map(|h| h["failures"].as_i64().unwrap())
            .sum::<i64>(),
        35
    );
    assert!(hourly[0]["hour"].as_str().unwrap() < hourly[23]["hour"].as_str().unwrap());
    assert_eq!(
        security["top_sources"],
        json!([
            {"source": "192.0.2.50", "failures": 30, "banned": false},
            {"source": "192.0.2.51", "failures": 5, "banned": false}
        ])
    );
    assert_eq!(
        security["top_usernames"],
        json!([
            {"username": "desk100", "failures": 30, "credential_id": desk, "under_attack": true},
            {"username": "admin", "failures": 5, "credential_id": null, "under_attack": false}
        ])
    );
    assert_eq!(security["bans"], json!([]));
    let (_, listed) = vi
        .send(&app, Method::GET, &sip(&app, "credentials"), None)
        .await;
    assert_eq!(listed["credentials"][0]["under_attack"], true, "{listed}");

    // Kamailio banned the first source: the ban shows with its time left.
    report(
        &app,
        &[format!("B|{at}|192.0.2.50|{realm}|600|11").into_bytes()],
    )
    .await;
    let security = until(&app, &vi, &sip(&app, "security"), |b| {
        !b["bans"].as_array().unwrap().is_empty()
    })
    .await;
    let ban = &security["bans"][0];
    assert_eq!(
        (ban["source"].as_str(), ban["failures"].as_i64()),
        (Some("192.0.2.50"), Some(11))
    );
    // 600 s from `at`, less the time this test has taken so far (a loaded
    // machine may take several seconds to get here).
    let left = ban["seconds_left"].as_i64().unwrap();
    let expected = 600 - (now() - at);
    assert!(
        (expected - 2..=expected + 1).contains(&left),
        "{left} s left, {expected} expected"
    );
    assert_eq!(security["top_sources"][0]["banned"], true);

    // A viewer may not lift it; an editor without the CSRF token neither.
    let unban = sip(&app, "bans/192.0.2.50");
    let (status, body) = vi.send(&app, Method::DELETE, &unban, None).await;
    assert_eq!(status, 403, "{body}");
    let r = ed.client.delete(app.url(&unban)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(node
        .calls
        .lock()
        .unwrap()
        .iter()
        .all(|c| !c.starts_with("htable.delete")));

    let (status, lifted) = ed.send(&app, Method::DELETE, &unban, None).await;
    assert_eq!(status, 200, "{lifted}");
    assert_eq!(
        lifted,
        json!({"source": "192.0.2.50", "nodes": [{"node": node.url, "lifted": true}]})
    );
    let group: i64 = app
        .scalar(
            "SELECT rowid * 4 + 3 FROM accounts WHERE auth_id = $1",
            &[&app.auth_id],
        )
        .await;
    let deletes: Vec<String> = node
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.starts_with("htable.delete"))
        .cloned()
        .collect();
    let mut deletes = deletes;
    deletes.sort();
    assert_eq!(
        deletes,
        [
            format!("htable.delete ban,192.0.2.50|{group}"),
            format!("htable.delete failsrc,192.0.2.50|{group}"),
        ]
    );
    let (_, security) = vi
        .send(&app, Method::GET, &sip(&app, "security"), None)
        .await;
    assert_eq!(security["bans"], json!([]));
    assert_eq!(security["top_sources"][0]["banned"], false);
    let by: String = app
        .scalar(
            "SELECT lifted_by FROM sip_bans WHERE source = '192.0.2.50'",
            &[],
        )
        .await;
    assert_eq!(by, "operator:ed");
    let records: Vec<(String, String, String, String, String)> = app
        .select(
            "SELECT actor, coalesce(account_id, ''), resource_id, name, role FROM audit_log
             WHERE resource = 'ban' AND action = 'unban'",
            &[],
        )
        .await;
    assert_eq!(
        records,
        [(
            "operator:ed".to_string(),
            app.auth_id.clone(),
            "192.0.2.50".to_string(),
            "192.0.2.50".to_string(),
            "editor".to_string()
        )]
    );
    // No current ban any more: 404, and no second record.
    let (status, _) = ed.send(&app, Method::DELETE, &unban, None).await;
    assert_eq!(status, 404);
    let (status, _) = ed
        .send(&app, Method::DELETE, &sip(&app, "bans/..%2F..%2Fetc"), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_success_sets_last_seen_and_registrations_come_from_the_nodes() {
    let node = node().await;
    let app = TestApp::builder().kamailio(node.url.clone()).spawn().await;
    let realm = realm(&app.auth_id);
    // A vobiz credential registers at the realm; a plivo one nowhere.
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let (status, erin) = app
        .post_json(
            &vobiz,
            json!({"username": "erin", "password": "Erin-Passw0rd"}),
        )
        .await;
    assert!((200..300).contains(&status), "{erin}");
    let erin = erin["id"].as_str().unwrap().to_string();
    assert_eq!(app.create("desk1", "Xy7pQ2mLk9Rt4w").await.status(), 201);
    // A Twilio credential registers at each domain mapping its list for
    // registrations.
    let twilio = |rest: &str| app.url(&format!("/2010-04-01/Accounts/{}/SIP/{rest}", app.auth_id));
    let r = app
        .post_form(
            Who::Me,
            &twilio("CredentialLists.json"),
            &[("FriendlyName", "Phones")],
        )
        .await;
    let cl = json(r).await.1["sid"].as_str().unwrap().to_string();
    let r = app
        .post_form(
            Who::Me,
            &twilio(&format!("CredentialLists/{cl}/Credentials.json")),
            &[("Username", "frank"), ("Password", "Xy7pQ2mLk9Rt4wZ")],
        )
        .await;
    let (status, frank) = json(r).await;
    assert_eq!(status, 201, "{frank}");
    let frank = frank["sid"].as_str().unwrap().to_string();
    let office = format!("office.{realm}");
    let r = app
        .post_form(
            Who::Me,
            &twilio("Domains.json"),
            &[("DomainName", &office), ("SipRegistration", "true")],
        )
        .await;
    let sd = json(r).await.1["sid"].as_str().unwrap().to_string();
    let r = app
        .post_form(
            Who::Me,
            &twilio(&format!(
                "Domains/{sd}/Auth/Registrations/CredentialListMappings.json"
            )),
            &[("CredentialListSid", &cl)],
        )
        .await;
    assert_eq!(r.status(), 201);

    let modified = now() - 30;
    node.contacts.lock().unwrap().insert(
        format!("erin@{realm}"),
        usrloc(&format!("erin@{realm}"), "call-erin-1", modified),
    );
    node.contacts.lock().unwrap().insert(
        format!("frank@{office}"),
        usrloc(&format!("frank@{office}"), "call-frank-1", modified),
    );
    add(&app, "vi", Role::Viewer, None).await;
    let vi = signed_in(&app, "vi").await;

    // erin's REGISTER was accepted (the same Call-ID as the contact).
    let at = now() - 5;
    report(
        &app,
        &[format!(
            "S|{at}|127.0.0.3|25099|UDP|{realm}|{}|REGISTER|{}",
            hex("erin"),
            hex("call-erin-1")
        )
        .into_bytes()],
    )
    .await;
    let listed = until(&app, &vi, &sip(&app, "credentials"), |b| {
        b["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| !c["last_seen"].is_null())
    })
    .await;
    assert_eq!(listed["stale_days"], 90);
    let by_name = |name: &str| {
        listed["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["username"] == name)
            .unwrap()
            .clone()
    };
    let e = by_name("erin");
    assert_eq!(e["id"], erin.as_str());
    assert_eq!(
        e["last_seen"],
        json!({"at": rfc3339(at), "source": "127.0.0.3", "port": 25099, "transport": "udp", "method": "REGISTER"})
    );
    assert_eq!(
        (e["registrations"].as_i64(), e["under_attack"].as_bool()),
        (Some(1), Some(false))
    );
    let d = by_name("desk1");
    assert_eq!(
        (d["last_seen"].is_null(), d["registrations"].is_null()),
        (true, true),
        "{d}"
    );
    assert_eq!(by_name("frank")["registrations"], 1);

    let (status, regs) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, &format!("registrations?credential={erin}")),
            None,
        )
        .await;
    assert_eq!(status, 200, "{regs}");
    assert_eq!(
        regs,
        json!({
            "registrations": [{
                "aor": format!("erin@{realm}"),
                "username": "erin",
                "contact": "sip:erin@10.9.8.7:5090;transport=udp",
                "source": "127.0.0.3",
                "port": 25099,
                "transport": "udp",
                "user_agent": "ProbePhone/1.0",
                "expires_in": 300,
                "registered_since": rfc3339(at),
                "last_refresh": rfc3339(modified),
                "node": node.url,
            }],
            "unreachable": [],
            "truncated": false,
        })
    );
    // A domain's registrations; frank's REGISTER was never reported, so
    // "registered since" is not known.
    let (_, regs) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, &format!("registrations?domain={sd}")),
            None,
        )
        .await;
    let list = regs["registrations"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{regs}");
    assert_eq!(
        (
            list[0]["aor"].as_str(),
            list[0]["registered_since"].is_null()
        ),
        (Some(format!("frank@{office}").as_str()), true)
    );
    let (_, regs) = vi
        .send(
            &app,
            Method::GET,
            &sip(&app, &format!("registrations?credential={frank}")),
            None,
        )
        .await;
    assert_eq!(regs["registrations"].as_array().unwrap().len(), 1);
    // Unknown ids are 404; neither parameter is 400.
    for q in ["credential=CRnope", "domain=SDnope"] {
        let (status, _) = vi
            .send(
                &app,
                Method::GET,
                &sip(&app, &format!("registrations?{q}")),
                None,
            )
            .await;
        assert_eq!(status, 404, "{q}");
    }
    let (status, _) = vi
        .send(&app, Method::GET, &sip(&app, "registrations"), None)
        .await;
    assert_eq!(status, 400);
    assert!(node
        .calls
        .lock()
        .unwrap()
        .contains(&format!("ul.lookup location,erin@{realm}")));
}

fn rfc3339(t: i64) -> String {
    sipauth_server::sip_events::rfc3339(t).unwrap()
}

#[tokio::test]
async fn another_accounts_operator_never_sees_this_accounts_reports() {
    let node = node().await;
    let app = TestApp::builder().kamailio(node.url.clone()).spawn().await;
    let (other, _) = app.other_account().await;
    add(&app, "b_ed", Role::Editor, Some(&[&other])).await;
    add(&app, "a_vi", Role::Viewer, Some(&[&app.auth_id])).await;
    let b = signed_in(&app, "b_ed").await;
    let a = signed_in(&app, "a_vi").await;
    let realm = realm(&app.auth_id);
    let at = now();
    report(
        &app,
        &[
            failure(at, "198.51.100.7", &realm, &realm, "alice", "password", 1),
            format!("B|{at}|198.51.100.7|{realm}|600|11").into_bytes(),
        ],
    )
    .await;
    until(&app, &a, &sip(&app, "security"), |s| {
        !s["bans"].as_array().unwrap().is_empty()
    })
    .await;
    // B's editor: every route of A is the unknown account's 404.
    for (method, rest) in [
        (Method::GET, "credentials"),
        (Method::GET, "registrations?credential=x"),
        (Method::GET, "security"),
        (Method::GET, "failures"),
        (Method::DELETE, "bans/198.51.100.7"),
    ] {
        let (status, body) = b.send(&app, method.clone(), &sip(&app, rest), None).await;
        assert_eq!(status, 404, "{rest}: {body}");
        assert!(!body.to_string().contains("198.51.100.7"));
    }
    // B's own views hold none of A's reports.
    let path = |rest: &str| format!("/console/accounts/{other}/sip/{rest}");
    let (status, security) = b.send(&app, Method::GET, &path("security"), None).await;
    assert_eq!(status, 200, "{security}");
    assert_eq!(
        (security["bans"].clone(), security["top_sources"].clone()),
        (json!([]), json!([]))
    );
    let (_, failures) = b.send(&app, Method::GET, &path("failures"), None).await;
    assert_eq!(failures["total"], 0);
    let (status, _) = b
        .send(&app, Method::DELETE, &path("bans/198.51.100.7"), None)
        .await;
    assert_eq!(status, 404);
    // A's ban is untouched.
    let (_, security) = a
        .send(&app, Method::GET, &sip(&app, "security"), None)
        .await;
    assert_eq!(security["bans"][0]["source"], "198.51.100.7");
    // Without a session: 401.
    let r = reqwest::get(app.url(&sip(&app, "security"))).await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn malformed_oversized_and_foreign_datagrams_change_nothing() {
    let node = node().await;
    let app = TestApp::builder().kamailio(node.url.clone()).spawn().await;
    let (other, _) = app.other_account().await;
    assert_eq!(app.create("alice", "Xy7pQ2mLk9Rt4w").await.status(), 201);
    add(&app, "vi", Role::Viewer, None).await;
    let vi = signed_in(&app, "vi").await;
    let realm = realm(&app.auth_id);
    let other_realm = self::realm(&other);
    let at = now();
    let good_s = |user: &str, realm: &str| {
        format!(
            "S|{at}|192.0.2.9|5060|udp|{realm}|{}|INVITE|{}",
            hex(user),
            hex("c1")
        )
        .into_bytes()
    };
    let mut oversized = failure(at, "192.0.2.1", &realm, &realm, "alice", "password", 1);
    oversized.extend(std::iter::repeat_n(b'0', 1100));
    let bad: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"hello".to_vec(),
        b"S|||||||".to_vec(),
        vec![0xff; 300],
        oversized,
        vec![b'F'; 60_000],
        vec![b'B'; 1 << 20],
        // Unknown realm, a realm with dot segments, an entry outside the realm.
        failure(
            at,
            "192.0.2.1",
            "nobody.sip.test",
            "nobody.sip.test",
            "alice",
            "password",
            1,
        ),
        failure(
            at,
            "192.0.2.1",
            "../../etc",
            "../../etc",
            "alice",
            "password",
            1,
        ),
        failure(
            at,
            "192.0.2.1",
            &realm,
            &format!("x@{other_realm}"),
            "alice",
            "password",
            1,
        ),
        failure(
            at,
            "192.0.2.1",
            &realm,
            &format!("../{realm}"),
            "alice",
            "password",
            1,
        ),
        format!("B|{at}|192.0.2.1|{realm}/..|600|11").into_bytes(),
        format!("B|{at}|192.0.2.1/32|{realm}|600|11").into_bytes(),
        format!("B|{at}|not-an-ip|{realm}|600|11").into_bytes(),
        format!("B|{at}|192.0.2.1|{realm}|600").into_bytes(),
        format!("B|{}|192.0.2.1|{realm}|600|11", at + 10 * 86_400).into_bytes(),
        format!(
            "F|{at}|192.0.2.1|5060|udp|{realm}|{}|{}|password|1|1",
            hex(&realm),
            hex(&"a".repeat(65))
        )
        .into_bytes(),
        format!(
            "F|{at}|192.0.2.1|5060|carrier-pigeon|{realm}|{}|{}|password|1|1",
            hex(&realm),
            hex("a")
        )
        .into_bytes(),
        format!("S|{at}|192.0.2.9|5060|udp|{realm}|{}|INVITE", hex("alice")).into_bytes(),
        good_s("alice", "nobody.sip.test"),
    ];
    report(&app, &bad).await;
    // Then one good report: once it shows, every datagram before it was read.
    report(&app, &[good_s("alice", &realm)]).await;
    until(&app, &vi, &sip(&app, "credentials"), |b| {
        !b["credentials"][0]["last_seen"].is_null()
    })
    .await;
    let count = |table: &'static str| {
        let db = app.db.clone();
        async move {
            let n: i64 = q(format!("SELECT count(*) FROM {table}"))
                .scalar(&db.read)
                .await
                .unwrap();
            n
        }
    };
    for table in ["sip_failures", "sip_bans", "sip_user_flags"] {
        assert_eq!(count(table).await, 0, "{table}");
    }
    assert_eq!(count("credential_seen").await, 1);
    let (_, listed) = vi
        .send(&app, Method::GET, &sip(&app, "credentials"), None)
        .await;
    assert_eq!(listed["credentials"][0]["last_seen"]["source"], "192.0.2.9");
}

#[tokio::test]
async fn the_views_exist_only_with_kamailio_and_config_says_so() {
    let app = spawn_app().await;
    let (_, config) = json(app.get_anonymous(&app.url("/config.json")).await).await;
    assert_eq!(config["sip_insight"], false);
    add(&app, "vi", Role::Viewer, None).await;
    let vi = signed_in(&app, "vi").await;
    let (status, _) = vi
        .send(&app, Method::GET, &sip(&app, "security"), None)
        .await;
    assert_eq!(status, 404);
    assert!(app.sip_events.is_none());

    let node = node().await;
    let app = TestApp::builder().kamailio(node.url).spawn().await;
    let (_, config) = json(app.get_anonymous(&app.url("/config.json")).await).await;
    assert_eq!(config["sip_insight"], true);
}

/// A node that does not answer is named, and the others' answers still
/// show: registrations from the live node, an unban lifted there only.
#[tokio::test]
async fn a_node_that_does_not_answer_is_named_and_the_others_still_count() {
    let live = node().await;
    // Nothing listens on port 9 of loopback.
    let dead = "http://127.0.0.1:9/RPC".to_string();
    let app = TestApp::builder()
        .kamailio(live.url.clone())
        .kamailio(dead.clone())
        .spawn()
        .await;
    let realm = realm(&app.auth_id);
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let (_, erin) = app
        .post_json(
            &vobiz,
            json!({"username": "erin", "password": "Erin-Passw0rd"}),
        )
        .await;
    let erin = erin["id"].as_str().unwrap().to_string();
    let aor = format!("erin@{realm}");
    live.contacts
        .lock()
        .unwrap()
        .insert(aor.clone(), usrloc(&aor, "c-1", now()));
    add(&app, "ed", Role::Editor, None).await;
    let ed = signed_in(&app, "ed").await;
    let (status, regs) = ed
        .send(
            &app,
            Method::GET,
            &sip(&app, &format!("registrations?credential={erin}")),
            None,
        )
        .await;
    assert_eq!(status, 200, "{regs}");
    assert_eq!(regs["unreachable"], json!([dead]));
    assert_eq!(regs["registrations"][0]["node"], live.url.as_str());
    let (_, listed) = ed
        .send(&app, Method::GET, &sip(&app, "credentials"), None)
        .await;
    assert_eq!(listed["credentials"][0]["registrations"], 1);
    assert_eq!(listed["unreachable"], json!([dead]));

    report(
        &app,
        &[format!("B|{}|203.0.113.5|{realm}|600|11", now()).into_bytes()],
    )
    .await;
    until(&app, &ed, &sip(&app, "security"), |s| {
        !s["bans"].as_array().unwrap().is_empty()
    })
    .await;
    let (status, lifted) = ed
        .send(&app, Method::DELETE, &sip(&app, "bans/203.0.113.5"), None)
        .await;
    assert_eq!(status, 200, "{lifted}");
    let nodes = lifted["nodes"].as_array().unwrap();
    assert_eq!(nodes[0], json!({"node": live.url, "lifted": true}));
    assert_eq!(
        (nodes[1]["node"].as_str(), nodes[1]["lifted"].as_bool()),
        (Some(dead.as_str()), Some(false))
    );
    assert!(
        nodes[1]["error"].as_str().unwrap().contains("no answer"),
        "{lifted}"
    );
}
