//! Plivo applications: what `sip_auth_type` keeps and needs, references
//! only to the caller's own credential and IP ACL, and their events.

use super::{owned, Action, Changes, Ctx, Kind, ServiceError, ServiceResult};
use crate::store::applications::{self as store, Application, Filter};
use crate::store::{Rows, Window};
use sipauth_model::quota;
use sipauth_model::sip::SipAuthType;

/// Applies `sip_auth_type` to the references: what the type does not use is
/// dropped, what it needs must be given and be the caller's.
async fn check(cx: &Ctx, app: &mut Application) -> ServiceResult<()> {
    // Set by the dialect from a parsed value, or stored after one.
    let kind = SipAuthType::parse(&app.sip_auth_type)?;
    if !kind.needs_credential() {
        app.credential_id = None;
    }
    if !kind.needs_acl() {
        app.ip_acl_id = None;
    }
    let needs = |field: &'static str, what: &str| ServiceError::Rule {
        field,
        message: format!("sip_auth_type {:?} needs {what}", app.sip_auth_type),
    };
    if kind.needs_credential() && app.credential_id.is_none() {
        return Err(needs("credential_uuid", "a credential"));
    }
    if kind.needs_acl() && app.ip_acl_id.is_none() {
        return Err(needs("ip_acl_uuid", "an IP ACL"));
    }
    owned(cx, app.credential_id.as_deref(), app.ip_acl_id.as_deref()).await
}

/// A reference deleted between the check and the write.
fn gone(e: sqlx::Error) -> ServiceError {
    if crate::store::is_foreign_key_violation(&e) {
        ServiceError::Gone(Kind::Application)
    } else {
        e.into()
    }
}

pub async fn create(cx: &Ctx, mut app: Application) -> ServiceResult<Application> {
    check(cx, &mut app).await?;
    let mut tx = cx.begin().await?;
    if !store::create(tx.conn(), cx.account(), &app)
        .await
        .map_err(gone)?
    {
        return Err(ServiceError::Quota(
            Kind::Application,
            quota::APPLICATIONS_PER_ACCOUNT,
        ));
    }
    let changes = Changes::created(&app);
    tx.record(
        Kind::Application,
        &app.id,
        &app.app_name,
        Action::Created,
        changes,
    );
    tx.commit().await?;
    Ok(app)
}

/// Saves `app` (its id names it) after the same checks as a create.
pub async fn update(cx: &Ctx, mut app: Application) -> ServiceResult<Application> {
    find(cx, &app.id).await?;
    check(cx, &mut app).await?;
    let mut tx = cx.begin().await?;
    let old = crate::store::find_on::<Application>(tx.conn(), cx.account(), &app.id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Application))?;
    if !store::update(tx.conn(), cx.account(), &app)
        .await
        .map_err(gone)?
    {
        return Err(ServiceError::NotFound(Kind::Application));
    }
    let changes = Changes::between(&old, &app);
    tx.record(
        Kind::Application,
        &app.id,
        &app.app_name,
        Action::Updated,
        changes,
    );
    tx.commit().await?;
    Ok(app)
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<Application> {
    cx.find::<Application>(id, Kind::Application).await
}

pub async fn list(cx: &Ctx, filter: Filter<'_>, w: Window) -> ServiceResult<Rows<Application>> {
    Ok(store::list(cx.db(), cx.account(), filter, w).await?)
}

pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    super::delete::<Application>(cx, id, Kind::Application).await
}
