//! Picking a credential or an IP ACL (or any named choice) from a list, and
//! naming what an application or trunk refers to.

use crate::admits;
use crate::api::{Acl, Api, ApiError, Credential};
use crate::signals::derive;
use leptos::prelude::*;

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

/// A labelled select. `none` is the first, empty choice ("Pick a
/// credential"); `hint` and `error` are tied to it with `aria-describedby`,
/// and so is `also_describes` (an id of something the children show).
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
    view! {
        <div class="field">
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
                {move || choices.get().into_iter().map(|(v, name)| {
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
