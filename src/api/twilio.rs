//! The twilio dialect's own resources: credential lists, domains and the
//! domain mappings. Requests are form-urlencoded, paths end in `.json`.

use super::{Acl, Api, ApiError, Entry};
use gloo_net::http::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Twilio's largest page: one request covers every quota-bounded list.
const PAGE_SIZE: &str = "1000";

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CredentialList {
    pub sid: String,
    pub friendly_name: String,
    /// RFC 2822, as Twilio sends them.
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Domain {
    pub sid: String,
    pub domain_name: String,
    #[serde(default)]
    pub friendly_name: String,
    /// The address calls and registrations are sent to.
    #[serde(default)]
    pub sip_uri: Option<String>,
    /// Whether registrations are taken at all.
    #[serde(default)]
    pub sip_registration: bool,
    /// Where the provider asks what to do with a call; may be empty.
    #[serde(default)]
    pub voice_url: String,
    /// RFC 2822, as Twilio sends them.
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
}

/// What a domain maps: credential lists or IP ACLs, for calls or for
/// registrations (Twilio has no IP ACLs for registrations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappingKind {
    CallsCredentialLists,
    CallsIpAcls,
    RegistrationsCredentialLists,
}

impl MappingKind {
    pub const ALL: [MappingKind; 3] = [
        MappingKind::CallsCredentialLists,
        MappingKind::CallsIpAcls,
        MappingKind::RegistrationsCredentialLists,
    ];

    fn path(self) -> &'static str {
        match self {
            MappingKind::CallsCredentialLists => "Auth/Calls/CredentialListMappings",
            MappingKind::CallsIpAcls => "Auth/Calls/IpAccessControlListMappings",
            MappingKind::RegistrationsCredentialLists => {
                "Auth/Registrations/CredentialListMappings"
            }
        }
    }

    fn param(self) -> &'static str {
        match self {
            MappingKind::CallsIpAcls => "IpAccessControlListSid",
            _ => "CredentialListSid",
        }
    }

    /// In words, for headings and where-used.
    pub fn label(self) -> &'static str {
        match self {
            MappingKind::CallsCredentialLists => "Credential lists for calls",
            MappingKind::CallsIpAcls => "IP access control lists for calls",
            MappingKind::RegistrationsCredentialLists => "Credential lists for registrations",
        }
    }

    /// The same, within a sentence.
    pub fn phrase(self) -> &'static str {
        match self {
            MappingKind::CallsCredentialLists => "credential lists for calls",
            MappingKind::CallsIpAcls => "IP access control lists for calls",
            MappingKind::RegistrationsCredentialLists => "credential lists for registrations",
        }
    }

    pub fn maps_acls(self) -> bool {
        self == MappingKind::CallsIpAcls
    }
}

/// A mapping: the mapped list's SID and name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Mapping {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: String,
}

/// One domain's mappings of every kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainMappings {
    pub domain: Option<Domain>,
    pub calls_credential_lists: Vec<Mapping>,
    pub calls_ip_acls: Vec<Mapping>,
    pub registrations_credential_lists: Vec<Mapping>,
}

impl DomainMappings {
    pub fn of(&self, kind: MappingKind) -> &[Mapping] {
        match kind {
            MappingKind::CallsCredentialLists => &self.calls_credential_lists,
            MappingKind::CallsIpAcls => &self.calls_ip_acls,
            MappingKind::RegistrationsCredentialLists => &self.registrations_credential_lists,
        }
    }

    fn of_mut(&mut self, kind: MappingKind) -> &mut Vec<Mapping> {
        match kind {
            MappingKind::CallsCredentialLists => &mut self.calls_credential_lists,
            MappingKind::CallsIpAcls => &mut self.calls_ip_acls,
            MappingKind::RegistrationsCredentialLists => &mut self.registrations_credential_lists,
        }
    }
}

/// A twilio resource by SID and name (an IP access control list).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Named {
    pub sid: String,
    pub friendly_name: String,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
}

#[derive(Deserialize)]
struct IpAddress {
    sid: String,
    ip_address: String,
    cidr_prefix_length: u8,
    #[serde(default)]
    friendly_name: String,
}

/// A page of any twilio list: the items are under the resource's name.
#[derive(Deserialize)]
struct TwilioPage<T> {
    #[serde(
        alias = "credential_lists",
        alias = "credentials",
        alias = "ip_access_control_lists",
        alias = "ip_addresses",
        alias = "domains"
    )]
    contents: Vec<T>,
}

impl Api {
    /// `/2010-04-01/Accounts/{AccountSid}/SIP/{rest}` (without `.json`).
    pub(super) fn twilio_url(&self, rest: &str) -> String {
        self.url(&format!("/2010-04-01/Accounts/{}/SIP/{rest}", self.account))
    }

    /// Every item of a twilio list, following `next_page_uri`.
    pub(super) async fn twilio_all<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        for text in self.twilio_pages(url).await? {
            out.extend(super::parse::<TwilioPage<T>>(&text)?.contents);
        }
        Ok(out)
    }

    /// The bodies of a twilio list's pages (not generic: in the wasm once).
    async fn twilio_pages(&self, url: &str) -> Result<Vec<String>, ApiError> {
        /// What paging needs of a page, the rest skipped over unparsed.
        #[derive(Deserialize)]
        struct Next {
            next_page_uri: Option<String>,
        }
        let query = [("PageSize", PAGE_SIZE.to_string())];
        let mut pages = vec![self.text(Method::GET, url, &query, None).await?];
        loop {
            let next: Next = super::parse(pages.last().expect("one page at least"))?;
            match next.next_page_uri.filter(|u| !u.is_empty()) {
                Some(next) => {
                    pages.push(self.text(Method::GET, &self.url(&next), &[], None).await?)
                }
                None => return Ok(pages),
            }
        }
    }

    /// An IP access control list with its addresses, as the ACL pages use it.
    pub(super) async fn twilio_acl(&self, list: Named) -> Result<Acl, ApiError> {
        let addresses: Vec<IpAddress> = self
            .twilio_all(&self.twilio_url(&format!(
                "IpAccessControlLists/{}/IpAddresses.json",
                list.sid
            )))
            .await?;
        Ok(Acl {
            ip_acl_uuid: list.sid,
            name: list.friendly_name,
            date_created: list.date_created,
            date_updated: list.date_updated,
            entries: addresses
                .into_iter()
                .map(|a| Entry {
                    entry_id: a.sid,
                    ip: a.ip_address,
                    cidr_prefix: a.cidr_prefix_length,
                    description: a.friendly_name,
                })
                .collect(),
        })
    }

    // Credential lists

    pub async fn all_credential_lists(&self) -> Result<Vec<CredentialList>, ApiError> {
        self.twilio_all(&self.twilio_url("CredentialLists.json"))
            .await
    }

    pub async fn get_credential_list(&self, sid: &str) -> Result<CredentialList, ApiError> {
        self.get(
            &self.twilio_url(&format!("CredentialLists/{sid}.json")),
            &[],
        )
        .await
    }

    pub async fn create_credential_list(&self, name: &str) -> Result<CredentialList, ApiError> {
        self.post_form(
            &self.twilio_url("CredentialLists.json"),
            &[("FriendlyName", name.to_string())],
        )
        .await
    }

    pub async fn rename_credential_list(&self, sid: &str, name: &str) -> Result<(), ApiError> {
        self.post_form::<serde_json::Value>(
            &self.twilio_url(&format!("CredentialLists/{sid}.json")),
            &[("FriendlyName", name.to_string())],
        )
        .await
        .map(drop)
    }

    pub async fn delete_credential_list(&self, sid: &str) -> Result<(), ApiError> {
        self.delete(&self.twilio_url(&format!("CredentialLists/{sid}.json")))
            .await
    }

    // Domains

    pub async fn all_domains(&self) -> Result<Vec<Domain>, ApiError> {
        self.twilio_all(&self.twilio_url("Domains.json")).await
    }

    pub async fn create_domain(
        &self,
        domain_name: &str,
        friendly_name: &str,
        sip_registration: bool,
    ) -> Result<Domain, ApiError> {
        let mut fields = vec![
            ("DomainName", domain_name.to_string()),
            ("SipRegistration", sip_registration.to_string()),
        ];
        if !friendly_name.trim().is_empty() {
            fields.push(("FriendlyName", friendly_name.to_string()));
        }
        self.post_form(&self.twilio_url("Domains.json"), &fields)
            .await
    }

    /// Turns registrations at the domain on or off (its mappings stay).
    pub async fn set_sip_registration(&self, sid: &str, on: bool) -> Result<Domain, ApiError> {
        self.post_form(
            &self.twilio_url(&format!("Domains/{sid}.json")),
            &[("SipRegistration", on.to_string())],
        )
        .await
    }

    /// Changes a domain's friendly name, voice URL and registrations.
    pub async fn update_domain(
        &self,
        sid: &str,
        friendly_name: &str,
        voice_url: &str,
        sip_registration: bool,
    ) -> Result<Domain, ApiError> {
        self.post_form(
            &self.twilio_url(&format!("Domains/{sid}.json")),
            &[
                ("FriendlyName", friendly_name.to_string()),
                ("VoiceUrl", voice_url.to_string()),
                ("SipRegistration", sip_registration.to_string()),
            ],
        )
        .await
    }

    pub async fn delete_domain(&self, sid: &str) -> Result<(), ApiError> {
        self.delete(&self.twilio_url(&format!("Domains/{sid}.json")))
            .await
    }

    pub async fn mappings(
        &self,
        domain: &str,
        kind: MappingKind,
    ) -> Result<Vec<Mapping>, ApiError> {
        self.twilio_all(&self.twilio_url(&format!("Domains/{domain}/{}.json", kind.path())))
            .await
    }

    /// Every domain with all its mappings: the mapping views and where-used.
    pub async fn all_domain_mappings(&self) -> Result<Vec<DomainMappings>, ApiError> {
        let domains = self.all_domains().await?;
        let each = domains.into_iter().map(|d| async move {
            let mut out = DomainMappings::default();
            for kind in MappingKind::ALL {
                *out.of_mut(kind) = self.mappings(&d.sid, kind).await?;
            }
            out.domain = Some(d);
            Ok::<_, ApiError>(out)
        });
        super::at_once(each).await
    }

    pub async fn map(&self, domain: &str, kind: MappingKind, sid: &str) -> Result<(), ApiError> {
        self.post_form::<serde_json::Value>(
            &self.twilio_url(&format!("Domains/{domain}/{}.json", kind.path())),
            &[(kind.param(), sid.to_string())],
        )
        .await
        .map(drop)
    }

    pub async fn unmap(&self, domain: &str, kind: MappingKind, sid: &str) -> Result<(), ApiError> {
        self.delete(&self.twilio_url(&format!("Domains/{domain}/{}/{sid}.json", kind.path())))
            .await
    }
}
