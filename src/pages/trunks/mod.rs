//! Zentrunk trunks and what secures them: the mapping from a trunk to its
//! credential and, optionally, its IP ACL.

mod form;
mod row;

use crate::api::Trunk;
use crate::components::{
    deletes, load_beside, opens, ConfirmDelete, EditDialog, FilteredList, PageHead, Refs,
    RowButtons,
};
use crate::context::AppContext;
use crate::list::{ListQuery, Listing};
use form::TrunkForm;
use leptos::prelude::*;
use row::TrunkRow;

#[component]
pub fn TrunksPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/trunks");
    let list = Listing::load(ctx, |api, first| async move {
        api.trunks_from_first(first).await
    });
    let shown = list.shown(
        query,
        |t: &Trunk, needle| t.name.to_lowercase().contains(needle),
        |a, b, key| match key {
            "direction" => a.trunk_direction.cmp(&b.trunk_direction),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        },
    );
    // What the trunks refer to, so names resolve; reloaded with the list.
    let refs = load_beside(
        ctx,
        list.reloads(),
        |api| async move { Refs::load(&api).await },
    );

    let refresh = Callback::new(move |()| list.refresh());
    let form = form::action(ctx, refresh);
    let delete = deletes(ctx, refresh, |api, t: Trunk| async move {
        api.delete_trunk(&t.trunk_id).await?;
        Ok(format!("Deleted trunk {}.", t.name))
    });

    view! {
        <PageHead title="Trunks" create="Create trunk" on_create=opens(form, None) />
        <p class="lead">
            "A trunk carries your PBX's calls: an outbound trunk takes them at its SIP address. Its credential is what the PBX presents; an IP ACL, when set, is where the calls must come from."
        </p>
        <FilteredList
            query list shown
            search=("trunk-search", "Search by name")
            what="trunks"
            empty="No trunks yet. Create one and pick the credential its PBX uses."
            no_match=|q| format!("No trunk's name contains \u{201c}{q}\u{201d}.")
            caption="Trunks"
            columns=&[("Name", "name"), ("Direction", "direction"), ("SIP address", ""), ("Credential", ""), ("IP ACL", "")]
            key=|t: &Trunk| t.clone()
            row=move |t: Trunk| view! {
                <TrunkRow trunk=t.clone() refs=refs.into() buttons=RowButtons { edit: opens(form, Some(t.clone())), delete: opens(delete, t) } />
            }
        />

        <EditDialog id="trunk-form" action=form create="Create trunk" name=|t| t.name.clone()>
            <TrunkForm action=form refs=refs.into() />
        </EditDialog>
        <ConfirmDelete
            id="delete-trunk"
            action=delete
            name=|t| t.name.clone()
            consequence="The trunk will be deleted; its credential and IP ACL stay."
        />
    }
}
