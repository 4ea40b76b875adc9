//! Applications, which put a credential, an IP ACL or both to use through
//! `sip_auth_type`.

use super::filter_query;
use crate::body::JsonObject;
use crate::error::{api_id, ApiResult};
use crate::paging::{Listed, Page, PlivoPaging, WithApiId, PLIVO_MAX};
use crate::paths::{resource, AccountPath, Id};
use crate::service::{applications, Ctx};
use crate::store::accounts;
use crate::store::applications::{Application, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::sip::{self, SipAuthType};
use sipauth_model::{AnswerUrl, AppName};
use std::collections::HashMap;

/// Relative to `/v1`.
const BASE: &str = "/Account/{auth_id}/Application";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

/// An application and what it puts to use.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Application)]
pub(super) struct Shown {
    app_id: String,
    app_name: String,
    answer_url: String,
    /// "", "credential", "ip_acl" or "credential_and_ip_acl".
    sip_auth_type: String,
    credential_uuid: Option<String>,
    ip_acl_uuid: Option<String>,
    /// The address calls to this application are sent to (an extension).
    sip_uri: String,
    resource_uri: String,
}

fn shown(account: &accounts::Account, a: Application) -> Shown {
    Shown {
        sip_uri: sip::application_address(&a.id, &account.realm),
        resource_uri: format!("{}{}/", super::uri(BASE, &account.auth_id), a.id),
        app_id: a.id,
        app_name: a.app_name,
        answer_url: a.answer_url,
        sip_auth_type: a.sip_auth_type,
        credential_uuid: a.credential_id,
        ip_acl_uuid: a.ip_acl_id,
    }
}

/// A create's or an update's body (on update every field is optional and
/// an absent one keeps its value).
#[derive(utoipa::ToSchema)]
#[schema(as = ApplicationFields, example = json!({"app_name": "Support line", "answer_url": "https://example.com/answer", "sip_auth_type": ""}))]
#[allow(dead_code)] // only described: `apply` reads it, naming each error
pub(super) struct Body {
    /// 1–120 characters once trimmed, not only spaces (required on create).
    #[schema(schema_with = crate::openapi::optional_name_120, required = false)]
    app_name: Option<String>,
    /// Empty, or an http:// or https:// URL of up to 500 characters.
    #[schema(max_length = 500, pattern = "^(https?://[!-.0-~][!-~]*)?$")]
    answer_url: Option<String>,
    /// What SIP traffic must present; the credential and ACL it names must
    /// be given and be the account's own.
    #[schema(value_type = Option<String>, pattern = "^(|credential|ip_acl|credential_and_ip_acl)$")]
    sip_auth_type: Option<String>,
    /// A credential of this account ("" clears it).
    credential_uuid: Option<String>,
    /// An IP ACL of this account ("" clears it).
    ip_acl_uuid: Option<String>,
}

/// A create's answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = ApplicationCreated)]
pub(super) struct Created {
    api_id: String,
    app_id: String,
    /// "created"
    message: &'static str,
}

/// A plivo-style numeric app id: 17 random digits, the first not 0.
fn new_app_id() -> String {
    let low = 10u128.pow(16);
    (low + uuid::Uuid::new_v4().as_u128() % (9 * low)).to_string()
}

/// The request's fields over `app` (absent fields keep their value); the
/// core decides what `sip_auth_type` keeps and needs.
fn apply(body: &JsonObject, app: &mut Application) -> ApiResult<()> {
    if let Some(name) = body.optional_str(AppName::FIELD)? {
        app.app_name = AppName::parse(name)?.as_str().to_string();
    }
    if let Some(url) = body.optional_str(AnswerUrl::FIELD)? {
        app.answer_url = AnswerUrl::parse(url)?.as_str().to_string();
    }
    if let Some(kind) = body.optional_str(SipAuthType::FIELD)? {
        app.sip_auth_type = SipAuthType::parse(kind)?.as_str().to_string();
    }
    if let Some(id) = body.optional_str("credential_uuid")? {
        app.credential_id = Some(id.to_string()).filter(|s| !s.is_empty());
    }
    if let Some(id) = body.optional_str("ip_acl_uuid")? {
        app.ip_acl_id = Some(id.to_string()).filter(|s| !s.is_empty());
    }
    Ok(())
}

/// Creates an application.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Application/", tag = "Applications", operation_id = "create_application",
    params(AccountPath), request_body = Body,
    responses((status = 201, description = "Created", body = Created)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Created>)> {
    // Required on create; `apply` validates it.
    body.required_str(AppName::FIELD)?;
    let mut app = Application {
        id: new_app_id(),
        ..Application::default()
    };
    apply(&body, &mut app)?;
    let app = applications::create(&cx, app).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            api_id: api_id(),
            app_id: app.id,
            message: "created",
        }),
    ))
}

/// Lists the account's applications.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Application/", tag = "Applications", operation_id = "list_applications",
    params(AccountPath, PlivoPaging,
        ("credential_uuid" = Option<String>, Query, max_length = 200,
         description = "Only applications using this credential (an extension)"),
        ("ip_acl_uuid" = Option<String>, Query, max_length = 200,
         description = "Only applications using this IP ACL (an extension)")),
    responses((status = 200, description = "One page", body = Listed<Shown>)))]
async fn list(
    cx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed<Shown>>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    // Extension: which applications use a given credential or ACL.
    let filter = Filter {
        credential_id: super::search(&query, "credential_uuid")?,
        ip_acl_id: super::search(&query, "ip_acl_uuid")?,
    };
    let (rows, total) = applications::list(&cx, filter, page.window()).await?;
    let extra = filter_query("credential_uuid", filter.credential_id)
        + &filter_query("ip_acl_uuid", filter.ip_acl_id);
    let account = &cx.caller.account;
    Ok(Json(Listed {
        api_id: api_id(),
        meta: page.meta(&super::uri(BASE, &account.auth_id), total, &extra),
        objects: rows.into_iter().map(|a| shown(account, a)).collect(),
    }))
}

/// Retrieves one application.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Application/{id}/", tag = "Applications", operation_id = "get_application",
    params(AccountPath, Id),
    responses((status = 200, description = "The application", body = WithApiId<Shown>)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<WithApiId<Shown>>> {
    let app = applications::find(&cx, &id).await?;
    Ok(Json(WithApiId::new(shown(&cx.caller.account, app))))
}

/// Changes an application: the fields given, the others kept.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Application/{id}/", tag = "Applications", operation_id = "update_application",
    params(AccountPath, Id), request_body = Body,
    responses((status = 202, description = "Changed", body = super::Changed)))]
async fn update(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<super::Changed>)> {
    let mut app = applications::find(&cx, &id).await?;
    apply(&body, &mut app)?;
    applications::update(&cx, app).await?;
    Ok(super::changed())
}

/// Deletes an application.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/Application/{id}/", tag = "Applications", operation_id = "delete_application",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    applications::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
