//! Integration tests over real HTTP on 127.0.0.1, a fresh SQLite file each.

mod acls;
mod applications;
mod binary;
mod credentials;
mod cross_dialect;
mod kamailio;
mod proxy;
mod session;
mod twilio;
mod vobiz;
mod zentrunk;

use reqwest::{Client, Response};
use serde_json::Value;
use sipauth_server::{app, db, store, AppState, Settings};
use std::path::PathBuf;

pub const SIP_DOMAIN: &str = "sip.test";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub auth_id: String,
    pub token: String,
    pub db: sipauth_server::db::Db,
    pub dir: tempfile::TempDir,
}

/// A server on a free port over a new database, with one account.
pub async fn spawn_app() -> TestApp {
    spawn_app_with_rate_limit(0).await
}

/// As [`spawn_app`], with a per-account limit of requests a minute.
pub async fn spawn_app_with_rate_limit(per_minute: u32) -> TestApp {
    spawn_app_with(per_minute, None, None).await
}

/// As [`spawn_app`], serving a built console from `dist`.
pub async fn spawn_app_serving(dist: PathBuf) -> TestApp {
    spawn_app_with(0, Some(dist), None).await
}

/// As [`spawn_app`], in proxy mode in front of `upstream`.
pub async fn spawn_proxy(upstream: sipauth_server::upstream::Upstream) -> TestApp {
    spawn_app_with(0, None, Some(upstream)).await
}

async fn spawn_app_with(
    per_minute: u32,
    dist: Option<PathBuf>,
    upstream: Option<sipauth_server::upstream::Upstream>,
) -> TestApp {
    spawn_app_full(per_minute, dist, upstream, Vec::new()).await
}

/// As [`spawn_app`], telling the Kamailio JSON-RPC endpoint at `url` about
/// IP ACL changes.
pub async fn spawn_app_with_kamailio(url: String) -> TestApp {
    spawn_app_full(0, None, None, vec![url]).await
}

async fn spawn_app_full(
    per_minute: u32,
    dist: Option<PathBuf>,
    upstream: Option<sipauth_server::upstream::Upstream>,
    kamailio_rpc: Vec<String>,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let pool = db::open(dir.path()).await.unwrap();
    let auth_id = "MATESTACCOUNT0000001".to_string();
    let token = "test-token-0123456789abcdefXYZ".to_string();
    store::accounts::create(&pool, &auth_id, &token, SIP_DOMAIN)
        .await
        .unwrap();
    let state = AppState::new(
        pool.clone(),
        Settings {
            data_dir: dir.path().to_path_buf(),
            dist,
            sip_domain: SIP_DOMAIN.into(),
            account: None,
            dialect: sipauth_model::Dialect::Plivo,
            rate_limit_per_minute: per_minute,
            upstream,
            kamailio_rpc,
        },
    );
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
    }
}

impl TestApp {
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

    pub async fn create(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.credentials(""))
            .basic_auth(&self.auth_id, Some(&self.token))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, url: &str) -> Response {
        self.client
            .get(url)
            .basic_auth(&self.auth_id, Some(&self.token))
            .send()
            .await
            .unwrap()
    }

    /// Adds a second account and returns its (auth_id, token).
    pub async fn other_account(&self) -> (String, String) {
        let (id, token) = ("MAOTHERACCOUNT000002", "other-token-0123456789abcdef");
        store::accounts::create(&self.db, id, token, SIP_DOMAIN)
            .await
            .unwrap();
        (id.into(), token.into())
    }

    /// Every file of the SQLite store (database, WAL, shared memory).
    pub fn db_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(db::DB_FILE)
            })
            .collect()
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

/// Asserts an error in the plivo shape and returns its message.
pub fn error_message(body: &Value) -> String {
    assert!(body["api_id"].is_string(), "no api_id in {body}");
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"))
        .to_string()
}
