//! API keys of the account in use (admins only): an application calls the
//! account's API with one instead of the account's token, with the key's
//! role. Create (the secret shown once, with how to use it), revoke.

mod create_dialog;

use crate::api::{ApiKey, Role};
use crate::components::{
    changes, opens, ConfirmButtons, CopyValue, Dialog, FilteredList, PageHead, RowActions, When,
};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Keep};
use crate::list::{ListQuery, Listing};
use crate::signals::derive;
use create_dialog::{CreateKeyDialog, SecretDialog};
use leptos::prelude::*;
use std::cmp::Ordering;

fn order(a: &ApiKey, b: &ApiKey, key: &str) -> Ordering {
    match key {
        "role" => a.role.cmp(&b.role),
        _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
    }
}

fn matches(k: &ApiKey, needle: &str) -> bool {
    k.name.to_lowercase().contains(needle) || k.id.to_lowercase().contains(needle)
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let query = ListQuery::from_url("/api-keys");
    let listing = Listing::load(ctx, |api, _first| async move { api.api_keys().await });
    let shown = listing.shown(query, matches, order);
    let refresh = Callback::new(move |()| listing.refresh());
    // The new key and its secret, shown once.
    let reveal = RwSignal::new(None);
    let create = changes(
        ctx,
        Keep::Refusals,
        refresh,
        move |api, (), (name, role): (String, Role)| async move {
            let created = api.create_api_key(&name, role).await?;
            reveal.set(Some(created));
            Ok(format!("Created API key {name}."))
        },
    );
    let revoke = changes(
        ctx,
        Keep::Refusals,
        refresh,
        |api, key: ApiKey, ()| async move {
            api.revoke_api_key(&key.id).await?;
            Ok(format!("Revoked API key {}.", key.name))
        },
    );
    let account = ctx.account.get_untracked();
    view! {
        <PageHead title="API keys" create="Create API key" on_create=opens(create, ()) />
        <p class="lead">
            {format!("Keys of account {account}. ")}
            "An application uses one wherever the account's token goes, with the key's role: an editor changes SIP resources, a viewer only reads them. A key's secret is shown once; the server keeps only its hash."
        </p>
        <FilteredList
            query list=listing shown
            search=("api-key-search", "Search by name or ID")
            what="API keys"
            empty="No API keys yet. Create one for each application that calls this account's API."
            no_match=|q| format!("No API key's name or ID contains \u{201c}{q}\u{201d}.")
            caption="API keys"
            columns=&[("Name", "name"), ("ID", ""), ("Role", "role"), ("Created", ""), ("Last used", "")]
            key=ApiKey::clone
            row=move |k: ApiKey| view! { <KeyRow key=k revoke /> }
        />

        <CreateKeyDialog action=create />
        <SecretDialog shown=reveal />
        <RevokeDialog action=revoke />
    }
}

#[component]
fn KeyRow(key: ApiKey, revoke: DialogAction<(), ApiKey>) -> impl IntoView {
    let toasts = expect_context::<AppContext>().toasts;
    let k = key;
    view! {
        <tr>
            <th scope="row">{k.name.clone()}</th>
            <td class="id"><CopyValue value=k.id.clone() what=format!("ID of {}", k.name) toasts /></td>
            <td>{k.role.label()}</td>
            <td><When raw=k.created_at.clone() /></td>
            <td><When raw=k.last_used_at.clone() none="Never" /></td>
            <RowActions name=k.name.clone() delete="Revoke" on_delete=opens(revoke, k) />
        </tr>
    }
}

/// "Revoke …?": applications using it stop at once.
#[component]
fn RevokeDialog(action: DialogAction<(), ApiKey>) -> impl IntoView {
    let name = action.about(|k| k.name.clone());
    let title = derive(move || format!("Revoke {}?", name.get()));
    let label = derive(move || format!("Revoke {}", name.get()));
    view! {
        <Dialog id="revoke-api-key" open=action.open title>
            <p>"Applications using it stop at once: their next request is refused. This cannot be undone."</p>
            <ConfirmButtons open=action.open pending=action.pending() error=action.error.into() on_confirm=action.submit() label />
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn keys_are_found_by_name_or_id_and_sorted_by_name_or_role() {
        let key = |name: &str, role| ApiKey {
            id: format!("SK{}", name.len()),
            name: name.into(),
            role,
            created_at: None,
            last_used_at: None,
        };
        let (a, b) = (key("Billing", Role::Editor), key("audit", Role::Viewer));
        assert!(matches(&a, "bill") && matches(&a, "sk7") && !matches(&b, "bill"));
        assert_eq!(order(&a, &b, "name"), Ordering::Greater);
        assert_eq!(order(&a, &b, "role"), Ordering::Greater);
    }
}
