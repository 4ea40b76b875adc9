//! Zentrunk trunks and what secures them: the mapping from a trunk to its
//! credential and, optionally, its IP ACL.

use crate::admits;
use crate::api::{Acl, ApiError, Credential, NewTrunk, Trunk};
use crate::app::AppContext;
use crate::components::{
    server_message, AdmitsLine, ConfirmDelete, Dialog, FormError, SipAddress, TextField,
};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar, SortHeader};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sipauth_model::sip::TrunkDirection;
use sipauth_model::AclName;

/// What the trunks refer to, so names resolve.
#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    credentials: Vec<Credential>,
    acls: Vec<Acl>,
}

impl Data {
    fn credential(&self, id: Option<&str>) -> String {
        match id {
            None => "None (deleted): calls fail authentication".to_string(),
            Some(id) => self
                .credentials
                .iter()
                .find(|c| c.credential_uuid == id)
                .map(|c| c.username.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    }

    /// The credential's username, if it still exists.
    fn credential_name(&self, id: Option<&str>) -> Option<String> {
        id.map(|id| self.credential(Some(id)))
    }

    fn acl_name(&self, id: Option<&str>) -> Option<String> {
        id.map(|id| self.acl(Some(id)))
    }

    fn acl(&self, id: Option<&str>) -> String {
        match id {
            None => "—".to_string(),
            Some(id) => self
                .acls
                .iter()
                .find(|a| a.ip_acl_uuid == id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    }
}

fn direction_label(value: &str) -> &'static str {
    TrunkDirection::parse(value).map_or("Unknown", TrunkDirection::label)
}

#[component]
fn TrunkForm(
    /// The trunk being edited; none to create one.
    initial: Option<Trunk>,
    #[prop(into)] credentials: Signal<Vec<Credential>>,
    #[prop(into)] acls: Signal<Vec<Acl>>,
    on_submit: Callback<NewTrunk>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let editing = initial.is_some();
    let init = initial.unwrap_or(Trunk {
        trunk_id: String::new(),
        name: String::new(),
        trunk_direction: TrunkDirection::Outbound.as_str().to_string(),
        credential_uuid: None,
        ip_acl_uuid: None,
        sip_uri: None,
    });
    let name = RwSignal::new(init.name);
    let direction = RwSignal::new(init.trunk_direction);
    let credential = RwSignal::new(init.credential_uuid.unwrap_or_default());
    let acl = RwSignal::new(init.ip_acl_uuid.unwrap_or_default());
    let submitted = RwSignal::new(false);
    let name_error = Signal::derive(move || {
        server_message(server_error, "name").or_else(|| match AclName::parse(&name.get()) {
            Err(e) if submitted.get() || !name.get().is_empty() => {
                Some(format!("Name: {}.", e.problem))
            }
            _ => None,
        })
    });
    let credential_error = Signal::derive(move || {
        server_message(server_error, "credential_uuid").or_else(|| {
            (submitted.get() && credential.get().is_empty())
                .then(|| "Credential: pick the credential the trunk's PBX presents.".to_string())
        })
    });
    // What the trunk will admit, with the picked names, as they change.
    let admitted = Signal::derive(move || {
        let (credential, acl) = credentials
            .with(|cs| acls.with(|al| admits::picked(cs, al, &credential.get(), &acl.get())));
        admits::trunk(
            &direction.get(),
            credential.as_deref(),
            acl.as_deref(),
            true,
        )
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if name_error.get_untracked().is_some() || credential_error.get_untracked().is_some() {
            return;
        }
        on_submit.run(NewTrunk {
            name: name.get_untracked(),
            trunk_direction: direction.get_untracked(),
            credential_uuid: credential.get_untracked(),
            ip_acl_uuid: acl.get_untracked(),
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="trunk-name" label="Name" value=name error=name_error rule=AclName::RULE />
            <div class="field">
                <label for="trunk-direction">"Direction"</label>
                <select
                    id="trunk-direction"
                    aria-describedby="trunk-direction-hint"
                    prop:value=move || direction.get()
                    on:change=move |ev| direction.set(event_target_value(&ev))
                >
                    {TrunkDirection::ALL.iter().map(|d| {
                        let selected = d.as_str() == direction.get_untracked();
                        view! { <option value=d.as_str() selected=selected>{d.label()}</option> }
                    }).collect_view()}
                </select>
                <p id="trunk-direction-hint" class="hint">"An outbound trunk takes your PBX's calls at its SIP address; an inbound trunk takes none from the PBX."</p>
            </div>
            <div class="field">
                <label for="trunk-credential">"Credential"</label>
                <select
                    id="trunk-credential"
                    aria-describedby="trunk-credential-error"
                    aria-invalid=move || if credential_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || credential.get()
                    on:change=move |ev| credential.set(event_target_value(&ev))
                >
                    <option value="">"Pick a credential"</option>
                    {move || credentials.get().into_iter().map(|c| {
                        let selected = c.credential_uuid == credential.get_untracked();
                        view! { <option value=c.credential_uuid.clone() selected=selected>{c.username.clone()}</option> }
                    }).collect_view()}
                </select>
                <p id="trunk-credential-error" class="error" aria-live="polite">{move || credential_error.get()}</p>
            </div>
            <div class="field">
                <label for="trunk-acl">"IP ACL (optional)"</label>
                <select
                    id="trunk-acl"
                    aria-describedby="trunk-acl-hint trunk-admits"
                    prop:value=move || acl.get()
                    on:change=move |ev| acl.set(event_target_value(&ev))
                >
                    <option value="">"None"</option>
                    {move || acls.get().into_iter().map(|a| {
                        let selected = a.ip_acl_uuid == acl.get_untracked();
                        view! { <option value=a.ip_acl_uuid.clone() selected=selected>{a.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p id="trunk-acl-hint" class="hint">"When set, calls must also come from an address in this ACL."</p>
            </div>
            <AdmitsLine id="trunk-admits" admits=admitted />
            <FormError server=server_error />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || match (pending.get(), editing) {
                        (true, _) => "Saving…",
                        (false, true) => "Save trunk",
                        (false, false) => "Create trunk",
                    }}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn TrunksPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/trunks");
    let list = Listing::load(ctx, |api, first| async move {
        api.trunks_from_first(first).await
    });
    let shown = list.shown(
        query,
        |t: &Trunk, needle| t.name.to_lowercase().contains(needle),
        |a, b, key| match key {
            "direction" => a.trunk_direction.cmp(&b.trunk_direction),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        },
    );
    let data = RwSignal::new(Data::default());
    Effect::new(move |_| {
        list.track_reloads();
        let api = ctx.api();
        spawn_local(async move {
            if let (Ok(credentials), Ok(acls)) =
                (api.all_credentials(None).await, api.all_acls().await)
            {
                data.set(Data { credentials, acls });
            }
        });
    });
    let refresh = move || list.refresh();
    let loaded = move || data.get();
    let rows = move || shown.with(|s| s.rows.clone());

    // Create, or edit (a trunk whose credential was deleted gets another).
    let editing = RwSignal::new(None::<Trunk>);
    let create_open = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    let on_save = Callback::new(move |new: NewTrunk| {
        create_pending.set(true);
        create_error.set(None);
        let api = ctx.api();
        let target = editing.get_untracked();
        spawn_local(async move {
            let result = match &target {
                Some(t) => api.update_trunk(&t.trunk_id, &new).await,
                None => api.create_trunk(&new).await.map(drop),
            };
            create_pending.set(false);
            match result {
                Ok(()) => {
                    create_open.set(false);
                    ctx.toasts.success(match target {
                        Some(_) => format!("Saved trunk {}.", new.name),
                        None => format!("Created trunk {}.", new.name),
                    });
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => create_error.set(Some(e)),
            }
        });
    });

    let deleting = RwSignal::new(None::<Trunk>);
    let delete_open = RwSignal::new(false);
    let delete_pending = RwSignal::new(false);
    let confirm_delete = move |()| {
        let Some(target) = deleting.get_untracked() else {
            return;
        };
        delete_pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.delete_trunk(&target.trunk_id).await;
            delete_pending.set(false);
            delete_open.set(false);
            match result {
                Ok(()) => ctx
                    .toasts
                    .success(format!("Deleted trunk {}.", target.name)),
                Err(e) => ctx.report(&e),
            }
            refresh();
        });
    };

    view! {
        <div class="page-head">
            <h1>"Trunks"</h1>
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    editing.set(None);
                    create_error.set(None);
                    create_open.set(true);
                }
            >"Create trunk"</button>
        </div>
        <p class="lead">
            "A trunk carries your PBX's calls: an outbound trunk takes them at its SIP address. Its credential is what the PBX presents; an IP ACL, when set, is where the calls must come from."
        </p>
        <SearchBar id="trunk-search" label="Search by name" query list shown />
        <ListNotice
            what="trunks"
            empty="No trunks yet. Create one and pick the credential its PBX uses."
            no_match=|q| format!("No trunk's name contains \u{201c}{q}\u{201d}.")
            query
            list
            shown
        />
        <Show when=move || !rows().is_empty()>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"Trunks"</caption>
                <thead>
                    <tr>
                        <SortHeader query key="name" label="Name" />
                        <SortHeader query key="direction" label="Direction" />
                        <th scope="col">"SIP address"</th>
                        <th scope="col">"Credential"</th>
                        <th scope="col">"IP ACL"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=|t| t.clone() let:t>
                        {
                            let target = t.clone();
                            let edit = t.clone();
                            let (credential, acl) = (t.credential_uuid.clone(), t.ip_acl_uuid.clone());
                            let (direction, for_rule) = (t.trunk_direction.clone(), t.clone());
                            // Names resolve once the credentials and ACLs are in.
                            let rule = Signal::derive(move || data.with(|d| admits::trunk(
                                &direction,
                                d.credential_name(for_rule.credential_uuid.as_deref()).as_deref(),
                                d.acl_name(for_rule.ip_acl_uuid.as_deref()).as_deref(),
                                false,
                            )));
                            view! {
                                <tr class:warn=t.credential_uuid.is_none()>
                                    <th scope="row">{t.name.clone()}</th>
                                    <td>{direction_label(&t.trunk_direction)}</td>
                                    <td>
                                        {t.sip_uri.clone().map(|uri| view! { <SipAddress uri of=t.name.clone() toasts=ctx.toasts /> })}
                                        <AdmitsLine admits=rule />
                                    </td>
                                    <td>{move || data.with(|d| d.credential(credential.as_deref()))}</td>
                                    <td>{move || data.with(|d| d.acl(acl.as_deref()))}</td>
                                    <td class="row-actions">
                                        <button
                                            type="button"
                                            aria-label=format!("Edit {}", t.name)
                                            on:click=move |_| {
                                                create_error.set(None);
                                                editing.set(Some(edit.clone()));
                                                create_open.set(true);
                                            }
                                        >"Edit"</button>
                                        <button
                                            type="button"
                                            class="danger"
                                            aria-label=format!("Delete {}", t.name)
                                            on:click=move |_| {
                                                deleting.set(Some(target.clone()));
                                                delete_open.set(true);
                                            }
                                        >"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table></div>
        </Show>
        <Pager shown query />

        <Dialog
            id="trunk-form"
            open=create_open
            title=Signal::derive(move || match editing.get() {
                Some(t) => format!("Edit {}", t.name),
                None => "Create trunk".to_string(),
            })
        >
            {move || view! {
                <TrunkForm
                    initial=editing.get()
                    credentials=Signal::derive(move || loaded().credentials)
                    acls=Signal::derive(move || loaded().acls)
                    on_submit=on_save
                    pending=create_pending
                    server_error=create_error
                    on_cancel=Callback::new(move |()| create_open.set(false))
                />
            }}
        </Dialog>
        <ConfirmDelete
            id="delete-trunk"
            open=delete_open
            name=Signal::derive(move || deleting.get().map(|t| t.name).unwrap_or_default())
            consequence="The trunk will be deleted; its credential and IP ACL stay."
            pending=delete_pending
            on_confirm=Callback::new(confirm_delete)
        />
    }
}
