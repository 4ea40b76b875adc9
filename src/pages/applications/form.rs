//! The application dialog's form: its name, answer URL and SIP authentication,
//! with pickers for the credential and IP ACL it needs.

use crate::admits;
use crate::api::{Application, ApplicationInput};
use crate::components::{
    changes, server_message, AdmitsLine, FormCheck, FormEnd, History, Picker, Picks, Refs,
    TextField,
};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Keep};
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::sip::SipAuthType;
use sipauth_model::{AnswerUrl, AppName};

/// Whether `kind` needs a credential and an IP ACL picked.
fn needs(kind: &str) -> (bool, bool) {
    SipAuthType::parse(kind).map_or((false, false), |t| (t.needs_credential(), t.needs_acl()))
}

type Form = DialogAction<ApplicationInput, Option<Application>>;

/// Creates the application (no row) or saves the one the dialog is open for.
pub fn action(ctx: AppContext, refresh: Callback<()>) -> Form {
    changes(
        ctx,
        Keep::Refusals,
        refresh,
        |api, target: Option<Application>, input: ApplicationInput| async move {
            let name = input.app_name.clone().unwrap_or_default();
            Ok(match target {
                Some(app) => {
                    api.update_application(&app.app_id, &input).await?;
                    format!("Saved {name}.")
                }
                None => {
                    api.create_application(&input).await?;
                    format!("Created application {name}.")
                }
            })
        },
    )
}

/// Create or edit an application, with pickers for what secures it;
/// mounted each time the dialog opens, so it starts from the application.
#[component]
pub fn ApplicationForm(action: Form, refs: Signal<Refs>) -> impl IntoView {
    let initial = action.target.get_untracked().flatten();
    let history_id = initial.as_ref().map(|a| a.app_id.clone());
    let submit_label = match initial {
        Some(_) => "Save application",
        None => "Create application",
    };
    let (pending, server_error) = (action.pending(), action.error.into());
    let init = initial.unwrap_or(Application {
        app_id: String::new(),
        app_name: String::new(),
        answer_url: String::new(),
        sip_auth_type: String::new(),
        credential_uuid: None,
        ip_acl_uuid: None,
        sip_uri: None,
    });
    let name = RwSignal::new(init.app_name);
    let url = RwSignal::new(init.answer_url);
    let kind = RwSignal::new(init.sip_auth_type);
    let picks = Picks::new(refs, init.credential_uuid, init.ip_acl_uuid);
    let (credential, acl) = (picks.credential, picks.acl);
    let check = FormCheck::new(server_error);
    let name_error = check.typed("app_name", "Name", name, AppName::parse);
    let url_error = derive(move || {
        server_message(server_error, "answer_url").or_else(|| {
            AnswerUrl::parse(&url.get())
                .err()
                .map(|e| format!("Answer URL: {}.", e.problem))
        })
    });
    // Pickers the picked type needs, left empty.
    let credential_error = check.picked(
        "credential_uuid",
        credential,
        move || needs(&kind.get()).0,
        "Credential: pick the credential callers must present.",
    );
    let acl_error = check.picked(
        "ip_acl_uuid",
        acl,
        move || needs(&kind.get()).1,
        "IP ACL: pick the IP ACL callers must come from.",
    );
    // What the picked setting admits, with the picked names, as it changes.
    let admitted = derive(move || {
        let (credential, acl) = picks.names();
        admits::application(&kind.get(), credential.as_deref(), acl.as_deref())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.submitted.set(true);
        let errors = [name_error, url_error, credential_error, acl_error];
        if errors.iter().any(|e| e.get_untracked().is_some()) {
            return;
        }
        let (c, a) = needs(&kind.get_untracked());
        action.submit().run(ApplicationInput {
            app_name: Some(name.get_untracked()),
            answer_url: Some(url.get_untracked()),
            sip_auth_type: Some(kind.get_untracked()),
            credential_uuid: c.then(|| credential.get_untracked()),
            ip_acl_uuid: a.then(|| acl.get_untracked()),
        });
    };
    let kinds = SipAuthType::ALL
        .iter()
        // The default says what it means where it is chosen.
        .map(|t| match t {
            SipAuthType::None => (
                String::new(),
                "None: accepts calls from any address".to_string(),
            ),
            t => (t.as_str().to_string(), t.label().to_string()),
        })
        .collect::<Vec<_>>();
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="app-name" label="Name" value=name error=name_error rule=AppName::RULE />
            <TextField id="app-answer-url" label="Answer URL (optional)" value=url error=url_error rule=AnswerUrl::RULE />
            <Picker
                id="app-auth-type"
                label="SIP authentication"
                value=kind
                choices=Signal::stored(kinds)
                hint="What a caller must have for this application to take the call."
                also_describes="app-auth-type-admits"
            >
                <AdmitsLine id="app-auth-type-admits" admits=admitted />
            </Picker>
            <Show when=move || needs(&kind.get()).0>
                <Picker
                    id="app-credential"
                    label="Credential"
                    value=credential
                    choices=picks.credential_choices()
                    none="Pick a credential"
                    error=credential_error
                />
            </Show>
            <Show when=move || needs(&kind.get()).1>
                <Picker id="app-acl" label="IP ACL" value=acl
                    choices=picks.acl_choices()
                    none="Pick an IP ACL" error=acl_error />
            </Show>
            <FormEnd server_error pending submit_label on_cancel=action.cancel() />
        </form>
        {history_id.map(|id| view! { <History resource="application" id=Signal::stored(id) /> })}
    }
}
