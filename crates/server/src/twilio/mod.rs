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
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

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
    )
    .await?;
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

/// `PageSize` (1–1000, default 50), `Page` (≥ 0) and `PageToken` (ours:
/// `PA` and the offset, as handed out in `next_page_uri`).
struct Paging {
    page_size: i64,
    page: i64,
    offset: i64,
}

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
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n >= 0)
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

    /// Twilio's list envelope around `items` under `key`.
    fn envelope(&self, key: &str, path: &str, items: Vec<Value>, total: i64) -> Value {
        let shown = items.len() as i64;
        let uri = |page: i64, offset: Option<i64>| {
            let mut u = format!("{path}?PageSize={}&Page={page}", self.page_size);
            if let Some(offset) = offset {
                u.push_str(&format!("&PageToken=PA{offset}"));
            }
            u
        };
        let mut out = Map::new();
        out.insert(key.to_string(), Value::Array(items));
        out.insert("page".into(), json!(self.page));
        out.insert("page_size".into(), json!(self.page_size));
        out.insert("start".into(), json!(self.offset));
        out.insert(
            "end".into(),
            json!((self.offset + shown - 1).max(self.offset)),
        );
        out.insert("uri".into(), json!(uri(self.page, None)));
        out.insert("first_page_uri".into(), json!(uri(0, None)));
        out.insert(
            "next_page_uri".into(),
            if self.offset + shown < total {
                json!(uri(self.page + 1, Some(self.offset + shown)))
            } else {
                Value::Null
            },
        );
        out.insert(
            "previous_page_uri".into(),
            if self.page > 0 && self.offset > 0 {
                json!(uri(
                    self.page - 1,
                    Some((self.offset - self.page_size).max(0))
                ))
            } else {
                Value::Null
            },
        );
        Value::Object(out)
    }
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
        let page = Paging::from_query(&q(&[("PageSize", "2")])).unwrap();
        let v = page.envelope("things", "/x.json", vec![json!(1), json!(2)], 3);
        assert_eq!(
            v["next_page_uri"],
            "/x.json?PageSize=2&Page=1&PageToken=PA2"
        );
        assert_eq!(v["previous_page_uri"], Value::Null);
        assert_eq!((v["start"].as_i64(), v["end"].as_i64()), (Some(0), Some(1)));
    }
}

/// The dialect's OpenAPI document (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(error::ErrorBody)))]
pub struct Doc;
