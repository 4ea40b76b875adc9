//! The plivo SipAuth dialect (seed 000): `/v1/Account/{auth_id}/SipAuth/…`.

mod acl;
mod application;
mod credential;

use crate::error::ApiError;
use crate::{auth, AppState};
use axum::http::StatusCode;
use axum::{Json, Router};
use std::collections::HashMap;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(credential::router())
        .merge(acl::router())
        .merge(application::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_account,
        ))
}

/// A `BASE` route (relative to `/v1`) as the account's list URI.
pub(crate) fn uri(base: &str, auth_id: &str) -> String {
    format!("/v1{}/", base.replace("{auth_id}", auth_id))
}

/// The answer to an accepted change.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Changed {
    api_id: String,
    /// "changed"
    message: &'static str,
}

pub(crate) fn changed() -> (StatusCode, Json<Changed>) {
    (
        StatusCode::ACCEPTED,
        Json(Changed {
            api_id: crate::error::api_id(),
            message: "changed",
        }),
    )
}

/// The dialect's OpenAPI document (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        credential::create, credential::list, credential::retrieve, credential::update,
        credential::remove,
        acl::create, acl::list, acl::retrieve, acl::rename, acl::remove, acl::add_entry,
        acl::remove_entry,
        application::create, application::list, application::retrieve, application::update,
        application::remove,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "Credentials", description = "SIP digest credentials: username and password, stored as HA1 only"),
        (name = "IP access control lists", description = "Networks allowed to send SIP traffic"),
        (name = "Applications", description = "What puts a credential or an IP ACL to use"),
    )
)]
pub struct Doc;

/// The longest filter a list takes: longer than any name or username, and
/// short enough that SQLite's LIKE never finds the pattern too complex.
pub(crate) const SEARCH_MAX: usize = 200;

/// A list's filter parameter `name`, when given and not empty.
pub(crate) fn search<'a>(
    query: &'a HashMap<String, String>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    let value = query
        .get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    match value {
        Some(v) if v.chars().count() > SEARCH_MAX => Err(ApiError::BadField {
            field: name.to_string(),
            message: format!(
                "{name}: a filter is at most {SEARCH_MAX} characters; this one has {}",
                v.chars().count()
            ),
        }),
        _ => Ok(value),
    }
}

/// `&name=value` for a list's links when a filter is set.
pub(crate) fn filter_query(name: &str, value: Option<&str>) -> String {
    value
        .map(|v| {
            format!(
                "&{}",
                serde_urlencoded::to_string([(name, v)]).unwrap_or_default()
            )
        })
        .unwrap_or_default()
}
