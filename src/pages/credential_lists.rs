//! Twilio credential lists: the lists, the domains that map each, and
//! create, rename and delete. A list's credentials are on its own page.

use crate::api::{ApiError, CredentialList};
use crate::app::AppContext;
use crate::components::{DeleteDialog, Dialog, NameForm, Resource};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar, SortHeader};
use crate::usage::{Breaks, Usage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use sipauth_model::FriendlyName;

/// A list's name as sent (Twilio's FriendlyName rule).
fn list_name(value: &str) -> Result<String, sipauth_model::FieldError> {
    FriendlyName::parse(value).map(|n| n.as_str().to_string())
}

#[component]
pub fn CredentialListsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/credential-lists");
    // Twilio answers up to 1,000 a page: one request has them all.
    let list = Listing::load(ctx, |api, _first| async move {
        api.all_credential_lists().await
    });
    let shown = list.shown(
        query,
        |l: &CredentialList, needle| l.friendly_name.to_lowercase().contains(needle),
        |a, b, _key| {
            a.friendly_name
                .to_lowercase()
                .cmp(&b.friendly_name.to_lowercase())
        },
    );
    let usage = RwSignal::new(Usage::default());
    Effect::new(move |_| {
        list.track_reloads();
        let api = ctx.api();
        spawn_local(async move {
            if let Ok(now) = Usage::load(&api).await {
                usage.set(now);
            }
        });
    });
    let refresh = move || list.refresh();
    let rows = move || shown.with(|s| s.rows.clone());

    // Create, rename
    let editing = RwSignal::new(None::<CredentialList>);
    let form_open = RwSignal::new(false);
    let form_pending = RwSignal::new(false);
    let form_error = RwSignal::new(None::<ApiError>);
    let on_save = Callback::new(move |name: String| {
        form_pending.set(true);
        form_error.set(None);
        let api = ctx.api();
        let target = editing.get_untracked();
        spawn_local(async move {
            let result = match &target {
                Some(l) => api.rename_credential_list(&l.sid, &name).await,
                None => api.create_credential_list(&name).await.map(drop),
            };
            form_pending.set(false);
            match result {
                Ok(()) => {
                    form_open.set(false);
                    ctx.toasts.success(match target {
                        Some(_) => format!("Renamed the list to {name}."),
                        None => format!("Created credential list {name}."),
                    });
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => form_error.set(Some(e)),
            }
        });
    });

    // Delete: its credentials go with it, and domains lose the mapping.
    let deleting = RwSignal::new(None::<CredentialList>);
    let delete_open = RwSignal::new(false);
    let delete_pending = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);
    let delete_breaks = Signal::derive(move || {
        deleting
            .get()
            .map(|l| usage.with(|u| u.credential_list_users(&l.sid)))
            .unwrap_or_default()
    });
    let confirm_delete = Callback::new(move |()| {
        let Some(target) = deleting.get_untracked() else {
            return;
        };
        delete_pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.delete_credential_list(&target.sid).await;
            delete_pending.set(false);
            match result {
                Ok(()) => {
                    delete_open.set(false);
                    ctx.toasts.success(format!(
                        "Deleted credential list {} and its credentials.",
                        target.friendly_name
                    ));
                }
                Err(e) => {
                    delete_open.set(false);
                    ctx.report(&e);
                }
            }
            refresh();
        });
    });

    view! {
        <div class="page-head">
            <h1>"Credential lists"</h1>
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    editing.set(None);
                    form_error.set(None);
                    form_open.set(true);
                }
            >"Create credential list"</button>
        </div>
        <p class="lead">
            "Each list holds usernames and passwords. A domain that maps a list lets its credentials authenticate calls or registrations to that domain."
        </p>
        <SearchBar id="list-search" label="Search by name" query list shown />
        <ListNotice
            what="credential lists"
            empty="No credential lists yet. Create one, add credentials to it, then map it to a domain."
            no_match=|q| format!("No credential list's name contains \u{201c}{q}\u{201d}.")
            query
            list
            shown
        />
        <Show when=move || !rows().is_empty()>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"Credential lists"</caption>
                <thead>
                    <tr>
                        <SortHeader query key="name" label="Name" />
                        <th scope="col">"Used by"</th>
                        <th scope="col">"SID"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|l| (l.sid.clone(), l.friendly_name.clone()) let:l>
                        {
                            let href = format!("/credential-lists/{}", l.sid);
                            let sid = l.sid.clone();
                            let (rename, delete) = (l.clone(), l.clone());
                            let (rename_label, delete_label) = (format!("Rename {}", l.friendly_name), format!("Delete {}", l.friendly_name));
                            view! {
                                <tr>
                                    <th scope="row"><A href=href>{l.friendly_name.clone()}</A></th>
                                    <td>{move || {
                                        let names = usage.with(|u| u.credential_list_users(&sid));
                                        if names.is_empty() { "—".to_string() } else { names.join(", ") }
                                    }}</td>
                                    <td class="id"><code>{l.sid.clone()}</code></td>
                                    <td class="row-actions">
                                        <button
                                            type="button"
                                            aria-label=rename_label
                                            on:click=move |_| {
                                                editing.set(Some(rename.clone()));
                                                form_error.set(None);
                                                form_open.set(true);
                                            }
                                        >"Rename"</button>
                                        <button
                                            type="button"
                                            class="danger"
                                            aria-label=delete_label
                                            on:click=move |_| {
                                                delete_error.set(None);
                                                deleting.set(Some(delete.clone()));
                                                delete_open.set(true);
                                            }
                                        >"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table></div>
        </Show>
        <Pager shown query />

        <Dialog
            id="list-form"
            open=form_open
            title=Signal::derive(move || match editing.get() {
                Some(l) => format!("Rename {}", l.friendly_name),
                None => "Create credential list".to_string(),
            })
        >
            {move || {
                let target = editing.get();
                view! {
                    <NameForm
                        id="list-name"
                        label="Name"
                        field="name"
                        rule=FriendlyName::RULE
                        check=list_name
                        initial=target.as_ref().map(|l| l.friendly_name.clone()).unwrap_or_default()
                        submit_label=if target.is_some() { "Save name" } else { "Create credential list" }
                        on_submit=on_save
                        pending=form_pending
                        server_error=form_error
                        on_cancel=Callback::new(move |()| form_open.set(false))
                    />
                }
            }}
        </Dialog>
        <DeleteDialog
            id="delete-list"
            open=delete_open
            resource=Resource::CredentialList
            name=Signal::derive(move || deleting.get().map(|l| l.friendly_name).unwrap_or_default())
            users=Signal::derive(Vec::new)
            breaks=delete_breaks
            breaks_kind=Breaks::Domains
            pending=delete_pending
            error=delete_error
            on_confirm=confirm_delete
        />
    }
}
