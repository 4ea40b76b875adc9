//! The table of credentials: the profile's columns after the username,
//! then the ID and the row's buttons.

use super::row::{CredentialRow, RowActions};
use super::Credentials;
use crate::api::Credential;
use crate::components::list_table::{draw_rows, keyed_rows};
use crate::list::{ListQuery, ListState, Shown, SortHeader};
use leptos::prelude::*;

#[component]
pub(super) fn CredentialTable(
    page: Credentials,
    query: ListQuery,
    shown: Memo<Shown>,
    state: ListState,
    actions: RowActions,
) -> impl IntoView {
    let rows = keyed_rows(page.listing, shown, Credential::clone, move |c| {
        view! { <CredentialRow page actions credential=c /> }
    });
    let columns = page.profile.credentials.columns;
    let headers = move || {
        columns
            .iter()
            .map(|column| match column.header() {
                (label, Some(key)) => view! { <SortHeader query key label /> }.into_any(),
                (label, None) => view! { <th scope="col">{label}</th> }.into_any(),
            })
            .collect_view()
    };
    view! {
        <Show when=move || state.place.with(|p| p.len > 0)>
            <div class="table-wrap"><table class="list">
                <caption class="visually-hidden">"SIP credentials"</caption>
                <thead>
                    <tr>
                        <SortHeader query key="username" label="Username" />
                        {headers()}
                        {page.sip_insight().then(|| view! { <SortHeader query key="last_seen" label="Last seen" /> })}
                        <th scope="col">"ID"</th>
                        {page.ctx.can_write().then(|| view! {
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        })}
                    </tr>
                </thead>
                <tbody>
                    {draw_rows(&rows)}
                </tbody>
            </table></div>
        </Show>
    }
}
