//! Twilio SIP domains and their mappings: which credential lists
//! authenticate calls and registrations, and which IP access control lists
//! admit calls, per domain.

mod card;
mod create_form;
mod edit_form;
mod mapping_group;

use crate::api::{Acl, ApiError, CredentialList, Domain, DomainMappings, MappingKind};
use crate::components::{
    acl_choices, changes, deletes, load, opens, ConfirmDelete, Dialog, LoadFailed, Loading,
    PageHead,
};
use crate::context::AppContext;
use crate::dialog_action::Keep;
use crate::signals::memo;
use card::DomainCard;
pub use create_form::{DomainForm, NewDomain};
use edit_form::{DomainChange, DomainEditForm};
use leptos::prelude::*;
use mapping_group::{unmap_action, UnmapDialog};

#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    domains: Vec<DomainMappings>,
    lists: Vec<CredentialList>,
    acls: Vec<Acl>,
}

impl Data {
    /// What may be mapped for `kind`: (SID, name).
    fn choices(&self, kind: MappingKind) -> Vec<(String, String)> {
        if kind.maps_acls() {
            acl_choices(&self.acls)
        } else {
            self.lists
                .iter()
                .map(|l| (l.sid.clone(), l.friendly_name.clone()))
                .collect()
        }
    }
}

#[component]
pub fn DomainsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let loaded = load(ctx, |api| async move {
        Ok::<_, ApiError>(Data {
            domains: api.all_domain_mappings().await?,
            lists: api.all_credential_lists().await?,
            acls: api.all_acls().await?,
        })
    });
    let (data, refresh) = (loaded.data, loaded.refresh);
    let shown = memo(move || {
        data.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
    });

    let create = changes(
        ctx,
        Keep::Refusals,
        refresh,
        |api, (), new: NewDomain| async move {
            let (domain, friendly, registration) = new;
            api.create_domain(&domain, &friendly, registration).await?;
            Ok(format!("Created domain {domain}."))
        },
    );
    // Removing a mapping asks first: one dialog for every card.
    let unmap = unmap_action(ctx, refresh);
    provide_context(unmap);
    let edit = changes(
        ctx,
        Keep::Invalid,
        refresh,
        |api, domain: Domain, (friendly, url, registration): DomainChange| async move {
            api.update_domain(&domain.sid, &friendly, &url, registration)
                .await?;
            Ok(format!("Saved domain {}.", domain.domain_name))
        },
    );
    // About (SID, domain name).
    let delete = deletes(
        ctx,
        refresh,
        |api, (sid, name): (String, String)| async move {
            api.delete_domain(&sid).await?;
            Ok(format!("Deleted domain {name}."))
        },
    );

    view! {
        <PageHead title="Domains" create="Create domain" on_create=opens(create, ()) />
        <p class="lead">
            "A SIP domain takes calls and registrations. Its mappings say which credential lists may authenticate them and which IP access control lists admit calls."
        </p>
        {move || match data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <LoadFailed what="domains" error on_retry=refresh /> }.into_any(),
            Some(Ok(d)) if d.domains.is_empty() => view! {
                <div class="empty"><p>"No domains yet. Create one, then map credential lists and IP access control lists to it."</p></div>
            }.into_any(),
            Some(Ok(d)) => d.domains.into_iter().filter_map(|m| Some((m.domain.clone()?, m))).map(|(domain, mappings)| {
                let target = (domain.sid.clone(), domain.domain_name.clone());
                let on_edit = opens(edit, domain.clone());
                view! {
                    <DomainCard
                        domain
                        mappings
                        data=shown.into()
                        on_edit
                        on_delete=opens(delete, target)
                        on_change=refresh
                    />
                }
            }).collect_view().into_any(),
        }}

        <Dialog id="create-domain" open=create.open title="Create domain">
            <DomainForm
                realm=ctx.config.with_value(|c| c.sip_realm.clone())
                on_submit=create.submit()
                pending=create.pending()
                server_error=create.error
                on_cancel=create.cancel()
            />
        </Dialog>
        <Dialog id="edit-domain" open=edit.open title=edit.about(|d| format!("Edit {}", d.domain_name))>
            {move || edit.target.get().map(|domain| view! {
                <DomainEditForm
                    domain
                    on_submit=edit.submit()
                    pending=edit.pending()
                    server_error=edit.error
                    on_cancel=edit.cancel()
                />
            })}
        </Dialog>
        <UnmapDialog action=unmap data=shown.into() />
        <ConfirmDelete
            id="delete-domain"
            action=delete
            name=|d| d.1.clone()
            consequence="The domain and its mappings will be deleted; the credential lists and IP access control lists stay. Calls and registrations to it stop."
        />
    }
}
