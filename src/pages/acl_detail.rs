//! One IP ACL: its entries with live analysis, adding, fixing, removing,
//! and bulk import.

use crate::api::{Acl, ApiError, Entry, NewEntry};
use crate::app::AppContext;
use crate::components::{AddEntry, Dialog, EntryForm, ImportForm, SipServerNotice};
use crate::usage::Usage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use sipauth_model::acl::{analyze, EntryFinding, Finding};
use sipauth_model::Dialect;
use sipauth_model::{quota, IpEntry};

/// An entry as users write it: `ip/prefix`.
pub fn label(e: &Entry) -> String {
    format!("{}/{}", e.ip, e.cidr_prefix)
}

/// Findings about each entry, in words, indexed like `entries`.
fn notes(entries: &[Entry]) -> Vec<Vec<EntryFinding>> {
    let models: Vec<IpEntry> = entries.iter().filter_map(Entry::model).collect();
    let mut out = vec![Vec::new(); entries.len()];
    if models.len() == entries.len() {
        for f in analyze(&models) {
            out[f.index].push(f);
        }
    }
    out
}

#[component]
pub fn AclDetailPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let params = use_params_map();
    let acl_id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let acl = RwSignal::new(None::<Result<Acl, ApiError>>);
    let users = RwSignal::new(Vec::<String>::new());
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        let id = acl_id.get();
        reload.track();
        let api = ctx.api();
        spawn_local(async move {
            let result = api.get_acl(&id).await;
            if let Err(ApiError::Unauthorized) = &result {
                ctx.session.set(None);
            }
            acl.set(Some(result));
            if let Ok(usage) = Usage::load(&api).await {
                users.set(usage.acl_users(&id));
            }
        });
    });
    let refresh = move || reload.update(|n| *n += 1);
    let entries = move || {
        acl.get()
            .and_then(Result::ok)
            .map(|a| a.entries)
            .unwrap_or_default()
    };
    let name = move || {
        acl.get()
            .and_then(Result::ok)
            .map(|a| a.name)
            .unwrap_or_default()
    };

    // Add one entry.
    let add_pending = RwSignal::new(false);
    let add_error = RwSignal::new(None::<ApiError>);
    let add_done = RwSignal::new(0u32);
    let on_add = Callback::new(move |entry: NewEntry| {
        add_pending.set(true);
        add_error.set(None);
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        spawn_local(async move {
            let result = api.add_entry(&acl, &entry).await;
            add_pending.set(false);
            match result {
                Ok(_) => {
                    ctx.toasts
                        .success(format!("Added {}/{}.", entry.ip, entry.cidr_prefix));
                    add_done.update(|n| *n += 1);
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => add_error.set(Some(e)),
            }
        });
    });

    // Fix host bits: replace the entry with its network.
    let fix = move |entry: Entry| {
        let Some(model) = entry.model() else { return };
        let network = model.network();
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        let duplicate = entries().iter().any(|e| {
            e.entry_id != entry.entry_id && e.model().map(|m| m.network()) == Some(network)
        });
        spawn_local(async move {
            let result = async {
                api.remove_entry(&acl, &entry.entry_id).await?;
                if !duplicate {
                    let body = NewEntry {
                        ip: network.addr().to_string(),
                        cidr_prefix: model.prefix,
                        description: entry.description.clone(),
                    };
                    api.add_entry(&acl, &body).await?;
                }
                Ok::<_, ApiError>(())
            }
            .await;
            match result {
                Ok(()) => ctx
                    .toasts
                    .success(format!("Replaced {} with {network}.", label(&entry))),
                Err(e) => ctx.report(&e),
            }
            refresh();
        });
    };

    // Remove, confirmed.
    let removing = RwSignal::new(None::<Entry>);
    let remove_open = RwSignal::new(false);
    let confirm_remove = move |_| {
        let Some(entry) = removing.get_untracked() else {
            return;
        };
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        spawn_local(async move {
            let result = api.remove_entry(&acl, &entry.entry_id).await;
            remove_open.set(false);
            match result {
                Ok(()) => ctx.toasts.success(format!("Removed {}.", label(&entry))),
                Err(e) => ctx.report(&e),
            }
            refresh();
        });
    };

    let import_open = RwSignal::new(false);
    let import_add: AddEntry = std::sync::Arc::new(move |entry: NewEntry| {
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        Box::pin(async move { api.add_entry(&acl, &entry).await.map(drop) })
    });

    view! {
        <p class="breadcrumb"><A href="/acls">"IP access control lists"</A> " / "</p>
        {move || match acl.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(ApiError::NotFound)) => view! {
                <h1>"IP ACL not found"</h1>
                <p>"It may have been deleted. " <A href="/acls">"Back to the IP ACLs"</A> "."</p>
            }
            .into_any(),
            Some(Err(e)) => view! {
                <div class="error" role="alert">
                    <p>{format!("The IP ACL could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
                </div>
            }
            .into_any(),
            Some(Ok(_)) => view! {
                <div class="page-head">
                    <h1>{name}</h1>
                    <button type="button" on:click=move |_| import_open.set(true)>"Import entries"</button>
                </div>
                <p class="lead">
                    {move || format!("{} of {} entries. ", entries().len(), quota::ENTRIES_PER_ACL)}
                    {move || {
                        let names = users.get();
                        if names.is_empty() {
                            match ctx.dialect() {
                                Dialect::Twilio => "No domain uses this list.".to_string(),
                                Dialect::Zentrunk => "No trunk uses this ACL.".to_string(),
                                _ => "No application uses this ACL.".to_string(),
                            }
                        } else {
                            format!("Used by {}.", names.join(", "))
                        }
                    }}
                </p>
                <SipServerNotice changed=reload />
                <Show
                    when=move || !entries().is_empty()
                    fallback=|| view! { <div class="empty"><p>"No entries yet: this ACL admits no address. Add one below."</p></div> }
                >
                    <div class="table-wrap"><table class="list">
                        <caption class="visually-hidden">"Entries"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Address"</th>
                                <th scope="col">"Description"</th>
                                <th scope="col">"Notes"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                let list = entries();
                                let all_notes = notes(&list);
                                list.iter()
                                    .zip(all_notes)
                                    .map(|(e, findings)| {
                                        let names = list.clone();
                                        let messages: Vec<(bool, String)> = findings
                                            .iter()
                                            .map(|f| (matches!(f.finding, Finding::HostBits { .. }), f.message(|i| label(&names[i]))))
                                            .collect();
                                        let host_bits = messages.iter().any(|(h, _)| *h);
                                        let warn = !messages.is_empty();
                                        let fix_target = e.clone();
                                        let remove_target = e.clone();
                                        let network = e.model().map(|m| m.network().to_string()).unwrap_or_default();
                                        view! {
                                            <tr class:warn=warn>
                                                <th scope="row"><code>{label(e)}</code></th>
                                                <td>{e.description.clone()}</td>
                                                <td>
                                                    <ul class="notes">
                                                        {messages.into_iter().map(|(_, m)| view! { <li>{m}</li> }).collect_view()}
                                                    </ul>
                                                </td>
                                                <td class="row-actions">
                                                    {host_bits.then(|| view! {
                                                        <button
                                                            type="button"
                                                            aria-label=format!("Fix {}: use {network}", label(e))
                                                            on:click=move |_| fix(fix_target.clone())
                                                        >{format!("Use {network}")}</button>
                                                    })}
                                                    <button
                                                        type="button"
                                                        class="danger"
                                                        aria-label=format!("Remove {}", label(e))
                                                        on:click=move |_| {
                                                            removing.set(Some(remove_target.clone()));
                                                            remove_open.set(true);
                                                        }
                                                    >"Remove"</button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table></div>
                </Show>

                <section class="panel" aria-labelledby="add-entry-title">
                    <h2 id="add-entry-title">"Add an entry"</h2>
                    <EntryForm
                        existing=Signal::derive(entries)
                        on_submit=on_add
                        pending=add_pending
                        server_error=add_error
                        added=add_done
                    />
                </section>
            }
            .into_any(),
        }}

        <Dialog
            id="remove-entry"
            open=remove_open
            title=Signal::derive(move || format!("Remove {}?", removing.get().map(|e| label(&e)).unwrap_or_default()))
        >
            <p>{move || format!("Calls from this range will no longer be admitted by {}.", name())}</p>
            <div class="actions">
                <button type="button" class="danger" on:click=confirm_remove>
                    {move || format!("Remove {}", removing.get().map(|e| label(&e)).unwrap_or_default())}
                </button>
                <button type="button" on:click=move |_| remove_open.set(false)>"Cancel"</button>
            </div>
        </Dialog>
        <Dialog id="import-entries" open=import_open title="Import entries">
            <ImportForm
                existing=Signal::derive(entries)
                add=import_add.clone()
                on_done=Callback::new(move |(added, failed): (usize, usize)| {
                    if failed == 0 {
                        ctx.toasts.success(format!("Imported {added} entr{}.", if added == 1 { "y" } else { "ies" }));
                    } else {
                        ctx.toasts.error(format!(
                            "Imported {added} of {} entries; {failed} failed (listed in the dialog).",
                            added + failed
                        ));
                    }
                    refresh();
                })
                on_close=Callback::new(move |()| import_open.set(false))
            />
        </Dialog>
    }
}
