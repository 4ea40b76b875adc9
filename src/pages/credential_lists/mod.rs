//! Twilio credential lists: the lists, the domains that map each, and
//! create, rename and delete. A list's credentials are on its own page.

mod row;

use crate::api::{CredentialList, Export};
use crate::components::{
    changes, deletes, opens, DeleteRowDialog, ExportButtons, FilteredList, NameDialog, PageHead,
    Resource, RowButtons,
};
use crate::context::AppContext;
use crate::dialog_action::Keep;
use crate::list::{ListQuery, Listing};
use crate::signals::memo;
use crate::usage::{Breaks, Usage};
use leptos::prelude::*;
use row::CredentialListRow;
use sipauth_model::FriendlyName;

/// A list's name as sent (Twilio's FriendlyName rule).
fn list_name(value: &str) -> Result<String, sipauth_model::FieldError> {
    FriendlyName::parse(value).map(|n| n.as_str().to_string())
}

#[component]
pub fn CredentialListsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/credential-lists");
    // Twilio answers up to 1,000 a page: one request has them all.
    let list = Listing::load(ctx, |api, _first| async move {
        api.all_credential_lists().await
    });
    let shown = list.shown(
        query,
        |l: &CredentialList, needle| l.friendly_name.to_lowercase().contains(needle),
        |a, b, _key| {
            a.friendly_name
                .to_lowercase()
                .cmp(&b.friendly_name.to_lowercase())
        },
    );
    let watched = Usage::watch(ctx, move || list.track_reloads());
    let usage = memo(move || watched.get().unwrap_or_default());
    let refresh = Callback::new(move |()| list.refresh());

    // Create (no row) or rename.
    let form = changes(
        ctx,
        Keep::Refusals,
        refresh,
        |api, target: Option<CredentialList>, name: String| async move {
            match &target {
                Some(l) => api.rename_credential_list(&l.sid, &name).await?,
                None => drop(api.create_credential_list(&name).await?),
            }
            Ok(match target {
                Some(_) => format!("Renamed the list to {name}."),
                None => format!("Created credential list {name}."),
            })
        },
    );
    // Its credentials go with it, and domains lose the mapping.
    let delete = deletes(ctx, refresh, |api, l: CredentialList| async move {
        api.delete_credential_list(&l.sid).await?;
        let name = l.friendly_name;
        Ok(format!(
            "Deleted credential list {name} and its credentials."
        ))
    });

    view! {
        <PageHead title="Credential lists" create="Create credential list" on_create=opens(form, None) />
        <p class="lead">
            "Each list holds usernames and passwords. A domain that maps a list lets its credentials authenticate calls or registrations to that domain."
        </p>
        <FilteredList
            query list shown
            search=("list-search", "Search by name")
            what="credential lists"
            empty="No credential lists yet. Create one, add credentials to it, then map it to a domain."
            no_match=|q| format!("No credential list's name contains \u{201c}{q}\u{201d}.")
            caption="Credential lists"
            columns=&[("Name", "name"), ("Used by", ""), ("SID", "")]
            key=|l: &CredentialList| (l.sid.clone(), l.friendly_name.clone())
            row=move |l: CredentialList| view! {
                <CredentialListRow list=l.clone() usage buttons=RowButtons { edit: opens(form, Some(l.clone())), delete: opens(delete, l) } />
            }
        />
        // Every credential of the account, each with its list.
        <div class="actions exports">
            <ExportButtons what=Export::Credentials formats=&[("csv", "Export credentials as CSV"), ("json", "Export credentials as JSON")] />
        </div>

        <NameDialog
            id="list-form"
            action=form
            title=|l| match l {
                Some(l) => format!("Rename {}", l.friendly_name),
                None => "Create credential list".to_string(),
            }
            field_id="list-name"
            rule=FriendlyName::RULE
            check=list_name
            initial=|l| l.as_ref().map(|l| l.friendly_name.clone()).unwrap_or_default()
            submit_label=|l| if l.is_some() { "Save name" } else { "Create credential list" }
        />
        <DeleteRowDialog
            id="delete-list"
            action=delete
            resource=Resource::CredentialList
            name=|l| l.friendly_name.clone()
            breaks=Callback::new(move |l: CredentialList| usage.with(|u| u.credential_list_users(&l.sid)))
            breaks_kind=Breaks::Domains
        />
    }
}
