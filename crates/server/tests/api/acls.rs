use crate::{assert_invalid, count, error_message, error_of, json, spawn_app, TestApp, Who};
use serde_json::{json, Value};

impl TestApp {
    pub fn acls(&self, rest: &str) -> String {
        self.url(&format!(
            "/v1/Account/{}/SipAuth/IpAccessControlList/{rest}",
            self.auth_id
        ))
    }

    /// Creates an ACL and returns its id.
    pub async fn create_acl(&self, name: &str, entries: Value) -> String {
        let (status, body) = self
            .post_json(&self.acls(""), json!({"name": name, "entries": entries}))
            .await;
        assert_eq!(status, 201, "{body}");
        body["ip_acl_uuid"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn create_with_entries_retrieve_and_list() {
    let app = spawn_app().await;
    let id = app
        .create_acl(
            "Office Network",
            json!([
                {"ip": "203.0.113.10", "description": "Primary PBX"},
                {"ip": "198.51.100.0", "cidr_prefix": 24},
                {"ip": "2001:db8::", "cidr_prefix": 32, "description": "v6"}
            ]),
        )
        .await;
    let (status, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
    assert_eq!(status, 200);
    assert_eq!(acl["name"], "Office Network");
    assert_eq!(
        acl["resource_uri"],
        format!(
            "/v1/Account/{}/SipAuth/IpAccessControlList/{id}/",
            app.auth_id
        )
    );
    let entries = acl["entries"].as_array().unwrap();
    let got: Vec<(&str, i64, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["ip"].as_str().unwrap(),
                e["cidr_prefix"].as_i64().unwrap(),
                e["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("203.0.113.10", 32, "Primary PBX"),
            ("198.51.100.0", 24, ""),
            ("2001:db8::", 32, "v6")
        ]
    );
    assert!(entries.iter().all(|e| e["entry_id"].is_string()));

    app.create_acl("Carrier", json!([])).await;
    let (_, list) = json(app.get(&app.acls("")).await).await;
    assert_eq!(list["meta"]["total_count"], 2);
    let counts: Vec<(&str, i64)> = list["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap(),
                o["entry_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("Office Network", 3), ("Carrier", 0)]);
    let (_, found) = json(app.get(&app.acls("?name=carr")).await).await;
    assert_eq!(found["objects"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn one_bad_entry_rejects_the_whole_request() {
    let app = spawn_app().await;
    let cases = [
        (
            json!([{"ip": "203.0.113.10"}, {"ip": "203.0.113.256"}]),
            "entries[1].ip",
            "256 is above 255",
        ),
        (
            json!([{"ip": "10.0.0.0", "cidr_prefix": 33}]),
            "entries[0].cidr_prefix",
            "33 is out of range",
        ),
        (
            json!([{"ip": "::1", "cidr_prefix": 129}]),
            "entries[0].cidr_prefix",
            "129 is out of range",
        ),
        (json!([{"cidr_prefix": 24}]), "entries[0].ip", "required"),
        (
            json!([{"ip": "10.0.0.1", "cidr_prefix": "24"}]),
            "entries[0].cidr_prefix",
            "whole number",
        ),
        (
            json!([{"ip": "10.0.0.1", "description": "d".repeat(256)}]),
            "entries[0].description",
            "256 characters",
        ),
        (
            json!([{"ip": "10.0.0.0", "cidr_prefix": 8}, {"ip": "10.9.9.9", "cidr_prefix": 8}]),
            "entries[1].ip",
            "same network as entries[0]",
        ),
        (json!(["10.0.0.1"]), "entries[0]", "must be an object"),
    ];
    for (entries, field, fragment) in cases {
        let answer = app
            .post_json(&app.acls(""), json!({"name": "Office", "entries": entries}))
            .await;
        assert_invalid(&answer, field, fragment);
        assert!(error_message(&answer.1).starts_with(field), "{entries}");
    }
    for (name, fragment) in [("", "empty"), ("   ", "only spaces")] {
        let answer = app.post_json(&app.acls(""), json!({"name": name})).await;
        assert_invalid(&answer, "name", fragment);
    }
    let fifty_one: Vec<Value> = (0..51)
        .map(|i| json!({"ip": format!("10.0.0.{i}")}))
        .collect();
    let (status, body) = app
        .post_json(&app.acls(""), json!({"name": "Big", "entries": fifty_one}))
        .await;
    assert_eq!(status, 400);
    assert!(error_message(&body).contains("at most 50 entries"));
    // Nothing was written by any of these.
    let (_, list) = json(app.get(&app.acls("")).await).await;
    assert_eq!(list["meta"]["total_count"], 0);
    let entries: i64 = app.scalar("SELECT count(*) FROM acl_entries", &[]).await;
    assert_eq!(entries, 0);
}

#[tokio::test]
async fn rename_add_remove_entries_and_delete() {
    let app = spawn_app().await;
    let id = app.create_acl("Office", json!([])).await;
    let (status, body) = app
        .post_json(&app.acls(&format!("{id}/")), json!({"name": "Head office"}))
        .await;
    assert_eq!(status, 202, "{body}");
    let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
    assert_eq!(acl["name"], "Head office");

    let entry_url = app.acls(&format!("{id}/Entry/"));
    let (status, added) = app
        .post_json(
            &entry_url,
            json!({"ip": "203.0.113.10", "cidr_prefix": 24, "description": "PBX"}),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    let entry_id = added["entry_id"].as_str().unwrap().to_string();
    // Host bits are accepted (the console flags them); the same network again is 409.
    let (status, body) = app
        .post_json(&entry_url, json!({"ip": "203.0.113.99", "cidr_prefix": 24}))
        .await;
    assert_eq!(status, 409);
    assert!(error_message(&body).contains("203.0.113.0/24"));
    let (status, body) = app
        .post_json(&entry_url, json!({"ip": "2001:db8::1", "cidr_prefix": 129}))
        .await;
    assert_eq!((status, body["field"].as_str()), (400, Some("cidr_prefix")));

    assert_eq!(
        app.delete(&app.acls(&format!("{id}/Entry/{entry_id}/")))
            .await,
        204
    );
    assert_eq!(
        app.delete(&app.acls(&format!("{id}/Entry/{entry_id}/")))
            .await,
        404
    );
    let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
    assert_eq!(acl["entries"].as_array().unwrap().len(), 0);

    assert_eq!(app.delete(&app.acls(&format!("{id}/"))).await, 204);
    assert_eq!(
        error_of(json(app.get(&app.acls(&format!("{id}/"))).await).await, 404),
        "IP ACL not found"
    );
    let (status, _) = app.post_json(&entry_url, json!({"ip": "10.0.0.1"})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn quotas_of_acls_and_entries() {
    let app = spawn_app().await;
    let mut first = String::new();
    for i in 0..100 {
        let id = app.create_acl(&format!("acl {i}"), json!([])).await;
        if i == 0 {
            first = id;
        }
    }
    let (status, body) = app
        .post_json(&app.acls(""), json!({"name": "one too many"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        error_message(&body).contains("quota") && error_message(&body).contains("100"),
        "{body}"
    );

    let entry_url = app.acls(&format!("{first}/Entry/"));
    for i in 0..50 {
        let (status, body) = app
            .post_json(&entry_url, json!({"ip": format!("10.0.1.{i}")}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = app.post_json(&entry_url, json!({"ip": "10.0.2.1"})).await;
    assert_eq!(status, 400);
    assert!(
        error_message(&body).contains("at most 50 entries"),
        "{body}"
    );
}

#[tokio::test]
async fn racing_entry_adds_stop_at_the_quota() {
    let app = spawn_app().await;
    let seed: Vec<Value> = (0..40)
        .map(|i| json!({"ip": format!("10.0.0.{i}")}))
        .collect();
    let id = app.create_acl("Office", json!(seed)).await;
    let url = app.acls(&format!("{id}/Entry/"));
    let statuses = app
        .race(&url, 30, |i| json!({"ip": format!("192.0.2.{i}")}))
        .await;
    assert_eq!(count(&statuses, 201), 10);
    assert_eq!(count(&statuses, 400), 20);
    let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
    assert_eq!(acl["entries"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn another_accounts_acls_look_missing() {
    let app = spawn_app().await;
    let id = app.create_acl("Office", json!([{"ip": "10.0.0.1"}])).await;
    let (other, other_token) = app.other_account().await;
    let base = app.url(&format!(
        "/v1/Account/{other}/SipAuth/IpAccessControlList/{id}/"
    ));
    for (method, url) in [
        (reqwest::Method::GET, base.clone()),
        (reqwest::Method::POST, base.clone()),
        (reqwest::Method::DELETE, base.clone()),
        (reqwest::Method::POST, format!("{base}Entry/")),
    ] {
        let stolen = json!({"name": "stolen", "ip": "10.9.9.9"});
        let as_other = Who::Account(&other, &other_token);
        let r = app
            .send(as_other, method.clone(), &url, Some(&stolen))
            .await;
        assert_eq!(r.status(), 404, "{method} {url}");
    }
    let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
    assert_eq!(acl["name"], "Office");
    assert_eq!(acl["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn acl_names_are_unique_per_account_on_create_and_rename() {
    let app = spawn_app().await;
    let office = app.create_acl("Office", json!([])).await;
    // The same name in another case, after trimming: 409 naming it.
    let message = error_of(
        app.post_json(&app.acls(""), json!({"name": "  office "}))
            .await,
        409,
    );
    assert_eq!(
        message,
        "An IP ACL named \"office\" already exists in this account"
    );
    let branch = app.create_acl("Branch", json!([])).await;
    let message = error_of(
        app.post_json(&app.acls(&format!("{branch}/")), json!({"name": "OFFICE"}))
            .await,
        409,
    );
    assert!(message.contains("An IP ACL named \"OFFICE\""), "{message}");
    let (_, acl) = json(app.get(&app.acls(&format!("{branch}/"))).await).await;
    assert_eq!(acl["name"], "Branch", "a refused rename changes nothing");
    // An ACL may take another case of its own name.
    let (status, body) = app
        .post_json(&app.acls(&format!("{office}/")), json!({"name": "OFFICE"}))
        .await;
    assert_eq!(status, 202, "{body}");
    // A name freed by a rename or a delete can be taken again.
    let (status, body) = app
        .post_json(
            &app.acls(&format!("{branch}/")),
            json!({"name": "Branch 2"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    app.create_acl("Branch", json!([])).await;
    assert_eq!(app.delete(&app.acls(&format!("{office}/"))).await, 204);
    app.create_acl("Office", json!([])).await;
}

#[tokio::test]
async fn acl_names_are_per_account_and_never_reveal_anothers() {
    let app = spawn_app().await;
    app.create_acl("Office", json!([])).await;
    let (other, token) = app.other_account().await;
    let theirs = app.url(&format!("/v1/Account/{other}/SipAuth/IpAccessControlList/"));
    let as_other = Who::Account(&other, &token);
    let create = |name: &str| {
        let body = json!({"name": name});
        let (app, theirs) = (&app, theirs.clone());
        async move {
            json(
                app.send(as_other, reqwest::Method::POST, &theirs, Some(&body))
                    .await,
            )
            .await
        }
    };
    // Another account may use the same name.
    let (status, body) = create("Office").await;
    assert_eq!(status, 201, "{body}");
    // Its own duplicate names its own ACL, and nothing of this account's.
    let (status, body) = create("Head office").await;
    assert_eq!(status, 201, "{body}");
    let message = error_of(create("head OFFICE").await, 409);
    assert!(message.contains("\"head OFFICE\""), "{message}");
    let (_, mine) = json(app.get(&app.acls("")).await).await;
    assert_eq!(mine["meta"]["total_count"], 1, "{mine}");
}

#[tokio::test]
async fn racing_creates_of_one_name_land_once() {
    let app = spawn_app().await;
    let statuses = app
        .race(
            &app.acls(""),
            12,
            |i| json!({"name": if i % 2 == 0 { "Office" } else { "OFFICE" }}),
        )
        .await;
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), 11, "{statuses:?}");
}

#[tokio::test]
async fn acls_with_one_name_from_before_the_rule_stay_readable() {
    let app = spawn_app().await;
    let first = app.create_acl("Office", json!([])).await;
    // A store written before names were unique.
    app.execute(
        "INSERT INTO ip_acls (id, account_id, name) VALUES ('legacy-acl', $1, 'office')",
        &[&app.auth_id],
    )
    .await;
    let (status, list) = json(app.get(&app.acls("")).await).await;
    assert_eq!(status, 200);
    assert_eq!(list["meta"]["total_count"], 2, "{list}");
    let (status, _) = json(app.get(&app.acls("legacy-acl/")).await).await;
    assert_eq!(status, 200);
    // Either may be renamed away from the clash (not onto the other).
    error_of(
        app.post_json(&app.acls(&format!("{first}/")), json!({"name": "OFFICE"}))
            .await,
        409,
    );
    let (status, body) = app
        .post_json(&app.acls("legacy-acl/"), json!({"name": "Office (old)"}))
        .await;
    assert_eq!(status, 202, "{body}");
}

#[tokio::test]
async fn mapped_and_unspecified_addresses_are_refused_link_local_accepted() {
    let app = spawn_app().await;
    let id = app.create_acl("Office", json!([])).await;
    let url = app.acls(&format!("{id}/Entry/"));
    assert_invalid(
        &app.post_json(&url, json!({"ip": "::ffff:192.0.2.1"})).await,
        "ip",
        "::ffff:192.0.2.1 is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter 192.0.2.1",
    );
    assert_invalid(
        &app.post_json(&url, json!({"ip": "::ffff:192.0.2.0", "cidr_prefix": 120}))
            .await,
        "ip",
        "enter 192.0.2.0/24",
    );
    for ip in ["::", "0.0.0.0"] {
        assert_invalid(
            &app.post_json(&url, json!({"ip": ip})).await,
            "ip",
            "is the unspecified address",
        );
    }
    // On create too, naming the entry.
    assert_invalid(
        &app.post_json(
            &app.acls(""),
            json!({"name": "Mapped", "entries": [{"ip": "10.0.0.1"}, {"ip": "::ffff:10.0.0.1"}]}),
        )
        .await,
        "entries[1].ip",
        "enter 10.0.0.1",
    );
    // Link-local is allowed (the console warns); so is a catch-all.
    for ip in ["fe80::1", "169.254.1.1"] {
        let (status, body) = app.post_json(&url, json!({"ip": ip})).await;
        assert_eq!(status, 201, "{ip}: {body}");
    }
    let (status, body) = app
        .post_json(&url, json!({"ip": "0.0.0.0", "cidr_prefix": 0}))
        .await;
    assert_eq!(status, 201, "{body}");
}
