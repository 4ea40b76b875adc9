//! CredentialLists and their Credentials (seed 002).

use super::error::{invalid, TwilioError, TwilioResult};
use super::{friendly_name_schema, resource, rfc2822, At, Form, Here, Item, Nested, Under};
use super::{
    Account, CredentialListSid, CredentialSid, ListSid, PageMeta, Paging, Params, TwilioPaging,
};
use crate::secrets;
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::{credential_lists, Ctx};
use crate::store::credential_lists::CredentialList;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sipauth_model::{Dialect, FriendlyName, Password, Username};

const LISTS: &str = "/Accounts/{account_sid}/SIP/CredentialLists";

pub fn router() -> Router<AppState> {
    let lists = get(fetch_list).post(update_list).delete(delete_list);
    let credentials = get(fetch_credential)
        .post(update_credential)
        .delete(delete_credential);
    resource(LISTS, get(list_lists).post(create_list), lists).merge(resource(
        &format!("{LISTS}/{{parent}}/Credentials"),
        get(list_credentials).post(create_credential),
        credentials,
    ))
}

fn lists_path(account: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/SIP/CredentialLists")
}

/// A credential list as Twilio shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialList)]
struct Shown {
    account_sid: String,
    /// RFC 2822, in GMT.
    date_created: String,
    /// RFC 2822, in GMT.
    date_updated: String,
    friendly_name: String,
    sid: String,
    subresource_uris: ListLinks,
    uri: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialListSubresources)]
struct ListLinks {
    credentials: String,
}

fn shown(account: &str, l: CredentialList) -> Shown {
    let uri = format!("{}/{}", lists_path(account), l.id);
    Shown {
        account_sid: account.to_string(),
        date_created: rfc2822(&l.created_at),
        date_updated: rfc2822(&l.updated_at),
        friendly_name: l.friendly_name,
        sid: l.id,
        subresource_uris: ListLinks {
            credentials: format!("{uri}/Credentials.json"),
        },
        uri: format!("{uri}.json"),
    }
}

/// A credential as Twilio shows it (never its password).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = Credential)]
struct CredentialShown {
    account_sid: String,
    credential_list_sid: String,
    /// RFC 2822, in GMT.
    date_created: String,
    /// RFC 2822, in GMT.
    date_updated: String,
    sid: String,
    uri: String,
    username: String,
}

fn credential_shown(account: &str, list: &str, c: Credential) -> CredentialShown {
    CredentialShown {
        account_sid: account.to_string(),
        credential_list_sid: list.to_string(),
        date_created: rfc2822(&c.created_at),
        date_updated: rfc2822(&c.updated_at),
        uri: format!("{}/{list}/Credentials/{}.json", lists_path(account), c.id),
        sid: c.id,
        username: c.username,
    }
}

/// One page of the account's credential lists.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialListPage)]
struct ListPage {
    credential_lists: Vec<Shown>,
    #[serde(flatten)]
    meta: PageMeta,
}

/// One page of a list's credentials.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = CredentialPage)]
struct CredentialPage {
    credentials: Vec<CredentialShown>,
    #[serde(flatten)]
    meta: PageMeta,
}

// The bodies below are only described: the handlers read the form field by
// field so that each refusal names its parameter and rule.

/// A credential list's create or rename.
#[derive(utoipa::ToSchema)]
#[schema(as = CredentialListForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct ListForm {
    #[schema(schema_with = friendly_name_schema)]
    friendly_name: String,
}

/// A new credential.
#[derive(utoipa::ToSchema)]
#[schema(as = NewCredentialForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct NewCredentialForm {
    /// 3–32 characters: letters, digits, '.', '_' or '-'; unique in the
    /// account.
    #[schema(pattern = "^[A-Za-z0-9._-]{3,32}$")]
    username: String,
    /// Write-only, kept as HA1 only: 12–128 characters, with an uppercase
    /// letter, a lowercase letter and a digit.
    #[schema(min_length = 12, max_length = 128, format = Password)]
    password: String,
}

/// A credential's update: the password only, kept if absent.
#[derive(utoipa::ToSchema)]
#[schema(as = CredentialForm, rename_all = "PascalCase")]
#[allow(dead_code)]
struct CredentialForm {
    /// The new password, under the create's rule.
    #[schema(min_length = 12, max_length = 128, format = Password, required = false)]
    password: String,
}

fn friendly_name(form: &Form) -> TwilioResult<FriendlyName> {
    FriendlyName::parse(form.required(FriendlyName::FIELD)?)
        .map_err(|e| invalid(FriendlyName::FIELD, e))
}

/// Lists the account's credential lists.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json",
    tag = "Credential lists", operation_id = "list_credential_lists",
    params(Account, TwilioPaging),
    responses((status = 200, description = "One page", body = ListPage)))]
async fn list_lists(
    cx: Ctx,
    here: Here,
    Query(query): Query<Params>,
) -> TwilioResult<Json<ListPage>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = credential_lists::list(&cx, paging.window())
        .await
        .at(&here)?;
    Ok(Json(ListPage {
        meta: paging.meta(&here.0, rows.len(), total),
        credential_lists: rows.into_iter().map(|l| shown(cx.account(), l)).collect(),
    }))
}

/// Creates a credential list.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json",
    tag = "Credential lists", operation_id = "create_credential_list",
    params(Account),
    request_body(content = ListForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Created", body = Shown)))]
async fn create_list(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Shown>)> {
    let name = friendly_name(&form)?;
    let created = credential_lists::create(&cx, &secrets::new_sid("CL"), &name)
        .await
        .at(&here)?;
    Ok((StatusCode::CREATED, Json(shown(cx.account(), created))))
}

/// Fetches a credential list.
#[utoipa::path(get, path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json",
    tag = "Credential lists", operation_id = "get_credential_list",
    params(Account, ListSid),
    responses((status = 200, description = "The credential list", body = Shown)))]
async fn fetch_list(cx: Ctx, list: Item) -> TwilioResult<Json<Shown>> {
    let found = credential_lists::find(&cx, &list.id).await.at(&list.here)?;
    Ok(Json(shown(cx.account(), found)))
}

/// Renames a credential list.
#[utoipa::path(post, path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json",
    tag = "Credential lists", operation_id = "update_credential_list",
    params(Account, ListSid),
    request_body(content = ListForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Renamed", body = Shown)))]
async fn update_list(cx: Ctx, list: Item, form: Form) -> TwilioResult<Json<Shown>> {
    let name = friendly_name(&form)?;
    let renamed = credential_lists::rename(&cx, &list.id, &name)
        .await
        .at(&list.here)?;
    Ok(Json(shown(cx.account(), renamed)))
}

/// Deletes a credential list and its credentials.
///
/// Not while a plivo application uses one of them.
#[utoipa::path(delete, path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json",
    tag = "Credential lists", operation_id = "delete_credential_list",
    params(Account, ListSid),
    responses((status = 204, description = "Deleted")))]
async fn delete_list(cx: Ctx, list: Item) -> TwilioResult<StatusCode> {
    credential_lists::delete(&cx, &list.id)
        .await
        .at(&list.here)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists a credential list's credentials.
#[utoipa::path(get,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
    tag = "Credential lists", operation_id = "list_credentials",
    params(Account, CredentialListSid, TwilioPaging),
    responses((status = 200, description = "One page", body = CredentialPage)))]
async fn list_credentials(
    cx: Ctx,
    list: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<CredentialPage>> {
    credential_lists::find(&cx, &list.parent)
        .await
        .at(&list.here)?;
    let paging = Paging::from_query(&q)?;
    let filter = Filter {
        list_id: Some(&list.parent),
        ..Filter::default()
    };
    let (rows, total) = credentials::list(&cx, filter, paging.window())
        .await
        .at(&list.here)?;
    Ok(Json(CredentialPage {
        meta: paging.meta(&list.here.0, rows.len(), total),
        credentials: rows
            .into_iter()
            .map(|c| credential_shown(cx.account(), &list.parent, c))
            .collect(),
    }))
}

/// Adds a credential to a credential list.
#[utoipa::path(post,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json",
    tag = "Credential lists", operation_id = "create_credential",
    params(Account, CredentialListSid),
    request_body(content = NewCredentialForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "Created", body = CredentialShown)))]
async fn create_credential(
    cx: Ctx,
    list: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<CredentialShown>)> {
    credential_lists::find(&cx, &list.parent)
        .await
        .at(&list.here)?;
    let policy = Dialect::Twilio.policy();
    let username = Username::parse_with(form.required("Username")?, &policy)
        .map_err(|e| invalid("Username", e))?;
    let password = Password::parse_with(form.required("Password")?, &policy)
        .map_err(|e| invalid("Password", e))?;
    let new = NewCredential {
        list_id: Some(list.parent.clone()),
        ..NewCredential::new(secrets::new_sid("CR"), username, password)
    };
    let created = credentials::create(&cx, new)
        .await
        .map_err(|e| TwilioError::from_service(e, &list.here.0, Some(&list.parent)))?;
    let shown = credential_shown(cx.account(), &list.parent, created);
    Ok((StatusCode::CREATED, Json(shown)))
}

/// The credential the path names, in the list the path names.
async fn the_credential(cx: &Ctx, path: &Nested) -> TwilioResult<Credential> {
    credentials::find_in(cx, &path.parent, &path.id)
        .await
        .at(&path.here)
}

/// Fetches a credential.
#[utoipa::path(get,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
    tag = "Credential lists", operation_id = "get_credential",
    params(Account, CredentialListSid, CredentialSid),
    responses((status = 200, description = "The credential", body = CredentialShown)))]
async fn fetch_credential(cx: Ctx, path: Nested) -> TwilioResult<Json<CredentialShown>> {
    let c = the_credential(&cx, &path).await?;
    Ok(Json(credential_shown(cx.account(), &path.parent, c)))
}

/// Changes a credential's password.
///
/// Twilio's update changes the password only.
#[utoipa::path(post,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
    tag = "Credential lists", operation_id = "update_credential",
    params(Account, CredentialListSid, CredentialSid),
    request_body(content = CredentialForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Changed", body = CredentialShown)))]
async fn update_credential(
    cx: Ctx,
    path: Nested,
    form: Form,
) -> TwilioResult<Json<CredentialShown>> {
    let mut c = the_credential(&cx, &path).await?;
    if let Some(raw) = form.get("Password") {
        let password = Password::parse_with(raw, &Dialect::Twilio.policy())
            .map_err(|e| invalid("Password", e))?;
        let change = Change {
            password: Some(password),
            ..Change::default()
        };
        c = credentials::update(&cx, &c.id, change)
            .await
            .at(&path.here)?;
    }
    Ok(Json(credential_shown(cx.account(), &path.parent, c)))
}

/// Deletes a credential.
#[utoipa::path(delete,
    path = "/2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json",
    tag = "Credential lists", operation_id = "delete_credential",
    params(Account, CredentialListSid, CredentialSid),
    responses((status = 204, description = "Deleted")))]
async fn delete_credential(cx: Ctx, path: Nested) -> TwilioResult<StatusCode> {
    let c = the_credential(&cx, &path).await?;
    credentials::delete(&cx, &c.id).await.at(&path.here)?;
    Ok(StatusCode::NO_CONTENT)
}
