//! "Create credential", in the list shown (twilio) or the account.

use super::Credentials;
use crate::api::NewCredential;
use crate::components::{CreateCredentialForm, Dialog};
use crate::dialog_action::{DialogAction, Done, Keep};
use leptos::prelude::*;
use sipauth_model::Dialect;

pub(super) fn action(page: Credentials) -> DialogAction<NewCredential> {
    page.action(Keep::Refusals, move |(), new: NewCredential| {
        let api = page.ctx.api();
        let list = page.list_id();
        async move {
            let created = api.create_credential(list.as_deref(), &new).await?;
            Ok(Done::changed(format!(
                "Created credential {}.",
                created.username
            )))
        }
    })
}

#[component]
pub(super) fn CreateDialog(action: DialogAction<NewCredential>, dialect: Dialect) -> impl IntoView {
    view! {
        <Dialog id="create-credential" open=action.open title="Create credential">
            <CreateCredentialForm
                on_submit=action.submit()
                pending=action.pending()
                server_error=action.error
                on_cancel=action.cancel()
                dialect
            />
        </Dialog>
    }
}
