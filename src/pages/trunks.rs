//! Zentrunk trunks and what secures them: the mapping from a trunk to its
//! credential and, optionally, its IP ACL.

use crate::api::{Acl, ApiError, Credential, NewTrunk, Trunk, DIRECTIONS};
use crate::app::AppContext;
use crate::components::{Dialog, TextField};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sipauth_model::AclName;

/// Everything the page shows, loaded together so names resolve.
#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    trunks: Vec<Trunk>,
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
    DIRECTIONS
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("Unknown", |(_, label)| label)
}

#[component]
fn TrunkForm(
    #[prop(into)] credentials: Signal<Vec<Credential>>,
    #[prop(into)] acls: Signal<Vec<Acl>>,
    on_submit: Callback<NewTrunk>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let direction = RwSignal::new("outbound".to_string());
    let credential = RwSignal::new(String::new());
    let acl = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server_for = move |field: &'static str| {
        server_error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| e.to_string())
    };
    let name_error = Signal::derive(move || {
        server_for("name").or_else(|| match AclName::parse(&name.get()) {
            Err(e) if submitted.get() || !name.get().is_empty() => {
                Some(format!("Name: {}.", e.problem))
            }
            _ => None,
        })
    });
    let credential_error = Signal::derive(move || {
        server_for("credential_uuid").or_else(|| {
            (submitted.get() && credential.get().is_empty())
                .then(|| "Credential: pick the credential the trunk's PBX presents.".to_string())
        })
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
            ip_acl_uuid: Some(acl.get_untracked()).filter(|a| !a.is_empty()),
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="trunk-name" label="Name" value=name error=name_error rule=AclName::RULE />
            <div class="field">
                <label for="trunk-direction">"Direction"</label>
                <select
                    id="trunk-direction"
                    prop:value=move || direction.get()
                    on:change=move |ev| direction.set(event_target_value(&ev))
                >
                    {DIRECTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                </select>
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
                        view! { <option value=c.credential_uuid.clone()>{c.username.clone()}</option> }
                    }).collect_view()}
                </select>
                <p id="trunk-credential-error" class="error" aria-live="polite">{move || credential_error.get()}</p>
            </div>
            <div class="field">
                <label for="trunk-acl">"IP ACL (optional)"</label>
                <select
                    id="trunk-acl"
                    aria-describedby="trunk-acl-hint"
                    prop:value=move || acl.get()
                    on:change=move |ev| acl.set(event_target_value(&ev))
                >
                    <option value="">"None"</option>
                    {move || acls.get().into_iter().map(|a| {
                        view! { <option value=a.ip_acl_uuid.clone()>{a.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p id="trunk-acl-hint" class="hint">"When set, calls must also come from an address in this ACL."</p>
            </div>
            {move || server_error.get().filter(|e| e.field().is_none()).map(|e| view! {
                <p class="error form-error" role="alert">{e.to_string()}</p>
            })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create trunk" }}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn TrunksPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let data = RwSignal::new(None::<Result<Data, ApiError>>);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        let api = ctx.api();
        spawn_local(async move {
            let result = async {
                Ok::<_, ApiError>(Data {
                    trunks: api.all_trunks().await?,
                    credentials: api.all_credentials(None).await?,
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
    let refresh = move || reload.update(|n| *n += 1);
    let loaded = move || data.get().and_then(Result::ok).unwrap_or_default();

    let create_open = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    let on_create = Callback::new(move |new: NewTrunk| {
        create_pending.set(true);
        create_error.set(None);
        let api = ctx.api();
        spawn_local(async move {
            let result = api.create_trunk(&new).await;
            create_pending.set(false);
            match result {
                Ok(_) => {
                    create_open.set(false);
                    ctx.toasts.success(format!("Created trunk {}.", new.name));
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
    let confirm_delete = move |_| {
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
                    create_error.set(None);
                    create_open.set(true);
                }
            >"Create trunk"</button>
        </div>
        <p class="lead">
            "A trunk carries your PBX's calls. Its credential is what the PBX presents; an IP ACL, when set, is where the calls must come from."
        </p>
        {move || match data.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="error" role="alert">
                    <p>{format!("The trunks could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
                </div>
            }.into_any(),
            Some(Ok(d)) if d.trunks.is_empty() => view! {
                <div class="empty"><p>"No trunks yet. Create one and pick the credential its PBX uses."</p></div>
            }.into_any(),
            Some(Ok(d)) => view! {
                <div class="table-wrap"><table class="list">
                    <caption class="visually-hidden">"Trunks"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Direction"</th>
                            <th scope="col">"Credential"</th>
                            <th scope="col">"IP ACL"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.trunks.iter().map(|t| {
                            let target = t.clone();
                            view! {
                                <tr class:warn=t.credential_uuid.is_none()>
                                    <th scope="row">{t.name.clone()}</th>
                                    <td>{direction_label(&t.trunk_direction)}</td>
                                    <td>{d.credential(t.credential_uuid.as_deref())}</td>
                                    <td>{d.acl(t.ip_acl_uuid.as_deref())}</td>
                                    <td class="row-actions">
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
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any(),
        }}

        <Dialog id="create-trunk" open=create_open title="Create trunk">
            <TrunkForm
                credentials=Signal::derive(move || loaded().credentials)
                acls=Signal::derive(move || loaded().acls)
                on_submit=on_create
                pending=create_pending
                server_error=create_error
                on_cancel=Callback::new(move |()| create_open.set(false))
            />
        </Dialog>
        <Dialog
            id="delete-trunk"
            open=delete_open
            title=Signal::derive(move || format!("Delete {}?", deleting.get().map(|t| t.name).unwrap_or_default()))
        >
            <p>"The trunk will be deleted; its credential and IP ACL stay. This cannot be undone."</p>
            <div class="actions">
                <button type="button" class="danger" disabled=move || delete_pending.get() on:click=confirm_delete>
                    {move || format!("Delete {}", deleting.get().map(|t| t.name).unwrap_or_default())}
                </button>
                <button type="button" on:click=move |_| delete_open.set(false)>"Cancel"</button>
            </div>
        </Dialog>
    }
}
