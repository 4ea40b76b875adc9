//! One IP ACL: its entries with live analysis, adding, fixing, removing,
//! and bulk import.

mod entries_table;
mod import_dialog;
mod remove_dialog;
mod rename_and_delete;

use crate::api::{Acl, ApiError, Export, NewEntry};
use crate::components::{
    load, EntryForm, ExportButtons, History, LoadFailed, Loading, SipServerNotice, Stamp,
};
use crate::context::AppContext;
use crate::signals::{derive, memo};
use crate::usage::Usage;
use entries_table::EntriesTable;
use import_dialog::ImportEntriesDialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use remove_dialog::RemoveEntryDialog;
use rename_and_delete::{AclActions, AclDialogs};
use sipauth_model::quota;

#[component]
pub fn AclDetailPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    // The page is built afresh for each ACL's address.
    let id = use_context::<crate::app::PathId>()
        .and_then(|p| p.0)
        .unwrap_or_default();
    let acl_id = memo(move || id.clone());
    let loaded = load(ctx, move |api| {
        let id = acl_id.get();
        async move { api.get_acl(&id).await }
    });
    let (acl, refresh, reloads) = (loaded.data, loaded.refresh, loaded.reloads);
    let watched = Usage::watch(ctx, move || {
        acl_id.track();
        reloads.track();
    });
    let users = memo(move || {
        let usage = watched.get().unwrap_or_default();
        usage.acl_users(&acl_id.get())
    });
    let loaded_acl = move || acl.with(|a| a.as_ref().and_then(|r| r.as_ref().ok()).cloned());
    let entries = memo(move || loaded_acl().map(|a| a.entries).unwrap_or_default());
    let name = derive(move || loaded_acl().map(|a: Acl| a.name).unwrap_or_default());

    // Add one entry; the form empties when `added` moves on.
    let add_pending = RwSignal::new(false);
    let add_error = RwSignal::new(None::<ApiError>);
    let added = RwSignal::new(0u32);
    let on_add = Callback::new(move |entry: NewEntry| {
        add_pending.set(true);
        add_error.set(None);
        let (api, acl) = (ctx.api(), acl_id.get_untracked());
        spawn_local(async move {
            let result = api.add_entry(&acl, &entry).await;
            add_pending.set(false);
            match result {
                Ok(_) => {
                    let label = format!("{}/{}", entry.ip, entry.cidr_prefix);
                    ctx.toasts.success(format!("Added {label}."));
                    added.update(|n| *n += 1);
                    // The page may be gone by now (see `changes`).
                    refresh.try_run(());
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => add_error.set(Some(e)),
            }
        });
    });
    let remove = remove_dialog::action(ctx, acl_id, refresh);
    let import_open = RwSignal::new(false);
    let actions = AclActions::new(ctx, acl_id, watched, refresh);
    let editable = ctx.profile().acls.entry_descriptions;
    // A viewer reads the entries: no buttons or form that change them.
    let write = ctx.can_write();
    let lead = move || {
        let names = users.get();
        if names.is_empty() {
            ctx.profile().acls.unused.to_string()
        } else {
            format!("Used by {}.", names.join(", "))
        }
    };

    view! {
        <p class="breadcrumb"><A href="/acls">"IP access control lists"</A> " / "</p>
        {move || match acl.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(ApiError::NotFound)) => view! {
                <h1>"IP ACL not found"</h1>
                <p>"It may have been deleted. " <A href="/acls">"Back to the IP ACLs"</A> "."</p>
            }
            .into_any(),
            Some(Err(error)) => view! { <LoadFailed what="IP ACL" error on_retry=refresh /> }.into_any(),
            Some(Ok(_)) => view! {
                <div class="page-head">
                    <h1>{name}</h1>
                    <div class="actions">
                        {write.then(|| view! {
                            <button type="button" on:click=move |_| import_open.set(true)>"Import entries"</button>
                        })}
                        // The import's own format: it imports into another ACL unchanged.
                        <ExportButtons what=Export::Acl acl=acl_id formats=&[("csv", "Export entries (CSV)")] />
                        {write.then(|| view! {
                            <button type="button" on:click=move |_| { if let Some(a) = loaded_acl() { actions.rename.show_for(a) } }>"Rename"</button>
                            <button type="button" class="danger" on:click=move |_| { if let Some(a) = loaded_acl() { actions.delete.show_for(a) } }>"Delete"</button>
                        })}
                    </div>
                </div>
                <p class="lead">
                    {move || format!("{} of {} entries. ", entries.with(Vec::len), quota::ENTRIES_PER_ACL)}
                    {lead}
                </p>
                {move || loaded_acl().map(|a| view! { <Stamp created=a.date_created updated=a.date_updated /> })}
                <SipServerNotice changed=reloads />
                <Show
                    when=move || !entries.with(Vec::is_empty)
                    fallback=move || view! {
                        <div class="empty"><p>
                            "No entries yet: this ACL admits no address."
                            {write.then_some(" Add one below.")}
                        </p></div>
                    }
                >
                    <EntriesTable
                        acl_id
                        entries
                        on_remove=Callback::new(move |e| remove.show_for(e))
                        on_describe=editable.then(|| Callback::new(move |e| actions.describe.show_for(e)))
                        on_change=refresh
                    />
                </Show>

                {write.then(|| view! {
                    <section class="panel" aria-labelledby="add-entry-title">
                        <h2 id="add-entry-title">"Add an entry"</h2>
                        <EntryForm existing=entries on_submit=on_add pending=add_pending server_error=add_error added />
                    </section>
                })}
                <History resource="ip-acl" id=acl_id changed=reloads />
            }
            .into_any(),
        }}

        <RemoveEntryDialog action=remove acl_name=name />
        <ImportEntriesDialog open=import_open acl_id entries on_done=refresh />
        <AclDialogs actions usage=watched />
    }
}
