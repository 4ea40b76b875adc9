//! Typed path parameters, one extractor per route shape. Routes are
//! declared once, without a trailing slash: `app` trims one before routing.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::MethodRouter;
use axum::Router;
use serde::Deserialize;

/// The account a route acts for (`{auth_id}`, or twilio's `{account_sid}`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    /// Your account's id; the credentials used must be its own.
    #[serde(alias = "account_sid")]
    pub auth_id: String,
}

/// `…/{id}`: one resource of the JSON dialects.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Id {
    /// The resource's id, as its create answered.
    pub id: String,
}

/// `…/IpAccessControlList/{id}/Entry/{entry_id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// The IP ACL's id.
    pub id: String,
    /// The entry's id.
    pub entry_id: String,
}

/// Path parameters that did not parse are a route that does not exist.
async fn path<T: serde::de::DeserializeOwned + Send>(parts: &mut Parts) -> Result<T, ApiError> {
    Path::<T>::from_request_parts(parts, &())
        .await
        .map(|Path(p)| p)
        .map_err(|_| ApiError::NotFound("resource"))
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        path(parts).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for EntryPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        path(parts).await
    }
}

/// Twilio's `…/{parent}` and `…/{parent}/…/{child}`; each segment is a SID,
/// with `.json` where Twilio's paths end in it.
#[derive(Debug, Deserialize)]
pub struct Parent {
    pub parent: String,
}

#[derive(Debug, Deserialize)]
pub struct Child {
    pub parent: String,
    pub child: String,
}

/// A collection at `base` and its items at `base/{id}`: the JSON dialects'
/// one route shape.
pub fn resource(
    base: &str,
    collection: MethodRouter<AppState>,
    item: MethodRouter<AppState>,
) -> Router<AppState> {
    Router::new()
        .route(base, collection)
        .route(&format!("{base}/{{id}}"), item)
}
