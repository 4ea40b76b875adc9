//! What a delete takes with it or changes through the schema's ON DELETE
//! (an ACL's entries, a list's credentials, the mappings of either, a
//! trunk's reference): one record each, in the delete's transaction.

use super::audit::{Changes, Tx};
use super::{Action, Kind, ServiceResult};
use crate::store::{acls, credentials, domains, trunks};
use serde_json::{json, Value};

/// Records what deleting the `kind` row `id` will change besides it.
pub(super) async fn record(tx: &mut Tx<'_>, kind: Kind, id: &str) -> ServiceResult<()> {
    match kind {
        Kind::Credential => trunks_let_go(tx, "credential_id", id).await,
        Kind::Acl => {
            let entries = acls::entries_of(tx.conn(), &[id.to_string()]).await?;
            for e in entries {
                tx.record_of(
                    Kind::AclEntry,
                    &e.id,
                    &e,
                    Action::Deleted,
                    Changes::deleted(&e),
                );
            }
            trunks_let_go(tx, "ip_acl_id", id).await?;
            mappings_go(tx, "ip_acl_id", id).await
        }
        Kind::CredentialList => {
            let account = tx.cx().account();
            for c in credentials::in_list_on(tx.conn(), account, id).await? {
                trunks_let_go(tx, "credential_id", &c.id).await?;
                tx.record_of(
                    Kind::Credential,
                    &c.id,
                    &c,
                    Action::Deleted,
                    Changes::deleted(&c),
                );
            }
            mappings_go(tx, "credential_list_id", id).await
        }
        Kind::Domain => mappings_go(tx, "domain_id", id).await,
        Kind::AclEntry | Kind::Application | Kind::Trunk | Kind::Mapping => Ok(()),
    }
}

/// Trunks whose `column` names `id` lose it (ON DELETE SET NULL).
async fn trunks_let_go(tx: &mut Tx<'_>, column: &'static str, id: &str) -> ServiceResult<()> {
    let field = match column {
        "credential_id" => "credential_uuid",
        _ => "ip_acl_uuid",
    };
    let account = tx.cx().account();
    for t in trunks::using_on(tx.conn(), account, column, id).await? {
        let changes = Changes::default().field(field, Some(json!(id)), Some(Value::Null));
        tx.record(Kind::Trunk, &t.id, &t.name, Action::Updated, changes);
    }
    Ok(())
}

/// Mappings whose `column` names `id` go (ON DELETE CASCADE).
async fn mappings_go(tx: &mut Tx<'_>, column: &'static str, id: &str) -> ServiceResult<()> {
    for m in domains::mappings_touching(tx.conn(), column, id).await? {
        let (record_id, changes) = super::domains::mapping_record(&m);
        tx.record(
            Kind::Mapping,
            &record_id,
            &m.target_name,
            Action::Deleted,
            changes.flip(),
        );
    }
    Ok(())
}
