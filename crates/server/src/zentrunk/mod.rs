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
    modifiers(&OPTIONAL_BODIES),
    tags(
        (name = "Credentials", description = "SIP digest credentials with a friendly name, shared with the SipAuth API"),
        (name = "Trunks", description = "SIP trunks: a direction, the credential they authenticate with, an optional IP ACL"),
    )
)]
pub struct Doc;

/// Updates change only the fields given, none at all without a body.
const OPTIONAL_BODIES: crate::openapi::OptionalBodies =
    crate::openapi::OptionalBodies(&["update_credential", "update_trunk"]);

/// A credential's or a trunk's friendly name: 1–120 characters once
/// trimmed, not only spaces, no control or formatting characters.
// Doc-only: `AclName::parse` reads it. The pattern spells that rule out
// (spaces trimmed at the ends, then 1–120 visible characters) so that
// generated names are the ones accepted, astral formatting characters aside.
#[derive(utoipa::ToSchema)]
#[schema(
    pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb](?:[^\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]{0,118}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
)]
#[allow(dead_code)]
pub(crate) struct Name(String);
