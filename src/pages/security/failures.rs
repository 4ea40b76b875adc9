//! The recent failed authentications (last 7 days), newest first, 50 a
//! page, filtered by source and username; the filter and the page live in
//! the URL like the Activity page's, so Back steps through them.

use super::tops::filtered;
use crate::api::{Failure, FailureFilter};
use crate::components::{load, LoadFailed, Loaded, When};
use crate::context::AppContext;
use crate::list::PageNav;
use crate::signals::{derive, memo};
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;

type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

#[component]
pub fn FailuresTable(failures: Vec<Failure>) -> impl IntoView {
    let rows = failures
        .into_iter()
        .map(|f| {
            view! {
                <tr>
                    <th scope="row"><When raw=Some(f.at) /></th>
                    <td>{f.source}</td>
                    <td>{f.username}</td>
                    <td>{f.entry}</td>
                    <td>{f.reason}</td>
                    <td>{f.count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">"Recent failed authentications, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Source"</th>
                    <th scope="col">"Username"</th>
                    <th scope="col">"Entry point"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Count"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}

/// The filter form, the count, the table and the pager. `reloads`: the
/// page's Refresh (and an unban) asks again.
#[component]
pub fn RecentFailures(reloads: Signal<u32>) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = use_query_map();
    let filter = memo(move || query.with(|q| FailureFilter::read(|key| q.get(key))));
    let navigate: StoredValue<Navigate, LocalStorage> =
        StoredValue::new_local(Box::new(use_navigate()));
    let go = move |next: FailureFilter| {
        if next == filter.get_untracked() {
            return;
        }
        let options = NavigateOptions {
            scroll: false,
            ..Default::default()
        };
        navigate.with_value(|navigate| navigate(&filtered(next), options));
    };

    let Loaded {
        data: answer,
        loading,
        refresh: retry,
        ..
    } = load(ctx, move |api| {
        reloads.track();
        let f = filter.get();
        async move { api.sip_failures(&f, PAGE_SIZE).await }
    });

    let source = NodeRef::<Input>::new();
    let username = NodeRef::<Input>::new();
    let apply = move || {
        let value = |r: NodeRef<Input>| {
            r.get_untracked()
                .map(|e| e.value().trim().to_string())
                .unwrap_or_default()
        };
        go(FailureFilter {
            source: value(source),
            username: value(username),
            page: 1,
        });
    };
    let to_page = move |page: u32| {
        let mut next = filter.get_untracked();
        next.page = page;
        go(next);
    };
    let page = move || filter.with(|f| f.page);
    let last_page = move || {
        answer.with(|a| match a {
            Some(Ok(p)) => (p.total.div_ceil(PAGE_SIZE as u64) as u32).max(1),
            _ => 1,
        })
    };
    let summary = move || {
        if loading.get() {
            return "Loading…".to_string();
        }
        match answer.get() {
            Some(Ok(p)) if !p.failures.is_empty() => {
                let first = (page() - 1) as u64 * PAGE_SIZE as u64 + 1;
                let last = first + p.failures.len() as u64 - 1;
                format!("Showing {first}–{last} of {}", p.total)
            }
            _ => String::new(),
        }
    };
    let body = move || match answer.get() {
        None => None,
        Some(Err(error)) => Some(
            view! { <LoadFailed what="failed authentications" error on_retry=retry /> }.into_any(),
        ),
        Some(Ok(p)) if p.failures.is_empty() => {
            let f = filter.get_untracked();
            let words = if f.narrows() {
                format!(
                    "No failed authentication in the last 7 days matches {}.",
                    f.describe()
                )
            } else if f.page > 1 {
                "No failed authentications on this page: the list is shorter.".to_string()
            } else {
                "No failed authentications in the last 7 days.".to_string()
            };
            Some(view! { <div class="empty"><p>{words}</p></div> }.into_any())
        }
        Some(Ok(p)) => Some(view! { <FailuresTable failures=p.failures /> }.into_any()),
    };
    let text_field = move |id: &'static str,
                           label: &'static str,
                           node: NodeRef<Input>,
                           get: fn(&FailureFilter) -> String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    node_ref=node
                    prop:value=move || filter.with(get)
                />
            </div>
        }
    };
    view! {
        <form
            class="filters"
            role="search"
            aria-label="Filter the failed authentications"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
        >
            {text_field("failures-source", "Source address", source, |f| f.source.clone())}
            {text_field("failures-username", "Username", username, |f| f.username.clone())}
            <div class="actions">
                <button type="submit" class="primary">"Apply filters"</button>
                <button type="button" on:click=move |_| go(FailureFilter { page: 1, ..Default::default() })>
                    "Clear filters"
                </button>
            </div>
        </form>
        <p class="count" role="status">{summary}</p>
        {body}
        <PageNav page=derive(page) last=derive(last_page) to=Callback::new(to_page) label="Pages of failed authentications" />
    }
}
