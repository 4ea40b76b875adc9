//! One operator: role, accounts, status, when added and last signed in,
//! and the buttons that open the row's dialogs.

use super::RowActions;
use crate::api::Operator;
use crate::components::{opens, RowActions as Buttons, When};
use crate::context::AppContext;
use leptos::prelude::*;

#[component]
pub fn OperatorRow(operator: Operator, actions: RowActions) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let o = operator;
    let you = ctx
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.operator == o.username));
    let accounts = match &o.accounts {
        None => "All accounts".to_string(),
        Some(ids) if ids.is_empty() => "None".to_string(),
        Some(ids) => ids.join(", "),
    };
    let (badge, class, toggle) = match o.disabled {
        false => ("Active", "badge", "Disable"),
        true => ("Disabled", "badge disabled", "Enable"),
    };
    let name = o.username.clone();
    let (reset, target) = (o.clone(), o.clone());
    view! {
        <tr>
            <th scope="row">{o.username.clone()}{you.then_some(" (you)")}</th>
            <td>{o.role.label()}</td>
            <td>{accounts}</td>
            <td><span class=class>{badge}</span></td>
            <td><When raw=o.created_at.clone() /></td>
            <td><When raw=o.last_sign_in_at.clone() none="Never" /></td>
            <Buttons name=name.clone() edit="Edit" on_edit=opens(actions.edit, o.clone()) on_delete=opens(actions.delete, o.clone())>
                <button
                    type="button"
                    aria-label=format!("Reset password of {name}")
                    on:click=move |_| actions.reset.show_for(reset.clone())
                >"Reset password"</button>
                <button
                    type="button"
                    aria-label=format!("{toggle} {name}")
                    disabled=move || actions.enable.pending().get()
                    on:click=move |_| {
                        if target.disabled {
                            actions.enable.dispatch(target.clone());
                        } else {
                            actions.disable.show_for(target.clone());
                        }
                    }
                >{toggle}</button>
            </Buttons>
        </tr>
    }
}
