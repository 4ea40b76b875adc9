//! The current bans: source, time left counting down each second, the
//! failures that earned it, and (editors and admins) "Unban <source>". A
//! ban that runs out or is lifted leaves the table.

use crate::api::{ApiError, Ban, Unbanned};
use crate::components::list_table::{draw_rows, ListRow, RowsView};
use crate::components::{duration_words, ListTable, When};
use crate::context::{may_write, AppContext};
use crate::signals::every;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// What the toast says after an unban: every node lifted it, or which did not.
pub fn unban_words(answer: &Unbanned) -> (bool, String) {
    let failed: Vec<String> = answer
        .nodes
        .iter()
        .filter(|n| !n.lifted)
        .map(|n| match &n.error {
            Some(e) => format!("{} ({e})", n.node),
            None => n.node.clone(),
        })
        .collect();
    if failed.is_empty() {
        (
            true,
            format!(
                "Unbanned {}: it may authenticate again at once.",
                answer.source
            ),
        )
    } else {
        (
            false,
            format!(
                "Unbanned {} here, but the SIP server {} did not lift it: it stays refused there until the ban ends.",
                answer.source,
                failed.join(", ")
            ),
        )
    }
}

/// The bans as answered; `on_change` runs after an unban (the page
/// reloads what depends on it). Time left counts from when this was drawn.
#[component]
pub fn BansTable(
    bans: Vec<Ban>,
    #[prop(optional)] on_change: Option<Callback<()>>,
) -> impl IntoView {
    let ctx = use_context::<AppContext>();
    let write = may_write();
    let started = js_sys::Date::now();
    let elapsed = RwSignal::new(0i64);
    let rows = RwSignal::new(bans);
    // Each second: the time left moves, and a ban that ran out leaves.
    every(1000, move || {
        let now = ((js_sys::Date::now() - started) / 1000.0).floor() as i64;
        elapsed.set(now);
        if rows.with_untracked(|r| r.iter().any(|b| b.seconds_left <= now)) {
            rows.update(|r| r.retain(|b| b.seconds_left > now));
        }
    });
    let busy = RwSignal::new(Vec::<String>::new());
    let unban = Callback::new(move |source: String| {
        let Some(ctx) = ctx else { return };
        busy.update(|b| b.push(source.clone()));
        let api = ctx.api();
        spawn_local(async move {
            let gone = match api.unban(&source).await {
                Ok(answer) => {
                    match unban_words(&answer) {
                        (true, words) => ctx.toasts.success(words),
                        (false, words) => ctx.toasts.error(words),
                    }
                    true
                }
                // Ran out, or someone else lifted it, meanwhile.
                Err(ApiError::NotFound) => {
                    ctx.toasts.notice(format!("{source} is no longer banned."));
                    true
                }
                Err(e) => {
                    ctx.report(&e);
                    false
                }
            };
            if gone {
                rows.try_update(|r| r.retain(|b| b.source != source));
                if let Some(on_change) = on_change {
                    on_change.try_run(());
                }
            }
            busy.try_update(|b| b.retain(|s| *s != source));
        });
    });
    let view_rows: RowsView = Arc::new(move || {
        rows.with(|all| {
            all.iter()
                .map(|ban| {
                    let mut hasher = DefaultHasher::new();
                    ban.source.hash(&mut hasher);
                    let ban = ban.clone();
                    ListRow::new(hasher.finish(), move || {
                        ban_row(ban, elapsed, write, unban, busy)
                    })
                })
                .collect()
        })
    });
    view! {
        <Show
            when=move || rows.with(|r| !r.is_empty())
            fallback=|| view! { <p class="empty">"No source is banned now."</p> }
        >
            {
                let drawn = draw_rows(&view_rows);
                view! {
                    <ListTable caption="Current bans" columns=&[("Source", ""), ("Time left", ""), ("Failures", ""), ("Banned at", "")]>
                        {drawn}
                    </ListTable>
                }
            }
        </Show>
    }
}

fn ban_row(
    ban: Ban,
    elapsed: RwSignal<i64>,
    write: bool,
    unban: Callback<String>,
    busy: RwSignal<Vec<String>>,
) -> AnyView {
    let left = ban.seconds_left;
    let source = ban.source.clone();
    let button = write.then(|| {
        let pending = {
            let source = source.clone();
            move || busy.with(|b| b.contains(&source))
        };
        let target = source.clone();
        view! {
            <td class="row-actions">
                <button
                    type="button"
                    disabled=pending
                    on:click=move |_| unban.run(target.clone())
                >{format!("Unban {source}")}</button>
            </td>
        }
    });
    view! {
        <tr>
            <th scope="row">{ban.source.clone()}</th>
            <td class="time-left">{move || duration_words(left - elapsed.get())}</td>
            <td>{ban.failures}</td>
            <td><When raw=Some(ban.banned_at.clone()) /></td>
            {button}
        </tr>
    }
    .into_any()
}
