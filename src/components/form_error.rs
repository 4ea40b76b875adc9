//! Where a server's refusal shows in a form: beside its field, or for the
//! whole form when it names none.

use crate::api::ApiError;
use leptos::prelude::*;

/// The server's message when its last error concerns `field`.
pub fn server_message(server: Signal<Option<ApiError>>, field: &str) -> Option<String> {
    server
        .get()
        .filter(|e| e.field() == Some(field))
        .map(|e| e.to_string())
}

/// The form-level error (one that belongs to no field), announced.
#[component]
pub fn FormError(#[prop(into)] server: Signal<Option<ApiError>>) -> impl IntoView {
    move || {
        server
            .get()
            .filter(|e| e.field().is_none())
            .map(|e| view! { <p class="error form-error" role="alert">{e.to_string()}</p> })
    }
}
