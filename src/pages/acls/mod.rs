//! IP access control lists: find, create, rename, delete, and the IP tester.

mod ip_tester;
mod rename_and_delete;
mod row;

use crate::api::{Acl, Export};
use crate::components::{
    deletes, opens, ExportButtons, FilteredList, NameDialog, PageHead, RowButtons, SipServerNotice,
};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::list::{ListQuery, Listing};
use crate::signals::memo;
use crate::usage::Usage;
use ip_tester::IpTester;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
pub use rename_and_delete::{acl_name, delete_acl, rename_acl, RenameAndDeleteAcl};
use row::AclRow;
use sipauth_model::AclName;
use std::net::IpAddr;

/// The list filter: part of the name, of an entry's address or of its note;
/// a whole address also finds the ACLs with an entry that admits it.
fn acl_matches(acl: &Acl, needle: &str) -> bool {
    if acl.name.to_lowercase().contains(needle) {
        return true;
    }
    let address = needle.parse::<IpAddr>().ok();
    acl.entries.iter().any(|e| {
        e.ip.contains(needle)
            || (needle.contains('/') && format!("{}/{}", e.ip, e.cidr_prefix).contains(needle))
            || e.description.to_lowercase().contains(needle)
            || address.is_some_and(|a| e.model().is_some_and(|m| m.admits(a)))
    })
}

#[component]
pub fn AclsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    let query = ListQuery::from_url("/acls");
    let list = Listing::load(
        ctx,
        |api, first| async move { api.acls_from_first(first).await },
    );
    let shown = list.shown(query, acl_matches, |a, b, key| match key {
        "entries" => a.entries.len().cmp(&b.entries.len()),
        _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
    });
    let watched = Usage::watch(ctx, move || list.track_reloads());
    let usage = memo(move || watched.get().unwrap_or_default());
    let refresh = Callback::new(move |()| list.refresh());

    // Create: then open the new ACL to add entries.
    let create = DialogAction::new(
        ctx,
        Keep::Refusals,
        // After the request, perhaps on another page: see `changes`.
        move || {
            refresh.try_run(());
        },
        move |(), name: String| {
            let (api, navigate) = (ctx.api(), navigate.clone());
            async move {
                let created = api.create_acl(&name).await?;
                navigate(&format!("/acls/{}", created.id), Default::default());
                Ok(Done::unchanged(format!(
                    "Created IP ACL {name}. Add its entries now."
                )))
            }
        },
    );
    let rename = rename_acl(ctx, refresh);
    // Applications using it are unassigned first; trunks and domains are
    // named in the dialog.
    let delete = deletes(ctx, refresh, move |api, acl: Acl| {
        let users = usage.with_untracked(|u| u.apps_using_acl(&acl.ip_acl_uuid));
        delete_acl(api, acl, users)
    });

    view! {
        <PageHead title="IP access control lists" create="Create IP ACL" on_create=opens(create, ()) />
        <p class="lead">
            "Trusted addresses and ranges allowed to send SIP traffic. "
            {ctx.profile().acls.used_through}
        </p>
        <SipServerNotice changed=list.reloads() />
        <FilteredList
            query list shown
            search=("acl-search", "Search by name or address")
            help="Part of a name, an address or a note; a whole address finds the ACLs that admit it."
            what="IP ACLs"
            empty="No IP ACLs yet. Create one to admit calls from known addresses."
            no_match=|q| format!("No IP ACL's name, entries or notes match \u{201c}{q}\u{201d}.")
            caption="IP access control lists"
            columns=&[("Name", "name"), ("Entries", "entries"), ("Used by", "")]
            key=|a: &Acl| (a.ip_acl_uuid.clone(), a.name.clone(), a.entries.len())
            row=move |a: Acl| view! {
                <AclRow acl=a.clone() usage buttons=RowButtons { edit: opens(rename, a.clone()), delete: opens(delete, a) } />
            }
        />
        <div class="actions exports">
            <ExportButtons what=Export::Acls formats=&[("csv", "Export IP ACLs as CSV"), ("json", "Export IP ACLs as JSON")] />
        </div>
        <IpTester />

        <NameDialog
            id="create-acl"
            action=create
            title=|_| "Create IP ACL".to_string()
            field_id="acl-name"
            rule=AclName::RULE
            check=acl_name
            initial=|_| String::new()
            submit_label=|_| "Create IP ACL"
        />
        <RenameAndDeleteAcl rename delete usage />
    }
}
