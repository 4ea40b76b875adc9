//! Keeping a Kamailio in step with the store. Credentials need nothing:
//! auth_db reads `subscriber` on every request. The permissions module caches
//! `address`, so after an IP ACL change the server asks Kamailio to reload it
//! (`permissions.addressReload` over JSON-RPC, `--kamailio-rpc`). Changes that
//! arrive while a reload runs are covered by one more reload; failures and
//! Kamailio's "ongoing reload" answer are retried with a bounded backoff.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Attempts per change before the error is left for the next change.
const ATTEMPTS: u32 = 8;

pub struct Reloader {
    url: String,
    client: reqwest::Client,
    /// Changes made, and the last change Kamailio has reloaded.
    wanted: AtomicU64,
    applied: AtomicU64,
    notify: Notify,
    last_error: Mutex<Option<String>>,
}

impl Reloader {
    /// Starts the background worker for the JSON-RPC endpoint at `url`.
    pub fn start(url: String) -> Arc<Self> {
        let reloader = Arc::new(Self {
            url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .expect("HTTP client"),
            wanted: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            notify: Notify::new(),
            last_error: Mutex::new(None),
        });
        tokio::spawn(reloader.clone().work());
        reloader
    }

    /// An IP ACL or entry changed.
    pub fn changed(&self) {
        self.wanted.fetch_add(1, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// IP ACL changes so far, whether Kamailio has them all, and the last
    /// failure.
    pub fn status(&self) -> (u64, bool, Option<String>) {
        let wanted = self.wanted.load(Ordering::SeqCst);
        let picked_up = self.applied.load(Ordering::SeqCst) >= wanted;
        (
            wanted,
            picked_up,
            self.last_error.lock().expect("status").clone(),
        )
    }

    async fn work(self: Arc<Self>) {
        loop {
            self.notify.notified().await;
            let target = self.wanted.load(Ordering::SeqCst);
            for attempt in 0..ATTEMPTS {
                match self.reload().await {
                    Ok(()) => {
                        self.applied.fetch_max(target, Ordering::SeqCst);
                        *self.last_error.lock().expect("status") = None;
                        tracing::info!(change = target, "Kamailio reloaded its address table");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(attempt, error = %e, "Kamailio address reload failed");
                        *self.last_error.lock().expect("status") = Some(e);
                        // Kamailio refuses a second reload within its
                        // reload_delta; wait a little longer each time.
                        tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                    }
                }
            }
        }
    }

    async fn reload(&self) -> Result<(), String> {
        let call = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "permissions.addressReload",
            "id": 1,
        });
        let body = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(call.to_string())
            .send()
            .await
            .map_err(|e| format!("no answer from {}: {e}", self.url))?
            .bytes()
            .await
            .map_err(|e| format!("no answer from {}: {e}", self.url))?;
        let answer: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("not a JSON-RPC answer: {e}"))?;
        match answer.get("error") {
            None if answer.get("result").is_some() => Ok(()),
            Some(e) => Err(format!(
                "Kamailio answered {}",
                e.get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("an error")
            )),
            None => Err("Kamailio's answer has no result".into()),
        }
    }
}

/// Middleware: a successful write to an IP ACL route (plivo's
/// `IpAccessControlList`, twilio's `IpAccessControlLists`) changes `address`.
pub async fn after_acl_writes(
    State(reloader): State<Option<Arc<Reloader>>>,
    request: Request,
    next: Next,
) -> Response {
    let write = request.method() != Method::GET && request.method() != Method::HEAD;
    let acl = request.uri().path().contains("/IpAccessControlList");
    let response = next.run(request).await;
    if let Some(reloader) = reloader {
        if write && acl && response.status().is_success() {
            reloader.changed();
        }
    }
    response
}
