//! The IP tester: which entries of which ACLs admit an address.

use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use sipauth_model::{acl, IpEntry};
use std::net::IpAddr;

/// "Which entry admits this address?" across every ACL of the account.
#[component]
pub fn IpTester() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let address = RwSignal::new(String::new());
    // Each match: the ACL's id and name, and the entry that admits.
    let result = RwSignal::new(None::<Result<Vec<(String, String, String)>, String>>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = address.get_untracked();
        let addr: IpAddr = match text.trim().parse() {
            Ok(a) => a,
            Err(_) => {
                let problem = IpEntry::parse(&text, None)
                    .err()
                    .map(|e| e.problem)
                    .unwrap_or_default();
                result.set(Some(Err(format!("Address: {problem}."))));
                return;
            }
        };
        pending.set(true);
        let api = ctx.api();
        spawn_local(async move {
            let acls = api.all_acls().await;
            pending.set(false);
            match acls {
                Ok(acls) => {
                    let parsed: Vec<(usize, Vec<IpEntry>)> = acls
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (i, a.entries.iter().filter_map(|e| e.model()).collect()))
                        .collect();
                    let found =
                        acl::admitting(addr, parsed.iter().map(|(i, e)| (*i, e.as_slice())));
                    let lines = found
                        .iter()
                        .map(|m| {
                            let acl = &acls[m.acl];
                            let entry = &acl.entries[m.index];
                            let note = if entry.description.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", entry.description)
                            };
                            (
                                acl.ip_acl_uuid.clone(),
                                acl.name.clone(),
                                format!("{}/{}{note}", entry.ip, entry.cidr_prefix),
                            )
                        })
                        .collect();
                    result.set(Some(Ok(lines)));
                }
                Err(e) => {
                    ctx.report(&e);
                    result.set(None);
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="tester-title">
            <h2 id="tester-title">"IP tester"</h2>
            <form class="inline-form" on:submit=submit>
                <div class="field">
                    <label for="tester-address">"Address to test"</label>
                    <input
                        id="tester-address"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="198.51.100.7"
                        aria-describedby="tester-result"
                        prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev))
                    />
                </div>
                <button type="submit" disabled=move || pending.get()>"Find admitting entries"</button>
            </form>
            <div id="tester-result" aria-live="polite">
                {move || match result.get() {
                    None => None,
                    Some(Err(e)) => Some(view! { <p class="error">{e}</p> }.into_any()),
                    Some(Ok(lines)) if lines.is_empty() => Some(
                        view! { <p>{format!("No entry of any IP ACL admits {}.", address.get_untracked().trim())}</p> }.into_any(),
                    ),
                    Some(Ok(lines)) => Some(
                        view! {
                            <p>{format!("Admitted by {} entr{}, most specific first:", lines.len(), if lines.len() == 1 { "y" } else { "ies" })}</p>
                            <ol class="matches">{lines.into_iter().map(|(id, name, entry)| view! {
                                <li><A href=format!("/acls/{id}")>{name}</A>{format!(": {entry}")}</li>
                            }).collect_view()}</ol>
                        }
                        .into_any(),
                    ),
                }}
            </div>
        </section>
    }
}
