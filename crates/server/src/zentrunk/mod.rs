//! The zentrunk dialect (seed 001): `/v1/Account/{auth_id}/Zentrunk/…`,
//! Plivo's conventions (JSON, Basic auth, `limit`/`offset`, `{api_id, error}`)
//! over the same credentials as SipAuth, with a friendly `name`.

mod credential;
mod trunk;

use crate::{auth, AppState};
use axum::Router;

/// Mounted under `/v1`, beside the plivo routes.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(credential::router())
        .merge(trunk::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_account,
        ))
}

/// The dialect's OpenAPI document (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        credential::create, credential::list, credential::retrieve, credential::update,
        credential::remove,
        trunk::create, trunk::list, trunk::retrieve, trunk::update, trunk::remove,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "Credentials", description = "SIP digest credentials with a friendly name, shared with the SipAuth API"),
        (name = "Trunks", description = "SIP trunks: a direction, the credential they authenticate with, an optional IP ACL"),
    )
)]
pub struct Doc;
