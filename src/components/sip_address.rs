//! An entry point's SIP address with a button that copies it, and the
//! sentence saying what the entry point admits.

use crate::admits::Admits;
use crate::components::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Copies `text` with the browser's clipboard and says so in a toast.
pub fn copy_text(toasts: Toasts, text: String) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return;
    };
    spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await {
            Ok(_) => toasts.success(format!("Copied {text}.")),
            Err(_) => toasts.error(format!(
                "The browser did not allow copying; select {text} and copy it by hand."
            )),
        }
    });
}

/// Copies a secret (a password): the toast names what was copied, never
/// the value. Without toasts (a form mounted alone) it copies silently.
pub fn copy_secret(toasts: Option<Toasts>, text: String, what: &'static str) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return;
    };
    spawn_local(async move {
        let copied = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
        drop(text);
        match (toasts, copied) {
            (Some(t), Ok(_)) => t.success(format!("Copied {what}.")),
            (Some(t), Err(_)) => t.error(format!(
                "The browser did not allow copying; select {what} and copy it by hand."
            )),
            (None, _) => {}
        }
    });
}

/// `uri` as code, and "Copy SIP address" (named "Copy SIP address of
/// `of`" for screen readers, since a page has one per row or card).
#[component]
pub fn SipAddress(
    #[prop(into)] uri: String,
    #[prop(into)] of: String,
    toasts: Toasts,
) -> impl IntoView {
    let copied = uri.clone();
    view! {
        <span class="sip-address">
            <code>{uri}</code>
            <button
                type="button"
                class="link"
                aria-label=format!("Copy SIP address of {of}")
                on:click=move |_| copy_text(toasts, copied.clone())
            >"Copy SIP address"</button>
        </span>
    }
}

/// What an entry point admits; a warning (open to anyone, or refusing
/// everything) is a note marked by its words and a sign, not colour alone.
#[component]
pub fn AdmitsLine(
    #[prop(into)] admits: Signal<Admits>,
    /// For `aria-describedby` on the setting it explains.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <p
            id=id
            class=move || if admits.with(|a| a.warning) { "admits warning" } else { "admits" }
            role=move || admits.with(|a| a.warning).then_some("note")
        >
            {move || admits.with(|a| a.warning).then(|| view! { <span aria-hidden="true">"⚠ "</span> })}
            {move || admits.with(|a| a.text.clone())}
        </p>
    }
}
