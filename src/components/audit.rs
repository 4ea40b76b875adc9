//! Audit records as rows: the Activity page's table and every detail
//! view's history draw them with this one component. Each row expands to
//! its details (dialect, user agent, batch) and what changed, field by
//! field, before and after; a password only ever says "changed".

use super::{local_time, Column};
use crate::api::{resource_words, AuditFilter, AuditRecord, Change};
use crate::context::AppContext;
use crate::signals::effect;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The Activity page's columns.
pub const ACTIVITY_COLUMNS: &[Column] = &[
    ("Time", ""),
    ("Actor", ""),
    ("Action", ""),
    ("Resource", ""),
    ("Name", ""),
    ("Account", ""),
    ("Source", ""),
];

/// A history's columns: the account is the page's own; the resource is
/// the page's or one it holds (an ACL's entry, a list's credential).
pub const HISTORY_COLUMNS: &[Column] = &[
    ("Time", ""),
    ("Actor", ""),
    ("Action", ""),
    ("Resource", ""),
    ("Name", ""),
    ("Source", ""),
];

/// One line of a record's changes, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub field: String,
    pub before: String,
    pub after: String,
    /// A secret: only that it changed is shown, never a value.
    pub secret: bool,
}

/// A recorded value in words: nothing is a dash, an empty text says so.
fn value_words(value: &Option<serde_json::Value>) -> String {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if s.is_empty() => "(empty)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "yes".to_string(),
        Some(Value::Bool(false)) => "no".to_string(),
        Some(other) => other.to_string(),
    }
}

/// A record's changes as rows, fields in order. A field naming a password
/// or secret shows "changed" whatever the record holds: the server never
/// stores one, and the console would not show it if it did.
pub fn diff_rows(changes: &[(String, Change)]) -> Vec<DiffRow> {
    changes
        .iter()
        .map(|(field, change)| {
            let lower = field.to_lowercase();
            let secret = ["password", "secret", "token", "ha1"]
                .iter()
                .any(|s| lower.contains(s));
            if secret {
                DiffRow {
                    field: field.clone(),
                    before: String::new(),
                    after: "changed".to_string(),
                    secret,
                }
            } else {
                DiffRow {
                    field: field.clone(),
                    before: value_words(&change.before),
                    after: value_words(&change.after),
                    secret,
                }
            }
        })
        .collect()
}

/// A record's time as `(ISO instant, local words)`, like [`super::Stamp`].
fn time_of(at: &str) -> (String, String) {
    local_time(at).unwrap_or_else(|| (at.to_string(), at.to_string()))
}

/// The table of `records`: `history` leaves out the account column (a
/// history is one resource's and what it holds). `id_prefix` keeps the details'
/// ids unique on a page.
#[component]
pub fn AuditTable(
    caption: &'static str,
    records: Vec<AuditRecord>,
    #[prop(optional)] history: bool,
    id_prefix: &'static str,
) -> impl IntoView {
    let columns = if history {
        HISTORY_COLUMNS
    } else {
        ACTIVITY_COLUMNS
    };
    let rows = records
        .into_iter()
        .map(|record| view! { <AuditRow record history id_prefix /> })
        .collect_view();
    // A list's table (cards on a phone), drawn here rather than by
    // `ListTable`: its last column is the details button, which every
    // reader has, not a row's write buttons.
    let headings = columns
        .iter()
        .map(|&(label, _)| view! { <th scope="col">{label}</th> })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    {headings}
                    <th scope="col"><span class="visually-hidden">"Details"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}

/// One record, and under it (once expanded) its details.
#[component]
pub fn AuditRow(record: AuditRecord, history: bool, id_prefix: &'static str) -> impl IntoView {
    let open = RwSignal::new(false);
    let details_id = format!("{id_prefix}-record-{}", record.seq);
    let (iso, words) = time_of(&record.at);
    let name = record.name.clone().unwrap_or_default();
    let resource = resource_words(&record.resource).to_string();
    let label = format!(
        "Details: {} {} {} at {words}",
        record.action,
        resource.to_lowercase(),
        name
    );
    // Every column's cell plus the button's.
    let span = (if history {
        HISTORY_COLUMNS.len()
    } else {
        ACTIVITY_COLUMNS.len()
    } + 1)
        .to_string();
    let controls = {
        let id = details_id.clone();
        move || open.get().then(|| id.clone())
    };
    // A history leaves out only the account: the page is one account's.
    let account =
        (!history).then(|| view! { <td>{record.account.clone().unwrap_or_default()}</td> });
    let details = StoredValue::new(record.clone());
    view! {
        <tr class="audit-record">
            <th scope="row"><time datetime=iso>{words}</time></th>
            <td>{record.actor.clone()}</td>
            <td>{record.action.clone()}</td>
            <td>{resource}</td>
            <td>{name.clone()}</td>
            {account}
            <td>{record.source.clone().unwrap_or_default()}</td>
            <td class="row-actions">
                <button
                    type="button"
                    class="disclosure"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=controls
                    aria-label=label
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Details"
                </button>
            </td>
        </tr>
        <Show when=move || open.get()>
            <tr class="audit-details" id=details_id.clone()>
                // Not one of the columns: no label in a card.
                <td colspan=span.clone() data-label="">
                    {details.with_value(|r| view! { <RecordDetails record=r.clone() /> })}
                </td>
            </tr>
        </Show>
    }
}

/// What a record holds besides its row: where it came from and its diff.
#[component]
pub fn RecordDetails(record: AuditRecord) -> impl IntoView {
    let item = |term: &'static str, value: Option<String>| {
        value.filter(|v| !v.is_empty()).map(|v| {
            view! { <div><dt>{term}</dt><dd>{v}</dd></div> }
        })
    };
    let diff = diff_rows(&record.changes);
    let diff = if diff.is_empty() {
        view! { <p class="hint">"No field changes recorded."</p> }.into_any()
    } else {
        let rows = diff
            .into_iter()
            .map(|row| {
                if row.secret {
                    view! {
                        <tr><th scope="row">{row.field}</th><td colspan="2">{row.after}</td></tr>
                    }
                    .into_any()
                } else {
                    view! {
                        <tr><th scope="row">{row.field}</th><td>{row.before}</td><td>{row.after}</td></tr>
                    }
                    .into_any()
                }
            })
            .collect_view();
        view! {
            <table class="diff">
                <caption>"Changes"</caption>
                <thead>
                    <tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <dl class="audit-meta">
            {item("Dialect", record.dialect)}
            {item("Role", record.role)}
            {item("User agent", record.user_agent)}
            {item("Batch", record.batch)}
            {item("Resource ID", record.resource_id)}
        </dl>
        {diff}
    }
}

/// How many records a history shows.
const HISTORY_SIZE: u32 = 20;

/// A resource's history on its detail view: a disclosure that, once opened,
/// lists that resource's latest records (again whenever `changed` moves on,
/// after each write), each expandable to its diff. Closed, it asks nothing.
#[component]
pub fn History(
    /// The audit log's resource type ("ip-acl").
    resource: &'static str,
    /// The resource's id.
    #[prop(into)]
    id: Signal<String>,
    /// Moves on after each change made here.
    #[prop(optional, into)]
    changed: Option<Signal<u32>>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let open = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<crate::api::AuditPage, crate::api::ApiError>>);
    let retry = RwSignal::new(0u32);
    let latest = StoredValue::new(0u32);
    effect(move || {
        retry.track();
        if let Some(changed) = changed {
            changed.track();
        }
        let id = id.get();
        if !open.get() || id.is_empty() {
            return;
        }
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        // The resource's records and those of what it holds (an ACL's
        // entries, a list's credentials, a domain's mappings).
        let filter = AuditFilter {
            within: id,
            page: 1,
            ..Default::default()
        };
        let api = ctx.api();
        spawn_local(async move {
            let result = api.audit(&filter, HISTORY_SIZE).await;
            // The page may be gone, or a newer load under way.
            if latest.try_get_value() == Some(ticket) {
                if let Err(crate::api::ApiError::Unauthorized) = &result {
                    ctx.session.set(None);
                }
                answer.set(Some(result));
            }
        });
    });
    let region = format!("history-{resource}");
    let heading = format!("history-{resource}-title");
    let labelled_by = heading.clone();
    let body = move || {
        if !open.get() {
            return None;
        }
        Some(match answer.get() {
            None => view! { <p role="status">"Loading the history…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="error" role="alert">
                    <p>{format!("The history could not be loaded. {e}")}</p>
                    <button type="button" on:click=move |_| retry.update(|n| *n += 1)>"Try again"</button>
                </div>
            }
            .into_any(),
            Some(Ok(page)) if page.records.is_empty() => {
                view! { <p class="empty">"No changes recorded yet."</p> }.into_any()
            }
            Some(Ok(page)) => {
                let more = (page.total > page.records.len() as u64).then(|| {
                    let href = format!(
                        "/activity?{}",
                        AuditFilter {
                            within: id.get_untracked(),
                            page: 1,
                            ..Default::default()
                        }
                        .query_string()
                    );
                    view! {
                        <p>
                            {format!("The latest {} of {} records. ", page.records.len(), page.total)}
                            <a href=href>"All of them on the Activity page"</a>
                        </p>
                    }
                });
                view! {
                    <AuditTable caption="History" records=page.records history=true id_prefix=resource />
                    {more}
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="history" aria-labelledby=labelled_by>
            <h2 id=heading>
                <button
                    type="button"
                    class="disclosure"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=move || open.get().then(|| region.clone())
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "History"
                </button>
            </h2>
            <div id=format!("history-{resource}")>{body}</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn change(before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Change {
        Change { before, after }
    }

    #[test]
    fn a_diff_reads_as_words_and_a_password_only_as_changed() {
        use serde_json::json;
        let changes = [
            ("cidr_prefix", change(Some(json!(24)), None)),
            ("description", change(None, Some(json!("")))),
            ("enabled", change(Some(json!(true)), Some(json!(false)))),
            ("name", change(Some(json!("Site 1")), Some(json!("Site 2")))),
            // Even a value where the server should never put one stays hidden.
            (
                "password",
                change(Some(json!("Old-Secret-1")), Some(json!("New-Secret-2"))),
            ),
        ]
        .map(|(f, c)| (f.to_string(), c));
        let rows = diff_rows(&changes);
        let words: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.field.as_str(),
                    r.before.as_str(),
                    r.after.as_str(),
                    r.secret,
                )
            })
            .collect();
        assert_eq!(
            words,
            [
                ("cidr_prefix", "24", "—", false),
                ("description", "—", "(empty)", false),
                ("enabled", "yes", "no", false),
                ("name", "Site 1", "Site 2", false),
                ("password", "", "changed", true),
            ]
        );
    }
}
