//! Group commit: changes racing for the write connection share a COMMIT,
//! each still atomic with its record. Failures (a taken username, the quota)
//! interleaved with successes in the same batches undo only themselves, and
//! nothing is left open on `db.write` afterwards.

use crate::{spawn_app, OPERATOR_PASSWORD};
use serde_json::json;
use sipauth_model::quota;
use sipauth_server::sql::q;
use std::collections::HashMap;
use std::time::Duration;

const PASSWORD: &str = "Group-Commit-Passw0rd-1";

fn dup(i: usize) -> bool {
    i.is_multiple_of(6)
}

fn username(i: usize) -> String {
    if dup(i) {
        "dup.user".into()
    } else {
        format!("user.{i}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_that_fail_undo_only_themselves() {
    let app = spawn_app().await;
    let max = quota::CREDENTIALS_PER_ACCOUNT as usize;
    // 200 distinct usernames and 40 racers for one more: one over the quota
    // at least, 39 duplicates at least.
    let n = max / 5 * 6;
    let url = app.url(&format!("/v1/Account/{}/SipAuth/Credential/", app.auth_id));
    let statuses = app
        .race(
            &url,
            n,
            |i| json!({"username": username(i), "password": PASSWORD}),
        )
        .await;
    assert!(
        statuses.iter().all(|s| [201, 400, 409].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), max);
    assert!(statuses.contains(&400) && statuses.contains(&409));
    let dup_landed = (0..n).filter(|i| dup(*i) && statuses[*i] == 201).count();
    assert!(dup_landed <= 1, "{statuses:?}");

    let count = |rows: Vec<(String, i64)>| rows.into_iter().collect::<HashMap<_, _>>();
    let rows = count(
        app.select(
            "SELECT username, count(*) FROM credentials GROUP BY username",
            &[],
        )
        .await,
    );
    let records = count(
        app.select(
            "SELECT name, count(*) FROM audit_log
             WHERE resource = 'credential' AND action = 'created' GROUP BY name",
            &[],
        )
        .await,
    );
    assert_eq!(rows.values().sum::<i64>(), max as i64);
    assert_eq!(rows, records, "every row has its record, no record without");
    for (i, status) in statuses.iter().enumerate() {
        let name = username(i);
        if *status == 201 {
            assert_eq!(rows.get(&name), Some(&1), "{name}: acknowledged, so stored");
        } else if !dup(i) {
            assert_eq!(rows.get(&name), None, "{name}: refused, so not stored");
        }
    }
    assert_eq!(
        rows.get("dup.user").copied().unwrap_or(0),
        dup_landed as i64
    );

    // Nothing left open: a direct user of `db.write` gets the connection,
    // outside any transaction, and a sign-in (a session written) works.
    let mut tx = tokio::time::timeout(Duration::from_secs(5), app.db.transaction(None))
        .await
        .expect("the write connection is back in the pool")
        .unwrap();
    q("DELETE FROM credentials WHERE username = 'nobody'")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.add_operator().await;
    let signed = tokio::time::timeout(
        Duration::from_secs(5),
        app.sign_in("ops", OPERATOR_PASSWORD),
    )
    .await
    .unwrap();
    assert_eq!(signed.status(), 200);
    // And the next change runs (refused: the quota is full).
    let next = app
        .race(
            &url,
            1,
            |_| json!({"username": "one.more", "password": PASSWORD}),
        )
        .await;
    assert_eq!(next, [400]);
}
