//! What the SIP side sees, for operators (mounted only with
//! `--kamailio-rpc`, never in proxy mode): each credential's last
//! successful authentication and registrations, the current registrations
//! of a credential or a Twilio domain (usrloc over JSON-RPC, every node),
//! failed authentications, flagged usernames and bans (from Kamailio's
//! reports, `sip_events.rs`), and Unban.
//!
//! Any signed-in operator reads its accounts' (another account answers the
//! unknown account's 404); Unban needs the editor role and the CSRF token,
//! and writes its audit record in the transaction that marks the ban
//! lifted.

use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::kamailio::{Reloader, RpcError};
use crate::service::{audit, Actor, Origin, Role};
use crate::sip_events::{self, rfc3339, unix_now};
use crate::sql::q;
use crate::store::accounts::Account;
use crate::store::operators::{self, Session};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::routing::{delete, get};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// AoRs looked up per request.
pub const MAX_AORS: usize = 1000;
/// RPCs in flight per request.
const IN_FLIGHT: usize = 8;
/// Contacts shown per AoR (per node).
pub const MAX_CONTACTS: usize = 10;
/// The largest failures page.
pub const MAX_PAGE_SIZE: i64 = 200;
/// Credentials unused for this many days are marked in the console.
pub const STALE_DAYS: i64 = 90;
/// The most current bans listed.
const MAX_BANS: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/accounts/{auth_id}/sip/credentials",
            get(credentials),
        )
        .route(
            "/console/accounts/{auth_id}/sip/registrations",
            get(registrations),
        )
        .route("/console/accounts/{auth_id}/sip/security", get(security))
        .route("/console/accounts/{auth_id}/sip/failures", get(failures))
        .route(
            "/console/accounts/{auth_id}/sip/bans/{source}",
            delete(unban),
        )
}

/// A signed-in operator (any role), with the CSRF token on writes.
pub struct Operator {
    session: Session,
    origin: Origin,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        auth::refuse_cross_site(&parts.method, &parts.headers)?;
        let token = auth::session_token(&parts.headers, state.settings.session_cookie())
            .ok_or(ApiError::Unauthorized { challenge: false })?;
        let session = operators::find_session(&state.db, &token)
            .await?
            .ok_or(ApiError::Unauthorized { challenge: false })?;
        auth::check_csrf(&parts.method, &parts.headers, &session)?;
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| state.settings.client_ip(c.0.ip(), &parts.headers));
        Ok(Operator {
            session,
            origin: Origin::of(client, &parts.headers, "console"),
        })
    }
}

/// The account `auth_id` if it exists and is in the operator's scope; the
/// unknown account's 404 otherwise.
async fn account(state: &AppState, op: &Operator, auth_id: &str) -> ApiResult<Arc<Account>> {
    if !op.session.may_use(auth_id) {
        return Err(ApiError::NotFound("account"));
    }
    state
        .accounts
        .find(&state.db, auth_id)
        .await?
        .ok_or(ApiError::NotFound("account"))
}

fn reloader(state: &AppState) -> ApiResult<&Arc<Reloader>> {
    state
        .kamailio
        .as_ref()
        .ok_or(ApiError::NotFound("resource"))
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadField {
        field: field.into(),
        message: message.into(),
    }
}

/// One AoR a credential may register at.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Aor {
    credential_id: String,
    username: String,
    aor: String,
}

/// Where the account's credentials may register (the `:r:` members of
/// `sip_members`, with the entry point's address): a vobiz (account-wide)
/// credential at the realm, a Twilio credential at each domain that takes
/// registrations and maps its list for them. `only`: one credential's or
/// one domain's. An AoR found twice (a Twilio domain named like the realm)
/// is one credential's: usernames are unique in an account.
async fn aors(state: &AppState, account: &str, only: Only<'_>) -> ApiResult<Vec<Aor>> {
    let (credential, domain) = match only {
        Only::All => (None, None),
        Only::Credential(c) => (Some(c), None),
        Only::Domain(d) => (None, Some(d)),
    };
    let rows = q(
        "SELECT min(credential_id) AS credential_id, min(username) AS username, aor
         FROM (
             SELECT c.seq, c.id AS credential_id, c.username, c.username || '@' || a.realm AS aor,
                    NULL AS domain_id
             FROM credentials c JOIN accounts a ON a.auth_id = c.account_id
             WHERE c.account_id = $1 AND c.account_wide AND c.enabled
             UNION ALL
             SELECT c.seq, c.id, c.username, c.username || '@' || lower(d.domain_name), d.id
             FROM domains d
             JOIN domain_mappings m ON m.domain_id = d.id AND m.kind = 'registrations_credentials'
             JOIN credentials c ON c.list_id = m.credential_list_id AND c.account_id = d.account_id
             WHERE d.account_id = $1 AND d.sip_registration AND c.enabled) AS r
         WHERE ($2 IS NULL OR credential_id = $2) AND ($3 IS NULL OR domain_id = $3)
         GROUP BY aor ORDER BY min(seq), aor LIMIT $4",
    )
    .arg(account)
    .arg(credential)
    .arg(domain)
    .arg(MAX_AORS as i64 + 1)
    .fetch_all(&state.db.read)
    .await?;
    Ok(rows)
}

#[derive(Clone, Copy)]
enum Only<'a> {
    All,
    Credential(&'a str),
    Domain(&'a str),
}

/// A contact of a registration, as the console shows it.
#[derive(Debug, Clone)]
struct Contact {
    aor: String,
    username: String,
    node: String,
    contact: Value,
}

/// Looks every AoR up on every node (at most [`IN_FLIGHT`] at once): the
/// contacts found and the nodes that did not answer.
async fn lookup(
    state: &AppState,
    realm: &str,
    aors: &[Aor],
) -> ApiResult<(Vec<Contact>, Vec<String>)> {
    let k = reloader(state)?.clone();
    let nodes = k.nodes();
    let down: Arc<std::sync::Mutex<std::collections::HashSet<String>>> = Arc::default();
    // Owned values: the stream's futures must be Send for any lifetime.
    let calls: Vec<(usize, String, String)> = aors
        .iter()
        .take(MAX_AORS)
        .enumerate()
        .flat_map(|(i, a)| nodes.iter().map(move |n| (i, a.aor.clone(), n.clone())))
        .collect();
    let mut answers: Vec<(usize, String, Result<Value, RpcError>)> =
        futures_util::stream::iter(calls)
            .map(|(i, aor, node)| {
                let (k, down) = (k.clone(), down.clone());
                async move {
                    // A node that did not answer is not asked again in this
                    // request: 1,000 AoRs never wait 1,000 timeouts.
                    if down.lock().expect("down").contains(&node) {
                        let e = RpcError::Unreachable("did not answer".into());
                        return (i, node, Err(e));
                    }
                    let r = k.call_on(&node, "ul.lookup", &["location", &aor]).await;
                    if let Err(RpcError::Unreachable(_)) = &r {
                        down.lock().expect("down").insert(node.clone());
                    }
                    (i, node, r)
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
    // In the order of the AoRs, then of the nodes.
    answers.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut contacts = Vec::new();
    let mut unreachable: Vec<String> = Vec::new();
    for (i, node, answer) in answers {
        let a = &aors[i];
        let result = match answer {
            Ok(v) => v,
            // usrloc's answer for an AoR with no contacts.
            Err(RpcError::Answered { ref message, .. })
                if message.to_ascii_lowercase().contains("not found") =>
            {
                continue
            }
            Err(e) => {
                if !unreachable.contains(&node) {
                    tracing::warn!(node = %node, error = %e, "registrations lookup failed");
                    unreachable.push(node);
                }
                continue;
            }
        };
        let list = result
            .get("Contacts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in list.iter().take(MAX_CONTACTS) {
            let Some(c) = item.get("Contact") else {
                continue;
            };
            contacts.push(Contact {
                aor: a.aor.clone(),
                username: a.username.clone(),
                node: node.clone(),
                contact: shown_contact(state, realm, &a.username, c),
            });
        }
    }
    unreachable.sort();
    Ok((contacts, unreachable))
}

/// A usrloc string field, `None` when Kamailio says it is not set.
fn text<'a>(c: &'a Value, key: &str) -> Option<&'a str> {
    c.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && !s.starts_with("[not set]"))
}

/// `(host, port, transport)` of a SIP URI such as `sip:user@host:port;transport=tcp`
/// or `<sip:[2001:db8::1]:5060>`.
pub fn uri_address(uri: &str) -> Option<(String, Option<u16>, Option<String>)> {
    let uri = uri.trim().trim_start_matches('<');
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))?;
    let rest = rest.split('>').next()?;
    let mut parts = rest.split(';');
    let hostport = parts.next()?;
    let hostport = hostport.rsplit('@').next()?;
    let transport = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("transport"))
        .map(|(_, v)| v.to_ascii_lowercase());
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((host.to_string(), port, transport))
}

/// One contact as the console shows it (Kamailio 5.6's `ul.lookup` fields).
fn shown_contact(state: &AppState, realm: &str, username: &str, c: &Value) -> Value {
    let address = text(c, "Address").unwrap_or("");
    // Behind NAT the contact's own address is private: the source is where
    // the REGISTER came from (registrar's received_avp), else the contact.
    let from = text(c, "Received")
        .and_then(uri_address)
        .or_else(|| uri_address(address));
    let socket_proto = text(c, "Socket")
        .and_then(|s| s.split_once(':'))
        .map(|(p, _)| p.to_ascii_lowercase());
    let (source, port, transport) = match from {
        Some((h, p, t)) => (Some(h), p, t.or(socket_proto)),
        None => (None, None, socket_proto),
    };
    let call_id = text(c, "Call-ID").unwrap_or("");
    let since = state
        .registered
        .since(realm, username, call_id)
        .and_then(rfc3339);
    let last = c
        .get("Last-Modified")
        .and_then(Value::as_i64)
        .filter(|t| *t > 0)
        .and_then(rfc3339);
    json!({
        "contact": address,
        "source": source,
        "port": port,
        "transport": transport.unwrap_or_else(|| "udp".into()),
        "user_agent": text(c, "User-Agent"),
        "expires_in": c.get("Expires").and_then(Value::as_i64),
        "registered_since": since,
        "last_refresh": last,
    })
}

/// `GET …/sip/credentials`.
async fn credentials(
    State(state): State<AppState>,
    op: Operator,
    Path(auth_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let account = account(&state, &op, &auth_id).await?;
    let flagged_since = unix_now() - 24 * 60 * 60;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        bool,
    )> = q(
        "SELECT c.id, c.username, s.at, s.source, s.port, s.transport, s.method,
                    EXISTS (SELECT 1 FROM sip_user_flags f
                            WHERE f.account_id = c.account_id AND f.username = c.username
                              AND f.flagged_at >= $2)
             FROM credentials c LEFT JOIN credential_seen s ON s.credential_seq = c.seq
             WHERE c.account_id = $1 ORDER BY c.seq",
    )
    .arg(&auth_id)
    .arg(flagged_since)
    .fetch_all(&state.db.read)
    .await?;
    let aors = aors(&state, &auth_id, Only::All).await?;
    let (contacts, unreachable) = lookup(&state, &account.realm, &aors).await?;
    // Credentials that may register somewhere (among the AoRs looked up):
    // their count of contacts, else null.
    let mut registrations: HashMap<&str, usize> = HashMap::new();
    for a in aors.iter().take(MAX_AORS) {
        registrations.entry(a.credential_id.as_str()).or_default();
    }
    let by_aor: HashMap<&str, &str> = aors
        .iter()
        .map(|a| (a.aor.as_str(), a.credential_id.as_str()))
        .collect();
    for c in &contacts {
        if let Some(id) = by_aor.get(c.aor.as_str()) {
            *registrations.entry(id).or_default() += 1;
        }
    }
    let list: Vec<Value> = rows
        .iter()
        .map(
            |(id, username, at, source, port, transport, method, flagged)| {
                let last_seen = at.map(|at| {
                    json!({
                        "at": rfc3339(at),
                        "source": source,
                        "port": port,
                        "transport": transport,
                        "method": method,
                    })
                });
                json!({
                    "id": id,
                    "username": username,
                    "last_seen": last_seen,
                    "registrations": registrations.get(id.as_str()),
                    "under_attack": flagged,
                })
            },
        )
        .collect();
    Ok(Json(json!({
        "credentials": list,
        "stale_days": STALE_DAYS,
        "unreachable": unreachable,
    })))
}

/// `GET …/sip/registrations?credential=<id>` or `?domain=<sid>`.
async fn registrations(
    State(state): State<AppState>,
    op: Operator,
    Path(auth_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let account = account(&state, &op, &auth_id).await?;
    let only = match (params.get("credential"), params.get("domain")) {
        (Some(c), None) => {
            let found: Option<i64> =
                q("SELECT seq FROM credentials WHERE id = $1 AND account_id = $2")
                    .arg(c)
                    .arg(&auth_id)
                    .scalar_optional(&state.db.read)
                    .await?;
            found.ok_or(ApiError::NotFound("credential"))?;
            Only::Credential(c)
        }
        (None, Some(d)) => {
            let found: Option<i64> = q("SELECT seq FROM domains WHERE id = $1 AND account_id = $2")
                .arg(d)
                .arg(&auth_id)
                .scalar_optional(&state.db.read)
                .await?;
            found.ok_or(ApiError::NotFound("domain"))?;
            Only::Domain(d)
        }
        _ => {
            return Err(bad(
                "credential",
                "credential: give one credential id, or domain: one domain sid",
            ))
        }
    };
    let aors = aors(&state, &auth_id, only).await?;
    let (contacts, unreachable) = lookup(&state, &account.realm, &aors).await?;
    let list: Vec<Value> = contacts
        .into_iter()
        .map(|c| {
            let mut v = c.contact;
            v["aor"] = json!(c.aor);
            v["username"] = json!(c.username);
            v["node"] = json!(c.node);
            v
        })
        .collect();
    Ok(Json(json!({
        "registrations": list,
        "unreachable": unreachable,
        "truncated": aors.len() > MAX_AORS,
    })))
}

/// `GET …/sip/security`: settings, failures per hour over 24 h, the top
/// sources and usernames of the last 24 h, the current bans.
async fn security(
    State(state): State<AppState>,
    op: Operator,
    Path(auth_id): Path<String>,
) -> ApiResult<Json<Value>> {
    account(&state, &op, &auth_id).await?;
    let db = &state.db.read;
    let settings = sip_events::read_settings(db).await?;
    let now = unix_now();
    let hour = now.div_euclid(3600);
    let first_hour = hour - 23;
    let day_minute = now.div_euclid(60) - 24 * 60;
    let per_hour: Vec<(i64, i64)> = q(
        "SELECT minute / 60, CAST(sum(count) AS BIGINT) FROM sip_failures
         WHERE account_id = $1 AND minute >= $2 GROUP BY minute / 60",
    )
    .arg(&auth_id)
    .arg(first_hour * 60)
    .fetch_all(db)
    .await?;
    let per_hour: HashMap<i64, i64> = per_hour.into_iter().collect();
    let hourly: Vec<Value> = (first_hour..=hour)
        .map(|h| json!({ "hour": rfc3339(h * 3600), "failures": per_hour.get(&h).copied().unwrap_or(0) }))
        .collect();
    // The subqueries read the account from $1: f.account_id is not grouped.
    let sources: Vec<(String, i64, bool)> = q("SELECT f.source, CAST(sum(f.count) AS BIGINT) AS n,
                EXISTS (SELECT 1 FROM sip_bans b WHERE b.account_id = $1
                        AND b.source = f.source AND b.lifted_at IS NULL AND b.until > $3)
         FROM sip_failures f WHERE f.account_id = $1 AND f.minute >= $2
         GROUP BY f.source ORDER BY n DESC, f.source LIMIT 10")
    .arg(&auth_id)
    .arg(day_minute)
    .arg(now)
    .fetch_all(db)
    .await?;
    let usernames: Vec<(String, i64, Option<String>, bool)> =
        q("SELECT f.username, CAST(sum(f.count) AS BIGINT) AS n,
                (SELECT c.id FROM credentials c WHERE c.account_id = $1
                 AND c.username = f.username),
                EXISTS (SELECT 1 FROM sip_user_flags u WHERE u.account_id = $1
                        AND u.username = f.username AND u.flagged_at >= $3)
         FROM sip_failures f WHERE f.account_id = $1 AND f.minute >= $2
         GROUP BY f.username ORDER BY n DESC, f.username LIMIT 10")
        .arg(&auth_id)
        .arg(day_minute)
        .arg(now - 24 * 60 * 60)
        .fetch_all(db)
        .await?;
    let bans: Vec<(String, i64, i64, i64)> = q(
        "SELECT source, max(banned_at), max(until), max(failures) FROM sip_bans
         WHERE account_id = $1 AND lifted_at IS NULL AND until > $2
         GROUP BY source ORDER BY max(until) DESC, source LIMIT $3",
    )
    .arg(&auth_id)
    .arg(now)
    .arg(MAX_BANS)
    .fetch_all(db)
    .await?;
    Ok(Json(json!({
        "settings": {
            "ban_failures": settings.ban_failures,
            "ban_window": settings.ban_window,
            "ban_seconds": settings.ban_seconds,
            "user_failures": settings.user_failures,
        },
        "hourly": hourly,
        "top_sources": sources.iter().map(|(s, n, banned)| json!({
            "source": s, "failures": n, "banned": banned,
        })).collect::<Vec<_>>(),
        "top_usernames": usernames.iter().map(|(u, n, id, flagged)| json!({
            "username": u, "failures": n, "credential_id": id, "under_attack": flagged,
        })).collect::<Vec<_>>(),
        "bans": bans.iter().map(|(s, at, until, failures)| json!({
            "source": s,
            "banned_at": rfc3339(*at),
            "until": rfc3339(*until),
            "seconds_left": until - now,
            "failures": failures,
        })).collect::<Vec<_>>(),
    })))
}

/// `GET …/sip/failures?page=&page_size=&source=&username=`: the last
/// [`sip_events::KEEP_DAYS`] days, newest first, one row per minute,
/// source, username, entry point and reason.
async fn failures(
    State(state): State<AppState>,
    op: Operator,
    Path(auth_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    account(&state, &op, &auth_id).await?;
    let number =
        |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| -> ApiResult<i64> {
            match params.get(key).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        bad(
                            key,
                            format!(
                                "{key}: a whole number from {} to {}",
                                range.start(),
                                range.end()
                            ),
                        )
                    }),
            }
        };
    let page = number("page", 0, 0..=100_000)?;
    let page_size = number("page_size", 50, 1..=MAX_PAGE_SIZE)?;
    let filter = |key: &str| -> ApiResult<Option<String>> {
        match params.get(key).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.chars().count() > 200 => {
                Err(bad(key, format!("{key}: at most 200 characters")))
            }
            Some(v) => Ok(Some(v.clone())),
        }
    };
    let source = filter("source")?;
    let username = filter("username")?;
    let since = (unix_now() - sip_events::KEEP_DAYS * 24 * 60 * 60).div_euclid(60);
    let total: i64 = q(
        "SELECT count(*) FROM sip_failures WHERE account_id = $1 AND minute >= $2
         AND ($3 IS NULL OR source = $3) AND ($4 IS NULL OR username = $4)",
    )
    .arg(&auth_id)
    .arg(since)
    .arg(&source)
    .arg(&username)
    .scalar(&state.db.read)
    .await?;
    let rows: Vec<(i64, String, String, String, String, i64)> = q(
        "SELECT last_at, source, username, entry, reason, count FROM sip_failures
         WHERE account_id = $1 AND minute >= $2
           AND ($3 IS NULL OR source = $3) AND ($4 IS NULL OR username = $4)
         ORDER BY last_at DESC, minute DESC, source, username, entry, reason
         LIMIT $5 OFFSET $6",
    )
    .arg(&auth_id)
    .arg(since)
    .arg(&source)
    .arg(&username)
    .arg(page_size)
    .arg(page * page_size)
    .fetch_all(&state.db.read)
    .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|(at, source, username, entry, reason, count)| {
            json!({
                "at": rfc3339(*at),
                "source": source,
                "username": username,
                "entry": entry,
                "reason": if reason == "password" { "wrong password" } else { "unknown user" },
                "count": count,
            })
        })
        .collect();
    Ok(Json(json!({
        "failures": list,
        "total": total,
        "page": page,
        "page_size": page_size,
    })))
}

/// `DELETE …/sip/bans/{source}`: every node forgets the ban and the
/// source's failure count at the account; the ban is marked lifted, with
/// its audit record, in one transaction.
async fn unban(
    State(state): State<AppState>,
    op: Operator,
    Path((auth_id, source)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    account(&state, &op, &auth_id).await?;
    if !op.session.role.may_write() {
        return Err(ApiError::Forbidden {
            needed: Role::Editor,
            have: op.session.role,
        });
    }
    let k = reloader(&state)?;
    let now = unix_now();
    let banned: i64 = q("SELECT count(*) FROM sip_bans
         WHERE account_id = $1 AND source = $2 AND lifted_at IS NULL AND until > $3")
    .arg(&auth_id)
    .arg(&source)
    .arg(now)
    .scalar(&state.db.read)
    .await?;
    if banned == 0 {
        return Err(ApiError::NotFound("ban"));
    }
    // The account's group: the second half of Kamailio's ban keys.
    let group: i64 = q("SELECT rowid * 4 + 3 FROM accounts WHERE auth_id = $1")
        .arg(&auth_id)
        .scalar(&state.db.read)
        .await?;
    let key = format!("{source}|{group}");
    let (ban_key, count_key) = (["ban", key.as_str()], ["failsrc", key.as_str()]);
    let (bans, counts) = futures_util::join!(
        k.call_all("htable.delete", &ban_key),
        k.call_all("htable.delete", &count_key),
    );
    // A key already gone (expired, or on a node that never banned) is
    // lifted there.
    let outcome = |r: &Result<Value, RpcError>| match r {
        Ok(_) => None,
        Err(e)
            if e.answered()
                .is_some_and(|m| m.to_ascii_lowercase().contains("not found")) =>
        {
            None
        }
        Err(e) => Some(e.to_string()),
    };
    let nodes: Vec<Value> = bans
        .iter()
        .zip(counts.iter())
        .map(
            |((node, ban), (_, count))| match outcome(ban).or_else(|| outcome(count)) {
                None => json!({ "node": node, "lifted": true }),
                Some(e) => json!({ "node": node, "lifted": false, "error": e }),
            },
        )
        .collect();
    let actor = Actor::Operator(op.session.operator.clone());
    let mut tx = state.db.transaction(None).await?;
    let lifted = q("UPDATE sip_bans SET lifted_at = $1, lifted_by = $2
         WHERE account_id = $3 AND source = $4 AND lifted_at IS NULL AND until > $1")
    .arg(now)
    .arg(actor.to_string())
    .arg(&auth_id)
    .arg(&source)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if lifted == 0 {
        // Another operator lifted it meanwhile.
        return Err(ApiError::NotFound("ban"));
    }
    audit::append(
        tx.conn(),
        &actor,
        Some(op.session.role),
        &op.origin,
        Some(&auth_id),
        "unban",
        "ban",
        Some(&source),
        Some(&source),
        Some(json!({ "banned": { "before": true, "after": false }, "nodes": { "after": nodes } })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(account = %auth_id, %source, by = %op.session.operator, "SIP ban lifted");
    Ok(Json(json!({ "source": source, "nodes": nodes })))
}

#[cfg(test)]
mod tests {
    use super::uri_address;

    #[test]
    fn sources_come_from_sip_uris() {
        let cases = [
            (
                "sip:192.0.2.7:5062;transport=tcp",
                Some(("192.0.2.7", Some(5062), Some("tcp"))),
            ),
            (
                "sip:alice@10.0.0.2:5060;ob",
                Some(("10.0.0.2", Some(5060), None)),
            ),
            (
                "<sip:alice@[2001:db8::1]:5070;transport=TLS>;expires=60",
                Some(("2001:db8::1", Some(5070), Some("tls"))),
            ),
            ("sip:pbx.example.com", Some(("pbx.example.com", None, None))),
            ("tel:+123", None),
            ("sip:a@10.0.0.1:99999", None),
        ];
        for (uri, expect) in cases {
            let got = uri_address(uri);
            let got = got.as_ref().map(|(h, p, t)| (h.as_str(), *p, t.as_deref()));
            assert_eq!(got, expect, "{uri}");
        }
    }
}
