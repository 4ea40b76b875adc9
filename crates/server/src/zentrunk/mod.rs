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
#[openapi(components(schemas(crate::error::ErrorBody)))]
pub struct Doc;
