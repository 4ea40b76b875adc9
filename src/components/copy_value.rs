//! A long value (an ID, a realm) shown whole where there is room and cut
//! with an ellipsis on a phone, with a button that copies it.

use crate::components::{copy_text, Toasts};
use leptos::prelude::*;

/// `value` as code, focusable so the whole of it shows on focus as on
/// hover, and "Copy" named "Copy {what}" for screen readers (a page has
/// one per row).
#[component]
pub fn CopyValue(
    #[prop(into)] value: String,
    /// What is copied, as in "ID of alice".
    #[prop(into)]
    what: String,
    toasts: Toasts,
) -> impl IntoView {
    let (copied, title) = (value.clone(), value.clone());
    view! {
        <span class="copy-value">
            <code tabindex="0" title=title>{value}</code>
            <button
                type="button"
                class="link"
                aria-label=format!("Copy {what}")
                on:click=move |_| copy_text(toasts, copied.clone())
            >"Copy"</button>
        </span>
    }
}
