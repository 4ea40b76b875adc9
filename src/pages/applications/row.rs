//! One application in the list: its SIP address, what its SIP
//! authentication admits, and its Edit and Delete buttons.

use crate::admits;
use crate::api::{auth_type_label, Application};
use crate::components::{AdmitsLine, Refs, RowActions, RowButtons, SipAddress};
use crate::context::AppContext;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ApplicationRow(app: Application, refs: Refs, buttons: RowButtons) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let a = app;
    let cred_name = refs.credential_name(a.credential_uuid.as_deref());
    let acl_name = refs.acl_name(a.ip_acl_uuid.as_deref());
    let rule = admits::application(&a.sip_auth_type, cred_name.as_deref(), acl_name.as_deref());
    let acl_link = a
        .ip_acl_uuid
        .clone()
        .map(|id| (format!("/acls/{id}"), acl_name.unwrap_or_default()));
    view! {
        <tr>
            <th scope="row">{a.app_name.clone()}</th>
            <td>{match a.sip_uri.clone() {
                Some(uri) => view! { <SipAddress uri of=a.app_name.clone() toasts=ctx.toasts /> }.into_any(),
                None => "—".into_any(),
            }}</td>
            <td>
                {auth_type_label(&a.sip_auth_type)}
                <AdmitsLine admits=rule />
            </td>
            <td>{cred_name.unwrap_or_else(|| "—".into())}</td>
            <td>{match acl_link {
                Some((href, name)) => view! { <A href=href>{name}</A> }.into_any(),
                None => "—".into_any(),
            }}</td>
            <RowActions name=a.app_name.clone() edit="Edit" on_edit=buttons.edit on_delete=buttons.delete />
        </tr>
    }
}
