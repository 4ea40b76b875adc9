use gloo_net::http::Response;
use serde::Deserialize;

/// Everything a request can end in besides success, with words a person
/// can act on. Pages match on it; forms put `Invalid` beside its field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 400 naming a field: shown beside that field.
    #[error("{}", in_user_words(message))]
    Invalid { field: String, message: String },
    /// 400 about the request as a whole (a quota, a malformed request).
    #[error("The server refused this: {0}")]
    BadRequest(String),
    /// 401: the session ended.
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    /// 403: the CSRF token is stale, or the operator's role does not
    /// allow it (the server's words say which role is needed).
    #[error("{}", forbidden_words(.0))]
    Forbidden(String),
    /// 404: gone, perhaps deleted elsewhere.
    #[error("Not found: it may have been deleted in another window. The list has been refreshed.")]
    NotFound,
    /// 409: a duplicate, or still in use.
    #[error("{}", in_user_words(.0))]
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

/// Twilio's parameters and the form fields they are entered in: its 400s
/// (and a duplicate domain's 409) put the parameter first ("Password: …").
const TWILIO_PARAMETERS: &[(&str, &str)] = &[
    ("Username", "username"),
    ("Password", "password"),
    ("FriendlyName", "name"),
    ("DomainName", "domain_name"),
    ("IpAddress", "ip"),
    ("CidrPrefixLength", "cidr_prefix"),
    ("VoiceUrl", "voice_url"),
    ("SipRegistration", "sip_registration"),
];

/// The 409s about a duplicate of something typed, by how their message
/// starts, and the field it was typed in. Other 409s (still in use)
/// concern the request as a whole.
const DUPLICATES: &[(&str, &str)] = &[
    // Plivo, zentrunk and vobiz.
    ("a credential with username ", "username"),
    // Names unique per account (every dialect with lists).
    ("An IP ACL named ", "name"),
    ("An IP access control list named ", "name"),
    ("A credential list named ", "name"),
];

/// The form field a twilio message names first.
fn twilio_field(message: &str) -> Option<&'static str> {
    let (param, _) = message.split_once(": ")?;
    TWILIO_PARAMETERS
        .iter()
        .find(|(name, _)| *name == param)
        .map(|(_, field)| *field)
}

/// The field a 409 belongs beside, if it is a duplicate of one.
fn duplicate_field(message: &str) -> Option<&'static str> {
    let plivo = DUPLICATES
        .iter()
        .find(|(start, _)| message.starts_with(start))
        .map(|(_, field)| *field);
    let twilio =
        message.starts_with("Domain name: ") || twilio_field(message) == Some("domain_name");
    plivo.or_else(|| twilio.then_some("domain_name"))
}

/// The API's names for what the operator types, in every dialect, and the
/// words the console's labels use for them.
const USER_WORDS: &[(&str, &str)] = &[
    ("ip", "Address"),
    ("cidr_prefix", "Prefix length"),
    ("description", "Description"),
    ("username", "Username"),
    ("password", "Password"),
    ("realm", "Realm"),
    ("name", "Name"),
    ("app_name", "Name"),
    ("answer_url", "Answer URL"),
    ("credential_uuid", "Credential"),
    ("ip_acl_uuid", "IP ACL"),
    ("role", "Role"),
    ("accounts", "Accounts"),
    ("Username", "Username"),
    ("Password", "Password"),
    ("FriendlyName", "Name"),
    ("DomainName", "Domain name"),
    ("IpAddress", "Address"),
    ("CidrPrefixLength", "Prefix length"),
    ("VoiceUrl", "Voice URL"),
    ("SipRegistration", "Allow SIP registrations"),
];

/// A message that starts with an API parameter ("ip: …", "DomainName: …",
/// "entries[2].ip: …") starting with the operator's word for it instead:
/// the console never shows parameter names.
pub fn in_user_words(message: &str) -> String {
    let Some((param, rest)) = message.split_once(": ") else {
        return message.to_string();
    };
    let last = param.rsplit('.').next().unwrap_or(param);
    match USER_WORDS.iter().find(|(api, _)| *api == last) {
        Some((_, word)) => format!("{word}: {rest}"),
        None => message.to_string(),
    }
}

/// A 403 in words: a role's refusal says itself ("this needs the editor
/// role; you are a viewer"); anything else is a stale page.
fn forbidden_words(message: &str) -> String {
    if message.contains(" role") {
        let mut words = message.to_string();
        if let Some(first) = words.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{words}.")
    } else {
        format!("The server refused this request ({message}). Reload the page and try again.")
    }
}

impl ApiError {
    pub async fn from_response(response: Response) -> Self {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let body = response.text().await.unwrap_or_default();
        Self::from_answer(response.status(), retry_after, &body)
    }

    /// What an answer with this status and body amounts to; `retry_after`
    /// is the seconds a 429 says to wait.
    fn from_answer(status: u16, retry_after: u32, body: &str) -> Self {
        let body: Option<ErrorBody> = serde_json::from_str(body).ok();
        let message = body
            .as_ref()
            .and_then(|b| b.error.clone().or_else(|| b.message.clone()))
            .unwrap_or_else(|| format!("HTTP {status}"));
        let named = body.and_then(|b| b.field);
        // A console route's 409 naming its field (the last admin's role)
        // belongs beside that field; other 409s name none.
        if let (409, Some(field)) = (status, &named) {
            let field = field.clone();
            return ApiError::Invalid { field, message };
        }
        let field = named.or_else(|| twilio_field(&message).map(str::to_string));
        let message = in_user_words(&message);
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

    /// The field this error belongs beside, if any: a refused field, or
    /// what a duplicate (409) duplicates.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Invalid { field, .. } => Some(field),
            ApiError::Conflict(m) => duplicate_field(m),
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn invalid(field: &str, message: &str) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    #[test]
    fn a_refused_field_is_named_by_the_body_or_by_twilios_parameter() {
        let plivo = ApiError::from_answer(400, 1, r#"{"error": "too short", "field": "password"}"#);
        assert_eq!(plivo, invalid("password", "too short"));
        let twilio = ApiError::from_answer(
            400,
            1,
            r#"{"code": 21602, "message": "FriendlyName: is required", "status": 400}"#,
        );
        assert_eq!(twilio, invalid("name", "Name: is required"));
        // Zentrunk's 422 for a missing field.
        let zentrunk =
            ApiError::from_answer(422, 1, r#"{"error": "missing", "field": "username"}"#);
        assert_eq!(zentrunk.field(), Some("username"));
    }

    #[test]
    fn a_role_refusal_says_which_role_and_a_409_naming_a_field_goes_beside_it() {
        let viewer = ApiError::from_answer(
            403,
            1,
            r#"{"error": "this needs the editor role; you are a viewer"}"#,
        );
        assert_eq!(
            viewer.to_string(),
            "This needs the editor role; you are a viewer."
        );
        let last = ApiError::from_answer(
            409,
            1,
            r#"{"error": "alice is the last admin", "field": "role"}"#,
        );
        assert_eq!(last, invalid("role", "alice is the last admin"));
    }

    #[test]
    fn statuses_become_what_the_operator_can_do() {
        let table = [
            (
                400,
                r#"{"error": "quota reached"}"#,
                ApiError::BadRequest("quota reached".into()),
            ),
            (413, "", ApiError::BadRequest("HTTP 413".into())),
            (401, "{}", ApiError::Unauthorized),
            (
                403,
                r#"{"error": "csrf"}"#,
                ApiError::Forbidden("csrf".into()),
            ),
            (404, "", ApiError::NotFound),
            (
                409,
                r#"{"error": "in use"}"#,
                ApiError::Conflict("in use".into()),
            ),
            (429, "", ApiError::RateLimited(7)),
            (502, "<html>", ApiError::Server("HTTP 502".into())),
        ];
        for (status, body, want) in table {
            assert_eq!(
                ApiError::from_answer(status, 7, body),
                want,
                "{status} {body}"
            );
        }
    }

    #[test]
    fn a_duplicate_goes_beside_what_it_duplicates_and_in_use_beside_nothing() {
        let table = [
            (
                "a credential with username 'alice' already exists in this account",
                Some("username"),
            ),
            (
                "a credential with username 'alice' already exists",
                Some("username"),
            ),
            (
                "Domain name: this account already has a domain named acme.sip",
                Some("domain_name"),
            ),
            (
                "this credential is used by applications Desk; unassign it first",
                None,
            ),
            ("Password: twilio never answers a 409 about it", None),
            (
                "Username 'alice' already exists in this credential list",
                None,
            ),
        ];
        for (message, field) in table {
            assert_eq!(
                ApiError::Conflict(message.into()).field(),
                field,
                "{message}"
            );
        }
        assert_eq!(invalid("ip", "bad").field(), Some("ip"));
        assert_eq!(ApiError::NotFound.field(), None);
        let twilio = ApiError::from_answer(
            409,
            1,
            r#"{"code": 20409, "message": "DomainName: acme.sip is already taken"}"#,
        );
        assert_eq!(twilio.to_string(), "Domain name: acme.sip is already taken");
        assert_eq!(twilio.field(), Some("domain_name"));
    }

    #[test]
    fn messages_name_what_the_operator_typed_not_the_api_parameter() {
        let table = [
            (
                "ip: \"1.2.3\" is not an IP address",
                "Address: \"1.2.3\" is not an IP address",
            ),
            (
                "cidr_prefix: 33 is above 32",
                "Prefix length: 33 is above 32",
            ),
            ("entries[2].ip: bad", "Address: bad"),
            (
                "CidrPrefixLength: 33 is above 32",
                "Prefix length: 33 is above 32",
            ),
            ("IpAddress: bad", "Address: bad"),
            (
                "this IP ACL is in use: unassign it",
                "this IP ACL is in use: unassign it",
            ),
            ("no colon here", "no colon here"),
        ];
        for (api, user) in table {
            assert_eq!(in_user_words(api), user);
        }
    }

    #[test]
    fn messages_name_fields_in_the_users_words_not_the_apis() {
        let table = [
            (
                ApiError::Conflict(
                    "DomainName: this account already has a domain named acme.sip".into(),
                ),
                "Domain name: this account already has a domain named acme.sip",
            ),
            (
                ApiError::from_answer(
                    400,
                    1,
                    r#"{"code": 20001, "message": "CidrPrefixLength: 33 is out of range", "status": 400}"#,
                ),
                "Prefix length: 33 is out of range",
            ),
            (
                invalid("ip", "ip: \"x\" is not an IP address"),
                "Address: \"x\" is not an IP address",
            ),
            // Not a parameter: left as it is.
            (
                ApiError::Conflict(
                    "An IP ACL named \"Office\" already exists in this account".into(),
                ),
                "An IP ACL named \"Office\" already exists in this account",
            ),
        ];
        for (error, shown) in table {
            assert_eq!(error.to_string(), shown);
        }
        // The field is still found from the message as sent.
        assert_eq!(
            ApiError::Conflict("DomainName: taken".into()).field(),
            Some("domain_name")
        );
        // A name another list has goes beside the name.
        for taken in [
            "An IP ACL named \"Office\" already exists in this account",
            "An IP access control list named \"Office\" already exists in this account",
            "A credential list named \"Desk\" already exists in this account",
        ] {
            assert_eq!(
                ApiError::Conflict(taken.into()).field(),
                Some("name"),
                "{taken}"
            );
        }
    }
}
