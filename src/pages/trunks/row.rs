//! One trunk in the list: where it takes calls, what it admits, and its
//! Edit and Delete buttons.

use crate::admits;
use crate::api::Trunk;
use crate::components::{AdmitsLine, Refs, RowActions, RowButtons, SipAddress};
use crate::context::AppContext;
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::sip::TrunkDirection;

/// `refs`: the credentials and ACLs, so names resolve once they are in.
#[component]
pub fn TrunkRow(trunk: Trunk, refs: Signal<Refs>, buttons: RowButtons) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let t = trunk;
    let (credential, acl) = (t.credential_uuid.clone(), t.ip_acl_uuid.clone());
    let rule = {
        let t = t.clone();
        derive(move || {
            refs.with(|r| {
                admits::trunk(
                    &t.trunk_direction,
                    r.credential_name(t.credential_uuid.as_deref()).as_deref(),
                    r.acl_name(t.ip_acl_uuid.as_deref()).as_deref(),
                    false,
                )
            })
        })
    };
    let credential = move || {
        refs.with(|r| r.credential_name(credential.as_deref()))
            .unwrap_or_else(|| "None (deleted): calls fail authentication".to_string())
    };
    let acl = move || {
        refs.with(|r| r.acl_name(acl.as_deref()))
            .unwrap_or_else(|| "—".to_string())
    };
    view! {
        <tr class:warn=t.credential_uuid.is_none()>
            <th scope="row">{t.name.clone()}</th>
            <td>{TrunkDirection::parse(&t.trunk_direction).map_or("Unknown", TrunkDirection::label)}</td>
            <td>
                {t.sip_uri.clone().map(|uri| view! { <SipAddress uri of=t.name.clone() toasts=ctx.toasts /> })}
                <AdmitsLine admits=rule />
            </td>
            <td>{credential}</td>
            <td>{acl}</td>
            <RowActions name=t.name.clone() edit="Edit" on_edit=buttons.edit on_delete=buttons.delete />
        </tr>
    }
}
