//! Security (with `config.sip_insight`): the account's failed SIP
//! authentications and bans as Kamailio reports them. Failures per hour
//! over the last 24 hours as a chart, the current bans (Unban for editors
//! and admins), the top sources and usernames, and the recent failures
//! filtered by source and username in the URL.

pub mod bans;
pub mod chart;
pub mod failures;
pub mod tops;

use crate::api::{BanSettings, Security};
use crate::components::{duration_words, load, LoadFailed, Loading};
use crate::context::AppContext;
use crate::profile::Page;
use bans::BansTable;
use chart::FailureChart;
use failures::RecentFailures;
use leptos::prelude::*;
use tops::{TopSources, TopUsernames};

/// When a source is banned and a username flagged, in a sentence.
pub fn settings_words(s: &BanSettings) -> String {
    format!(
        "A source is banned from this account's entry points for {} after more than {} failed authentications within {}, unless it is in one of the account's IP ACLs. A username is flagged under attack after {} failures. Only wrong passwords and unknown usernames count, never a first challenge.",
        duration_words(i64::from(s.ban_seconds)),
        s.ban_failures,
        duration_words(i64::from(s.ban_window)),
        s.user_failures
    )
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let summary = load(ctx, |api| async move { api.sip_security().await });
    let refresh = summary.refresh;
    let credential_page = ctx
        .profile()
        .has(Page::Credentials)
        .then_some("/credentials");
    let on_change = Callback::new(move |()| refresh.run(()));
    let body = move || match summary.data.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(error)) => {
            view! { <LoadFailed what="failed authentications" error on_retry=refresh /> }.into_any()
        }
        Some(Ok(s)) => summary_view(s, credential_page, on_change),
    };
    view! {
        <div class="page-head">
            <h1>"Security"</h1>
            <button type="button" on:click=move |_| refresh.run(())>"Refresh"</button>
        </div>
        <p class="lead">
            "Failed SIP authentications at this account's entry points, the sources banned for them, and the usernames being guessed."
        </p>
        {body}
        <section class="security-part" aria-labelledby="recent-failures-title">
            <h2 id="recent-failures-title">"Recent failed authentications"</h2>
            <RecentFailures reloads=summary.reloads />
        </section>
    }
}

fn summary_view(
    s: Security,
    credential_page: Option<&'static str>,
    on_change: Callback<()>,
) -> AnyView {
    view! {
        <p class="hint settings">{settings_words(&s.settings)}</p>
        <section class="security-part" aria-labelledby="failures-chart-title">
            <h2 id="failures-chart-title">"Failed authentications in the last 24 hours"</h2>
            <FailureChart hourly=s.hourly />
        </section>
        <section class="security-part" aria-labelledby="bans-title">
            <h2 id="bans-title">"Current bans"</h2>
            <BansTable bans=s.bans on_change />
        </section>
        <div class="security-tops">
            <section class="security-part" aria-labelledby="top-sources-title">
                <h2 id="top-sources-title">"Top sources"</h2>
                <TopSources sources=s.top_sources />
            </section>
            <section class="security-part" aria-labelledby="top-usernames-title">
                <h2 id="top-usernames-title">"Top usernames"</h2>
                {match credential_page {
                    Some(page) => view! { <TopUsernames usernames=s.top_usernames credential_page=page /> }.into_any(),
                    None => view! { <TopUsernames usernames=s.top_usernames /> }.into_any(),
                }}
            </section>
        </div>
    }
    .into_any()
}
