//! When something was created and last changed, in the operator's local
//! time, each a `<time datetime>` so the exact instant stays readable to
//! tools and screen readers.

use leptos::prelude::*;

/// `raw` (RFC 2822 from twilio, ISO 8601 from vobiz) as (ISO instant, local
/// words); `None` when the browser cannot read it.
pub fn local_time(raw: &str) -> Option<(String, String)> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(raw));
    if date.get_time().is_nan() {
        return None;
    }
    let words = date
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()?;
    Some((date.to_iso_string().as_string()?, words))
}

/// "Created … · Updated …" (the update only when it differs).
#[component]
pub fn Stamp(created: Option<String>, updated: Option<String>) -> impl IntoView {
    let created = created.as_deref().and_then(local_time);
    let updated = updated
        .as_deref()
        .and_then(local_time)
        .filter(|u| Some(&u.0) != created.as_ref().map(|c| &c.0));
    let part = |word: &'static str, (iso, words): (String, String)| {
        view! { <span>{word} " " <time datetime=iso>{words}</time></span> }
    };
    (created.is_some() || updated.is_some()).then(|| {
        view! {
            <p class="stamp">
                {created.map(|c| part("Created", c))}
                {updated.map(|u| view! { " · " {part("Updated", u)} })}
            </p>
        }
    })
}

/// A table cell's instant: `<time datetime>` in local words, or `none`
/// when there is none (never signed in, never used).
#[component]
pub fn When(raw: Option<String>, #[prop(default = "—")] none: &'static str) -> impl IntoView {
    match raw.as_deref().and_then(local_time) {
        Some((iso, words)) => view! { <time datetime=iso>{words}</time> }.into_any(),
        None => none.into_any(),
    }
}
