//! What every page may use: the configuration, the session, the toasts,
//! and from them the API client and the dialect's profile. Apart from the
//! shell in `app` so that pages do not depend on the module that routes them.

use crate::api::{Api, ApiError, Config, Session};
use crate::components::Toasts;
use crate::profile::Profile;
use leptos::prelude::*;
use sipauth_model::Dialect;

#[derive(Debug, Clone, Copy)]
pub struct AppContext {
    pub config: StoredValue<Config>,
    pub session: RwSignal<Option<Session>>,
    pub toasts: Toasts,
}

impl AppContext {
    /// The API client for the current session.
    pub fn api(&self) -> Api {
        let config = self.config.get_value();
        let toasts = self.toasts;
        Api {
            base: config.api_base,
            dialect: config.dialect,
            account: config.account,
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
