//! The views Kamailio reads: `subscriber` (auth_db) and `address`
//! (permissions), kept true by every API write, and the `version` rows
//! Kamailio checks before it starts.

use crate::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn subscriber_and_address_follow_the_api() {
    let app = spawn_app().await;
    let versions: Vec<(String, i64)> =
        sqlx::query_as("SELECT table_name, table_version FROM version ORDER BY table_name")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(
        versions,
        [("address".to_string(), 6), ("subscriber".to_string(), 7)]
    );

    // A credential: its HA1 under the realm, as auth_db with use_domain reads it.
    assert_eq!(
        app.create("phone.100", "Phone-Passw0rd-100").await.status(),
        201
    );
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT username, domain, password, ha1 FROM subscriber")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    let (user, domain, password, ha1) = &rows[0];
    assert_eq!((user.as_str(), password.as_str()), ("phone.100", ""));
    use sipauth_model::{Password, Realm, Username};
    assert_eq!(
        *ha1,
        sipauth_model::ha1(
            &Username::parse("phone.100").unwrap(),
            &Realm::parse(domain).unwrap(),
            &Password::parse("Phone-Passw0rd-100").unwrap()
        )
    );

    // A disabled credential is not a subscriber until it is enabled.
    let vobiz = app.url(&format!("/api/v1/account/{}/credentials", app.auth_id));
    let created: Value = app
        .client
        .post(&vobiz)
        .basic_auth(&app.auth_id, Some(&app.token))
        .json(&json!({ "username": "agent.off", "password": "eightchr", "enabled": false }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subscribers = || async {
        sqlx::query_scalar::<_, String>("SELECT username FROM subscriber ORDER BY id")
            .fetch_all(&app.db.read)
            .await
            .unwrap()
    };
    assert_eq!(subscribers().await, ["phone.100"]);
    let r = app
        .client
        .put(format!("{vobiz}/{}", created["id"].as_str().unwrap()))
        .basic_auth(&app.auth_id, Some(&app.token))
        .json(&json!({ "enabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(subscribers().await, ["phone.100", "agent.off"]);

    // ACL entries: one group per ACL, the masked network and its prefix.
    let acl: Value = app
        .client
        .post(app.url(&format!(
            "/v1/Account/{}/SipAuth/IpAccessControlList/",
            app.auth_id
        )))
        .basic_auth(&app.auth_id, Some(&app.token))
        .json(&json!({ "name": "Office", "entries": [
            { "ip": "203.0.113.9", "cidr_prefix": 24 },
            { "ip": "2001:db8::1", "cidr_prefix": 128 }
        ] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other: Value = app
        .client
        .post(app.url(&format!(
            "/v1/Account/{}/SipAuth/IpAccessControlList/",
            app.auth_id
        )))
        .basic_auth(&app.auth_id, Some(&app.token))
        .json(&json!({ "name": "Lab", "entries": [{ "ip": "127.0.0.2", "cidr_prefix": 32 }] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows: Vec<(i64, String, i64, i64, String)> =
        sqlx::query_as("SELECT grp, ip_addr, mask, port, tag FROM address ORDER BY id")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    let office = acl["ip_acl_uuid"].as_str().unwrap();
    let lab = other["ip_acl_uuid"].as_str().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2, rows[0].3, rows[0].4.as_str()),
        ("203.0.113.0", 24, 0, office)
    );
    assert_eq!((rows[1].1.as_str(), rows[1].2), ("2001:db8::1", 128));
    assert_eq!((rows[2].1.as_str(), rows[2].4.as_str()), ("127.0.0.2", lab));
    assert_eq!(rows[0].0, rows[1].0, "one group per ACL");
    assert_ne!(rows[0].0, rows[2].0);

    // Deleting the ACL removes its addresses.
    let r = app
        .client
        .delete(app.url(&format!(
            "/v1/Account/{}/SipAuth/IpAccessControlList/{lab}/",
            app.auth_id
        )))
        .basic_auth(&app.auth_id, Some(&app.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM address")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(left, 2);
}
