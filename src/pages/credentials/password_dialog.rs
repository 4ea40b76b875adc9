//! "Change password of …": a new password under the dialect's rules; a
//! generated one is then shown once more to save, as after a create.

use super::Credentials;
use crate::api::Credential;
use crate::components::{ChangePasswordForm, Dialog, SavePasswordDialog};
use crate::dialog_action::{DialogAction, Done, Keep};
use leptos::prelude::*;
use sipauth_model::Dialect;

/// The dialog's request and its "save it now" step.
#[derive(Clone, Copy)]
pub(super) struct Change {
    pub action: DialogAction<String, Credential>,
    /// Whether the password submitted was generated.
    generated: RwSignal<bool>,
    /// The username and generated password to show once, after the change.
    reveal: RwSignal<Option<(String, String)>>,
}

impl Change {
    pub fn show_for(&self, credential: Credential) {
        self.generated.set(false);
        self.action.show_for(credential);
    }
}

pub(super) fn action(page: Credentials) -> Change {
    let generated = RwSignal::new(false);
    let reveal = RwSignal::new(None);
    let action = page.action(
        Keep::Invalid,
        move |target: Credential, password: String| {
            let api = page.ctx.api();
            let list = page.list_id();
            let show = generated.get_untracked();
            async move {
                api.change_password(list.as_deref(), &target.credential_uuid, &password)
                    .await?;
                if show {
                    reveal.set(Some((target.username.clone(), password)));
                }
                // The list shows no password: nothing to refresh.
                Ok(Done::unchanged(format!(
                    "Changed the password of {}. Update the devices that use it.",
                    target.username
                )))
            }
        },
    );
    Change {
        action,
        generated,
        reveal,
    }
}

#[component]
pub(super) fn PasswordDialog(change: Change, dialect: Dialect) -> impl IntoView {
    let action = change.action;
    view! {
        <Dialog
            id="change-password"
            open=action.open
            title=action.about(|c| format!("Change password of {}", c.username))
        >
            <ChangePasswordForm
                on_submit=action.submit()
                pending=action.pending()
                server_error=action.error
                on_cancel=action.cancel()
                dialect
                generated=change.generated
            />
        </Dialog>
        <SavePasswordDialog id="save-changed-password" shown=change.reveal />
    }
}
