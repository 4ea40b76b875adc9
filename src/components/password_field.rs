use crate::signals::memo;
use leptos::prelude::*;
use sipauth_model::{strength, Password};

/// Fills `buf` from the browser's cryptographic RNG.
pub fn crypto_random(buf: &mut [u8]) {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(buf).ok())
        .expect("the browser has no crypto.getRandomValues");
}

/// A new-password input with the policy, live errors, a strength meter and
/// a generator. `error` is the message to show (rule or server), if any.
#[component]
pub fn PasswordField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// The provider's rule (default: plivo's).
    #[prop(default = Password::RULE)]
    rule: &'static str,
) -> impl IntoView {
    let visible = RwSignal::new(false);
    let rule_id = format!("{id}-rule");
    let error_id = format!("{id}-error");
    let strength_id = format!("{id}-strength");
    let meter_id = format!("{id}-meter");
    let estimate = memo(move || strength::estimate(&value.get()));
    let described = format!("{rule_id} {error_id} {strength_id}");
    let generate = move |_| {
        let password = strength::generate(crypto_random);
        value.set(password.expose().to_string());
        visible.set(true);
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="input-row">
                <input
                    id=id
                    name=id
                    type=move || if visible.get() { "text" } else { "password" }
                    autocomplete="new-password"
                    spellcheck="false"
                    aria-describedby=described
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    aria-pressed=move || if visible.get() { "true" } else { "false" }
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() { "Hide password" } else { "Show password" }}
                </button>
                <button type="button" on:click=generate>"Generate password"</button>
            </div>
            <p id=rule_id class="hint">"Rule: " {rule} "."</p>
            <p id=error_id class="error" aria-live="polite">{move || error.get()}</p>
            <div id=strength_id class="strength">
                <label for=meter_id.clone()>"Strength"</label>
                <meter
                    id=meter_id
                    min="0"
                    max="4"
                    low="2"
                    high="3"
                    optimum="4"
                    value=move || estimate.get().score.to_string()
                ></meter>
                <span class="strength-label">{move || estimate.get().label}</span>
                <ul class="hints">
                    {move || {
                        estimate
                            .get()
                            .hints
                            .into_iter()
                            .take(3)
                            .map(|h| view! { <li>{h}</li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </div>
    }
}
