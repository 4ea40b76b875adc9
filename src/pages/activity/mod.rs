//! Activity: the audit log, newest first, filtered by actor, action,
//! resource, account and dates, paged; the filter and the page live in the
//! URL (Back steps through them); each record expands to its diff; the
//! filtered log downloads as CSV or NDJSON.

use crate::api::{ApiError, AuditFilter, ACTIONS, RESOURCES};
use crate::components::{load, AuditTable, LoadFailed, Loaded};
use crate::context::AppContext;
use crate::dialog_action::Task;
use crate::list::PageNav;
use crate::signals::{derive, memo};
use leptos::html::{Input, Select};
use leptos::prelude::AnyView;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

/// Records per page.
const PAGE_SIZE: u32 = 50;

type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = use_query_map();
    let filter = memo(move || query.with(|q| AuditFilter::read(|key| q.get(key))));
    let navigate: StoredValue<Navigate, LocalStorage> =
        StoredValue::new_local(Box::new(use_navigate()));
    // A new filter or page is a step in the history; the same one is none.
    let go = move |next: AuditFilter| {
        if next == filter.get_untracked() {
            return;
        }
        let qs = next.query_string();
        let url = if qs.is_empty() {
            "/activity".to_string()
        } else {
            format!("/activity?{qs}")
        };
        let options = NavigateOptions {
            scroll: false,
            ..Default::default()
        };
        navigate.with_value(|navigate| navigate(&url, options));
    };

    let Loaded {
        data: answer,
        loading,
        refresh: retry,
        ..
    } = load(ctx, move |api| {
        let f = filter.get();
        async move { api.audit(&f, PAGE_SIZE).await }
    });

    let actor = NodeRef::<Input>::new();
    let action = NodeRef::<Select>::new();
    let resource = NodeRef::<Select>::new();
    let account = NodeRef::<Select>::new();
    let from = NodeRef::<Input>::new();
    let to = NodeRef::<Input>::new();
    // Every control's value at once: a change of one keeps the others.
    let apply = move || {
        let input = |r: NodeRef<Input>| r.get_untracked().map(|e| e.value()).unwrap_or_default();
        let select = |r: NodeRef<Select>| r.get_untracked().map(|e| e.value()).unwrap_or_default();
        go(AuditFilter {
            actor: input(actor).trim().to_string(),
            action: select(action),
            resource: select(resource),
            resource_id: filter.with_untracked(|f| f.resource_id.clone()),
            within: filter.with_untracked(|f| f.within.clone()),
            account: select(account),
            from: input(from),
            to: input(to),
            page: 1,
        })
    };
    // One handler for every control: one closure type in the wasm.
    let changed = move |_: leptos::ev::Event| apply();
    let to_page = move |page: u32| {
        let mut next = filter.get_untracked();
        next.page = page;
        go(next);
    };

    let download = Task::new(move |format: &'static str| {
        let (api, f) = (ctx.api(), filter.get_untracked());
        async move {
            match api.audit_download(&f, format).await {
                Ok(file) => save(&file.blob, &file.filename),
                Err(e) => ctx.report(&e),
            }
        }
    });

    let summary = move || {
        if loading.get() {
            return "Loading…".to_string();
        }
        match answer.get() {
            Some(Ok(page)) if page.total > 0 => {
                let first = (page.page.max(1) - 1) as u64 * page.page_size as u64 + 1;
                let last = first + page.records.len() as u64 - 1;
                let of = if page.total == 1 { "record" } else { "records" };
                format!("Showing {first}–{last} of {} {of}", page.total)
            }
            _ => String::new(),
        }
    };
    let last_page = move || {
        answer.with(|a| match a {
            Some(Ok(p)) => (p.total.div_ceil(PAGE_SIZE as u64) as u32).max(1),
            _ => 1,
        })
    };
    let page = move || filter.with(|f| f.page);

    let body = move || {
        match answer.get() {
        None => None,
        // Said beside the input it concerns.
        Some(Err(ApiError::Invalid { field, .. }))
            if ["actor", "from", "to"].contains(&field.as_str()) =>
        {
            None
        }
        Some(Err(error)) => Some(
            view! { <LoadFailed what="activity" error on_retry=retry /> }
                .into_any(),
        ),
        Some(Ok(p)) if p.records.is_empty() => {
            let f = filter.get_untracked();
            let words = if f.narrows() {
                format!("No activity matches {}.", f.describe())
            } else if f.page > 1 {
                "No records on this page: the log is shorter.".to_string()
            } else {
                "No activity recorded yet. Changes to credentials, IP ACLs and the rest appear here, whoever makes them and however."
                    .to_string()
            };
            Some(view! { <div class="empty"><p>{words}</p></div> }.into_any())
        }
        Some(Ok(p)) => Some(
            view! { <AuditTable caption="Activity, newest first" records=p.records id_prefix="activity" /> }
                .into_any(),
        ),
    }
    };

    // The controls show the URL's filter (after Back, a shared link).
    let value_of = move |get: fn(&AuditFilter) -> &String| move || filter.with(|f| get(f).clone());
    // A refused filter (a bad date, a value too long) is said beside its input.
    let refused = memo(move || {
        answer.with(|a| match a {
            Some(Err(e @ ApiError::Invalid { field, .. })) => Some((field.clone(), e.to_string())),
            _ => None,
        })
    });
    let on_change = Callback::new(move |()| apply());
    let field = move |input: FilterInput| filter_input(input, filter, refused, on_change);

    view! {
        <div class="page-head">
            <h1>"Activity"</h1>
            <div class="actions">
                <button type="button" disabled=move || download.pending().get() on:click=move |_| download.dispatch("csv")>
                    "Download CSV"
                </button>
                <button type="button" disabled=move || download.pending().get() on:click=move |_| download.dispatch("ndjson")>
                    "Download NDJSON"
                </button>
            </div>
        </div>
        <p class="lead">
            "Who changed what, newest first: every change through the console, any provider API or the CLI, and every sign-in. Downloads hold every record the filter keeps."
        </p>
        <form
            class="filters"
            role="search"
            aria-label="Filter the activity"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
        >
            {field(FilterInput { id: "activity-actor", label: "Actor", kind: "text", hint: Some("As recorded: operator:alice, api-key:SK…, api-token or cli."), node: actor, key: "actor" })}
            <div class="field">
                <label for="activity-action">"Action"</label>
                <select id="activity-action" node_ref=action prop:value=value_of(|f| &f.action) on:change=changed>
                    <option value="" selected=move || filter.with(|f| f.action.is_empty())>"Any action"</option>
                    {ACTIONS.iter().map(|&a| view! {
                        <option value=a selected=move || filter.with(|f| f.action == a)>{a}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="activity-resource">"Resource"</label>
                <select id="activity-resource" node_ref=resource prop:value=value_of(|f| &f.resource) on:change=changed>
                    <option value="" selected=move || filter.with(|f| f.resource.is_empty())>"Any resource"</option>
                    {RESOURCES.iter().map(|&(key, words)| view! {
                        <option value=key selected=move || filter.with(|f| f.resource == key)>{words}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="activity-account">"Account"</label>
                <select id="activity-account" node_ref=account prop:value=value_of(|f| &f.account) on:change=changed>
                    <option value="" selected=move || filter.with(|f| f.account.is_empty())>"Every account you may see"</option>
                    // The session's accounts, and the URL's if it names another.
                    {move || {
                        let mut ids: Vec<String> = ctx.accounts().into_iter().map(|a| a.auth_id).collect();
                        let asked = filter.with(|f| f.account.clone());
                        if !asked.is_empty() && !ids.contains(&asked) {
                            ids.push(asked);
                        }
                        ids.into_iter().map(|id| {
                            let (value, text) = (id.clone(), id.clone());
                            view! { <option value=id selected=move || filter.with(|f| f.account == value)>{text}</option> }
                        }).collect_view()
                    }}
                </select>
            </div>
            {field(FilterInput { id: "activity-from", label: "From", kind: "date", hint: None, node: from, key: "from" })}
            {field(FilterInput { id: "activity-to", label: "To", kind: "date", hint: None, node: to, key: "to" })}
            <div class="actions">
                <button type="submit" class="primary">"Apply filters"</button>
                <button type="button" on:click=move |_| go(AuditFilter { page: 1, ..Default::default() })>"Clear filters"</button>
            </div>
        </form>
        {move || filter.with(|f| (!f.resource_id.is_empty() || !f.within.is_empty()).then(|| {
            // A history's "all of them" link: one resource, and with
            // `within` what it holds too.
            let words = if f.within.is_empty() {
                format!("Only the records of the resource with ID {}. ", f.resource_id)
            } else {
                format!("Only the history of the resource with ID {}: its records and those of what it holds. ", f.within)
            };
            view! {
                <p class="hint">
                    {words}
                    <button type="button" on:click=move |_| {
                        let mut next = filter.get_untracked();
                        next.resource_id.clear();
                        next.within.clear();
                        next.page = 1;
                        go(next);
                    }>"Show every resource"</button>
                </p>
            }
        }))}
        <p class="count" role="status">{summary}</p>
        {body}
        <PageNav page=derive(page) last=derive(last_page) to=Callback::new(to_page) />
    }
}

/// A text or date filter: its label, hint and the server's refusal of it.
struct FilterInput {
    id: &'static str,
    label: &'static str,
    /// `text` or `date`.
    kind: &'static str,
    hint: Option<&'static str>,
    node: NodeRef<Input>,
    /// The parameter (and the field the server names when it refuses it).
    key: &'static str,
}

/// One [`FilterInput`], drawn by one copy of the code for all three.
fn filter_input(
    input: FilterInput,
    filter: Memo<AuditFilter>,
    refused: Memo<Option<(String, String)>>,
    on_change: Callback<()>,
) -> AnyView {
    let FilterInput {
        id,
        label,
        kind,
        hint,
        node,
        key,
    } = input;
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let error =
        move || refused.with(|r| r.as_ref().filter(|(f, _)| f == key).map(|(_, m)| m.clone()));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint.map(|_| hint_id.as_str()),
                error().map(|_| error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=kind
                autocomplete="off"
                aria-describedby=described
                aria-invalid=move || error().map(|_| "true")
                node_ref=node
                prop:value=move || filter.with(|f| f.param(key).to_string())
                on:change=move |_| on_change.run(())
            />
            {hint.map(|h| view! { <p id=hint_id class="hint">{h}</p> })}
            {move || error().map(|m| view! { <p id=error_id.clone() class="error" role="alert">{m}</p> })}
        </div>
    }
    .into_any()
}

/// Hands `blob` to the browser as a file named `filename`.
fn save(blob: &web_sys::Blob, filename: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let link = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = link {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", filename);
        link.click();
    }
    // Once the browser has started the download.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
}
