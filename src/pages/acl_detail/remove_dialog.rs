//! "Remove …?": what removing an entry stops, then Remove or Cancel.

use crate::api::Entry;
use crate::components::{deletes, entry_label, ConfirmButtons, Dialog};
use crate::context::AppContext;
use crate::dialog_action::DialogAction;
use leptos::prelude::*;

/// Removes the entry the dialog is open for from the ACL `acl_id`.
pub fn action(
    ctx: AppContext,
    acl_id: Memo<String>,
    refresh: Callback<()>,
) -> DialogAction<(), Entry> {
    deletes(ctx, refresh, move |api, entry: Entry| {
        let acl = acl_id.get_untracked();
        async move {
            api.remove_entry(&acl, &entry.entry_id).await?;
            Ok(format!("Removed {}.", entry_label(&entry)))
        }
    })
}

#[component]
pub fn RemoveEntryDialog(
    action: DialogAction<(), Entry>,
    /// The ACL's name.
    #[prop(into)]
    acl_name: Signal<String>,
) -> impl IntoView {
    view! {
        <Dialog id="remove-entry" open=action.open title=action.about(|e| format!("Remove {}?", entry_label(e)))>
            <p>{move || format!("Calls from this range will no longer be admitted by {}.", acl_name.get())}</p>
            <ConfirmButtons
                open=action.open
                pending=action.pending()
                error=action.error.into()
                on_confirm=action.submit()
                label=action.about(|e| format!("Remove {}", entry_label(e)))
            />
        </Dialog>
    }
}
