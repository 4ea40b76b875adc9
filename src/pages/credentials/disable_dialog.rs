//! "Disable …?" (vobiz): a live credential stops authenticating at once,
//! so disabling asks first; enabling again needs no confirmation.

use super::Credentials;
use crate::api::Credential;
use crate::components::{ConfirmButtons, Dialog};
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::signals::derive;
use leptos::prelude::*;

pub(super) fn action(page: Credentials) -> DialogAction<(), Credential> {
    page.action(Keep::Invalid, move |target: Credential, ()| {
        let api = page.ctx.api();
        async move {
            api.set_enabled(&target.credential_uuid, false).await?;
            Ok(Done::changed(format!(
                "Disabled {}: it is kept but can no longer authenticate.",
                target.username
            )))
        }
    })
}

#[component]
pub(super) fn DisableDialog(action: DialogAction<(), Credential>) -> impl IntoView {
    let name = action.about(|c| c.username.clone());
    let title = derive(move || format!("Disable {}?", name.get()));
    let label = derive(move || format!("Disable {}", name.get()));
    view! {
        <Dialog id="disable-credential" open=action.open title>
            <p>
                {move || format!(
                    "Devices using {} stop authenticating at once: their registrations and calls are refused. The credential is kept, and you can enable it again.",
                    name.get()
                )}
            </p>
            <ConfirmButtons
                open=action.open
                pending=action.pending()
                error=action.error.into()
                on_confirm=action.submit()
                label
            />
        </Dialog>
    }
}
