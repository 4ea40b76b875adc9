use crate::api::ApiError;
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    // Already signed in (another tab, or the back button): go on.
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if ctx.session.get().is_some() {
                navigate(ctx.profile().home, Default::default());
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let result = api
                .sign_in(&username.get_untracked(), &password.get_untracked())
                .await;
            pending.set(false);
            match result {
                Ok(session) => {
                    password.set(String::new());
                    error.set(None);
                    ctx.session.set(Some(session));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="sign-in">
            <h1>"Sign in"</h1>
            <p>"Sign in as an operator to manage SIP credentials."</p>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="operator-username">"Operator username"</label>
                    <input
                        id="operator-username"
                        name="username"
                        autocomplete="username"
                        required
                        aria-describedby="sign-in-error"
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="operator-password">"Password"</label>
                    <input
                        id="operator-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-describedby="sign-in-error"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </div>
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
