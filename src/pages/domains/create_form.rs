//! The "Create domain" dialog's form.

use crate::api::ApiError;
use crate::components::{server_message, FormCheck, FormEnd, TextField};
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::{sip, FriendlyName, Realm};

/// What the create form sends: the domain name, its friendly name and
/// whether registrations are allowed.
pub type NewDomain = (String, String, bool);

/// Create a domain. With the account's realm known (`config.json`), the
/// name is checked as typed against the server's rule: under that realm.
#[component]
pub fn DomainForm(
    /// The account's SIP realm; `None` where config.json does not say.
    realm: Option<String>,
    on_submit: Callback<NewDomain>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] server_error: Signal<Option<ApiError>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let domain = RwSignal::new(String::new());
    let friendly = RwSignal::new(String::new());
    let registration = RwSignal::new(false);
    let (rule, hint) = match &realm {
        Some(r) => (
            sip::DOMAIN_NAME_RULE.replace("<realm>", r),
            Some(format!("Ends with .{r}, e.g. acme.{r}")),
        ),
        None => (Realm::RULE.to_string(), None),
    };
    let check = move |value: &str| match &realm {
        Some(r) => sip::domain_name(value, r).map(drop),
        None => Realm::parse(value).map(drop),
    };
    let check_form = FormCheck::new(server_error);
    let domain_error = check_form.typed("domain_name", "Domain name", domain, check);
    // Optional: only what is typed is checked.
    let friendly_error = derive(move || {
        server_message(server_error, "name").or_else(|| {
            let value = friendly.get();
            (!value.is_empty())
                .then(|| FriendlyName::parse(&value).err())
                .flatten()
                .map(|e| format!("Friendly name: {}.", e.problem))
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check_form.submitted.set(true);
        if domain_error.get_untracked().is_none() && friendly_error.get_untracked().is_none() {
            on_submit.run((
                domain.get_untracked(),
                friendly.get_untracked(),
                registration.get_untracked(),
            ));
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField
                id="domain-name"
                label="Domain name"
                value=domain
                error=domain_error
                rule
                hint
            />
            <TextField
                id="domain-friendly"
                label="Friendly name (optional)"
                value=friendly
                error=friendly_error
                rule=FriendlyName::RULE
            />
            <RegistrationCheck id="domain-registration" registration />
            <FormEnd
                server_error
                pending
                submit_label=derive(move || {
                    if pending.get() { "Creating…" } else { "Create domain" }.to_string()
                })
                on_cancel
            />
        </form>
    }
}

/// "Allow SIP registrations", with what it means: in the create and the
/// edit form.
#[component]
pub(super) fn RegistrationCheck(id: &'static str, registration: RwSignal<bool>) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="check">
            <input
                type="checkbox"
                id=id
                aria-describedby=hint_id.clone()
                prop:checked=move || registration.get()
                on:change=move |ev| registration.set(event_target_checked(&ev))
            />
            <label for=id>"Allow SIP registrations"</label>
            <p id=hint_id class="hint">
                "Devices may then register at the domain as users of the credential lists mapped for registrations."
            </p>
        </div>
    }
}
