//! What every page may use: the configuration, the session (with the
//! operator's role and accounts), the account in use, the toasts, and from
//! them the API client and the dialect's profile. Apart from the shell in
//! `app` so that pages do not depend on the module that routes them.

use crate::api::{AccountRef, Api, ApiError, Config, Role, Session};
use crate::components::Toasts;
use crate::profile::Profile;
use leptos::prelude::*;
use sipauth_model::Dialect;

/// Where the account chosen in the switcher is remembered for the tab (an
/// auth_id: nothing secret).
const ACCOUNT_KEY: &str = "account";

#[derive(Debug, Clone, Copy)]
pub struct AppContext {
    pub config: StoredValue<Config>,
    pub session: RwSignal<Option<Session>>,
    pub toasts: Toasts,
    /// The auth_id every page manages: config.json's, or the one chosen in
    /// the header's switcher.
    pub account: RwSignal<String>,
}

impl AppContext {
    pub fn new(config: Config, session: Option<Session>, toasts: Toasts) -> Self {
        let account = pick_account(session.as_ref(), remembered().as_deref(), &config.account);
        AppContext {
            config: StoredValue::new(config),
            session: RwSignal::new(session),
            toasts,
            account: RwSignal::new(account),
        }
    }

    /// The API client for the current session and account.
    pub fn api(&self) -> Api {
        let config = self.config.get_value();
        let toasts = self.toasts;
        Api {
            base: config.api_base,
            dialect: config.dialect,
            account: self.account.get_untracked(),
            csrf_token: self
                .session
                .get_untracked()
                .map(|s| s.csrf_token)
                .filter(|t| !t.is_empty()),
            on_rate_limit: Some(Callback::new(move |seconds: u32| {
                toasts.notice(format!(
                    "The server is rate-limiting this account: retrying in {seconds} s."
                ))
            })),
            batch: None,
        }
    }

    /// A new session (signed in): its account is picked before pages see it.
    pub fn start_session(&self, session: Session) {
        let configured = self.config.with_value(|c| c.account.clone());
        let account = pick_account(Some(&session), remembered().as_deref(), &configured);
        if self.account.get_untracked() != account {
            self.account.set(account);
        }
        self.session.set(Some(session));
    }

    /// Switches every page to `auth_id`, remembered for this tab.
    pub fn switch_account(&self, auth_id: String) {
        if let Some(storage) = window().session_storage().ok().flatten() {
            let _ = storage.set_item(ACCOUNT_KEY, &auth_id);
        }
        self.account.set(auth_id);
    }

    /// The signed-in operator's role (tracked); admin where the console
    /// has no sign-in.
    pub fn role(&self) -> Role {
        self.session
            .with(|s| s.as_ref().map(|s| s.role))
            .unwrap_or_default()
    }

    /// Whether the operator may change SIP resources: no write control is
    /// drawn for a viewer.
    pub fn can_write(&self) -> bool {
        self.role().may_write()
    }

    /// Whether the operator manages operators and API keys.
    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin
    }

    /// Whether the Operators and API keys pages are there: for an admin
    /// who signed in (without sign-in the server has no operators).
    pub fn manages_access(&self) -> bool {
        self.is_admin() && self.config.with_value(|c| c.sign_in)
    }

    /// Whether the API keys page is there: an admin's, when the server
    /// keeps the account's keys (not in proxy mode).
    pub fn manages_keys(&self) -> bool {
        self.manages_access() && self.config.with_value(|c| c.api_keys)
    }

    /// Whether the server shows what Kamailio sees (last seen,
    /// registrations, failures and bans): it needs an operator session.
    pub fn sip_insight(&self) -> bool {
        self.config.with_value(|c| c.sip_insight && c.sign_in)
    }

    /// The accounts the switcher offers (empty: no switcher).
    pub fn accounts(&self) -> Vec<AccountRef> {
        self.session
            .with(|s| s.as_ref().map(|s| s.accounts.clone()))
            .unwrap_or_default()
    }

    /// The SIP realm of the account in use, for display: the session's
    /// word for it, or config.json's for its own account. Untracked: a
    /// page is built afresh for another account.
    pub fn sip_realm(&self) -> Option<String> {
        let account = self.account.get_untracked();
        let listed = self.session.with_untracked(|s| {
            s.as_ref().and_then(|s| {
                s.accounts
                    .iter()
                    .find(|a| a.auth_id == account)
                    .map(|a| a.realm.clone())
            })
        });
        listed.filter(|r| !r.is_empty()).or_else(|| {
            self.config.with_value(|c| {
                (c.account == account)
                    .then(|| c.sip_realm.clone())
                    .flatten()
            })
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.config.with_value(|c| c.dialect)
    }

    /// What the configured dialect's pages show.
    pub fn profile(&self) -> &'static Profile {
        Profile::of(self.dialect())
    }

    /// Reports a failed request; an ended session goes back to sign-in.
    pub fn report(&self, error: &ApiError) {
        if *error == ApiError::Unauthorized {
            self.session.set(None);
        }
        self.toasts.error(error.to_string());
    }
}

/// Whether write controls are drawn here: not for a viewer (a part
/// mounted without the app, in a component test, draws them).
pub fn may_write() -> bool {
    use_context::<AppContext>().is_none_or(|ctx| ctx.can_write())
}

/// The account chosen earlier in this tab, if any.
fn remembered() -> Option<String> {
    window()
        .session_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(ACCOUNT_KEY).ok().flatten())
}

/// The account pages start on: the one chosen earlier in this tab, else
/// config.json's, when the operator may use it; else its first. A session
/// that lists none (no sign-in, an older server) uses config.json's.
pub fn pick_account(
    session: Option<&Session>,
    remembered: Option<&str>,
    configured: &str,
) -> String {
    let listed = session.map(|s| s.accounts.as_slice()).unwrap_or_default();
    let usable = |id: &str| listed.iter().any(|a| a.auth_id == id);
    match remembered.filter(|id| usable(id)) {
        Some(id) => id.to_string(),
        None if listed.is_empty() || usable(configured) => configured.to_string(),
        None => listed[0].auth_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn session(accounts: &[&str]) -> Session {
        Session {
            accounts: accounts
                .iter()
                .map(|id| AccountRef {
                    auth_id: id.to_string(),
                    realm: format!("{id}.sip.example"),
                })
                .collect(),
            ..Session::default()
        }
    }

    #[test]
    fn the_account_is_the_remembered_one_then_the_configured_one_then_the_first() {
        let two = session(&["MA1", "MA2"]);
        assert_eq!(pick_account(Some(&two), Some("MA2"), "MA1"), "MA2");
        assert_eq!(pick_account(Some(&two), None, "MA1"), "MA1");
        // Remembered from another operator's session, out of this one's scope.
        assert_eq!(pick_account(Some(&two), Some("MA9"), "MA2"), "MA2");
        let scoped = session(&["MA2"]);
        assert_eq!(pick_account(Some(&scoped), None, "MA1"), "MA2");
        // No list: what config.json names.
        assert_eq!(pick_account(Some(&session(&[])), Some("MA2"), "MA1"), "MA1");
        assert_eq!(pick_account(None, None, "MA1"), "MA1");
    }
}
