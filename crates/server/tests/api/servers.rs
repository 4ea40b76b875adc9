//! Several servers on one store (each with its own connections, caches
//! and limits, as separate processes have): they behave as one. On
//! PostgreSQL this is the deployment the backend exists for; on SQLite,
//! two processes on one file.

use crate::{count, error_message, json, spawn_app, too_many, TestApp, OPERATOR_PASSWORD};
use serde_json::json;

#[tokio::test]
async fn racing_creates_through_two_servers_land_exactly_the_quota() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    // 40 of the ACL's 50 entries, then 50 more, every other one through
    // the other server, all at once.
    let seed: Vec<_> = (0..40)
        .map(|i| json!({"ip": format!("10.0.0.{i}")}))
        .collect();
    let id = one.create_acl("Office", json!(seed)).await;
    let racers: Vec<_> = (0..50)
        .map(|i| {
            let app = if i % 2 == 0 { &one } else { &two };
            let url = app.acls(&format!("{id}/Entry/"));
            let request = app
                .client
                .post(url)
                .basic_auth(&app.auth_id, Some(&app.token))
                .json(&json!({"ip": format!("192.0.2.{i}")}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in racers {
        statuses.push(r.await.unwrap());
    }
    assert_eq!(count(&statuses, 201), 10, "{statuses:?}");
    assert_eq!(count(&statuses, 400), 40, "{statuses:?}");
    for app in [&one, &two] {
        let (_, acl) = json(app.get(&app.acls(&format!("{id}/"))).await).await;
        assert_eq!(acl["entries"].as_array().unwrap().len(), 50);
    }
}

#[tokio::test]
async fn a_change_through_one_server_is_read_through_the_other_at_once() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    for i in 0..5 {
        let name = format!("user{i}");
        let (status, body) = json(one.create(&name, "Str0ng-Passw0rd-2026").await).await;
        assert_eq!(status, 201, "{body}");
        let id = body["credential_uuid"].as_str().unwrap();
        let (status, read) = json(two.get(&two.credentials(&format!("{id}/"))).await).await;
        assert_eq!(
            (status, read["username"].as_str()),
            (200, Some(name.as_str()))
        );
        // And a delete through the second is gone from the first.
        assert_eq!(two.delete(&two.credentials(&format!("{id}/"))).await, 204);
        assert_eq!(
            one.get(&one.credentials(&format!("{id}/"))).await.status(),
            404
        );
    }
}

#[tokio::test]
async fn a_session_signed_in_on_one_server_works_on_the_other_and_ends_on_both() {
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    one.add_operator().await;
    let signed = one.sign_in("ops", OPERATOR_PASSWORD).await;
    assert_eq!(signed.status(), 200);
    let csrf = json(signed).await.1["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    // One browser (`one`'s cookie jar) sent to either server, as a
    // balancer does.
    let session = |app: &TestApp| one.client.get(app.url("/console/session")).send();
    assert_eq!(session(&two).await.unwrap().status(), 200);
    let out = one
        .client
        .delete(two.url("/console/session"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    // Signed out through the second server: out on the first too.
    assert_eq!(session(&one).await.unwrap().status(), 401);
}

#[tokio::test]
async fn serve_refuses_a_database_url_holding_a_password_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let url = "postgres://sipauth:hunter2-secret@127.0.0.1:1/sipauth";
    let (ok, out) = crate::binary::cli(&["serve", "--data-dir", d, "--database", url], "");
    assert!(!ok, "{out}");
    assert!(out.contains("holds a password"), "{out}");
    assert!(out.contains("PGPASSFILE"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
    let (ok, out) = crate::binary::cli(
        &["serve", "--data-dir", d, "--database", "mysql://x@y/z"],
        "",
    );
    assert!(!ok && out.contains("a postgres:// URL"), "{out}");
}

#[tokio::test]
async fn serve_on_postgres_keeps_the_store_there() {
    let Some((options, url)) = fresh_postgres_url().await else {
        return;
    };
    // A data directory that does not exist yet: made, for the first run's
    // sign-in.
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let server = crate::binary::start_with(&dir, &[], &[("SIPAUTH_DATABASE_URL", &url)]);
    let (auth_id, token, _) = crate::binary::first_run(&dir);
    let created = crate::binary::request(
        &reqwest::Client::new(),
        reqwest::Method::POST,
        format!("{}/v1/Account/{auth_id}/SipAuth/Credential/", server.base),
        Some((&auth_id, &token)),
        Some(json!({"username": "pg.user", "password": "Str0ng-Passw0rd-2026"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    // In PostgreSQL, where Kamailio reads it; nothing in the data directory
    // but the first run's file.
    let db = sipauth_server::db::open_postgres(options).await.unwrap();
    let users: Vec<String> = sipauth_server::sql::q("SELECT username FROM subscriber")
        .fetch_all::<(String,)>(&db.read)
        .await
        .unwrap()
        .into_iter()
        .map(|(u,)| u)
        .collect();
    assert_eq!(users, ["pg.user"]);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["first-run.json"]);
}

#[tokio::test]
async fn servers_starting_together_on_a_new_database_make_one_demo_account() {
    let Some((options, url)) = fresh_postgres_url().await else {
        return;
    };
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let starting: Vec<_> = dirs
        .iter()
        .map(|d| {
            let (path, url) = (d.path().to_path_buf(), url.clone());
            std::thread::spawn(move || {
                crate::binary::start_with(&path, &[], &[("SIPAUTH_DATABASE_URL", &url)])
            })
        })
        .collect();
    let _servers: Vec<_> = starting.into_iter().map(|s| s.join().unwrap()).collect();
    let made = dirs
        .iter()
        .filter(|d| d.path().join("first-run.json").exists())
        .count();
    assert_eq!(made, 1);
    let db = sipauth_server::db::open_postgres(options).await.unwrap();
    let accounts: i64 = sipauth_server::sql::q("SELECT count(*) FROM accounts")
        .scalar(&db.read)
        .await
        .unwrap();
    assert_eq!(accounts, 1);
}

/// On a PostgreSQL run, a new database and its URL (no password: the test
/// cluster trusts loopback); else `None`, saying why.
async fn fresh_postgres_url() -> Option<(sqlx::postgres::PgConnectOptions, String)> {
    let Some(options) = crate::fresh_postgres().await else {
        eprintln!("a PostgreSQL run only (SIPAUTH_TEST_DATABASE_URL)");
        return None;
    };
    let url = crate::url_of(&options);
    Some((options, url))
}

/// Whether this run keeps its rate limits in each server's memory (SQLite:
/// one server per file), where limits shared by servers do not apply.
fn limits_per_process() -> bool {
    let sqlite = crate::postgres_url().is_none();
    if sqlite {
        eprintln!("a PostgreSQL run only: on SQLite each server limits in its memory");
    }
    sqlite
}

/// A 429's or 503's `Retry-After`, in seconds.
fn retry_after(r: &reqwest::Response) -> Option<u64> {
    r.headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

/// Two servers on one PostgreSQL allow an account its budget once, not
/// twice: 2N requests through them in turn, N pass and the rest are told
/// when to come back, by either server.
#[tokio::test]
async fn servers_on_one_postgres_share_an_accounts_request_budget() {
    if limits_per_process() {
        return;
    }
    const N: u32 = 5;
    let one = TestApp::builder().rate_limit(N).spawn().await;
    let two = TestApp::builder().rate_limit(N).beside(&one).spawn().await;
    let mut statuses = Vec::new();
    for i in 0..2 * N {
        let app = if i % 2 == 0 { &one } else { &two };
        let r = app.get(&app.credentials("")).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            // 5 a minute: one back every 12 s.
            let message = too_many(r, 12).await;
            assert!(message.contains("5 requests a minute"), "{message}");
        }
    }
    let n = N as usize;
    assert_eq!(count(&statuses, 200), n, "{statuses:?}");
    assert_eq!(statuses[..n], [200; N as usize], "{statuses:?}");
    assert_eq!(statuses[n..], [429; N as usize], "{statuses:?}");
}

/// Failed sign-ins from one address are counted across the servers: ten
/// a minute in all, wherever the balancer sends them; the eleventh refuses
/// the address on both.
#[tokio::test]
async fn servers_on_one_postgres_share_the_sign_in_limit_per_address() {
    if limits_per_process() {
        return;
    }
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    one.add_operator().await;
    let limit = sipauth_server::SIGN_IN_FAILURES_PER_MINUTE as usize;
    let mut statuses = Vec::new();
    for i in 0..limit + 3 {
        let app = if i % 2 == 0 { &one } else { &two };
        statuses.push(
            app.sign_in("ops", "Wrong-Pass-2026")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(count(&statuses, 401), limit + 1, "{statuses:?}");
    assert_eq!(statuses[limit + 1..], [429, 429], "{statuses:?}");
    // The right password waits too, on either server.
    for app in [&one, &two] {
        let message = too_many(app.sign_in("ops", OPERATOR_PASSWORD).await, 6).await;
        assert!(
            message.contains("too many failed sign-ins from this address"),
            "{message}"
        );
    }
}

/// Failed API authentications from one source are counted across the
/// servers: past 30, the source is refused by both, the right token
/// included.
#[tokio::test]
async fn servers_on_one_postgres_share_the_failed_authentication_guard() {
    if limits_per_process() {
        return;
    }
    let one = spawn_app().await;
    let two = TestApp::builder().beside(&one).spawn().await;
    let guess = |app: &TestApp, token: &str| {
        app.client
            .get(app.credentials(""))
            .basic_auth(&app.auth_id, Some(token))
            .send()
    };
    for i in 0..=sipauth_server::AUTH_FAILURES_PER_MINUTE {
        let app = if i % 2 == 0 { &one } else { &two };
        let r = guess(app, &format!("guess-{i}")).await.unwrap();
        assert_eq!(r.status(), 401, "guess {i}");
    }
    for app in [&one, &two] {
        let r = guess(app, &app.token).await.unwrap();
        assert_eq!(r.status(), 429);
        assert!(retry_after(&r).is_some_and(|s| (1..=2).contains(&s)));
    }
}

/// The shared statement decides as governor does in memory (the same
/// bursts, refill and waits), over a long run of uneven arrivals and
/// costs, on a clock the test moves.
#[tokio::test]
async fn the_shared_statement_answers_as_governor_does() {
    use governor::clock::{Clock, FakeRelativeClock};
    use std::num::NonZeroU32;
    use std::time::Duration;
    let Some(options) = crate::fresh_postgres().await else {
        eprintln!("a PostgreSQL run only (SIPAUTH_TEST_DATABASE_URL)");
        return;
    };
    let db = sipauth_server::db::open_postgres(options).await.unwrap();
    let sipauth_server::sql::Pool::Pg(pool) = &db.write else {
        unreachable!()
    };
    let mut seed: u64 = 0x5eed;
    let mut random = |below: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    for per_minute in [1u32, 6, 10, 60] {
        let shared =
            sipauth_server::rate_limit::RateLimiter::shared(pool.clone(), "t:", per_minute);
        let clock = FakeRelativeClock::default();
        let quota = governor::Quota::per_minute(NonZeroU32::new(per_minute).unwrap());
        let governor = governor::RateLimiter::hashmap_with_clock(quota, clock.clone());
        let interval = 60_000_000 / u64::from(per_minute);
        // Far ahead of the database's clock: no bucket here is evicted.
        let mut now: i64 = 4_000_000_000_000_000;
        let (mut passed, mut refused) = (0, 0);
        for _ in 0..150 {
            let step = random(2 * interval / 1000 + 1) * 1000 / 3;
            now += step as i64;
            clock.advance(Duration::from_micros(step));
            let n = 1 + random(u64::from(per_minute.min(3))) as u32;
            let key = format!("k{per_minute}");
            let (_, ours) = shared.take(&key, n, Some(now)).await.unwrap();
            let theirs = governor.check_key_n(&key, NonZeroU32::new(n).unwrap());
            match (ours, theirs) {
                (Ok(()), Ok(Ok(()))) => passed += 1,
                (Err(wait), Ok(Err(not_until))) => {
                    let theirs = not_until.wait_time_from(clock.now());
                    assert_eq!(Duration::from_micros(wait as u64), theirs);
                    refused += 1;
                }
                (ours, theirs) => panic!("{per_minute}/min, n {n}: {ours:?} vs {theirs:?}"),
            }
        }
        assert!(
            passed > 10 && refused > 10,
            "{per_minute}: {passed}, {refused}"
        );
    }
    // A key last used long ago: evicted, the others kept.
    let old = sipauth_server::rate_limit::RateLimiter::shared(pool.clone(), "old:", 10);
    old.take("k", 1, Some(1_000_000)).await.unwrap().1.unwrap();
    let buckets = sipauth_server::rate_limit::Buckets::Shared(pool.clone());
    assert_eq!(buckets.evict().await.unwrap(), 1);
    // One row per key, under its limiter's prefix.
    let keys: Vec<String> = sipauth_server::sql::q("SELECT key FROM rate_buckets ORDER BY key")
        .fetch_all::<(String,)>(&db.read)
        .await
        .unwrap()
        .into_iter()
        .map(|(k,)| k)
        .collect();
    assert_eq!(keys, ["t:k1", "t:k10", "t:k6", "t:k60"]);
}

/// When PostgreSQL does not answer, the limits are not skipped: sign-ins
/// and API requests are refused with 503, `Retry-After` and why, in each
/// dialect's shape.
#[tokio::test]
async fn without_the_database_the_limits_refuse_rather_than_let_through() {
    if limits_per_process() {
        return;
    }
    let app = spawn_app().await;
    // The server's connections, closed: as a database that went away.
    app.db.close().await;
    let r = app.sign_in("ops", OPERATOR_PASSWORD).await;
    assert_eq!(r.status(), 503);
    assert_eq!(retry_after(&r), Some(5));
    let message = error_message(&json(r).await.1);
    assert!(
        message.contains("rate limits could not be checked"),
        "{message}"
    );
    let r = app.get(&app.credentials("")).await;
    assert_eq!((r.status().as_u16(), retry_after(&r)), (503, Some(5)));
    let twilio = app.url(&format!(
        "/2010-04-01/Accounts/{}/SIP/CredentialLists.json",
        app.auth_id
    ));
    let (status, body) = json(app.get(&twilio).await).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (503, Some(20503)),
        "{body}"
    );
}
