//! One kind of mapping of one domain ("Credential lists for calls", …):
//! what is mapped, each removable, and a picker to map one more.

use super::Data;
use crate::admits::{self, Admits};
use crate::api::{Mapping, MappingKind};
use crate::components::{
    deletes, narrowed, AdmitsLine, ConfirmButtons, Dialog, PickerSearch, SEARCH_FROM,
};
use crate::context::{may_write, AppContext};
use crate::dialog_action::DialogAction;
use crate::signals::derive;
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
    // A long list of choices gets the pickers' search field: typing narrows
    // the select (the picked choice stays).
    let filter = RwSignal::new(String::new());
    let choices = derive(unmapped);
    let offered = derive(move || {
        let picked = picked.get_untracked();
        choices.with(|c| filter.with(|f| narrowed(c, f, &picked)))
    });
    let search = {
        let (id, label) = (picker_id.clone(), format!("Search {what}s to add"));
        move || {
            choices.with(|c| c.len() > SEARCH_FROM).then(|| {
                let (id, label) = (id.clone(), label.clone());
                view! { <PickerSearch id label filter choices offered value=picked /> }
            })
        }
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
                    <MappedItem domain_sid=domain_sid.clone() kind mapping=m data />
                });
                view! { <ul class="mapped">{items.collect_view()}</ul> }.into_any()
            }}
            {ctx.can_write().then(|| view! {
                <form class="inline" on:submit=add>
                    {search}
                    <label for=picker_id.clone()>{format!("Add {a_what} {what}")}</label>
                    <select
                        id=picker_id
                        prop:value=move || picked.get()
                        on:change=move |ev| picked.set(event_target_value(&ev))
                    >
                        <option value="">{format!("Pick {a_what} {what}")}</option>
                        {move || offered.get().into_iter().map(|(sid, name)| view! { <option value=sid>{name}</option> }).collect_view()}
                    </select>
                    <button type="submit" disabled=move || pending.get() || picked.get().is_empty()>
                        {format!("Map to {domain_name}")}
                    </button>
                </form>
            })}
        </section>
    }
}

/// What a domain admits once the mapping `sid` of `kind` is gone, in the
/// words of its card: the calls sentence, or the registrations one.
fn admits_without(data: &Data, domain_sid: &str, kind: MappingKind, sid: &str) -> Option<Admits> {
    let mappings = data
        .domains
        .iter()
        .find(|m| m.domain.as_ref().is_some_and(|d| d.sid == domain_sid))?;
    let domain = mappings.domain.as_ref()?;
    let names = |k: MappingKind| -> Vec<&str> {
        mappings
            .of(k)
            .iter()
            .filter(|m| !(k == kind && m.sid == sid))
            .map(mapping_name)
            .collect()
    };
    Some(match kind {
        MappingKind::RegistrationsCredentialLists => {
            admits::domain_registrations(domain.sip_registration, &names(kind), &domain.domain_name)
        }
        _ => admits::domain_calls(
            &names(MappingKind::CallsCredentialLists),
            &names(MappingKind::CallsIpAcls),
        ),
    })
}

/// What removing a mapping changes, said before it is removed.
fn removal_words(kind: MappingKind, name: &str, domain: &str) -> String {
    match kind {
        MappingKind::CallsCredentialLists => format!(
            "Users in {name} can no longer authenticate calls at {domain}. The credential list itself stays."
        ),
        MappingKind::CallsIpAcls => format!(
            "Calls to {domain} are no longer checked against the addresses in {name}. The IP access control list itself stays."
        ),
        MappingKind::RegistrationsCredentialLists => format!(
            "Phones on {name} can no longer register at {domain}. The credential list itself stays."
        ),
    }
}

/// A mapping about to be removed, for the one confirmation dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmap {
    domain_sid: String,
    domain_name: String,
    kind: MappingKind,
    sid: String,
    name: String,
}

/// Removes the mapping the dialog is open for.
pub fn unmap_action(ctx: AppContext, refresh: Callback<()>) -> DialogAction<(), Unmap> {
    deletes(ctx, refresh, |api, u: Unmap| async move {
        api.unmap(&u.domain_sid, u.kind, &u.sid).await?;
        Ok(format!("Removed {} from {}.", u.name, u.kind.phrase()))
    })
}

/// "Remove … from …?": what the domain stops admitting, and what it then
/// admits, before the mapping goes.
#[component]
pub fn UnmapDialog(action: DialogAction<(), Unmap>, data: Signal<Data>) -> impl IntoView {
    let target = action.target;
    let words = move || {
        target.with(|t| {
            t.as_ref()
                .map(|u| removal_words(u.kind, &u.name, &u.domain_name))
                .unwrap_or_default()
        })
    };
    let after = Signal::derive(move || {
        target
            .with(|t| {
                t.as_ref()
                    .and_then(|u| data.with(|d| admits_without(d, &u.domain_sid, u.kind, &u.sid)))
            })
            .unwrap_or(Admits {
                text: String::new(),
                warning: false,
            })
    });
    view! {
        <Dialog
            id="unmap"
            open=action.open
            title=action.about(|u| format!("Remove {} from {}?", u.name, u.domain_name))
        >
            <p>{words}</p>
            <p>"Afterwards:"</p>
            <AdmitsLine admits=after />
            <ConfirmButtons
                open=action.open
                pending=action.pending()
                error=action.error.into()
                on_confirm=action.submit()
                label=action.about(|u| format!("Remove {}", u.name))
            />
        </Dialog>
    }
}

/// One mapped list or ACL, and its Remove button, which asks first.
#[component]
fn MappedItem(
    domain_sid: String,
    kind: MappingKind,
    mapping: Mapping,
    data: Signal<Data>,
) -> impl IntoView {
    let unmap = expect_context::<DialogAction<(), Unmap>>();
    let name = mapping_name(&mapping).to_string();
    let label = format!("Remove {name} from {}", kind.phrase());
    let domain_name = data.with_untracked(|d| {
        d.domains
            .iter()
            .find_map(|m| m.domain.as_ref().filter(|x| x.sid == domain_sid))
            .map(|x| x.domain_name.clone())
            .unwrap_or_default()
    });
    let target = Unmap {
        domain_sid,
        domain_name,
        kind,
        sid: mapping.sid.clone(),
        name: name.clone(),
    };
    view! {
        <li>
            {name}
            {may_write().then(|| view! {
                <button type="button" class="link" aria-label=label on:click=move |_| unmap.show_for(target.clone())>"Remove"</button>
            })}
        </li>
    }
}
