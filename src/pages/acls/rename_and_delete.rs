//! Renaming and deleting an IP ACL, the same from the list and from the
//! ACL's own page: the name rule, the requests and the two dialogs.

use crate::api::{Acl, Api, ApiError, Application};
use crate::components::{changes, unassign_and_delete, DeleteRowDialog, NameDialog, Resource};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Keep};
use crate::usage::Usage;
use leptos::prelude::*;
use sipauth_model::{AclName, FieldError};

/// An ACL name as sent: the model's rule, trimmed as it trims.
pub fn acl_name(value: &str) -> Result<String, FieldError> {
    AclName::parse(value).map(|n| n.as_str().to_string())
}

/// The "Rename …" dialog's request.
pub fn rename_acl(ctx: AppContext, refresh: Callback<()>) -> DialogAction<String, Acl> {
    changes(
        ctx,
        Keep::Invalid,
        refresh,
        |api, acl: Acl, name: String| async move {
            api.rename_acl(&acl.ip_acl_uuid, &name).await?;
            Ok(format!("Renamed {} to {name}.", acl.name))
        },
    )
}

/// Deletes `acl`, unassigning the applications that use it first (trunks
/// and domains are named in the dialog); the toast's words.
pub async fn delete_acl(api: Api, acl: Acl, users: Vec<Application>) -> Result<String, ApiError> {
    let id = acl.ip_acl_uuid.clone();
    unassign_and_delete(&api, &users, Resource::Acl, || {
        let api = api.clone();
        let id = id.clone();
        async move { api.delete_acl(&id).await }
    })
    .await?;
    Ok(format!("Deleted IP ACL {}.", acl.name))
}

/// The rename and delete dialogs, the delete naming what uses the ACL.
#[component]
pub fn RenameAndDeleteAcl(
    rename: DialogAction<String, Acl>,
    delete: DialogAction<(), Acl>,
    #[prop(into)] usage: Signal<Usage>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    view! {
        <NameDialog
            id="rename-acl"
            action=rename
            title=|a| format!("Rename {}", a.name)
            field_id="acl-name"
            rule=AclName::RULE
            check=acl_name
            initial=|a| a.name.clone()
            submit_label=|_| "Save name"
        />
        <DeleteRowDialog
            id="delete-acl"
            action=delete
            resource=Resource::Acl
            name=|a| a.name.clone()
            users=Callback::new(move |a: Acl| usage.with(|u| u.apps_using_acl(&a.ip_acl_uuid)))
            breaks=Callback::new(move |a: Acl| usage.with(|u| u.acl_breaks(&a.ip_acl_uuid)))
            breaks_kind=ctx.profile().breaks
        />
    }
}
