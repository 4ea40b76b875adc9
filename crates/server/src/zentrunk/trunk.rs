//! Zentrunk trunks: a name, a direction, the credential they authenticate
//! with and optionally an IP ACL. `credential_uuid=` filters the list (the
//! console's where-used, before a credential is deleted).

use crate::body::JsonObject;
use crate::error::{api_id, ApiError, ApiResult};
use crate::paging::{Listed, Page, PlivoPaging, PLIVO_MAX};
use crate::paths::{resource, AccountPath, Id};
use crate::plivo::filter_query;
use crate::service::{trunks, Ctx};
use crate::store::trunks::Trunk;
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::sip::{self, TrunkDirection};
use sipauth_model::AclName;
use std::collections::HashMap;

const BASE: &str = "/Account/{auth_id}/Zentrunk/Trunk";

pub fn router() -> Router<AppState> {
    let item = get(retrieve).post(update).delete(remove);
    resource(BASE, get(list).post(create), item)
}

/// A trunk as the API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Trunk)]
pub(super) struct Shown {
    trunk_id: String,
    name: String,
    #[schema(value_type = Direction)]
    trunk_direction: String,
    /// The credential it authenticates with; null once that is deleted.
    credential_uuid: Option<String>,
    /// The IP ACL it also admits, if any.
    ip_acl_uuid: Option<String>,
    /// Extension: where an outbound trunk's PBX sends its calls; null for
    /// an inbound trunk, which takes no calls from it.
    sip_uri: Option<String>,
}

fn shown(realm: &str, t: Trunk) -> Shown {
    Shown {
        sip_uri: TrunkDirection::parse(&t.trunk_direction)
            .is_ok_and(TrunkDirection::takes_calls)
            .then(|| sip::trunk_address(&t.id, realm)),
        trunk_id: t.id,
        name: t.name,
        trunk_direction: t.trunk_direction,
        credential_uuid: t.credential_id,
        ip_acl_uuid: t.ip_acl_id,
    }
}

/// Which way a trunk carries calls: `outbound`, the PBX sends its calls to
/// the trunk's SIP address; `inbound`, it takes calls in only.
// Doc-only: the handlers read the field with `TrunkDirection::parse`.
#[derive(utoipa::ToSchema)]
#[schema(as = TrunkDirection, rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum Direction {
    Outbound,
    Inbound,
}

/// What a create or an update answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = TrunkWritten)]
pub(super) struct Written {
    api_id: String,
    /// "trunk created successfully." or "changed"
    message: &'static str,
    trunk_id: String,
}

/// A create's body, as documented: the handler reads it field by field so
/// that each refusal names its field and rule.
#[derive(utoipa::ToSchema)]
#[schema(as = NewTrunk)]
#[allow(dead_code)]
pub(super) struct NewBody {
    /// 1–120 characters once trimmed, not only spaces. Absent: 422.
    #[schema(schema_with = crate::openapi::name_120)]
    name: String,
    /// Absent: 422.
    trunk_direction: Direction,
    /// One of the account's credentials. Absent: 422.
    credential_uuid: String,
    /// One of the account's IP ACLs; empty or null for none.
    ip_acl_uuid: Option<String>,
}

/// An update's body: the fields given replace the trunk's.
#[derive(utoipa::ToSchema)]
#[schema(as = TrunkChange)]
#[allow(dead_code)]
pub(super) struct ChangeBody {
    /// 1–120 characters once trimmed, not only spaces.
    #[schema(schema_with = crate::openapi::optional_name_120, required = false)]
    name: Option<String>,
    trunk_direction: Option<Direction>,
    /// One of the account's credentials.
    credential_uuid: Option<String>,
    /// One of the account's IP ACLs; empty or null removes it.
    ip_acl_uuid: Option<String>,
}

/// The fields of `body` over `t` (absent ones kept); checks them.
fn apply(body: &JsonObject, t: &mut Trunk) -> ApiResult<()> {
    if let Some(name) = body.optional_str(AclName::FIELD)? {
        t.name = AclName::parse(name)?.as_str().to_string();
    }
    if let Some(direction) = body.optional_str(TrunkDirection::FIELD)? {
        t.trunk_direction = TrunkDirection::parse(direction)?.as_str().to_string();
    }
    if let Some(c) = body.optional_str("credential_uuid")? {
        t.credential_id = Some(c.to_string());
    }
    if body.has("ip_acl_uuid") {
        t.ip_acl_id = body
            .optional_str("ip_acl_uuid")?
            .filter(|a| !a.is_empty())
            .map(str::to_string);
    }
    Ok(())
}

/// Creates a trunk.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Zentrunk/Trunk/", tag = "Trunks", operation_id = "create_trunk",
    params(AccountPath), request_body = NewBody,
    responses((status = 201, description = "Created", body = Written)))]
async fn create(cx: Ctx, body: JsonObject) -> ApiResult<(StatusCode, Json<Written>)> {
    for field in ["name", "trunk_direction", "credential_uuid"] {
        if body.optional_str(field)?.is_none() {
            return Err(ApiError::Missing {
                field: field.into(),
                message: format!("{field}: this parameter is required"),
            });
        }
    }
    let mut trunk = Trunk {
        id: uuid::Uuid::new_v4().to_string(),
        name: String::new(),
        trunk_direction: String::new(),
        credential_id: None,
        ip_acl_id: None,
    };
    apply(&body, &mut trunk)?;
    let trunk = trunks::create(&cx, trunk).await?;
    Ok((
        StatusCode::CREATED,
        Json(Written {
            api_id: api_id(),
            message: "trunk created successfully.",
            trunk_id: trunk.id,
        }),
    ))
}

/// Lists the account's trunks, oldest first.
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Zentrunk/Trunk/", tag = "Trunks", operation_id = "list_trunks",
    params(AccountPath, PlivoPaging,
        ("credential_uuid" = Option<String>, Query, max_length = 200,
         description = "Only the trunks using this credential, when not empty (an extension)")),
    responses((status = 200, description = "One page", body = Listed<Shown>)))]
async fn list(
    cx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Listed<Shown>>> {
    let page = Page::from_query(&query, PLIVO_MAX)?;
    let credential = crate::plivo::search(&query, "credential_uuid")?;
    let (rows, total) = trunks::list(&cx, credential, page.window()).await?;
    let account = &cx.caller.account;
    let base = crate::plivo::uri(BASE, &account.auth_id);
    Ok(Json(Listed {
        api_id: api_id(),
        meta: page.meta(&base, total, &filter_query("credential_uuid", credential)),
        objects: rows.into_iter().map(|t| shown(&account.realm, t)).collect(),
    }))
}

/// Retrieves one trunk (without `api_id`, as zentrunk answers).
#[utoipa::path(get, path = "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", tag = "Trunks", operation_id = "get_trunk",
    params(AccountPath, Id),
    responses((status = 200, description = "The trunk", body = Shown)))]
async fn retrieve(cx: Ctx, Id { id }: Id) -> ApiResult<Json<Shown>> {
    let t = trunks::find(&cx, &id).await?;
    Ok(Json(shown(&cx.caller.account.realm, t)))
}

/// Changes the fields given.
#[utoipa::path(post, path = "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", tag = "Trunks", operation_id = "update_trunk",
    params(AccountPath, Id), request_body = ChangeBody,
    responses((status = 202, description = "Changed", body = Written)))]
async fn update(
    cx: Ctx,
    Id { id }: Id,
    body: JsonObject,
) -> ApiResult<(StatusCode, Json<Written>)> {
    let mut trunk = trunks::find(&cx, &id).await?;
    apply(&body, &mut trunk)?;
    trunks::update(&cx, trunk).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Written {
            api_id: api_id(),
            message: "changed",
            trunk_id: id,
        }),
    ))
}

/// Deletes a trunk.
#[utoipa::path(delete, path = "/v1/Account/{auth_id}/Zentrunk/Trunk/{id}/", tag = "Trunks", operation_id = "delete_trunk",
    params(AccountPath, Id),
    responses((status = 204, description = "Deleted")))]
async fn remove(cx: Ctx, Id { id }: Id) -> ApiResult<StatusCode> {
    trunks::delete(&cx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
