//! Applications and what secures them: the mapping from an application to
//! its credential and IP ACL.

use crate::admits;
use crate::api::{auth_type_label, Acl, ApiError, Application, ApplicationInput, Credential};
use crate::app::AppContext;
use crate::components::{
    server_message, AdmitsLine, ConfirmDelete, Dialog, FormError, SipAddress, TextField,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use sipauth_model::sip::SipAuthType;
use sipauth_model::{AnswerUrl, AppName};

/// Everything the page shows, loaded together so names resolve.
#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    apps: Vec<Application>,
    credentials: Vec<Credential>,
    acls: Vec<Acl>,
}

impl Data {
    fn credential_name(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        Some(
            self.credentials
                .iter()
                .find(|c| c.credential_uuid == id)
                .map(|c| c.username.clone())
                .unwrap_or_else(|| id.to_string()),
        )
    }

    fn acl_name(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        Some(
            self.acls
                .iter()
                .find(|a| a.ip_acl_uuid == id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.to_string()),
        )
    }
}

/// Whether `kind` needs a credential and an IP ACL picked.
fn needs(kind: &str) -> (bool, bool) {
    SipAuthType::parse(kind).map_or((false, false), |t| (t.needs_credential(), t.needs_acl()))
}

/// Create or edit an application, with pickers for what secures it.
#[component]
fn ApplicationForm(
    initial: Option<Application>,
    #[prop(into)] credentials: Signal<Vec<Credential>>,
    #[prop(into)] acls: Signal<Vec<Acl>>,
    #[prop(into)] submit_label: String,
    on_submit: Callback<ApplicationInput>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let init = initial.unwrap_or(Application {
        app_id: String::new(),
        app_name: String::new(),
        answer_url: String::new(),
        sip_auth_type: String::new(),
        credential_uuid: None,
        ip_acl_uuid: None,
        sip_uri: None,
    });
    let name = RwSignal::new(init.app_name);
    let url = RwSignal::new(init.answer_url);
    let kind = RwSignal::new(init.sip_auth_type);
    let credential = RwSignal::new(init.credential_uuid.unwrap_or_default());
    let acl = RwSignal::new(init.ip_acl_uuid.unwrap_or_default());
    let submitted = RwSignal::new(false);
    let name_error = Signal::derive(move || {
        server_message(server_error, "app_name").or_else(|| match AppName::parse(&name.get()) {
            Err(e) if submitted.get() || !name.get().is_empty() => {
                Some(format!("Name: {}.", e.problem))
            }
            _ => None,
        })
    });
    let url_error = Signal::derive(move || {
        server_message(server_error, "answer_url").or_else(|| {
            AnswerUrl::parse(&url.get())
                .err()
                .map(|e| format!("Answer URL: {}.", e.problem))
        })
    });
    let credential_error = Signal::derive(move || {
        server_message(server_error, "credential_uuid").or_else(|| {
            (submitted.get() && needs(&kind.get()).0 && credential.get().is_empty())
                .then(|| "Credential: pick the credential callers must present.".to_string())
        })
    });
    let acl_error = Signal::derive(move || {
        server_message(server_error, "ip_acl_uuid").or_else(|| {
            (submitted.get() && needs(&kind.get()).1 && acl.get().is_empty())
                .then(|| "IP ACL: pick the IP ACL callers must come from.".to_string())
        })
    });
    // What the picked setting admits, with the picked names, as it changes.
    let admitted = Signal::derive(move || {
        let (credential, acl) = credentials
            .with(|cs| acls.with(|al| admits::picked(cs, al, &credential.get(), &acl.get())));
        admits::application(&kind.get(), credential.as_deref(), acl.as_deref())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if name_error.get_untracked().is_some()
            || url_error.get_untracked().is_some()
            || credential_error.get_untracked().is_some()
            || acl_error.get_untracked().is_some()
        {
            return;
        }
        let (c, a) = needs(&kind.get_untracked());
        on_submit.run(ApplicationInput {
            app_name: Some(name.get_untracked()),
            answer_url: Some(url.get_untracked()),
            sip_auth_type: Some(kind.get_untracked()),
            credential_uuid: c.then(|| credential.get_untracked()),
            ip_acl_uuid: a.then(|| acl.get_untracked()),
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="app-name" label="Name" value=name error=name_error rule=AppName::RULE />
            <TextField id="app-answer-url" label="Answer URL (optional)" value=url error=url_error rule=AnswerUrl::RULE />
            <div class="field">
                <label for="app-auth-type">"SIP authentication"</label>
                <select
                    id="app-auth-type"
                    aria-describedby="app-auth-type-hint app-auth-type-admits"
                    prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))
                >
                    {SipAuthType::ALL.iter().map(|t| view! {
                        <option value=t.as_str()>{t.label()}</option>
                    }).collect_view()}
                </select>
                <p id="app-auth-type-hint" class="hint">"What a caller must have for this application to take the call."</p>
                <AdmitsLine id="app-auth-type-admits" admits=admitted />
            </div>
            <Show when=move || needs(&kind.get()).0>
                <div class="field">
                    <label for="app-credential">"Credential"</label>
                    <select
                        id="app-credential"
                        aria-describedby="app-credential-error"
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
                    <p id="app-credential-error" class="error" aria-live="polite">{move || credential_error.get()}</p>
                </div>
            </Show>
            <Show when=move || needs(&kind.get()).1>
                <div class="field">
                    <label for="app-acl">"IP ACL"</label>
                    <select
                        id="app-acl"
                        aria-describedby="app-acl-error"
                        aria-invalid=move || if acl_error.get().is_some() { "true" } else { "false" }
                        prop:value=move || acl.get()
                        on:change=move |ev| acl.set(event_target_value(&ev))
                    >
                        <option value="">"Pick an IP ACL"</option>
                        {move || acls.get().into_iter().map(|a| {
                            let selected = a.ip_acl_uuid == acl.get_untracked();
                            view! { <option value=a.ip_acl_uuid.clone() selected=selected>{a.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <p id="app-acl-error" class="error" aria-live="polite">{move || acl_error.get()}</p>
                </div>
            </Show>
            <FormError server=server_error />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>{submit_label}</button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let data = RwSignal::new(None::<Result<Data, ApiError>>);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        reload.track();
        let api = ctx.api();
        spawn_local(async move {
            let result = async {
                Ok::<_, ApiError>(Data {
                    apps: api.all_applications().await?,
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
    let credentials = Signal::derive(move || loaded().credentials);
    let acls = Signal::derive(move || loaded().acls);

    // Create or edit share one dialog; `editing` None means create.
    let form_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<Application>);
    let pending = RwSignal::new(false);
    let form_error = RwSignal::new(None::<ApiError>);
    let on_submit = Callback::new(move |input: ApplicationInput| {
        pending.set(true);
        form_error.set(None);
        let api = ctx.api();
        let target = editing.get_untracked();
        spawn_local(async move {
            let name = input.app_name.clone().unwrap_or_default();
            let result = match &target {
                Some(app) => api.update_application(&app.app_id, &input).await,
                None => api.create_application(&input).await.map(drop),
            };
            pending.set(false);
            match result {
                Ok(()) => {
                    form_open.set(false);
                    ctx.toasts.success(if target.is_some() {
                        format!("Saved {name}.")
                    } else {
                        format!("Created application {name}.")
                    });
                    refresh();
                }
                Err(ApiError::Unauthorized) => ctx.report(&ApiError::Unauthorized),
                Err(e) => form_error.set(Some(e)),
            }
        });
    });

    let deleting = RwSignal::new(None::<Application>);
    let delete_open = RwSignal::new(false);
    let confirm_delete = move |()| {
        let Some(app) = deleting.get_untracked() else {
            return;
        };
        let api = ctx.api();
        spawn_local(async move {
            let result = api.delete_application(&app.app_id).await;
            delete_open.set(false);
            match result {
                Ok(()) => ctx
                    .toasts
                    .success(format!("Deleted application {}.", app.app_name)),
                Err(e) => ctx.report(&e),
            }
            refresh();
        });
    };

    view! {
        <div class="page-head">
            <h1>"Applications"</h1>
            <button
                type="button"
                class="primary"
                on:click=move |_| {
                    editing.set(None);
                    form_error.set(None);
                    form_open.set(true);
                }
            >"Create application"</button>
        </div>
        <p class="lead">"An application takes calls at its SIP address; its SIP authentication alone decides which credential or IP ACL a caller must match."</p>
        {move || match data.get() {
            None => view! { <p role="status">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="error" role="alert">
                    <p>{format!("The applications could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
                </div>
            }
            .into_any(),
            Some(Ok(d)) if d.apps.is_empty() => view! {
                <div class="empty"><p>"No applications yet. Create one to put a credential or an IP ACL to use."</p></div>
            }
            .into_any(),
            Some(Ok(d)) => view! {
                <div class="table-wrap"><table class="list">
                    <caption class="visually-hidden">"Applications"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"SIP address"</th>
                            <th scope="col">"SIP authentication"</th>
                            <th scope="col">"Credential"</th>
                            <th scope="col">"IP ACL"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.apps.iter().map(|a| {
                            let cred_name = d.credential_name(a.credential_uuid.as_deref());
                            let acl_name = d.acl_name(a.ip_acl_uuid.as_deref());
                            let rule = admits::application(&a.sip_auth_type, cred_name.as_deref(), acl_name.as_deref());
                            let cred = cred_name.unwrap_or_else(|| "—".into());
                            let acl_link = a.ip_acl_uuid.clone().map(|id| (format!("/acls/{id}"), acl_name.unwrap_or_default()));
                            let (edit, del) = (a.clone(), a.clone());
                            view! {
                                <tr>
                                    <th scope="row">{a.app_name.clone()}</th>
                                    <td>{match a.sip_uri.clone() {
                                        Some(uri) => view! { <SipAddress uri of=a.app_name.clone() toasts=ctx.toasts /> }.into_any(),
                                        None => "—".into_any(),
                                    }}</td>
                                    <td>
                                        {auth_type_label(&a.sip_auth_type)}
                                        <AdmitsLine admits=rule />
                                    </td>
                                    <td>{cred}</td>
                                    <td>{match acl_link {
                                        Some((href, name)) => view! { <A href=href>{name}</A> }.into_any(),
                                        None => "—".into_any(),
                                    }}</td>
                                    <td class="row-actions">
                                        <button
                                            type="button"
                                            aria-label=format!("Edit {}", a.app_name)
                                            on:click=move |_| {
                                                form_error.set(None);
                                                editing.set(Some(edit.clone()));
                                                form_open.set(true);
                                            }
                                        >"Edit"</button>
                                        <button
                                            type="button"
                                            class="danger"
                                            aria-label=format!("Delete {}", a.app_name)
                                            on:click=move |_| {
                                                deleting.set(Some(del.clone()));
                                                delete_open.set(true);
                                            }
                                        >"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
            }
            .into_any(),
        }}

        <Dialog
            id="application-form"
            open=form_open
            title=Signal::derive(move || match editing.get() {
                Some(a) => format!("Edit {}", a.app_name),
                None => "Create application".to_string(),
            })
        >
            <ApplicationForm
                initial=editing.get_untracked()
                credentials=credentials
                acls=acls
                submit_label=if editing.get_untracked().is_some() { "Save application" } else { "Create application" }
                on_submit=on_submit
                pending=pending
                server_error=form_error
                on_cancel=Callback::new(move |()| form_open.set(false))
            />
        </Dialog>
        <ConfirmDelete
            id="delete-application"
            open=delete_open
            name=Signal::derive(move || deleting.get().map(|a| a.app_name).unwrap_or_default())
            consequence="Calls to this application will no longer be taken. Its credential and IP ACL are kept."
            pending=Signal::derive(|| false)
            on_confirm=Callback::new(confirm_delete)
        />
    }
}
