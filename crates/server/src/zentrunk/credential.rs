//! Zentrunk credentials: create (422 without username or password), list,
//! retrieve, update name/username/password, delete.

use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Listed, Page, PlivoPaging, PLIVO_MAX};
use crate::paths::{resource, AccountPath, Id};
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::Ctx;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::{AclName, Dialect, Password, Username};
use std::borrow::Cow;
use std::collections::HashMap;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Zentrunk/Credential";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

/// A zentrunk credential as the API shows it (never its password or HA1).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Credential)]
pub(super) struct Shown {
    credential_uuid: String,
    /// Its friendly name, empty when none was given.
    name: String,
    username: String,
}

impl From<Credential> for Shown {
    fn from(c: Credential) -> Self {
        Self {
            credential_uuid: c.id,
            name: c.name,
            username: c.username,
        }
    }
}

/// What a create or an update answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialWritten)]
pub(super) struct Written {
    api_id: String,
    /// "credential created successfully." or "Credential updated successfully."
    message: &'static str,
    credential_uuid: String,
}

/// A create's body, as documented: the handler reads it field by field so
/// that each refusal names its field and rule.
#[derive(utoipa::ToSchema)]
#[schema(as = NewCredential)]
#[allow(dead_code)]
pub(super) struct NewBody {
    /// 3–64 characters: letters, digits, '.', '_' or '-'; unique in the
    /// account. Absent: 422.
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    username: String,
    /// Write-only, kept as HA1 only: 12–128 characters, with an uppercase
    /// letter, a lowercase letter and a digit, no control characters.
    /// Absent: 422.
    #[schema(schema_with = crate::openapi::mixed_password)]
    password: String,
    /// 1–120 characters once trimmed, not only spaces.
    #[schema(schema_with = crate::openapi::optional_name_120, required = false)]
    name: Option<String>,
}

/// An update's fields, each optional.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct ChangeFields {
    /// 1–120 characters once trimmed, not only spaces.
    #[schema(schema_with = crate::openapi::optional_name_120, required = false)]
    name: Option<String>,
    /// A new username, under the create's rule; it needs the password too
    /// (the HA1 covers both).
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    username: Option<String>,
    /// A new password, under the create's rule.
    #[schema(schema_with = crate::openapi::optional_mixed_password, required = false)]
    password: Option<String>,
}

/// An update's body: any of its fields, and the password with a new
/// username. Written by hand: derived schemas cannot say "this field needs
/// that one", here an `anyOf`.
pub(super) struct ChangeBody;

impl utoipa::PartialSchema for ChangeBody {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let renamed = ObjectBuilder::new()
            .property("username", string())
            .property("password", string())
            .required("username")
            .required("password");
        let same_name =
            ObjectBuilder::new().property("username", ObjectBuilder::new().schema_type(Type::Null));
        AllOfBuilder::new()
            .description(Some(
                "Any of name, username and password; changing the username needs the password too.",
            ))
            .item(ChangeFields::schema())
            .item(AnyOfBuilder::new().item(same_name).item(renamed))
            .into()
    }
}

impl utoipa::ToSchema for ChangeBody {
    fn name() -> Cow<'static, str> {
        "CredentialChange".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ChangeFields::schemas(schemas);
    }
}

/// A required field that zentrunk answers 422 for when it is absent.
fn required<'a>(body: &'a JsonObject, field: &str) -> ApiResult<&'a str> {
    body.optional_str(field)?.ok_or_else(|| ApiError::Missing {
        field: field.to_string(),
        message: format!("{field}: this parameter is required"),
    })
}

/// The optional friendly name: 1–120 characters when given.
fn name(body: &JsonObject) -> ApiResult<Option<String>> {
    Ok(match body.optional_str(AclName::FIELD)? {
        None => None,
        Some(n) => Some(AclName::parse(n)?.as_str().to_string()),
    })
}

/// What every response to a write says besides its message.
fn answer(message: &'static str, id: String) -> Json<Written> {
    Json(Written {
        api_id: api_id(),
        message,
        credential_uuid: id,
    })
}

/// Creates a credential.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Zentrunk/Credential/", tag = "Credentials", operation_id = "create_credential",
    params(AccountPath), request_body = NewBody,
    responses((status = 201, description = "Created", body = Written)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Written>)> {
    let policy = Dialect::Zentrunk.policy();
    let username = Username::parse_with(required(&body, Username::FIELD)?, &policy)?;
    let password = Password::parse_with(required(&body, Password::FIELD)?, &policy)?;
    let new = NewCredential {
        name: name(&body)?.unwrap_or_default(),
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((
        StatusCode::CREATED,
        answer("credential created successfully.", created.id),
    ))
}

/// Lists the account's credentials, oldest first.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Zentrunk/Credential/", tag = "Credentials", operation_id = "list_credentials",
    params(AccountPath, PlivoPaging),
    responses((status = 200, description = "One page", body = Listed<Shown>)))]
async fn list(
    cx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed<Shown>>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    let (rows, total) = credentials::list(&cx, Filter::default(), page.window()).await?;
    let base = crate::plivo::uri(BASE, cx.account());
    Ok(Json(Listed {
        api_id: api_id(),
        meta: page.meta(&base, total, ""),
        objects: rows.into_iter().map(Shown::from).collect(),
    }))
}

/// Retrieves one credential (without `api_id`, as zentrunk answers).
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", tag = "Credentials", operation_id = "get_credential",
    params(AccountPath, Id),
    responses((status = 200, description = "The credential", body = Shown)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Shown>> {
    Ok(Json(credentials::find(&cx, &id).await?.into()))
}

/// Changes any of name, username and password.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", tag = "Credentials", operation_id = "update_credential",
    params(AccountPath, Id), request_body = ChangeBody,
    responses((status = 202, description = "Changed", body = Written)))]
async fn update(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Written>)> {
    credentials::find(&cx, &id).await?;
    let policy = Dialect::Zentrunk.policy();
    let change = Change {
        name: name(&body)?,
        username: body
            .optional_str(Username::FIELD)?
            .map(|u| Username::parse_with(u, &policy))
            .transpose()?,
        password: body
            .optional_str(Password::FIELD)?
            .map(|p| Password::parse_with(p, &policy))
            .transpose()?,
        ..Change::default()
    };
    credentials::update(&cx, &id, change).await?;
    Ok((
        StatusCode::ACCEPTED,
        answer("Credential updated successfully.", id),
    ))
}

/// Deletes a credential, even one a trunk uses.
///
/// Allowed even when a trunk uses it (the seed says it breaks the trunk;
/// the console warns first); a plivo application that uses it keeps it.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/Zentrunk/Credential/{id}/", tag = "Credentials", operation_id = "delete_credential",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
