//! SIP credentials in the configured dialect: find, create, change
//! password, enable or disable (vobiz), delete. Twilio keeps credentials in
//! credential lists: there this page shows one list's (`/credential-lists/:id`).

use crate::api::{ApiError, Application, Credential, NewCredential};
use crate::app::AppContext;
use crate::components::{
    copy_text, unassign_and_delete, ChangePasswordForm, CreateCredentialForm, DeleteDialog, Dialog,
    NameForm, Resource, SipAddress,
};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar, SortHeader};
use crate::usage::Usage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use sipauth_model::{AclName, Description, Dialect, FieldError};

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let dialect = ctx.config.get_value().dialect;
    // Twilio: the credential list in the path.
    // Read once: an async task must not touch the router's signals after
    // the page is gone.
    let list_param = StoredValue::new(use_params_map().read_untracked().get("id"));
    let list_id = move || list_param.get_value();
    let list_name = RwSignal::new(None::<String>);
    if dialect == Dialect::Twilio {
        if let Some(id) = list_id() {
            let api = ctx.api();
            spawn_local(async move {
                match api.get_credential_list(&id).await {
                    Ok(l) => list_name.set(Some(l.friendly_name)),
                    Err(e) => ctx.report(&e),
                }
            });
        }
    }
    // The filter and the page live in the URL, so reload and links keep them.
    let path = match list_id() {
        Some(id) if dialect == Dialect::Twilio => format!("/credential-lists/{id}"),
        _ => "/credentials".to_string(),
    };
    let query = ListQuery::from_url(path);
    let list = Listing::load(ctx, move |api, first| async move {
        let list = list_id();
        api.credentials_from_first(list.as_deref(), first).await
    });
    let shown = list.shown(
        query,
        |c: &Credential, needle| {
            c.username.to_lowercase().contains(needle)
                || c.name
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(needle)
                || c.description
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(needle)
        },
        |a, b, key| match key {
            "realm" => a.realm.cmp(&b.realm),
            "name" => a.name.cmp(&b.name),
            "enabled" => a.enabled.cmp(&b.enabled),
            _ => a.username.to_lowercase().cmp(&b.username.to_lowercase()),
        },
    );
    let refresh = move || list.refresh();

    // What uses each credential (the mapping view): plivo applications,
    // which are unassigned before a delete; zentrunk trunks, which the API
    // lets a delete break (so the dialog names them); in twilio, the
    // domains mapping this list. None until loaded.
    let usage = RwSignal::new(None::<Usage>);
    Effect::new(move |_| {
        list.track_reloads();
        let api = ctx.api();
        spawn_local(async move {
            if let Ok(now) = Usage::load(&api).await {
                usage.set(Some(now));
            }
        });
    });
    let users_of = move |credential: &str| -> Vec<Application> {
        usage.with(|u| {
            u.as_ref()
                .map(|u| u.apps_using_credential(credential))
                .unwrap_or_default()
        })
    };
    let trunks_of = move |credential: &str| -> Vec<String> {
        usage.with(|u| {
            u.as_ref()
                .map(|u| u.credential_breaks(credential))
                .unwrap_or_default()
        })
    };
    let list_users = move || {
        let list = list_id()?;
        usage.with(|u| u.as_ref().map(|u| u.credential_list_users(&list)))
    };
    let used_by = move |credential: &str| -> Vec<String> {
        let mut names: Vec<String> = users_of(credential)
            .into_iter()
            .map(|a| a.app_name)
            .collect();
        names.extend(trunks_of(credential));
        names
    };
    let shows_used_by = matches!(dialect, Dialect::Plivo | Dialect::Zentrunk);

    // Enable or disable (vobiz): the credential stays, only its use stops.
    let toggle = move |c: Credential, enabled: bool| {
        let api = ctx.api();
        spawn_local(async move {
            match api.set_enabled(&c.credential_uuid, enabled).await {
                Ok(_) => ctx.toasts.success(if enabled {
                    format!("Enabled {}: it can authenticate again.", c.username)
                } else {
                    format!(
                        "Disabled {}: it is kept but can no longer authenticate.",
                        c.username
                    )
                }),
                Err(e) => ctx.report(&e),
            }
            refresh();
        });
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
        let list = list_id();
        spawn_local(async move {
            let result = api.create_credential(list.as_deref(), &new).await;
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
        let list = list_id();
        spawn_local(async move {
            let result = api
                .change_password(list.as_deref(), &target.credential_uuid, &password)
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

    // Zentrunk's name, vobiz's description.
    let labelling = RwSignal::new(None::<Credential>);
    let label_open = RwSignal::new(false);
    let label_pending = RwSignal::new(false);
    let label_error = RwSignal::new(None::<ApiError>);
    let on_label = Callback::new(move |value: String| {
        let Some(target) = labelling.get_untracked() else {
            return;
        };
        label_pending.set(true);
        label_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.set_label(&target.credential_uuid, &value).await;
            label_pending.set(false);
            match result {
                Ok(()) => {
                    label_open.set(false);
                    ctx.toasts.success(match dialect {
                        Dialect::Vobiz => format!("Saved the description of {}.", target.username),
                        _ => format!("Renamed {} to {value}.", target.username),
                    });
                    refresh();
                }
                Err(e @ ApiError::Invalid { .. }) => label_error.set(Some(e)),
                Err(e) => {
                    label_open.set(false);
                    ctx.report(&e);
                    refresh();
                }
            }
        });
    });
    let labels = matches!(dialect, Dialect::Zentrunk | Dialect::Vobiz);

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
    let delete_breaks = Signal::derive(move || {
        deleting
            .get()
            .map(|c| trunks_of(&c.credential_uuid))
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
        let list = list_id();
        spawn_local(async move {
            let id = target.credential_uuid.clone();
            let result = unassign_and_delete(&api, &users, Resource::Credential, || {
                let api = api.clone();
                async move { api.delete_credential(list.as_deref(), &id).await }
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

    let copy_id = move |id: String| copy_text(ctx.toasts, id);

    let rows = move || shown.with(|s| s.rows.clone());

    let (search_label, lead) = match dialect {
        Dialect::Zentrunk => (
            "Search by username or name",
            "Username and password pairs that your PBX uses to authenticate its calls on a Zentrunk trunk. ",
        ),
        Dialect::Vobiz => (
            "Search by username or description",
            "Username and password pairs that SIP clients use on your trunks; they work account-wide, without being assigned anywhere. A disabled credential is kept but cannot authenticate. ",
        ),
        Dialect::Twilio => (
            "Search by username",
            "The usernames and passwords in this list. A domain that maps the list lets them authenticate calls or registrations. ",
        ),
        Dialect::Plivo => (
            "Search by username",
            "Username and password pairs that phones and PBXs use for SIP digest authentication. ",
        ),
    };
    let heading = move || match dialect {
        Dialect::Twilio => list_name
            .get()
            .unwrap_or_else(|| "Credential list".to_string()),
        _ => "SIP credentials".to_string(),
    };

    view! {
        {(dialect == Dialect::Twilio).then(|| view! {
            <p class="breadcrumb"><A href="/credential-lists">"Credential lists"</A> " / "</p>
        })}
        <div class="page-head">
            <h1>{heading}</h1>
            <button type="button" class="primary" on:click=open_create>"Create credential"</button>
        </div>
        <p class="lead">
            {lead}
            "Passwords are stored only as digests and can be replaced, never read."
        </p>
        // Vobiz credentials are account-wide: where their devices register.
        {(dialect == Dialect::Vobiz).then(|| ctx.config.with_value(|c| c.sip_realm.clone())).flatten().map(|realm| view! {
            <p class="used-by">{format!("Devices register at sip:<username>@{realm}.")}</p>
        })}
        {move || list_users().map(|names| view! {
            <p class="used-by">
                {if names.is_empty() {
                    "No domain maps this list yet: its credentials authenticate nothing until one does.".to_string()
                } else {
                    format!("Mapped to {}.", names.join(", "))
                }}
            </p>
        })}
        <SearchBar id="credential-search" label=search_label query list shown />
        <ListNotice
            what="credentials"
            empty="No credentials yet. Create one so that a phone or PBX can register."
            no_match=|q| format!("No credential matches \u{201c}{q}\u{201d}.")
            query
            list
            shown
        />
        <Show when=move || !rows().is_empty()>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"SIP credentials"</caption>
                <thead>
                    <tr>
                        <SortHeader query key="username" label="Username" />
                        {match dialect {
                            Dialect::Plivo => view! { <SortHeader query key="realm" label="Realm" /> }.into_any(),
                            Dialect::Zentrunk => view! { <SortHeader query key="name" label="Name" /> }.into_any(),
                            Dialect::Vobiz => view! {
                                <th scope="col">"Description"</th>
                                <SortHeader query key="enabled" label="Enabled" />
                                <th scope="col">"Registers at"</th>
                            }.into_any(),
                            Dialect::Twilio => ().into_any(),
                        }}
                        {shows_used_by.then(|| view! { <th scope="col">"Used by"</th> })}
                        <th scope="col">"ID"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|c| c.clone() let:c>
                        <tr>
                            <th scope="row">{c.username.clone()}</th>
                            {match dialect {
                                Dialect::Plivo => view! { <td>{c.realm.clone()}</td> }.into_any(),
                                Dialect::Zentrunk => view! { <td>{c.name.clone().unwrap_or_default()}</td> }.into_any(),
                                Dialect::Vobiz => {
                                    let id = format!("enabled-{}", c.credential_uuid);
                                    let enabled = c.enabled.unwrap_or(true);
                                    let target = c.clone();
                                    view! {
                                        <td>{c.description.clone().unwrap_or_default()}</td>
                                        <td>
                                            <input
                                                type="checkbox"
                                                id=id.clone()
                                                prop:checked=enabled
                                                on:change=move |ev| toggle(target.clone(), event_target_checked(&ev))
                                            />
                                            <label for=id>
                                                "Enabled"
                                                <span class="visually-hidden">{format!(" {}", c.username)}</span>
                                            </label>
                                        </td>
                                        <td>{match c.sip_uri.clone() {
                                            Some(uri) => view! { <SipAddress uri of=c.username.clone() toasts=ctx.toasts /> }.into_any(),
                                            // Made through another API: it authenticates only where assigned.
                                            None => "Only where assigned (made through another API)".into_any(),
                                        }}</td>
                                    }.into_any()
                                }
                                Dialect::Twilio => ().into_any(),
                            }}
                            {shows_used_by.then(|| {
                                let id = c.credential_uuid.clone();
                                view! {
                                    <td>
                                        {move || {
                                            let names = used_by(&id);
                                            if names.is_empty() { "—".to_string() } else { names.join(", ") }
                                        }}
                                    </td>
                                }
                            })}
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
                                {labels.then(|| {
                                    let c = c.clone();
                                    let (text, aria) = match dialect {
                                        Dialect::Vobiz => ("Edit description", format!("Edit description of {}", c.username)),
                                        _ => ("Rename", format!("Rename {}", c.username)),
                                    };
                                    view! {
                                        <button
                                            type="button"
                                            aria-label=aria
                                            on:click=move |_| {
                                                label_error.set(None);
                                                labelling.set(Some(c.clone()));
                                                label_open.set(true);
                                            }
                                        >{text}</button>
                                    }
                                })}
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
        <Pager shown query />

        <Dialog id="create-credential" open=create_open title="Create credential">
            <CreateCredentialForm
                on_submit=on_create
                pending=create_pending
                server_error=create_error
                on_cancel=Callback::new(move |()| create_open.set(false))
                dialect
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
                dialect
            />
        </Dialog>
        <Dialog
            id="credential-label"
            open=label_open
            title=Signal::derive(move || {
                let who = labelling.get().map(|c| c.username).unwrap_or_default();
                match dialect {
                    Dialect::Vobiz => format!("Edit description of {who}"),
                    _ => format!("Rename {who}"),
                }
            })
        >
            {move || labelling.get().map(|c| view! {
                <NameForm
                    id="credential-label-value"
                    label=if dialect == Dialect::Vobiz { "Description" } else { "Name" }
                    field=if dialect == Dialect::Vobiz { "description" } else { "name" }
                    rule=if dialect == Dialect::Vobiz { Description::RULE } else { AclName::RULE }
                    check=if dialect == Dialect::Vobiz { credential_description } else { credential_name }
                    initial=match dialect {
                        Dialect::Vobiz => c.description.clone().unwrap_or_default(),
                        _ => c.name.clone().unwrap_or_default(),
                    }
                    submit_label="Save"
                    on_submit=on_label
                    pending=label_pending
                    server_error=label_error
                    on_cancel=Callback::new(move |()| label_open.set(false))
                />
            })}
        </Dialog>
        <DeleteDialog
            id="delete-credential"
            open=delete_open
            resource=Resource::Credential
            name=Signal::derive(move || deleting.get().map(|c| c.username).unwrap_or_default())
            users=delete_users
            breaks=delete_breaks
            pending=delete_pending
            error=delete_error
            on_confirm=confirm_delete
        />
    }
}

/// Zentrunk's credential name (1–120 characters) as sent.
fn credential_name(value: &str) -> Result<String, FieldError> {
    AclName::parse(value).map(|n| n.as_str().to_string())
}

/// Vobiz's description (up to 255 characters, may be empty) as sent.
fn credential_description(value: &str) -> Result<String, FieldError> {
    Description::parse(value).map(|_| value.to_string())
}
