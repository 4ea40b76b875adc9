//! Current registrations read from Kamailio's location service: a table of
//! contacts, and the view that loads it, again every 5 seconds while it is
//! shown and on "Refresh" (a credential's dialog, a Twilio domain's section).

use crate::api::{ApiError, Registered, Registration, Registrations};
use crate::components::last_seen::{duration_words, source_with_port};
use crate::components::{Dialog, When};
use crate::context::AppContext;
use crate::signals::{derive, every};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How often an open view asks again.
pub const REFRESH_MS: u64 = 5_000;

/// The contacts of an answer, one row each; `usernames` adds a column for
/// views that hold several users (a domain's). `empty` is said when there
/// are none.
#[component]
pub fn RegistrationsTable(
    answer: Registrations,
    #[prop(optional)] usernames: bool,
    empty: String,
) -> impl IntoView {
    let missing = (!answer.unreachable.is_empty()).then(|| {
        let nodes = answer.unreachable.join(", ");
        view! {
            <p class="admits warning" role="note">
                {format!("The SIP server {nodes} did not answer: its registrations are not shown.")}
            </p>
        }
    });
    let truncated = answer.truncated.then(|| {
        view! {
            <p class="admits warning" role="note">
                "More than 1,000 addresses are registered here: only the first 1,000 were looked up."
            </p>
        }
    });
    let table = if answer.registrations.is_empty() {
        view! { <p class="empty">{empty}</p> }.into_any()
    } else {
        let rows = answer
            .registrations
            .into_iter()
            .map(|r| registration_row(r, usernames))
            .collect_view();
        view! {
            <div class="table-wrap"><table class="list registrations">
                <caption class="visually-hidden">"Registered contacts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"User agent"</th>
                        {usernames.then(|| view! { <th scope="col">"Username"</th> })}
                        <th scope="col">"Source"</th>
                        <th scope="col">"Transport"</th>
                        <th scope="col">"Expires in"</th>
                        <th scope="col">"Registered since"</th>
                        <th scope="col">"Contact"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    view! { {missing}{truncated}{table} }
}

fn registration_row(r: Registration, usernames: bool) -> AnyView {
    let agent = match r.user_agent.trim() {
        "" => "Unknown user agent".to_string(),
        agent => agent.to_string(),
    };
    view! {
        <tr>
            <th scope="row">{agent}</th>
            {usernames.then(|| view! { <td>{r.username.clone()}</td> })}
            <td>{source_with_port(&r.source, r.port)}</td>
            <td>{r.transport.to_uppercase()}</td>
            <td>{duration_words(r.expires_in)}</td>
            <td><When raw=r.registered_since.clone() none="Unknown" /></td>
            <td><code>{r.contact.clone()}</code></td>
        </tr>
    }
    .into_any()
}

/// Loads the registrations of `of` now, every [`REFRESH_MS`] while it is
/// mounted, and on "Refresh". A failed refresh keeps the last answer and
/// says why above it.
#[component]
pub fn RegistrationsView(
    of: Registered,
    #[prop(optional)] usernames: bool,
    #[prop(into)] empty: String,
) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let shown = RwSignal::new(None::<Registrations>);
    let failed = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let of = StoredValue::new(of);
    let load = move || {
        // One request at a time: a slow server is not asked again meanwhile.
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        let (api, of) = (ctx.api(), of.get_value());
        spawn_local(async move {
            let result = api.sip_registrations(&of).await;
            // The view may have closed meanwhile.
            match result {
                Ok(answer) => {
                    shown.try_set(Some(answer));
                    failed.try_set(None);
                }
                Err(ApiError::Unauthorized) => {
                    ctx.session.try_set(None);
                }
                Err(e) => {
                    failed.try_set(Some(e));
                }
            }
            loading.try_set(false);
        });
    };
    load();
    every(REFRESH_MS, load);
    let empty = StoredValue::new(empty);
    view! {
        <div class="registrations-view">
            <div class="actions">
                <button type="button" disabled=move || loading.get() on:click=move |_| load()>
                    "Refresh"
                </button>
                <span class="hint">"Refreshed every 5 seconds while open."</span>
            </div>
            {move || failed.get().map(|e| view! {
                <p class="error" role="alert">{format!("The registrations could not be loaded. {e}")}</p>
            })}
            {move || match shown.get() {
                None => view! { <p role="status">"Loading the registrations…"</p> }.into_any(),
                Some(answer) => view! {
                    <RegistrationsTable answer usernames empty=empty.get_value() />
                }
                .into_any(),
            }}
        </div>
    }
}

/// Whose registrations a credentials page shows in its dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationsOf {
    pub username: String,
    pub credential_id: String,
}

/// "Registrations of alice": the credential's contacts, refreshed while open.
#[component]
pub fn RegistrationsDialog(open: RwSignal<bool>, of: RwSignal<RegistrationsOf>) -> impl IntoView {
    let title = derive(move || of.with(|o| format!("Registrations of {}", o.username)));
    view! {
        <Dialog id="registrations" open title>
            {move || {
                let RegistrationsOf { username, credential_id } = of.get();
                view! {
                    <RegistrationsView
                        of=Registered::Credential(credential_id)
                        empty=format!("{username} has no current registration.")
                    />
                }
            }}
            <div class="actions">
                <button type="button" on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </Dialog>
    }
}
