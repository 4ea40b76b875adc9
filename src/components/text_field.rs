use leptos::prelude::*;

/// A labelled text input with its rule and its error, tied together with
/// `aria-describedby` so screen readers read them with the field.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// The rule, shown under the field.
    #[prop(optional, into)]
    rule: Option<String>,
    /// A line of help under the rule (an example), when there is one.
    #[prop(optional_no_strip)]
    hint: Option<String>,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// Called on every edit (e.g. to mark the field as touched).
    #[prop(optional)]
    on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let rule_id = format!("{id}-rule");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [
        rule.as_ref().map(|_| rule_id.as_str()),
        hint.as_ref().map(|_| hint_id.as_str()),
        Some(error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                aria-describedby=described
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    if let Some(cb) = on_edit {
                        cb.run(());
                    }
                }
            />
            {rule.map(|r| view! { <p id=rule_id.clone() class="hint">"Rule: " {r} "."</p> })}
            {hint.map(|h| view! { <p id=hint_id.clone() class="hint">{h}</p> })}
            <p id=error_id class="error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
