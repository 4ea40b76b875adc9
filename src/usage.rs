//! Where credentials, credential lists and IP ACLs are used, in the
//! configured dialect's terms: plivo applications (unassigned before a
//! delete), zentrunk trunks and twilio domains (which a delete would break
//! or strip, so the dialog names them first).

use crate::api::{Api, ApiError, Application, DomainMappings, MappingKind, Trunk};
use crate::context::AppContext;
/// Pages name it from here; it is part of the dialect's profile.
pub use crate::profile::Breaks;
use crate::profile::{Profile, Users};
use crate::signals::effect;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub apps: Vec<Application>,
    pub trunks: Vec<Trunk>,
    pub domains: Vec<DomainMappings>,
}

impl Usage {
    /// What uses what, loaded again whenever a signal `reloads` reads
    /// changes (none until the first answer). A failed reload keeps the
    /// last answer: a delete must still name what it unassigns.
    pub fn watch(ctx: AppContext, reloads: impl Fn() + 'static) -> RwSignal<Option<Usage>> {
        let usage = RwSignal::new(None);
        Self::watching(ctx, Box::new(reloads), usage);
        usage
    }

    /// `watch` into a signal the page already has (the credentials page's
    /// list reads it before its tools, which load it, arrive).
    pub fn watch_into(
        ctx: AppContext,
        reloads: impl Fn() + 'static,
        usage: RwSignal<Option<Usage>>,
    ) {
        Self::watching(ctx, Box::new(reloads), usage);
    }

    /// `watch`, not generic: one copy of its code for every page. Only the
    /// latest load's answer is kept: an older one that arrives late would
    /// name users that have since changed.
    fn watching(ctx: AppContext, reloads: Box<dyn Fn()>, usage: RwSignal<Option<Usage>>) {
        let latest = StoredValue::new(0u64);
        effect(move || {
            reloads();
            let api = ctx.api();
            let this = latest.get_value() + 1;
            latest.set_value(this);
            spawn_local(async move {
                let answer = Usage::load(&api).await;
                let current = latest.try_get_value() == Some(this);
                if let (Ok(now), true) = (answer, current) {
                    usage.set(Some(now));
                }
            });
        });
    }

    pub async fn load(api: &Api) -> Result<Self, ApiError> {
        Ok(match Profile::of(api.dialect).users {
            Users::Applications => Usage {
                apps: api.all_applications().await?,
                ..Usage::default()
            },
            Users::Trunks => Usage {
                trunks: api.all_trunks().await?,
                ..Usage::default()
            },
            Users::Domains => Usage {
                domains: api.all_domain_mappings().await?,
                ..Usage::default()
            },
            Users::Nothing => Usage::default(),
        })
    }

    /// The applications using a credential (plivo), unassigned before a delete.
    pub fn apps_using_credential(&self, credential: &str) -> Vec<Application> {
        self.apps
            .iter()
            .filter(|a| a.credential_uuid.as_deref() == Some(credential))
            .cloned()
            .collect()
    }

    /// The trunks a delete of this credential would leave without one.
    pub fn credential_breaks(&self, credential: &str) -> Vec<String> {
        self.trunks
            .iter()
            .filter(|t| t.credential_uuid.as_deref() == Some(credential))
            .map(|t| t.name.clone())
            .collect()
    }

    /// The applications using an IP ACL (plivo), unassigned before a delete.
    pub fn apps_using_acl(&self, acl: &str) -> Vec<Application> {
        self.apps
            .iter()
            .filter(|a| a.ip_acl_uuid.as_deref() == Some(acl))
            .cloned()
            .collect()
    }

    /// The trunks or domains a delete of this IP ACL would change.
    pub fn acl_breaks(&self, acl: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .trunks
            .iter()
            .filter(|t| t.ip_acl_uuid.as_deref() == Some(acl))
            .map(|t| t.name.clone())
            .collect();
        names.extend(self.domains_mapping(acl, true));
        names
    }

    /// Every user of an IP ACL, by name.
    pub fn acl_users(&self, acl: &str) -> Vec<String> {
        named(self.apps_using_acl(acl), self.acl_breaks(acl))
    }

    /// Every user of a credential, by name.
    pub fn credential_users(&self, credential: &str) -> Vec<String> {
        named(
            self.apps_using_credential(credential),
            self.credential_breaks(credential),
        )
    }

    /// The domains mapping a credential list, saying for what.
    pub fn credential_list_users(&self, list: &str) -> Vec<String> {
        self.domains_mapping(list, false)
    }

    /// Domain names that map `sid` (with "calls" / "registrations" when a
    /// credential list).
    fn domains_mapping(&self, sid: &str, acls: bool) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.domains {
            let name = d
                .domain
                .as_ref()
                .map(|d| d.domain_name.clone())
                .unwrap_or_default();
            let uses: Vec<&str> = MappingKind::ALL
                .into_iter()
                .filter(|k| k.maps_acls() == acls)
                .filter(|k| d.of(*k).iter().any(|m| m.sid == sid))
                .map(|k| match k {
                    MappingKind::RegistrationsCredentialLists => "registrations",
                    _ => "calls",
                })
                .collect();
            if uses.is_empty() {
                continue;
            }
            out.push(if acls {
                name
            } else {
                format!("{name} ({})", uses.join(" and "))
            });
        }
        out
    }
}

/// The applications' names, then the others'.
fn named(apps: Vec<Application>, others: Vec<String>) -> Vec<String> {
    apps.into_iter().map(|a| a.app_name).chain(others).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Domain, Mapping};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Users as the API lists them.
    fn listed<T: serde::de::DeserializeOwned>(rows: serde_json::Value) -> Vec<T> {
        serde_json::from_value(rows).unwrap()
    }

    fn mapping(sid: &str) -> Mapping {
        Mapping {
            sid: sid.to_string(),
            friendly_name: String::new(),
        }
    }

    fn domain(name: &str) -> DomainMappings {
        DomainMappings {
            domain: Some(Domain {
                sid: format!("SD-{name}"),
                domain_name: name.to_string(),
                friendly_name: String::new(),
                sip_uri: None,
                sip_registration: true,
                voice_url: String::new(),
                date_created: None,
                date_updated: None,
            }),
            ..DomainMappings::default()
        }
    }

    #[test]
    fn a_plivo_delete_unassigns_the_applications_and_breaks_nothing() {
        let usage = Usage {
            apps: listed(serde_json::json!([
                {"app_id": "A1", "app_name": "Desk", "credential_uuid": "CR1", "ip_acl_uuid": "ACL1"},
                {"app_id": "A2", "app_name": "Lobby", "credential_uuid": "CR2", "ip_acl_uuid": null},
            ])),
            ..Usage::default()
        };
        let names =
            |apps: Vec<Application>| apps.into_iter().map(|a| a.app_name).collect::<Vec<_>>();
        assert_eq!(names(usage.apps_using_credential("CR1")), ["Desk"]);
        assert_eq!(names(usage.apps_using_acl("ACL1")), ["Desk"]);
        assert!(usage.credential_breaks("CR1").is_empty());
        assert!(usage.acl_breaks("ACL1").is_empty());
        assert_eq!(usage.credential_users("CR2"), ["Lobby"]);
        assert_eq!(usage.acl_users("ACL1"), ["Desk"]);
    }

    #[test]
    fn a_zentrunk_delete_names_the_trunks_it_leaves_without_one() {
        let usage = Usage {
            trunks: listed(serde_json::json!([
                {"trunk_id": "T1", "name": "Head office", "trunk_direction": "outbound",
                 "credential_uuid": "CR1", "ip_acl_uuid": "ACL1"},
                {"trunk_id": "T2", "name": "Branch", "trunk_direction": "inbound",
                 "credential_uuid": "CR1", "ip_acl_uuid": null},
            ])),
            ..Usage::default()
        };
        assert_eq!(usage.credential_breaks("CR1"), ["Head office", "Branch"]);
        assert_eq!(usage.acl_breaks("ACL1"), ["Head office"]);
        assert!(usage.credential_breaks("CR2").is_empty());
        assert!(usage.apps_using_credential("CR1").is_empty());
        assert_eq!(usage.credential_users("CR1"), ["Head office", "Branch"]);
    }

    #[test]
    fn a_twilio_delete_names_the_domains_mapping_it_and_for_what() {
        let mut both = domain("acme.sip");
        both.calls_credential_lists.push(mapping("CL1"));
        both.registrations_credential_lists.push(mapping("CL1"));
        both.calls_ip_acls.push(mapping("AL1"));
        let mut calls = domain("beta.sip");
        calls.calls_credential_lists.push(mapping("CL1"));
        let usage = Usage {
            domains: vec![both, calls, domain("idle.sip")],
            ..Usage::default()
        };
        assert_eq!(
            usage.credential_list_users("CL1"),
            ["acme.sip (calls and registrations)", "beta.sip (calls)"]
        );
        // An ACL's domains are named without "for what": only calls map ACLs.
        assert_eq!(usage.acl_breaks("AL1"), ["acme.sip"]);
        assert!(usage.credential_list_users("AL1").is_empty());
    }
}
