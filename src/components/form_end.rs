//! What the create and edit forms share: the error beside a typed field,
//! and the end of the form (its refusal, then submit and Cancel).

use super::{server_message, Dialog, FormError};
use crate::api::ApiError;
use crate::dialog_action::DialogAction;
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::FieldError;

/// What the errors beside a form's fields share: the server's last
/// refusal and whether the form was submitted.
#[derive(Clone, Copy)]
pub struct FormCheck {
    pub server: Signal<Option<ApiError>>,
    pub submitted: RwSignal<bool>,
}

impl FormCheck {
    pub fn new(server: Signal<Option<ApiError>>) -> Self {
        Self {
            server,
            submitted: RwSignal::new(false),
        }
    }

    /// The error beside a text field: the server's word about `field`
    /// first, else what `check` finds once something is typed or the form
    /// was submitted (an empty field is not blamed before that).
    pub fn typed<E>(
        self,
        field: &'static str,
        label: &'static str,
        value: RwSignal<String>,
        check: impl Fn(&str) -> Result<E, FieldError> + Send + Sync + 'static,
    ) -> Signal<Option<String>> {
        derive(move || {
            server_message(self.server, field).or_else(|| {
                let typed = value.get();
                match check(&typed) {
                    Err(e) if self.submitted.get() || !typed.is_empty() => {
                        Some(format!("{label}: {}.", e.problem))
                    }
                    _ => None,
                }
            })
        })
    }

    /// The error beside a picker: the server's word about `field` first,
    /// else `problem` once submitted with nothing picked where `needed`.
    pub fn picked(
        self,
        field: &'static str,
        value: RwSignal<String>,
        needed: impl Fn() -> bool + Send + Sync + 'static,
        problem: &'static str,
    ) -> Signal<Option<String>> {
        derive(move || {
            server_message(self.server, field).or_else(|| {
                (self.submitted.get() && needed() && value.get().is_empty())
                    .then(|| problem.to_string())
            })
        })
    }
}

/// The form's own refusal (one no field owns), then its submit button,
/// which waits while `pending`, and Cancel.
#[component]
pub fn FormEnd(
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] submit_label: Signal<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <FormError server=server_error />
        <div class="actions">
            <button type="submit" class="primary" disabled=move || pending.get()>{move || submit_label.get()}</button>
            <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}

/// The dialog that creates a row (opened about none) or edits one: titled
/// `create`, or "Edit {name}". Its form is mounted each time it opens.
#[component]
pub fn EditDialog<I, T>(
    id: &'static str,
    action: DialogAction<I, Option<T>>,
    create: &'static str,
    name: fn(&T) -> String,
    children: ChildrenFn,
) -> impl IntoView
where
    I: Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    let target = action.target;
    let title = derive(move || {
        target.with(|t| match t.as_ref().and_then(Option::as_ref) {
            Some(row) => format!("Edit {}", name(row)),
            None => create.to_string(),
        })
    });
    view! {
        <Dialog id open=action.open title>{children()}</Dialog>
    }
}
