//! The API's one error type: every failure a handler can return, mapped to a
//! status and the plivo error body `{api_id, error}` (plus `field` when one
//! field is at fault, so the console can show it beside that field).

use crate::service::{Duplicate, Kind, Role, ServiceError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sipauth_model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A field breaks its rule (400).
    #[error("{0}")]
    Field(#[from] FieldError),
    /// A required field is absent or has the wrong JSON type (400).
    #[error("{message}")]
    BadField { field: String, message: String },
    /// A required parameter is absent where the provider answers 422
    /// (zentrunk's username and password).
    #[error("{message}")]
    Missing { field: String, message: String },
    /// The request as a whole is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// An account quota would be exceeded (400, as the provider does).
    #[error("{0}")]
    Quota(String),
    /// No valid credentials (401). `challenge` adds `WWW-Authenticate`.
    #[error(
        "authentication required: use Basic auth with your auth_id and auth_token, or sign in"
    )]
    Unauthorized { challenge: bool },
    /// Operator sign-in with a wrong username or password (401).
    #[error("wrong username or password")]
    SignInFailed,
    /// Signed in, but a write came without the session's CSRF token (403).
    #[error("missing or wrong X-CSRF-Token header for this session; reload the console")]
    Csrf,
    /// A write sent from another site's page (`Sec-Fetch-Site: cross-site`)
    /// (403).
    #[error("writes from another site's pages are refused")]
    CrossSite,
    /// The caller's role may not do this (403): a viewer's write, an
    /// editor on an admin's page.
    #[error("this needs the {needed} role; you are {} {have}", article(*have))]
    Forbidden { needed: Role, have: Role },
    /// Sign-in over plain HTTP from another machine (403).
    #[error("sign-in over plain HTTP is open only to this machine: serve the console over TLS and start the server with --public-url https://…")]
    PlainHttp,
    /// A JSON route given a body of another type (415).
    #[error("the request body must be JSON, sent as Content-Type: application/json")]
    NotJson,
    /// A request line longer than the server reads (414).
    #[error("the request URI is longer than {0} bytes")]
    UriTooLong(usize),
    /// The path exists, the method does not (405).
    #[error("this path does not take that method")]
    MethodNotAllowed,
    /// Unknown id, or another account's (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Duplicate (409).
    #[error("{0}")]
    Conflict(String),
    /// A refusal of the current state, tied to one field (409): the last
    /// admin, a taken operator name.
    #[error("{message}")]
    ConflictOn {
        field: &'static str,
        message: String,
    },
    /// Still used by applications (409), which are named in the body.
    #[error("{message}")]
    InUse {
        message: &'static str,
        applications: Vec<String>,
    },
    /// Too many failed sign-ins from one address (429).
    #[error("too many failed sign-ins from this address; try again in {retry_after} s")]
    SignInThrottled { retry_after: u64 },
    /// Too many sign-in attempts for one operator name, from anywhere (429).
    #[error("too many sign-in attempts for this operator name; try again in {retry_after} s")]
    NameThrottled { retry_after: u64 },
    /// The shared rate limits could not be checked: the PostgreSQL store
    /// did not answer (503; refused rather than let through unchecked).
    #[error("the rate limits could not be checked (the database did not answer); try again in {retry_after} s")]
    LimitsUnavailable { retry_after: u64 },
    /// Too many password checks at once: each holds 19 MiB (503).
    #[error("the server is busy checking other sign-ins; try again in {retry_after} s")]
    Busy { retry_after: u64 },
    /// Too many requests or failed authentications from one source (429).
    #[error("too many requests or failed authentications from this address; try again in {retry_after} s")]
    SourceThrottled { retry_after: u64 },
    /// The account exceeded its request rate (429).
    #[error("too many requests: this account may make {per_minute} requests a minute; retry after {retry_after} s")]
    RateLimited { per_minute: u32, retry_after: u64 },
    /// The body is larger than the server accepts (413).
    #[error("request body is too large (limit {0} bytes)")]
    TooLarge(usize),
    /// Anything else; logged, never shown (500).
    #[error("internal error")]
    Internal(String),
}

/// "a viewer", "an editor", "an admin".
fn article(role: Role) -> &'static str {
    match role {
        Role::Viewer => "a",
        Role::Editor | Role::Admin => "an",
    }
}

/// The seed's words for deleting a credential an application uses.
pub const CREDENTIAL_IN_USE: &str = "This credential is currently assigned to an application. Remove the assignment first by setting sip_auth_type to empty.";

/// The seed's words for deleting an ACL an application uses.
pub const ACL_IN_USE: &str = "This IP ACL is currently assigned to an application. Remove the assignment first by setting sip_auth_type to empty.";

/// The core's refusals in plivo's words (also zentrunk's and vobiz's).
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(kind) => ApiError::NotFound(kind.noun()),
            ServiceError::Field(e) => ApiError::Field(e),
            ServiceError::Quota(Kind::AclEntry, max) => ApiError::Quota(format!(
                "entry quota reached: an IP ACL holds at most {max} entries; remove one first"
            )),
            ServiceError::Quota(kind, max) => ApiError::Quota(format!(
                "{kind} quota reached: an account may hold {max} {kind}s; delete one first"
            )),
            ServiceError::Duplicate(_, Duplicate::Username { username, .. }) => ApiError::Conflict(
                format!("a credential with username '{username}' already exists in this account"),
            ),
            ServiceError::Duplicate(_, Duplicate::Network { network, .. }) => ApiError::Conflict(
                format!("this IP ACL already has an entry for the network {network}"),
            ),
            e @ (ServiceError::Unknown { .. } | ServiceError::Rule { .. }) => ApiError::BadField {
                field: e.field().unwrap_or_default().into(),
                message: e.to_string(),
            },
            ServiceError::Gone(_) => ApiError::Conflict(
                "the credential or IP ACL was deleted meanwhile; pick another".into(),
            ),
            ServiceError::Duplicate(kind, Duplicate::Name(name)) => ApiError::Conflict(format!(
                "{} named \"{name}\" already exists in this account",
                if kind == Kind::Acl {
                    "An IP ACL"
                } else {
                    "A credential list"
                }
            )),
            ServiceError::Duplicate(_, Duplicate::DomainName(name)) => {
                ApiError::Conflict(format!("this account already has a domain named {name}"))
            }
            ServiceError::Duplicate(_, Duplicate::Mapped(target)) => {
                ApiError::Conflict(format!("{target} is already mapped to this domain"))
            }
            ServiceError::InUse(kind, applications) => ApiError::InUse {
                message: if kind == Kind::Acl {
                    ACL_IN_USE
                } else {
                    CREDENTIAL_IN_USE
                },
                applications,
            },
            ServiceError::Db(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Field(_)
            | ApiError::BadField { .. }
            | ApiError::BadRequest(_)
            | ApiError::Quota(_) => StatusCode::BAD_REQUEST,
            ApiError::Missing { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } | ApiError::SignInFailed => StatusCode::UNAUTHORIZED,
            ApiError::Csrf
            | ApiError::CrossSite
            | ApiError::PlainHttp
            | ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::Conflict(_) | ApiError::InUse { .. } | ApiError::ConflictOn { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::RateLimited { .. }
            | ApiError::SignInThrottled { .. }
            | ApiError::NameThrottled { .. }
            | ApiError::SourceThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Busy { .. } | ApiError::LimitsUnavailable { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            ApiError::Field(e) => Some(e.field),
            ApiError::BadField { field, .. } | ApiError::Missing { field, .. } => Some(field),
            ApiError::ConflictOn { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The JSON dialects' error body, as sent and as the OpenAPI documents
/// describe every 4xx.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// A fresh id for this answer.
    pub api_id: String,
    /// What is wrong, in words for the operator: the field, its rule, the value's problem.
    pub error: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The applications still using what a delete named (409 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applications: Option<Vec<String>>,
}

pub fn api_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = ErrorBody {
            api_id: api_id(),
            error: self.to_string(),
            field: self.field().map(str::to_string),
            applications: match &self {
                ApiError::InUse { applications, .. } => Some(applications.clone()),
                _ => None,
            },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after, .. }
        | ApiError::SignInThrottled { retry_after }
        | ApiError::NameThrottled { retry_after }
        | ApiError::SourceThrottled { retry_after }
        | ApiError::Busy { retry_after }
        | ApiError::LimitsUnavailable { retry_after } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if matches!(self, ApiError::Unauthorized { challenge: true }) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"sipauth\""),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_role_says_which_is_needed() {
        let e = |needed, have| ApiError::Forbidden { needed, have };
        assert_eq!(
            e(Role::Editor, Role::Viewer).to_string(),
            "this needs the editor role; you are a viewer"
        );
        assert_eq!(
            e(Role::Admin, Role::Editor).to_string(),
            "this needs the admin role; you are an editor"
        );
        assert_eq!(e(Role::Admin, Role::Viewer).status(), StatusCode::FORBIDDEN);
    }
}
