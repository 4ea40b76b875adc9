//! Applications and what secures them: the mapping from an application to
//! its credential and IP ACL.

mod form;
mod row;

use crate::api::{ApiError, Application};
use crate::components::{
    deletes, load, opens, ConfirmDelete, EditDialog, ListTable, LoadFailed, Loading, PageHead,
    Refs, RowButtons,
};
use crate::context::AppContext;
use crate::signals::memo;
use form::ApplicationForm;
use leptos::prelude::*;
use row::ApplicationRow;

/// Everything the page shows, loaded together so names resolve.
#[derive(Debug, Clone, Default, PartialEq)]
struct Data {
    apps: Vec<Application>,
    refs: Refs,
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let loaded = load(ctx, |api| async move {
        Ok::<_, ApiError>(Data {
            apps: api.all_applications().await?,
            refs: Refs::load(&api).await?,
        })
    });
    let (data, refresh) = (loaded.data, loaded.refresh);
    let refs = memo(move || {
        data.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|d| d.refs.clone())
        })
        .unwrap_or_default()
    });
    let form = form::action(ctx, refresh);
    let delete = deletes(ctx, refresh, |api, app: Application| async move {
        api.delete_application(&app.app_id).await?;
        Ok(format!("Deleted application {}.", app.app_name))
    });

    view! {
        <PageHead title="Applications" create="Create application" on_create=opens(form, None) />
        <p class="lead">"An application takes calls at its SIP address; its SIP authentication alone decides which credential or IP ACL a caller must match."</p>
        {move || match data.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <LoadFailed what="applications" error on_retry=refresh /> }.into_any(),
            Some(Ok(d)) if d.apps.is_empty() => view! {
                <div class="empty"><p>"No applications yet. Create one to put a credential or an IP ACL to use."</p></div>
            }
            .into_any(),
            Some(Ok(d)) => view! {
                <ListTable
                    caption="Applications"
                    columns=&[("Name", ""), ("SIP address", ""), ("SIP authentication", ""), ("Credential", ""), ("IP ACL", "")]
                >
                    {d.apps.into_iter().map(|a| view! {
                        <ApplicationRow app=a.clone() refs=d.refs.clone() buttons=RowButtons { edit: opens(form, Some(a.clone())), delete: opens(delete, a) } />
                    }).collect_view()}
                </ListTable>
            }
            .into_any(),
        }}

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
