//! CredentialLists and their Credentials (seed 002).

use super::error::{invalid, TwilioError, TwilioResult};
use super::{resource, rfc2822, At, Form, Here, Item, Nested, Paging, Params, Under};
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
use serde_json::{json, Value};
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

fn list_json(account: &str, l: &CredentialList) -> Value {
    let uri = format!("{}/{}", lists_path(account), l.id);
    json!({
        "account_sid": account,
        "date_created": rfc2822(&l.created_at),
        "date_updated": rfc2822(&l.updated_at),
        "friendly_name": l.friendly_name,
        "sid": l.id,
        "subresource_uris": { "credentials": format!("{uri}/Credentials.json") },
        "uri": format!("{uri}.json"),
    })
}

fn credential_json(account: &str, list: &str, c: &Credential) -> Value {
    json!({
        "account_sid": account,
        "credential_list_sid": list,
        "date_created": rfc2822(&c.created_at),
        "date_updated": rfc2822(&c.updated_at),
        "sid": c.id,
        "uri": format!("{}/{list}/Credentials/{}.json", lists_path(account), c.id),
        "username": c.username,
    })
}

fn friendly_name(form: &Form) -> TwilioResult<FriendlyName> {
    FriendlyName::parse(form.required(FriendlyName::FIELD)?)
        .map_err(|e| invalid(FriendlyName::FIELD, e))
}

async fn list_lists(cx: Ctx, here: Here, Query(query): Query<Params>) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = credential_lists::list(&cx, paging.window())
        .await
        .at(&here)?;
    let items = rows.iter().map(|l| list_json(cx.account(), l)).collect();
    Ok(Json(paging.envelope(
        "credential_lists",
        &here.0,
        items,
        total,
    )))
}

async fn create_list(cx: Ctx, here: Here, form: Form) -> TwilioResult<(StatusCode, Json<Value>)> {
    let name = friendly_name(&form)?;
    let created = credential_lists::create(&cx, &secrets::new_sid("CL"), &name)
        .await
        .at(&here)?;
    Ok((StatusCode::CREATED, Json(list_json(cx.account(), &created))))
}

async fn fetch_list(cx: Ctx, list: Item) -> TwilioResult<Json<Value>> {
    let found = credential_lists::find(&cx, &list.id).await.at(&list.here)?;
    Ok(Json(list_json(cx.account(), &found)))
}

async fn update_list(cx: Ctx, list: Item, form: Form) -> TwilioResult<Json<Value>> {
    let name = friendly_name(&form)?;
    let renamed = credential_lists::rename(&cx, &list.id, &name)
        .await
        .at(&list.here)?;
    Ok(Json(list_json(cx.account(), &renamed)))
}

/// Its credentials go with it: not while a plivo application uses one.
async fn delete_list(cx: Ctx, list: Item) -> TwilioResult<StatusCode> {
    credential_lists::delete(&cx, &list.id)
        .await
        .at(&list.here)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_credentials(
    cx: Ctx,
    list: Under,
    Query(q): Query<Params>,
) -> TwilioResult<Json<Value>> {
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
    let items = rows
        .iter()
        .map(|c| credential_json(cx.account(), &list.parent, c))
        .collect();
    Ok(Json(paging.envelope(
        "credentials",
        &list.here.0,
        items,
        total,
    )))
}

async fn create_credential(
    cx: Ctx,
    list: Under,
    form: Form,
) -> TwilioResult<(StatusCode, Json<Value>)> {
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
    let shown = credential_json(cx.account(), &list.parent, &created);
    Ok((StatusCode::CREATED, Json(shown)))
}

/// The credential the path names, in the list the path names.
async fn the_credential(cx: &Ctx, path: &Nested) -> TwilioResult<Credential> {
    credentials::find_in(cx, &path.parent, &path.id)
        .await
        .at(&path.here)
}

async fn fetch_credential(cx: Ctx, path: Nested) -> TwilioResult<Json<Value>> {
    let c = the_credential(&cx, &path).await?;
    Ok(Json(credential_json(cx.account(), &path.parent, &c)))
}

/// Twilio's update changes the password only.
async fn update_credential(cx: Ctx, path: Nested, form: Form) -> TwilioResult<Json<Value>> {
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
    Ok(Json(credential_json(cx.account(), &path.parent, &c)))
}

async fn delete_credential(cx: Ctx, path: Nested) -> TwilioResult<StatusCode> {
    let c = the_credential(&cx, &path).await?;
    credentials::delete(&cx, &c.id).await.at(&path.here)?;
    Ok(StatusCode::NO_CONTENT)
}
