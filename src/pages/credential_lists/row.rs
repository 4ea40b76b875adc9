//! One credential list: its name (a link to its credentials), the domains
//! that map it, its SID, and its Rename and Delete buttons.

use crate::api::CredentialList;
use crate::components::{names_or_dash, CopyValue, RowActions, RowButtons, Stamp};
use crate::context::AppContext;
use crate::usage::Usage;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn CredentialListRow(
    list: CredentialList,
    usage: Memo<Usage>,
    buttons: RowButtons,
) -> impl IntoView {
    let l = list;
    let (href, label) = (
        format!("/credential-lists/{}", l.sid),
        l.friendly_name.clone(),
    );
    let sid = l.sid.clone();
    let toasts = expect_context::<AppContext>().toasts;
    let used_by = move || names_or_dash(usage.with(|u| u.credential_list_users(&sid)));
    view! {
        <tr>
            <th scope="row"><A href=href>{label}</A></th>
            <td>{used_by}</td>
            <td class="id">
                <CopyValue value=l.sid.clone() what=format!("ID of {}", l.friendly_name) toasts />
                <Stamp created=l.date_created.clone() updated=l.date_updated.clone() />
            </td>
            <RowActions name=l.friendly_name edit="Rename" on_edit=buttons.edit on_delete=buttons.delete />
        </tr>
    }
}
