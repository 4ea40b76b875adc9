//! "Delete …?": names the applications it is unassigned from first
//! (plivo) or the trunks it leaves without one (zentrunk).

use super::Credentials;
use crate::api::Credential;
use crate::components::{unassign_and_delete, DeleteDialog, Resource};
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::signals::derive;
use leptos::prelude::*;

pub(super) fn action(page: Credentials) -> DialogAction<(), Credential> {
    page.action(
        // Assigned meanwhile: said in the dialog, with fresh users.
        Keep::Conflict,
        move |target: Credential, ()| {
            let users = page.apps_using(&target.credential_uuid);
            let api = page.ctx.api();
            let list = page.list_id();
            async move {
                let id = target.credential_uuid.clone();
                unassign_and_delete(&api, &users, Resource::Credential, || {
                    let api = api.clone();
                    async move { api.delete_credential(list.as_deref(), &id).await }
                })
                .await?;
                Ok(Done::changed(format!(
                    "Deleted credential {}.",
                    target.username
                )))
            }
        },
    )
}

#[component]
pub(super) fn DeleteCredentialDialog(
    page: Credentials,
    action: DialogAction<(), Credential>,
) -> impl IntoView {
    let target = action.target;
    view! {
        <DeleteDialog
            id="delete-credential"
            open=action.open
            resource=Resource::Credential
            name=action.about(|c| c.username.clone())
            users=derive(move || {
                target.get().map(|c| page.apps_using(&c.credential_uuid)).unwrap_or_default()
            })
            breaks=derive(move || {
                target.get().map(|c| page.breaks(&c.credential_uuid)).unwrap_or_default()
            })
            breaks_kind=page.profile.breaks
            pending=action.pending()
            error=action.error
            on_confirm=action.submit()
        />
    }
}
