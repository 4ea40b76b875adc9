//! SIP credentials in the configured dialect: find, create, change
//! password, enable or disable (vobiz), delete. Twilio keeps credentials in
//! credential lists: there this page shows one list's (`/credential-lists/:id`).
//! What differs between dialects comes from the profile.

mod create_dialog;
mod delete_dialog;
mod disable_dialog;
mod label_dialog;
mod password_dialog;
mod row;
mod sip_side;
mod status_filter;
mod table;
mod tools;

use crate::api::{ApiError, Application, Credential, SipCredential};
use crate::components::{load_beside, Stamp};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
use crate::list::{ListNotice, ListQuery, Listing, Pager, SearchBar};
use crate::profile::{Column, Profile};
use crate::usage::Usage;
use leptos::prelude::*;
use leptos_router::components::A;
use sip_side::{SipNote, SipSide};
use status_filter::StatusFilter;
use std::cmp::Ordering;
use std::future::Future;
use table::CredentialTable;

/// What the page's parts share.
#[derive(Clone, Copy)]
struct Credentials {
    ctx: AppContext,
    profile: &'static Profile,
    /// Twilio: the credential list in the path. Read once: an async task
    /// must not touch the router's signals after the page is gone.
    list_id: StoredValue<Option<String>>,
    listing: Listing<Credential>,
    /// What uses each credential: plivo applications, which are unassigned
    /// before a delete; zentrunk trunks, which the API lets a delete break
    /// (so the dialog names them); in twilio, the domains mapping this
    /// list. None until loaded.
    usage: RwSignal<Option<Usage>>,
    /// What the SIP side saw of each credential (`config.sip_insight`):
    /// last seen, registrations, under attack.
    sip: SipSide,
    /// The dialog a button asked for, until the page's tools open it:
    /// they come in a chunk of their own (see `tools`).
    ask: RwSignal<Option<Ask>>,
}

/// A dialog a button asks for.
#[derive(Clone)]
enum Ask {
    Create,
    Password(Credential),
    /// Zentrunk's rename, vobiz's description.
    Label(Credential),
    Delete(Credential),
    /// Vobiz: disable, after a confirmation.
    Disable(Credential),
}

impl Credentials {
    fn list_id(&self) -> Option<String> {
        self.list_id.get_value()
    }

    fn refresh(&self) {
        self.listing.refresh();
    }

    /// Opens a dialog, as soon as the page's tools are here.
    fn ask(&self, ask: Ask) {
        self.ask.set(Some(ask));
    }

    fn with_usage<R>(&self, read: impl FnOnce(&Usage) -> R) -> Option<R> {
        self.usage.with(|u| u.as_ref().map(read))
    }

    /// The applications a delete unassigns first (plivo).
    fn apps_using(&self, credential: &str) -> Vec<Application> {
        self.with_usage(|u| u.apps_using_credential(credential))
            .unwrap_or_default()
    }

    /// The trunks a delete leaves without a credential (zentrunk).
    fn breaks(&self, credential: &str) -> Vec<String> {
        self.with_usage(|u| u.credential_breaks(credential))
            .unwrap_or_default()
    }

    /// Everything using a credential, by name.
    fn used_by(&self, credential: &str) -> Vec<String> {
        self.with_usage(|u| u.credential_users(credential))
            .unwrap_or_default()
    }

    /// A dialog's request on this page, which refreshes after a change.
    fn action<I, T, F, Fut>(&self, keep: Keep, run: F) -> DialogAction<I, T>
    where
        I: Clone + Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
        F: Fn(T, I) -> Fut + 'static,
        Fut: Future<Output = Result<Done, ApiError>> + 'static,
    {
        let listing = self.listing;
        DialogAction::new(self.ctx, keep, move || listing.refresh(), run)
    }

    /// Whether the list has the "Last seen" column.
    fn sip_insight(&self) -> bool {
        self.ctx.sip_insight()
    }

    /// What the SIP side saw of a credential (tracked); `None` until loaded.
    fn sip_of(&self, id: &str) -> Option<(SipCredential, u32)> {
        self.sip.of(id)
    }

    /// Opens the registrations of `credential`.
    fn show_registrations(&self, credential: &Credential) {
        self.sip.show_registrations(credential);
    }

    /// Twilio: the domains mapping the list shown.
    fn list_users(&self) -> Option<Vec<String>> {
        let list = self.list_id()?;
        self.with_usage(|u| u.credential_list_users(&list))
    }
}

/// Whether the search box's text (lowercased) finds a credential.
fn matches(c: &Credential, needle: &str) -> bool {
    [Some(&c.username), c.name.as_ref(), c.description.as_ref()]
        .into_iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(needle))
}

/// The order of a sortable column (see `profile::Column::header`).
fn order(a: &Credential, b: &Credential, key: &str) -> Ordering {
    match key {
        "realm" => a.realm.cmp(&b.realm),
        "name" => a.name.cmp(&b.name),
        "enabled" => a.enabled.cmp(&b.enabled),
        _ => a.username.to_lowercase().cmp(&b.username.to_lowercase()),
    }
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let profile = ctx.profile();
    let words = profile.credentials;
    let list_id = StoredValue::new(use_context::<crate::app::PathId>().and_then(|p| p.0));
    let list = load_beside(ctx, Signal::stored(0), move |api| {
        let id = list_id.get_value().filter(|_| words.in_lists);
        async move {
            let Some(id) = id else {
                return Ok::<_, ApiError>(None);
            };
            Ok(match api.get_credential_list(&id).await {
                Ok(l) => Some(l),
                Err(e) => {
                    ctx.report(&e);
                    None
                }
            })
        }
    });
    // The filter and the page live in the URL, so reload and links keep them.
    let query = ListQuery::from_url(match list_id.get_value() {
        Some(id) if words.in_lists => format!("/credential-lists/{id}"),
        _ => "/credentials".to_string(),
    });
    let listing = Listing::load(ctx, move |api, first| async move {
        let list = list_id.get_value();
        api.credentials_from_first(list.as_deref(), first).await
    });
    // Vobiz: all, enabled or disabled credentials, beside the search.
    // Last seen, registrations and flags, beside the list and reloaded
    // with it (only when the server reads what Kamailio sees): loaded by
    // the page's tools.
    let sip = SipSide::new();
    let shown = listing.shown_where(
        query,
        move |c| query.show.with(|s| status_filter::passes(s, c)),
        matches,
        move |a, b, key| match key {
            "last_seen" => sip.order(a, b),
            _ => order(a, b, key),
        },
    );
    let state = listing.state(shown);
    // Loaded by the page's tools, which need it for their dialogs.
    let usage = RwSignal::new(None);
    let page = Credentials {
        ctx,
        profile,
        list_id,
        listing,
        usage,
        sip,
        ask: RwSignal::new(None),
    };
    let actions = row::RowActions::new(page);

    let heading = move || match words.in_lists {
        true => list
            .with(|l| l.as_ref().map(|l| l.friendly_name.clone()))
            .unwrap_or_else(|| "Credential list".to_string()),
        false => "SIP credentials".to_string(),
    };
    // Vobiz credentials are account-wide: where their devices register.
    let realm = words.registers_at_realm.then(|| ctx.sip_realm()).flatten();

    view! {
        {words.in_lists.then(|| view! {
            <p class="breadcrumb"><A href="/credential-lists">"Credential lists"</A> " / "</p>
        })}
        <div class="page-head">
            <h1>{heading}</h1>
            {ctx.can_write().then(|| view! {
                <button type="button" class="primary" on:click=move |_| page.ask(Ask::Create)>
                    "Create credential"
                </button>
            })}
        </div>
        {move || list.get().map(|l| view! { <Stamp created=l.date_created updated=l.date_updated /> })}
        <p class="lead">
            {words.lead}
            "Passwords are stored only as digests and can be replaced, never read."
        </p>
        {realm.map(|realm| view! {
            <p class="used-by">{format!("Devices register at sip:<username>@{realm}.")}</p>
        })}
        // Which Kamailio node did not answer.
        {page.sip_insight().then(|| view! { <SipNote sip /> })}
        {move || page.list_users().map(|names| view! {
            <p class="used-by">
                {if names.is_empty() {
                    "No domain maps this list yet: its credentials authenticate nothing until one does.".to_string()
                } else {
                    format!("Mapped to {}.", names.join(", "))
                }}
            </p>
        })}
        <SearchBar id="credential-search" label=words.search_label query state />
        {words.columns.contains(&Column::Enabled).then(|| view! { <StatusFilter query /> })}
        <ListNotice
            what="credentials"
            empty="No credentials yet. Create one so that a phone or PBX can register."
            no_match=|q| match q {
                // Only the enabled/disabled filter is set.
                "" => "No credential matches the filter.".to_string(),
                q => format!("No credential matches \u{201c}{q}\u{201d}."),
            }
            query
            state
        />
        <CredentialTable page query shown state actions />
        <Pager state query />
        // Exports, history and dialogs, once their chunk is here.
        <tools::Later page />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn credential(username: &str) -> Credential {
        Credential {
            credential_uuid: format!("id-{username}"),
            username: username.to_string(),
            realm: String::new(),
            name: None,
            enabled: None,
            description: None,
            sip_uri: None,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn search_finds_the_username_name_or_description() {
        let mut c = credential("Alice");
        c.name = Some("Head Office".into());
        c.description = Some("Lobby phone".into());
        for needle in ["alice", "head off", "lobby"] {
            assert!(matches(&c, needle), "{needle}");
        }
        assert!(!matches(&c, "bob"));
        assert!(!matches(&credential("alice"), "lobby"));
    }

    #[test]
    fn usernames_sort_without_regard_to_case_and_other_keys_by_their_field() {
        let (a, b) = (credential("alice"), credential("Bob"));
        assert_eq!(order(&a, &b, "username"), Ordering::Less);
        let (mut on, mut off) = (credential("a"), credential("b"));
        on.enabled = Some(true);
        off.enabled = Some(false);
        assert_eq!(order(&off, &on, "enabled"), Ordering::Less);
        let (mut x, mut y) = (credential("x"), credential("y"));
        x.realm = "b.example".into();
        y.realm = "a.example".into();
        assert_eq!(order(&x, &y, "realm"), Ordering::Greater);
    }
}
