use super::Dialog;
use crate::api::{auth_type_without, Api, ApiError, Application, ApplicationInput};
use leptos::prelude::*;

/// What deleting a credential or an ACL does to the applications using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Credential,
    Acl,
}

impl Resource {
    fn noun(self) -> &'static str {
        match self {
            Resource::Credential => "credential",
            Resource::Acl => "IP ACL",
        }
    }
}

/// Takes `resource` away from each application (keeping the other half of
/// "credential and IP ACL"), then deletes it with `delete`.
pub async fn unassign_and_delete<F, Fut>(
    api: &Api,
    users: &[Application],
    resource: Resource,
    delete: F,
) -> Result<(), ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    for app in users {
        let kind = auth_type_without(&app.sip_auth_type, resource == Resource::Credential);
        let change = ApplicationInput {
            sip_auth_type: Some(kind.to_string()),
            ..ApplicationInput::default()
        };
        api.update_application(&app.app_id, &change).await?;
    }
    delete().await
}

/// Confirms a delete, naming it and, when applications use it, naming them
/// and saying what each keeps; then the button unassigns and deletes.
#[component]
pub fn DeleteDialog(
    id: &'static str,
    open: RwSignal<bool>,
    resource: Resource,
    #[prop(into)] name: Signal<String>,
    #[prop(into)] users: Signal<Vec<Application>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let title = Signal::derive(move || format!("Delete {}?", name.get()));
    let consequence = move |app: &Application| {
        let keeps = auth_type_without(&app.sip_auth_type, resource == Resource::Credential);
        match keeps {
            "ip_acl" => format!("{} keeps its IP ACL.", app.app_name),
            "credential" => format!("{} keeps its credential.", app.app_name),
            _ => format!("{} is left without SIP authentication.", app.app_name),
        }
    };
    view! {
        <Dialog id=id open=open title=title>
            {move || {
                let apps = users.get();
                if apps.is_empty() {
                    view! {
                        <p>{format!("This {} will be deleted. This cannot be undone.", resource.noun())}</p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p>
                            {format!(
                                "This {} is assigned to {} application{}. It is unassigned from them first:",
                                resource.noun(),
                                apps.len(),
                                if apps.len() == 1 { "" } else { "s" },
                            )}
                        </p>
                        <ul class="consequences">
                            {apps.iter().map(|a| view! { <li>{consequence(a)}</li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="error form-error" role="alert">{e.to_string()}</p> })}
            <div class="actions">
                <button
                    type="button"
                    class="danger"
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || {
                        if users.get().is_empty() {
                            format!("Delete {}", name.get())
                        } else {
                            format!("Unassign and delete {}", name.get())
                        }
                    }}
                </button>
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </Dialog>
    }
}
