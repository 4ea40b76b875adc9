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
pub(super) fn StatusFilter(status: RwSignal<String>, query: ListQuery) -> impl IntoView {
    view! {
        <div class="toolbar status-filter">
            <label for="credential-status">"Show"</label>
            <select
                id="credential-status"
                on:change=move |ev| {
                    status.set(event_target_value(&ev));
                    // A new filter starts at page 1.
                    query.set(&query.search.get_untracked(), 1);
                }
            >
                <option value="">"All credentials"</option>
                <option value="enabled">"Enabled only"</option>
                <option value="disabled">"Disabled only"</option>
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
