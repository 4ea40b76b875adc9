//! The pages as separately loaded wasm chunks: the shell and the
//! credentials page are in the first wasm, each other page comes with its
//! chunk when it is first shown or preloaded.
//!
//! With the `split` feature each page's constructor is a split point
//! (`wasm_split`, which Leptos re-exports; xtask's release build runs the
//! splitter). Without it (component tests, `trunk serve`) the same calls
//! resolve at once, so pages are written the same way either way.

use crate::pages;
use crate::profile::Page;
use leptos::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;

/// What a chunk hands back: its page, built on each render.
pub type PageView = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// A chunk that did not arrive (network, server). Loading it again retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// One split point per page; `$chunk` names the wasm file. Pages that name
/// the same chunk share it: two chunks, not one per page, because the
/// splitter makes a file per combination of chunks sharing code (see
/// docs/decisions.md).
macro_rules! chunk {
    ($load:ident, $preload:ident, $chunk:ident, $page:ident) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split(
                                                            $chunk,
                                                            wasm_split_path = ::leptos::wasm_split,
                                                            preload($preload),
                                                            fallible
                                                        )]
        fn $load() -> Result<PageView, NotLoaded> {
            Ok(Arc::new(|| view! { <pages::$page /> }.into_any()))
        }

        #[cfg(not(feature = "split"))]
        async fn $load() -> Result<PageView, NotLoaded> {
            Ok(Arc::new(|| view! { <pages::$page /> }.into_any()))
        }

        #[cfg(not(feature = "split"))]
        async fn $preload() -> Result<(), leptos::wasm_split::SplitLoaderError> {
            Ok(())
        }
    };
}

/// The credentials page, the home page of plivo, zentrunk and vobiz (and
/// a twilio credential list's), is in the first wasm: the sign-in page
/// needs no wasm at all, so the first wasm is only ever fetched for a
/// page, and this one is the most opened (see docs/decisions.md).
fn credentials_page() -> PageView {
    Arc::new(|| view! { <pages::CredentialsPage /> }.into_any())
}
chunk!(
    credential_lists,
    preload_credential_lists,
    twilio,
    CredentialListsPage
);
chunk!(acls, preload_acls, pages, AclsPage);
chunk!(acl_detail, preload_acl_detail, pages, AclDetailPage);
chunk!(applications, preload_applications, pages, ApplicationsPage);
chunk!(trunks, preload_trunks, pages, TrunksPage);
chunk!(domains, preload_domains, twilio, DomainsPage);
chunk!(security, preload_security, pages, SecurityPage);
chunk!(activity, preload_activity, pages, ActivityPage);
chunk!(operators, preload_operators, pages, OperatorsPage);
chunk!(api_keys, preload_api_keys, pages, ApiKeysPage);

/// The chunks, one per page component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    Credentials,
    CredentialLists,
    Acls,
    AclDetail,
    Applications,
    Trunks,
    Domains,
    Security,
    Activity,
    Operators,
    ApiKeys,
}

thread_local! {
    /// Pages already loaded: shown without a loading state afterwards.
    static LOADED: RefCell<Vec<(Chunk, PageView)>> = const { RefCell::new(Vec::new()) };
}

impl Chunk {
    /// The chunk of a page (a twilio list's credentials are the
    /// credentials page).
    pub fn of(page: Page) -> Chunk {
        match page {
            Page::Credentials | Page::CredentialList => Chunk::Credentials,
            Page::CredentialLists => Chunk::CredentialLists,
            Page::Acls => Chunk::Acls,
            Page::Applications => Chunk::Applications,
            Page::Trunks => Chunk::Trunks,
            Page::Domains => Chunk::Domains,
            Page::Security => Chunk::Security,
            Page::Activity => Chunk::Activity,
            Page::Operators => Chunk::Operators,
            Page::ApiKeys => Chunk::ApiKeys,
        }
    }

    /// The page, when its chunk is already here.
    pub fn ready(self) -> Option<PageView> {
        if self == Chunk::Credentials {
            return Some(credentials_page());
        }
        LOADED.with_borrow(|loaded| {
            loaded
                .iter()
                .find(|(c, _)| *c == self)
                .map(|(_, v)| v.clone())
        })
    }

    /// Loads the chunk (once) and returns its page.
    pub async fn load(self) -> Result<PageView, NotLoaded> {
        if let Some(view) = self.ready() {
            return Ok(view);
        }
        let view = match self {
            Chunk::Credentials => Ok(credentials_page()),
            Chunk::CredentialLists => credential_lists().await,
            Chunk::Acls => acls().await,
            Chunk::AclDetail => acl_detail().await,
            Chunk::Applications => applications().await,
            Chunk::Trunks => trunks().await,
            Chunk::Domains => domains().await,
            Chunk::Security => security().await,
            Chunk::Activity => activity().await,
            Chunk::Operators => operators().await,
            Chunk::ApiKeys => api_keys().await,
        }?;
        LOADED.with_borrow_mut(|loaded| loaded.push((self, view.clone())));
        Ok(view)
    }

    /// Fetches and compiles the chunk without showing anything.
    pub async fn preload(self) -> Result<(), NotLoaded> {
        match self {
            Chunk::Credentials => Ok(()),
            Chunk::CredentialLists => preload_credential_lists().await,
            Chunk::Acls => preload_acls().await,
            Chunk::AclDetail => preload_acl_detail().await,
            Chunk::Applications => preload_applications().await,
            Chunk::Trunks => preload_trunks().await,
            Chunk::Domains => preload_domains().await,
            Chunk::Security => preload_security().await,
            Chunk::Activity => preload_activity().await,
            Chunk::Operators => preload_operators().await,
            Chunk::ApiKeys => preload_api_keys().await,
        }
        .map_err(NotLoaded::from)
    }

    /// The chunk a console address shows (`/acls/ID` is an ACL's page);
    /// none for sign-in and the start.
    pub fn at(path: &str) -> Option<Chunk> {
        let mut parts = path.trim_matches('/').split('/');
        let (first, more) = (parts.next().unwrap_or_default(), parts.next().is_some());
        Some(match (first, more) {
            ("credentials", false) | ("credential-lists", true) => Chunk::Credentials,
            ("credential-lists", false) => Chunk::CredentialLists,
            ("acls", false) => Chunk::Acls,
            ("acls", true) => Chunk::AclDetail,
            ("applications", false) => Chunk::Applications,
            ("trunks", false) => Chunk::Trunks,
            ("domains", false) => Chunk::Domains,
            ("security", false) => Chunk::Security,
            ("activity", false) => Chunk::Activity,
            ("operators", false) => Chunk::Operators,
            ("api-keys", false) => Chunk::ApiKeys,
            _ => return None,
        })
    }
}

/// Starts fetching the chunk of the address the console opened at, while
/// `config.json` and the session are still on their way: the page's code
/// is then here when they are.
pub fn preload_opened_page() {
    let path = window().location().pathname().unwrap_or_default();
    if let Some(chunk) = Chunk::at(&path) {
        leptos::task::spawn_local(async move {
            // A failure is retried when the page is shown.
            let _ = chunk.preload().await;
        });
    }
}

thread_local! {
    /// Chunks the page on screen waits for (see `Wanted`).
    static WANTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A chunk the page on screen needs, from when the page is built until it
/// has arrived (or the page is gone): preloading other pages waits for it,
/// so on a slow link it does not share the bandwidth with them.
pub struct Wanted;

impl Wanted {
    pub fn start() -> Self {
        WANTED.with(|n| n.set(n.get() + 1));
        Wanted
    }
}

impl Drop for Wanted {
    fn drop(&mut self) {
        WANTED.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Runs `then` after the next frame is painted and the page's requests
/// have been answered (waiting 5 s at most): what it fetches then does not
/// hold up what the page on screen is waiting for.
pub fn after_paint(then: impl FnOnce() + 'static) {
    let run = move || {
        leptos::task::spawn_local(async move {
            // Signed in on the sign-in page, the console is on its way to
            // the page asked for: that page's requests go first.
            let on_sign_in = || window().location().pathname().unwrap_or_default() == "/sign-in";
            if on_sign_in() {
                for _ in 0..100 {
                    crate::api::sleep_ms(50).await;
                    if !on_sign_in() {
                        break;
                    }
                }
                crate::api::sleep_ms(50).await;
            }
            for _ in 0..100 {
                if crate::api::requests_in_flight() == 0 {
                    break;
                }
                crate::api::sleep_ms(50).await;
            }
            then();
        })
    };
    request_animation_frame(move || {
        set_timeout(run, std::time::Duration::ZERO);
    });
}

/// Loads the pages of `pages` one after another, after the page on screen
/// has painted and its requests have been answered, so a later click finds
/// its page here. One at a time: on a slow link the page being read keeps
/// the bandwidth.
pub fn preload_after_paint(pages: Vec<Page>) {
    after_paint(move || {
        leptos::task::spawn_local(async move {
            let mut done: Vec<Chunk> = Vec::new();
            for page in pages {
                let chunk = Chunk::of(page);
                if done.contains(&chunk) || chunk.ready().is_some() {
                    continue;
                }
                // What the page on screen needs first (5 s at most).
                for _ in 0..100 {
                    if WANTED.with(std::cell::Cell::get) == 0 {
                        break;
                    }
                    crate::api::sleep_ms(50).await;
                }
                done.push(chunk);
                // A failure here is retried when the page is opened.
                let _ = chunk.preload().await;
            }
        })
    });
}

/// Shows the page of `chunk`: at once when loaded, else a loading state,
/// then the page; a failed load says so and offers to try again.
#[component]
pub fn ChunkView(chunk: Chunk) -> impl IntoView {
    let state = RwSignal::new(chunk.ready().map(Ok));
    let fetch = move || {
        state.set(None);
        leptos::task::spawn_local(async move { state.set(Some(chunk.load().await)) });
    };
    if state.with_untracked(Option::is_none) {
        fetch();
    }
    move || {
        match state.get() {
        Some(Ok(page)) => page(),
        None => view! { <p class="loading" role="status">"Loading the page…"</p> }.into_any(),
        Some(Err(NotLoaded)) => view! {
            <h1>"The page could not be loaded"</h1>
            <p class="error" role="alert">
                "Part of the console did not arrive: check the connection, or reload the page if the console was just updated. "
                <button type="button" on:click=move |_| fetch()>"Try loading the page again"</button>
            </p>
        }
        .into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::Chunk;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn each_address_names_the_chunk_its_route_shows() {
        for (path, chunk) in [
            ("/credentials", Some(Chunk::Credentials)),
            ("/credential-lists/CL1", Some(Chunk::Credentials)),
            ("/credential-lists", Some(Chunk::CredentialLists)),
            ("/acls", Some(Chunk::Acls)),
            ("/acls/", Some(Chunk::Acls)),
            ("/acls/abc", Some(Chunk::AclDetail)),
            ("/applications", Some(Chunk::Applications)),
            ("/trunks", Some(Chunk::Trunks)),
            ("/domains", Some(Chunk::Domains)),
            ("/security", Some(Chunk::Security)),
            ("/activity", Some(Chunk::Activity)),
            ("/operators", Some(Chunk::Operators)),
            ("/api-keys", Some(Chunk::ApiKeys)),
            ("/", None),
            ("/sign-in", None),
            ("/nowhere", None),
            ("/credentials/x/y", None),
        ] {
            assert_eq!(Chunk::at(path), chunk, "{path}");
        }
    }
}
