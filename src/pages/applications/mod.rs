//! Applications and what secures them: the mapping from an application to
//! its credential and IP ACL.

mod form;
mod row;

use crate::api::{ApiError, Application, ApplicationInput};
use crate::components::{load, ConfirmDelete, Dialog, ListTable, LoadFailed, Loading, Refs};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
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
    let refs = move || {
        data.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|d| d.refs.clone())
        })
        .unwrap_or_default()
    };

    // Create (no row) or edit share one dialog.
    let form = DialogAction::new(
        ctx,
        Keep::Refusals,
        move || refresh.run(()),
        move |target: Option<Application>, input: ApplicationInput| {
            let api = ctx.api();
            async move {
                let name = input.app_name.clone().unwrap_or_default();
                Ok(Done::changed(match target {
                    Some(app) => {
                        api.update_application(&app.app_id, &input).await?;
                        format!("Saved {name}.")
                    }
                    None => {
                        api.create_application(&input).await?;
                        format!("Created application {name}.")
                    }
                }))
            }
        },
    );
    let delete = DialogAction::new(
        ctx,
        Keep::Conflict,
        move || refresh.run(()),
        move |app: Application, ()| {
            let api = ctx.api();
            async move {
                api.delete_application(&app.app_id).await?;
                Ok(Done::changed(format!(
                    "Deleted application {}.",
                    app.app_name
                )))
            }
        },
    );

    view! {
        <div class="page-head">
            <h1>"Applications"</h1>
            <button type="button" class="primary" on:click=move |_| form.show_for(None)>"Create application"</button>
        </div>
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
                        <ApplicationRow
                            app=a.clone()
                            refs=d.refs.clone()
                            on_edit=Callback::new({
                                let a = a.clone();
                                move |()| form.show_for(Some(a.clone()))
                            })
                            on_delete=Callback::new(move |()| delete.show_for(a.clone()))
                        />
                    }).collect_view()}
                </ListTable>
            }
            .into_any(),
        }}

        <Dialog
            id="application-form"
            open=form.open
            title=form.about(|t| match t {
                Some(a) => format!("Edit {}", a.app_name),
                None => "Create application".to_string(),
            })
        >
            <ApplicationForm
                initial=form.target.get_untracked().flatten()
                credentials=Signal::derive(move || refs().credentials)
                acls=Signal::derive(move || refs().acls)
                submit_label=if form.target.get_untracked().flatten().is_some() { "Save application" } else { "Create application" }
                on_submit=form.submit()
                pending=form.pending()
                server_error=form.error
                on_cancel=form.cancel()
            />
        </Dialog>
        <ConfirmDelete
            id="delete-application"
            action=delete
            name=|a| a.app_name.clone()
            consequence="Calls to this application will no longer be taken. Its credential and IP ACL are kept."
        />
    }
}
