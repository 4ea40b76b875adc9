//! The audit log's rows: appended in the transaction of the change they
//! record, read back in pages, pruned after the retention period.

use crate::sql::q;

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
    /// What the resource belongs to (an entry's ACL, …): its history shows
    /// this record too.
    pub parent_id: Option<String>,
    pub name: Option<String>,
    pub changes: Option<serde_json::Value>,
    pub batch: Option<String>,
}

/// Appends `record` on `conn`: pass the change's own transaction, so the
/// record lands with the change or not at all.
pub async fn append(
    conn: impl Into<crate::sql::Exec<'_>>,
    record: &NewRecord,
) -> Result<(), sqlx::Error> {
    q(
        "INSERT INTO audit_log (actor, role, source, user_agent, dialect, account_id, action,
                              resource, resource_id, parent_id, name, changes, batch)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .arg(&record.actor)
    .arg(record.role)
    .arg(&record.source)
    .arg(&record.user_agent)
    .arg(record.dialect)
    .arg(&record.account_id)
    .arg(record.action)
    .arg(record.resource)
    .arg(&record.resource_id)
    .arg(&record.parent_id)
    .arg(&record.name)
    .arg(record.changes.as_ref().map(|c| c.to_string()))
    .arg(&record.batch)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored record, as the log shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Record {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: Option<String>,
    pub source: Option<String>,
    pub user_agent: Option<String>,
    pub dialect: String,
    pub account_id: Option<String>,
    pub action: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    pub changes: Option<String>,
    pub batch: Option<String>,
}

const COLUMNS: &str = "seq, at, actor, role, source, user_agent, dialect, account_id, action,
                       resource, resource_id, parent_id, name, changes, batch";

/// Which records: each `Some` must match exactly; `from` and `to` bound
/// `at` (from inclusive, to exclusive, both in the stored format). `scope`
/// is what the reader may see.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub account: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub resource_id: Option<String>,
    /// A resource's history: its own records and its children's.
    pub within: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub scope: Scope,
}

/// The records a reader may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every record (an admin).
    #[default]
    All,
    /// Records of any account, never one without an account.
    EveryAccount,
    /// Records of these accounts only.
    Accounts(Vec<String>),
}

/// The WHERE clause of `f` with only the conditions it sets (so SQLite can
/// use the indexes on account, resource and actor), and its values in order.
fn condition(f: &Filter) -> (String, Vec<String>) {
    let mut terms = Vec::new();
    let mut binds = Vec::new();
    let mut term = |sql: &str, value: &Option<String>| {
        if let Some(v) = value {
            binds.push(v.clone());
            terms.push(format!("{sql} ${}", binds.len()));
        }
    };
    term("account_id =", &f.account);
    term("actor =", &f.actor);
    term("action =", &f.action);
    term("resource =", &f.resource);
    term("resource_id =", &f.resource_id);
    term("at >=", &f.from);
    term("at <", &f.to);
    if let Some(id) = &f.within {
        binds.push(id.clone());
        let n = binds.len();
        terms.push(format!("(resource_id = ${n} OR parent_id = ${n})"));
    }
    match &f.scope {
        Scope::All => {}
        Scope::EveryAccount => terms.push("account_id IS NOT NULL".into()),
        // `IN ()` is no SQL on PostgreSQL: no account, no record.
        Scope::Accounts(list) if list.is_empty() => terms.push("FALSE".into()),
        Scope::Accounts(list) => {
            let first = binds.len() + 1;
            binds.extend(list.iter().cloned());
            let placeholders = (first..=binds.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            terms.push(format!("account_id IN ({placeholders})"));
        }
    }
    if terms.is_empty() {
        terms.push("TRUE".into());
    }
    (format!("WHERE {}", terms.join(" AND ")), binds)
}

/// One page of the matching records, newest first, and how many match.
pub async fn page(
    db: &crate::db::Db,
    f: &Filter,
    w: super::Window,
) -> Result<(Vec<Record>, i64), sqlx::Error> {
    let (condition, binds) = condition(f);
    let n = binds.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log {condition} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let rows = q(sql)
        .args(&binds)
        .arg(w.limit)
        .arg(w.offset)
        .fetch_all(&db.read)
        .await?;
    let total = q(format!("SELECT count(*) FROM audit_log {condition}"))
        .args(&binds)
        .scalar(&db.read)
        .await?;
    Ok((rows, total))
}

/// Up to `limit` matching records older than `before` (a `seq`; `None`:
/// the newest), newest first: an export reads the log in such chunks.
pub async fn chunk(
    db: &crate::db::Db,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Record>, sqlx::Error> {
    let (condition, binds) = condition(f);
    let n = binds.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log {condition} AND (${} IS NULL OR seq < ${0})
         ORDER BY seq DESC LIMIT ${}",
        n + 1,
        n + 2
    );
    q(sql)
        .args(&binds)
        .arg(before)
        .arg(limit)
        .fetch_all(&db.read)
        .await
}

/// Removes the records older than `days` days (the retention prune, the
/// only removal there is); how many.
pub async fn prune(db: &crate::db::Db, days: u32) -> Result<u64, sqlx::Error> {
    // A cutoff before year 0 (SQLite's `strftime` had none): nothing is older.
    let Some(cutoff) = time::OffsetDateTime::now_utc()
        .checked_sub(time::Duration::days(days.into()))
        .filter(|t| t.year() >= 0)
    else {
        return Ok(0);
    };
    let r = q("DELETE FROM audit_log WHERE at < $1")
        .arg(stored(cutoff))
        .execute(&db.write)
        .await?;
    Ok(r.rows_affected())
}

/// The stored form of a time, as `at` holds it (`utc.now`'s format:
/// `2026-12-02T04:17:37.422Z`, UTC), so strings compare as times.
pub fn stored(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}
