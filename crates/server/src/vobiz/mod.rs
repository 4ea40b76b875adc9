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
    modifiers(&OPTIONAL_BODIES),
    tags(
        (name = "Credentials", description = "SIP digest credentials, stored as HA1 only, that can be disabled"),
    )
)]
pub struct Doc;

/// Updates change only the fields given, none at all without a body.
const OPTIONAL_BODIES: crate::openapi::OptionalBodies =
    crate::openapi::OptionalBodies(&["update_credential"]);

/// Vobiz's `meta` of a list.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Meta)]
pub(crate) struct Meta {
    limit: i64,
    offset: i64,
    /// How many rows all pages hold.
    total: i64,
}

/// A credential's free-text description: up to 255 characters, no control
/// or formatting characters.
// Doc-only: `Description::parse` reads it; the pattern spells its rule out
// (astral formatting characters aside).
#[derive(utoipa::ToSchema)]
#[schema(
    pattern = r"^[^\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]{0,255}$"
)]
#[allow(dead_code)]
pub(crate) struct Description(String);
