//! The audit log's rows: appended in the transaction of the change they
//! record, read back in pages, pruned after the retention period.

use sqlx::SqliteConnection;

/// One record to append. `changes` is a JSON object of
/// `{field: {"before": …, "after": …}}` that never holds a secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRecord {
    pub actor: String,
    pub role: Option<&'static str>,
    pub source: Option<String>,
    pub user_agent: Option<String>,
    pub dialect: &'static str,
    pub account_id: Option<String>,
    pub action: &'static str,
    pub resource: &'static str,
    pub resource_id: Option<String>,
    pub name: Option<String>,
    pub changes: Option<serde_json::Value>,
    pub batch: Option<String>,
}

/// Appends `record` on `conn`: pass the change's own transaction, so the
/// record lands with the change or not at all.
pub async fn append(conn: &mut SqliteConnection, record: &NewRecord) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor, role, source, user_agent, dialect, account_id, action,
                                resource, resource_id, name, changes, batch)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&record.actor)
    .bind(record.role)
    .bind(&record.source)
    .bind(&record.user_agent)
    .bind(record.dialect)
    .bind(&record.account_id)
    .bind(record.action)
    .bind(record.resource)
    .bind(&record.resource_id)
    .bind(&record.name)
    .bind(record.changes.as_ref().map(|c| c.to_string()))
    .bind(&record.batch)
    .execute(conn)
    .await?;
    Ok(())
}
