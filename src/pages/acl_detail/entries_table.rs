//! The entries of one ACL, each with what the analysis says about it, a
//! button to use its network where host bits are set, and Remove.

use crate::api::{ApiError, Entry, NewEntry};
use crate::components::{entry_label, entry_name, finding_text, ListTable, RowActions};
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sipauth_model::acl::{analyze, EntryFinding, Finding};
use sipauth_model::IpEntry;

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
pub fn EntriesTable(
    acl_id: Memo<String>,
    entries: Memo<Vec<Entry>>,
    /// Asks before removing the entry.
    on_remove: Callback<Entry>,
    /// Opens the entry's description (where the API can change it).
    on_describe: Option<Callback<Entry>>,
    on_change: Callback<()>,
) -> impl IntoView {
    view! {
        <ListTable caption="Entries" columns=&[("Address", ""), ("Description", ""), ("Notes", "")]>
            {move || {
                let list = entries.get();
                let all_notes = notes(&list);
                list.iter()
                    .zip(all_notes)
                    .map(|(e, findings)| {
                        let messages: Vec<(bool, String)> = findings
                            .iter()
                            .map(|f| (matches!(f.finding, Finding::HostBits { .. }), finding_text(f, |i| entry_name(&list[i]))))
                            .collect();
                        view! { <EntryRow acl_id entry=e.clone() messages entries on_remove on_describe on_change /> }
                    })
                    .collect_view()
            }}
        </ListTable>
    }
}

#[component]
fn EntryRow(
    acl_id: Memo<String>,
    entry: Entry,
    /// What the analysis says, each marked when it is about host bits.
    messages: Vec<(bool, String)>,
    entries: Memo<Vec<Entry>>,
    on_remove: Callback<Entry>,
    on_describe: Option<Callback<Entry>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let label = entry_label(&entry);
    let host_bits = messages.iter().any(|(h, _)| *h);
    let network = entry
        .model()
        .map(|m| m.network().to_string())
        .unwrap_or_default();
    // Fix host bits: replace the entry with its network (or just remove it
    // where that network is already an entry).
    let fix = {
        let entry = entry.clone();
        move |_| {
            let Some(model) = entry.model() else { return };
            let network = model.network();
            let (api, acl, entry) = (ctx.api(), acl_id.get_untracked(), entry.clone());
            let duplicate = entries.get_untracked().iter().any(|e| {
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
                        .success(format!("Replaced {} with {network}.", entry_label(&entry))),
                    Err(e) => ctx.report(&e),
                }
                on_change.try_run(());
            });
        }
    };
    let fix_button = host_bits.then(|| {
        view! {
            <button type="button" aria-label=format!("Fix {label}: use {network}") on:click=fix>
                {format!("Use {network}")}
            </button>
        }
    });
    let warn = !messages.is_empty();
    let remove = entry.clone();
    let described = entry.clone();
    let edit_button = on_describe.map(|open| {
        view! {
            <button
                type="button"
                aria-label=format!("Edit description of {label}")
                on:click=move |_| open.run(described.clone())
            >"Edit description"</button>
        }
    });
    view! {
        <tr class:warn=warn>
            <th scope="row"><code>{label.clone()}</code></th>
            <td>{entry.description.clone()}</td>
            <td>
                <ul class="notes">
                    {messages.into_iter().map(|(_, m)| view! { <li>{m}</li> }).collect_view()}
                </ul>
            </td>
            <RowActions
                name=label
                delete="Remove"
                on_delete=Callback::new(move |()| on_remove.run(remove.clone()))
            >
                {fix_button}
                {edit_button}
            </RowActions>
        </tr>
    }
}
