//! SIP credentials: create, list, retrieve, change password, delete.

use super::filter_query;
use crate::body::JsonObject;
use crate::error::{api_id, ApiResult};
use crate::paging::{Listed, Page, PlivoPaging, WithApiId, PLIVO_MAX};
use crate::paths::{resource, AccountPath, Id};
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::Ctx;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::{username_is_fixed, Password, Realm, Username};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/SipAuth/Credential";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

/// A credential as the API shows it (never its password or HA1).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Credential)]
pub(super) struct Shown {
    credential_uuid: String,
    username: String,
    /// The SIP realm it authenticates in: the account's own.
    realm: String,
    resource_uri: String,
}

fn shown(auth_id: &str, c: Credential) -> Shown {
    Shown {
        resource_uri: format!("{}{}/", super::uri(BASE, auth_id), c.id),
        credential_uuid: c.id,
        username: c.username,
        realm: c.realm,
    }
}

/// A create's body, as documented: the handler reads it field by field so
/// that each refusal names its field and rule.
#[derive(utoipa::ToSchema)]
#[schema(as = NewCredential, example = json!({"username": "alice", "password": "Correct-Horse-9-battery"}))]
#[allow(dead_code)]
pub(super) struct NewBody {
    /// 3–64 characters: letters, digits, '.', '_' or '-'; unique in the account.
    #[schema(pattern = "^[A-Za-z0-9._-]{3,64}$")]
    username: String,
    /// Write-only, kept as HA1 only: 12–128 characters, with an uppercase
    /// letter, a lowercase letter and a digit.
    #[schema(schema_with = crate::openapi::mixed_password)]
    password: String,
    /// The account's own realm if given (the default).
    realm: Option<String>,
}

/// A password change: the username is fixed.
#[derive(utoipa::ToSchema)]
#[schema(as = CredentialChange, example = json!({"password": "Another-Horse-7-staple"}))]
#[allow(dead_code)]
pub(super) struct ChangeBody {
    /// The new password, under the create's rule.
    #[schema(schema_with = crate::openapi::mixed_password)]
    password: String,
}

/// Creates a credential.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/SipAuth/Credential/", tag = "Credentials", operation_id = "create_credential",
    params(AccountPath), request_body = NewBody,
    responses((status = 201, description = "Created", body = WithApiId<Shown>)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<WithApiId<Shown>>)> {
    let username = Username::parse(body.required_str(Username::FIELD)?)?;
    let password = Password::parse(body.required_str(Password::FIELD)?)?;
    let new = NewCredential {
        realm: body.optional_str(Realm::FIELD)?.map(str::to_string),
        ..NewCredential::new(uuid::Uuid::new_v4().to_string(), username, password)
    };
    let created = credentials::create(&cx, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(WithApiId::new(shown(cx.account(), created))),
    ))
}

/// Lists the account's credentials, oldest first.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/SipAuth/Credential/", tag = "Credentials", operation_id = "list_credentials",
    params(AccountPath, PlivoPaging,
        ("username" = Option<String>, Query, max_length = 200,
         description = "Only usernames holding this text, ignoring case (an extension)")),
    responses((status = 200, description = "One page", body = Listed<Shown>)))]
async fn list(
    cx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed<Shown>>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: `username` filters by a case-insensitive substring.
    let search = super::search(&query, "username")?;
    let filter = Filter {
        search,
        list_id: None,
        brief: true,
    };
    let (rows, total) = credentials::list(&cx, filter, page.window()).await?;
    let auth_id = cx.account();
    Ok(Json(Listed {
        api_id: api_id(),
        meta: page.meta(
            &super::uri(BASE, auth_id),
            total,
            &filter_query("username", search),
        ),
        objects: rows.into_iter().map(|c| shown(auth_id, c)).collect(),
    }))
}

/// Retrieves one credential.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/SipAuth/Credential/{id}/", tag = "Credentials", operation_id = "get_credential",
    params(AccountPath, Id),
    responses((status = 200, description = "The credential", body = WithApiId<Shown>)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<WithApiId<Shown>>> {
    let credential = credentials::find(&cx, &id).await?;
    Ok(Json(WithApiId::new(shown(cx.account(), credential))))
}

/// Changes the password only: the seed's username is fixed.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/SipAuth/Credential/{id}/", tag = "Credentials", operation_id = "update_credential",
    params(AccountPath, Id), request_body = ChangeBody,
    responses((status = 202, description = "Changed", body = super::Changed)))]
async fn update(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<super::Changed>)> {
    if body.has(Username::FIELD) {
        return Err(username_is_fixed().into());
    }
    let change = Change {
        password: Some(Password::parse(body.required_str(Password::FIELD)?)?),
        ..Change::default()
    };
    credentials::update(&cx, &id, change).await?;
    Ok(super::changed())
}

/// Deletes a credential no application uses.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/SipAuth/Credential/{id}/", tag = "Credentials", operation_id = "delete_credential",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    credentials::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
