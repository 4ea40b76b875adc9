//! IP access control lists: find, create, rename, delete, and the IP tester.

use crate::api::{Acl, ApiError, Application};
use crate::app::AppContext;
use crate::components::{
    unassign_and_delete, DeleteDialog, Dialog, NameForm, Resource, SipServerNotice,
};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar, SortHeader};
use crate::usage::{breaks, Usage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use sipauth_model::Dialect;
use sipauth_model::{acl, AclName, IpEntry};
use std::net::IpAddr;

/// An ACL name as sent: the model's rule, trimmed as it trims.
fn acl_name(value: &str) -> Result<String, sipauth_model::FieldError> {
    AclName::parse(value).map(|n| n.as_str().to_string())
}

/// "Which entry admits this address?" across every ACL of the account.
#[component]
fn IpTester() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let address = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<Vec<String>, String>>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = address.get_untracked();
        let addr: IpAddr = match text.trim().parse() {
            Ok(a) => a,
            Err(_) => {
                let problem = IpEntry::parse(&text, None)
                    .err()
                    .map(|e| e.problem)
                    .unwrap_or_default();
                result.set(Some(Err(format!("Address: {problem}."))));
                return;
            }
        };
        pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let acls = api.all_acls().await;
            pending.set(false);
            match acls {
                Ok(acls) => {
                    let parsed: Vec<(usize, Vec<IpEntry>)> = acls
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (i, a.entries.iter().filter_map(|e| e.model()).collect()))
                        .collect();
                    let found =
                        acl::admitting(addr, parsed.iter().map(|(i, e)| (*i, e.as_slice())));
                    let lines = found
                        .iter()
                        .map(|m| {
                            let acl = &acls[m.acl];
                            let entry = &acl.entries[m.index];
                            let note = if entry.description.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", entry.description)
                            };
                            format!("{}: {}/{}{note}", acl.name, entry.ip, entry.cidr_prefix)
                        })
                        .collect();
                    result.set(Some(Ok(lines)));
                }
                Err(e) => {
                    ctx.report(&e);
                    result.set(None);
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="tester-title">
            <h2 id="tester-title">"IP tester"</h2>
            <form class="inline-form" on:submit=submit>
                <div class="field">
                    <label for="tester-address">"Address to test"</label>
                    <input
                        id="tester-address"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="198.51.100.7"
                        aria-describedby="tester-result"
                        prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev))
                    />
                </div>
                <button type="submit" disabled=move || pending.get()>"Find admitting entries"</button>
            </form>
            <div id="tester-result" aria-live="polite">
                {move || match result.get() {
                    None => None,
                    Some(Err(e)) => Some(view! { <p class="error">{e}</p> }.into_any()),
                    Some(Ok(lines)) if lines.is_empty() => Some(
                        view! { <p>{format!("No entry of any IP ACL admits {}.", address.get_untracked().trim())}</p> }.into_any(),
                    ),
                    Some(Ok(lines)) => Some(
                        view! {
                            <p>{format!("Admitted by {} entr{}, most specific first:", lines.len(), if lines.len() == 1 { "y" } else { "ies" })}</p>
                            <ol class="matches">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ol>
                        }
                        .into_any(),
                    ),
                }}
            </div>
        </section>
    }
}

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
    let dialect = ctx.dialect();
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
    let users_of = move |acl: &str| -> Vec<Application> { usage.with(|u| u.apps_using_acl(acl)) };

    // Create: then open the new ACL to add entries.
    let create_open = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    let on_create = Callback::new({
        let navigate = navigate.clone();
        move |name: String| {
            create_pending.set(true);
            create_error.set(None);
            let api = ctx.api();
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = api.create_acl(&name).await;
                create_pending.set(false);
                match result {
                    Ok(created) => {
                        create_open.set(false);
                        ctx.toasts
                            .success(format!("Created IP ACL {name}. Add its entries now."));
                        navigate(&format!("/acls/{}", created.id), Default::default());
                    }
                    Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                    Err(e) => create_error.set(Some(e)),
                }
            });
        }
    });

    // Rename
    let renaming = RwSignal::new(None::<Acl>);
    let rename_open = RwSignal::new(false);
    let rename_pending = RwSignal::new(false);
    let rename_error = RwSignal::new(None::<ApiError>);
    let on_rename = Callback::new(move |name: String| {
        let Some(target) = renaming.get_untracked() else {
            return;
        };
        rename_pending.set(true);
        rename_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.rename_acl(&target.ip_acl_uuid, &name).await;
            rename_pending.set(false);
            match result {
                Ok(()) => {
                    rename_open.set(false);
                    ctx.toasts
                        .success(format!("Renamed {} to {name}.", target.name));
                    refresh();
                }
                Err(e @ ApiError::Invalid { .. }) => rename_error.set(Some(e)),
                Err(e) => {
                    rename_open.set(false);
                    ctx.report(&e);
                    refresh();
                }
            }
        });
    });

    // Delete
    let deleting = RwSignal::new(None::<Acl>);
    let delete_open = RwSignal::new(false);
    let delete_pending = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<ApiError>);
    let delete_users = Signal::derive(move || {
        deleting
            .get()
            .map(|a| users_of(&a.ip_acl_uuid))
            .unwrap_or_default()
    });
    let delete_breaks = Signal::derive(move || {
        deleting
            .get()
            .map(|a| usage.with(|u| u.acl_breaks(&a.ip_acl_uuid)))
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
            let id = target.ip_acl_uuid.clone();
            let result = unassign_and_delete(&api, &users, Resource::Acl, || {
                let api = api.clone();
                async move { api.delete_acl(&id).await }
            })
            .await;
            delete_pending.set(false);
            match result {
                Ok(()) => {
                    delete_open.set(false);
                    ctx.toasts
                        .success(format!("Deleted IP ACL {}.", target.name));
                }
                Err(e @ ApiError::Conflict(_)) => delete_error.set(Some(e)),
                Err(e) => {
                    delete_open.set(false);
                    ctx.report(&e);
                }
            }
            refresh();
        });
    });

    let rows = move || shown.with(|s| s.rows.clone());

    view! {
        <div class="page-head">
            <h1>"IP access control lists"</h1>
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    create_error.set(None);
                    create_open.set(true);
                }
            >
                "Create IP ACL"
            </button>
        </div>
        <p class="lead">
            "Trusted addresses and ranges allowed to send SIP traffic. "
            {match dialect {
                Dialect::Twilio => "A domain admits calls from the lists mapped to it.",
                Dialect::Zentrunk => "A trunk may require its calls to come from one.",
                _ => "An application uses an ACL through its SIP authentication setting.",
            }}
        </p>
        <SipServerNotice changed=list.reloads() />
        <SearchBar
            id="acl-search"
            label="Search by name or address"
            query
            list
            shown
            help="Part of a name, an address or a note; a whole address finds the ACLs that admit it."
        />
        <ListNotice
            what="IP ACLs"
            empty="No IP ACLs yet. Create one to admit calls from known addresses."
            no_match=|q| format!("No IP ACL's name, entries or notes match \u{201c}{q}\u{201d}.")
            query
            list
            shown
        />
        <Show when=move || !rows().is_empty()>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"IP access control lists"</caption>
                <thead>
                    <tr>
                        <SortHeader query key="name" label="Name" />
                        <SortHeader query key="entries" label="Entries" />
                        <th scope="col">"Used by"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=rows
                        key=|a| (a.ip_acl_uuid.clone(), a.name.clone(), a.entries.len())
                        children=move |a: Acl| {
                            let (href, label) = (format!("/acls/{}", a.ip_acl_uuid), a.name.clone());
                            view! {
                        <tr>
                            <th scope="row"><A href=href>{label}</A></th>
                            <td>{format!("{} of 50", a.entries.len())}</td>
                            <td>
                                {
                                    let id = a.ip_acl_uuid.clone();
                                    move || {
                                        let names = usage.with(|u| u.acl_users(&id));
                                        if names.is_empty() { "—".to_string() } else { names.join(", ") }
                                    }
                                }
                            </td>
                            <td class="row-actions">
                                <button
                                    type="button"
                                    aria-label=format!("Rename {}", a.name)
                                    on:click={
                                        let a = a.clone();
                                        move |_| {
                                            rename_error.set(None);
                                            renaming.set(Some(a.clone()));
                                            rename_open.set(true);
                                        }
                                    }
                                >"Rename"</button>
                                <button
                                    type="button"
                                    class="danger"
                                    aria-label=format!("Delete {}", a.name)
                                    on:click={
                                        let a = a.clone();
                                        move |_| {
                                            delete_error.set(None);
                                            deleting.set(Some(a.clone()));
                                            delete_open.set(true);
                                        }
                                    }
                                >"Delete"</button>
                            </td>
                        </tr>
                            }
                        }
                    />
                </tbody>
            </table></div>
        </Show>
        <Pager shown query />
        <IpTester />

        <Dialog id="create-acl" open=create_open title="Create IP ACL">
            <NameForm
                id="acl-name"
                label="Name"
                field="name"
                rule=AclName::RULE
                check=acl_name
                initial=""
                submit_label="Create IP ACL"
                on_submit=on_create
                pending=create_pending
                server_error=create_error
                on_cancel=Callback::new(move |()| create_open.set(false))
            />
        </Dialog>
        <Dialog
            id="rename-acl"
            open=rename_open
            title=Signal::derive(move || format!("Rename {}", renaming.get().map(|a| a.name).unwrap_or_default()))
        >
            <NameForm
                id="acl-name"
                label="Name"
                field="name"
                rule=AclName::RULE
                check=acl_name
                initial=renaming.get_untracked().map(|a| a.name).unwrap_or_default()
                submit_label="Save name"
                on_submit=on_rename
                pending=rename_pending
                server_error=rename_error
                on_cancel=Callback::new(move |()| rename_open.set(false))
            />
        </Dialog>
        <DeleteDialog
            id="delete-acl"
            open=delete_open
            resource=Resource::Acl
            name=Signal::derive(move || deleting.get().map(|a| a.name).unwrap_or_default())
            users=delete_users
            breaks=delete_breaks
            breaks_kind=breaks(dialect)
            pending=delete_pending
            error=delete_error
            on_confirm=confirm_delete
        />
    }
}
