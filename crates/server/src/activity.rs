//! The audit log for operators: `GET /console/audit`, paged JSON, or every
//! matching record (at most [`MAX_EXPORT`]) as CSV or NDJSON, streamed in
//! chunks. An admin reads every record; another operator only the records
//! of the accounts it may use, never one without an account (operators,
//! API keys, sign-ins).

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::service::Role;
use crate::store::audit::{self as store, Filter, Record, Scope};
use crate::store::{operators, Window};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

/// The largest page.
pub const MAX_PAGE_SIZE: i64 = 200;
/// The most records one export holds.
pub const MAX_EXPORT: usize = 100_000;
/// The longest filter value.
const MAX_FILTER: usize = 200;
/// Records read per query of an export.
const CHUNK: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/audit", get(audit))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Ndjson,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadField {
        field: field.into(),
        message: message.into(),
    }
}

/// What the signed-in operator may read.
async fn scope(state: &AppState, headers: &HeaderMap) -> ApiResult<Scope> {
    let token = auth::session_token(headers, state.settings.session_cookie())
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    // A disabled operator has no session.
    let session = operators::find_session(&state.db, &token)
        .await?
        .ok_or(ApiError::Unauthorized { challenge: false })?;
    Ok(match (session.role, session.accounts) {
        (Role::Admin, _) => Scope::All,
        (_, None) => Scope::EveryAccount,
        (_, Some(list)) => Scope::Accounts(list),
    })
}

/// `YYYY-MM-DD` (that day, UTC) or RFC 3339: the first millisecond it
/// covers and the first after it.
fn time_range(field: &str, value: &str) -> ApiResult<(String, String)> {
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        let t = t
            .replace_nanosecond(t.millisecond() as u32 * 1_000_000)
            .unwrap_or(t);
        return Ok((
            crate::store::audit::stored(t),
            crate::store::audit::stored(t + Duration::milliseconds(1)),
        ));
    }
    let day = || -> Option<Date> {
        let b = value.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let month = time::Month::try_from(value[5..7].parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(value[..4].parse().ok()?, month, value[8..].parse().ok()?).ok()
    };
    let d = day().ok_or_else(|| {
        bad(
            field,
            format!("{field}: a date (YYYY-MM-DD) or an RFC 3339 time"),
        )
    })?;
    let start = d.with_time(Time::MIDNIGHT).assume_utc();
    Ok((
        crate::store::audit::stored(start),
        crate::store::audit::stored(start + Duration::days(1)),
    ))
}

fn parse(q: &HashMap<String, String>) -> ApiResult<(Filter, i64, i64, Format)> {
    for (key, value) in q {
        if value.chars().count() > MAX_FILTER {
            return Err(bad(key, format!("{key}: at most {MAX_FILTER} characters")));
        }
    }
    let text = |key: &str| q.get(key).filter(|v| !v.is_empty()).cloned();
    let number = |key: &str, default: i64, max: i64| -> ApiResult<i64> {
        match q.get(key).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| bad(key, format!("{key}: a number from 1 to {max}"))),
        }
    };
    let from = text("from")
        .map(|v| time_range("from", &v))
        .transpose()?
        .map(|r| r.0);
    let to = text("to")
        .map(|v| time_range("to", &v))
        .transpose()?
        .map(|r| r.1);
    let format = match q.get("format").map(String::as_str) {
        None | Some("" | "json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("ndjson") => Format::Ndjson,
        Some(_) => return Err(bad("format", "format: json, csv or ndjson")),
    };
    let filter = Filter {
        account: text("account"),
        actor: text("actor"),
        action: text("action"),
        resource: text("resource"),
        resource_id: text("resource_id"),
        within: text("within"),
        from,
        to,
        scope: Scope::All,
    };
    let page = number("page", 1, i64::from(i32::MAX))?;
    let page_size = number("page_size", 50, MAX_PAGE_SIZE)?;
    Ok((filter, page, page_size, format))
}

/// A record as the endpoint shows it.
pub fn shown(r: Record) -> Value {
    json!({
        "seq": r.seq,
        "at": r.at,
        "actor": r.actor,
        "role": r.role,
        "source": r.source,
        "user_agent": r.user_agent,
        "dialect": r.dialect,
        "account": r.account_id,
        "action": r.action,
        "resource": r.resource,
        "resource_id": r.resource_id,
        "parent_id": r.parent_id,
        "name": r.name,
        "changes": r.changes.and_then(|c| serde_json::from_str::<Value>(&c).ok()),
        "batch": r.batch,
    })
}

const CSV_HEADER: [&str; 15] = [
    "seq",
    "at",
    "actor",
    "role",
    "source",
    "user_agent",
    "dialect",
    "account",
    "action",
    "resource",
    "resource_id",
    "parent_id",
    "name",
    "changes",
    "batch",
];

/// Records as CSV rows (the header first when `header`).
fn csv_rows(records: Vec<Record>, header: bool) -> Result<Vec<u8>, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(CSV_HEADER)?;
    }
    for r in records {
        let o = |v: Option<String>| v.unwrap_or_default();
        // Names and user agents are typed by users: a cell a spreadsheet
        // would run as a formula gets the exports' reversible guard.
        let cells = [
            r.seq.to_string(),
            r.at,
            r.actor,
            o(r.role),
            o(r.source),
            o(r.user_agent),
            r.dialect,
            o(r.account_id),
            r.action,
            r.resource,
            o(r.resource_id),
            o(r.parent_id),
            o(r.name),
            o(r.changes),
            o(r.batch),
        ];
        w.write_record(
            cells
                .iter()
                .map(|c| sipauth_model::spreadsheet::guard(c).into_owned()),
        )?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn ndjson_rows(records: Vec<Record>) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(shown(r).to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Where an export has got to.
struct Export {
    state: AppState,
    filter: Filter,
    format: Format,
    before: Option<i64>,
    sent: usize,
    started: bool,
}

/// The next chunk of an export, or `None` when it is all sent.
async fn next_chunk(mut e: Export) -> Option<(Result<Vec<u8>, std::io::Error>, Export)> {
    let left = MAX_EXPORT - e.sent;
    if e.started && (left == 0 || e.before == Some(0)) {
        return None;
    }
    let limit = CHUNK.min(left) as i64;
    let records = match store::chunk(&e.state.db, &e.filter, e.before, limit).await {
        Ok(r) => r,
        Err(err) => return Some((Err(std::io::Error::other(err)), mark_done(e))),
    };
    let header = !e.started;
    if records.is_empty() && !header {
        return None;
    }
    e.started = true;
    e.sent += records.len();
    // A short chunk is the last: 0 is no seq, so the next call stops.
    e.before = match records.last() {
        Some(r) if records.len() as i64 == limit => Some(r.seq),
        _ => Some(0),
    };
    let bytes = match e.format {
        Format::Csv => csv_rows(records, header),
        _ => Ok(ndjson_rows(records)),
    };
    Some((bytes, e))
}

fn mark_done(mut e: Export) -> Export {
    e.started = true;
    e.before = Some(0);
    e
}

/// `GET /console/audit`: a page of JSON, or an export.
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let scope = scope(&state, &headers).await?;
    let (mut filter, page, page_size, format) = parse(&q)?;
    filter.scope = scope;
    if format == Format::Json {
        let w = Window {
            limit: page_size,
            offset: (page - 1).saturating_mul(page_size),
        };
        let (rows, total) = store::page(&state.db, &filter, w).await?;
        let records: Vec<Value> = rows.into_iter().map(shown).collect();
        return Ok(Json(json!({
            "records": records,
            "total": total,
            "page": page,
            "page_size": page_size,
        }))
        .into_response());
    }
    let (extension, content_type) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        _ => ("ndjson", "application/x-ndjson"),
    };
    let today = OffsetDateTime::now_utc().date();
    let disposition = format!(
        "attachment; filename=\"audit-{:04}-{:02}-{:02}.{extension}\"",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let export = Export {
        state,
        filter,
        format,
        before: None,
        sent: 0,
        started: false,
    };
    // Fused: the compression layer polls the stream again after its end,
    // which an unfused `unfold` answers with a panic (and a cut download).
    let body = Body::from_stream(futures_util::StreamExt::fuse(futures_util::stream::unfold(
        export, next_chunk,
    )));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// Prunes the records older than `days` days, saying how many went.
pub async fn prune(db: &crate::db::Db, days: u32) -> Result<u64, sqlx::Error> {
    let pruned = store::prune(db, days).await?;
    if pruned > 0 {
        tracing::info!(pruned, days, "audit records past their retention pruned");
    }
    Ok(pruned)
}

/// Prunes once a day from now on (`sipauth serve` prunes at start too).
pub fn keep_pruning(db: crate::db::Db, days: u32) {
    tokio::spawn(async move {
        let day = std::time::Duration::from_secs(24 * 60 * 60);
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + day, day);
        loop {
            every.tick().await;
            if let Err(e) = prune(&db, days).await {
                tracing::warn!(error = %e, "could not prune the audit log");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_or_an_instant_bounds_the_stored_times() {
        let (from, to) = time_range("from", "2026-03-01").unwrap();
        assert_eq!(from, "2026-03-01T00:00:00.000Z");
        assert_eq!(to, "2026-03-02T00:00:00.000Z");
        let (from, to) = time_range("to", "2026-03-01T10:20:30.5+02:00").unwrap();
        assert_eq!(from, "2026-03-01T08:20:30.500Z");
        assert_eq!(to, "2026-03-01T08:20:30.501Z");
        assert!(time_range("to", "yesterday").is_err());
    }
}
