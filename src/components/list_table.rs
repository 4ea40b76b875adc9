//! The table of a list page and the buttons at the end of each row, written
//! once so every list reads alike to a screen reader.

use crate::context::may_write;
use crate::dialog_action::DialogAction;
use crate::list::{ListNotice, ListQuery, ListState, Listing, Pager, SearchBar, Shown, SortHeader};
use leptos::prelude::*;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// A column heading: its label and, for a sortable column, its sort key
/// (empty: not sortable).
pub type Column = (&'static str, &'static str);

/// A list page's body: the search box, what the page says instead of rows
/// (failed, none yet, none match), the table of this page's rows, the pager.
#[component]
pub fn FilteredList<T, K, KF, R, V>(
    query: ListQuery,
    list: Listing<T>,
    shown: Memo<Shown>,
    /// The search box's id and label.
    search: (&'static str, &'static str),
    /// A hint under the search box.
    #[prop(optional)]
    help: Option<&'static str>,
    /// Plural, as in "The trunks could not be loaded."
    what: &'static str,
    empty: &'static str,
    no_match: fn(&str) -> String,
    caption: &'static str,
    columns: &'static [Column],
    /// What identifies a row (it is drawn again when this changes).
    key: KF,
    row: R,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    K: Eq + Hash + 'static,
    KF: Fn(&T) -> K + Clone + Send + Sync + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let body = keyed_rows(list, shown, key, row);
    let state = list.state(shown);
    list_body(
        ListBody {
            query,
            state,
            search,
            help,
            what,
            empty,
            no_match,
            caption,
            columns,
        },
        body,
    )
}

/// A row of a list's table: a hash of what identifies it (it is drawn
/// again when this changes), and how to draw it.
pub struct ListRow {
    key: u64,
    draw: Box<dyn FnOnce() -> AnyView + Send>,
}

impl ListRow {
    pub fn new(key: u64, draw: impl FnOnce() -> AnyView + Send + 'static) -> Self {
        ListRow {
            key,
            draw: Box::new(draw),
        }
    }
}

/// The rows of the page shown, as [`ListRow`]s.
pub type RowsView = Arc<dyn Fn() -> Vec<ListRow> + Send + Sync>;

/// The rows of `shown`, identified by `key` and drawn by `row`.
pub fn keyed_rows<T, K, V>(
    list: Listing<T>,
    shown: Memo<Shown>,
    key: impl Fn(&T) -> K + Send + Sync + 'static,
    row: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> RowsView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    K: Hash,
    V: IntoView + 'static,
{
    Arc::new(move || {
        let on_page = shown.with(|s| s.rows.clone());
        list.rows.with(|rows| {
            let all = match rows {
                Some(Ok(all)) => all.as_slice(),
                _ => &[],
            };
            on_page
                .iter()
                .filter_map(|&i| all.get(i))
                .map(|t| {
                    let mut hasher = DefaultHasher::new();
                    key(t).hash(&mut hasher);
                    let (row, t) = (row.clone(), t.clone());
                    ListRow::new(hasher.finish(), move || row(t).into_any())
                })
                .collect()
        })
    })
}

/// The rows, keyed: one copy of Leptos's keyed list for every kind of row.
pub fn draw_rows(rows: &RowsView) -> impl IntoView {
    let rows = rows.clone();
    view! {
        <For each=move || rows() key=|r: &ListRow| r.key children=|r: ListRow| (r.draw)() />
    }
}

/// What [`FilteredList`] draws around its rows.
struct ListBody {
    query: ListQuery,
    state: ListState,
    search: (&'static str, &'static str),
    help: Option<&'static str>,
    what: &'static str,
    empty: &'static str,
    no_match: fn(&str) -> String,
    caption: &'static str,
    columns: &'static [Column],
}

/// [`FilteredList`] but its rows: one copy for every kind of row.
fn list_body(b: ListBody, rows: RowsView) -> AnyView {
    let ListBody {
        query,
        state,
        help,
        what,
        empty,
        no_match,
        caption,
        columns,
        ..
    } = b;
    let (id, label) = b.search;
    let search = match help {
        Some(help) => view! { <SearchBar id label query state help /> }.into_any(),
        None => view! { <SearchBar id label query state /> }.into_any(),
    };
    view! {
        {search}
        <ListNotice what empty no_match query state />
        <Show when=move || state.place.with(|p| p.len > 0)>
            {
                let rows = draw_rows(&rows);
                view! { <ListTable caption columns query>{rows}</ListTable> }
            }
        </Show>
        <Pager state query />
    }
    .into_any()
}

/// A list's table: a hidden caption naming it, the headings (sortable ones
/// as buttons when `query` is given), an unnamed actions column, the rows.
#[component]
pub fn ListTable(
    caption: &'static str,
    columns: &'static [Column],
    #[prop(optional)] query: Option<ListQuery>,
    children: Children,
) -> impl IntoView {
    let headings = columns
        .iter()
        .map(|&(label, key)| match query.filter(|_| !key.is_empty()) {
            Some(query) => view! { <SortHeader query key label /> }.into_any(),
            None => view! { <th scope="col">{label}</th> }.into_any(),
        })
        .collect_view();
    // A viewer's rows have no buttons, so no column for them.
    let actions = may_write().then(|| {
        view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> }
    });
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    {headings}
                    {actions}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
        </table></div>
    }
}

/// The last cell of a row: any extra buttons, then `edit` (e.g. "Rename")
/// when given, then the delete button; each names the row for screen
/// readers. Every one of them writes: a viewer's rows have no such cell.
#[component]
pub fn RowActions(
    /// The row's name, as in "Delete {name}".
    #[prop(into)]
    name: String,
    #[prop(optional)] edit: Option<&'static str>,
    #[prop(optional)] on_edit: Option<Callback<()>>,
    #[prop(default = "Delete")] delete: &'static str,
    on_delete: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    if !may_write() {
        return None;
    }
    let edit_button = edit.zip(on_edit).map(|(word, on_edit)| {
        view! {
            <button type="button" aria-label=format!("{word} {name}") on:click=move |_| on_edit.run(())>
                {word}
            </button>
        }
    });
    Some(view! {
        <td class="row-actions">
            {children.map(|c| c())}
            {edit_button}
            <button
                type="button"
                class="danger"
                aria-label=format!("{delete} {name}")
                on:click=move |_| on_delete.run(())
            >{delete}</button>
        </td>
    })
}

/// Names joined for a "Used by" cell, a dash when there are none.
pub fn names_or_dash(names: Vec<String>) -> String {
    if names.is_empty() {
        "—".to_string()
    } else {
        names.join(", ")
    }
}

/// What a row's edit (or rename) and delete buttons do.
#[derive(Clone, Copy)]
pub struct RowButtons {
    pub edit: Callback<()>,
    pub delete: Callback<()>,
}

/// A row button's callback: opens `action`'s dialog about `row`.
pub fn opens<I, T>(action: DialogAction<I, T>, row: T) -> Callback<()>
where
    I: Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    action.opens(row)
}

/// A page's heading and its "Create …" button (none for a viewer).
#[component]
pub fn PageHead(
    title: &'static str,
    create: &'static str,
    on_create: Callback<()>,
) -> impl IntoView {
    let button = may_write().then(|| {
        view! { <button type="button" class="primary" on:click=move |_| on_create.run(())>{create}</button> }
    });
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            {button}
        </div>
    }
}
