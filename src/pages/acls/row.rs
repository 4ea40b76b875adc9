//! One IP ACL in the list: its entries, what uses it, and its Rename and
//! Delete buttons.

use crate::api::Acl;
use crate::components::{names_or_dash, RowActions, RowButtons};
use crate::usage::Usage;
use leptos::prelude::*;
use leptos_router::components::A;
use sipauth_model::quota;

#[component]
pub fn AclRow(acl: Acl, usage: Memo<Usage>, buttons: RowButtons) -> impl IntoView {
    let id = acl.ip_acl_uuid.clone();
    let used_by = move || names_or_dash(usage.with(|u| u.acl_users(&id)));
    let (href, label) = (format!("/acls/{}", acl.ip_acl_uuid), acl.name.clone());
    view! {
        <tr>
            <th scope="row"><A href=href>{label}</A></th>
            <td>{format!("{} of {}", acl.entries.len(), quota::ENTRIES_PER_ACL)}</td>
            <td>{used_by}</td>
            <RowActions name=acl.name edit="Rename" on_edit=buttons.edit on_delete=buttons.delete />
        </tr>
    }
}
