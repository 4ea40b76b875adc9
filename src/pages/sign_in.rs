use crate::api::ApiError;
use crate::context::AppContext;
use crate::dialog_action::Task;
use crate::signals::effect;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);

    // Already signed in (another tab, or the back button): go on.
    effect(move || {
        if ctx.session.get().is_some() {
            navigate(ctx.profile().home, Default::default());
        }
    });

    // Unsync: the API's futures hold browser handles, which are not Send.
    let sign_in = Task::new(move |(user, pass): (String, String)| {
        let api = ctx.api();
        async move {
            match api.sign_in(&user, &pass).await {
                Ok(session) => {
                    password.set(String::new());
                    error.set(None);
                    ctx.session.set(Some(session));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = sign_in.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            sign_in.dispatch((username.get_untracked(), password.get_untracked()));
        }
    };

    view! {
        <section class="sign-in">
            <h1>"Sign in"</h1>
            <p>"Sign in as an operator to manage SIP credentials."</p>
            <form class="form" on:submit=submit>
                <SignInField id="operator-username" name="username" label="Operator username" kind="text" autocomplete="username" value=username />
                <SignInField id="operator-password" name="password" label="Password" kind="password" autocomplete="current-password" value=password />
                <p id="sign-in-error" class="error" role="alert">
                    {move || error.get().map(|e| e.to_string())}
                </p>
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}

/// A required field of the form; its error is the form's.
#[component]
fn SignInField(
    id: &'static str,
    /// What the browser's password manager knows the field by.
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                required
                aria-describedby="sign-in-error"
                type=kind
                id=id
                name=name
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
