//! Picking a credential or an IP ACL (or any named choice) from a list, and
//! naming what an application or trunk refers to.

use crate::admits;
use crate::api::{Acl, Api, ApiError, Credential};
use crate::signals::derive;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The credentials and IP ACLs something may refer to, so ids resolve to
/// names (an id that no longer resolves shows as itself).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refs {
    pub credentials: Vec<Credential>,
    pub acls: Vec<Acl>,
}

impl Refs {
    pub async fn load(api: &Api) -> Result<Self, ApiError> {
        Ok(Self {
            credentials: api.all_credentials(None).await?,
            acls: api.all_acls().await?,
        })
    }

    /// The credential's username.
    pub fn credential_name(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        let found = self.credentials.iter().find(|c| c.credential_uuid == id);
        Some(found.map_or_else(|| id.to_string(), |c| c.username.clone()))
    }

    pub fn acl_name(&self, id: Option<&str>) -> Option<String> {
        let id = id?;
        let found = self.acls.iter().find(|a| a.ip_acl_uuid == id);
        Some(found.map_or_else(|| id.to_string(), |a| a.name.clone()))
    }
}

/// The credential and IP ACL a form picks (by id) from `refs`.
#[derive(Clone, Copy)]
pub struct Picks {
    refs: Signal<Refs>,
    pub credential: RwSignal<String>,
    pub acl: RwSignal<String>,
}

impl Picks {
    pub fn new(refs: Signal<Refs>, credential: Option<String>, acl: Option<String>) -> Self {
        Self {
            refs,
            credential: RwSignal::new(credential.unwrap_or_default()),
            acl: RwSignal::new(acl.unwrap_or_default()),
        }
    }

    /// The picked username and ACL name, for the sentence of what is
    /// admitted; followed as the picks change.
    pub fn names(&self) -> (Option<String>, Option<String>) {
        let (credential, acl) = (self.credential.get(), self.acl.get());
        self.refs
            .with(|r| admits::picked(&r.credentials, &r.acls, &credential, &acl))
    }

    pub fn credential_choices(&self) -> Signal<Vec<(String, String)>> {
        let refs = self.refs;
        derive(move || refs.with(|r| credential_choices(&r.credentials)))
    }

    pub fn acl_choices(&self) -> Signal<Vec<(String, String)>> {
        let refs = self.refs;
        derive(move || refs.with(|r| acl_choices(&r.acls)))
    }
}

/// (value, name) of each credential, for a `Picker`.
pub fn credential_choices(credentials: &[Credential]) -> Vec<(String, String)> {
    credentials
        .iter()
        .map(|c| (c.credential_uuid.clone(), c.username.clone()))
        .collect()
}

/// (value, name) of each IP ACL, for a `Picker`.
pub fn acl_choices(acls: &[Acl]) -> Vec<(String, String)> {
    acls.iter()
        .map(|a| (a.ip_acl_uuid.clone(), a.name.clone()))
        .collect()
}

/// From how many choices a picker offers its search field: a short list
/// reads at a glance, a long one (up to 200 credentials) does not.
pub const SEARCH_FROM: usize = 8;

/// The choices whose name contains `needle` (any case), the picked one
/// kept whatever the filter, so that narrowing never changes the pick.
pub fn narrowed(choices: &[(String, String)], needle: &str, picked: &str) -> Vec<(String, String)> {
    let needle = needle.trim().to_lowercase();
    choices
        .iter()
        .filter(|(v, name)| {
            needle.is_empty() || v == picked || name.to_lowercase().contains(&needle)
        })
        .cloned()
        .collect()
}

/// A labelled select. `none` is the first, empty choice ("Pick a
/// credential"); `hint` and `error` are tied to it with `aria-describedby`,
/// and so is `also_describes` (an id of something the children show).
/// With more than [`SEARCH_FROM`] choices a labelled search field comes
/// first and narrows the select as one types: Enter (or the down arrow)
/// picks the first match and moves to the select, so the keyboard and the
/// native select keep working as before.
#[component]
pub fn Picker(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] choices: Signal<Vec<(String, String)>>,
    #[prop(optional)] none: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] also_describes: Option<&'static str>,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [
        hint.map(|_| hint_id.as_str()),
        also_describes,
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let invalid = move || error.map(|e| if e.get().is_some() { "true" } else { "false" });
    let filter = RwSignal::new(String::new());
    let offered = derive(move || {
        let picked = value.get_untracked();
        choices.with(|c| filter.with(|f| narrowed(c, f, &picked)))
    });
    let search_label = format!("{} search", label.trim_end_matches(" (optional)"));
    let search = move || {
        choices.with(|c| c.len() > SEARCH_FROM).then(|| {
            let (id, label) = (id.to_string(), search_label.clone());
            view! { <PickerSearch id label filter choices offered value /> }
        })
    };
    view! {
        <div class="field">
            {search}
            <label for=id>{label}</label>
            <select
                id=id
                aria-describedby=described
                aria-invalid=invalid
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {none.map(|n| view! { <option value="">{n}</option> })}
                // `selected` too: the value is set before the options exist.
                {move || offered.get().into_iter().map(|(v, name)| {
                    let selected = v == value.get_untracked();
                    view! { <option value=v selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            {hint.map(|h| view! { <p id=hint_id.clone() class="hint">{h}</p> })}
            {children.map(|c| c())}
            {error.map(|e| view! { <p id=error_id.clone() class="error" aria-live="polite">{move || e.get()}</p> })}
        </div>
    }
}

/// The search field of a long [`Picker`] (or of another select of named
/// choices, `id` being the select's), with a count of the matches announced
/// as they change.
#[component]
pub fn PickerSearch(
    id: String,
    /// The search field's label.
    label: String,
    filter: RwSignal<String>,
    choices: Signal<Vec<(String, String)>>,
    offered: Signal<Vec<(String, String)>>,
    value: RwSignal<String>,
) -> impl IntoView {
    let search_id = format!("{id}-search");
    let count_id = format!("{id}-search-count");
    let count = move || {
        let needle = filter.get().trim().to_lowercase();
        let all = choices.with(Vec::len);
        let matching = choices.with(|c| {
            c.iter()
                .filter(|(_, n)| n.to_lowercase().contains(&needle))
                .count()
        });
        match needle.is_empty() {
            true => format!("{all} to choose from; type to narrow them."),
            false => format!("{matching} of {all} match."),
        }
    };
    // Enter would submit the form: here it picks the first match instead.
    let select_id = id.clone();
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" && ev.key() != "ArrowDown" {
            return;
        }
        ev.prevent_default();
        let needle = filter.get_untracked().trim().to_lowercase();
        let first = offered.with_untracked(|o| {
            o.iter()
                .find(|(_, n)| n.to_lowercase().contains(&needle))
                .map(|(v, _)| v.clone())
        });
        if let Some(first) = first {
            value.set(first);
        }
        if let Some(select) = document()
            .get_element_by_id(&select_id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = select.focus();
        }
    };
    view! {
        <label for=search_id.clone()>{label}</label>
        <input
            id=search_id
            // Not type=search: there Escape clears the text instead of
            // closing the dialog the picker sits in.
            type="text"
            autocomplete="off"
            aria-controls=id
            aria-describedby=count_id.clone()
            prop:value=move || filter.get()
            on:input=move |ev| filter.set(event_target_value(&ev))
            on:keydown=keys
        />
        <p id=count_id class="hint" aria-live="polite">{count}</p>
    }
}
