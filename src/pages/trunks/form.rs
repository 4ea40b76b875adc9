//! The trunk dialog's form: create a trunk, or edit one (a trunk whose credential
//! was deleted gets another here).

use crate::admits;
use crate::api::{NewTrunk, Trunk};
use crate::components::{
    changes, AdmitsLine, FormCheck, FormEnd, History, Picker, Picks, Refs, TextField,
};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Keep};
use crate::signals::derive;
use leptos::prelude::*;
use sipauth_model::sip::TrunkDirection;
use sipauth_model::AclName;

/// Creates the trunk (no row) or saves the one the dialog is open for.
pub fn action(ctx: AppContext, refresh: Callback<()>) -> DialogAction<NewTrunk, Option<Trunk>> {
    changes(
        ctx,
        Keep::Refusals,
        refresh,
        |api, target: Option<Trunk>, new: NewTrunk| async move {
            match &target {
                Some(t) => api.update_trunk(&t.trunk_id, &new).await?,
                None => drop(api.create_trunk(&new).await?),
            }
            let done = if target.is_some() { "Saved" } else { "Created" };
            Ok(format!("{done} trunk {}.", new.name))
        },
    )
}

/// Mounted each time the dialog opens, so it starts from the trunk.
#[component]
pub fn TrunkForm(
    action: DialogAction<NewTrunk, Option<Trunk>>,
    refs: Signal<Refs>,
) -> impl IntoView {
    let initial = action.target.get_untracked().flatten();
    let editing = initial.is_some();
    let history_id = initial.as_ref().map(|t| t.trunk_id.clone());
    let (pending, server_error) = (action.pending(), action.error.into());
    let init = initial.unwrap_or(Trunk {
        trunk_id: String::new(),
        name: String::new(),
        trunk_direction: TrunkDirection::Outbound.as_str().to_string(),
        credential_uuid: None,
        ip_acl_uuid: None,
        sip_uri: None,
    });
    let name = RwSignal::new(init.name);
    let direction = RwSignal::new(init.trunk_direction);
    let picks = Picks::new(refs, init.credential_uuid, init.ip_acl_uuid);
    let (credential, acl) = (picks.credential, picks.acl);
    let check = FormCheck::new(server_error);
    let name_error = check.typed("name", "Name", name, AclName::parse);
    let credential_error = check.picked(
        "credential_uuid",
        credential,
        || true,
        "Credential: pick the credential the trunk's PBX presents.",
    );
    // What the trunk will admit, with the picked names, as they change.
    let admitted = derive(move || {
        let (credential, acl) = picks.names();
        admits::trunk(
            &direction.get(),
            credential.as_deref(),
            acl.as_deref(),
            true,
        )
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.submitted.set(true);
        if name_error.get_untracked().is_some() || credential_error.get_untracked().is_some() {
            return;
        }
        action.submit().run(NewTrunk {
            name: name.get_untracked(),
            trunk_direction: direction.get_untracked(),
            credential_uuid: credential.get_untracked(),
            ip_acl_uuid: acl.get_untracked(),
        });
    };
    let directions = TrunkDirection::ALL
        .iter()
        .map(|d| (d.as_str().to_string(), d.label().to_string()))
        .collect::<Vec<_>>();
    view! {
        <form class="form" on:submit=submit novalidate>
            <TextField id="trunk-name" label="Name" value=name error=name_error rule=AclName::RULE />
            <Picker
                id="trunk-direction"
                label="Direction"
                value=direction
                choices=Signal::stored(directions)
                hint="An outbound trunk takes your PBX's calls at its SIP address; an inbound trunk takes none from the PBX."
            />
            <Picker
                id="trunk-credential"
                label="Credential"
                value=credential
                choices=picks.credential_choices()
                none="Pick a credential"
                error=credential_error
            />
            <Picker
                id="trunk-acl"
                label="IP ACL (optional)"
                value=acl
                choices=picks.acl_choices()
                none="None"
                hint="When set, calls must also come from an address in this ACL."
                also_describes="trunk-admits"
            />
            <AdmitsLine id="trunk-admits" admits=admitted />
            <FormEnd
                server_error
                pending
                submit_label=derive(move || match (pending.get(), editing) {
                    (true, _) => "Saving…".to_string(),
                    (false, true) => "Save trunk".to_string(),
                    (false, false) => "Create trunk".to_string(),
                })
                on_cancel=action.cancel()
            />
        </form>
        {history_id.map(|id| view! { <History resource="trunk" id=Signal::stored(id) /> })}
    }
}
