//! Loading what a page shows that is not a paged list: one fetch, again on
//! every refresh, and the words while it loads or when it failed.

use crate::api::{Api, ApiError};
use crate::context::AppContext;
use crate::signals::effect;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// What a page loaded, how to load it again, and a count of reloads (what
/// shows beside the data follows it).
pub struct Loaded<T: Send + Sync + 'static> {
    /// None while the first answer is awaited; then the latest answer,
    /// kept while the next one loads.
    pub data: RwSignal<Option<Result<T, ApiError>>>,
    /// A request is under way.
    pub loading: RwSignal<bool>,
    pub refresh: Callback<()>,
    pub reloads: Signal<u32>,
}

/// Runs `fetch` in an effect, so the signals it reads (a route parameter,
/// a filter) load again when they change; a slow answer to an older
/// request never replaces a newer one; an ended session goes to sign-in.
pub fn load<T, F, Fut>(ctx: AppContext, fetch: F) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Fn(Api) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let data = RwSignal::new(None);
    let loading = RwSignal::new(true);
    let reload = RwSignal::new(0u32);
    let latest = StoredValue::new(0u32);
    effect(move || {
        reload.track();
        let answer = fetch(ctx.api());
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        loading.set(true);
        spawn_local(async move {
            let result = answer.await;
            // The page may be gone, or a newer request under way.
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            if let Err(ApiError::Unauthorized) = &result {
                ctx.session.set(None);
            }
            data.set(Some(result));
            loading.set(false);
        });
    });
    Loaded {
        data,
        loading,
        refresh: Callback::new(move |()| reload.update(|n| *n += 1)),
        reloads: reload.into(),
    }
}

/// What a page shows beside its main data (names, where things are used),
/// loaded again whenever `reloads` changes. A failed load keeps what was
/// there: it only adds words.
pub fn load_beside<T, F, Fut>(ctx: AppContext, reloads: Signal<u32>, fetch: F) -> RwSignal<T>
where
    T: Default + Send + Sync + 'static,
    F: Fn(Api) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let beside = RwSignal::new(T::default());
    load_beside_into(ctx, reloads, fetch, beside);
    beside
}

/// `load_beside`, into a signal the page already reads.
pub fn load_beside_into<T, F, Fut>(
    ctx: AppContext,
    reloads: Signal<u32>,
    fetch: F,
    beside: RwSignal<T>,
) where
    T: Send + Sync + 'static,
    F: Fn(Api) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    effect(move || {
        reloads.track();
        let answer = fetch(ctx.api());
        spawn_local(async move {
            if let Ok(now) = answer.await {
                // The page may be gone meanwhile.
                beside.try_set(now);
            }
        });
    });
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p role="status">"Loading…"</p> }
}

/// A load that failed: why, and a button to try again.
#[component]
pub fn LoadFailed(
    /// What could not be loaded, as in "The {what} could not be loaded."
    what: &'static str,
    error: ApiError,
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <p>{format!("The {what} could not be loaded. {error}")}</p>
            <button type="button" on:click=move |_| on_retry.run(())>"Try again"</button>
        </div>
    }
}
