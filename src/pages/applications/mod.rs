//! Applications and what secures them: the mapping from an application to
//! its credential and IP ACL.

mod form;
mod row;

use crate::api::Application;
use crate::components::{
    deletes, opens, ConfirmDelete, EditDialog, FilteredList, PageHead, Refs, RowButtons,
};
use crate::context::AppContext;
use crate::list::{ListQuery, Listing};
use form::ApplicationForm;
use leptos::prelude::*;
use row::ApplicationRow;
use std::cmp::Ordering;

/// Whether the search box's text (lowercased) finds an application: part
/// of its name, or its number (the user part of its SIP address).
fn app_matches(app: &Application, needle: &str) -> bool {
    app.app_name.to_lowercase().contains(needle) || app.app_id.contains(needle)
}

/// The order of a sortable column.
fn app_order(a: &Application, b: &Application, key: &str) -> Ordering {
    match key {
        "auth" => a.sip_auth_type.cmp(&b.sip_auth_type),
        _ => a.app_name.to_lowercase().cmp(&b.app_name.to_lowercase()),
    }
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/applications");
    // The credentials and ACLs the rows name, loaded with the list (before
    // its rows are set) so that a row is drawn with its names.
    let refs = RwSignal::new(Refs::default());
    let list = Listing::load(ctx, move |api, _first| async move {
        let (apps, loaded) = futures::join!(api.all_applications(), Refs::load(&api));
        // A write, not a read: harmless once the page is gone.
        refs.set(loaded?);
        apps
    });
    let shown = list.shown(query, app_matches, app_order);
    let refresh = Callback::new(move |()| list.refresh());
    let form = form::action(ctx, refresh);
    let delete = deletes(ctx, refresh, |api, app: Application| async move {
        api.delete_application(&app.app_id).await?;
        Ok(format!("Deleted application {}.", app.app_name))
    });

    view! {
        <PageHead title="Applications" create="Create application" on_create=opens(form, None) />
        <p class="lead">"An application takes calls at its SIP address; its SIP authentication alone decides which credential or IP ACL a caller must match."</p>
        <FilteredList
            query list shown
            search=("application-search", "Search by name")
            what="applications"
            empty="No applications yet. Create one to put a credential or an IP ACL to use."
            no_match=|q| format!("No application's name contains \u{201c}{q}\u{201d}.")
            caption="Applications"
            columns=&[("Name", "name"), ("SIP address", ""), ("SIP authentication", "auth"), ("Credential", ""), ("IP ACL", "")]
            // Drawn again when what it names changes too.
            key=move |a: &Application| {
                let names = refs.with(|r| {
                    (r.credential_name(a.credential_uuid.as_deref()), r.acl_name(a.ip_acl_uuid.as_deref()))
                });
                (format!("{a:?}"), names)
            }
            row=move |a: Application| view! {
                <ApplicationRow app=a.clone() refs=refs.get_untracked() buttons=RowButtons { edit: opens(form, Some(a.clone())), delete: opens(delete, a) } />
            }
        />

        <EditDialog id="application-form" action=form create="Create application" name=|a| a.app_name.clone()>
            <ApplicationForm action=form refs=refs.into() />
        </EditDialog>
        <ConfirmDelete
            id="delete-application"
            action=delete
            name=|a| a.app_name.clone()
            consequence="Calls to this application will no longer be taken. Its credential and IP ACL are kept."
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn app(name: &str, id: &str, auth: &str) -> Application {
        Application {
            app_id: id.to_string(),
            app_name: name.to_string(),
            answer_url: String::new(),
            sip_auth_type: auth.to_string(),
            credential_uuid: None,
            ip_acl_uuid: None,
            sip_uri: None,
        }
    }

    #[test]
    fn applications_are_found_by_name_or_number_and_sorted_by_name_or_authentication() {
        let support = app("Support Line", "12345678901234567", "credential");
        assert!(app_matches(&support, "support"));
        assert!(app_matches(&support, "4567890"));
        assert!(!app_matches(&support, "night"));
        let night = app("night line", "22345678901234567", "");
        assert_eq!(app_order(&night, &support, "name"), Ordering::Less);
        assert_eq!(app_order(&night, &support, "auth"), Ordering::Less);
    }
}
