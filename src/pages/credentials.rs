//! SIP credentials: find, create, change password, delete.

use crate::api::{ApiError, Application, Credential, NewCredential, Page, PAGE_SIZE};
use crate::app::AppContext;
use crate::components::{
    unassign_and_delete, ChangePasswordForm, CreateCredentialForm, DeleteDialog, Dialog, Resource,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = use_query_map();
    let navigate = use_navigate();

    // The search and the page live in the URL, so reload and links keep them.
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    });
    let set_query = move |q: &str, page: u32| {
        let mut params = Vec::new();
        if !q.is_empty() {
            params.push(("q", q.to_string()));
        }
        if page > 1 {
            params.push(("page", page.to_string()));
        }
        let qs = serde_urlencoded::to_string(&params).unwrap_or_default();
        let url = if qs.is_empty() {
            "/credentials".to_string()
        } else {
            format!("/credentials?{qs}")
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };

    let list = RwSignal::new(None::<Result<Page<Credential>, ApiError>>);
    let reload = RwSignal::new(0u32);
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        let (q, p) = (search.get(), page.get());
        reload.track();
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.list_credentials(&q, (p - 1) * PAGE_SIZE).await;
            // Answers to older searches arrive late sometimes: keep the newest.
            if latest.get_value() == ticket {
                if let Err(ApiError::Unauthorized) = &result {
                    ctx.session.set(None);
                }
                list.set(Some(result));
            }
        });
    });
    let refresh = move || reload.update(|n| *n += 1);

    // Which applications use each credential (the mapping view).
    let apps = RwSignal::new(Vec::<Application>::new());
    Effect::new(move |_| {
        reload.track();
        let api = ctx.api();
        spawn_local(async move {
            if let Ok(all) = api.all_applications().await {
                apps.set(all);
            }
        });
    });
    let users_of = move |credential: &str| -> Vec<Application> {
        apps.get()
            .into_iter()
            .filter(|a| a.credential_uuid.as_deref() == Some(credential))
            .collect()
    };

    // Create
    let create_open = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    let open_create = move |_| {
        create_error.set(None);
        create_open.set(true);
    };
    let on_create = Callback::new(move |new: NewCredential| {
        create_pending.set(true);
        create_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.create_credential(&new).await;
            create_pending.set(false);
            match result {
                Ok(created) => {
                    create_open.set(false);
                    ctx.toasts
                        .success(format!("Created credential {}.", created.username));
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => create_error.set(Some(e)),
            }
        });
    });

    // Change password
    let changing = RwSignal::new(None::<Credential>);
    let change_open = RwSignal::new(false);
    let change_pending = RwSignal::new(false);
    let change_error = RwSignal::new(None::<ApiError>);
    let on_change = Callback::new(move |password: String| {
        let Some(target) = changing.get_untracked() else {
            return;
        };
        change_pending.set(true);
        change_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api
                .change_password(&target.credential_uuid, &password)
                .await;
            change_pending.set(false);
            match result {
                Ok(()) => {
                    change_open.set(false);
                    ctx.toasts.success(format!(
                        "Changed the password of {}. Update the devices that use it.",
                        target.username
                    ));
                }
                Err(e @ ApiError::Invalid { .. }) => change_error.set(Some(e)),
                Err(e) => {
                    change_open.set(false);
                    ctx.report(&e);
                    refresh();
                }
            }
        });
    });

    // Delete, unassigning first from the applications that use it.
    let deleting = RwSignal::new(None::<Credential>);
    let delete_open = RwSignal::new(false);
    let delete_pending = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);
    let delete_users = Signal::derive(move || {
        deleting
            .get()
            .map(|c| users_of(&c.credential_uuid))
            .unwrap_or_default()
    });
    let confirm_delete = Callback::new(move |()| {
        let Some(target) = deleting.get_untracked() else {
            return;
        };
        let users = delete_users.get_untracked();
        delete_pending.set(true);
        delete_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let id = target.credential_uuid.clone();
            let result = unassign_and_delete(&api, &users, Resource::Credential, || {
                let api = api.clone();
                async move { api.delete_credential(&id).await }
            })
            .await;
            delete_pending.set(false);
            match result {
                Ok(()) => {
                    delete_open.set(false);
                    ctx.toasts
                        .success(format!("Deleted credential {}.", target.username));
                }
                // Assigned meanwhile: say so in the dialog, with fresh users.
                Err(e @ ApiError::Conflict(_)) => delete_error.set(Some(e)),
                Err(e) => {
                    delete_open.set(false);
                    ctx.report(&e);
                }
            }
            refresh();
        });
    });

    let copy_id = move |id: String| {
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&id)).await {
                Ok(_) => ctx.toasts.success(format!("Copied {id}.")),
                Err(_) => ctx
                    .toasts
                    .error("The browser did not allow copying; select the ID and copy it by hand."),
            }
        });
    };

    let rows = move || {
        list.get()
            .and_then(Result::ok)
            .map(|p| p.objects)
            .unwrap_or_default()
    };
    let total = move || {
        list.get()
            .and_then(Result::ok)
            .map(|p| p.meta.total_count)
            .unwrap_or(0)
    };
    let last_page = move || total().div_ceil(PAGE_SIZE).max(1);

    let search_input = {
        let set_query = set_query.clone();
        move |ev: leptos::ev::Event| set_query(&event_target_value(&ev), 1)
    };
    let previous = {
        let set_query = set_query.clone();
        move |_: leptos::ev::MouseEvent| {
            set_query(
                &search.get_untracked(),
                page.get_untracked().saturating_sub(1).max(1),
            )
        }
    };
    let next = move |_: leptos::ev::MouseEvent| {
        set_query(&search.get_untracked(), page.get_untracked() + 1)
    };

    view! {
        <div class="page-head">
            <h1>"SIP credentials"</h1>
            <button type="button" class="primary" on:click=open_create>"Create credential"</button>
        </div>
        <p class="lead">
            "Username and password pairs that phones and PBXs use for SIP digest authentication. "
            "Passwords are stored only as digests and can be replaced, never read."
        </p>
        <div class="toolbar" role="search">
            <label for="credential-search">"Search by username"</label>
            <input
                id="credential-search"
                type="search"
                autocomplete="off"
                prop:value=move || search.get()
                on:input=search_input
            />
            <span class="count" role="status">
                {move || match list.get() {
                    None => "Loading…".to_string(),
                    Some(Err(_)) => String::new(),
                    Some(Ok(p)) if p.meta.total_count == 0 => String::new(),
                    Some(Ok(p)) => format!(
                        "Showing {}–{} of {}",
                        p.meta.offset + 1,
                        p.meta.offset + p.objects.len() as u32,
                        p.meta.total_count
                    ),
                }}
            </span>
        </div>
        {move || match list.get() {
            Some(Err(e)) => Some(view! {
                <div class="error" role="alert">
                    <p>{format!("The credentials could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
                </div>
            }.into_any()),
            Some(Ok(p)) if p.objects.is_empty() && search.get().is_empty() => Some(view! {
                <div class="empty">
                    <p>"No credentials yet. Create one so that a phone or PBX can register."</p>
                </div>
            }.into_any()),
            Some(Ok(p)) if p.objects.is_empty() => Some(view! {
                <div class="empty">
                    <p>{format!("No credential's username contains \u{201c}{}\u{201d}.", search.get())}</p>
                </div>
            }.into_any()),
            _ => None,
        }}
        <Show when=move || !rows().is_empty()>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"SIP credentials"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Realm"</th>
                        <th scope="col">"Used by"</th>
                        <th scope="col">"ID"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|c| c.credential_uuid.clone() let:c>
                        <tr>
                            <th scope="row">{c.username.clone()}</th>
                            <td>{c.realm.clone()}</td>
                            <td>
                                {
                                    let id = c.credential_uuid.clone();
                                    move || {
                                        let names: Vec<String> =
                                            users_of(&id).into_iter().map(|a| a.app_name).collect();
                                        if names.is_empty() { "—".to_string() } else { names.join(", ") }
                                    }
                                }
                            </td>
                            <td class="id">
                                <code>{c.credential_uuid.clone()}</code>
                                <button
                                    type="button"
                                    class="link"
                                    aria-label=format!("Copy ID of {}", c.username)
                                    on:click={
                                        let id = c.credential_uuid.clone();
                                        move |_| copy_id(id.clone())
                                    }
                                >"Copy"</button>
                            </td>
                            <td class="row-actions">
                                <button
                                    type="button"
                                    aria-label=format!("Change password of {}", c.username)
                                    on:click={
                                        let c = c.clone();
                                        move |_| {
                                            change_error.set(None);
                                            changing.set(Some(c.clone()));
                                            change_open.set(true);
                                        }
                                    }
                                >"Change password"</button>
                                <button
                                    type="button"
                                    class="danger"
                                    aria-label=format!("Delete {}", c.username)
                                    on:click={
                                        let c = c.clone();
                                        move |_| {
                                            delete_error.set(None);
                                            deleting.set(Some(c.clone()));
                                            delete_open.set(true);
                                        }
                                    }
                                >"Delete"</button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table></div>
        </Show>
        <Show when=move || { last_page() > 1 }>
            <nav class="pager" aria-label="Pages">
                <button type="button" disabled=move || { page.get() <= 1 } on:click=previous.clone()>
                    "Previous page"
                </button>
                <span>{move || format!("Page {} of {}", page.get(), last_page())}</span>
                <button type="button" disabled=move || { page.get() >= last_page() } on:click=next.clone()>
                    "Next page"
                </button>
            </nav>
        </Show>

        <Dialog id="create-credential" open=create_open title="Create credential">
            <CreateCredentialForm
                on_submit=on_create
                pending=create_pending
                server_error=create_error
                on_cancel=Callback::new(move |()| create_open.set(false))
            />
        </Dialog>
        <Dialog
            id="change-password"
            open=change_open
            title=Signal::derive(move || {
                format!("Change password of {}", changing.get().map(|c| c.username).unwrap_or_default())
            })
        >
            <ChangePasswordForm
                on_submit=on_change
                pending=change_pending
                server_error=change_error
                on_cancel=Callback::new(move |()| change_open.set(false))
            />
        </Dialog>
        <DeleteDialog
            id="delete-credential"
            open=delete_open
            resource=Resource::Credential
            name=Signal::derive(move || deleting.get().map(|c| c.username).unwrap_or_default())
            users=delete_users
            pending=delete_pending
            error=delete_error
            on_confirm=confirm_delete
        />
    }
}
