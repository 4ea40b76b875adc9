//! One domain as a card: its SIP address, what it admits, registrations on
//! or off, its mappings, and its Delete button.

use super::mapping_group::{mapping_name, MappingGroup};
use super::Data;
use crate::admits;
use crate::api::{Domain, DomainMappings, MappingKind, Registered};
use crate::components::{AdmitsLine, RegistrationsView, SipAddress, Stamp};
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DomainCard(
    domain: Domain,
    mappings: DomainMappings,
    data: Signal<Data>,
    on_edit: Callback<()>,
    on_delete: Callback<()>,
    on_change: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let heading_id = format!("domain-{}", domain.sid);
    let labelled_by = heading_id.clone();
    let names = |kind| {
        mappings
            .of(kind)
            .iter()
            .map(mapping_name)
            .collect::<Vec<_>>()
    };
    let (lists, acls, registering) = (
        names(MappingKind::CallsCredentialLists),
        names(MappingKind::CallsIpAcls),
        names(MappingKind::RegistrationsCredentialLists),
    );
    let calls = admits::domain_calls(&lists, &acls);
    let registrations =
        admits::domain_registrations(domain.sip_registration, &registering, &domain.domain_name);
    let toggle_id = format!("registration-{}", domain.sid);
    let write = ctx.can_write();
    // Registrations on or off; the mappings for registrations stay either way.
    let set_registration = {
        let (sid, name) = (domain.sid.clone(), domain.domain_name.clone());
        move |ev| {
            let on = event_target_checked(&ev);
            let (api, sid, name) = (ctx.api(), sid.clone(), name.clone());
            spawn_local(async move {
                match api.set_sip_registration(&sid, on).await {
                    Ok(_) => ctx.toasts.success(if on {
                        format!("Registrations at {name} are allowed.")
                    } else {
                        format!("Registrations at {name} are off.")
                    }),
                    Err(e) => ctx.report(&e),
                }
                on_change.try_run(());
            });
        }
    };
    let friendly = (!domain.friendly_name.is_empty() && domain.friendly_name != domain.domain_name)
        .then(|| view! { <p class="hint">{domain.friendly_name.clone()}</p> });
    view! {
        <section class="domain card" aria-labelledby=labelled_by>
            <div class="page-head">
                <h2 id=heading_id>{domain.domain_name.clone()}</h2>
                {write.then(|| view! {
                    <button
                        type="button"
                        aria-label=format!("Edit {}", domain.domain_name)
                        on:click=move |_| on_edit.run(())
                    >"Edit"</button>
                    <button
                        type="button"
                        class="danger"
                        aria-label=format!("Delete {}", domain.domain_name)
                        on:click=move |_| on_delete.run(())
                    >"Delete"</button>
                })}
            </div>
            {friendly}
            <p class="voice-url">
                "Voice URL: "
                {match domain.voice_url.is_empty() {
                    true => view! { <span>"none set"</span> }.into_any(),
                    false => view! { <code>{domain.voice_url.clone()}</code> }.into_any(),
                }}
            </p>
            <Stamp created=domain.date_created.clone() updated=domain.date_updated.clone() />
            {domain.sip_uri.clone().map(|uri| view! {
                <p class="sip-line">"SIP address: " <SipAddress uri of=domain.domain_name.clone() toasts=ctx.toasts /></p>
            })}
            <AdmitsLine admits=calls />
            <AdmitsLine admits=registrations />
            // A viewer reads whether registrations are allowed in the line above.
            {write.then(|| view! {
                <div class="check">
                    <input
                        type="checkbox"
                        id=toggle_id.clone()
                        prop:checked=domain.sip_registration
                        on:change=set_registration
                    />
                    <label for=toggle_id>
                        "Allow SIP registrations"
                        <span class="visually-hidden">{format!(" at {}", domain.domain_name)}</span>
                    </label>
                </div>
            })}
            {MappingKind::ALL.into_iter().map(|kind| view! {
                <MappingGroup
                    domain_sid=domain.sid.clone()
                    domain_name=domain.domain_name.clone()
                    kind
                    data
                    on_change
                />
            }).collect_view()}
            {ctx.sip_insight().then(|| view! {
                <DomainRegistrations sid=domain.sid.clone() name=domain.domain_name.clone() />
            })}
        </section>
    }
}

/// What is registered at the domain now (with `config.sip_insight`): a
/// closed disclosure that loads only once opened, then every 5 seconds
/// while open.
#[component]
fn DomainRegistrations(sid: String, name: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let region = format!("registrations-{sid}");
    let controls = region.clone();
    let empty = format!("Nothing is registered at {name} now.");
    let of = StoredValue::new(sid);
    view! {
        <div class="mapping registrations-of">
            <h3>
                <button
                    type="button"
                    class="disclosure"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=move || open.get().then(|| controls.clone())
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Registrations"
                    <span class="visually-hidden">{format!(" at {name}")}</span>
                </button>
            </h3>
            <div id=region>
                {move || open.get().then(|| view! {
                    <RegistrationsView of=Registered::Domain(of.get_value()) usernames=true empty=empty.clone() />
                })}
            </div>
        </div>
    }
}
