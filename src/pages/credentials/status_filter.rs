//! "Show: All / Enabled only / Disabled only" (vobiz), beside the search.

use crate::api::Credential;
use crate::list::ListQuery;
use leptos::prelude::*;

/// Whether a credential passes the filter `status` ("", "enabled" or
/// "disabled"); a credential that does not say is enabled.
pub(super) fn passes(status: &str, c: &Credential) -> bool {
    let disabled = c.enabled == Some(false);
    match status {
        "enabled" => !disabled,
        "disabled" => disabled,
        _ => true,
    }
}

#[component]
pub(super) fn StatusFilter(query: ListQuery) -> impl IntoView {
    // In the URL (`?show=disabled`) like the search: reload and Back keep it.
    let option = move |value: &'static str, text: &'static str| {
        view! { <option value=value selected=move || query.show.get() == value>{text}</option> }
    };
    view! {
        <div class="toolbar status-filter">
            <label for="credential-status">"Show"</label>
            <select
                id="credential-status"
                prop:value=move || query.show.get()
                on:change=move |ev| query.show(&event_target_value(&ev))
            >
                {option("", "All credentials")}
                {option("enabled", "Enabled only")}
                {option("disabled", "Disabled only")}
            </select>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_filter_keeps_enabled_disabled_or_all() {
        let with = |enabled| Credential {
            enabled,
            ..Credential::default()
        };
        let (on, off, unsaid) = (with(Some(true)), with(Some(false)), with(None));
        let kept = |status| [&on, &off, &unsaid].map(|c| passes(status, c));
        assert_eq!(kept(""), [true, true, true]);
        assert_eq!(kept("enabled"), [true, false, true]);
        assert_eq!(kept("disabled"), [false, true, false]);
    }
}
