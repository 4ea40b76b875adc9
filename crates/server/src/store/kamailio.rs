//! What the servers on one store share about the Kamailio nodes: the count
//! of changes Kamailio caches (`kamailio_changes`, per account; the count is
//! their sum) and how far each node has got (`kamailio_nodes`). Whichever server makes a change counts it, in the
//! change's own transaction; whichever server reloads a node writes how it
//! went; any server's notice reads both.

use crate::sql::{q, Conn, Exec};

/// Counts one more change of `account` that Kamailio caches, in the
/// change's transaction (so the count and the change land together, and
/// the notice shows "pending" as soon as the change is acknowledged).
/// Per account, because that account's changes run one at a time anyway:
/// one row for everyone would make every account's commits queue for it.
pub async fn count_change(conn: Conn<'_>, account: &str) -> Result<(), sqlx::Error> {
    q(
        "INSERT INTO kamailio_changes (account_id, wanted) VALUES ($1, 1)
       ON CONFLICT (account_id) DO UPDATE SET wanted = kamailio_changes.wanted + 1",
    )
    .arg(account)
    .execute(conn)
    .await
    .map(drop)
}

/// The key a server's start-up round is counted under.
pub const START: &str = "";

/// The changes counted so far, by every server: a sum of counts that only
/// grow, so it only grows, and every change it counts is committed.
pub async fn wanted<'e>(on: impl Into<Exec<'e>>) -> Result<u64, sqlx::Error> {
    let n: i64 = q("SELECT CAST(coalesce(sum(wanted), 0) AS BIGINT) FROM kamailio_changes")
        .scalar(on)
        .await?;
    Ok(n as u64)
}

/// One node's row: the last change it reloaded, the last round's error
/// (none once a round succeeds) and when the row was last written.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NodeRow {
    pub url: String,
    pub applied: i64,
    pub error: Option<String>,
    pub updated_at: String,
}

/// The rows of these nodes (a node no server has reloaded yet has none).
pub async fn nodes<'e>(
    on: impl Into<Exec<'e>>,
    urls: &[String],
) -> Result<Vec<NodeRow>, sqlx::Error> {
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let places: Vec<String> = (1..=urls.len()).map(|i| format!("${i}")).collect();
    q(format!(
        "SELECT url, applied, error, updated_at FROM kamailio_nodes WHERE url IN ({})",
        places.join(", ")
    ))
    .args(urls.iter())
    .fetch_all(on)
    .await
}

/// The node has reloaded every change up to `change` (a later round of
/// another server may have got further: the higher number stays).
pub async fn reloaded<'e>(
    on: impl Into<Exec<'e>>,
    url: &str,
    change: u64,
) -> Result<(), sqlx::Error> {
    q(
        "INSERT INTO kamailio_nodes (url, applied, error, error_at, updated_at)
       VALUES ($1, $2, NULL, NULL, (SELECT now FROM utc))
       ON CONFLICT (url) DO UPDATE SET
         applied = CASE WHEN kamailio_nodes.applied > excluded.applied
                        THEN kamailio_nodes.applied ELSE excluded.applied END,
         error = NULL, error_at = NULL, updated_at = excluded.updated_at",
    )
    .arg(url)
    .arg(change as i64)
    .execute(on)
    .await
    .map(drop)
}

/// A round for the node failed with `error`.
pub async fn failed<'e>(
    on: impl Into<Exec<'e>>,
    url: &str,
    error: &str,
) -> Result<(), sqlx::Error> {
    q(
        "INSERT INTO kamailio_nodes (url, applied, error, error_at, updated_at)
       VALUES ($1, 0, $2, (SELECT now FROM utc), (SELECT now FROM utc))
       ON CONFLICT (url) DO UPDATE SET
         error = excluded.error, error_at = excluded.error_at,
         updated_at = excluded.updated_at",
    )
    .arg(url)
    .arg(error)
    .execute(on)
    .await
    .map(drop)
}
