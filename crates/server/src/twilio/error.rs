//! The twilio dialect's errors: `{code, message, more_info, status}` with
//! the HTTP status, as Twilio's helper libraries read them. The codes are
//! Twilio's where one fits (20003, 20404, 20429) and ours otherwise; the
//! list is in docs/decisions.md#twilio-credential-lists-domains-and-mappings.

use crate::error::ApiError;
use crate::service::{Duplicate, Kind, ServiceError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sipauth_model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// A parameter is missing or breaks its rule (400, code 20001).
    #[error("{0}")]
    Invalid(String),
    /// The account's credential quota is full (400, code 20002).
    #[error("{0}")]
    Quota(String),
    /// No or wrong Basic auth (401, code 20003); `challenge`: with a
    /// Basic challenge, except for the console's requests, which must never
    /// make the browser prompt for a password (an ended session).
    #[error("Authenticate")]
    Unauthorized { challenge: bool },
    /// A session request without its CSRF token (403, code 20403).
    #[error("missing or wrong X-CSRF-Token header for this session")]
    Csrf,
    /// A write from another site's page (403, code 20403).
    #[error("writes from another site's pages are refused")]
    CrossSite,
    /// The caller's role may not do this (403, code 20403).
    #[error("{0}")]
    Forbidden(String),
    /// Unknown or another account's resource (404, code 20404).
    #[error("The requested resource {0} was not found")]
    NotFound(String),
    /// The path exists, the method does not (405, code 20004).
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// A request line over the server's limit (414, code 20414).
    #[error("the request URI is longer than {0} bytes")]
    UriTooLong(usize),
    /// A body over the server's limit (413, code 20413).
    #[error("request body is too large (limit {0} bytes)")]
    TooLarge(usize),
    /// A duplicate (409, code 20409).
    #[error("{0}")]
    Conflict(String),
    /// Over the account's request rate (429, code 20429).
    #[error("Too Many Requests: retry after {0} s")]
    RateLimited(u64),
    /// The rate limits could not be checked (503, code 20503).
    #[error("Service Unavailable: the rate limits could not be checked; retry after {0} s")]
    Unavailable(u64),
    /// Logged, never shown (500, code 20500).
    #[error("Internal Server Error")]
    Internal(String),
}

pub type TwilioResult<T> = Result<T, TwilioError>;

/// Twilio's error body, as sent and as the OpenAPI document describes
/// every 4xx.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Twilio's code where one fits, ours otherwise.
    pub code: u32,
    pub message: String,
    pub more_info: String,
    /// The HTTP status again.
    pub status: u16,
}

impl TwilioError {
    fn status_and_code(&self) -> (StatusCode, u32) {
        match self {
            TwilioError::Invalid(_) => (StatusCode::BAD_REQUEST, 20001),
            TwilioError::Quota(_) => (StatusCode::BAD_REQUEST, 20002),
            TwilioError::Unauthorized { .. } => (StatusCode::UNAUTHORIZED, 20003),
            TwilioError::Csrf | TwilioError::CrossSite | TwilioError::Forbidden(_) => {
                (StatusCode::FORBIDDEN, 20403)
            }
            TwilioError::NotFound(_) => (StatusCode::NOT_FOUND, 20404),
            TwilioError::Conflict(_) => (StatusCode::CONFLICT, 20409),
            TwilioError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, 20004),
            TwilioError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, 20413),
            TwilioError::UriTooLong(_) => (StatusCode::URI_TOO_LONG, 20414),
            TwilioError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, 20429),
            TwilioError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, 20503),
            TwilioError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 20500),
        }
    }
}

/// A field error in Twilio's parameter names: "Password: it is missing a
/// digit (rule: …)".
pub fn invalid(param: &str, e: FieldError) -> TwilioError {
    TwilioError::Invalid(format!("{param}: {} (rule: {})", e.problem, e.rule))
}

impl TwilioError {
    /// The core's refusals in Twilio's words; `path` is the request's (its
    /// 404 names it) and `list` the credential list it acts in, if any.
    pub fn from_service(e: ServiceError, path: &str, list: Option<&str>) -> Self {
        match e {
            ServiceError::NotFound(_) => TwilioError::NotFound(path.to_string()),
            ServiceError::Field(e) => invalid(param(e.field), e),
            ServiceError::Quota(kind, max) => TwilioError::Quota(match kind {
                Kind::AclEntry => format!(
                    "this IP access control list already has {max} addresses, the most it may have"
                ),
                Kind::Acl => format!(
                    "this account already has {max} IP access control lists, the most it may have"
                ),
                _ => format!("this account already has {max} {kind}s, the most it may have"),
            }),
            ServiceError::Duplicate(_, Duplicate::Username { username, list: holder }) => {
                TwilioError::Conflict(match holder {
                    Some((id, _)) if Some(id.as_str()) == list => {
                        format!("Username '{username}' already exists in this credential list")
                    }
                    // By its name: people know their lists by name, not SID.
                    Some((_, name)) => format!(
                        "Username '{username}' already exists in the credential list \"{name}\" of this account; SIP servers could not tell the two apart"
                    ),
                    None => format!(
                        "Username '{username}' is already an account credential (made through another API); SIP servers could not tell the two apart"
                    ),
                })
            }
            ServiceError::Duplicate(_, Duplicate::Network { ip, prefix, .. }) => {
                TwilioError::Conflict(format!(
                    "{ip}/{prefix} is already in this IP access control list (as the same network)"
                ))
            }
            ServiceError::Unknown { field, kind, id } => TwilioError::Invalid(format!(
                "{}: {id} is not one of this account's {}",
                param(field),
                plural(kind)
            )),
            ServiceError::Rule { field, message } => {
                TwilioError::Invalid(format!("{}: {message}", param(field)))
            }
            ServiceError::Gone(kind) => TwilioError::Conflict(format!(
                "a {} it refers to was deleted meanwhile",
                kind
            )),
            ServiceError::Duplicate(kind, Duplicate::Name(name)) => {
                TwilioError::Conflict(format!(
                    "{} named \"{name}\" already exists in this account",
                    if kind == Kind::Acl {
                        "An IP access control list"
                    } else {
                        "A credential list"
                    }
                ))
            }
            ServiceError::Duplicate(_, Duplicate::DomainName(name)) => TwilioError::Conflict(
                format!("DomainName: this account already has a domain named {name}"),
            ),
            ServiceError::Duplicate(kind, Duplicate::Mapped(target)) => {
                TwilioError::Conflict(format!(
                    "{}: {target} is already mapped to this domain",
                    param(if kind == Kind::Acl {
                        "ip_acl_uuid"
                    } else {
                        "credential_list_sid"
                    })
                ))
            }
            ServiceError::InUse(kind, applications) => TwilioError::Conflict(format!(
                "{} is assigned to the application(s) {}; remove the assignment first by setting their sip_auth_type to empty",
                match kind {
                    Kind::Acl => "this IP access control list",
                    Kind::CredentialList => "a credential of this list",
                    _ => "this credential",
                },
                applications.join(", ")
            )),
            ServiceError::Db(e) => e.into(),
        }
    }
}

/// What Twilio calls several of `kind`.
fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Acl => "IP access control lists",
        Kind::CredentialList => "credential lists",
        Kind::Credential => "credentials",
        _ => "resources",
    }
}

/// The core's field names as Twilio's parameters.
pub fn param(field: &str) -> &'static str {
    match field {
        "ip_acl_uuid" => "IpAccessControlListSid",
        "credential_list_sid" => "CredentialListSid",
        "voice_url" | "answer_url" => "VoiceUrl",
        "username" => "Username",
        "password" => "Password",
        "ip" => "IpAddress",
        "cidr_prefix" => "CidrPrefixLength",
        "realm" | "DomainName" => "DomainName",
        _ => "FriendlyName",
    }
}

impl From<sqlx::Error> for TwilioError {
    fn from(e: sqlx::Error) -> Self {
        TwilioError::Internal(format!("database: {e}"))
    }
}

/// Errors of the shared layers (authentication, rate limit) in this shape.
impl From<ApiError> for TwilioError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized { challenge } => TwilioError::Unauthorized { challenge },
            ApiError::SignInFailed => TwilioError::Unauthorized { challenge: true },
            ApiError::Csrf => TwilioError::Csrf,
            ApiError::CrossSite => TwilioError::CrossSite,
            e @ ApiError::Forbidden { .. } => TwilioError::Forbidden(e.to_string()),
            ApiError::RateLimited { retry_after, .. }
            | ApiError::SourceThrottled { retry_after } => TwilioError::RateLimited(retry_after),
            ApiError::LimitsUnavailable { retry_after } => TwilioError::Unavailable(retry_after),
            other => TwilioError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for TwilioError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let TwilioError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = ErrorBody {
            code,
            message: self.to_string(),
            more_info: format!("https://www.twilio.com/docs/errors/{code}"),
            status: status.as_u16(),
        };
        let mut response = (status, Json(body)).into_response();
        match self {
            TwilioError::Unauthorized { challenge: true } => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"Twilio API\""),
                );
            }
            TwilioError::RateLimited(retry_after) | TwilioError::Unavailable(retry_after) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            _ => {}
        }
        response
    }
}
