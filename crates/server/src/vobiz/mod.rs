//! The vobiz dialect (seed 003 and design.md): `/api/v1/account/{auth_id}/…`,
//! `X-Auth-ID`/`X-Auth-Token` headers, JSON bodies, PUT updates, `limit`/
//! `offset` with `meta.total`, and credentials that can be disabled. Errors
//! use the plivo shape `{api_id, error, field?}` (vobiz documents none).

mod credential;

use crate::{auth, AppState};
use axum::Router;

/// Mounted at `/api/v1`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(credential::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_account,
        ))
}

/// The dialect's OpenAPI document (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        credential::create, credential::list, credential::list_documented,
        credential::retrieve, credential::update, credential::remove,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "Credentials", description = "SIP digest credentials, stored as HA1 only, that can be disabled"),
    )
)]
pub struct Doc;

/// Vobiz's `meta` of a list.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Meta)]
pub(crate) struct Meta {
    limit: i64,
    offset: i64,
    /// How many rows all pages hold.
    total: i64,
}
