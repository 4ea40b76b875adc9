use super::TextField;
use crate::api::{ApiError, Entry, NewEntry};
use crate::signals::{derive, effect, memo};
use leptos::prelude::*;
use sipauth_model::acl::{analyze, EntryFinding, Finding};
use sipauth_model::{Description, IpEntry};

/// An entry as users write it: `ip/prefix`.
pub fn entry_label(e: &Entry) -> String {
    format!("{}/{}", e.ip, e.cidr_prefix)
}

/// How a finding names another entry: by its description when it has one
/// (the address is in the message already), else by its address.
pub fn entry_name(e: &Entry) -> String {
    if e.description.trim().is_empty() {
        entry_label(e)
    } else {
        e.description.clone()
    }
}

/// A finding in words, `name(i)` naming entry `i`; a covering entry named
/// by the very network the message shows is said once, not twice.
pub fn finding_text(f: &EntryFinding, name: impl Fn(usize) -> String) -> String {
    f.message(name)
}

/// Warnings about an entry about to be added, against the existing ones.
fn warnings_for_new(existing: &[Entry], new: &IpEntry) -> Vec<String> {
    let mut models: Vec<IpEntry> = existing.iter().filter_map(Entry::model).collect();
    let n = models.len();
    models.push(*new);
    let name = |i: usize| {
        if i == n {
            "this entry".to_string()
        } else {
            entry_name(&existing[i])
        }
    };
    // What is wrong with the new entry first, then what it does to others.
    let findings = analyze(&models);
    let about_new = findings
        .iter()
        .filter(|f| f.index == n)
        .map(|f| finding_text(f, name));
    let about_others = findings
        .iter()
        .filter(|f| f.index != n && matches!(f.finding, Finding::Shadowed { by, .. } if by == n))
        .map(|f| {
            format!(
                "{} becomes {}",
                entry_label(&existing[f.index]),
                finding_text(f, name)
            )
        });
    about_new.chain(about_others).collect()
}

/// Adds one entry: the address is checked as it is typed, with warnings
/// about host bits (and a button to use the network instead) and about how
/// it relates to the entries already there.
#[component]
pub fn EntryForm(
    #[prop(into)] existing: Signal<Vec<Entry>>,
    on_submit: Callback<NewEntry>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    /// Bumped by the page after a successful add: the form empties.
    #[prop(into)]
    added: Signal<u32>,
) -> impl IntoView {
    let address = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    // The server's error is about what was sent; an edit makes it stale.
    let edited = RwSignal::new(false);
    effect(move || {
        server_error.track();
        edited.set(false);
    });
    Effect::new(move |previous: Option<u32>| {
        let now = added.get();
        if previous.is_some_and(|p| p != now) {
            address.set(String::new());
            description.set(String::new());
            tried.set(false);
        }
        now
    });
    let server = derive(move || server_error.get().filter(|_| !edited.get()));
    let parsed = memo(move || {
        let text = address.get();
        (!text.trim().is_empty() || tried.get()).then(|| IpEntry::parse_input(&text))
    });
    let address_error = derive(move || {
        if let Some(e) = server.get().filter(|e| {
            matches!(e.field(), Some("ip" | "cidr_prefix")) || matches!(e, ApiError::Conflict(_))
        }) {
            return Some(e.to_string());
        }
        match parsed.get() {
            Some(Err(e)) => Some(format!("Address: {}.", e.problem)),
            _ => None,
        }
    });
    let description_error = derive(move || {
        if let Some(e) = server.get().filter(|e| e.field() == Some("description")) {
            return Some(e.to_string());
        }
        Description::parse(&description.get())
            .err()
            .map(|e| format!("Description: {}.", e.problem))
    });
    let new_warnings = memo(move || match parsed.get() {
        Some(Ok(e)) => warnings_for_new(&existing.get(), &e),
        _ => Vec::new(),
    });
    // The one-click fix: the network for host bits, the IPv4 form for an
    // IPv4 address written as IPv6.
    let masked = memo(move || match parsed.get() {
        Some(Ok(e)) if e.host_bits_set() => Some(e.network().to_string()),
        Some(Err(_)) => IpEntry::ipv4_instead(&address.get()).map(|e| e.to_string()),
        _ => None,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let (Some(Ok(entry)), Ok(desc)) = (
            parsed.get_untracked(),
            Description::parse(&description.get_untracked()),
        ) else {
            return;
        };
        edited.set(false);
        on_submit.run(NewEntry {
            ip: entry.ip.to_string(),
            cidr_prefix: entry.prefix,
            description: desc.as_str().to_string(),
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="entry-address">"Address or range"</label>
                <input
                    id="entry-address"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="203.0.113.0/24"
                    aria-describedby="entry-address-rule entry-address-error entry-address-warnings"
                    aria-invalid=move || if address_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || address.get()
                    on:input=move |ev| {
                        address.set(event_target_value(&ev));
                        edited.set(true);
                    }
                />
                <p id="entry-address-rule" class="hint">
                    "Rule: an IPv4 or IPv6 address, optionally with /prefix (0–32 for IPv4, 0–128 for IPv6); no prefix means one host."
                </p>
                <p id="entry-address-error" class="error" aria-live="polite">{move || address_error.get()}</p>
                <div id="entry-address-warnings" class="warnings" aria-live="polite">
                    {move || new_warnings.get().into_iter().map(|w| view! { <p class="warning">{format!("Warning: {w}.")}</p> }).collect_view()}
                    {move || masked.get().map(|net| {
                        let use_net = net.clone();
                        view! {
                            <button type="button" on:click=move |_| address.set(use_net.clone())>
                                {format!("Use {net}")}
                            </button>
                        }
                    })}
                </div>
            </div>
            <TextField
                id="entry-description"
                label="Description (optional)"
                value=description
                error=description_error
                on_edit=Callback::new(move |()| edited.set(true))
            />
            {move || server.get().filter(|e| e.field().is_none() && !matches!(e, ApiError::Conflict(_))).map(|e| view! {
                <p class="error form-error" role="alert">{e.to_string()}</p>
            })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || pending.get()>"Add entry"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn entry(ip: &str, prefix: u8, description: &str) -> Entry {
        Entry {
            entry_id: ip.into(),
            ip: ip.into(),
            cidr_prefix: prefix,
            description: description.into(),
        }
    }

    #[test]
    fn a_redundant_entry_names_the_covering_one_by_its_description_or_once() {
        let wide = IpEntry::parse("203.0.113.0", Some(24)).unwrap();
        let narrow = IpEntry::parse("203.0.113.7", Some(32)).unwrap();
        let table = [
            (
                "Office LAN",
                "redundant: Office LAN (203.0.113.0/24) already admits it",
            ),
            ("", "redundant: 203.0.113.0/24 already admits it"),
            // Twilio names an entry without a description by its address.
            (
                "203.0.113.0/24",
                "redundant: 203.0.113.0/24 already admits it",
            ),
        ];
        for (description, want) in table {
            let existing = [entry("203.0.113.0", 24, description)];
            let found = analyze(&[wide, narrow]);
            let shadowed = found.iter().find(|f| f.index == 1).unwrap();
            assert_eq!(finding_text(shadowed, |i| entry_name(&existing[i])), want);
            assert_eq!(warnings_for_new(&existing, &narrow), [want]);
        }
    }
}
