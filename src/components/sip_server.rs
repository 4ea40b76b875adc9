//! Whether the SIP server (Kamailio) enforces the latest IP ACL changes.
//! The server tells Kamailio to reload after each change; this shows the
//! operator when that has happened, or why it has not.

use crate::api::SipServerStatus;
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How often, and how many times, an unconfirmed change is asked about
/// again (the server retries Kamailio for a few seconds).
const POLL_MS: u32 = 300;
const POLLS: u32 = 40;
/// How long a page waits after it opens before asking.
const ARRIVAL_DELAY_MS: u32 = 500;

/// The sentence for a status; `None` when no SIP server is configured,
/// so nothing is shown. With several nodes it names each one behind.
pub fn sip_server_message(status: &SipServerStatus) -> Option<(String, bool)> {
    if !status.configured {
        return None;
    }
    let several = status.nodes.len() > 1;
    let behind: Vec<_> = status
        .nodes
        .iter()
        .filter(|n| n.state != "enforced")
        .collect();
    Some(match (&status.error, status.picked_up) {
        (_, true) if several => (
            format!(
                "All {} SIP server nodes enforce every IP ACL change.",
                status.nodes.len()
            ),
            false,
        ),
        (_, true) => (
            "The SIP server enforces every IP ACL change.".to_string(),
            false,
        ),
        (Some(_), false) if several => {
            let names: Vec<String> = behind
                .iter()
                .map(|n| match &n.why {
                    Some(why) => format!("{} ({why})", n.node),
                    None => n.node.clone(),
                })
                .collect();
            (
                format!(
                    "{} of {} SIP server nodes have not picked up the latest IP ACL change yet: {}. It is retried; the previous addresses still apply there.",
                    behind.len(),
                    status.nodes.len(),
                    names.join("; ")
                ),
                true,
            )
        }
        (Some(e), false) => (
            format!("The SIP server has not picked up the latest IP ACL change yet: {e}. It is retried; the previous addresses still apply there."),
            true,
        ),
        (None, false) => (
            "Passing the latest IP ACL change to the SIP server…".to_string(),
            false,
        ),
    })
}

/// The notice, asked again whenever `changed` changes (after each write)
/// until the change is confirmed or the server gives up retrying.
#[component]
pub fn SipServerNotice(#[prop(into)] changed: Signal<u32>) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let status = RwSignal::new(None::<SipServerStatus>);
    // Only the newest poll loop writes, so an older one stops by itself.
    let generation = StoredValue::new(0u32);
    Effect::new(move |previous: Option<()>| {
        changed.track();
        // Without operator sign-in there is no embedded server to ask.
        if !ctx.config.get_value().sign_in {
            return;
        }
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        let api = ctx.api();
        spawn_local(async move {
            // On arrival the page's own data goes first; after a write, at once.
            if previous.is_none() {
                crate::api::sleep_ms(ARRIVAL_DELAY_MS).await;
            }
            for _ in 0..POLLS {
                let Ok(now) = api.sip_server().await else {
                    return;
                };
                // Gone (the page was left) or superseded by a newer write.
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                let settled = !now.configured || now.picked_up;
                status.set(Some(now));
                if settled {
                    return;
                }
                crate::api::sleep_ms(POLL_MS).await;
            }
        });
    });
    view! { <SipServerLine status /> }
}

/// The notice for a known status (separate so tests can mount it).
#[component]
pub fn SipServerLine(#[prop(into)] status: Signal<Option<SipServerStatus>>) -> impl IntoView {
    move || {
        status.get().as_ref().and_then(sip_server_message).map(|(text, problem)| {
            view! {
                <p class=if problem { "sip-server problem" } else { "sip-server" } role="status">
                    <span class="visually-hidden">"SIP server: "</span>
                    {text}
                </p>
            }
        })
    }
}
