use super::{entry_label, entry_name, finding_text};
use crate::api::{in_user_words, ApiError, Entry, NewEntry};
use crate::signals::memo;
use leptos::prelude::*;
use sipauth_model::acl::{analyze, parse_import, Finding, ImportLine};
use sipauth_model::IpEntry;
use std::future::Future;
use std::pin::Pin;

/// Sends one entry with the import's batch id; the page supplies it (the
/// API), tests their own.
pub type AddEntry = std::sync::Arc<
    dyn Fn(NewEntry, String) -> Pin<Box<dyn Future<Output = Result<(), ApiError>>>> + Send + Sync,
>;

/// A new import's batch id: 32 random hex digits (the server takes 1–64
/// of `[A-Za-z0-9-]`), from the password generator's random source.
pub fn batch_id() -> String {
    let mut bytes = [0u8; 16];
    super::password_field::crypto_random(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line's outcome while importing.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Added,
    Failed(String),
}

/// Paste lines or CSV; every line is checked before anything is sent, then
/// entries are created one by one with a progress bar, past failures.
#[component]
pub fn ImportForm(
    #[prop(into)] existing: Signal<Vec<Entry>>,
    /// Creates one entry.
    add: AddEntry,
    /// Told (added, failed) when the import has finished.
    on_done: Callback<(usize, usize)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let preview = memo(move || {
        let models: Vec<IpEntry> = existing.get().iter().filter_map(Entry::model).collect();
        parse_import(&text.get(), &models)
    });
    // What adding the previewed lines would bring, as adding one by hand
    // says: host bits, catch-alls, entries made redundant.
    let warnings = memo(move || {
        let existing = existing.get();
        preview.with(|p| import_warnings(&existing, &p.entries))
    });
    let progress = RwSignal::new(None::<(usize, usize)>);
    // (added, failed) once an import has run, until the box is edited.
    let finished = RwSignal::new(None::<(usize, usize)>);
    let outcomes = RwSignal::new(Vec::<(usize, String, Outcome)>::new());
    let running = move || matches!(progress.get(), Some((done, total)) if done < total);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let entries: Vec<ImportLine> = preview.get_untracked().entries;
        if entries.is_empty() {
            return;
        }
        let total = entries.len();
        progress.set(Some((0, total)));
        outcomes.set(Vec::new());
        finished.set(None);
        let pasted = text.get_untracked();
        let add = add.clone();
        // Every line of this import carries the same id to the audit log.
        let batch = batch_id();
        leptos::task::spawn_local(async move {
            for (done, line) in entries.into_iter().enumerate() {
                let body = NewEntry {
                    ip: line.entry.ip.to_string(),
                    cidr_prefix: line.entry.prefix,
                    description: line.description.as_str().to_string(),
                };
                let outcome = match add(body, batch.clone()).await {
                    Ok(_) => Outcome::Added,
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                outcomes.update(|o| o.push((line.line, line.entry.to_string(), outcome)));
                progress.set(Some((done + 1, total)));
            }
            // The dialog may have closed meanwhile: its signals are gone.
            let failed: Vec<usize> = outcomes
                .try_get_untracked()
                .unwrap_or_default()
                .iter()
                .filter(|(_, _, o)| *o != Outcome::Added)
                .map(|(line, _, _)| *line)
                .collect();
            // The added lines are now in the ACL: previewing them again would
            // call each "already in this ACL", which reads as a failure. Only
            // the lines that failed stay in the box, to fix and try again.
            let left: Vec<&str> = pasted
                .lines()
                .enumerate()
                .filter(|(i, _)| failed.contains(&(i + 1)))
                .map(|(_, l)| l)
                .collect();
            text.set(left.join("\n"));
            finished.set(Some((total - failed.len(), failed.len())));
            on_done.try_run((total - failed.len(), failed.len()));
        });
    };
    view! {
        <form class="form" on:submit=start novalidate>
            <div class="field">
                <label for="import-text">"Entries, one per line"</label>
                <textarea
                    id="import-text"
                    rows="8"
                    spellcheck="false"
                    aria-describedby="import-rule import-summary"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        finished.set(None);
                        text.set(event_target_value(&ev));
                    }
                ></textarea>
                <p id="import-rule" class="hint">
                    "Each line: ip[/prefix][,description], as pasted or from CSV. Blank lines and lines starting with # are skipped."
                </p>
            </div>
            <div id="import-summary" aria-live="polite">
                {move || finished.get().map(|(added, failed)| {
                    let entries = |n: usize| format!("{n} entr{}", if n == 1 { "y" } else { "ies" });
                    let text = match failed {
                        0 => format!("{} added.", entries(added)),
                        _ => format!(
                            "{} added; {failed} failed (listed below): {} left in the box to fix and try again.",
                            entries(added),
                            if failed == 1 { "its line is" } else { "their lines are" },
                        ),
                    };
                    view! { <p class="outcome">{text}</p> }
                })}
                {move || {
                    let p = preview.get();
                    (!text.get().trim().is_empty()).then(|| view! {
                        <p>{format!(
                            "{} entr{} ready to import; {} line{} with errors.",
                            p.entries.len(),
                            if p.entries.len() == 1 { "y" } else { "ies" },
                            p.errors.len(),
                            if p.errors.len() == 1 { "" } else { "s" },
                        )}</p>
                        <ul class="line-errors">
                            {p.errors.into_iter().map(|e| view! { <li class="error">{format!("Line {}: {}", e.line, in_user_words(&e.message))}</li> }).collect_view()}
                            {p.present.into_iter().map(|l| view! { <li>{format!("Line {}: {} is already in this ACL", l.line, l.entry.network())}</li> }).collect_view()}
                        </ul>
                        {move || {
                            let w = warnings.get();
                            (!w.is_empty()).then(|| view! {
                                <p>{format!(
                                    "{} warning{}: {} imported as written unless you change {}.",
                                    w.len(),
                                    if w.len() == 1 { "" } else { "s" },
                                    if w.len() == 1 { "that line is" } else { "those lines are" },
                                    if w.len() == 1 { "it" } else { "them" },
                                )}</p>
                                <ul class="line-warnings">
                                    {w.into_iter().map(|t| view! { <li class="warning">{t}</li> }).collect_view()}
                                </ul>
                            })
                        }}
                    })
                }}
            </div>
            {move || progress.get().map(|(done, total)| view! {
                <label for="import-progress">{format!("Imported {done} of {total}")}</label>
                <progress id="import-progress" max=total.to_string() value=done.to_string()></progress>
                <ul class="outcomes">
                    {outcomes.get().into_iter().filter(|(_, _, o)| *o != Outcome::Added).map(|(line, entry, o)| {
                        let Outcome::Failed(why) = o else { unreachable!() };
                        view! { <li class="error">{format!("Line {line} ({entry}): {why}")}</li> }
                    }).collect_view()}
                </ul>
            })}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || { running() || preview.get().entries.is_empty() }>
                    {move || {
                        let n = preview.get().entries.len();
                        format!("Import {n} entr{}", if n == 1 { "y" } else { "ies" })
                    }}
                </button>
                <button type="button" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </form>
    }
}

/// Warnings about the lines about to be imported, against the ACL's
/// entries and each other, in the words the entry form uses.
fn import_warnings(existing: &[Entry], lines: &[ImportLine]) -> Vec<String> {
    let mut models: Vec<IpEntry> = existing.iter().filter_map(Entry::model).collect();
    if models.len() != existing.len() {
        return Vec::new();
    }
    let n = models.len();
    models.extend(lines.iter().map(|l| l.entry));
    let name = |i: usize| match i.checked_sub(n) {
        // The message shows the network after the name.
        Some(j) => format!("line {}", lines[j].line),
        None => entry_name(&existing[i]),
    };
    let mut found = analyze(&models);
    // The lines' own warnings first, then what they do to existing entries.
    found.sort_by_key(|f| f.index < n);
    found
        .iter()
        .filter_map(|f| match f.index.checked_sub(n) {
            Some(j) => Some(format!(
                "Line {} ({}): {}.",
                lines[j].line,
                lines[j].entry,
                finding_text(f, name)
            )),
            // An existing entry a new line covers.
            None => match f.finding {
                Finding::Shadowed { by, .. } if by >= n => Some(format!(
                    "{} becomes {}.",
                    entry_label(&existing[f.index]),
                    finding_text(f, name)
                )),
                _ => None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_batch_id_is_what_the_server_takes_and_new_each_time() {
        let (a, b) = (batch_id(), batch_id());
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 32);
            assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
    }

    #[test]
    fn the_preview_warns_as_adding_by_hand_does() {
        let existing = [Entry {
            entry_id: "e1".into(),
            ip: "192.0.2.7".into(),
            cidr_prefix: 32,
            description: "Desk phone".into(),
        }];
        let models: Vec<IpEntry> = existing.iter().filter_map(Entry::model).collect();
        let preview = parse_import("10.0.0.1/8\n10.1.0.0/16,Branch\n192.0.2.0/24", &models);
        assert_eq!(
            import_warnings(&existing, &preview.entries),
            [
                "Line 1 (10.0.0.1/8): host bits set; the network is 10.0.0.0/8.",
                "Line 2 (10.1.0.0/16): redundant: line 1 (10.0.0.0/8) already admits it.",
                "192.0.2.7/32 becomes redundant: line 3 (192.0.2.0/24) already admits it.",
            ]
        );
    }
}
