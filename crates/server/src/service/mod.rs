//! The dialect-neutral core: every rule that is not wire format lives here
//! once (quotas, uniqueness, in-use checks before deletes, HA1s, and the
//! events a change raises). Services take and return model and store types;
//! the dialect modules (`plivo`, `zentrunk`, `twilio`, `vobiz`) only map
//! their wire format to these calls and [`ServiceError`] to their own error
//! shape.

pub mod acls;
pub mod applications;
pub mod audit;
mod cascade;
pub mod credential_lists;
pub mod credentials;
pub mod domains;
pub mod events;
pub mod trunks;

use crate::db::Db;
use crate::store::applications::Uses;
use crate::store::{self, accounts, Owned};
use crate::AppState;
pub use audit::{Changes, Snapshot};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
pub use events::{Action, Actor, Event, Kind, Role};

/// Who is calling, for which account: inserted by the dialects'
/// authentication middleware, read by handlers as an extractor.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: std::sync::Arc<accounts::Account>,
    pub actor: Actor,
    /// What the actor may do (the account token: `Admin`).
    pub role: Role,
    /// Where the call came from, for the audit log.
    pub origin: Origin,
}

/// Where a call comes from: what the audit log records beside the actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client's address (behind a trusted proxy, the one it names).
    pub source: Option<std::net::IpAddr>,
    /// The client's `User-Agent`, cut to [`Origin::MAX_USER_AGENT`] characters.
    pub user_agent: Option<String>,
    /// `plivo`, `zentrunk`, `twilio`, `vobiz`, `console` or `cli`.
    pub dialect: &'static str,
    /// The `X-Audit-Batch` id a bulk import sends with each of its lines.
    pub batch: Option<String>,
}

impl Origin {
    pub const MAX_USER_AGENT: usize = 256;

    /// The origin of a request from `source` with these headers.
    pub fn of(
        source: Option<std::net::IpAddr>,
        headers: &axum::http::HeaderMap,
        dialect: &'static str,
    ) -> Self {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Origin {
            source,
            user_agent: header("user-agent")
                .map(|ua| ua.chars().take(Self::MAX_USER_AGENT).collect()),
            dialect,
            // A batch id is the console's own: short, plain, or ignored.
            batch: header("x-audit-batch")
                .filter(|b| {
                    (1..=64).contains(&b.len())
                        && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                })
                .map(str::to_string),
        }
    }

    /// The command line's origin.
    pub fn cli() -> Self {
        Origin {
            dialect: "cli",
            ..Origin::default()
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<std::sync::Arc<Caller>>()
            .map(|c| Caller::clone(c))
            .ok_or(crate::error::ApiError::Unauthorized { challenge: false })
    }
}

/// What every service call works in: the application's state and who is
/// calling. Handlers take it as an extractor.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            state: state.clone(),
            caller: Caller::from_request_parts(parts, state).await?,
        })
    }
}

impl Ctx {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The caller's account id: every query is scoped to it.
    pub fn account(&self) -> &str {
        &self.caller.account.auth_id
    }

    /// The caller's row `id` of `T`, or `NotFound(kind)` (another
    /// account's ids included).
    pub async fn find<T: Owned>(&self, id: &str, kind: Kind) -> ServiceResult<T> {
        store::find::<T>(self.db(), self.account(), id)
            .await?
            .ok_or(ServiceError::NotFound(kind))
    }
}

/// An entry point's references must be the caller's own: another account's
/// credential or ACL is as unknown as one that does not exist.
async fn owned(cx: &Ctx, credential: Option<&str>, acl: Option<&str>) -> ServiceResult<()> {
    if let Some(id) = credential {
        if store::find::<store::credentials::Credential>(cx.db(), cx.account(), id)
            .await?
            .is_none()
        {
            return Err(ServiceError::Unknown {
                field: "credential_uuid",
                kind: Kind::Credential,
                id: id.to_string(),
            });
        }
    }
    if let Some(id) = acl {
        if store::find::<store::acls::Acl>(cx.db(), cx.account(), id)
            .await?
            .is_none()
        {
            return Err(ServiceError::Unknown {
                field: "ip_acl_uuid",
                kind: Kind::Acl,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

/// Deletes the caller's row `id` of `T` unless applications use it (they
/// would be left naming what is gone); a use added meanwhile is caught by
/// the foreign key. What else points at it lets go (the schema's ON DELETE),
/// each recorded in the same transaction.
async fn delete_unless_used<T: Owned + Snapshot>(
    cx: &Ctx,
    id: &str,
    kind: Kind,
    uses: Uses<'_>,
) -> ServiceResult<()> {
    cx.find::<T>(id, kind).await?;
    let users = || store::applications::names_using(cx.db(), cx.account(), uses);
    let in_use = users().await?;
    if !in_use.is_empty() {
        return Err(ServiceError::InUse(kind, in_use));
    }
    let mut tx = cx.begin().await?;
    match delete_in::<T>(&mut tx, id, kind).await {
        Err(ServiceError::Db(e)) if store::is_foreign_key_violation(&e) => {
            // Rolled back before the read: the write pool is the tx's.
            tx.rollback().await;
            Err(ServiceError::InUse(kind, users().await?))
        }
        Err(e) => Err(e),
        Ok(()) => tx.commit().await,
    }
}

/// Deletes the caller's row `id` of `T`, which nothing keeps alive.
async fn delete<T: Owned + Snapshot>(cx: &Ctx, id: &str, kind: Kind) -> ServiceResult<()> {
    let mut tx = cx.begin().await?;
    delete_in::<T>(&mut tx, id, kind).await?;
    tx.commit().await
}

/// Deletes and records the row and what goes with it, in `tx`.
async fn delete_in<T: Owned + Snapshot>(
    tx: &mut audit::Tx<'_>,
    id: &str,
    kind: Kind,
) -> ServiceResult<()> {
    let account = tx.cx().account();
    let row = store::find_on::<T>(tx.conn(), account, id)
        .await?
        .ok_or(ServiceError::NotFound(kind))?;
    cascade::record(tx, kind, id).await?;
    if !store::delete::<T>(tx.conn(), account, id).await? {
        return Err(ServiceError::NotFound(kind));
    }
    tx.record_of(kind, id, &row, Action::Deleted, Changes::deleted(&row));
    Ok(())
}

/// What a service refuses, in neutral terms; each dialect words it.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such resource in the caller's account (another account's ids
    /// included).
    #[error("{0} not found")]
    NotFound(Kind),
    /// A field breaks a rule the store's state decides (not the syntax).
    #[error("{0}")]
    Field(#[from] sipauth_model::FieldError),
    /// The account holds its quota of `Kind` (or the parent holds its
    /// quota of children).
    #[error("{0} quota reached ({1})")]
    Quota(Kind, i64),
    /// The account already has this value where it must be unique.
    #[error("duplicate {0}: {1:?}")]
    Duplicate(Kind, Duplicate),
    /// A field names something the caller's account does not have.
    #[error("{field}: no {kind} {id} in this account")]
    Unknown {
        field: &'static str,
        kind: Kind,
        id: String,
    },
    /// A field breaks a rule about the other fields (`message` says how).
    #[error("{field}: {message}")]
    Rule {
        field: &'static str,
        message: String,
    },
    /// Something a write refers to was deleted while it ran.
    #[error("a {0} it refers to was deleted meanwhile")]
    Gone(Kind),
    /// Still used by the named applications; deleting would change what
    /// they enforce.
    #[error("{0} is used by {1:?}")]
    InUse(Kind, Vec<String>),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl ServiceError {
    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ServiceError::Field(e) => Some(e.field),
            ServiceError::Unknown { field, .. } | ServiceError::Rule { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// What is already there, for the dialect's 409.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duplicate {
    /// A credential username; `list` is the twilio credential list holding
    /// it, as (id, friendly name) (`None`: a credential made through
    /// another dialect).
    Username {
        username: String,
        list: Option<(String, String)>,
    },
    /// An ACL entry's masked network.
    Network {
        ip: String,
        prefix: i64,
        network: String,
    },
    /// The name of an IP ACL or credential list (unique per account, case
    /// aside).
    Name(String),
    /// A domain name (always under the account's own realm).
    DomainName(String),
    /// A mapping of `target` to the domain already exists.
    Mapped(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;
