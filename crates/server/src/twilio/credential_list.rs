//! CredentialLists and their Credentials (seed 002).

use super::error::{invalid, TwilioError, TwilioResult};
use super::{rfc2822, Form, Here, Paging};
use crate::paths::{Child, Parent};
use crate::secrets;
use crate::service::credentials::{self, Change, NewCredential};
use crate::service::{credential_lists, Ctx};
use crate::store::credential_lists::CredentialList;
use crate::store::credentials::{Credential, Filter};
use crate::AppState;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sipauth_model::{Dialect, FriendlyName, Password, Username};
use std::collections::HashMap;

const LISTS: &str = "/Accounts/{account_sid}/SIP/CredentialLists";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{LISTS}.json"), get(list_lists).post(create_list))
        .route(
            &format!("{LISTS}/{{list}}"),
            get(fetch_list).post(update_list).delete(delete_list),
        )
        .route(
            &format!("{LISTS}/{{list}}/Credentials.json"),
            get(list_credentials).post(create_credential),
        )
        .route(
            &format!("{LISTS}/{{list}}/Credentials/{{credential}}"),
            get(fetch_credential)
                .post(update_credential)
                .delete(delete_credential),
        )
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

async fn list_lists(
    cx: Ctx,
    here: Here,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) = credential_lists::list(&cx, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows.iter().map(|l| list_json(account, l)).collect();
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
        .map_err(|e| here.refused(e))?;
    Ok((StatusCode::CREATED, Json(list_json(cx.account(), &created))))
}

async fn fetch_list(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<Json<Value>> {
    let list = credential_lists::find(&cx, here.sid(&parent)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(list_json(cx.account(), &list)))
}

async fn update_list(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
    form: Form,
) -> TwilioResult<Json<Value>> {
    let id = here.sid(&parent)?;
    let name = friendly_name(&form)?;
    let list = credential_lists::rename(&cx, id, &name)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(Json(list_json(cx.account(), &list)))
}

/// Its credentials go with it: not while a plivo application uses one.
async fn delete_list(
    cx: Ctx,
    here: Here,
    Path(Parent { parent }): Path<Parent>,
) -> TwilioResult<StatusCode> {
    credential_lists::delete(&cx, here.sid(&parent)?)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_credentials(
    cx: Ctx,
    here: Here,
    Path(Parent { parent: list_id }): Path<Parent>,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    credential_lists::find(&cx, &list_id)
        .await
        .map_err(|e| here.refused(e))?;
    let paging = Paging::from_query(&query)?;
    let filter = Filter {
        search: None,
        list_id: Some(&list_id),
    };
    let (rows, total) = credentials::list(&cx, filter, paging.page_size, paging.offset)
        .await
        .map_err(|e| here.refused(e))?;
    let account = cx.account();
    let items = rows
        .iter()
        .map(|c| credential_json(account, &list_id, c))
        .collect();
    Ok(Json(paging.envelope("credentials", &here.0, items, total)))
}

async fn create_credential(
    cx: Ctx,
    here: Here,
    Path(Parent { parent: list_id }): Path<Parent>,
    form: Form,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    credential_lists::find(&cx, &list_id)
        .await
        .map_err(|e| here.refused(e))?;
    let policy = Dialect::Twilio.policy();
    let new = NewCredential {
        id: secrets::new_sid("CR"),
        username: Username::parse_with(form.required("Username")?, &policy)
            .map_err(|e| invalid("Username", e))?,
        password: Password::parse_with(form.required("Password")?, &policy)
            .map_err(|e| invalid("Password", e))?,
        realm: None,
        list_id: Some(list_id.clone()),
        name: String::new(),
        description: String::new(),
        enabled: true,
        account_wide: false,
    };
    let created = credentials::create(&cx, new)
        .await
        .map_err(|e| TwilioError::from_service(e, &here.0, Some(&list_id)))?;
    Ok((
        StatusCode::CREATED,
        Json(credential_json(cx.account(), &list_id, &created)),
    ))
}

/// The credential the path names, in the list the path names.
async fn the_credential(cx: &Ctx, here: &Here, path: &Child) -> TwilioResult<Credential> {
    let id = here.sid(&path.child)?;
    credentials::find_in(cx, &path.parent, id)
        .await
        .map_err(|e| here.refused(e))
}

async fn fetch_credential(
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
) -> TwilioResult<Json<Value>> {
    let c = the_credential(&cx, &here, &path).await?;
    Ok(Json(credential_json(cx.account(), &path.parent, &c)))
}

/// Twilio's update changes the password only.
async fn update_credential(
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
    form: Form,
) -> TwilioResult<Json<Value>> {
    let mut c = the_credential(&cx, &here, &path).await?;
    if let Some(raw) = form.get("Password") {
        let change = Change {
            password: Some(
                Password::parse_with(raw, &Dialect::Twilio.policy())
                    .map_err(|e| invalid("Password", e))?,
            ),
            ..Change::default()
        };
        c = credentials::update(&cx, &c.id, change)
            .await
            .map_err(|e| here.refused(e))?;
    }
    Ok(Json(credential_json(cx.account(), &path.parent, &c)))
}

async fn delete_credential(
    cx: Ctx,
    here: Here,
    Path(path): Path<Child>,
) -> TwilioResult<StatusCode> {
    let c = the_credential(&cx, &here, &path).await?;
    credentials::delete(&cx, &c.id)
        .await
        .map_err(|e| here.refused(e))?;
    Ok(StatusCode::NO_CONTENT)
}
