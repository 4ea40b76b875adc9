//! Integration tests over real HTTP on 127.0.0.1, a fresh store each: a
//! SQLite file, or with `SIPAUTH_TEST_DATABASE_URL` (a PostgreSQL server's
//! URL; `cargo xtask test` starts a throwaway cluster) a new PostgreSQL
//! database cloned from one migrated once per run.

mod acls;
mod api_keys;
mod applications;
mod audit;
mod binary;
mod credentials;
mod cross_dialect;
mod export;
mod group_commit;
mod kamailio;
mod migrate;
mod openapi;
mod proxy;
mod roles;
mod security;
mod servers;
mod session;
mod twilio;
mod vobiz;
mod zentrunk;

use reqwest::{Client, Method, Response};
use serde_json::Value;
use sipauth_server::sql::{q, Rows};
use sipauth_server::{app, db, secrets, store, AppState, Settings};
use std::path::PathBuf;

pub const SIP_DOMAIN: &str = "sip.test";
pub const OPERATOR_PASSWORD: &str = "Operator-Pass-2026";

/// Who signs a request.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    /// The app's account, with Basic auth.
    Me,
    /// Another account, with Basic auth.
    Account(&'a str, &'a str),
    /// No credentials: only the cookie jar's session, if any.
    Nobody,
    /// The jar's session, with this CSRF token.
    Csrf(&'a str),
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub auth_id: String,
    pub token: String,
    pub db: sipauth_server::db::Db,
    pub dir: tempfile::TempDir,
    /// Where the store is, for a second server on it ([`Builder::beside`]).
    pub store: db::Location,
    /// Where Kamailio's reports go (with `.kamailio(…)`, not in proxy mode).
    pub sip_events: Option<std::net::SocketAddr>,
}

/// A server on a free port over a new database, with one account.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

/// What a test server differs in from the default: no rate limit, no
/// console, local mode, no Kamailio to tell.
#[derive(Default)]
pub struct Builder {
    per_minute: u32,
    dist: Option<PathBuf>,
    upstream: Option<sipauth_server::upstream::Upstream>,
    kamailio_rpc: Vec<String>,
    public_url: Option<String>,
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Another server's store (and account) to share.
    beside: Option<(db::Location, String, String)>,
    /// On SQLite even in a PostgreSQL run.
    sqlite: bool,
}

impl Builder {
    /// Believes `X-Forwarded-For` from `proxy` (`--trusted-proxy`).
    pub fn trusting(mut self, proxy: &str) -> Self {
        self.trusted_proxies.push(proxy.parse().unwrap());
        self
    }

    /// The address operators open (`--public-url`).
    pub fn public_url(mut self, url: &str) -> Self {
        self.public_url = Some(url.to_string());
        self
    }

    /// A per-account limit of requests a minute.
    pub fn rate_limit(mut self, per_minute: u32) -> Self {
        self.per_minute = per_minute;
        self
    }

    /// Serves a built console from `dist`.
    pub fn serving(mut self, dist: PathBuf) -> Self {
        self.dist = Some(dist);
        self
    }

    /// Proxy mode in front of `upstream`.
    pub fn proxy(mut self, upstream: sipauth_server::upstream::Upstream) -> Self {
        self.upstream = Some(upstream);
        self
    }

    /// Tells the Kamailio JSON-RPC endpoint at `url` about IP ACL changes.
    pub fn kamailio(mut self, url: String) -> Self {
        self.kamailio_rpc.push(url);
        self
    }

    /// A second server over `app`'s store (its own connections, caches
    /// and limits, as another process has), serving the same account.
    pub fn beside(mut self, app: &TestApp) -> Self {
        self.beside = Some((app.store.clone(), app.auth_id.clone(), app.token.clone()));
        self
    }

    /// A SQLite store in the app's directory, whichever backend the run
    /// is on (what `sipauth migrate` copies from).
    pub fn sqlite(mut self) -> Self {
        self.sqlite = true;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (pool, store, auth_id, token) = match self.beside {
            Some((store, auth_id, token)) => {
                (db::Db::open(&store).await.unwrap(), store, auth_id, token)
            }
            None => {
                let (pool, store) = match self.sqlite {
                    true => (
                        db::open(dir.path()).await.unwrap(),
                        db::Location::Sqlite(dir.path().to_path_buf()),
                    ),
                    false => fresh_db(dir.path()).await,
                };
                let auth_id = "MATESTACCOUNT0000001".to_string();
                let token = "test-token-0123456789abcdefXYZ".to_string();
                store::accounts::create(&pool, &auth_id, &token, SIP_DOMAIN)
                    .await
                    .unwrap();
                (pool, store, auth_id, token)
            }
        };
        let state = AppState::new(
            pool.clone(),
            Settings {
                data_dir: dir.path().to_path_buf(),
                dist: self.dist,
                sip_domain: SIP_DOMAIN.into(),
                account: None,
                dialect: sipauth_model::Dialect::Plivo,
                rate_limit_per_minute: self.per_minute,
                upstream: self.upstream,
                kamailio_rpc: self.kamailio_rpc,
                public_url: self.public_url,
                trusted_proxies: self.trusted_proxies,
            },
        );
        let sip_events = match state.sip_insight() {
            true => Some(
                sipauth_server::sip_events::listen(&state, "127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap(),
            ),
            false => None,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await.unwrap()
        });
        TestApp {
            base: format!("http://{addr}"),
            client: Client::builder().cookie_store(true).build().unwrap(),
            auth_id,
            token,
            db: pool,
            dir,
            store,
            sip_events,
        }
    }
}

/// The PostgreSQL server the suite runs on, if it runs on one.
pub fn postgres_url() -> Option<String> {
    std::env::var("SIPAUTH_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Whether this run is on PostgreSQL (tests of SQLite's files say why
/// they do not apply and stop).
pub fn on_postgres(why_not: &str) -> bool {
    let pg = postgres_url().is_some();
    if pg {
        eprintln!("not on PostgreSQL: {why_not}");
    }
    pg
}

/// A new, migrated, empty store: in `dir` (SQLite) or a new PostgreSQL
/// database.
pub async fn fresh_db(dir: &std::path::Path) -> (db::Db, db::Location) {
    let Some(options) = fresh_postgres().await else {
        return (
            db::open(dir).await.unwrap(),
            db::Location::Sqlite(dir.to_path_buf()),
        );
    };
    let db = db::open_postgres(options.clone()).await.unwrap();
    (db, db::Location::Postgres(Box::new(options)))
}

/// On a PostgreSQL run, a new empty database (migrated: a copy of one
/// migrated template) and how to connect to it.
pub async fn fresh_postgres() -> Option<sqlx::postgres::PgConnectOptions> {
    let url = postgres_url()?;
    use sqlx::postgres::PgConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let server: PgConnectOptions = url.parse().unwrap();
    let admin = || async { server.connect().await.unwrap() };
    let template = TEMPLATE
        .get_or_init(|| async {
            // Migrated once; each test's database is a copy (a few ms
            // rather than the migrations' hundreds).
            let name = format!("sipauth_template_{}", std::process::id());
            let mut conn = admin().await;
            q(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let db = db::open_postgres(server.clone().database(&name))
                .await
                .unwrap();
            if let sipauth_server::sql::Pool::Pg(pool) = &db.write {
                pool.close().await;
            }
            name
        })
        .await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin().await;
    q(format!(
        "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    Some(server.database(&name))
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `/v1/Account/{auth_id}/SipAuth/Credential/` plus `rest`.
    pub fn credentials(&self, rest: &str) -> String {
        self.url(&format!(
            "/v1/Account/{}/SipAuth/Credential/{rest}",
            self.auth_id
        ))
    }

    /// One request as `who`, with `body` as JSON if given.
    pub async fn send(
        &self,
        who: Who<'_>,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Response {
        let request = self.client.request(method, url);
        let request = match who {
            Who::Me => request.basic_auth(&self.auth_id, Some(&self.token)),
            Who::Account(id, token) => request.basic_auth(id, Some(token)),
            Who::Nobody => request,
            Who::Csrf(token) => request.header("X-CSRF-Token", token),
        };
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        request.send().await.unwrap()
    }

    /// A form POST as `who` (the twilio dialect).
    pub async fn post_form(&self, who: Who<'_>, url: &str, form: &[(&str, &str)]) -> Response {
        let request = self.client.post(url).form(form);
        let request = match who {
            Who::Me => request.basic_auth(&self.auth_id, Some(&self.token)),
            Who::Account(id, token) => request.basic_auth(id, Some(token)),
            Who::Nobody | Who::Csrf(_) => request,
        };
        request.send().await.unwrap()
    }

    /// Creates a plivo credential in this account.
    pub async fn create(&self, username: &str, password: &str) -> Response {
        let body = serde_json::json!({"username": username, "password": password});
        self.send(Who::Me, Method::POST, &self.credentials(""), Some(&body))
            .await
    }

    /// Creates a plivo credential for each of `usernames`, each a 201.
    pub async fn create_all(&self, usernames: impl IntoIterator<Item = String>) {
        for username in usernames {
            let r = self.create(&username, "Xy7pQ2mLk9Rt4w").await;
            assert_eq!(r.status(), 201, "{username}");
        }
    }

    /// Creates a plivo credential in the account `(id, token)`, as it.
    pub async fn create_in(&self, (id, token): &(String, String), username: &str) -> Response {
        let url = self.url(&format!("/v1/Account/{id}/SipAuth/Credential/"));
        let body = serde_json::json!({"username": username, "password": "Xy7pQ2mLk9Rt4w"});
        self.send(Who::Account(id, token), Method::POST, &url, Some(&body))
            .await
    }

    pub async fn get(&self, url: &str) -> Response {
        self.send(Who::Me, Method::GET, url, None).await
    }

    /// A GET with no credentials but the cookie jar's session, if any.
    pub async fn get_anonymous(&self, url: &str) -> Response {
        self.send(Who::Nobody, Method::GET, url, None).await
    }

    pub async fn post_json(&self, url: &str, body: Value) -> (u16, Value) {
        json(self.send(Who::Me, Method::POST, url, Some(&body)).await).await
    }

    pub async fn delete(&self, url: &str) -> u16 {
        self.delete_json(url).await.0
    }

    /// A DELETE's status and body (Null when empty, as a 204's is).
    pub async fn delete_json(&self, url: &str) -> (u16, Value) {
        let r = self.send(Who::Me, Method::DELETE, url, None).await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `n` POSTs of `body(i)` to `url` at once, as this account: their
    /// statuses.
    pub async fn race(&self, url: &str, n: usize, body: impl Fn(usize) -> Value) -> Vec<u16> {
        let racers: Vec<_> = (0..n)
            .map(|i| {
                let (client, url, id, token) = (
                    self.client.clone(),
                    url.to_string(),
                    self.auth_id.clone(),
                    self.token.clone(),
                );
                let body = body(i);
                tokio::spawn(async move {
                    let r = client.post(url).basic_auth(id, Some(token)).json(&body);
                    r.send().await.unwrap().status().as_u16()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for r in racers {
            statuses.push(r.await.unwrap());
        }
        statuses
    }

    /// Adds the operator `ops` with [`OPERATOR_PASSWORD`].
    pub async fn add_operator(&self) {
        let hash = secrets::hash_password(OPERATOR_PASSWORD);
        assert!(store::operators::upsert(&self.db, "ops", &hash, false)
            .await
            .unwrap());
    }

    /// Signs `username` in to the console (the session goes in the jar).
    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        let body = serde_json::json!({"username": username, "password": password});
        let url = self.url("/console/session");
        self.send(Who::Nobody, Method::POST, &url, Some(&body))
            .await
    }

    /// Adds a second account and returns its (auth_id, token).
    pub async fn other_account(&self) -> (String, String) {
        let (id, token) = ("MAOTHERACCOUNT000002", "other-token-0123456789abcdef");
        store::accounts::create(&self.db, id, token, SIP_DOMAIN)
            .await
            .unwrap();
        (id.into(), token.into())
    }

    /// Two text columns of every row `sql` selects from the store (what
    /// Kamailio reads).
    pub async fn rows(&self, sql: &str) -> Vec<(String, String)> {
        self.select(sql, &[]).await
    }

    /// Every row `sql` selects from the store, with `args` bound to `$1`,
    /// `$2`, ...
    pub async fn select<T: Rows>(&self, sql: &str, args: &[&str]) -> Vec<T> {
        q(sql)
            .args(args.iter().copied())
            .fetch_all(&self.db.read)
            .await
            .unwrap()
    }

    /// The first column of every row `sql` selects.
    pub async fn column<T>(&self, sql: &str, args: &[&str]) -> Vec<T>
    where
        (T,): Rows,
    {
        let rows: Vec<(T,)> = self.select(sql, args).await;
        rows.into_iter().map(|(v,)| v).collect()
    }

    /// The one row `sql` selects (there must be one).
    pub async fn select_one<T: Rows>(&self, sql: &str, args: &[&str]) -> T {
        q(sql)
            .args(args.iter().copied())
            .fetch_one(&self.db.read)
            .await
            .unwrap()
    }

    /// The first column of the one row `sql` selects.
    pub async fn scalar<T>(&self, sql: &str, args: &[&str]) -> T
    where
        (T,): Rows,
    {
        self.select_one::<(T,)>(sql, args).await.0
    }

    /// Runs `sql` on the write connection, as a test's own change to the
    /// store (a row an older version could have written, a clock moved).
    pub async fn execute(&self, sql: &str, args: &[&str]) {
        q(sql)
            .args(args.iter().copied())
            .execute(&self.db.write)
            .await
            .unwrap();
    }

    /// Every file the store's bytes are in, written out first: SQLite's
    /// database, WAL and shared memory; PostgreSQL's files of this
    /// database and its write-ahead log (after a CHECKPOINT).
    pub async fn db_files(&self) -> Vec<PathBuf> {
        if postgres_url().is_none() {
            q("PRAGMA wal_checkpoint(FULL)")
                .execute(&self.db.write)
                .await
                .unwrap();
            return std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(db::DB_FILE)
                })
                .collect();
        }
        q("CHECKPOINT").execute(&self.db.write).await.unwrap();
        let data: String = q("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            .scalar(&self.db.read)
            .await
            .unwrap();
        let oid: i64 =
            q("SELECT CAST(oid AS BIGINT) FROM pg_database WHERE datname = current_database()")
                .scalar(&self.db.read)
                .await
                .unwrap();
        let data = PathBuf::from(data);
        let files: Vec<PathBuf> = [data.join(format!("base/{oid}")), data.join("pg_wal")]
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        assert!(files.len() > 10, "the database's files: {files:?}");
        files
    }
}

/// Text as Kamailio's reports carry it: hex.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A PostgreSQL database's URL as an operator gives it: no password.
pub fn url_of(options: &sqlx::postgres::PgConnectOptions) -> String {
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    )
}

/// The bytes of one of [`TestApp::db_files`]; none for a PostgreSQL WAL
/// segment a checkpoint recycled since it was listed.
pub fn read_store_file(path: &std::path::Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && postgres_url().is_some() => {
            Vec::new()
        }
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Status and JSON body, asserting the body is JSON.
pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Asserts an answer is an error of `status` in the plivo shape; its
/// message.
pub fn error_of((status, body): (u16, Value), expect: u16) -> String {
    assert_eq!(status, expect, "{body}");
    error_message(&body)
}

/// Asserts an error in the plivo shape and returns its message.
pub fn error_message(body: &Value) -> String {
    assert!(body["api_id"].is_string(), "no api_id in {body}");
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"))
        .to_string()
}

/// How many of `statuses` are `status`.
pub fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// A string field of a JSON body, which must be there.
pub fn field(body: &Value, key: &str) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
        .to_string()
}

/// Asserts a 400 naming `field` with a message containing `fragment`.
pub fn assert_invalid((status, body): &(u16, Value), field: &str, fragment: &str) {
    assert_eq!(*status, 400, "{body}");
    assert_eq!(body["field"], field, "{body}");
    let message = error_message(body);
    assert!(message.contains(fragment), "{message}");
}

/// Asserts a 429 whose Retry-After is 1 to `max` seconds; its message.
pub async fn too_many(r: Response, max: u64) -> String {
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=max).contains(&retry), "{retry}");
    error_message(&json(r).await.1)
}

/// The string `key` of every object in the JSON array `list`.
pub fn pluck<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    let objects = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    objects.iter().map(|o| o[key].as_str().unwrap()).collect()
}
