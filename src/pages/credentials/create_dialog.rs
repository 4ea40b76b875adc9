//! "Create credential", in the list shown (twilio) or the account; with a
//! generated password, then "save it now" (it is never shown again).

use super::Credentials;
use crate::api::NewCredential;
use crate::components::{CreateCredentialForm, Dialog, SavePasswordDialog};
use crate::dialog_action::{DialogAction, Done, Keep};
use leptos::prelude::*;
use sipauth_model::Dialect;

/// What the create dialog shares with the "save it now" step.
#[derive(Clone, Copy)]
pub(super) struct Create {
    pub action: DialogAction<NewCredential>,
    /// Whether the password submitted was generated.
    pub generated: RwSignal<bool>,
    /// The username and generated password to show once, after the create.
    reveal: RwSignal<Option<(String, String)>>,
}

pub(super) fn action(page: Credentials) -> Create {
    let generated = RwSignal::new(false);
    let reveal = RwSignal::new(None);
    let action = page.action(Keep::Refusals, move |(), new: NewCredential| {
        let api = page.ctx.api();
        let list = page.list_id();
        let show = generated.get_untracked();
        async move {
            let created = api.create_credential(list.as_deref(), &new).await?;
            if show {
                reveal.set(Some((created.username.clone(), new.password)));
            }
            Ok(Done::changed(format!(
                "Created credential {}.",
                created.username
            )))
        }
    });
    Create {
        action,
        generated,
        reveal,
    }
}

#[component]
pub(super) fn CreateDialog(create: Create, dialect: Dialect) -> impl IntoView {
    let action = create.action;
    view! {
        <Dialog id="create-credential" open=action.open title="Create credential">
            <CreateCredentialForm
                on_submit=action.submit()
                pending=action.pending()
                server_error=action.error
                on_cancel=action.cancel()
                dialect
                generated=create.generated
            />
        </Dialog>
        <SavePasswordDialog id="save-password" shown=create.reveal />
    }
}
