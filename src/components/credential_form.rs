use super::PasswordField;
use crate::api::{ApiError, NewCredential};
use crate::profile::{Profile, DEFAULT_DIALECT};
use crate::signals::{derive, effect};
use leptos::prelude::*;
use sipauth_model::{Dialect, FieldError, Password, Username};

/// The message for a field: the server's about this field if it has one,
/// else the rule's problem once the user has typed or tried to submit.
fn field_message(
    field: &str,
    check: Result<(), FieldError>,
    shown: bool,
    server: Option<ApiError>,
) -> Option<String> {
    if let Some(e) = server.filter(|e| e.field() == Some(field)) {
        return Some(e.to_string());
    }
    match check {
        Err(e) if shown => Some(format!("{}: {}.", capitalise(e.field), e.problem)),
        _ => None,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn focus(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        use wasm_bindgen::JsCast;
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// "Create credential": username and password checked as they are typed
/// with the same rules the server applies for `dialect`, plus the fields
/// that dialect's profile has (zentrunk's name, vobiz's description).
#[component]
pub fn CreateCredentialForm(
    on_submit: Callback<NewCredential>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
    #[prop(default = DEFAULT_DIALECT)] dialect: Dialect,
    /// Set while the password is one the generator made: the page then
    /// asks the operator to save it after the create.
    #[prop(optional)]
    generated: Option<RwSignal<bool>>,
) -> impl IntoView {
    let policy = dialect.policy();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Zentrunk's optional name; vobiz's optional description.
    let extra = RwSignal::new(String::new());
    let label = Profile::of(dialect).credentials.label;
    let extra_field = label.map_or("", |l| l.field);
    let extra_check = move |value: &str| -> Result<(), FieldError> {
        label.map_or(Ok(()), |l| l.slot.check_optional(value))
    };
    let username_touched = RwSignal::new(false);
    let submitted = RwSignal::new(false);
    // A server error about a field goes stale once the field changes.
    let edited_since_error = RwSignal::new(false);
    effect(move || {
        server_error.track();
        edited_since_error.set(false);
    });
    let server = derive(move || server_error.get().filter(|_| !edited_since_error.get()));

    let username_error = derive(move || {
        field_message(
            "username",
            Username::parse_with(&username.get(), &policy).map(drop),
            username_touched.get() || submitted.get(),
            server.get(),
        )
    });
    let password_error = derive(move || {
        field_message(
            "password",
            Password::parse_with(&password.get(), &policy).map(drop),
            !password.get().is_empty() || submitted.get(),
            server.get(),
        )
    });
    let extra_error = derive(move || {
        field_message(
            extra_field,
            extra_check(&extra.get()),
            !extra.get().is_empty() || submitted.get(),
            server.get(),
        )
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let user_ok = Username::parse_with(&username.get_untracked(), &policy).is_ok();
        let pass_ok = Password::parse_with(&password.get_untracked(), &policy).is_ok();
        let extra_ok = extra_check(&extra.get_untracked()).is_ok();
        if !user_ok {
            focus("new-username");
        } else if !pass_ok {
            focus("new-password");
        } else if !extra_ok {
            focus("new-extra");
        } else {
            edited_since_error.set(false);
            let mut new = NewCredential {
                username: username.get_untracked(),
                password: password.get_untracked(),
                ..NewCredential::default()
            };
            let extra_value = Some(extra.get_untracked()).filter(|v| !v.trim().is_empty());
            if let (Some(label), Some(value)) = (label, extra_value) {
                label.slot.fill(&mut new, value);
            }
            on_submit.run(new);
        }
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <super::TextField
                id="new-username"
                label="Username"
                value=username
                error=username_error
                rule=policy.username_rule
                on_edit=Callback::new(move |()| {
                    username_touched.set(true);
                    edited_since_error.set(true);
                })
            />
            <PasswordField id="new-password" label="Password" value=password error=password_error rule=policy.password_rule policy generated=generated.unwrap_or_else(|| RwSignal::new(false)) />
            {label.map(|l| view! {
                <super::TextField id="new-extra" label=l.optional_label value=extra error=extra_error rule=l.rule />
            })}
            <super::FormError server />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create credential" }}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// "Change password" for one credential.
#[component]
pub fn ChangePasswordForm(
    on_submit: Callback<String>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
    #[prop(default = DEFAULT_DIALECT)] dialect: Dialect,
    /// Set while the password is one the generator made.
    #[prop(optional)]
    generated: Option<RwSignal<bool>>,
) -> impl IntoView {
    let policy = dialect.policy();
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let password_error = derive(move || {
        let value = password.get();
        field_message(
            "password",
            Password::parse_with(&value, &policy).map(drop),
            submitted.get() || !value.is_empty(),
            server_error.get(),
        )
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if Password::parse_with(&password.get_untracked(), &policy).is_ok() {
            on_submit.run(password.get_untracked());
        } else {
            focus("changed-password");
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <PasswordField
                id="changed-password"
                label="New password"
                value=password
                error=password_error
                rule=policy.password_rule
                policy
                generated=generated.unwrap_or_else(|| RwSignal::new(false))
            />
            <super::FormError server=server_error />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save new password" }}
                </button>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
