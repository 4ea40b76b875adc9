//! The operator dialogs: add, edit role and accounts, reset password,
//! disable, delete; their requests, and the one-time password after.

use super::fields::{
    account_choices, check_username, AccountsField, NewPassword, PasswordChoice, RoleField, Scope,
};
use super::Operators;
use crate::api::{ApiError, NewOperator, Operator, OperatorChange, Role};
use crate::components::{ConfirmButtons, ConfirmDelete, Dialog, FormCheck, FormEnd, TextField};
use crate::dialog_action::{DialogAction, Done};
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::OperatorName;

pub fn add(page: Operators) -> DialogAction<NewOperator> {
    page.action(move |(), new: NewOperator| {
        let api = page.ctx.api();
        async move {
            let added = api.add_operator(&new).await?;
            let name = added.operator.username;
            if let Some(password) = added.password {
                page.reveal.set(Some((name.clone(), password)));
            }
            Ok(Done::changed(format!("Added operator {name}.")))
        }
    })
}

pub fn edit(page: Operators) -> DialogAction<(Role, Option<Vec<String>>), Operator> {
    page.action(
        move |o: Operator, (role, accounts): (Role, Option<Vec<String>>)| {
            let api = page.ctx.api();
            async move {
                let change = OperatorChange {
                    role: Some(role),
                    accounts: Some(accounts),
                    disabled: None,
                };
                api.change_operator(&o.username, &change).await?;
                // One's own role or accounts: the console follows at once
                // (an admin made an editor no longer sees this page).
                let own = page
                    .ctx
                    .session
                    .try_with_untracked(|s| s.as_ref().is_some_and(|s| s.operator == o.username));
                if own == Some(true) {
                    if let Ok(Some(session)) = api.session().await {
                        page.ctx.start_session(session);
                    }
                }
                Ok(Done::changed(format!(
                    "Saved {}'s role and accounts.",
                    o.username
                )))
            }
        },
    )
}

pub fn reset(page: Operators) -> DialogAction<Option<String>, Operator> {
    page.action(move |o: Operator, typed: Option<String>| {
        let api = page.ctx.api();
        async move {
            let made = api
                .reset_operator_password(&o.username, typed.as_deref())
                .await?;
            if let Some(password) = made {
                page.reveal.set(Some((o.username.clone(), password)));
            }
            Ok(Done::unchanged(format!(
                "Reset the password of {}; their sessions have ended.",
                o.username
            )))
        }
    })
}

pub fn disable(page: Operators) -> DialogAction<(), Operator> {
    page.action(move |o: Operator, ()| {
        let api = page.ctx.api();
        async move {
            let change = OperatorChange {
                disabled: Some(true),
                ..Default::default()
            };
            api.change_operator(&o.username, &change).await?;
            Ok(Done::changed(format!(
                "Disabled {}: they can no longer sign in.",
                o.username
            )))
        }
    })
}

pub fn delete(page: Operators) -> DialogAction<(), Operator> {
    page.action(move |o: Operator, ()| {
        let api = page.ctx.api();
        async move {
            api.delete_operator(&o.username).await?;
            Ok(Done::changed(format!("Deleted operator {}.", o.username)))
        }
    })
}

#[component]
pub fn AddDialog(action: DialogAction<NewOperator>) -> impl IntoView {
    view! {
        <Dialog id="add-operator" open=action.open title="Add operator">
            <AddForm action />
        </Dialog>
    }
}

#[component]
fn AddForm(action: DialogAction<NewOperator>) -> impl IntoView {
    let ctx = expect_context::<crate::context::AppContext>();
    let server: Signal<Option<ApiError>> = action.error.into();
    let check = FormCheck::new(server);
    let username = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Editor);
    let scope = Scope::new(None);
    let password = NewPassword::default();
    let username_error = check.typed("username", "Username", username, check_username);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.submitted.set(true);
        let name = check_username(&username.get_untracked());
        if let (Ok(name), None, Ok(password)) = (name, scope.problem(), password.value()) {
            action.submit().run(NewOperator {
                username: name,
                role: role.get_untracked(),
                accounts: scope.value(),
                password,
            });
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="operator-username" label="Username" value=username error=username_error rule=OperatorName::RULE />
            <RoleField id="operator-role" value=role server />
            <AccountsField id="operator-accounts" scope choices=account_choices(ctx) submitted=check.submitted server />
            <PasswordChoice id="operator-password" password submitted=check.submitted server />
            <FormEnd server_error=server pending=action.pending() submit_label="Add operator" on_cancel=action.cancel() />
        </form>
    }
}

#[component]
pub fn EditDialog(action: DialogAction<(Role, Option<Vec<String>>), Operator>) -> impl IntoView {
    let ctx = expect_context::<crate::context::AppContext>();
    view! {
        <Dialog id="edit-operator" open=action.open title=action.about(|o| format!("Edit {}", o.username))>
            {move || action.target.get().map(|o| {
                let server: Signal<Option<ApiError>> = action.error.into();
                let submitted = RwSignal::new(false);
                let role = RwSignal::new(o.role);
                let scope = Scope::new(o.accounts.clone());
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    submitted.set(true);
                    if scope.problem().is_none() {
                        action.submit().run((role.get_untracked(), scope.value()));
                    }
                };
                view! {
                    <form class="form" on:submit=submit novalidate>
                        <RoleField id="edit-operator-role" value=role server />
                        <AccountsField id="edit-operator-accounts" scope choices=account_choices(ctx) submitted server />
                        <FormEnd server_error=server pending=action.pending() submit_label="Save" on_cancel=action.cancel() />
                    </form>
                }
            })}
        </Dialog>
    }
}

#[component]
pub fn ResetDialog(action: DialogAction<Option<String>, Operator>) -> impl IntoView {
    let name = action.about(|o| o.username.clone());
    view! {
        <Dialog id="reset-operator-password" open=action.open title=action.about(|o| format!("Reset the password of {}", o.username))>
            {move || {
                let server: Signal<Option<ApiError>> = action.error.into();
                let submitted = RwSignal::new(false);
                let password = NewPassword::default();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    submitted.set(true);
                    if let Ok(p) = password.value() {
                        action.submit().run(p);
                    }
                };
                view! {
                    <form class="form" on:submit=submit novalidate>
                        <p>{move || format!("{}'s sessions end at once: they sign in again with the new password.", name.get())}</p>
                        <PasswordChoice id="reset-password" password submitted server />
                        <FormEnd server_error=server pending=action.pending() submit_label="Reset password" on_cancel=action.cancel() />
                    </form>
                }
            }}
        </Dialog>
    }
}

#[component]
pub fn DisableDialog(action: DialogAction<(), Operator>) -> impl IntoView {
    let name = action.about(|o| o.username.clone());
    let title = derive(move || format!("Disable {}?", name.get()));
    let label = derive(move || format!("Disable {}", name.get()));
    view! {
        <Dialog id="disable-operator" open=action.open title>
            <p>{move || format!("{} can no longer sign in, and their sessions end at once. You can enable them again.", name.get())}</p>
            <ConfirmButtons open=action.open pending=action.pending() error=action.error.into() on_confirm=action.submit() label />
        </Dialog>
    }
}

#[component]
pub fn DeleteOperatorDialog(action: DialogAction<(), Operator>) -> impl IntoView {
    view! {
        <ConfirmDelete
            id="delete-operator"
            action
            name=|o| o.username.clone()
            consequence="They can no longer sign in and their sessions end. What they did stays in the audit log."
        />
    }
}
