//! Buttons that download an export, each named for what it saves.

use crate::api::Export;
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One button per format, e.g. `("csv", "Export credentials as CSV")`;
/// none when the server has no export routes (proxy mode, a provider's own
/// API). Viewers see them too: an export changes nothing. While one
/// download runs, the buttons wait; a refusal is a toast, and an ended
/// session goes back to sign-in.
#[component]
pub fn ExportButtons(
    what: Export,
    /// The ACL, for [`Export::Acl`].
    #[prop(optional)]
    acl: Option<Memo<String>>,
    formats: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let pending = RwSignal::new(false);
    let run = move |format: &'static str| {
        pending.set(true);
        let (api, acl) = (ctx.api(), acl.map(|a| a.get_untracked()));
        spawn_local(async move {
            let result = api.export(what, acl, format).await;
            // The page may be gone by now.
            pending.try_set(false);
            if let Err(e) = result {
                ctx.report(&e);
            }
        });
    };
    // One type for every page that shows them: each page's view does not
    // carry its own copy of these buttons' code.
    ctx.config
        .with_value(|c| c.exports)
        .then(|| {
            formats
                .iter()
                .map(|&(format, label)| {
                    view! {
                        <button type="button" disabled=move || pending.get() on:click=move |_| run(format)>
                            {label}
                        </button>
                    }
                })
                .collect_view()
        })
        .into_any()
}
