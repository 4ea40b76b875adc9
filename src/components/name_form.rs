//! A one-field form (a name, a description) used to create and to edit:
//! checked as typed with the model's rule, the server's word beside it.

use super::{server_message, Dialog, FormEnd, TextField};
use crate::api::ApiError;
use crate::dialog_action::DialogAction;
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::FieldError;

/// `check` turns what was typed into what is sent, or says what is wrong;
/// `field` is the API's name for it (where its errors belong).
#[component]
pub fn NameForm(
    id: &'static str,
    label: &'static str,
    field: &'static str,
    rule: &'static str,
    check: fn(&str) -> Result<String, FieldError>,
    #[prop(into)] initial: String,
    #[prop(into)] submit_label: String,
    on_submit: Callback<String>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let submitted = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let error = derive(move || {
        if let Some(m) = server_message(server_error, field) {
            return Some(m);
        }
        match check(&value.get()) {
            Err(e) if submitted.get() || touched.get() => Some(format!("{label}: {}.", e.problem)),
            _ => None,
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if let Ok(v) = check(&value.get_untracked()) {
            on_submit.run(v);
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField
                id=id
                label=label
                value
                error
                rule=rule
                on_edit=Callback::new(move |()| touched.set(true))
            />
            <FormEnd server_error pending submit_label on_cancel />
        </form>
    }
}

/// A dialog holding a [`NameForm`] for a name checked by `check` against
/// `rule`, about the row `action` is open for (`()` to create one).
#[component]
pub fn NameDialog<T: Clone + Send + Sync + 'static>(
    id: &'static str,
    action: DialogAction<String, T>,
    title: fn(&T) -> String,
    /// The input's id.
    field_id: &'static str,
    rule: &'static str,
    check: fn(&str) -> Result<String, FieldError>,
    /// What the field holds when the dialog opens.
    initial: fn(&T) -> String,
    submit_label: fn(&T) -> &'static str,
    /// The input's label (a name unless told otherwise).
    #[prop(default = "Name")]
    label: &'static str,
) -> impl IntoView {
    let target = action.target;
    let initial = derive(move || target.with(|t| t.as_ref().map(initial)).unwrap_or_default());
    let submit_label = derive(move || {
        target
            .with(|t| t.as_ref().map(submit_label))
            .unwrap_or_default()
    });
    view! {
        <NameDialogView
            id
            open=action.open
            title=action.about(title)
            field_id
            label
            rule
            check
            initial
            submit_label
            on_submit=action.submit()
            pending=action.pending()
            server_error=action.error.into()
            on_cancel=action.cancel()
        />
    }
}

/// What [`NameDialog`] shows, apart so that it is built once, not once per
/// kind of row. The form is mounted each time the dialog opens.
#[component]
fn NameDialogView(
    id: &'static str,
    open: RwSignal<bool>,
    title: Signal<String>,
    field_id: &'static str,
    label: &'static str,
    rule: &'static str,
    check: fn(&str) -> Result<String, FieldError>,
    initial: Signal<String>,
    submit_label: Signal<&'static str>,
    on_submit: Callback<String>,
    pending: Signal<bool>,
    server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <Dialog id open title>
            <NameForm
                id=field_id
                label
                field="name"
                rule
                check
                initial=initial.get_untracked()
                submit_label=submit_label.get_untracked()
                on_submit
                pending
                server_error
                on_cancel
            />
        </Dialog>
    }
}
