//! Twilio credential lists: the lists, the domains that map each, and
//! create, rename and delete. A list's credentials are on its own page.

use crate::api::{ApiError, CredentialList};
use crate::app::AppContext;
use crate::components::{DeleteDialog, Dialog, Resource, TextField};
use crate::list::{ListQuery, Listing, Pager, Shown, SortHeader};
use crate::usage::{Breaks, Usage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use sipauth_model::FriendlyName;

/// Name a list (create or rename), checked as typed.
#[component]
fn ListNameForm(
    #[prop(into)] initial: String,
    #[prop(into)] submit_label: String,
    on_submit: Callback<String>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(initial);
    let submitted = RwSignal::new(false);
    let error = Signal::derive(move || {
        if let Some(e) = server_error.get().filter(|e| e.field() == Some("name")) {
            return Some(e.to_string());
        }
        match FriendlyName::parse(&name.get()) {
            Err(e) if submitted.get() || !name.get().is_empty() => {
                Some(format!("Name: {}.", e.problem))
            }
            _ => None,
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if FriendlyName::parse(&name.get_untracked()).is_ok() {
            on_submit.run(name.get_untracked());
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="list-name" label="Name" value=name error=error rule=FriendlyName::RULE />
            {move || server_error.get().filter(|e| e.field().is_none()).map(|e| view! {
                <p class="error form-error" role="alert">{e.to_string()}</p>
            })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>{submit_label}</button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
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
        <div class="toolbar" role="search">
            <label for="list-search">"Search by name"</label>
            <input
                id="list-search"
                type="search"
                autocomplete="off"
                prop:value=move || query.search.get()
                on:input=query.on_input()
            />
            <span class="count" role="status">
                {move || match list.rows.get() {
                    None => "Loading…".to_string(),
                    Some(_) => shown.with(Shown::summary),
                }}
            </span>
        </div>
        {move || match list.rows.get() {
            Some(Err(e)) => Some(view! {
                <div class="error" role="alert">
                    <p>{format!("The credential lists could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
                </div>
            }.into_any()),
            Some(Ok(all)) if all.is_empty() => Some(view! {
                <div class="empty"><p>"No credential lists yet. Create one, add credentials to it, then map it to a domain."</p></div>
            }.into_any()),
            Some(Ok(_)) if shown.with(|s| s.matching == 0) => Some(view! {
                <div class="empty">
                    <p>{format!("No credential list's name contains \u{201c}{}\u{201d}.", query.search.get().trim())}</p>
                </div>
            }.into_any()),
            _ => None,
        }}
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
                    <ListNameForm
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
