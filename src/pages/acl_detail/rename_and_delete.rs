//! "Rename" and "Delete" on an ACL's own page, as on the list: the same
//! name rule, and the delete names what uses the ACL; after a delete the
//! page goes back to the list.

use crate::api::{Acl, Entry};
use crate::components::{changes, NameDialog};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::pages::acls::{delete_acl, rename_acl, RenameAndDeleteAcl};
use crate::signals::derive;
use crate::usage::Usage;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sipauth_model::{Description, FieldError};

fn description(value: &str) -> Result<String, FieldError> {
    Description::parse(value).map(|_| value.trim().to_string())
}

/// The page's three dialogs: rename, delete, and an entry's description.
#[derive(Clone, Copy)]
pub struct AclActions {
    pub rename: DialogAction<String, Acl>,
    pub delete: DialogAction<(), Acl>,
    pub describe: DialogAction<String, Entry>,
}

impl AclActions {
    pub fn new(
        ctx: AppContext,
        acl_id: Memo<String>,
        usage: RwSignal<Option<Usage>>,
        refresh: Callback<()>,
    ) -> Self {
        let rename = rename_acl(ctx, refresh);
        let navigate = use_navigate();
        // After a delete the page leaves for the list, so nothing of it may
        // run afterwards: no refresh (`Done::unchanged`), which would call
        // into the page that is gone. A conflict (assigned meanwhile) keeps
        // the dialog and refreshes the page, which is still there.
        let delete = DialogAction::new(
            ctx,
            Keep::Conflict,
            move || refresh.run(()),
            move |acl: Acl, ()| {
                let users = usage.with_untracked(|u| {
                    u.as_ref()
                        .map(|u| u.apps_using_acl(&acl.ip_acl_uuid))
                        .unwrap_or_default()
                });
                let (api, navigate) = (ctx.api(), navigate.clone());
                async move {
                    let said = delete_acl(api, acl, users).await?;
                    navigate("/acls", Default::default());
                    Ok(Done::unchanged(said))
                }
            },
        );
        let describe = changes(
            ctx,
            Keep::Invalid,
            refresh,
            move |api, entry: Entry, text: String| {
                let acl = acl_id.get_untracked();
                async move {
                    api.set_entry_description(&acl, &entry, &text).await?;
                    Ok(format!(
                        "Saved the description of {}/{}.",
                        entry.ip, entry.cidr_prefix
                    ))
                }
            },
        );
        AclActions {
            rename,
            delete,
            describe,
        }
    }
}

#[component]
pub fn AclDialogs(actions: AclActions, usage: RwSignal<Option<Usage>>) -> impl IntoView {
    let usage = derive(move || usage.get().unwrap_or_default());
    view! {
        <RenameAndDeleteAcl rename=actions.rename delete=actions.delete usage />
        <NameDialog
            id="describe-entry"
            action=actions.describe
            title=|e| format!("Description of {}/{}", e.ip, e.cidr_prefix)
            field_id="entry-new-description"
            label="Description"
            rule=Description::RULE
            check=description
            initial=|e| e.description.clone()
            submit_label=|_| "Save description"
        />
    }
}
