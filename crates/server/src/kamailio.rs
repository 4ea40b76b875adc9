//! Keeping the Kamailio nodes in step with the store. Passwords need
//! nothing: auth_db reads `subscriber` on every request. Kamailio caches the
//! rest: `address` (permissions) and the entry points and their members
//! (htable `sipep`, `sipmember`). So for every change event that reaches
//! those (`service::events::Event::cached_by_kamailio`) the server asks each
//! node (`--kamailio-rpc`, repeatable) to reload all three over JSON-RPC.
//! Changes that arrive while a reload runs are covered by one more reload;
//! failures and Kamailio's "ongoing reload" answer are retried with a
//! bounded backoff. Each round's outcome per node (reloaded, or failed after
//! every attempt) is one audit record (`resource: kamailio`), not each
//! request of it: retries within a round are noise, the outcome is what an
//! operator needs. One round runs at start, so every node has the settings
//! `sipauth serve` wrote (`sip_settings`, htable `sipcfg`).
//!
//! [`Reloader::call_all`] is a one-off call on every node (an unban, a
//! registrations lookup) with each node's answer: the JSON-RPC `result`,
//! or why there is none.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What each reload asks for, in order: source addresses, then the entry
/// points and who may authenticate at each, then the ban settings.
const RELOADS: [(&str, Option<&str>); 4] = [
    ("permissions.addressReload", None),
    ("htable.reload", Some("sipep")),
    ("htable.reload", Some("sipmember")),
    ("htable.reload", Some("sipcfg")),
];

/// Attempts per change before the error is left for the next change.
const ATTEMPTS: u32 = 8;

/// How often each node's worker looks at the store for changes another
/// server counted and has not passed on (it crashed, or does not name the
/// node): a node behind on two looks in a row is reloaded from here.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// The Kamailio nodes this server tells (`--kamailio-rpc`).
pub struct Reloader {
    nodes: Vec<Arc<Node>>,
    db: crate::db::Db,
}

/// One Kamailio: its JSON-RPC URL and its worker's wake-up.
struct Node {
    url: String,
    client: reqwest::Client,
    notify: Notify,
    /// Where the changes are counted, each round's outcome written and
    /// recorded.
    db: crate::db::Db,
}

/// Whether one node has every change: `state` "enforced" or "pending",
/// and why not.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeStatus {
    pub node: String,
    pub state: &'static str,
    pub why: Option<String>,
}

/// Every node's status and the changes counted by every server.
#[derive(Debug, Clone)]
pub struct Status {
    pub changes: u64,
    pub nodes: Vec<NodeStatus>,
}

impl Status {
    /// Every node has every change.
    pub fn picked_up(&self) -> bool {
        self.nodes.iter().all(|n| n.state == "enforced")
    }

    /// The first pending node's reason (with its URL when there are
    /// several nodes), for a one-line notice.
    pub fn error(&self) -> Option<String> {
        let n = self.nodes.iter().find(|n| n.state != "enforced")?;
        let why = n.why.clone()?;
        Some(if self.nodes.len() > 1 {
            format!("{}: {why}", n.node)
        } else {
            why
        })
    }
}

impl Reloader {
    /// Starts a background worker per JSON-RPC endpoint in `urls`.
    pub fn start(urls: Vec<String>, db: crate::db::Db) -> Arc<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        let nodes: Vec<Arc<Node>> = urls
            .into_iter()
            .map(|url| {
                Arc::new(Node {
                    url,
                    client: client.clone(),
                    notify: Notify::new(),
                    db: db.clone(),
                })
            })
            .collect();
        for node in &nodes {
            tokio::spawn(node.clone().work());
        }
        let reloader = Arc::new(Self { nodes, db });
        // The settings written at start (and anything changed while the
        // server was down) reach every node: one more change, counted.
        let starting = reloader.clone();
        tokio::spawn(async move {
            let counted = async {
                let mut tx = starting.db.transaction(None).await?;
                let start = crate::store::kamailio::START;
                crate::store::kamailio::count_change(tx.conn(), start).await?;
                tx.commit().await
            };
            if let Err(e) = counted.await {
                tracing::warn!(error = %e, "could not count the start's reload");
            }
            starting.changed();
        });
        reloader
    }

    /// Each node's JSON-RPC URL, as given to `--kamailio-rpc`.
    pub fn nodes(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.url.clone()).collect()
    }

    /// `method(params)` once on every node at once: each node's URL and
    /// its answer (no retries: the caller shows each outcome).
    pub async fn call_all(
        &self,
        method: &str,
        params: &[&str],
    ) -> Vec<(String, Result<serde_json::Value, RpcError>)> {
        let calls = self
            .nodes
            .iter()
            .map(|n| async move { (n.url.clone(), n.call(method, params).await) });
        futures_util::future::join_all(calls).await
    }

    /// `method(params)` on the node `url` (one of [`Reloader::nodes`]).
    pub async fn call_on(
        &self,
        url: &str,
        method: &str,
        params: &[&str],
    ) -> Result<serde_json::Value, RpcError> {
        match self.nodes.iter().find(|n| n.url == url) {
            Some(n) => n.call(method, params).await,
            None => Err(RpcError::Unreachable(format!("no node {url}"))),
        }
    }

    /// A change Kamailio caches was committed (and counted with it): wake
    /// every node's worker.
    pub fn changed(&self) {
        for node in &self.nodes {
            node.notify.notify_one();
        }
    }

    /// The changes counted by every server and whether each of this
    /// server's nodes has them all, whichever server reloaded it.
    pub async fn status(&self) -> Result<Status, sqlx::Error> {
        let changes = crate::store::kamailio::wanted(&self.db.read).await?;
        let rows = crate::store::kamailio::nodes(&self.db.read, &self.nodes()).await?;
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let row = rows.iter().find(|r| r.url == n.url);
                let applied = row.map_or(0, |r| r.applied.max(0) as u64);
                if applied >= changes {
                    return NodeStatus {
                        node: n.url.clone(),
                        state: "enforced",
                        why: None,
                    };
                }
                NodeStatus {
                    node: n.url.clone(),
                    state: "pending",
                    why: Some(
                        row.and_then(|r| r.error.clone())
                            .unwrap_or_else(|| "reload pending".into()),
                    ),
                }
            })
            .collect();
        Ok(Status { changes, nodes })
    }
}

/// Why a call has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcError {
    /// The node answered with a JSON-RPC error (its message).
    Answered { method: String, message: String },
    /// No usable answer: not reachable, timed out, not JSON-RPC.
    Unreachable(String),
}

impl RpcError {
    /// Kamailio's message when it answered with an error.
    pub fn answered(&self) -> Option<&str> {
        match self {
            RpcError::Answered { message, .. } => Some(message),
            RpcError::Unreachable(_) => None,
        }
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RpcError::Answered { method, message } => {
                write!(f, "Kamailio answered {method}: {message}")
            }
            RpcError::Unreachable(e) => f.write_str(e),
        }
    }
}

/// A JSON-RPC call over Kamailio's Unix datagram socket (jsonrpcs
/// `dgram_socket`): the answer comes back to our own socket's path, a
/// private one per call, removed afterwards.
async fn datagram(socket: &str, call: &[u8]) -> Result<Vec<u8>, String> {
    let ours = std::env::temp_dir().join(format!(
        "sipauth-rpc-{}-{}.sock",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = async {
        let client = tokio::net::UnixDatagram::bind(&ours)
            .map_err(|e| format!("cannot open a reply socket: {e}"))?;
        client
            .send_to(call, socket)
            .await
            .map_err(|e| format!("no answer from {socket}: {e}"))?;
        let mut buf = vec![0u8; 64 * 1024];
        let n = tokio::time::timeout(Duration::from_secs(2), client.recv(&mut buf))
            .await
            .map_err(|_| format!("no answer from {socket} within 2 s"))?
            .map_err(|e| format!("no answer from {socket}: {e}"))?;
        buf.truncate(n);
        Ok(buf)
    }
    .await;
    let _ = std::fs::remove_file(&ours);
    result
}

impl Node {
    async fn http(&self, call: &str) -> Result<Vec<u8>, String> {
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
        Ok(body.to_vec())
    }

    /// The change count and this node's last applied one, from the store.
    async fn behind(&self) -> Option<u64> {
        let db = &self.db.read;
        let target = crate::store::kamailio::wanted(db).await.ok()?;
        let rows = crate::store::kamailio::nodes(db, std::slice::from_ref(&self.url))
            .await
            .ok()?;
        let applied = rows.first().map_or(0, |r| r.applied.max(0) as u64);
        (applied < target).then_some(target)
    }

    async fn work(self: Arc<Self>) {
        let mut look = tokio::time::interval(LOOK_EVERY);
        look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // What the last look found this node behind on (another server's
        // change: that server normally passes it on within milliseconds).
        let mut seen_behind: Option<u64> = None;
        loop {
            let ours = tokio::select! {
                _ = self.notify.notified() => true,
                _ = look.tick() => false,
            };
            let Some(target) = self.behind().await else {
                seen_behind = None;
                continue;
            };
            if !ours && seen_behind.is_none() {
                seen_behind = Some(target);
                continue;
            }
            seen_behind = None;
            let mut error = None;
            for attempt in 0..ATTEMPTS {
                match self.reload().await {
                    Ok(()) => {
                        if let Err(e) =
                            crate::store::kamailio::reloaded(&self.db.write, &self.url, target)
                                .await
                        {
                            tracing::warn!(node = %self.url, error = %e, "could not write a reload's outcome");
                        }
                        tracing::info!(change = target, node = %self.url, "Kamailio reloaded");
                        error = None;
                        self.record(target, attempt + 1, None).await;
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(attempt, node = %self.url, error = %e, "Kamailio reload failed");
                        let _ = crate::store::kamailio::failed(&self.db.write, &self.url, &e).await;
                        error = Some(e);
                        // Kamailio refuses a second reload within its
                        // reload_delta; wait a little longer each time.
                        tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                    }
                }
            }
            if let Some(e) = error {
                self.record(target, ATTEMPTS, Some(&e)).await;
            }
        }
    }

    /// Records a round's outcome: reloaded after `attempts`, or failed.
    async fn record(&self, change: u64, attempts: u32, error: Option<&str>) {
        let mut changes = serde_json::json!({
            "node": {"after": self.url},
            "change": {"after": change},
            "attempts": {"after": attempts},
        });
        if let Some(e) = error {
            changes["error"] = serde_json::json!({"after": e});
        }
        let record = crate::store::audit::NewRecord {
            actor: "server".into(),
            dialect: "server",
            action: if error.is_some() {
                "reload-failed"
            } else {
                "reloaded"
            },
            resource: "kamailio",
            resource_id: Some(self.url.clone()),
            name: Some(self.url.clone()),
            changes: Some(changes),
            ..Default::default()
        };
        let written = crate::store::audit::append(&self.db.write, &record).await;
        if let Err(e) = written {
            tracing::warn!(node = %self.url, error = %e, "could not record a Kamailio reload");
        }
    }

    async fn reload(&self) -> Result<(), String> {
        for (method, table) in RELOADS {
            let params: Vec<&str> = table.into_iter().collect();
            self.call(method, &params)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// One JSON-RPC call: its `result`.
    async fn call(&self, method: &str, params: &[&str]) -> Result<serde_json::Value, RpcError> {
        let call = serde_json::json!({
            "jsonrpc": "2.0",
            "method": method,
            "params": params,
            "id": 1,
        });
        let body = match self.url.strip_prefix("unix:") {
            Some(socket) => datagram(socket, call.to_string().as_bytes()).await,
            None => self.http(&call.to_string()).await,
        }
        .map_err(RpcError::Unreachable)?;
        let mut answer: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| RpcError::Unreachable(format!("not a JSON-RPC answer: {e}")))?;
        match answer.get("error") {
            None => answer
                .get_mut("result")
                .map(serde_json::Value::take)
                .ok_or_else(|| {
                    RpcError::Unreachable(format!("Kamailio's answer to {method} has no result"))
                }),
            Some(e) => Err(RpcError::Answered {
                method: method.to_string(),
                message: e
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("an error")
                    .to_string(),
            }),
        }
    }
}
