//! Twilio's SIP domains and their mappings: names under the account's own
//! realm, mappings only to the caller's own lists and ACLs, and their events.

use super::{Action, Changes, Ctx, Duplicate, Kind, ServiceError, ServiceResult};
use crate::store::domains::{self as store, Domain, Mapped, Mapping, MappingKind};
use crate::store::{Rows, Window};
use serde_json::json;
use sipauth_model::{quota, sip};

/// A domain to create, its fields valid in the dialect.
pub struct NewDomain {
    pub id: String,
    /// As given; it must be `<name>.<the account's realm>`.
    pub domain_name: String,
    pub friendly_name: String,
    pub voice_url: String,
    pub sip_registration: bool,
}

pub async fn create(cx: &Ctx, new: NewDomain) -> ServiceResult<Domain> {
    // Under the account's realm, so that no account can name another's
    // realm or domains (the rule is in sipauth_model::sip).
    let name = sip::domain_name(&new.domain_name, &cx.caller.account.realm)?;
    let mut tx = cx.begin().await?;
    let created = store::create(
        tx.conn(),
        cx.account(),
        &new.id,
        name.as_str(),
        &new.friendly_name,
        &new.voice_url,
        new.sip_registration,
    )
    .await?;
    match created {
        store::Created::Ok(d) => {
            tx.record(
                Kind::Domain,
                &d.id,
                &d.domain_name,
                Action::Created,
                Changes::created(&d),
            );
            tx.commit().await?;
            Ok(d)
        }
        // Names live under the account's realm: the holder is this account.
        store::Created::QuotaReached => Err(ServiceError::Quota(
            Kind::Domain,
            quota::DOMAINS_PER_ACCOUNT,
        )),
        store::Created::NameTaken => Err(ServiceError::Duplicate(
            Kind::Domain,
            Duplicate::DomainName(name.to_string()),
        )),
    }
}

pub async fn find(cx: &Ctx, id: &str) -> ServiceResult<Domain> {
    cx.find::<Domain>(id, Kind::Domain).await
}

pub async fn list(cx: &Ctx, w: Window) -> ServiceResult<Rows<Domain>> {
    Ok(crate::store::list::<Domain>(cx.db(), cx.account(), w).await?)
}

/// Saves the domain's name, voice URL and registration switch.
pub async fn update(cx: &Ctx, d: &Domain) -> ServiceResult<Domain> {
    let mut tx = cx.begin().await?;
    let missing = || ServiceError::NotFound(Kind::Domain);
    let old = crate::store::find_on::<Domain>(tx.conn(), cx.account(), &d.id)
        .await?
        .ok_or_else(missing)?;
    let updated = store::update(tx.conn(), cx.account(), d)
        .await?
        .ok_or_else(missing)?;
    let changes = Changes::between(&old, &updated);
    tx.record(
        Kind::Domain,
        &d.id,
        &updated.domain_name,
        Action::Updated,
        changes,
    );
    tx.commit().await?;
    Ok(updated)
}

/// Deletes the domain with its mappings.
pub async fn delete(cx: &Ctx, id: &str) -> ServiceResult<()> {
    super::delete::<Domain>(cx, id, Kind::Domain).await
}

/// What a mapping of `kind` points at, as the core names it.
fn target(kind: MappingKind) -> (&'static str, Kind) {
    match kind {
        MappingKind::CallsIpAcls => ("ip_acl_uuid", Kind::Acl),
        _ => ("credential_list_sid", Kind::CredentialList),
    }
}

/// A mapping's record id and fields (as created).
pub(super) fn mapping_record(m: &store::MappingRow) -> (String, Changes) {
    let changes = Changes::default()
        .field("domain", None, Some(json!(m.domain_name)))
        .field("kind", None, Some(json!(m.kind)))
        .field("target", None, Some(json!(m.target_id)));
    (
        format!("{}/{}/{}", m.domain_id, m.kind, m.target_id),
        changes,
    )
}

/// Maps one of the caller's lists or ACLs to one of its domains.
pub async fn map(
    cx: &Ctx,
    domain: &Domain,
    kind: MappingKind,
    target_id: &str,
) -> ServiceResult<Mapping> {
    let (field, target_kind) = target(kind);
    let mut tx = cx.begin().await?;
    match store::map(tx.conn(), cx.account(), &domain.id, kind, target_id).await? {
        Mapped::Ok => {}
        Mapped::NoSuchTarget => {
            return Err(ServiceError::Unknown {
                field,
                kind: target_kind,
                id: target_id.to_string(),
            })
        }
        Mapped::Already => {
            return Err(ServiceError::Duplicate(
                target_kind,
                Duplicate::Mapped(target_id.to_string()),
            ))
        }
    }
    let m = store::mapping(tx.conn(), &domain.id, kind, target_id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Mapping))?;
    let (id, changes) = mapping_record(&row(domain, kind, &m));
    tx.record(
        Kind::Mapping,
        &id,
        &m.friendly_name,
        Action::Created,
        changes,
    );
    tx.commit().await?;
    Ok(m)
}

fn row(domain: &Domain, kind: MappingKind, m: &Mapping) -> store::MappingRow {
    store::MappingRow {
        domain_id: domain.id.clone(),
        domain_name: domain.domain_name.clone(),
        kind: kind.as_str().to_string(),
        target_id: m.target_id.clone(),
        target_name: m.friendly_name.clone(),
    }
}

/// One mapping of a domain the caller has already been shown to own.
pub async fn mapping(
    cx: &Ctx,
    domain: &Domain,
    kind: MappingKind,
    target_id: &str,
) -> ServiceResult<Mapping> {
    store::mapping(&cx.db().read, &domain.id, kind, target_id)
        .await?
        .ok_or(ServiceError::NotFound(Kind::Mapping))
}

pub async fn mappings(
    cx: &Ctx,
    domain: &Domain,
    kind: MappingKind,
    w: Window,
) -> ServiceResult<Rows<Mapping>> {
    Ok(store::mappings(cx.db(), &domain.id, kind, w).await?)
}

pub async fn unmap(
    cx: &Ctx,
    domain: &Domain,
    kind: MappingKind,
    target_id: &str,
) -> ServiceResult<()> {
    let mut tx = cx.begin().await?;
    let missing = || ServiceError::NotFound(Kind::Mapping);
    let m = store::mapping(tx.conn(), &domain.id, kind, target_id)
        .await?
        .ok_or_else(missing)?;
    if !store::unmap(tx.conn(), &domain.id, kind, target_id).await? {
        return Err(missing());
    }
    let (id, changes) = mapping_record(&row(domain, kind, &m));
    tx.record(
        Kind::Mapping,
        &id,
        &m.friendly_name,
        Action::Deleted,
        changes.flip(),
    );
    tx.commit().await?;
    Ok(())
}
