use gloo_net::http::Response;
use serde::Deserialize;

/// Everything a request can end in besides success, with words a person
/// can act on. Pages match on it; forms put `Invalid` beside its field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 400 naming a field: shown beside that field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// 400 about the request as a whole (a quota, a malformed request).
    #[error("The server refused this: {0}")]
    BadRequest(String),
    /// 401: the session ended.
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    /// 401 on sign-in.
    #[error("Wrong username or password.")]
    SignInFailed,
    /// 403: the CSRF token is stale.
    #[error("The server refused this request ({0}). Reload the page and try again.")]
    Forbidden(String),
    /// 404: gone, perhaps deleted elsewhere.
    #[error("Not found: it may have been deleted in another window. The list has been refreshed.")]
    NotFound,
    /// 409: a duplicate, or still in use.
    #[error("{0}")]
    Conflict(String),
    /// 429: too many requests.
    #[error("Too many requests: wait {0} seconds and try again.")]
    RateLimited(u32),
    /// 5xx or anything unexpected.
    #[error("The server failed ({0}). Try again; if it persists, check the server's log.")]
    Server(String),
    /// No answer at all.
    #[error("Cannot reach the server: {0}. Check your connection and try again.")]
    Network(String),
}

/// Plivo, zentrunk and vobiz send `{error, field?}`; twilio sends
/// `{code, message, more_info, status}` with the parameter first in the
/// message ("Password: …").
#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    field: Option<String>,
    message: Option<String>,
}

/// The form field a twilio parameter is entered in.
fn twilio_field(message: &str) -> Option<String> {
    let (param, _) = message.split_once(": ")?;
    let field = match param {
        "Username" => "username",
        "Password" => "password",
        "FriendlyName" => "name",
        "DomainName" => "domain_name",
        "IpAddress" => "ip",
        "CidrPrefixLength" => "cidr_prefix",
        _ => return None,
    };
    Some(field.to_string())
}

impl ApiError {
    pub async fn from_response(response: Response) -> Self {
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let body: Option<ErrorBody> = response.json().await.ok();
        let message = body
            .as_ref()
            .and_then(|b| b.error.clone().or_else(|| b.message.clone()))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let field = body
            .and_then(|b| b.field)
            .or_else(|| twilio_field(&message));
        match (status, field) {
            // Zentrunk answers 422 for a missing username or password.
            (400 | 422, Some(field)) => ApiError::Invalid { field, message },
            (400 | 413 | 422, None) => ApiError::BadRequest(message),
            (401, _) => ApiError::Unauthorized,
            (403, _) => ApiError::Forbidden(message),
            (404, _) => ApiError::NotFound,
            (409, _) => ApiError::Conflict(message),
            (429, _) => ApiError::RateLimited(retry_after),
            _ => ApiError::Server(message),
        }
    }

    /// The field this error belongs beside, if any. A duplicate username
    /// or domain name (409) belongs beside that name.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Invalid { field, .. } => Some(field),
            ApiError::Conflict(m) if m.starts_with("DomainName: ") => Some("domain_name"),
            ApiError::Conflict(m) if m.contains("username") => Some("username"),
            _ => None,
        }
    }
}

impl From<gloo_net::Error> for ApiError {
    fn from(e: gloo_net::Error) -> Self {
        match e {
            gloo_net::Error::SerdeError(e) => ApiError::Server(format!("unexpected answer: {e}")),
            other => ApiError::Network(other.to_string()),
        }
    }
}
