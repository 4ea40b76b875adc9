//! Twilio SIP domains and their mappings: which credential lists
//! authenticate calls and registrations, and which IP access control lists
//! admit calls, per domain.

mod card;
mod create_form;
mod edit_form;
mod mapping_group;

use crate::api::{Acl, CredentialList, Domain, DomainMappings, MappingKind};
use crate::components::list_table::{draw_rows, keyed_rows};
use crate::components::{acl_choices, changes, deletes, opens, ConfirmDelete, Dialog, PageHead};
use crate::context::AppContext;
use crate::dialog_action::Keep;
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar, SortSelect};
use crate::signals::memo;
use card::DomainCard;
pub use create_form::{DomainForm, NewDomain};
use edit_form::{DomainChange, DomainEditForm};
use leptos::prelude::*;
use mapping_group::{unmap_action, UnmapDialog};
use std::cmp::Ordering;

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

/// Whether the search box's text (lowercased) finds a domain: part of its
/// domain name or of its friendly name.
fn domain_matches(m: &DomainMappings, needle: &str) -> bool {
    m.domain.as_ref().is_some_and(|d| {
        d.domain_name.to_lowercase().contains(needle)
            || d.friendly_name.to_lowercase().contains(needle)
    })
}

/// The order of the "Sort by" choices: by domain name.
fn domain_order(a: &DomainMappings, b: &DomainMappings, _key: &str) -> Ordering {
    let name = |m: &DomainMappings| m.domain.as_ref().map(|d| d.domain_name.to_lowercase());
    name(a).cmp(&name(b))
}

#[component]
pub fn DomainsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    // Search, order and page live in the URL, as on the other lists.
    let query = ListQuery::from_url("/domains");
    // What may be mapped, loaded with the domains and set before them, so
    // a card is drawn with its choices.
    let mappable = RwSignal::new((Vec::<CredentialList>::new(), Vec::<Acl>::new()));
    let list = Listing::load(ctx, move |api, _first| async move {
        let (domains, lists, acls) = futures::join!(
            api.all_domain_mappings(),
            api.all_credential_lists(),
            api.all_acls()
        );
        // A write, not a read: harmless once the page is gone.
        mappable.set((lists?, acls?));
        domains
    });
    let shown = list.shown(query, domain_matches, domain_order);
    let state = list.state(shown);
    let data = memo(move || {
        let domains = list
            .rows
            .with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default();
        mappable.with(|(lists, acls)| Data {
            domains,
            lists: lists.clone(),
            acls: acls.clone(),
        })
    });
    let refresh = Callback::new(move |()| list.refresh());

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
    // One card per domain on the page, drawn again when it changes.
    let cards = keyed_rows(
        list,
        shown,
        |m: &DomainMappings| format!("{m:?}"),
        move |mappings: DomainMappings| {
            mappings.domain.clone().map(|domain| {
                let target = (domain.sid.clone(), domain.domain_name.clone());
                let on_edit = opens(edit, domain.clone());
                view! {
                    <DomainCard
                        domain
                        mappings
                        data=data.into()
                        on_edit
                        on_delete=opens(delete, target)
                        on_change=refresh
                    />
                }
            })
        },
    );

    view! {
        <PageHead title="Domains" create="Create domain" on_create=opens(create, ()) />
        <p class="lead">
            "A SIP domain takes calls and registrations. Its mappings say which credential lists may authenticate them and which IP access control lists admit calls."
        </p>
        <SearchBar id="domain-search" label="Search by domain or friendly name" query state />
        <SortSelect
            id="domain-sort"
            query
            options=&[("", "Oldest first"), ("name", "Name, A to Z"), ("-name", "Name, Z to A")]
        />
        <ListNotice
            what="domains"
            empty="No domains yet. Create one, then map credential lists and IP access control lists to it."
            no_match=|q| format!("No domain's name contains \u{201c}{q}\u{201d}.")
            query
            state
        />
        {draw_rows(&cards)}
        <Pager state query />

        <Dialog id="create-domain" open=create.open title="Create domain">
            <DomainForm
                realm=ctx.sip_realm()
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
        <UnmapDialog action=unmap data=data.into() />
        <ConfirmDelete
            id="delete-domain"
            action=delete
            name=|d| d.1.clone()
            consequence="The domain and its mappings will be deleted; the credential lists and IP access control lists stay. Calls and registrations to it stop."
        />
    }
}
