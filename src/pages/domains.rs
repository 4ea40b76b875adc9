//! Twilio SIP domains and their mappings: which credential lists
//! authenticate calls and registrations, and which IP access control lists
//! admit calls, per domain.

use crate::admits;
use crate::api::{Acl, ApiError, CredentialList, DomainMappings, Mapping, MappingKind};
use crate::app::AppContext;
use crate::components::{
    server_message, AdmitsLine, ConfirmDelete, Dialog, FormError, SipAddress, TextField,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sipauth_model::{sip, FriendlyName, Realm};

#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    domains: Vec<DomainMappings>,
    lists: Vec<CredentialList>,
    acls: Vec<Acl>,
}

impl Data {
    /// What may be mapped for `kind`: (SID, name).
    fn choices(&self, kind: MappingKind) -> Vec<(String, String)> {
        if kind.maps_acls() {
            self.acls
                .iter()
                .map(|a| (a.ip_acl_uuid.clone(), a.name.clone()))
                .collect()
        } else {
            self.lists
                .iter()
                .map(|l| (l.sid.clone(), l.friendly_name.clone()))
                .collect()
        }
    }
}

/// What the create form sends: the domain name, its friendly name and
/// whether registrations are allowed.
pub type NewDomain = (String, String, bool);

/// Create a domain. With the account's realm known (`config.json`), the
/// name is checked as typed against the server's rule: under that realm.
#[component]
pub fn DomainForm(
    /// The account's SIP realm; `None` where config.json does not say.
    realm: Option<String>,
    on_submit: Callback<NewDomain>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let domain = RwSignal::new(String::new());
    let friendly = RwSignal::new(String::new());
    let registration = RwSignal::new(false);
    let submitted = RwSignal::new(false);
    let (rule, hint) = match &realm {
        Some(r) => (
            sip::DOMAIN_NAME_RULE.replace("<realm>", r),
            Some(format!("Ends with .{r}, e.g. acme.{r}")),
        ),
        None => (Realm::RULE.to_string(), None),
    };
    let domain_error = Signal::derive(move || {
        server_message(server_error, "domain_name").or_else(|| {
            let value = domain.get();
            let checked = match &realm {
                Some(r) => sip::domain_name(&value, r).map(drop),
                None => Realm::parse(&value).map(drop),
            };
            match checked {
                Err(e) if submitted.get() || !value.is_empty() => {
                    Some(format!("Domain name: {}.", e.problem))
                }
                _ => None,
            }
        })
    });
    let friendly_error = Signal::derive(move || {
        server_message(server_error, "name").or_else(|| {
            let value = friendly.get();
            (!value.is_empty())
                .then(|| FriendlyName::parse(&value).err())
                .flatten()
                .map(|e| format!("Friendly name: {}.", e.problem))
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if domain_error.get_untracked().is_none() && friendly_error.get_untracked().is_none() {
            on_submit.run((
                domain.get_untracked(),
                friendly.get_untracked(),
                registration.get_untracked(),
            ));
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField
                id="domain-name"
                label="Domain name"
                value=domain
                error=domain_error
                rule
                hint
            />
            <TextField
                id="domain-friendly"
                label="Friendly name (optional)"
                value=friendly
                error=friendly_error
                rule=FriendlyName::RULE
            />
            <div class="check">
                <input
                    type="checkbox"
                    id="domain-registration"
                    aria-describedby="domain-registration-hint"
                    prop:checked=move || registration.get()
                    on:change=move |ev| registration.set(event_target_checked(&ev))
                />
                <label for="domain-registration">"Allow SIP registrations"</label>
                <p id="domain-registration-hint" class="hint">
                    "Devices may then register at the domain as users of the credential lists mapped for registrations."
                </p>
            </div>
            <FormError server=server_error />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create domain" }}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// One kind of mapping of one domain: what is mapped, each removable, and
/// a picker to map one more.
#[component]
fn MappingGroup(
    domain_sid: String,
    domain_name: String,
    kind: MappingKind,
    data: Signal<Data>,
    on_change: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let picked = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let mapped = {
        let domain_sid = domain_sid.clone();
        move || {
            data.with(|d| {
                d.domains
                    .iter()
                    .find(|m| m.domain.as_ref().is_some_and(|x| x.sid == domain_sid))
                    .map(|m| m.of(kind).to_vec())
                    .unwrap_or_default()
            })
        }
    };
    let unmapped = {
        let mapped = mapped.clone();
        move || {
            let taken: Vec<String> = mapped().into_iter().map(|m| m.sid).collect();
            data.with(|d| d.choices(kind))
                .into_iter()
                .filter(|(sid, _)| !taken.contains(sid))
                .collect::<Vec<_>>()
        }
    };
    let picker_id = format!("map-{}-{kind:?}", domain_sid);
    let (a_what, what) = if kind.maps_acls() {
        ("an", "IP access control list")
    } else {
        ("a", "credential list")
    };
    let add = {
        let domain_sid = domain_sid.clone();
        let domain_name = domain_name.clone();
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
                        ctx.toasts.success(format!(
                            "Mapped {name} to {domain_name} ({}).",
                            kind.phrase()
                        ));
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
            <h3 id=heading_id>{kind.label()}</h3>
            {
                let mapped = mapped.clone();
                let domain_sid = domain_sid.clone();
                move || {
                    let now = mapped();
                    if now.is_empty() {
                        view! { <p class="hint">"None mapped."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mapped">
                                {now.into_iter().map(|m| {
                                    let domain_sid = domain_sid.clone();
                                    let name = if m.friendly_name.is_empty() { m.sid.clone() } else { m.friendly_name.clone() };
                                    let label = format!("Remove {name} from {}", kind.phrase());
                                    let removed = name.clone();
                                    view! {
                                        <li>
                                            {name}
                                            <button
                                                type="button"
                                                class="link"
                                                aria-label=label
                                                on:click=move |_| {
                                                    let api = ctx.api();
                                                    let (domain_sid, sid, removed) = (domain_sid.clone(), m.sid.clone(), removed.clone());
                                                    spawn_local(async move {
                                                        match api.unmap(&domain_sid, kind, &sid).await {
                                                            Ok(()) => ctx.toasts.success(format!("Removed {removed} from {}.", kind.phrase())),
                                                            Err(e) => ctx.report(&e),
                                                        }
                                                        on_change.try_run(());
                                                    });
                                                }
                                            >"Remove"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
            }
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

/// A mapping by its name (its SID if it has none).
fn mapping_name(m: &Mapping) -> &str {
    if m.friendly_name.is_empty() {
        &m.sid
    } else {
        &m.friendly_name
    }
}

#[component]
pub fn DomainsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let data = RwSignal::new(None::<Result<Data, ApiError>>);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        let api = ctx.api();
        spawn_local(async move {
            let result = async {
                Ok::<_, ApiError>(Data {
                    domains: api.all_domain_mappings().await?,
                    lists: api.all_credential_lists().await?,
                    acls: api.all_acls().await?,
                })
            }
            .await;
            if let Err(ApiError::Unauthorized) = &result {
                ctx.session.set(None);
            }
            data.set(Some(result));
        });
    });
    let refresh = Callback::new(move |()| reload.update(|n| *n += 1));
    let loaded = Signal::derive(move || data.get().and_then(Result::ok).unwrap_or_default());

    let create_open = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    let on_create = Callback::new(move |(domain, friendly, registration): NewDomain| {
        create_pending.set(true);
        create_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.create_domain(&domain, &friendly, registration).await;
            create_pending.set(false);
            match result {
                Ok(_) => {
                    create_open.set(false);
                    ctx.toasts.success(format!("Created domain {domain}."));
                    refresh.try_run(());
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => create_error.set(Some(e)),
            }
        });
    });

    // Registrations on or off; the mappings for registrations stay either way.
    let set_registration = move |sid: String, name: String, on: bool| {
        let api = ctx.api();
        spawn_local(async move {
            match api.set_sip_registration(&sid, on).await {
                Ok(_) => ctx.toasts.success(if on {
                    format!("Registrations at {name} are allowed.")
                } else {
                    format!("Registrations at {name} are off.")
                }),
                Err(e) => ctx.report(&e),
            }
            refresh.try_run(());
        });
    };

    let deleting = RwSignal::new(None::<(String, String)>);
    let delete_open = RwSignal::new(false);
    let delete_pending = RwSignal::new(false);
    let confirm_delete = move |()| {
        let Some((sid, name)) = deleting.get_untracked() else {
            return;
        };
        delete_pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.delete_domain(&sid).await;
            delete_pending.set(false);
            delete_open.set(false);
            match result {
                Ok(()) => ctx.toasts.success(format!("Deleted domain {name}.")),
                Err(e) => ctx.report(&e),
            }
            refresh.try_run(());
        });
    };

    view! {
        <div class="page-head">
            <h1>"Domains"</h1>
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    create_error.set(None);
                    create_open.set(true);
                }
            >"Create domain"</button>
        </div>
        <p class="lead">
            "A SIP domain takes calls and registrations. Its mappings say which credential lists may authenticate them and which IP access control lists admit calls."
        </p>
        {move || match data.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="error" role="alert">
                    <p>{format!("The domains could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh.run(())>"Try again"</button>
                </div>
            }.into_any(),
            Some(Ok(d)) if d.domains.is_empty() => view! {
                <div class="empty"><p>"No domains yet. Create one, then map credential lists and IP access control lists to it."</p></div>
            }.into_any(),
            Some(Ok(d)) => d.domains.iter().filter_map(|m| Some((m.domain.clone()?, m))).map(|(domain, m)| {
                let heading_id = format!("domain-{}", domain.sid);
                let labelled_by = heading_id.clone();
                let target = (domain.sid.clone(), domain.domain_name.clone());
                let names = |kind| m.of(kind).iter().map(mapping_name).collect::<Vec<_>>();
                let (lists, acls, registering) = (
                    names(MappingKind::CallsCredentialLists),
                    names(MappingKind::CallsIpAcls),
                    names(MappingKind::RegistrationsCredentialLists),
                );
                let calls = admits::domain_calls(&lists, &acls);
                let registrations = admits::domain_registrations(
                    domain.sip_registration,
                    &registering,
                    &domain.domain_name,
                );
                let toggle_id = format!("registration-{}", domain.sid);
                let toggled = (domain.sid.clone(), domain.domain_name.clone());
                view! {
                    <section class="domain card" aria-labelledby=labelled_by>
                        <div class="page-head">
                            <h2 id=heading_id>{domain.domain_name.clone()}</h2>
                            <button
                                type="button"
                                class="danger"
                                aria-label=format!("Delete {}", domain.domain_name)
                                on:click=move |_| {
                                    deleting.set(Some(target.clone()));
                                    delete_open.set(true);
                                }
                            >"Delete"</button>
                        </div>
                        {(!domain.friendly_name.is_empty() && domain.friendly_name != domain.domain_name)
                            .then(|| view! { <p class="hint">{domain.friendly_name.clone()}</p> })}
                        {domain.sip_uri.clone().map(|uri| view! {
                            <p class="sip-line">"SIP address: " <SipAddress uri of=domain.domain_name.clone() toasts=ctx.toasts /></p>
                        })}
                        <AdmitsLine admits=calls />
                        <AdmitsLine admits=registrations />
                        <div class="check">
                            <input
                                type="checkbox"
                                id=toggle_id.clone()
                                prop:checked=domain.sip_registration
                                on:change=move |ev| {
                                    let (sid, name) = toggled.clone();
                                    set_registration(sid, name, event_target_checked(&ev));
                                }
                            />
                            <label for=toggle_id>
                                "Allow SIP registrations"
                                <span class="visually-hidden">{format!(" at {}", domain.domain_name)}</span>
                            </label>
                        </div>
                        {MappingKind::ALL.into_iter().map(|kind| view! {
                            <MappingGroup
                                domain_sid=domain.sid.clone()
                                domain_name=domain.domain_name.clone()
                                kind
                                data=loaded
                                on_change=refresh
                            />
                        }).collect_view()}
                    </section>
                }
            }).collect_view().into_any(),
        }}

        <Dialog id="create-domain" open=create_open title="Create domain">
            <DomainForm
                realm=ctx.config.with_value(|c| c.sip_realm.clone())
                on_submit=on_create
                pending=create_pending
                server_error=create_error
                on_cancel=Callback::new(move |()| create_open.set(false))
            />
        </Dialog>
        <ConfirmDelete
            id="delete-domain"
            open=delete_open
            name=Signal::derive(move || deleting.get().map(|d| d.1).unwrap_or_default())
            consequence="The domain and its mappings will be deleted; the credential lists and IP access control lists stay. Calls and registrations to it stop."
            pending=delete_pending
            on_confirm=Callback::new(confirm_delete)
        />
    }
}
