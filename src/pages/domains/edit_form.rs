//! "Edit …": a domain's friendly name, voice URL and whether it takes
//! registrations (its name cannot change: SIP devices address it).

use super::create_form::RegistrationCheck;
use crate::api::{ApiError, Domain};
use crate::components::{FormCheck, FormEnd, History, TextField};
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::{AnswerUrl, FriendlyName};

/// What the edit form sends: friendly name, voice URL, registrations.
pub type DomainChange = (String, String, bool);

#[component]
pub fn DomainEditForm(
    domain: Domain,
    on_submit: Callback<DomainChange>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let friendly = RwSignal::new(match domain.friendly_name.is_empty() {
        true => domain.domain_name.clone(),
        false => domain.friendly_name.clone(),
    });
    let voice_url = RwSignal::new(domain.voice_url.clone());
    let registration = RwSignal::new(domain.sip_registration);
    let history_id = domain.sid.clone();
    let check = FormCheck::new(server_error);
    let friendly_error = check.typed("name", "Friendly name", friendly, FriendlyName::parse);
    let url_error = check.typed("voice_url", "Voice URL", voice_url, AnswerUrl::parse);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.submitted.set(true);
        if friendly_error.get_untracked().is_none() && url_error.get_untracked().is_none() {
            on_submit.run((
                friendly.get_untracked().trim().to_string(),
                voice_url.get_untracked().trim().to_string(),
                registration.get_untracked(),
            ));
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="domain-edit-friendly" label="Friendly name" value=friendly error=friendly_error rule=FriendlyName::RULE />
            <TextField id="domain-edit-voice-url" label="Voice URL (optional)" value=voice_url error=url_error rule=AnswerUrl::RULE />
            <RegistrationCheck id="domain-edit-registration" registration />
            <FormEnd
                server_error
                pending
                submit_label=derive(move || {
                    if pending.get() { "Saving…" } else { "Save domain" }.to_string()
                })
                on_cancel
            />
        </form>
        <History resource="domain" id=Signal::stored(history_id) />
    }
}
