//! One credential's row: the profile's columns, its ID with a copy button,
//! and the buttons that open the row's dialogs.

use super::{Ask, Credentials};
use crate::api::Credential;
use crate::components::{CopyValue, LastSeenCell, SipAddress, Stamp};
use crate::dialog_action::Task;
use crate::profile::Column;
use leptos::prelude::*;

/// What a row does without a dialog: vobiz's enable switch. Its other
/// buttons ask the page for a dialog (`Credentials::ask`).
#[derive(Clone, Copy)]
pub(super) struct RowActions {
    /// Enable again (vobiz): loosens nothing unexpected, so it asks nothing.
    enable: Task<Credential>,
}

impl RowActions {
    pub fn new(page: Credentials) -> Self {
        let ctx = page.ctx;
        RowActions {
            enable: Task::new(move |c: Credential| {
                let api = ctx.api();
                async move {
                    match api.set_enabled(&c.credential_uuid, true).await {
                        Ok(_) => ctx.toasts.success(format!(
                            "Enabled {}: it can authenticate again.",
                            c.username
                        )),
                        Err(e) => ctx.report(&e),
                    }
                    page.refresh();
                }
            }),
        }
    }
}

#[component]
pub(super) fn CredentialRow(
    page: Credentials,
    actions: RowActions,
    credential: Credential,
) -> impl IntoView {
    let c = credential;
    let cells = page
        .profile
        .credentials
        .columns
        .iter()
        .map(|column| cell(*column, &c, page, actions))
        .collect_view();
    let label_button = page.profile.credentials.label.map(|label| {
        let target = c.clone();
        view! {
            <button
                type="button"
                aria-label=label.action_on(&c.username)
                on:click=move |_| page.ask(Ask::Label(target.clone()))
            >{label.action}</button>
        }
    });
    let toasts = page.ctx.toasts;
    // A viewer's row: no buttons that change it.
    let write = page.ctx.can_write();
    let id = c.credential_uuid.clone();
    let (change, delete) = (c.clone(), c.clone());
    // What the SIP side saw, once its answer is in.
    let last_seen = page.sip_insight().then(|| {
        let target = c.clone();
        let open = Callback::new(move |()| page.show_registrations(&target));
        let (id, username) = (c.credential_uuid.clone(), c.username.clone());
        view! {
            <td class="last-seen">
                {move || page.sip_of(&id).map(|(sip, stale_days)| view! {
                    <LastSeenCell username=username.clone() sip=Some(sip) stale_days on_registrations=open />
                })}
            </td>
        }
    });
    view! {
        <tr>
            <th scope="row">{c.username.clone()}</th>
            {cells}
            {last_seen}
            <td class="id">
                <CopyValue value=id what=format!("ID of {}", c.username) toasts />
                <Stamp created=c.created_at.clone() updated=c.updated_at.clone() />
            </td>
            {write.then(|| view! {
                <td class="row-actions">
                    <button
                        type="button"
                        aria-label=format!("Change password of {}", c.username)
                        on:click=move |_| page.ask(Ask::Password(change.clone()))
                    >"Change password"</button>
                    {label_button}
                    <button
                        type="button"
                        class="danger"
                        aria-label=format!("Delete {}", c.username)
                        on:click=move |_| page.ask(Ask::Delete(delete.clone()))
                    >"Delete"</button>
                </td>
            })}
        </tr>
    }
}

/// The cell of `column` in a credential's row.
fn cell(column: Column, c: &Credential, page: Credentials, actions: RowActions) -> AnyView {
    match column {
        Column::Realm => view! {
            <td><CopyValue value=c.realm.clone() what=format!("realm of {}", c.username) toasts=page.ctx.toasts /></td>
        }
        .into_any(),
        Column::Name => view! { <td>{c.name.clone().unwrap_or_default()}</td> }.into_any(),
        Column::Description => {
            view! { <td>{c.description.clone().unwrap_or_default()}</td> }.into_any()
        }
        Column::Enabled => {
            // The state in words (a badge), and a button saying what it does.
            let enabled = c.enabled.unwrap_or(true);
            let target = c.clone();
            let (badge, class, button) = match enabled {
                true => ("Enabled", "badge", "Disable"),
                false => ("Disabled", "badge disabled", "Enable"),
            };
            let switch = page.ctx.can_write().then(|| view! {
                    " "
                    <button
                        type="button"
                        class="link"
                        aria-label=format!("{button} {}", c.username)
                        disabled=move || actions.enable.pending().get()
                        on:click=move |_| {
                            if enabled {
                                page.ask(Ask::Disable(target.clone()));
                            } else {
                                actions.enable.dispatch(target.clone());
                            }
                        }
                    >{button}</button>
            });
            view! {
                <td class="status">
                    <span class=class>{badge}</span>
                    {switch}
                </td>
            }
            .into_any()
        }
        Column::RegistersAt => view! {
            <td>{match c.sip_uri.clone() {
                Some(uri) => view! { <SipAddress uri of=c.username.clone() toasts=page.ctx.toasts /> }.into_any(),
                // Made through another API: it authenticates only where assigned.
                None => "Only where assigned (made through another API)".into_any(),
            }}</td>
        }
        .into_any(),
        Column::UsedBy => {
            let id = c.credential_uuid.clone();
            view! {
                <td>
                    {move || {
                        let names = page.used_by(&id);
                        if names.is_empty() { "—".to_string() } else { names.join(", ") }
                    }}
                </td>
            }
            .into_any()
        }
    }
}
