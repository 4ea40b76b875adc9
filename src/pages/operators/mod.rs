//! Operators (admins only): who signs in to the console, with which role
//! and accounts. Add (a one-time password shown once, or typed), edit the
//! role and accounts, reset a password (their sessions end), disable or
//! enable, delete. The server refuses leaving no enabled admin; its word
//! shows beside the role or in the dialog.

mod dialogs;
pub mod fields;
mod row;

use crate::api::{ApiError, Operator, Role};
use crate::components::{opens, FilteredList, PageHead, SavePasswordDialog};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep, Task};
use crate::list::{ListQuery, Listing};
use dialogs::{AddDialog, DeleteOperatorDialog, DisableDialog, EditDialog, ResetDialog};
pub use fields::RoleField;
use leptos::prelude::*;
use row::OperatorRow;
use std::cmp::Ordering;
use std::future::Future;

/// What the page's rows and dialogs share.
#[derive(Clone, Copy)]
pub(crate) struct Operators {
    ctx: AppContext,
    listing: Listing<Operator>,
    /// A one-time password to show once: (username, password).
    reveal: RwSignal<Option<(String, String)>>,
}

impl Operators {
    /// A dialog's request; every refusal but an ended session stays in it
    /// (the last admin, yourself), and the list reloads after a change.
    fn action<I, T, F, Fut>(&self, run: F) -> DialogAction<I, T>
    where
        I: Clone + Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
        F: Fn(T, I) -> Fut + 'static,
        Fut: Future<Output = Result<Done, ApiError>> + 'static,
    {
        let listing = self.listing;
        DialogAction::new(self.ctx, Keep::Refusals, move || listing.refresh(), run)
    }
}

/// The order of a sortable column.
fn order(a: &Operator, b: &Operator, key: &str) -> Ordering {
    match key {
        "role" => a.role.cmp(&b.role),
        "status" => a.disabled.cmp(&b.disabled),
        _ => a.username.to_lowercase().cmp(&b.username.to_lowercase()),
    }
}

/// The search finds a username or a role.
fn matches(o: &Operator, needle: &str) -> bool {
    o.username.to_lowercase().contains(needle) || o.role.as_str().contains(needle)
}

/// The dialogs a row opens, and Enable (which asks nothing).
#[derive(Clone, Copy)]
pub(crate) struct RowActions {
    edit: DialogAction<(Role, Option<Vec<String>>), Operator>,
    reset: DialogAction<Option<String>, Operator>,
    disable: DialogAction<(), Operator>,
    enable: Task<Operator>,
    delete: DialogAction<(), Operator>,
}

#[component]
pub fn OperatorsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/operators");
    let listing = Listing::load(ctx, |api, _first| async move { api.operators().await });
    let shown = listing.shown(query, matches, order);
    let page = Operators {
        ctx,
        listing,
        reveal: RwSignal::new(None),
    };
    let add = dialogs::add(page);
    let actions = RowActions {
        edit: dialogs::edit(page),
        reset: dialogs::reset(page),
        disable: dialogs::disable(page),
        enable: Task::new(move |o: Operator| {
            let api = ctx.api();
            async move {
                let change = crate::api::OperatorChange {
                    disabled: Some(false),
                    ..Default::default()
                };
                match api.change_operator(&o.username, &change).await {
                    Ok(_) => ctx
                        .toasts
                        .success(format!("Enabled {}: they can sign in again.", o.username)),
                    Err(e) => ctx.report(&e),
                }
                listing.refresh();
            }
        }),
        delete: dialogs::delete(page),
    };
    view! {
        <PageHead title="Operators" create="Add operator" on_create=opens(add, ()) />
        <p class="lead">
            "Who may sign in to this console. An admin manages everything, operators and API keys included; an editor changes SIP resources in its accounts; a viewer only reads them."
        </p>
        <FilteredList
            query list=listing shown
            search=("operator-search", "Search by username or role")
            what="operators"
            empty="No operators."
            no_match=|q| format!("No operator's username or role contains \u{201c}{q}\u{201d}.")
            caption="Operators"
            columns=&[("Username", "username"), ("Role", "role"), ("Accounts", ""), ("Status", "status"), ("Created", ""), ("Last sign-in", "")]
            key=Operator::clone
            row=move |o: Operator| view! { <OperatorRow operator=o actions /> }
        />

        <AddDialog action=add />
        <EditDialog action=actions.edit />
        <ResetDialog action=actions.reset />
        <DisableDialog action=actions.disable />
        <DeleteOperatorDialog action=actions.delete />
        <SavePasswordDialog
            id="save-operator-password"
            shown=page.reveal
            advice="This is the only time it is shown: the server keeps only a hash of it, so it cannot be shown again. Give it to the operator by a safe way now; they sign in with it."
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn operator(name: &str, role: Role) -> Operator {
        Operator {
            username: name.into(),
            role,
            accounts: None,
            disabled: false,
            created_at: None,
            last_sign_in_at: None,
        }
    }

    #[test]
    fn operators_are_found_by_name_or_role_and_sorted_viewers_first() {
        let (a, b) = (
            operator("Alice", Role::Admin),
            operator("bob", Role::Viewer),
        );
        assert!(matches(&a, "ali") && matches(&b, "view") && !matches(&a, "view"));
        assert_eq!(order(&a, &b, "username"), Ordering::Less);
        assert_eq!(order(&a, &b, "role"), Ordering::Greater);
    }
}
