//! "Change password of …": a new password under the dialect's rules.

use super::Credentials;
use crate::api::Credential;
use crate::components::{ChangePasswordForm, Dialog};
use crate::dialog_action::{DialogAction, Done, Keep};
use leptos::prelude::*;
use sipauth_model::Dialect;

pub(super) fn action(page: Credentials) -> DialogAction<String, Credential> {
    page.action(
        Keep::Invalid,
        move |target: Credential, password: String| {
            let api = page.ctx.api();
            let list = page.list_id();
            async move {
                api.change_password(list.as_deref(), &target.credential_uuid, &password)
                    .await?;
                // The list shows no password: nothing to refresh.
                Ok(Done::unchanged(format!(
                    "Changed the password of {}. Update the devices that use it.",
                    target.username
                )))
            }
        },
    )
}

#[component]
pub(super) fn PasswordDialog(
    action: DialogAction<String, Credential>,
    dialect: Dialect,
) -> impl IntoView {
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
            />
        </Dialog>
    }
}
