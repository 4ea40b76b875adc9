//! A credential's "Last seen" cell (with `config.sip_insight`): when it
//! last authenticated and from where, a marker when it was never used or
//! not for `stale_days`, a flag when its username is under attack, and
//! where it may register a badge that opens its registrations.

use crate::api::{LastSeen, SipCredential};
use crate::components::When;
use leptos::prelude::*;

/// Whether a credential is stale: "Never used", "Not used for 90 days",
/// or nothing. `now_ms`: the browser's clock.
pub fn staleness(seen: Option<&LastSeen>, stale_days: u32, now_ms: f64) -> Option<String> {
    let Some(seen) = seen else {
        return Some("Never used".to_string());
    };
    let at = js_sys::Date::parse(&seen.at);
    let days = f64::from(stale_days) * 86_400_000.0;
    (!at.is_nan() && now_ms - at >= days).then(|| format!("Not used for {stale_days} days"))
}

/// A source address with its port: `192.0.2.1:5060`, `[2001:db8::1]:5060`.
pub fn source_with_port(source: &str, port: Option<u32>) -> String {
    match port {
        Some(port) if source.contains(':') => format!("[{source}]:{port}"),
        Some(port) => format!("{source}:{port}"),
        None => source.to_string(),
    }
}

/// Seconds in words: "45 s", "9 min 58 s", "2 h 5 min", "3 d 4 h".
pub fn duration_words(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => match s % 60 {
            0 => format!("{} min", s / 60),
            r => format!("{} min {r} s", s / 60),
        },
        3600..86400 => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
        _ => match (s % 86400) / 3600 {
            0 => format!("{} d", s / 86400),
            h => format!("{} d {h} h", s / 86400),
        },
    }
}

/// The Security page filtered by `username`.
pub fn security_for(username: &str) -> String {
    let qs = serde_urlencoded::to_string([("username", username)]).unwrap_or_default();
    format!("/security?{qs}")
}

/// The inside of a "Last seen" cell. `sip` is `None` while the SIP side's
/// answer is awaited (nothing is said yet); `on_registrations` opens the
/// credential's registrations (given where the page has the dialog).
#[component]
pub fn LastSeenCell(
    username: String,
    sip: Option<SipCredential>,
    stale_days: u32,
    #[prop(optional)] on_registrations: Option<Callback<()>>,
) -> impl IntoView {
    sip.map(|sip| cell(&username, sip, stale_days, on_registrations))
}

fn cell(
    username: &str,
    sip: SipCredential,
    stale_days: u32,
    on_registrations: Option<Callback<()>>,
) -> AnyView {
    let now = js_sys::Date::now();
    let when = sip.last_seen.clone().map(|seen| {
        let from = source_with_port(&seen.source, seen.port);
        view! { <span class="seen"><When raw=Some(seen.at) />" from "{from}</span> }
    });
    let stale = staleness(sip.last_seen.as_ref(), stale_days, now)
        .map(|words| view! { <span class="badge stale">{words}</span> });
    let attack = sip.under_attack.then(|| {
        view! {
            <a
                class="badge attack"
                href=security_for(username)
                aria-label=format!("Under attack: failed authentications of {username}")
            >"Under attack"</a>
        }
    });
    let registered = sip.registrations.map(|n| {
        let (words, class) = match n {
            0 => ("Not registered".to_string(), "badge registered none"),
            n => (format!("Registered ({n})"), "badge registered"),
        };
        let label = format!("{words}: registrations of {username}");
        match on_registrations {
            Some(open) => view! {
                <button
                    type="button"
                    class=class
                    aria-haspopup="dialog"
                    aria-label=label
                    on:click=move |_| open.run(())
                >{words}</button>
            }
            .into_any(),
            None => view! { <span class=class>{words}</span> }.into_any(),
        }
    });
    view! {
        {when}
        <span class="markers">{stale}{attack}{registered}</span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn durations_read_in_the_largest_units() {
        let words: Vec<_> = [0, 45, 60, 598, 3600, 7500, 86_400, 97_200, -3]
            .map(duration_words)
            .to_vec();
        assert_eq!(
            words,
            [
                "0 s",
                "45 s",
                "1 min",
                "9 min 58 s",
                "1 h",
                "2 h 5 min",
                "1 d",
                "1 d 3 h",
                "0 s"
            ]
        );
    }

    #[test]
    fn a_credential_is_stale_never_used_or_after_its_days() {
        let seen = |at: &str| LastSeen {
            at: at.into(),
            ..Default::default()
        };
        let now = js_sys::Date::parse("2026-12-01T00:00:00Z");
        assert_eq!(staleness(None, 90, now).as_deref(), Some("Never used"));
        assert_eq!(
            staleness(Some(&seen("2026-09-01T00:00:00Z")), 90, now).as_deref(),
            Some("Not used for 90 days")
        );
        assert_eq!(
            staleness(Some(&seen("2026-11-30T00:00:00Z")), 90, now),
            None
        );
        assert_eq!(staleness(Some(&seen("garbled")), 90, now), None);
    }

    #[test]
    fn an_ipv6_source_is_bracketed_before_its_port() {
        assert_eq!(source_with_port("192.0.2.1", Some(5060)), "192.0.2.1:5060");
        assert_eq!(source_with_port("::1", Some(5060)), "[::1]:5060");
        assert_eq!(source_with_port("::1", None), "::1");
        assert_eq!(security_for("al ice"), "/security?username=al+ice");
    }
}
