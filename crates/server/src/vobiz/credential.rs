//! Vobiz credentials: create (enabled and a description optional), list,
//! retrieve, update password/enabled/description with PUT, delete. A
//! disabled credential stays listed but cannot authenticate SIP traffic.

use crate::body::JsonObject;
use crate::error::{ApiError, ApiResult};
use crate::paging::{Page, VobizPaging, VOBIZ_MAX};
use crate::paths::{resource, AccountPath, Id};
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::Ctx;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use sipauth_model::{sip, username_is_fixed, Description, Dialect, Password, Username};
use std::collections::HashMap;

const BASE: &str = "/account/{auth_id}";

pub fn router() -> Router<AppState> {
    let credentials = format!("{BASE}/credentials");
    resource(
        &credentials,
        get(list).post(create),
        get(retrieve).put(update).delete(remove),
    )
    // The documented list path.
    .route(&format!("{BASE}/trunks/credentials"), get(list_documented))
}

/// A vobiz credential as the API shows it (never its password or HA1).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Credential)]
pub(super) struct Shown {
    id: String,
    /// The account's `auth_id`.
    account_id: String,
    username: String,
    /// The SIP realm it authenticates in: the account's own.
    realm: String,
    /// Extension: where the credential registers and calls; null for a
    /// credential another dialect made, which authenticates only where it
    /// is assigned.
    sip_uri: Option<String>,
    /// A disabled credential stays listed but authenticates nothing.
    enabled: bool,
    /// Empty when none was given.
    description: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn shown(account: &str, c: Credential) -> Shown {
    Shown {
        sip_uri: c
            .account_wide
            .then(|| sip::account_address(&c.username, &c.realm)),
        id: c.id,
        account_id: account.to_string(),
        username: c.username,
        realm: c.realm,
        enabled: c.enabled,
        description: c.description,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// One page of credentials.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialList)]
pub(super) struct Listed {
    meta: super::Meta,
    objects: Vec<Shown>,
}

/// A create's body, as documented: the handler reads it field by field so
/// that each refusal names its field and rule.
#[derive(utoipa::ToSchema)]
#[schema(as = NewCredential)]
#[allow(dead_code)]
pub(super) struct NewBody {
    /// 3–64 characters: letters, digits, '.', '_' or '-'; unique in the account.
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    username: String,
    /// Write-only, kept as HA1 only: 8–128 characters, no control
    /// characters (mixed classes are advised, not required).
    #[schema(min_length = 8, max_length = 128, format = Password, pattern = r"^[^\x00-\x1f\x7f-\x9f]{8,128}$")]
    password: String,
    /// Whether it may authenticate (default true).
    enabled: Option<bool>,
    #[schema(schema_with = crate::openapi::optional_description, required = false)]
    description: Option<String>,
}

/// An update's body: any of its fields; the username is fixed.
#[derive(utoipa::ToSchema)]
#[schema(as = CredentialChange)]
#[allow(dead_code)]
pub(super) struct ChangeBody {
    /// A new password, under the create's rule.
    #[schema(min_length = 8, max_length = 128, format = Password, pattern = r"^[^\x00-\x1f\x7f-\x9f]{8,128}$")]
    password: Option<String>,
    /// Whether it may authenticate.
    enabled: Option<bool>,
    #[schema(schema_with = crate::openapi::optional_description, required = false)]
    description: Option<String>,
}

fn optional_bool(body: &JsonObject, field: &str) -> ApiResult<Option<bool>> {
    match body.0.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::BadField {
            field: field.into(),
            message: format!("{field}: must be true or false"),
        }),
    }
}

fn description(body: &JsonObject) -> ApiResult<Option<String>> {
    Ok(match body.optional_str(Description::FIELD)? {
        Some(d) => Some(Description::parse(d)?.as_str().to_string()),
        None => None,
    })
}

/// Creates a credential, enabled unless told otherwise.
#[utoipa::path(post, path = "/api/v1/account/{auth_id}/credentials", tag = "Credentials", operation_id = "create_credential",
    params(AccountPath), request_body = NewBody,
    responses((status = 201, description = "Created", body = Shown)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Shown>)> {
    let policy = Dialect::Vobiz.policy();
    let username = Username::parse_with(body.required_str(Username::FIELD)?, &policy)?;
    let password = Password::parse_with(body.required_str(Password::FIELD)?, &policy)?;
    let new = NewCredential {
        description: description(&body)?.unwrap_or_default(),
        enabled: optional_bool(&body, "enabled")?.unwrap_or(true),
        account_wide: true,
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((StatusCode::CREATED, Json(shown(cx.account(), created))))
}

/// Lists the account's credentials, oldest first.
#[utoipa::path(get, path = "/api/v1/account/{auth_id}/credentials", tag = "Credentials", operation_id = "list_credentials",
    params(AccountPath, VobizPaging),
    responses((status = 200, description = "One page", body = Listed)))]
async fn list(cx: Ctx, query: Query<HashMap<String, String>>) -> ApiResult<Json<Listed>> {
    let page = Page::from_query(&query, VOBIZ_MAX)?;
    let (rows, total) = credentials::list(&cx, Filter::default(), page.window()).await?;
    let account = cx.account();
    Ok(Json(Listed {
        meta: super::Meta {
            limit: page.limit,
            offset: page.offset,
            total,
        },
        objects: rows.into_iter().map(|c| shown(account, c)).collect(),
    }))
}

/// Lists the account's credentials at the path vobiz documents.
// Its own function so that the alias is its own documented operation.
#[utoipa::path(get, path = "/api/v1/account/{auth_id}/trunks/credentials", tag = "Credentials", operation_id = "list_trunk_credentials",
    params(AccountPath, VobizPaging),
    responses((status = 200, description = "One page", body = Listed)))]
async fn list_documented(
    cx: Ctx,
    query: Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed>> {
    list(cx, query).await
}

/// Retrieves one credential.
#[utoipa::path(get, path = "/api/v1/account/{auth_id}/credentials/{id}", tag = "Credentials", operation_id = "get_credential",
    params(AccountPath, Id),
    responses((status = 200, description = "The credential", body = Shown)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Shown>> {
    let c = credentials::find(&cx, &id).await?;
    Ok(Json(shown(cx.account(), c)))
}

/// Changes any of password, enabled and description; the username is fixed.
#[utoipa::path(put, path = "/api/v1/account/{auth_id}/credentials/{id}", tag = "Credentials", operation_id = "update_credential",
    params(AccountPath, Id), request_body = ChangeBody,
    responses((status = 200, description = "The credential as changed", body = Shown)))]
async fn update(cx: Ctx, Id { id }: Id, body: JsonObject) -> ApiResult<Json<Shown>> {
    credentials::find(&cx, &id).await?;
    if body.optional_str(Username::FIELD)?.is_some() {
        return Err(username_is_fixed().into());
    }
    let change = Change {
        password: body
            .optional_str(Password::FIELD)?
            .map(|p| Password::parse_with(p, &Dialect::Vobiz.policy()))
            .transpose()?,
        enabled: optional_bool(&body, "enabled")?,
        description: description(&body)?,
        ..Change::default()
    };
    let updated = credentials::update(&cx, &id, change).await?;
    Ok(Json(shown(cx.account(), updated)))
}

/// Deletes a credential no application uses.
///
/// A plivo application that uses it keeps it, as in the SipAuth API.
#[utoipa::path(delete, path = "/api/v1/account/{auth_id}/credentials/{id}", tag = "Credentials", operation_id = "delete_credential",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
