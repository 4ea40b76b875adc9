//! A one-field form (a name, a description) used to create and to edit:
//! checked as typed with the model's rule, the server's word beside it.

use super::{server_message, FormEnd, TextField};
use crate::api::ApiError;
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
    let error = Signal::derive(move || {
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
