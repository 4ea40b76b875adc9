//! Failed authentications per hour over the last 24 hours: a small bar
//! chart drawn in SVG (bars in `currentColor`, so the theme colours them),
//! named by a one-sentence summary, and the same numbers as a table.

use crate::api::HourCount;
use leptos::prelude::*;

/// The chart's drawing area, in SVG units (whole numbers: formatting
/// floats would add their code to the wasm).
const BARS_HEIGHT: u64 = 100;
const STEP: usize = 20;

/// An hour's start in the operator's local time ("14:00"), and the instant.
pub fn hour_label(raw: &str) -> (String, String) {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(raw));
    if date.get_time().is_nan() {
        return (raw.to_string(), raw.to_string());
    }
    let words = format!("{:02}:{:02}", date.get_hours(), date.get_minutes());
    let iso = date.to_iso_string().as_string().unwrap_or_default();
    (words, iso)
}

/// What the chart says in one sentence: "412 failed authentications in
/// the last 24 hours, most at 14:00".
pub fn chart_summary(hourly: &[HourCount]) -> String {
    let total: u64 = hourly.iter().map(|h| h.failures).sum();
    // The busiest hour; of equals, the latest.
    let peak = hourly
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| (h.failures, *i))
        .map(|(_, h)| hour_label(&h.hour).0);
    match (total, peak) {
        (0, _) | (_, None) => "No failed authentications in the last 24 hours".to_string(),
        (1, Some(at)) => format!("1 failed authentication in the last 24 hours, at {at}"),
        (n, Some(at)) => format!("{n} failed authentications in the last 24 hours, most at {at}"),
    }
}

#[component]
pub fn FailureChart(hourly: Vec<HourCount>) -> impl IntoView {
    let summary = chart_summary(&hourly);
    let max = hourly.iter().map(|h| h.failures).max().unwrap_or(0).max(1);
    let labels: Vec<(String, String)> = hourly.iter().map(|h| hour_label(&h.hour)).collect();
    let bars = hourly
        .iter()
        .enumerate()
        .filter(|(_, h)| h.failures > 0)
        .map(|(i, h)| {
            // At least a sliver, so one failure is seen beside thousands.
            let height = (h.failures * (BARS_HEIGHT - 4) / max).max(2);
            view! {
                <rect
                    class="bar"
                    x=(i * STEP + 2).to_string()
                    y=(BARS_HEIGHT - height).to_string()
                    width=(STEP - 4).to_string()
                    height=height.to_string()
                    rx="2"
                    fill="currentColor"
                />
            }
        })
        .collect_view();
    // Every sixth hour along the bottom, from its bar's left edge.
    let ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 6 == 0)
        .map(|(i, (words, _))| {
            view! {
                <text class="tick" x=(i * STEP).to_string() y="116" fill="currentColor">
                    {words.clone()}
                </text>
            }
        })
        .collect_view();
    let rows = hourly
        .iter()
        .zip(labels)
        .map(|(h, (words, iso))| {
            view! {
                <tr>
                    <th scope="row"><time datetime=iso>{words}</time></th>
                    <td>{h.failures}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="chart">
            <svg
                class="bars"
                viewBox="0 0 480 120"
                role="img"
                aria-label=summary.clone()
                focusable="false"
            >
                <line class="axis" x1="0" y1="100.5" x2="480" y2="100.5" stroke="currentColor" />
                {bars}
                {ticks}
            </svg>
            // Seen under the chart; screen readers have it as the image's name.
            <p class="hint" aria-hidden="true">{format!("{summary}.")}</p>
        </div>
        <details class="chart-table">
            <summary>"Failures per hour as a table"</summary>
            <table class="plain">
                <caption class="visually-hidden">"Failed authentications per hour, oldest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Hour"</th>
                        <th scope="col">"Failed authentications"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}
