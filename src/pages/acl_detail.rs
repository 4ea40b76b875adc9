//! One IP ACL: its entries with live analysis, adding, fixing, removing,
//! and bulk import.

use crate::api::{Acl, ApiError, Application, Entry, NewEntry};
use crate::app::AppContext;
use crate::components::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use sipauth_model::acl::{analyze, parse_import, EntryFinding, Finding, Import};
use sipauth_model::{quota, Description, IpEntry};

fn label(e: &Entry) -> String {
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

/// Warnings about an entry about to be added, against the existing ones.
fn warnings_for_new(existing: &[Entry], new: &IpEntry) -> Vec<String> {
    let mut models: Vec<IpEntry> = existing.iter().filter_map(Entry::model).collect();
    let n = models.len();
    models.push(*new);
    let name = |i: usize| {
        if i == n {
            "this entry".to_string()
        } else {
            label(&existing[i])
        }
    };
    analyze(&models)
        .into_iter()
        .filter_map(|f| {
            let about_new = f.index == n;
            let shadows_existing = matches!(f.finding, Finding::Shadowed { by, .. } if by == n);
            match (about_new, shadows_existing) {
                (true, _) => Some(f.message(name)),
                (false, true) => Some(format!(
                    "{} becomes {}",
                    label(&existing[f.index]),
                    f.message(name)
                )),
                _ => None,
            }
        })
        .collect()
}

#[component]
pub fn AclDetailPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let params = use_params_map();
    let acl_id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let acl = RwSignal::new(None::<Result<Acl, ApiError>>);
    let apps = RwSignal::new(Vec::<Application>::new());
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
            if let Ok(all) = api.all_applications().await {
                apps.set(
                    all.into_iter()
                        .filter(|a| a.ip_acl_uuid.as_deref() == Some(id.as_str()))
                        .collect(),
                );
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
    let address = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let add_pending = RwSignal::new(false);
    let add_error = RwSignal::new(None::<ApiError>);
    let tried = RwSignal::new(false);
    let parsed = Memo::new(move |_| {
        let text = address.get();
        (!text.trim().is_empty() || tried.get()).then(|| IpEntry::parse_input(&text))
    });
    let address_error = Signal::derive(move || {
        if let Some(e) = add_error.get().filter(|e| {
            matches!(e.field(), Some("ip" | "cidr_prefix")) || matches!(e, ApiError::Conflict(_))
        }) {
            return Some(e.to_string());
        }
        match parsed.get() {
            Some(Err(e)) => Some(format!("Address: {}.", e.problem)),
            _ => None,
        }
    });
    let description_error = Signal::derive(move || {
        if let Some(e) = add_error.get().filter(|e| e.field() == Some("description")) {
            return Some(e.to_string());
        }
        Description::parse(&description.get())
            .err()
            .map(|e| format!("Description: {}.", e.problem))
    });
    let new_warnings = Memo::new(move |_| match parsed.get() {
        Some(Ok(e)) => warnings_for_new(&entries(), &e),
        _ => Vec::new(),
    });
    let masked = Memo::new(move |_| match parsed.get() {
        Some(Ok(e)) if e.host_bits_set() => Some(e.network().to_string()),
        _ => None,
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let (Some(Ok(entry)), Ok(desc)) = (
            parsed.get_untracked(),
            Description::parse(&description.get_untracked()),
        ) else {
            return;
        };
        add_pending.set(true);
        add_error.set(None);
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        spawn_local(async move {
            let body = NewEntry {
                ip: entry.ip.to_string(),
                cidr_prefix: entry.prefix,
                description: desc.as_str().to_string(),
            };
            let result = api.add_entry(&acl, &body).await;
            add_pending.set(false);
            match result {
                Ok(_) => {
                    ctx.toasts.success(format!("Added {entry}."));
                    address.set(String::new());
                    description.set(String::new());
                    tried.set(false);
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => add_error.set(Some(e)),
            }
        });
    };

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
                        let names: Vec<String> = apps.get().into_iter().map(|a| a.app_name).collect();
                        if names.is_empty() {
                            "No application uses this ACL.".to_string()
                        } else {
                            format!("Used by {}.", names.join(", "))
                        }
                    }}
                </p>
                <Show
                    when=move || !entries().is_empty()
                    fallback=|| view! { <div class="empty"><p>"No entries yet: this ACL admits no address. Add one below."</p></div> }
                >
                    <table class="list">
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
                    </table>
                </Show>

                <section class="panel" aria-labelledby="add-entry-title">
                    <h2 id="add-entry-title">"Add an entry"</h2>
                    <form class="form" on:submit=add novalidate>
                        <div class="field">
                            <label for="entry-address">"Address or range"</label>
                            <input
                                id="entry-address"
                                autocomplete="off"
                                spellcheck="false"
                                placeholder="203.0.113.0/24"
                                aria-describedby="entry-address-rule entry-address-error entry-address-warnings"
                                aria-invalid=move || if address_error.get().is_some() { "true" } else { "false" }
                                prop:value=move || address.get()
                                on:input=move |ev| {
                                    address.set(event_target_value(&ev));
                                    add_error.set(None);
                                }
                            />
                            <p id="entry-address-rule" class="hint">
                                "Rule: an IPv4 or IPv6 address, optionally with /prefix (0–32 for IPv4, 0–128 for IPv6); no prefix means one host."
                            </p>
                            <p id="entry-address-error" class="error" aria-live="polite">{move || address_error.get()}</p>
                            <div id="entry-address-warnings" class="warnings" aria-live="polite">
                                {move || new_warnings.get().into_iter().map(|w| view! { <p class="warning">{format!("Warning: {w}.")}</p> }).collect_view()}
                                {move || masked.get().map(|net| {
                                    let use_net = net.clone();
                                    view! {
                                        <button type="button" on:click=move |_| address.set(use_net.clone())>
                                            {format!("Use {net}")}
                                        </button>
                                    }
                                })}
                            </div>
                        </div>
                        <div class="field">
                            <label for="entry-description">"Description (optional)"</label>
                            <input
                                id="entry-description"
                                autocomplete="off"
                                aria-describedby="entry-description-error"
                                aria-invalid=move || if description_error.get().is_some() { "true" } else { "false" }
                                prop:value=move || description.get()
                                on:input=move |ev| description.set(event_target_value(&ev))
                            />
                            <p id="entry-description-error" class="error" aria-live="polite">{move || description_error.get()}</p>
                        </div>
                        {move || add_error.get().filter(|e| e.field().is_none() && !matches!(e, ApiError::Conflict(_))).map(|e| view! {
                            <p class="error form-error" role="alert">{e.to_string()}</p>
                        })}
                        <div class="actions">
                            <button type="submit" class="primary" disabled=move || add_pending.get()>"Add entry"</button>
                        </div>
                    </form>
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
                acl_id=acl_id
                existing=Signal::derive(entries)
                on_done=Callback::new(move |()| refresh())
                on_close=Callback::new(move |()| import_open.set(false))
            />
        </Dialog>
    }
}

/// One line's outcome while importing.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Added,
    Failed(String),
}

/// Paste lines or CSV; every line is checked before anything is sent, then
/// entries are created one by one with a progress bar, past failures.
#[component]
fn ImportForm(
    #[prop(into)] acl_id: Signal<String>,
    #[prop(into)] existing: Signal<Vec<Entry>>,
    on_done: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let text = RwSignal::new(String::new());
    let preview = Memo::new(move |_| {
        let models: Vec<IpEntry> = existing.get().iter().filter_map(Entry::model).collect();
        parse_import(&text.get(), &models)
    });
    let progress = RwSignal::new(None::<(usize, usize)>);
    let outcomes = RwSignal::new(Vec::<(usize, String, Outcome)>::new());
    let running = move || matches!(progress.get(), Some((done, total)) if done < total);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Import { entries, .. } = preview.get_untracked();
        if entries.is_empty() {
            return;
        }
        let total = entries.len();
        progress.set(Some((0, total)));
        outcomes.set(Vec::new());
        let api = ctx.api();
        let acl = acl_id.get_untracked();
        spawn_local(async move {
            for (done, line) in entries.into_iter().enumerate() {
                let body = NewEntry {
                    ip: line.entry.ip.to_string(),
                    cidr_prefix: line.entry.prefix,
                    description: line.description.as_str().to_string(),
                };
                let outcome = match api.add_entry(&acl, &body).await {
                    Ok(_) => Outcome::Added,
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                outcomes.update(|o| o.push((line.line, line.entry.to_string(), outcome)));
                progress.set(Some((done + 1, total)));
            }
            let failed = outcomes
                .get_untracked()
                .iter()
                .filter(|(_, _, o)| *o != Outcome::Added)
                .count();
            if failed == 0 {
                ctx.toasts.success(format!(
                    "Imported {total} entr{}.",
                    if total == 1 { "y" } else { "ies" }
                ));
            } else {
                ctx.toasts.error(format!(
                    "Imported {} of {total} entries; {failed} failed (listed in the dialog).",
                    total - failed
                ));
            }
            on_done.run(());
        });
    };
    view! {
        <form class="form" on:submit=start novalidate>
            <div class="field">
                <label for="import-text">"Entries, one per line"</label>
                <textarea
                    id="import-text"
                    rows="8"
                    spellcheck="false"
                    aria-describedby="import-rule import-summary"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <p id="import-rule" class="hint">
                    "Each line: ip[/prefix][,description], as pasted or from CSV. Blank lines and lines starting with # are skipped."
                </p>
            </div>
            <div id="import-summary" aria-live="polite">
                {move || {
                    let p = preview.get();
                    (!text.get().trim().is_empty()).then(|| view! {
                        <p>{format!(
                            "{} entr{} ready to import; {} line{} with errors.",
                            p.entries.len(),
                            if p.entries.len() == 1 { "y" } else { "ies" },
                            p.errors.len(),
                            if p.errors.len() == 1 { "" } else { "s" },
                        )}</p>
                        <ul class="line-errors">
                            {p.errors.into_iter().map(|e| view! { <li class="error">{format!("Line {}: {}", e.line, e.message)}</li> }).collect_view()}
                        </ul>
                    })
                }}
            </div>
            {move || progress.get().map(|(done, total)| view! {
                <label for="import-progress">{format!("Imported {done} of {total}")}</label>
                <progress id="import-progress" max=total.to_string() value=done.to_string()></progress>
                <ul class="outcomes">
                    {outcomes.get().into_iter().filter(|(_, _, o)| *o != Outcome::Added).map(|(line, entry, o)| {
                        let Outcome::Failed(why) = o else { unreachable!() };
                        view! { <li class="error">{format!("Line {line} ({entry}): {why}")}</li> }
                    }).collect_view()}
                </ul>
            })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || { running() || preview.get().entries.is_empty() }>
                    {move || {
                        let n = preview.get().entries.len();
                        format!("Import {n} entr{}", if n == 1 { "y" } else { "ies" })
                    }}
                </button>
                <button type="button" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </form>
    }
}
