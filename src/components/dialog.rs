use crate::components::ToastRegion;
use crate::context::AppContext;
use crate::signals::effect;
use leptos::html;
use leptos::prelude::*;

/// A modal dialog on the native `<dialog>`: `showModal()` makes the rest of
/// the page inert (focus stays inside) and Escape closes it. Its content is
/// mounted only while open, so forms start empty each time.
#[component]
pub fn Dialog(
    /// Open while true; set to false when the user closes it.
    open: RwSignal<bool>,
    /// The heading, which also names the dialog for screen readers.
    #[prop(into)]
    title: Signal<String>,
    /// Unique on the page: ids of the dialog's heading derive from it.
    id: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    let toasts = use_context::<AppContext>().map(|ctx| ctx.toasts);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    effect(move || {
        let Some(dialog) = node.get() else { return };
        if open.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        } else if dialog.open() {
            dialog.close();
        }
    });
    view! {
        <dialog
            node_ref=node
            id=id
            aria-labelledby=labelled_by
            // `cancel` (Escape) fires at once; `close` only in a later task, so a
            // quick reopen would otherwise find the signal still true.
            on:cancel=move |_: web_sys::Event| open.set(false)
            // A late `close` from before a quick reopen (input can overtake
            // that task on a busy page) must not shut the reopened dialog.
            on:close=move |_| {
                if node.get_untracked().is_some_and(|d| !d.open()) {
                    open.set(false);
                }
            }
        >
            <h2 id=title_id>{move || title.get()}</h2>
            <Show when=move || open.get()>
                {children()}
                // While the dialog is modal the page's toasts are inert and
                // behind its backdrop: the dialog shows (and announces) them.
                {toasts.map(|toasts| view! { <ToastRegion toasts /> })}
            </Show>
        </dialog>
    }
}
