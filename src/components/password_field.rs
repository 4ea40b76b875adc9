use super::{copy_secret, Dialog};
use crate::context::AppContext;
use crate::profile::DEFAULT_DIALECT;
use crate::signals::{effect, memo};
use leptos::prelude::*;
use sipauth_model::{strength, Password, Policy};

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
    /// The provider's policy, to say when it accepts an easy password.
    #[prop(default = DEFAULT_DIALECT.policy())]
    policy: Policy,
    /// Set while the value is one the generator made (not typed).
    #[prop(optional)]
    generated: Option<RwSignal<bool>>,
) -> impl IntoView {
    let toasts = use_context::<AppContext>().map(|c| c.toasts);
    // The provider's rule is the floor, not advice: a password it accepts
    // can still fall to guessing, and the meter alone does not say so.
    let weak_but_accepted = memo(move || {
        value.with(|v| Password::parse_with(v, &policy).is_ok() && strength::estimate(v).score <= 1)
    });
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
        if let Some(g) = generated {
            g.set(true);
        }
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
                    on:input=move |ev| {
                        if let Some(g) = generated {
                            g.set(false);
                        }
                        value.set(event_target_value(&ev));
                    }
                />
                <button
                    type="button"
                    aria-pressed=move || if visible.get() { "true" } else { "false" }
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() { "Hide password" } else { "Show password" }}
                </button>
                <button type="button" on:click=generate>"Generate password"</button>
                <Show when=move || visible.get() && value.with(|v| !v.is_empty())>
                    <button
                        type="button"
                        on:click=move |_| copy_secret(toasts, value.get_untracked(), "the password")
                    >"Copy password"</button>
                </Show>
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
                <Show when=move || weak_but_accepted.get()>
                    <p class="admits warning weak-accepted" role="note">
                        <span aria-hidden="true">"⚠ "</span>
                        "Accepted by the provider's rule, but easy to guess: anyone who can try passwords against your SIP server will find it. Generate one instead."
                    </p>
                </Show>
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

/// The "save it now" step after a credential was created with a generated
/// password: the password once more, with Copy, and closed by the operator
/// saying it is saved. The password is dropped when the dialog closes.
#[component]
pub fn SavePasswordDialog(
    /// Unique on the page.
    #[prop(default = "save-password")]
    id: &'static str,
    /// The username and the password to show; `None` while closed.
    shown: RwSignal<Option<(String, String)>>,
    /// What to do with it (a credential's goes in the device).
    #[prop(
        default = "This is the only time it is shown: the server keeps only a digest of it, so it cannot be shown again. Put it in the device or your password manager now."
    )]
    advice: &'static str,
) -> impl IntoView {
    let toasts = use_context::<AppContext>().map(|c| c.toasts);
    let open = RwSignal::new(false);
    effect(move || open.set(shown.with(Option::is_some)));
    // Escape or the button: either way the password leaves memory.
    effect(move || {
        if !open.get() && shown.with_untracked(Option::is_some) {
            shown.set(None);
        }
    });
    let title = Signal::derive(move || {
        shown.with(|s| {
            s.as_ref()
                .map(|(user, _)| format!("Save the password of {user} now"))
                .unwrap_or_default()
        })
    });
    let password = move || shown.with(|s| s.as_ref().map(|(_, p)| p.clone()).unwrap_or_default());
    view! {
        <Dialog id open title>
            <p>{advice}</p>
            <p class="field">"Password: " <code class="secret">{password}</code></p>
            <div class="actions">
                <button
                    type="button"
                    on:click=move |_| copy_secret(toasts, password(), "the password")
                >"Copy password"</button>
                <button type="button" class="primary" on:click=move |_| open.set(false)>
                    "I have saved it"
                </button>
            </div>
        </Dialog>
    }
}
