//! CredentialLists and their Credentials (seed 002).

use super::error::{invalid, TwilioError, TwilioResult};
use super::{form, required, rfc2822, sid_of, Paging};
use crate::auth::Account;
use crate::error::ApiError;
use crate::secrets;
use crate::store::applications;
use crate::store::credential_lists::{self, CredentialList};
use crate::store::credentials::{self, Created, Listed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sipauth_model::{digests, quota, Dialect, FriendlyName, Password, Realm, Username};
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

fn credential_json(account: &str, list: &str, c: &Listed) -> Value {
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

/// The account's list named by a `{Sid}.json` segment, or 404.
async fn the_list(
    state: &AppState,
    account: &str,
    segment: &str,
    uri: &OriginalUri,
) -> TwilioResult<CredentialList> {
    let id = sid_of(segment, uri.path())?;
    credential_lists::find(&state.db, account, id)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))
}

async fn list_lists(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Query(query): Query<HashMap<String, String>>,
) -> TwilioResult<Json<Value>> {
    let paging = Paging::from_query(&query)?;
    let (rows, total) =
        credential_lists::list(&state.db, &account.auth_id, paging.page_size, paging.offset)
            .await?;
    let items = rows
        .iter()
        .map(|l| list_json(&account.auth_id, l))
        .collect();
    let path = format!("{}.json", lists_path(&account.auth_id));
    Ok(Json(paging.envelope(
        "credential_lists",
        &path,
        items,
        total,
    )))
}

async fn create_list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let form = form(&body)?;
    let name = FriendlyName::parse(required(&form, FriendlyName::FIELD)?)
        .map_err(|e| invalid(FriendlyName::FIELD, e))?;
    let id = secrets::new_sid("CL");
    let created = credential_lists::create(&state.db, &account.auth_id, &id, name.as_str()).await?;
    tracing::info!(account = %account.auth_id, list = %id, "credential list created");
    Ok((
        StatusCode::CREATED,
        Json(list_json(&account.auth_id, &created)),
    ))
}

async fn fetch_list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let list = the_list(&state, &account.auth_id, &params["list"], &uri).await?;
    Ok(Json(list_json(&account.auth_id, &list)))
}

async fn update_list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<Json<Value>> {
    let id = sid_of(&params["list"], uri.path())?;
    let form = form(&body)?;
    let name = FriendlyName::parse(required(&form, FriendlyName::FIELD)?)
        .map_err(|e| invalid(FriendlyName::FIELD, e))?;
    let list = credential_lists::rename(&state.db, &account.auth_id, id, name.as_str())
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))?;
    tracing::info!(account = %account.auth_id, list = %id, "credential list renamed");
    Ok(Json(list_json(&account.auth_id, &list)))
}

async fn delete_list(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let id = sid_of(&params["list"], uri.path())?;
    // Its credentials go with it: not while a plivo application uses one
    // (the same rule as every dialect's credential delete).
    if credential_lists::find(&state.db, &account.auth_id, id)
        .await?
        .is_some()
    {
        in_use(
            applications::names_using_list(&state.db, id).await?,
            "a credential of this list",
        )?;
    }
    match credential_lists::delete(&state.db, &account.auth_id, id).await {
        Ok(true) => {}
        Ok(false) => return Err(TwilioError::NotFound(uri.path().to_string())),
        // Assigned between the check and the delete.
        Err(e) if crate::store::is_foreign_key_violation(&e) => {
            in_use(
                applications::names_using_list(&state.db, id).await?,
                "a credential of this list",
            )?;
            return Err(TwilioError::Conflict(
                "a credential of this list is assigned to an application".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %account.auth_id, list = %id, "credential list deleted with its credentials");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_credentials(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    Query(query): Query<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let list_id = params["list"].clone();
    if credential_lists::find(&state.db, &account.auth_id, &list_id)
        .await?
        .is_none()
    {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    let paging = Paging::from_query(&query)?;
    let (rows, total) = credentials::list_in(
        &state.db,
        &account.auth_id,
        &list_id,
        paging.page_size,
        paging.offset,
    )
    .await?;
    let items = rows
        .iter()
        .map(|c| credential_json(&account.auth_id, &list_id, c))
        .collect();
    Ok(Json(paging.envelope(
        "credentials",
        uri.path(),
        items,
        total,
    )))
}

async fn create_credential(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<(StatusCode, Json<Value>)> {
    let list_id = params["list"].clone();
    if credential_lists::find(&state.db, &account.auth_id, &list_id)
        .await?
        .is_none()
    {
        return Err(TwilioError::NotFound(uri.path().to_string()));
    }
    let form = form(&body)?;
    let policy = Dialect::Twilio.policy();
    let username = Username::parse_with(required(&form, "Username")?, &policy)
        .map_err(|e| invalid("Username", e))?;
    let password = Password::parse_with(required(&form, "Password")?, &policy)
        .map_err(|e| invalid("Password", e))?;
    let id = secrets::new_sid("CR");
    let realm = Realm::parse(&account.realm).map_err(|e| TwilioError::Internal(e.to_string()))?;
    let digest = digests(&username, &realm, &password);
    let new = credentials::NewCredential {
        id: &id,
        username: username.as_str(),
        realm: &account.realm,
        digests: &digest,
        list_id: Some(&list_id),
        name: "",
        description: "",
        enabled: true,
        account_wide: false,
    };
    match credentials::create_in(&state.db, &account.auth_id, &new).await? {
        Created::Ok => {}
        Created::QuotaReached => {
            return Err(TwilioError::Quota(format!(
                "this account already has {} credentials, the most it may have",
                quota::CREDENTIALS_PER_ACCOUNT
            )))
        }
        Created::Duplicate => {
            let holder = credentials::list_holding(&state.db, &account.auth_id, username.as_str())
                .await?
                .flatten();
            return Err(TwilioError::Conflict(match holder {
                Some(list) if list == list_id => {
                    format!("Username '{username}' already exists in this credential list")
                }
                Some(list) => format!(
                    "Username '{username}' already exists in credential list {list} of this account; SIP servers could not tell the two apart"
                ),
                None => format!(
                    "Username '{username}' is already an account credential (made through another API); SIP servers could not tell the two apart"
                ),
            }));
        }
    }
    tracing::info!(account = %account.auth_id, list = %list_id, credential = %id, "credential created");
    let created = credentials::find_in(&state.db, &account.auth_id, &list_id, &id)
        .await?
        .ok_or_else(|| TwilioError::Internal("created credential not found".into()))?;
    Ok((
        StatusCode::CREATED,
        Json(credential_json(&account.auth_id, &list_id, &created)),
    ))
}

/// The credential named by the path, in the list named by the path.
async fn the_credential(
    state: &AppState,
    account: &str,
    params: &HashMap<String, String>,
    uri: &OriginalUri,
) -> TwilioResult<(String, Listed)> {
    let list_id = params["list"].clone();
    let id = sid_of(&params["credential"], uri.path())?;
    let found = credentials::find_in(&state.db, account, &list_id, id)
        .await?
        .ok_or_else(|| TwilioError::NotFound(uri.path().to_string()))?;
    Ok((list_id, found))
}

async fn fetch_credential(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<Json<Value>> {
    let (list, c) = the_credential(&state, &account.auth_id, &params, &uri).await?;
    Ok(Json(credential_json(&account.auth_id, &list, &c)))
}

/// Twilio's update changes the password only.
async fn update_credential(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
    body: Bytes,
) -> TwilioResult<Json<Value>> {
    let (list, c) = the_credential(&state, &account.auth_id, &params, &uri).await?;
    let form = form(&body)?;
    if let Some(raw) = form.get("Password") {
        let password = Password::parse_with(raw, &Dialect::Twilio.policy())
            .map_err(|e| invalid("Password", e))?;
        // Stored values passed these rules when they were written.
        let username =
            Username::parse(&c.username).map_err(|e| TwilioError::Internal(e.to_string()))?;
        let realm =
            Realm::parse(&account.realm).map_err(|e| TwilioError::Internal(e.to_string()))?;
        let digest = digests(&username, &realm, &password);
        if !credentials::set_digests(&state.db, &account.auth_id, &c.id, &digest).await? {
            return Err(TwilioError::NotFound(uri.path().to_string()));
        }
        tracing::info!(account = %account.auth_id, credential = %c.id, "credential HA1 replaced");
    }
    let (_, updated) = the_credential(&state, &account.auth_id, &params, &uri).await?;
    Ok(Json(credential_json(&account.auth_id, &list, &updated)))
}

/// 409 in Twilio's shape naming the applications that use `what`, as the
/// plivo dialect's 409 does; nothing when there are none.
fn in_use(applications: Vec<String>, what: &str) -> TwilioResult<()> {
    if applications.is_empty() {
        return Ok(());
    }
    Err(TwilioError::Conflict(format!(
        "{what} is assigned to the application(s) {}; remove the assignment first by setting their sip_auth_type to empty",
        applications.join(", ")
    )))
}

async fn delete_credential(
    State(state): State<AppState>,
    Extension(Account(account)): Extension<Account>,
    Path(params): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> TwilioResult<StatusCode> {
    let (_, c) = the_credential(&state, &account.auth_id, &params, &uri).await?;
    match crate::plivo::delete_unless_used(&state, &account.auth_id, &c.id).await {
        Ok(()) => {}
        Err(ApiError::InUse { applications, .. }) => in_use(applications, "this credential")?,
        Err(ApiError::NotFound(_)) => return Err(TwilioError::NotFound(uri.path().to_string())),
        Err(e) => return Err(TwilioError::Internal(e.to_string())),
    }
    tracing::info!(account = %account.auth_id, credential = %c.id, "credential deleted");
    Ok(StatusCode::NO_CONTENT)
}
