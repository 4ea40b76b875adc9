//! What the list pages share: the filter and the page live in the URL, every
//! row is loaded once (the quotas bound them: 200 credentials, 100 ACLs) and
//! filtering and paging happen in the browser, so a keystroke never waits on
//! the network.

use crate::api::{Api, ApiError, PAGE_SIZE};
use crate::context::AppContext;
use crate::signals::{derive, effect, memo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::cmp::Ordering;
use std::future::Future;

/// The router's navigate function, kept where event handlers can reach it.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// The filter text, sort column, page number and a filter beside the search
/// (`show`, e.g. vobiz's enabled or disabled) of a list page, read from and
/// written to its URL (`?q=…&show=…&sort=name|-name&page=…`), so reload and
/// shared links keep them. Each change is a step in the browser's history
/// (Back from page 3 shows page 2); typing a filter is one step, not one
/// per keystroke.
#[derive(Clone, Copy)]
pub struct ListQuery {
    pub search: Memo<String>,
    pub page: Memo<u32>,
    /// The column key, `-` first for descending; empty: creation order.
    pub sort: Memo<String>,
    /// A filter beside the search (a page's own word); empty: everything.
    pub show: Memo<String>,
    path: StoredValue<String>,
    navigate: StoredValue<Navigate, LocalStorage>,
    /// The filter the search box last wrote while it is being typed:
    /// further keystrokes replace that history entry instead of adding one.
    typed: StoredValue<Option<String>>,
}

impl ListQuery {
    pub fn from_url(path: impl Into<String>) -> Self {
        Self::at(path.into())
    }

    /// `from_url`, not generic.
    fn at(path: String) -> Self {
        let query = use_query_map();
        let navigate = use_navigate();
        Self {
            search: memo(move || query.read().get("q").unwrap_or_default()),
            page: memo(move || {
                query
                    .read()
                    .get("page")
                    .and_then(|p| p.parse::<u32>().ok())
                    .filter(|p| *p >= 1)
                    .unwrap_or(1)
            }),
            sort: memo(move || query.read().get("sort").unwrap_or_default()),
            show: memo(move || query.read().get("show").unwrap_or_default()),
            path: StoredValue::new(path),
            navigate: StoredValue::new_local(Box::new(navigate)),
            typed: StoredValue::new(None),
        }
    }

    /// Goes to `page` of the list filtered by `search`: a new history entry.
    pub fn set(&self, search: &str, page: u32) {
        self.navigate_to(search, &self.sort.get_untracked(), page, false);
    }

    /// Cycles the column `key` through ascending, descending and back to
    /// creation order; back to page 1.
    pub fn sort_by(&self, key: &str) {
        let current = self.sort.get_untracked();
        let next = if current == key {
            format!("-{key}")
        } else if current.strip_prefix('-') == Some(key) {
            String::new()
        } else {
            key.to_string()
        };
        self.navigate_to(&self.search.get_untracked(), &next, 1, false);
    }

    /// Orders the list by `sort` (a column key, `-` first for descending;
    /// empty: creation order); back to page 1.
    pub fn sort_as(&self, sort: &str) {
        self.navigate_to(&self.search.get_untracked(), sort, 1, false);
    }

    /// Shows only what the filter `show` keeps (empty: everything); back
    /// to page 1.
    pub fn show(&self, show: &str) {
        let (search, sort) = (self.search.get_untracked(), self.sort.get_untracked());
        self.navigate_with(&search, show, &sort, 1, false);
    }

    /// Writes the URL's query: a new history entry unless `replace`.
    fn navigate_to(&self, search: &str, sort: &str, page: u32, replace: bool) {
        self.navigate_with(search, &self.show.get_untracked(), sort, page, replace);
    }

    fn navigate_with(&self, search: &str, show: &str, sort: &str, page: u32, replace: bool) {
        if !replace {
            self.typed.set_value(None);
        }
        let mut params = Vec::new();
        if !search.is_empty() {
            params.push(("q", search.to_string()));
        }
        if !show.is_empty() {
            params.push(("show", show.to_string()));
        }
        if !sort.is_empty() {
            params.push(("sort", sort.to_string()));
        }
        if page > 1 {
            params.push(("page", page.to_string()));
        }
        let qs = serde_urlencoded::to_string(&params).unwrap_or_default();
        let path = self.path.get_value();
        let url = if qs.is_empty() {
            path
        } else {
            format!("{path}?{qs}")
        };
        let options = NavigateOptions {
            replace,
            scroll: false,
            ..Default::default()
        };
        self.navigate.with_value(|navigate| navigate(&url, options));
    }

    /// Handler for the filter input: a new filter starts at page 1. The
    /// first keystroke adds a history entry, the next ones replace it while
    /// the URL still holds what the box last wrote (not after Back, or
    /// once the box has lost focus), so Back returns to the list before the
    /// search.
    pub fn on_input(self) -> impl Fn(leptos::ev::Event) + Clone {
        move |ev| {
            let text = event_target_value(&ev);
            let typing = self.typed.get_value() == Some(self.search.get_untracked());
            self.navigate_to(&text, &self.sort.get_untracked(), 1, typing);
            self.typed.set_value(Some(text));
        }
    }

    /// Handler for the filter input losing focus: the next edit is a new step.
    pub fn on_blur(self) -> impl Fn(leptos::ev::FocusEvent) + Clone {
        move |_| self.typed.set_value(None)
    }
}

/// Hands a list's first page and its total to the page while the rest loads.
pub type FirstPage<T> = Box<dyn FnOnce(Vec<T>, usize)>;

/// Every row of one list, loaded on creation and again on `refresh`. The
/// first page shows as soon as it arrives; `loading_rest` holds the total
/// until the other pages are in.
pub struct Listing<T: Send + Sync + 'static> {
    pub rows: RwSignal<Option<Result<Vec<T>, ApiError>>>,
    loading_rest: RwSignal<Option<usize>>,
    reload: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Listing<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Listing<T> {}

impl<T: Send + Sync + 'static> Listing<T> {
    pub fn load<F, Fut>(ctx: AppContext, fetch: F) -> Self
    where
        F: Fn(Api, FirstPage<T>) -> Fut + 'static,
        Fut: Future<Output = Result<Vec<T>, ApiError>> + 'static,
    {
        let rows = RwSignal::new(None::<Result<Vec<T>, ApiError>>);
        let loading_rest = RwSignal::new(None::<usize>);
        let reload = RwSignal::new(0u32);
        let latest = StoredValue::new(0u32);
        effect(move || {
            reload.track();
            let ticket = latest.get_value() + 1;
            latest.set_value(ticket);
            // A slow answer to an older load must not replace a newer one.
            // The answers arrive after an await, when the operator may have
            // left the page and its values been disposed: Leptos panics on
            // reading a disposed value (in the release wasm, a `RuntimeError:
            // unreachable`), so only `try_` reads here; gone reads as stale.
            let current = move || latest.try_get_value() == Some(ticket);
            let first: FirstPage<T> = Box::new(move |page, total| {
                // On a reload the complete old list stays until the new one is in.
                if current() && !matches!(rows.read_untracked().as_ref(), Some(Ok(_))) {
                    rows.set(Some(Ok(page)));
                    loading_rest.set(Some(total));
                }
            });
            let answer = fetch(ctx.api(), first);
            spawn_local(async move {
                let result = answer.await;
                if current() {
                    if let Err(ApiError::Unauthorized) = &result {
                        ctx.session.set(None);
                    }
                    rows.set(Some(result));
                    loading_rest.set(None);
                }
            });
        });
        Self {
            rows,
            loading_rest,
            reload,
        }
    }

    pub fn refresh(&self) {
        self.reload.update(|n| *n += 1);
    }

    /// Makes an effect rerun whenever the list reloads (data shown beside it).
    pub fn track_reloads(&self) {
        self.reload.track();
    }

    /// How many times the list has reloaded (after each write).
    pub fn reloads(&self) -> Signal<u32> {
        self.reload.into()
    }

    /// The page of rows that `keep` lets through, in the order the URL asks
    /// for (`order` compares two rows by a column key), and where it sits.
    pub fn shown(
        self,
        query: ListQuery,
        keep: impl Fn(&T, &str) -> bool + Send + Sync + 'static,
        order: impl Fn(&T, &T, &str) -> Ordering + Send + Sync + 'static,
    ) -> Memo<Shown> {
        self.shown_where(query, |_| true, keep, order)
    }
}

impl<T: Send + Sync + 'static> Listing<T> {
    /// [`Listing::shown`] among the rows `pass` lets through whatever the
    /// search (a filter beside it, like vobiz's enabled or disabled).
    pub fn shown_where(
        self,
        query: ListQuery,
        pass: impl Fn(&T) -> bool + Send + Sync + 'static,
        keep: impl Fn(&T, &str) -> bool + Send + Sync + 'static,
        order: impl Fn(&T, &T, &str) -> Ordering + Send + Sync + 'static,
    ) -> Memo<Shown> {
        memo(move || {
            let search = query.search.get();
            let needle = search.trim().to_lowercase();
            let expected = self.loading_rest.get();
            self.rows.with(|rows| {
                let Some(Ok(all)) = rows else {
                    return Shown::default();
                };
                let (rows, place) = place_rows(
                    query,
                    all.len(),
                    expected,
                    &|i| pass(&all[i]) && (needle.is_empty() || keep(&all[i], &needle)),
                    &|a, b, key| order(&all[a], &all[b], key),
                );
                Shown { rows, place }
            })
        })
    }
}

/// Which of `len` rows the page shows (by index, in the order the URL asks
/// for) and where it sits. Not generic: one copy sorts every kind of row.
fn place_rows(
    query: ListQuery,
    len: usize,
    expected: Option<usize>,
    keep: &dyn Fn(usize) -> bool,
    order: &dyn Fn(usize, usize, &str) -> Ordering,
) -> (Vec<usize>, Place) {
    let filtered = query.search.with(|s| !s.trim().is_empty());
    let mut matching: Vec<usize> = (0..len).filter(|&i| keep(i)).collect();
    let sort = query.sort.get();
    if !sort.is_empty() {
        let (key, descending) = match sort.strip_prefix('-') {
            Some(key) => (key, true),
            None => (sort.as_str(), false),
        };
        // Stable: equal rows keep their creation order.
        matching.sort_by(|&a, &b| {
            let o = order(a, b, key);
            if descending {
                o.reverse()
            } else {
                o
            }
        });
    }
    // While the rest loads, unfiltered counts come from the total.
    let (count, total) = match expected {
        Some(total) if !filtered => (total, total),
        Some(total) => (matching.len(), total),
        None => (matching.len(), len),
    };
    let last_page = (count as u32).div_ceil(PAGE_SIZE).max(1);
    // A page past the end (rows deleted meanwhile) shows the last one.
    let page = query.page.get().min(last_page);
    let offset = ((page - 1) * PAGE_SIZE) as usize;
    let on_page: Vec<usize> = matching
        .into_iter()
        .skip(offset)
        .take(PAGE_SIZE as usize)
        .collect();
    let place = Place {
        offset,
        len: on_page.len(),
        matching: count,
        all: total,
        page,
        last_page,
    };
    (on_page, place)
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Listing<T> {
    /// Where the list stands and where `shown` sits in it.
    pub fn state(self, shown: Memo<Shown>) -> ListState {
        let (rows, rest) = (self.rows, self.loading_rest);
        ListState {
            loaded: memo(move || {
                rows.with(|rows| match rows {
                    None => Loaded::Loading,
                    Some(Err(e)) => Loaded::Failed(e.clone()),
                    Some(Ok(all)) if all.is_empty() => Loaded::Empty,
                    Some(Ok(_)) => Loaded::Rows(rest.with(Option::is_none)),
                })
            }),
            place: memo(move || shown.with(|s| s.place.clone())),
            reload: self.reload,
        }
    }
}

/// One page of a filtered list: its rows (as indices into the listing's),
/// and where it sits. Not generic: one copy of the memo's code serves every
/// kind of row.
#[derive(Clone, PartialEq, Default)]
pub struct Shown {
    pub rows: Vec<usize>,
    pub place: Place,
}

/// Where a page of a filtered list sits, without its rows: what the
/// search box's count and the pager follow.
#[derive(Clone, PartialEq)]
pub struct Place {
    pub offset: usize,
    /// Rows on this page.
    pub len: usize,
    pub matching: usize,
    pub all: usize,
    pub page: u32,
    pub last_page: u32,
}

impl Default for Place {
    fn default() -> Self {
        Self {
            offset: 0,
            len: 0,
            matching: 0,
            all: 0,
            page: 1,
            last_page: 1,
        }
    }
}

impl Place {
    /// "Showing 1–20 of 200", or of the matches when filtered.
    pub fn summary(&self) -> String {
        if self.matching == 0 {
            return String::new();
        }
        let range = format!(
            "Showing {}–{} of {}",
            self.offset + 1,
            self.offset + self.len,
            self.matching
        );
        if self.matching == self.all {
            range
        } else {
            format!("{range} matching ({} in all)", self.all)
        }
    }
}

/// How a list's loading stands, without its rows.
#[derive(Clone, PartialEq)]
pub enum Loaded {
    Loading,
    Failed(ApiError),
    /// Loaded, and there are none.
    Empty,
    /// Some rows are in; `true` once every page is.
    Rows(bool),
}

/// What the search box, the notices and the pager of a list follow: not
/// generic over the rows, so they are drawn by one copy of their code.
#[derive(Clone, Copy)]
pub struct ListState {
    pub loaded: Memo<Loaded>,
    pub place: Memo<Place>,
    reload: RwSignal<u32>,
}

impl ListState {
    pub fn refresh(&self) {
        self.reload.update(|n| *n += 1);
    }
}

/// A column heading that sorts the list by `key`: a button, with `aria-sort`
/// on the heading saying the current order.
#[component]
pub fn SortHeader(query: ListQuery, key: &'static str, label: &'static str) -> impl IntoView {
    let state = move || {
        let sort = query.sort.get();
        if sort == key {
            "ascending"
        } else if sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    };
    view! {
        <th scope="col" aria-sort=state>
            <button type="button" class="sort" on:click=move |_| query.sort_by(key)>
                {label}
                <span class="sort-mark" aria-hidden="true">
                    {move || match state() {
                        "ascending" => "\u{25b2}",
                        "descending" => "\u{25bc}",
                        _ => "\u{2195}",
                    }}
                </span>
            </button>
        </th>
    }
}

/// The order of a list drawn as cards rather than a table: a labelled
/// select of (sort key, words) choices, kept in the URL like a column's.
#[component]
pub fn SortSelect(
    id: &'static str,
    query: ListQuery,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <div class="toolbar">
            <label for=id>"Sort by"</label>
            <select
                id=id
                prop:value=move || query.sort.get()
                on:change=move |ev| query.sort_as(&event_target_value(&ev))
            >
                {options.iter().map(|&(key, words)| view! {
                    <option value=key selected=move || query.sort.with(|s| s == key)>{words}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Previous/next page buttons, shown when there is more than one page.
#[component]
pub fn Pager(state: ListState, query: ListQuery) -> impl IntoView {
    let place = state.place;
    view! {
        <PageNav
            page=derive(move || place.with(|s| s.page))
            last=derive(move || place.with(|s| s.last_page))
            to=Callback::new(move |page| query.set(&query.search.get_untracked(), page))
        />
    }
}

/// Previous/next page buttons for `page` of `last` (a list's, or pages the
/// server counts), shown when there is more than one page or the page is
/// past the last; `to` goes to a page.
#[component]
pub fn PageNav(
    page: Signal<u32>,
    last: Signal<u32>,
    to: Callback<u32>,
    #[prop(default = "Pages")] label: &'static str,
) -> impl IntoView {
    view! {
        <Show when=move || { last.get() > 1 || page.get() > 1 }>
            <nav class="pager" aria-label=label>
                <button
                    type="button"
                    disabled=move || { page.get() <= 1 }
                    on:click=move |_| to.run(page.get_untracked().saturating_sub(1).max(1))
                >
                    "Previous page"
                </button>
                <span>{move || format!("Page {} of {}", page.get(), last.get().max(page.get()))}</span>
                <button
                    type="button"
                    disabled=move || { page.get() >= last.get() }
                    on:click=move |_| to.run(page.get_untracked() + 1)
                >
                    "Next page"
                </button>
            </nav>
        </Show>
    }
}

/// The search box of a list page with its live count; the filter is
/// `query`'s, so it lives in the URL. `help` adds a hint tied to the input.
#[component]
pub fn SearchBar(
    id: &'static str,
    #[prop(into)] label: String,
    query: ListQuery,
    state: ListState,
    #[prop(optional)] help: Option<&'static str>,
) -> impl IntoView {
    let help_id = format!("{id}-help");
    let described = help.map(|_| help_id.clone());
    view! {
        <div class="toolbar" role="search">
            <label for=id>{label}</label>
            <input
                id=id
                type="search"
                autocomplete="off"
                aria-describedby=described
                prop:value=move || query.search.get()
                on:input=query.on_input()
                on:blur=query.on_blur()
            />
            <span class="count" role="status">
                {move || match state.loaded.with(|l| *l == Loaded::Loading) {
                    true => "Loading…".to_string(),
                    false => state.place.with(Place::summary),
                }}
            </span>
            {help.map(|h| view! { <p id=help_id class="hint">{h}</p> })}
        </div>
    }
}

/// What a list page says instead of rows: loading failed (with a retry),
/// nothing exists yet (`empty`), or nothing matches the filter
/// (`no_match`, given the filter text).
#[component]
pub fn ListNotice(
    /// Plural, as in "The IP ACLs could not be loaded."
    what: &'static str,
    empty: &'static str,
    no_match: fn(&str) -> String,
    query: ListQuery,
    state: ListState,
) -> impl IntoView {
    move || match state.loaded.get() {
        Loaded::Failed(e) => Some(
            view! {
                <div class="error" role="alert">
                    <p>{format!("The {what} could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| state.refresh()>"Try again"</button>
                </div>
            }
            .into_any(),
        ),
        Loaded::Empty => Some(view! { <div class="empty"><p>{empty}</p></div> }.into_any()),
        Loaded::Rows(true) if state.place.with(|s| s.matching == 0) => Some(
            view! { <div class="empty"><p>{no_match(query.search.get().trim())}</p></div> }
                .into_any(),
        ),
        _ => None,
    }
}
