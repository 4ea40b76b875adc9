//! The ten sources and the ten usernames with the most failed
//! authentications in the last 24 hours. A source filters the recent
//! failures below; a username links to its credential when there is one.

use crate::api::{FailureFilter, TopSource, TopUsername};
use leptos::prelude::*;

/// The Security page's URL showing only `filter`'s failures.
pub fn filtered(filter: FailureFilter) -> String {
    match filter.query_string() {
        qs if qs.is_empty() => "/security".to_string(),
        qs => format!("/security?{qs}"),
    }
}

#[component]
pub fn TopSources(sources: Vec<TopSource>) -> impl IntoView {
    if sources.is_empty() {
        return view! { <p class="empty">"No failed authentications in the last 24 hours."</p> }
            .into_any();
    }
    let rows = sources
        .into_iter()
        .map(|s| {
            let href = filtered(FailureFilter {
                source: s.source.clone(),
                ..Default::default()
            });
            let label = format!("{}: its failed authentications", s.source);
            view! {
                <tr>
                    <th scope="row"><a href=href aria-label=label>{s.source.clone()}</a></th>
                    <td>{s.failures}</td>
                    <td>{s.banned.then(|| view! { <span class="badge attack">"Banned"</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">"Top sources, most failures first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Source"</th>
                    <th scope="col">"Failures"</th>
                    <th scope="col">"Ban"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}

/// `credential_page`: where a credential is found by its username
/// (`/credentials?q=`), or none where credentials live in lists (twilio).
#[component]
pub fn TopUsernames(
    usernames: Vec<TopUsername>,
    #[prop(optional)] credential_page: Option<&'static str>,
) -> impl IntoView {
    if usernames.is_empty() {
        return view! { <p class="empty">"No failed authentications in the last 24 hours."</p> }
            .into_any();
    }
    let rows = usernames
        .into_iter()
        .map(|u| {
            let name = match (credential_page, &u.credential_id) {
                (Some(page), Some(_)) => {
                    let qs = serde_urlencoded::to_string([("q", u.username.as_str())])
                        .unwrap_or_default();
                    view! { <a href=format!("{page}?{qs}")>{u.username.clone()}</a> }
                        .into_any()
                }
                _ => u.username.clone().into_any(),
            };
            let known = match u.credential_id {
                Some(_) => "Credential",
                None => "No such credential",
            };
            let failures_href = filtered(FailureFilter {
                username: u.username.clone(),
                ..Default::default()
            });
            let failures_label = format!("{} failed authentications of {}", u.failures, u.username);
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td><a href=failures_href aria-label=failures_label>{u.failures}</a></td>
                    <td>
                        {known}
                        {u.under_attack.then(|| view! { " " <span class="badge attack">"Under attack"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="list">
            <caption class="visually-hidden">"Top usernames, most failures first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Username"</th>
                    <th scope="col">"Failures"</th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}
