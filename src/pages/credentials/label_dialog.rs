//! "Rename …" (zentrunk's name) or "Edit description of …" (vobiz's).

use super::Credentials;
use crate::api::Credential;
use crate::components::{Dialog, NameForm};
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::profile::CredentialLabel;
use leptos::prelude::*;

pub(super) fn action(
    page: Credentials,
    label: CredentialLabel,
) -> DialogAction<String, Credential> {
    page.action(Keep::Invalid, move |target: Credential, value: String| {
        let api = page.ctx.api();
        async move {
            api.set_label(&target.credential_uuid, &value).await?;
            Ok(Done::changed((label.saved)(&target.username, &value)))
        }
    })
}

#[component]
pub(super) fn LabelDialog(
    action: DialogAction<String, Credential>,
    label: CredentialLabel,
) -> impl IntoView {
    view! {
        <Dialog
            id="credential-label"
            open=action.open
            title=action.about(move |c| label.action_on(&c.username))
        >
            {move || action.target.get().map(|c| view! {
                <NameForm
                    id="credential-label-value"
                    label=label.label
                    field=label.field
                    rule=label.rule
                    check=label.slot.checker()
                    initial=label.slot.read(&c).unwrap_or_default()
                    submit_label="Save"
                    on_submit=action.submit()
                    pending=action.pending()
                    server_error=action.error
                    on_cancel=action.cancel()
                />
            })}
        </Dialog>
    }
}
