//! "Rename" and "Delete" on an ACL's own page, as on the list: the same
//! name rule, and the delete names what uses the ACL; after a delete the
//! page goes back to the list.

use crate::api::{Acl, Entry};
use crate::components::{changes, unassign_and_delete, DeleteRowDialog, NameDialog, Resource};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::usage::Usage;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sipauth_model::{AclName, Description, FieldError};

fn acl_name(value: &str) -> Result<String, FieldError> {
    AclName::parse(value).map(|n| n.as_str().to_string())
}

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
        let rename = changes(
            ctx,
            Keep::Invalid,
            refresh,
            |api, acl: Acl, name: String| async move {
                api.rename_acl(&acl.ip_acl_uuid, &name).await?;
                Ok(format!("Renamed {} to {name}.", acl.name))
            },
        );
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
                let id = acl.ip_acl_uuid.clone();
                let users = usage.with_untracked(|u| {
                    u.as_ref()
                        .map(|u| u.apps_using_acl(&id))
                        .unwrap_or_default()
                });
                let (api, navigate) = (ctx.api(), navigate.clone());
                async move {
                    unassign_and_delete(&api, &users, Resource::Acl, || {
                        let api = api.clone();
                        async move { api.delete_acl(&id).await }
                    })
                    .await?;
                    navigate("/acls", Default::default());
                    Ok(Done::unchanged(format!("Deleted IP ACL {}.", acl.name)))
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
    let ctx = expect_context::<AppContext>();
    let users = move |a: Acl| {
        usage.with(|u| {
            u.as_ref()
                .map(|u| u.apps_using_acl(&a.ip_acl_uuid))
                .unwrap_or_default()
        })
    };
    let breaks = move |a: Acl| {
        usage.with(|u| {
            u.as_ref()
                .map(|u| u.acl_breaks(&a.ip_acl_uuid))
                .unwrap_or_default()
        })
    };
    view! {
        <NameDialog
            id="rename-acl"
            action=actions.rename
            title=|a| format!("Rename {}", a.name)
            field_id="acl-name"
            rule=AclName::RULE
            check=acl_name
            initial=|a| a.name.clone()
            submit_label=|_| "Save name"
        />
        <DeleteRowDialog
            id="delete-acl"
            action=actions.delete
            resource=Resource::Acl
            name=|a| a.name.clone()
            users=Callback::new(users)
            breaks=Callback::new(breaks)
            breaks_kind=ctx.profile().breaks
        />
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
