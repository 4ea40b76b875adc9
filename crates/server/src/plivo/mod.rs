//! The plivo SipAuth dialect (seed 000): `/v1/Account/{auth_id}/SipAuth/…`.

mod acl;
mod application;
mod credential;

pub use credential::{delete_unless_used, refuse_unless_created, CREDENTIAL_IN_USE};

use crate::error::ApiError;
use crate::{auth, AppState};
use axum::Router;
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

/// `limit` (1–20, default 20) and `offset` (≥ 0, default 0) of a list request.
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub fn from_query(query: &HashMap<String, String>) -> Result<Self, ApiError> {
        let number = |field: &'static str, default: i64, min: i64, max: i64| {
            let Some(raw) = query.get(field) else {
                return Ok(default);
            };
            match raw.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::BadField {
                    field: field.into(),
                    message: format!(
                        "{field}: must be a whole number from {min} to {max}, not {raw:?}"
                    ),
                }),
            }
        };
        Ok(Self {
            limit: number("limit", 20, 1, 20)?,
            offset: number("offset", 0, 0, i64::from(i32::MAX))?,
        })
    }

    /// The list's `meta` object, with links to the neighbouring pages.
    pub fn meta(&self, base_uri: &str, total: i64, extra_query: &str) -> serde_json::Value {
        let link = |offset: i64| {
            format!(
                "{base_uri}?limit={}&offset={offset}{extra_query}",
                self.limit
            )
        };
        serde_json::json!({
            "limit": self.limit,
            "offset": self.offset,
            "total_count": total,
            "previous": (self.offset > 0).then(|| link((self.offset - self.limit).max(0))),
            "next": (self.offset + self.limit < total).then(|| link(self.offset + self.limit)),
        })
    }
}
