use crate::api::Api;
use crate::context::AppContext;
use crate::signals::effect;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

// The form itself is plain DOM in sign_in.js: the start-up script shows it
// before the wasm has arrived, and this page mounts the same one.
#[wasm_bindgen(module = "/src/sign_in.js")]
extern "C" {
    /// Fills the section with the form; resolves with the answer of the
    /// sign-in that succeeded.
    #[wasm_bindgen(js_name = mountSignIn)]
    fn mount_sign_in(section: &web_sys::HtmlElement, api_base: &str) -> js_sys::Promise;
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

    // Signed in (just now, in another tab, before the console started, or
    // by the back button): on to the page asked for, replacing sign-in so
    // that Back never returns here.
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

    let section = NodeRef::<leptos::html::Section>::new();
    effect(move || {
        let Some(section) = section.get() else {
            return;
        };
        if ctx.session.get_untracked().is_some() {
            return;
        }
        let signed_in = mount_sign_in(&section, &ctx.config.get_value().api_base);
        leptos::task::spawn_local(async move {
            let Ok(answer) = wasm_bindgen_futures::JsFuture::from(signed_in).await else {
                return;
            };
            match Api::signed_in(answer.unchecked_into()).await {
                Ok(session) => ctx.start_session(session),
                Err(e) => ctx.report(&e),
            }
        });
    });
    // Signed in already (the start-up script's form): on the way on.
    let passing = ctx.session.get_untracked().is_some().then(|| {
        view! { <p class="loading" role="status">"Signing in…"</p> }
    });
    view! { <section class="sign-in" node_ref=section>{passing}</section> }
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
