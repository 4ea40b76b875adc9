//! Zentrunk trunks and what secures them: the mapping from a trunk to its
//! credential and, optionally, its IP ACL.

mod form;
mod row;

use crate::api::{NewTrunk, Trunk};
use crate::context::AppContext;
use crate::components::{
    in_form, load_beside, nowhere, ConfirmDelete, Dialog, ListTable, Refs, RowDialog,
};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar};
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
    let rows = move || shown.with(|s| s.rows.clone());

    // Create, or edit (a trunk whose credential was deleted gets another).
    let form = RowDialog::<Trunk>::new(refresh);
    let on_save = Callback::new(move |new: NewTrunk| {
        let api = ctx.api();
        let target = form.current();
        let request = async move {
            match &target {
                Some(t) => api.update_trunk(&t.trunk_id, &new).await,
                None => api.create_trunk(&new).await.map(drop),
            }
            .map(|()| match target {
                Some(_) => format!("Saved trunk {}.", new.name),
                None => format!("Created trunk {}.", new.name),
            })
        };
        form.send(ctx, request, in_form, move |said| ctx.toasts.success(said));
    });

    let delete = RowDialog::<Trunk>::new(refresh);
    let confirm_delete = Callback::new(move |()| {
        let Some(target) = delete.current() else {
            return;
        };
        let api = ctx.api();
        let request = async move { api.delete_trunk(&target.trunk_id).await };
        delete.send(ctx, request, nowhere, move |()| {
            ctx.toasts
                .success(format!("Deleted trunk {}.", target.name))
        });
    });

    view! {
        <div class="page-head">
            <h1>"Trunks"</h1>
            <button type="button" class="primary" on:click=move |_| form.show(None)>"Create trunk"</button>
        </div>
        <p class="lead">
            "A trunk carries your PBX's calls: an outbound trunk takes them at its SIP address. Its credential is what the PBX presents; an IP ACL, when set, is where the calls must come from."
        </p>
        <SearchBar id="trunk-search" label="Search by name" query list shown />
        <ListNotice
            what="trunks"
            empty="No trunks yet. Create one and pick the credential its PBX uses."
            no_match=|q| format!("No trunk's name contains \u{201c}{q}\u{201d}.")
            query
            list
            shown
        />
        <Show when=move || !rows().is_empty()>
            <ListTable
                caption="Trunks"
                columns=&[("Name", "name"), ("Direction", "direction"), ("SIP address", ""), ("Credential", ""), ("IP ACL", "")]
                query
            >
                <For each=rows key=|t| t.clone() let:t>
                    <TrunkRow
                        trunk=t.clone()
                        refs=refs.into()
                        on_edit=form.opener(Some(t.clone()))
                        on_delete=delete.opener(Some(t))
                    />
                </For>
            </ListTable>
        </Show>
        <Pager shown query />

        <Dialog
            id="trunk-form"
            open=form.open
            title=Signal::derive(move || match form.row.get() {
                Some(t) => format!("Edit {}", t.name),
                None => "Create trunk".to_string(),
            })
        >
            {move || view! {
                <TrunkForm
                    initial=form.row.get()
                    credentials=Signal::derive(move || refs.with(|r| r.credentials.clone()))
                    acls=Signal::derive(move || refs.with(|r| r.acls.clone()))
                    on_submit=on_save
                    pending=form.pending
                    server_error=form.error
                    on_cancel=Callback::new(move |()| form.close())
                />
            }}
        </Dialog>
        <ConfirmDelete
            id="delete-trunk"
            open=delete.open
            name=delete.about(|t| t.name.clone())
            consequence="The trunk will be deleted; its credential and IP ACL stay."
            pending=delete.pending
            on_confirm=confirm_delete
        />
    }
}
