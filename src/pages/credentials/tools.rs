//! The credentials page's tools: its dialogs, exports and list history, and
//! the loads of what uses each credential and of what the SIP side saw.
//! The list needs none of them to be shown, so they are a chunk of their
//! own (`credential_tools`), fetched once the list has painted, or at once
//! when a button asks for a dialog; the first wasm then carries only the
//! list (see docs/decisions.md).

use super::{
    create_dialog, delete_dialog, disable_dialog, label_dialog, password_dialog, Ask, Credentials,
};
use crate::api::Export;
use crate::chunks::{after_paint, NotLoaded, Wanted};
use crate::components::{ExportButtons, History, RegistrationsDialog};
use crate::profile::Column;
use crate::signals::effect;
use crate::usage::Usage;
use create_dialog::CreateDialog;
use delete_dialog::DeleteCredentialDialog;
use disable_dialog::DisableDialog;
use label_dialog::LabelDialog;
use leptos::prelude::*;
use password_dialog::PasswordDialog;

/// The tools for a page, from their chunk.
type Tools = fn(Credentials) -> AnyView;

#[cfg(feature = "split")]
thread_local! {
    /// Once here, the tools of a later visit are shown at once.
    static LOADED: std::cell::Cell<Option<Tools>> = const { std::cell::Cell::new(None) };
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(
    credential_tools,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
fn fetch() -> Result<Tools, NotLoaded> {
    Ok(tools)
}

/// Unsplit (component tests, `trunk serve`): the tools are always here.
#[cfg(not(feature = "split"))]
async fn fetch() -> Result<Tools, NotLoaded> {
    Ok(tools)
}

fn ready() -> Option<Tools> {
    #[cfg(feature = "split")]
    let here = LOADED.get();
    #[cfg(not(feature = "split"))]
    let here = Some(tools as Tools);
    here
}

/// Where the tools go: nothing until their chunk is here. A dialog asked
/// for meanwhile opens when it arrives; if it does not arrive, a toast says
/// so and the next button tries again.
#[component]
pub(super) fn Later(page: Credentials) -> impl IntoView {
    let tools = RwSignal::new(ready());
    let fetching = StoredValue::new(false);
    // Other pages' preloads wait until the tools are here (or the page is
    // gone, which drops this).
    let wanted = StoredValue::new_local(tools.get_untracked().is_none().then(Wanted::start));
    let start = move || {
        // Only once, and only while the page is there (it may be gone by
        // the time the list has painted).
        if (tools.try_get_untracked(), fetching.try_get_value()) != (Some(None), Some(false)) {
            return;
        }
        fetching.set_value(true);
        leptos::task::spawn_local(async move {
            let answer = fetch().await;
            // The page may be gone meanwhile.
            fetching.try_set_value(false);
            match answer {
                Ok(found) => {
                    #[cfg(feature = "split")]
                    LOADED.set(Some(found));
                    tools.try_set(Some(found));
                    wanted.try_set_value(None);
                }
                Err(NotLoaded) => {
                    wanted.try_set_value(None);
                    let asked = page.ask.try_update(|ask| ask.take().is_some());
                    let registrations = page.sip.open.try_update(std::mem::take);
                    if asked == Some(true) || registrations == Some(true) {
                        page.ctx.toasts.error(
                            "That dialog did not arrive: check the connection and try again.",
                        );
                    }
                }
            }
        });
    };
    if tools.get_untracked().is_none() {
        effect(move || {
            if page.ask.with(Option::is_some) || page.sip.open.get() {
                start();
            }
        });
        after_paint(start);
    }
    // Built once, untracked: the tools' own signals must not rebuild them
    // (the button's ask is only read while they are not here).
    move || match tools.get() {
        Some(found) => Some(untrack(|| found(page))),
        // A click answered at once, on a slow link too.
        None => (page.ask.with(Option::is_some) || page.sip.open.get()).then(|| {
            view! { <p class="opening" role="status">"Opening the dialog…"</p> }.into_any()
        }),
    }
}

fn tools(page: Credentials) -> AnyView {
    view! { <CredentialTools page /> }.into_any()
}

#[component]
fn CredentialTools(page: Credentials) -> impl IntoView {
    let ctx = page.ctx;
    let words = page.profile.credentials;
    let listing = page.listing;
    Usage::watch_into(ctx, move || listing.track_reloads(), page.usage);
    page.sip.load(ctx, listing);
    let create = create_dialog::action(page);
    let change = password_dialog::action(page);
    let label = words.label.map(|label| label_dialog::action(page, label));
    let delete = delete_dialog::action(page);
    let disable = disable_dialog::action(page);
    // The dialog a button asked for, before or after the tools arrived.
    effect(move || {
        let Some(ask) = page.ask.get() else { return };
        page.ask.set(None);
        match ask {
            Ask::Create => {
                create.generated.set(false);
                create.action.show();
            }
            Ask::Password(c) => change.show_for(c),
            Ask::Label(c) => {
                if let Some(label) = label {
                    label.show_for(c);
                }
            }
            Ask::Delete(c) => delete.show_for(c),
            Ask::Disable(c) => disable.show_for(c),
        }
    });
    let (open, of) = (page.sip.open, page.sip.of);
    view! {
        // Twilio: every credential, from the credential lists page.
        {(!words.in_lists).then(|| view! {
            <div class="actions exports">
                <ExportButtons what=Export::Credentials formats=&[("csv", "Export credentials as CSV"), ("json", "Export credentials as JSON")] />
            </div>
        })}
        // A credential list's own page (twilio): the list's history.
        {page.list_id().filter(|_| words.in_lists).map(|id| view! {
            <History resource="credential-list" id=Signal::stored(id) />
        })}

        <CreateDialog create dialect=ctx.dialect() />
        <PasswordDialog change dialect=ctx.dialect() />
        {label.zip(words.label).map(|(action, label)| view! { <LabelDialog action label /> })}
        <DeleteCredentialDialog page action=delete />
        {words.columns.contains(&Column::Enabled).then(|| view! { <DisableDialog action=disable /> })}
        {page.sip_insight().then(|| view! { <RegistrationsDialog open of /> })}
    }
}
