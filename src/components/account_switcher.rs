//! The header's account: a labelled select when the operator may use more
//! than one, the account's name otherwise.

use crate::context::AppContext;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

/// The list a detail page belongs to (`/acls/ID` → `/acls`): after a
/// switch the row it shows is the other account's.
pub fn list_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let (list, detail) = rest.split_once('/')?;
    (!detail.is_empty()).then(|| &path[..=list.len()])
}

#[component]
pub fn AccountSwitcher() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let navigate = use_navigate();
    let location = use_location();
    let on_change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if chosen == ctx.account.get_untracked() {
            return;
        }
        let path = location.pathname.get_untracked();
        if let Some(list) = list_of(&path) {
            navigate(list, Default::default());
        }
        ctx.switch_account(chosen.clone());
        ctx.toasts.notice(format!("Now managing account {chosen}."));
    };
    let signed_in = move || {
        ctx.session
            .with(|s| s.as_ref().is_some_and(|s| !s.operator.is_empty()))
    };
    move || {
        let accounts = ctx.accounts();
        if accounts.len() < 2 {
            let word = if signed_in() { "account " } else { "Account " };
            return view! { <span>{word}{move || ctx.account.get()}</span> }.into_any();
        }
        let options = accounts
            .into_iter()
            .map(|a| {
                let text = match a.realm.is_empty() {
                    true => a.auth_id.clone(),
                    false => format!("{} ({})", a.auth_id, a.realm),
                };
                let id = a.auth_id.clone();
                view! {
                    <option value=a.auth_id selected=move || ctx.account.with(|c| *c == id)>{text}</option>
                }
            })
            .collect_view();
        view! {
            <span class="account-switch">
                <label for="account-switch">"Account"</label>
                <select id="account-switch" prop:value=move || ctx.account.get() on:change=on_change.clone()>
                    {options}
                </select>
            </span>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_detail_page_goes_back_to_its_list_and_a_list_stays() {
        assert_eq!(list_of("/acls/abc"), Some("/acls"));
        assert_eq!(list_of("/credential-lists/CL1"), Some("/credential-lists"));
        assert_eq!(list_of("/acls"), None);
        assert_eq!(list_of("/acls/"), None);
        assert_eq!(list_of("/"), None);
    }
}
