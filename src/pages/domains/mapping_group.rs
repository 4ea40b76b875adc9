//! One kind of mapping of one domain ("Credential lists for calls", …):
//! what is mapped, each removable, and a picker to map one more.

use super::Data;
use crate::api::{Mapping, MappingKind};
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A mapping by its name (its SID if it has none).
pub fn mapping_name(m: &Mapping) -> &str {
    if m.friendly_name.is_empty() {
        &m.sid
    } else {
        &m.friendly_name
    }
}

#[component]
pub fn MappingGroup(
    domain_sid: String,
    domain_name: String,
    kind: MappingKind,
    data: Signal<Data>,
    on_change: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let picked = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let mapped = Memo::new({
        let domain_sid = domain_sid.clone();
        move |_| {
            data.with(|d| {
                d.domains
                    .iter()
                    .find(|m| m.domain.as_ref().is_some_and(|x| x.sid == domain_sid))
                    .map(|m| m.of(kind).to_vec())
                    .unwrap_or_default()
            })
        }
    });
    let unmapped = move || {
        let taken: Vec<String> = mapped.get().into_iter().map(|m| m.sid).collect();
        data.with(|d| d.choices(kind))
            .into_iter()
            .filter(|(sid, _)| !taken.contains(sid))
            .collect::<Vec<_>>()
    };
    let picker_id = format!("map-{}-{kind:?}", domain_sid);
    let (a_what, what) = if kind.maps_acls() {
        ("an", "IP access control list")
    } else {
        ("a", "credential list")
    };
    let add = {
        let (domain_sid, domain_name) = (domain_sid.clone(), domain_name.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let sid = picked.get_untracked();
            if sid.is_empty() {
                return;
            }
            let name = data
                .with_untracked(|d| d.choices(kind))
                .into_iter()
                .find(|(s, _)| *s == sid)
                .map_or_else(|| sid.clone(), |(_, n)| n);
            pending.set(true);
            let api = ctx.api();
            let (domain_sid, domain_name) = (domain_sid.clone(), domain_name.clone());
            spawn_local(async move {
                let result = api.map(&domain_sid, kind, &sid).await;
                pending.set(false);
                match result {
                    Ok(()) => {
                        picked.set(String::new());
                        let phrase = kind.phrase();
                        ctx.toasts
                            .success(format!("Mapped {name} to {domain_name} ({phrase})."));
                    }
                    Err(e) => ctx.report(&e),
                }
                on_change.try_run(());
            });
        }
    };
    let heading_id = format!("{picker_id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section class="mapping" aria-labelledby=labelled_by>
            // Named with its domain: with two domains, two landmarks must not share a name.
            <h3 id=heading_id>{kind.label()}<span class="visually-hidden">{format!(" of {domain_name}")}</span></h3>
            {move || {
                let now = mapped.get();
                if now.is_empty() {
                    return view! { <p class="hint">"None mapped."</p> }.into_any();
                }
                let items = now.into_iter().map(|m| view! {
                    <MappedItem domain_sid=domain_sid.clone() kind mapping=m on_change />
                });
                view! { <ul class="mapped">{items.collect_view()}</ul> }.into_any()
            }}
            <form class="inline" on:submit=add>
                <label for=picker_id.clone()>{format!("Add {a_what} {what}")}</label>
                <select
                    id=picker_id
                    prop:value=move || picked.get()
                    on:change=move |ev| picked.set(event_target_value(&ev))
                >
                    <option value="">{format!("Pick {a_what} {what}")}</option>
                    {move || unmapped().into_iter().map(|(sid, name)| view! { <option value=sid>{name}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || pending.get() || picked.get().is_empty()>
                    {format!("Map to {domain_name}")}
                </button>
            </form>
        </section>
    }
}

/// One mapped list or ACL, and its Remove button.
#[component]
fn MappedItem(
    domain_sid: String,
    kind: MappingKind,
    mapping: Mapping,
    on_change: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let name = mapping_name(&mapping).to_string();
    let label = format!("Remove {name} from {}", kind.phrase());
    let removed = name.clone();
    let remove = move |_| {
        let api = ctx.api();
        let (domain_sid, sid, removed) = (domain_sid.clone(), mapping.sid.clone(), removed.clone());
        spawn_local(async move {
            match api.unmap(&domain_sid, kind, &sid).await {
                Ok(()) => ctx
                    .toasts
                    .success(format!("Removed {removed} from {}.", kind.phrase())),
                Err(e) => ctx.report(&e),
            }
            on_change.try_run(());
        });
    };
    view! {
        <li>
            {name}
            <button type="button" class="link" aria-label=label on:click=remove>"Remove"</button>
        </li>
    }
}
