//! Buttons that download an export, each named for what it saves.

use crate::api::Export;
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One button per format, e.g. `("csv", "Export credentials as CSV")`;
/// none when the server has no export routes (proxy mode, a provider's own
/// API). Viewers see them too: an export changes nothing. A refusal is a
/// toast, and an ended session goes back to sign-in. (No pending state: an
/// export is one quick read, and a second click is a second file.)
#[component]
pub fn ExportButtons(
    what: Export,
    /// The ACL, for [`Export::Acl`].
    #[prop(optional)]
    acl: Option<Memo<String>>,
    formats: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let run = move |format: &'static str| {
        let (api, acl) = (ctx.api(), acl.map(|a| a.get_untracked()));
        spawn_local(async move {
            if let Err(e) = api.export(what, acl, format).await {
                ctx.report(&e);
            }
        });
    };
    ctx.config.with_value(|c| c.exports).then(|| {
        formats
            .iter()
            .map(|&(format, label)| {
                view! {
                    <button type="button" class="export" on:click=move |_| run(format)>
                        {label}
                    </button>
                }
            })
            .collect_view()
    })
}
