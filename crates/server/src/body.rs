//! Request bodies: JSON objects read field by field, so that a missing or
//! mistyped field is answered with its name, and malformed or oversized
//! bodies come back in the API's own error shape.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};
use sipauth_model::FieldError;

/// Bodies above this are refused with 413 (the largest legitimate body, an
/// ACL with 50 entries, is far smaller).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A form or text body is another site's or another tool's: only
        // JSON is read (a browser cannot send JSON across sites unasked).
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
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
        if !json {
            return Err(ApiError::NotJson);
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
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            map: &self.0,
            prefix: String::new(),
        }
    }

    pub fn required_str(&self, field: &str) -> Result<&str, ApiError> {
        self.fields().required_str(field)
    }

    pub fn optional_str(&self, field: &str) -> Result<Option<&str>, ApiError> {
        self.fields().optional_str(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
}

/// The fields of one JSON object; nested objects get a prefix such as
/// `entries[3].` so that errors name exactly what is wrong.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn nested(map: &'a Map<String, Value>, prefix: String) -> Self {
        Self { map, prefix }
    }

    fn bad(&self, field: &str, problem: String) -> ApiError {
        let name = format!("{}{field}", self.prefix);
        ApiError::BadField {
            message: format!("{name}: {problem}"),
            field: name,
        }
    }

    /// A model rule's error, named with this object's prefix.
    pub fn rule(&self, e: FieldError) -> ApiError {
        if self.prefix.is_empty() {
            return ApiError::Field(e);
        }
        self.bad(e.field, format!("{} (rule: {})", e.problem, e.rule))
    }

    /// A string field that must be present.
    pub fn required_str(&self, field: &str) -> Result<&'a str, ApiError> {
        self.optional_str(field)?
            .ok_or_else(|| self.bad(field, "this field is required".into()))
    }

    /// A string field that may be absent or null.
    pub fn optional_str(&self, field: &str) -> Result<Option<&'a str>, ApiError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.bad(field, format!("must be a string, not {}", json_kind(other))))
            }
        }
    }

    /// A whole-number field that may be absent or null.
    pub fn optional_int(&self, field: &str) -> Result<Option<i64>, ApiError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(other) => Err(self.bad(
                field,
                format!("must be a whole number, not {}", json_kind(other)),
            )),
        }
    }

    /// An array field that may be absent or null.
    pub fn optional_array(&self, field: &str) -> Result<Option<&'a Vec<Value>>, ApiError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => {
                Err(self.bad(field, format!("must be an array, not {}", json_kind(other))))
            }
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
