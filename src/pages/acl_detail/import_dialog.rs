//! "Import entries": pasted lines or CSV, checked, then sent one by one.

use crate::api::{Entry, NewEntry};
use crate::components::{AddEntry, Dialog, ImportForm};
use crate::context::AppContext;
use leptos::prelude::*;

#[component]
pub fn ImportEntriesDialog(
    open: RwSignal<bool>,
    acl_id: Memo<String>,
    entries: Memo<Vec<Entry>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let add: AddEntry = std::sync::Arc::new(move |entry: NewEntry, batch: String| {
        let (mut api, acl) = (ctx.api(), acl_id.get_untracked());
        // This request only: the import's lines share one audit batch.
        api.batch = Some(batch);
        Box::pin(async move { api.add_entry(&acl, &entry).await.map(drop) })
    });
    let done = Callback::new(move |(added, failed): (usize, usize)| {
        if failed == 0 {
            let plural = if added == 1 { "y" } else { "ies" };
            ctx.toasts
                .success(format!("Imported {added} entr{plural}."));
        } else {
            ctx.toasts.error(format!(
                "Imported {added} of {} entries; {failed} failed (listed in the dialog).",
                added + failed
            ));
        }
        on_done.run(());
    });
    view! {
        <Dialog id="import-entries" open title="Import entries">
            <ImportForm
                existing=entries
                add=add.clone()
                on_done=done
                on_close=Callback::new(move |()| open.set(false))
            />
        </Dialog>
    }
}
