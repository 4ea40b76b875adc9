use super::Dialog;
use crate::api::{auth_type_without, Api, ApiError, Application, ApplicationInput};
use crate::dialog_action::DialogAction;
use crate::signals::derive;
use crate::usage::Breaks;
use leptos::prelude::*;

/// What deleting a credential or an ACL does to the applications using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Credential,
    CredentialList,
    Acl,
}

impl Resource {
    fn noun(self) -> &'static str {
        match self {
            Resource::Credential => "credential",
            Resource::CredentialList => "credential list",
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
    /// What the API lets a delete break or strip (zentrunk trunks, twilio
    /// domains): named, and the delete is then "anyway".
    #[prop(optional, into)]
    breaks: Signal<Vec<String>>,
    #[prop(default = Breaks::Trunks)] breaks_kind: Breaks,
) -> impl IntoView {
    let title = derive(move || format!("Delete {}?", name.get()));
    // An application left with no SIP authentication takes calls from
    // anyone: that line is a warning, the others say what stays.
    let consequence = move |app: &Application| {
        let keeps = auth_type_without(&app.sip_auth_type, resource == Resource::Credential);
        match keeps {
            "ip_acl" => view! { <li>{format!("{} keeps its IP ACL.", app.app_name)}</li> }.into_any(),
            "credential" => view! { <li>{format!("{} keeps its credential.", app.app_name)}</li> }.into_any(),
            _ => view! {
                // A list item cannot be a note itself: the note sits inside it.
                <li class="warned">
                    <p class="admits warning" role="note">
                        <span aria-hidden="true">"⚠ "</span>
                        {format!(
                            "{} is left without SIP authentication: it will accept calls from any address.",
                            app.app_name
                        )}
                    </p>
                </li>
            }
            .into_any(),
        }
    };
    view! {
        <Dialog id=id open=open title=title>
            {move || {
                let apps = users.get();
                let broken = breaks.get();
                if !broken.is_empty() {
                    let one = broken.len() == 1;
                    let them = if one { "it" } else { "them" };
                    let names = broken.join(", ");
                    let text = match breaks_kind {
                        // A trunk without its credential refuses every call; one
                        // without its ACL takes calls from anywhere: looser, not blocked.
                        Breaks::Trunks if resource == Resource::Acl => format!(
                            "{} {} this IP ACL. Deleting it leaves {them} with no IP restriction: calls that authenticate with {} credential are then accepted from any address. This cannot be undone.",
                            if one { "The trunk" } else { "The trunks" },
                            if one { format!("{names} uses") } else { format!("{names} use") },
                            if one { "its" } else { "their" },
                        ),
                        Breaks::Trunks => format!(
                            "{} {} this {}. Deleting it leaves {them} without one: SIP traffic through {them} fails authentication until you give {them} another. This cannot be undone.",
                            if one { "The trunk" } else { "The trunks" },
                            if one { format!("{names} uses") } else { format!("{names} use") },
                            resource.noun(),
                        ),
                        Breaks::Domains => format!(
                            "{} {} this {}. Deleting it removes it from {them}: what it let in there is refused{}. This cannot be undone.",
                            if one { "The domain" } else { "The domains" },
                            if one { format!("{names} maps") } else { format!("{names} map") },
                            resource.noun(),
                            if resource == Resource::CredentialList { ", and its credentials are deleted with it" } else { "" },
                        ),
                    };
                    view! { <p class="warning" role="alert">{text}</p> }.into_any()
                } else if apps.is_empty() {
                    view! {
                        <p>{match resource {
                            Resource::CredentialList => "This credential list and the credentials in it will be deleted. This cannot be undone.".to_string(),
                            _ => format!("This {} will be deleted. This cannot be undone.", resource.noun()),
                        }}</p>
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
                            {apps.iter().map(consequence).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            <ConfirmButtons open pending error on_confirm label=derive(move || {
                if !breaks.get().is_empty() {
                    format!("Delete {} anyway", name.get())
                } else if users.get().is_empty() {
                    format!("Delete {}", name.get())
                } else {
                    format!("Unassign and delete {}", name.get())
                }
            }) />
        </Dialog>
    }
}

/// A [`DeleteDialog`] about the row `action` is open for: `users` and
/// `breaks` say who uses that row.
#[component]
pub fn DeleteRowDialog<T: Clone + Send + Sync + 'static>(
    id: &'static str,
    action: DialogAction<(), T>,
    resource: Resource,
    name: fn(&T) -> String,
    /// The applications it is unassigned from first (plivo).
    #[prop(optional)]
    users: Option<Callback<T, Vec<Application>>>,
    breaks: Callback<T, Vec<String>>,
    breaks_kind: Breaks,
) -> impl IntoView {
    let target = action.target;
    let users = derive(move || {
        target
            .get()
            .zip(users)
            .map(|(t, users)| users.run(t))
            .unwrap_or_default()
    });
    let breaks = derive(move || target.get().map(|t| breaks.run(t)).unwrap_or_default());
    view! {
        <DeleteDialog
            id
            open=action.open
            resource
            name=action.about(name)
            users
            breaks
            breaks_kind
            pending=action.pending()
            error=action.error
            on_confirm=action.submit()
        />
    }
}

/// A delete that breaks nothing else: names the row, says what stays, and
/// asks; `action` sends it.
#[component]
pub fn ConfirmDelete<T: Clone + Send + Sync + 'static>(
    id: &'static str,
    action: DialogAction<(), T>,
    /// The row's name, as in "Delete {name}?".
    name: fn(&T) -> String,
    /// What happens, and what is kept.
    consequence: &'static str,
) -> impl IntoView {
    let name = action.about(name);
    let (open, pending, error) = (action.open, action.pending(), action.error.into());
    view! { <ConfirmDeleteView id open name consequence pending error on_confirm=action.submit() /> }
}

/// What [`ConfirmDelete`] shows, apart so that it is built once, not once
/// per kind of row.
#[component]
fn ConfirmDeleteView(
    id: &'static str,
    open: RwSignal<bool>,
    name: Signal<String>,
    consequence: &'static str,
    pending: Signal<bool>,
    error: Signal<Option<ApiError>>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let title = derive(move || format!("Delete {}?", name.get()));
    let label = derive(move || format!("Delete {}", name.get()));
    view! {
        <Dialog id=id open=open title=title>
            <p>{consequence} " This cannot be undone."</p>
            <ConfirmButtons open pending error on_confirm label />
        </Dialog>
    }
}

/// The end of a delete dialog: why it was refused, if it was, then the
/// button that deletes (waiting while the request is under way) and Cancel.
#[component]
pub fn ConfirmButtons(
    open: RwSignal<bool>,
    pending: Signal<bool>,
    error: Signal<Option<ApiError>>,
    on_confirm: Callback<()>,
    label: Signal<String>,
) -> impl IntoView {
    view! {
        {move || error.get().map(|e| view! { <p class="error form-error" role="alert">{e.to_string()}</p> })}
        <div class="actions">
            <button
                type="button"
                class="danger"
                disabled=move || pending.get()
                on:click=move |_| on_confirm.run(())
            >
                {move || label.get()}
            </button>
            <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
        </div>
    }
}
