use crate::api::ApiError;
use crate::context::AppContext;
use crate::dialog_action::Task;
use crate::signals::effect;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Where sign-in sends the browser to come back to `path?search`: plain
/// `/sign-in` for the home page, else with the page in `next`.
pub fn sign_in_path(path: &str, search: &str, home: &str) -> String {
    let asked = match search {
        "" => path.to_string(),
        _ => format!("{path}?{search}"),
    };
    match return_target(&asked) {
        Some(asked) if asked != home => {
            let query = serde_urlencoded::to_string([("next", asked)]).unwrap_or_default();
            format!("/sign-in?{query}")
        }
        _ => "/sign-in".to_string(),
    }
}

/// The page to return to after sign-in, if `next` may be one: a path of
/// this console only (no open redirect). `//host` and `/\host` are other
/// sites to a browser, which also drops tabs and newlines inside a URL
/// (`/<tab>/host`), so those and any backslash are refused; so is sign-in
/// itself.
pub fn return_target(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let foreign = rest.starts_with('/') || next.chars().any(|c| c == '\\' || c.is_control());
    let loops =
        next == "/sign-in" || next.starts_with("/sign-in?") || next.starts_with("/sign-in/");
    (!foreign && !loops).then_some(next)
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    // Read once: the page asked for before sign-in, if it is one of ours.
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .and_then(|n| return_target(&n).map(str::to_string));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);

    // Signed in (just now, in another tab, or by the back button): on to
    // the page asked for, replacing sign-in so that Back never returns here.
    effect(move || {
        if ctx.session.get().is_some() {
            let to = next.as_deref().unwrap_or(ctx.profile().home);
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(to, options);
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
                    ctx.start_session(session);
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn only_a_path_of_this_console_is_a_return_target() {
        for ours in [
            "/acls?q=office",
            "/credential-lists/CL1?page=2",
            "/acls/abc",
            "/credentials",
        ] {
            assert_eq!(return_target(ours), Some(ours));
        }
        for other in [
            "//evil.example",
            "//evil.example/credentials",
            "https://evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/sign-in",
            "/sign-in?next=/acls",
        ] {
            assert_eq!(return_target(other), None, "{other:?}");
        }
    }

    #[test]
    fn sign_in_names_the_page_asked_for_unless_it_is_home() {
        assert_eq!(sign_in_path("/credentials", "", "/credentials"), "/sign-in");
        assert_eq!(
            sign_in_path("/acls", "q=site 1&page=2", "/credentials"),
            "/sign-in?next=%2Facls%3Fq%3Dsite+1%26page%3D2"
        );
        assert_eq!(
            sign_in_path("//evil.example", "", "/credentials"),
            "/sign-in"
        );
    }
}
