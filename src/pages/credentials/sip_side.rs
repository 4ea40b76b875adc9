//! What the SIP side saw of the credentials (with `config.sip_insight`):
//! loaded beside the list and again with it (by the page's tools, which
//! come after the list), the "Last seen" order, the
//! note when a Kamailio node did not answer, and what the registrations
//! dialog (one of the page's tools) shows.

use super::Listing;
use crate::api::{Credential, SipCredential, SipCredentials};
use crate::components::{load_beside_into, RegistrationsOf};
use crate::context::AppContext;
use leptos::prelude::*;
use std::cmp::Ordering;

#[derive(Clone, Copy)]
pub(super) struct SipSide {
    /// None until loaded, and always without SIP insight.
    data: RwSignal<Option<SipCredentials>>,
    /// The registrations dialog: open, and whose.
    pub open: RwSignal<bool>,
    pub of: RwSignal<RegistrationsOf>,
}

impl SipSide {
    /// Nothing seen yet: `load` fills it in.
    pub fn new() -> Self {
        SipSide {
            data: RwSignal::new(None),
            open: RwSignal::new(false),
            of: RwSignal::new(RegistrationsOf::default()),
        }
    }

    /// Loads what the SIP side saw, again whenever the list reloads (only
    /// with SIP insight).
    pub fn load(&self, ctx: AppContext, listing: Listing<Credential>) {
        if !ctx.sip_insight() {
            return;
        }
        let fetch = |api: crate::api::Api| async move { api.sip_credentials().await.map(Some) };
        load_beside_into(ctx, listing.reloads(), fetch, self.data);
    }

    /// What the SIP side saw of a credential and the days after which it
    /// is stale (tracked); `None` until loaded.
    pub fn of(&self, id: &str) -> Option<(SipCredential, u32)> {
        self.data.with(|s| {
            let s = s.as_ref()?;
            // One made after the answer: never used so far.
            let seen = s.of(id).cloned().unwrap_or_default();
            Some((seen, s.stale_days))
        })
    }

    /// The "Last seen" order (tracked).
    pub fn order(&self, a: &Credential, b: &Credential) -> Ordering {
        self.data.with(|s| last_seen_order(s.as_ref(), a, b))
    }

    /// Opens the registrations of `credential`.
    pub fn show_registrations(&self, credential: &Credential) {
        self.of.set(RegistrationsOf {
            username: credential.username.clone(),
            credential_id: credential.credential_uuid.clone(),
        });
        self.open.set(true);
    }

    /// A Kamailio node that did not answer: its registrations are not
    /// counted (tracked).
    pub fn unreachable(&self) -> Option<String> {
        self.data.with(|s| {
            s.as_ref()
                .map(|s| s.unreachable.join(", "))
                .filter(|n| !n.is_empty())
        })
    }
}

/// The note above the list.
#[component]
pub(super) fn SipNote(sip: SipSide) -> impl IntoView {
    move || {
        sip.unreachable().map(|nodes| view! {
            <p class="admits warning" role="note">
                {format!("The SIP server {nodes} did not answer: registrations there are not counted.")}
            </p>
        })
    }
}

/// Oldest last authentication first, never used before all.
fn last_seen_order(sip: Option<&SipCredentials>, a: &Credential, b: &Credential) -> Ordering {
    let at = |c: &Credential| {
        sip.and_then(|s| s.of(&c.credential_uuid))
            .and_then(|s| s.last_seen.as_ref())
            .map(|seen| seen.at.as_str())
    };
    at(a).cmp(&at(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::LastSeen;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn last_seen_sorts_never_used_first_then_oldest() {
        let seen = |id: &str, at: Option<&str>| SipCredential {
            id: id.into(),
            last_seen: at.map(|at| LastSeen {
                at: at.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let sip = SipCredentials {
            credentials: vec![
                seen("id-old", Some("2026-01-01T00:00:00Z")),
                seen("id-new", Some("2026-12-01T00:00:00Z")),
                seen("id-never", None),
            ],
            stale_days: 90,
            unreachable: vec![],
        };
        let credential = |name: &str| Credential {
            credential_uuid: format!("id-{name}"),
            username: name.into(),
            ..Default::default()
        };
        let mut list = [credential("new"), credential("never"), credential("old")];
        list.sort_by(|a, b| last_seen_order(Some(&sip), a, b));
        let names: Vec<_> = list.iter().map(|c| c.username.as_str()).collect();
        assert_eq!(names, ["never", "old", "new"]);
    }
}
