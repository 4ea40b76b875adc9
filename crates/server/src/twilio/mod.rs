//! The twilio dialect (seeds 002, 004): `/2010-04-01/Accounts/{AccountSid}/SIP/…`,
//! form-urlencoded requests, `.json` paths, SIDs of a prefix and 32 hex
//! digits, RFC 2822 dates and Twilio's paging, over the same store as plivo.

mod credential_list;
mod domain;
mod error;
mod ip_access_control_list;

use crate::auth;
use crate::paths::{AccountPath, Child, Parent};
use crate::service::ServiceResult;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Path, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::MethodRouter;
use axum::Router;
pub use error::TwilioError;
use error::TwilioResult;
use std::collections::HashMap;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;
use utoipa::openapi::schema::Object;

/// A collection at `{base}.json` and its items at `{base}/{Sid}.json`; a
/// sub-resource's `base` holds its `{parent}`.
fn resource(
    base: &str,
    collection: MethodRouter<AppState>,
    item: MethodRouter<AppState>,
) -> Router<AppState> {
    let item_param = if base.contains("{parent}") {
        "{child}"
    } else {
        "{parent}"
    };
    Router::new()
        .route(&format!("{base}.json"), collection)
        .route(&format!("{base}/{item_param}"), item)
}

/// A request's query parameters.
type Params = HashMap<String, String>;

/// Mounted at `/2010-04-01`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(credential_list::router())
        .merge(ip_access_control_list::router())
        .merge(domain::router())
        .route_layer(axum::middleware::from_fn_with_state(state, require_account))
}

/// Basic auth with the AccountSid and its token (or an operator session),
/// then the account's rate limit; failures in Twilio's error shape.
async fn require_account(
    State(state): State<AppState>,
    Path(AccountPath { auth_id: sid }): Path<AccountPath>,
    mut request: Request,
    next: Next,
) -> Result<Response, TwilioError> {
    let caller = auth::admit_request(
        &state,
        &sid,
        auth::peer(&request),
        request.method(),
        request.headers(),
        "twilio",
    )
    .await
    .map_err(|e| match e {
        // An unknown account, or one outside an operator's scope: the
        // same 404 as any missing resource, naming the path.
        crate::error::ApiError::NotFound(_) => TwilioError::NotFound(
            request
                .extensions()
                .get::<OriginalUri>()
                .map_or_else(|| request.uri().path(), |u| u.path())
                .to_string(),
        ),
        e => e.into(),
    })?;
    auth::admit(&mut request, caller);
    Ok(next.run(request).await)
}

/// A form-urlencoded body as name → value (the last of repeated names),
/// read like the JSON dialects' `JsonObject`; errors in Twilio's shape.
struct Form(HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = TwilioError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                TwilioError::TooLarge(crate::body::MAX_BODY_BYTES)
            } else {
                TwilioError::Invalid(format!("could not read the request body: {e}"))
            }
        })?;
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).map_err(|e| {
            TwilioError::Invalid(format!(
                "the body must be application/x-www-form-urlencoded: {e}"
            ))
        })?;
        // Decoding puts U+FFFD where bytes are not UTF-8: refuse those
        // rather than store text the sender never wrote.
        if let Some((name, _)) = pairs
            .iter()
            .find(|(k, v)| (k.contains('\u{FFFD}') || v.contains('\u{FFFD}')) && !wrote_fffd(&body))
        {
            return Err(TwilioError::Invalid(format!(
                "{name}: the value is not valid UTF-8"
            )));
        }
        Ok(Form(pairs.into_iter().collect()))
    }
}

/// Whether the raw body holds U+FFFD itself (as bytes or percent-encoded).
fn wrote_fffd(body: &[u8]) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.windows(9).any(|w| w == b"%ef%bf%bd")
        || body.windows(3).any(|w| w == "\u{FFFD}".as_bytes())
}

impl Form {
    /// A required parameter.
    fn required(&self, name: &str) -> TwilioResult<&str> {
        self.get(name)
            .ok_or_else(|| TwilioError::Invalid(format!("{name}: a required parameter is missing")))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The request's own path: Twilio's 404s name it, and the core's refusals
/// are worded against it.
struct Here(String);

impl<S: Send + Sync> FromRequestParts<S> for Here {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let uri = OriginalUri::from_request_parts(parts, state).await?;
        Ok(Here(uri.path().to_string()))
    }
}

impl Here {
    fn not_found(&self) -> TwilioError {
        TwilioError::NotFound(self.0.clone())
    }

    /// The id in a `{Sid}.json` path segment (Twilio's paths end in `.json`).
    fn sid(&self, segment: &str) -> TwilioResult<String> {
        segment
            .strip_suffix(".json")
            .map(str::to_string)
            .ok_or_else(|| self.not_found())
    }
}

/// The core's answers in Twilio's words, against the request's path.
trait At<T> {
    fn at(self, here: &Here) -> TwilioResult<T>;
}

impl<T> At<T> for ServiceResult<T> {
    fn at(self, here: &Here) -> TwilioResult<T> {
        self.map_err(|e| TwilioError::from_service(e, &here.0, None))
    }
}

/// A bare SID, or one with Twilio's `.json`.
fn bare(segment: &str) -> String {
    segment.strip_suffix(".json").unwrap_or(segment).to_string()
}

/// The resource a path names: `…/{Sid}.json`.
struct Item {
    id: String,
    here: Here,
}

/// A parent in a sub-resource's path: `…/{ParentSid}/Things.json`.
struct Under {
    parent: String,
    here: Here,
}

/// A sub-resource a path names: `…/{ParentSid}/Things/{Sid}.json`.
struct Nested {
    parent: String,
    id: String,
    here: Here,
}

async fn path<T: serde::de::DeserializeOwned + Send>(parts: &mut Parts) -> TwilioResult<(T, Here)> {
    let here = Here::from_request_parts(parts, &())
        .await
        .unwrap_or_else(|e| match e {});
    match Path::<T>::from_request_parts(parts, &()).await {
        Ok(Path(p)) => Ok((p, here)),
        Err(_) => Err(here.not_found()),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Item {
    type Rejection = TwilioError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> TwilioResult<Self> {
        let (Parent { parent }, here) = path(parts).await?;
        Ok(Item {
            id: here.sid(&parent)?,
            here,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Under {
    type Rejection = TwilioError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> TwilioResult<Self> {
        let (Parent { parent }, here) = path(parts).await?;
        Ok(Under {
            parent: bare(&parent),
            here,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Nested {
    type Rejection = TwilioError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> TwilioResult<Self> {
        let (Child { parent, child }, here) = path(parts).await?;
        Ok(Nested {
            parent: bare(&parent),
            id: here.sid(&child)?,
            here,
        })
    }
}

/// Stored ISO 8601 timestamps as Twilio shows them: RFC 2822 in GMT.
fn rfc2822(stored: &str) -> String {
    OffsetDateTime::parse(stored, &Rfc3339)
        .ok()
        .and_then(|t| t.replace_nanosecond(0).ok())
        .and_then(|t| t.format(&Rfc2822).ok())
        .unwrap_or_else(|| stored.to_string())
}

/// `FriendlyName` of a credential list or a domain.
fn friendly_name_schema() -> Object {
    crate::openapi::name_schema(64)
}

/// `PageSize` (1–1000, default 50), `Page` (≥ 0) and `PageToken` (ours:
/// `PA` and the offset, as handed out in `next_page_uri`).
struct Paging {
    page_size: i64,
    page: i64,
    offset: i64,
}

/// The most digits a `PageToken`'s offset has: more rows than any account
/// holds, and a bound the document's pattern can state (a token is `PA`
/// and 1–9 digits, nothing else).
const TOKEN_DIGITS: usize = 9;

impl Paging {
    fn from_query(query: &HashMap<String, String>) -> TwilioResult<Self> {
        let number = |name, default, min, max| {
            crate::paging::number(query, name, default, min, max).map_err(TwilioError::Invalid)
        };
        let page_size = number("PageSize", 50, 1, 1000)?;
        let page = number("Page", 0, 0, i64::from(i32::MAX))?;
        let offset = match query.get("PageToken") {
            None => page * page_size,
            Some(token) => token
                .strip_prefix("PA")
                .filter(|n| {
                    (1..=TOKEN_DIGITS).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
                })
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| {
                    TwilioError::Invalid(format!(
                        "PageToken: {token:?} is not a token this API issued"
                    ))
                })?,
        };
        Ok(Self {
            page_size,
            page,
            offset,
        })
    }

    fn window(&self) -> crate::store::Window {
        crate::store::Window {
            limit: self.page_size,
            offset: self.offset,
        }
    }

    /// Twilio's paging fields of a list holding `shown` of `total` items.
    fn meta(&self, path: &str, shown: usize, total: i64) -> PageMeta {
        let shown = shown as i64;
        let uri = |page: i64, offset: Option<i64>| {
            let mut u = format!("{path}?PageSize={}&Page={page}", self.page_size);
            if let Some(offset) = offset {
                u.push_str(&format!("&PageToken=PA{offset}"));
            }
            u
        };
        PageMeta {
            page: self.page,
            page_size: self.page_size,
            start: self.offset,
            end: (self.offset + shown - 1).max(self.offset),
            uri: uri(self.page, None),
            first_page_uri: uri(0, None),
            next_page_uri: (self.offset + shown < total)
                .then(|| uri(self.page + 1, Some(self.offset + shown))),
            previous_page_uri: (self.page > 0 && self.offset > 0)
                .then(|| uri(self.page - 1, Some((self.offset - self.page_size).max(0)))),
        }
    }
}

/// The paging fields beside a Twilio list's items.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Paging)]
struct PageMeta {
    page: i64,
    page_size: i64,
    /// The first item's position in the whole list.
    start: i64,
    /// The last item's position (`start` when the page is empty).
    end: i64,
    uri: String,
    first_page_uri: String,
    /// Null on the last page.
    next_page_uri: Option<String>,
    /// Null on the first page.
    previous_page_uri: Option<String>,
}

/// `PageSize`, `Page` and `PageToken` as documented.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query, rename_all = "PascalCase")]
#[allow(dead_code)] // only described: `Paging::from_query` reads them, naming each error
struct TwilioPaging {
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
    /// The page's number from 0 (default 0); with `PageSize`, where the page
    /// starts unless `PageToken` says.
    #[param(minimum = 0, maximum = 2147483647)]
    page: Option<i64>,
    /// Where the page starts, as a `next_page_uri` or `previous_page_uri`
    /// hands it out.
    #[param(pattern = "^PA[0-9]{1,9}$")]
    page_token: Option<String>,
}

/// Path parameters as Twilio names them. The router reads its own
/// `{parent}`/`{child}` segments (with `.json`): these only describe them.
/// A SID that is not of its shape names nothing, so it is a 404.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct Account {
    /// Your account's SID (its auth id); the credentials used must be its own.
    account_sid: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct CredentialListSid {
    /// The credential list's SID.
    #[param(pattern = "^CL[0-9a-f]{32}$")]
    credential_list_sid: String,
}

/// IP access control lists and their addresses made through the plivo
/// dialect share the store and keep their UUIDs: those are SIDs too.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct IpAccessControlListSid {
    /// The IP access control list's SID (`AL…`, or the UUID of one made
    /// through the plivo API).
    #[param(
        pattern = "^(AL[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    )]
    ip_access_control_list_sid: String,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct DomainSid {
    /// The domain's SID.
    #[param(pattern = "^SD[0-9a-f]{32}$")]
    domain_sid: String,
}

/// `{Sid}` of a credential list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct ListSid {
    /// The credential list's SID.
    #[param(pattern = "^CL[0-9a-f]{32}$")]
    sid: String,
}

/// `{Sid}` of a credential.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct CredentialSid {
    /// The credential's SID.
    #[param(pattern = "^CR[0-9a-f]{32}$")]
    sid: String,
}

/// `{Sid}` of an IP access control list (see [`IpAccessControlListSid`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct AclSid {
    /// The IP access control list's SID (`AL…`, or the UUID of one made
    /// through the plivo API).
    #[param(
        pattern = "^(AL[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    )]
    sid: String,
}

/// `{Sid}` of an IP address (plivo's entries keep their UUIDs).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct IpAddressSid {
    /// The IP address's SID (`IP…`, or the UUID of one added through the
    /// plivo API).
    #[param(
        pattern = "^(IP[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
    )]
    sid: String,
}

/// `{Sid}` of a domain.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path, rename_all = "PascalCase")]
#[allow(dead_code)]
struct DomainItemSid {
    /// The domain's SID.
    #[param(pattern = "^SD[0-9a-f]{32}$")]
    sid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc_2822_in_gmt() {
        assert_eq!(
            rfc2822("2015-08-19T19:48:45.123Z"),
            "Wed, 19 Aug 2015 19:48:45 +0000"
        );
    }

    #[test]
    fn paging_follows_tokens_and_pages() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        let p = Paging::from_query(&q(&[("PageSize", "2"), ("Page", "3")])).unwrap();
        assert_eq!((p.page_size, p.page, p.offset), (2, 3, 6));
        let p = Paging::from_query(&q(&[
            ("PageSize", "2"),
            ("Page", "1"),
            ("PageToken", "PA2"),
        ]))
        .unwrap();
        assert_eq!(p.offset, 2);
        let e = Paging::from_query(&q(&[("PageSize", "1001")]))
            .err()
            .unwrap();
        assert!(e
            .to_string()
            .contains("PageSize: must be a whole number from 1 to 1000"));
        for token in ["PA-1", "PA+1", "PA", "PA1234567890", "XX1"] {
            let e = Paging::from_query(&q(&[("PageToken", token)])).err();
            assert!(e.is_some(), "{token}");
        }
        let page = Paging::from_query(&q(&[("PageSize", "2")])).unwrap();
        let m = page.meta("/x.json", 2, 3);
        assert_eq!(
            m.next_page_uri.as_deref(),
            Some("/x.json?PageSize=2&Page=1&PageToken=PA2")
        );
        assert_eq!(m.previous_page_uri, None);
        assert_eq!((m.start, m.end), (0, 1));
    }
}

/// The dialect's OpenAPI document (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        credential_list::list_lists, credential_list::create_list, credential_list::fetch_list,
        credential_list::update_list, credential_list::delete_list,
        credential_list::list_credentials, credential_list::create_credential,
        credential_list::fetch_credential, credential_list::update_credential,
        credential_list::delete_credential,
        ip_access_control_list::list_acls, ip_access_control_list::create_acl,
        ip_access_control_list::fetch_acl, ip_access_control_list::update_acl,
        ip_access_control_list::delete_acl,
        ip_access_control_list::list_addresses, ip_access_control_list::create_address,
        ip_access_control_list::fetch_address, ip_access_control_list::update_address,
        ip_access_control_list::delete_address,
        domain::list_domains, domain::create_domain, domain::fetch_domain, domain::update_domain,
        domain::delete_domain,
        domain::list_calls_credential_lists, domain::map_calls_credential_list,
        domain::get_calls_credential_list, domain::unmap_calls_credential_list,
        domain::list_calls_acls, domain::map_calls_acl, domain::get_calls_acl,
        domain::unmap_calls_acl,
        domain::list_registrations_credential_lists, domain::map_registrations_credential_list,
        domain::get_registrations_credential_list, domain::unmap_registrations_credential_list,
    ),
    components(schemas(error::ErrorBody)),
    tags(
        (name = "Credential lists", description = "SIP digest credentials in named lists: username and password, stored as HA1 only"),
        (name = "IP access control lists", description = "Networks allowed to send SIP traffic; the plivo dialect's IP ACLs too"),
        (name = "Domains", description = "SIP domains and the credential lists and IP access control lists that authenticate their calls and registrations"),
    )
)]
pub struct Doc;
