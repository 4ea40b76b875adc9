//! Request bodies: JSON objects read field by field, so that a missing or
//! mistyped field is answered with its name, and malformed or oversized
//! bodies come back in the API's own error shape.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

/// Bodies above this are refused with 413 (the largest legitimate body, an
/// ACL with 50 entries, is far smaller).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(MAX_BODY_BYTES)
            } else {
                ApiError::BadRequest(format!("could not read the request body: {rejection}"))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::BadRequest(
                "the request body must be a JSON object".into(),
            )),
            Err(e) => Err(ApiError::BadRequest(format!(
                "the request body is not valid JSON: {e}"
            ))),
        }
    }
}

impl JsonObject {
    /// A string field that must be present.
    pub fn required_str(&self, field: &'static str) -> Result<&str, ApiError> {
        self.optional_str(field)?.ok_or_else(|| ApiError::BadField {
            field,
            message: format!("{field}: this field is required"),
        })
    }

    /// A string field that may be absent or null.
    pub fn optional_str(&self, field: &'static str) -> Result<Option<&str>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ApiError::BadField {
                field,
                message: format!("{field}: must be a string, not {}", json_kind(other)),
            }),
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
