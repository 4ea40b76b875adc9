//! The application shell: loads `config.json` and the session, provides
//! them to pages, and routes.

use crate::api::{self, Api, Config, Session};
use crate::chunks::{Chunk, ChunkView};
use crate::components::AccountSwitcher;
use crate::components::{ToastRegion, Toasts};
use crate::context::AppContext;
use crate::dialog_action::Task;
use crate::pages::{NotFoundPage, SignInPage};
use crate::profile::{Page, ADMIN_NAV};
use crate::signals::effect;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Router, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::location::{BrowserUrl, LocationProvider};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

/// Loads `config.json` and, when operators sign in, the session.
async fn boot() -> Result<(Config, Option<Session>), String> {
    let config = api::load_config().await?;
    document().set_title(&config.title);
    let probe = Api {
        base: config.api_base.clone(),
        dialect: config.dialect,
        account: String::new(),
        csrf_token: None,
        on_rate_limit: None,
        batch: None,
    };
    // Without operator sign-in, whatever is in front of the console
    // guards the API: the console acts as an anonymous operator.
    let session = if config.sign_in {
        probe
            .session()
            .await
            .map_err(|e| format!("The server did not answer: {e}"))?
    } else {
        Some(Session::default())
    };
    Ok((config, session))
}

#[component]
pub fn App() -> impl IntoView {
    // A signal filled by a task, not a resource: the resource machinery
    // would be in the wasm for this one answer.
    let booted = RwSignal::new(None);
    // The sign-in page the start-up script showed before the wasm: the
    // console shows its own from here on.
    if let Some(page) = document().get_element_by_id("sign-in-page") {
        page.remove();
    }
    crate::chunks::preload_opened_page();
    leptos::task::spawn_local(async move { booted.set(Some(boot().await)) });
    move || match booted.get() {
        None => view! { <p class="loading" role="status">"Loading the console…"</p> }.into_any(),
        Some(Err(message)) => view! {
            <main id="main">
                <h1>"The console could not start"</h1>
                <p class="error" role="alert">{message}</p>
            </main>
        }
        .into_any(),
        Some(Ok((config, session))) => {
            provide_context(AppContext::new(config, session, Toasts::new()));
            view! { <Shell /> }.into_any()
        }
    }
}

#[component]
fn Shell() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    slash_focuses_search();
    crate::components::keep_cells_labelled();
    // What the operator can open next comes while they read: the home page
    // behind the console's sign-in form (after a sign-out or an ended
    // session; before the console starts, the start-up script does it),
    // every page they may open once signed in.
    effect(move || {
        let next = if ctx.session.get().is_some() {
            openable_pages(&ctx)
        } else {
            vec![ctx.profile().pages[0]]
        };
        crate::chunks::preload_after_paint(next);
    });
    view! {
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <Header />
            <main id="main">
                <PageAtAddress />
            </main>
            <ToastRegion toasts=ctx.toasts />
        </Router>
    }
}

/// What an address shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// `/`: the dialect's home page.
    Home,
    SignIn,
    /// A page that needs a session; `id` is the list or ACL in the path.
    Protected {
        page: Page,
        chunk: Chunk,
        id: Option<String>,
    },
    NotFound,
}

/// The page at `path`. The console's own table, not leptos_router's
/// `<Routes>`: fifteen routes as a tuple of distinct types cost 31.6 KB
/// gzip of matching and view code in the first wasm, for fifteen fixed
/// paths (see docs/decisions.md). A trailing slash names the same page.
fn place_at(path: &str) -> Place {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let fixed = |page, chunk| Place::Protected {
        page,
        chunk,
        id: None,
    };
    match path {
        "/" => return Place::Home,
        "/sign-in" => return Place::SignIn,
        "/credentials" => return fixed(Page::Credentials, Chunk::Credentials),
        "/credential-lists" => return fixed(Page::CredentialLists, Chunk::CredentialLists),
        "/acls" => return fixed(Page::Acls, Chunk::Acls),
        "/applications" => return fixed(Page::Applications, Chunk::Applications),
        "/trunks" => return fixed(Page::Trunks, Chunk::Trunks),
        "/security" => return fixed(Page::Security, Chunk::Security),
        "/activity" => return fixed(Page::Activity, Chunk::Activity),
        "/domains" => return fixed(Page::Domains, Chunk::Domains),
        "/operators" => return fixed(Page::Operators, Chunk::Operators),
        "/api-keys" => return fixed(Page::ApiKeys, Chunk::ApiKeys),
        _ => {}
    }
    let with_id = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|id| is_id(id))
            .map(|id| Some(id.to_string()))
    };
    if let Some(id) = with_id("/credential-lists/") {
        Place::Protected {
            page: Page::CredentialList,
            chunk: Chunk::Credentials,
            id,
        }
    } else if let Some(id) = with_id("/acls/") {
        Place::Protected {
            page: Page::Acls,
            chunk: Chunk::AclDetail,
            id,
        }
    } else {
        Place::NotFound
    }
}

/// Whether an address segment can be a list's or an ACL's id: ids (UUIDs,
/// SIDs, numbers) are URI-unreserved characters, and `.` or `..` is never
/// one: put in an API path, the browser would resolve it to another path.
fn is_id(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

/// The id in the address of a credential list's or an ACL's page, for the
/// page to read. Provided for every page, `None` where the address has
/// none, so no page ever reads the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathId(pub Option<String>);

/// The page the address names; rebuilt when the path changes (not the
/// query: a list's search and paging live there).
#[component]
fn PageAtAddress() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let location = use_location();
    let place = Memo::new(move |_| place_at(&location.pathname.get()));
    // leptos_router writes a new address to the address bar once the view
    // for it is built (`<Routes>` says so): ours is built (or shows its
    // loading state) at once.
    let browser = use_context::<BrowserUrl>();
    effect(move || {
        location.pathname.track();
        if let Some(browser) = &browser {
            browser.ready_to_complete();
        }
    });
    move || match place.get() {
        Place::Home => {
            view! { <Redirect path=ctx.profile().home options=replacing() /> }.into_any()
        }
        Place::SignIn => view! { <SignInPage /> }.into_any(),
        Place::NotFound => view! { <NotFoundPage /> }.into_any(),
        Place::Protected { page, chunk, id } => {
            provide_context(PathId(id));
            view! { <Protected page chunk /> }.into_any()
        }
    }
}

/// The pages the navigation offers this operator, in its order.
fn openable_pages(ctx: &AppContext) -> Vec<Page> {
    let mut pages = ctx.profile().pages.to_vec();
    if ctx.config.with_value(|c| c.sign_in) {
        pages.push(Page::Activity);
    }
    if ctx.sip_insight() {
        pages.push(Page::Security);
    }
    if ctx.manages_access() {
        pages.push(Page::Operators);
        if ctx.manages_keys() {
            pages.push(Page::ApiKeys);
        }
    }
    pages
}

/// Navigation that replaces the history entry: a page that only sends the
/// browser on (`/`, a page needing sign-in) is never a step Back returns to.
pub fn replacing() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

/// Shows its children to a signed-in operator, else goes to sign-in, which
/// returns here (path and query) afterwards; so does a session that ends
/// (a request answered 401 clears it). A page the configured dialect does
/// not have is not found, and so is an admin's page to anyone else. The
/// page is built afresh when the account in use changes: everything it
/// loaded was the other account's.
#[component]
fn Protected(page: Page, chunk: Chunk) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let location = use_location();
    move || {
        ctx.account.track();
        // The audit log needs an operator session: without sign-in, no page.
        let without = (page == Page::Activity && !ctx.config.with_value(|c| c.sign_in))
            // What Kamailio sees: only with `--kamailio-rpc` and sign-in.
            || (page == Page::Security && !ctx.sip_insight());
        if !ctx.profile().has(page) || without {
            view! { <NotFoundPage /> }.into_any()
        } else if ctx.session.get().is_some() {
            let keys = page != Page::ApiKeys || ctx.manages_keys();
            if page.for_admins() && !(ctx.manages_access() && keys) {
                return view! { <NotFoundPage /> }.into_any();
            }
            view! { <ChunkView chunk /> }.into_any()
        } else {
            let (path, search) = (
                location.pathname.get_untracked(),
                location.search.get_untracked(),
            );
            let to = crate::pages::sign_in_path(&path, &search, ctx.profile().home);
            view! { <Redirect path=to options=replacing() /> }.into_any()
        }
    }
}

/// `/` moves to the page's search box, as on many sites: not while typing
/// in a field (there it is a character), not with Ctrl, Alt or Meta, not
/// behind an open dialog.
fn slash_focuses_search() {
    let handle = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() != "/" || ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
            return;
        }
        let in_field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| {
                el.closest("input, textarea, select, [contenteditable]")
                    .ok()
                    .flatten()
            })
            .is_some();
        let found = |selector| document().query_selector(selector).ok().flatten();
        if in_field || found("dialog[open]").is_some() {
            return;
        }
        if let Some(search) = found("main [role=search] input")
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            ev.prevent_default();
            let _ = search.focus();
        }
    });
    on_cleanup(move || handle.remove());
}

#[component]
fn Header() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    let sign_out = Task::new(move |()| {
        let api = ctx.api();
        let navigate = navigate.clone();
        async move {
            match api.sign_out().await {
                Ok(()) | Err(api::ApiError::Unauthorized) => {
                    ctx.session.set(None);
                    navigate("/sign-in", Default::default());
                }
                Err(e) => ctx.report(&e),
            }
        }
    });
    // On a phone the navigation, the operator and the buttons fold into a
    // menu; it closes on Escape, on navigation and after a choice.
    let open = RwSignal::new(false);
    let toggle_ref = NodeRef::<leptos::html::Button>::new();
    let location = use_location();
    effect(move || {
        location.pathname.track();
        open.set(false);
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = toggle_ref.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    // Focus leaving the header (Tab past the menu, a click elsewhere) closes
    // it: the open menu would cover what gets focus.
    let header_ref = NodeRef::<leptos::html::Header>::new();
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
            .zip(header_ref.get_untracked())
            .is_some_and(|(to, header)| header.contains(Some(&to)));
        if !inside {
            open.set(false);
        }
    };
    view! {
        <header class="top" node_ref=header_ref on:keydown=on_key on:focusout=on_focus_out>
            <span class="brand">{ctx.config.get_value().title}</span>
            <button
                type="button"
                class="menu-toggle"
                node_ref=toggle_ref
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="main-menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"\u{2630} "</span>"Menu"
            </button>
            <div
                id="main-menu"
                class="menu"
                class:open=move || open.get()
                // Choosing a page closes the menu (the path may not change).
                on:click=move |ev| {
                    let on_link = ev
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .and_then(|t| t.closest("a").ok().flatten())
                        .is_some();
                    if on_link {
                        open.set(false);
                    }
                }
            >
                <Show when=move || ctx.session.get().is_some()>
                    <nav aria-label="Main">
                        {ctx.profile().nav.iter().map(|entry| view! { <A href=entry.href>{entry.text}</A> }).collect_view()}
                        // The audit log needs an operator session: none
                        // when something in front of the console signs in.
                        {ctx.config.get_value().sign_in.then(|| view! { <A href="/activity">"Activity"</A> })}
                        // Failed SIP authentications and bans: any role.
                        {ctx.sip_insight().then(|| view! { <A href="/security">"Security"</A> })}
                        // Operators and API keys: an admin's pages only.
                        <Show when=move || ctx.manages_access()>
                            {ADMIN_NAV.iter().filter(|entry| entry.href != "/api-keys" || ctx.manages_keys()).map(|entry| view! { <A href=entry.href>{entry.text}</A> }).collect_view()}
                        </Show>
                    </nav>
                    <span class="who">
                        {move || ctx.session.get().map(|s| s.operator).filter(|o| !o.is_empty()).map(|operator| {
                            format!("Signed in as {operator} · ")
                        })}
                        <AccountSwitcher />
                    </span>
                </Show>
                <ThemeToggle />
                <Show when=move || ctx.session.get().is_some() && ctx.config.get_value().sign_in>
                    <button type="button" on:click=move |_| { sign_out.dispatch(()); }>"Sign out"</button>
                </Show>
            </div>
        </header>
    }
}

/// Light or dark: follows the system until the operator picks one, which is
/// remembered in this browser (a preference, nothing secret).
#[component]
fn ThemeToggle() -> impl IntoView {
    let storage = window().local_storage().ok().flatten();
    let saved = storage
        .as_ref()
        .and_then(|s| s.get_item("theme").ok().flatten());
    let system_dark = window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let dark = RwSignal::new(match saved.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => system_dark,
    });
    effect(move || {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if dark.get() { "dark" } else { "light" });
        }
    });
    let toggle = move |_| {
        dark.update(|d| *d = !*d);
        if let Some(s) = window().local_storage().ok().flatten() {
            let _ = s.set_item(
                "theme",
                if dark.get_untracked() {
                    "dark"
                } else {
                    "light"
                },
            );
        }
    };
    view! {
        <button
            type="button"
            class="theme"
            aria-pressed=move || if dark.get() { "true" } else { "false" }
            on:click=toggle
        >
            "Dark theme"
            // Seen, not read: aria-pressed already says it to screen readers.
            <span class="theme-state" aria-hidden="true">
                {move || if dark.get() { ": on" } else { ": off" }}
            </span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(page: Page, chunk: Chunk, id: Option<&str>) -> Place {
        let id = id.map(str::to_string);
        Place::Protected { page, chunk, id }
    }

    #[test]
    fn every_page_has_its_address_with_or_without_a_trailing_slash() {
        assert_eq!(place_at("/"), Place::Home);
        assert_eq!(place_at("/sign-in"), Place::SignIn);
        for (path, page, chunk) in [
            ("/credentials", Page::Credentials, Chunk::Credentials),
            (
                "/credential-lists",
                Page::CredentialLists,
                Chunk::CredentialLists,
            ),
            ("/acls", Page::Acls, Chunk::Acls),
            ("/applications", Page::Applications, Chunk::Applications),
            ("/trunks", Page::Trunks, Chunk::Trunks),
            ("/security", Page::Security, Chunk::Security),
            ("/activity", Page::Activity, Chunk::Activity),
            ("/domains", Page::Domains, Chunk::Domains),
            ("/operators", Page::Operators, Chunk::Operators),
            ("/api-keys", Page::ApiKeys, Chunk::ApiKeys),
        ] {
            assert_eq!(place_at(path), protected(page, chunk, None), "{path}");
            let slash = format!("{path}/");
            assert_eq!(place_at(&slash), protected(page, chunk, None), "{slash}");
        }
    }

    #[test]
    fn a_list_or_an_acl_is_named_by_the_segment_after_its_page() {
        assert_eq!(
            place_at("/credential-lists/CL1f"),
            protected(Page::CredentialList, Chunk::Credentials, Some("CL1f"))
        );
        assert_eq!(
            place_at("/acls/7c2e/"),
            protected(Page::Acls, Chunk::AclDetail, Some("7c2e"))
        );
    }

    #[test]
    fn other_addresses_are_not_found() {
        for path in [
            "/nope",
            "/acls/a/b",
            "/acls/..",
            "/acls/.",
            "/acls/a%2Fb",
            "/acls/a?b",
            "/credential-lists/<script>",
            "/credentials/x",
            "/credential-lists/a/entries",
            "/CREDENTIALS",
        ] {
            assert_eq!(place_at(path), Place::NotFound, "{path}");
        }
    }
}
