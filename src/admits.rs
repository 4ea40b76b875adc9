//! What each entry point admits, in the words shown beside its settings.
//! The SIP server decides by the same settings (deploy/kamailio), so these
//! sentences follow its rules: an application by its `sip_auth_type` alone,
//! an outbound trunk by its credential and ACL, a Twilio domain by what is
//! mapped for calls and for registrations.

use crate::api::{Acl, Credential};
use sipauth_model::sip::{SipAuthType, TrunkDirection};

/// A sentence about an entry point, and whether it warns: open to anyone,
/// or refusing every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admits {
    pub text: String,
    pub warning: bool,
}

impl Admits {
    fn rule(text: String) -> Self {
        Self {
            text,
            warning: false,
        }
    }

    fn warning(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            warning: true,
        }
    }
}

/// Names joined the way a person says them: "A", "A or B", "A, B or C".
fn any_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The username and ACL name a form has picked by id, for its sentence;
/// `None` while nothing (or nothing known) is picked.
pub fn picked(
    credentials: &[Credential],
    acls: &[Acl],
    credential_id: &str,
    acl_id: &str,
) -> (Option<String>, Option<String>) {
    (
        credentials
            .iter()
            .find(|c| c.credential_uuid == credential_id)
            .map(|c| c.username.clone()),
        acls.iter()
            .find(|a| a.ip_acl_uuid == acl_id)
            .map(|a| a.name.clone()),
    )
}

/// A plivo application: `credential` and `acl` are names, `None` while
/// the form has none picked.
pub fn application(kind: &str, credential: Option<&str>, acl: Option<&str>) -> Admits {
    let credential = credential.unwrap_or("the credential you pick");
    let acl = acl.unwrap_or("the IP ACL you pick");
    match SipAuthType::parse(kind).unwrap_or(SipAuthType::None) {
        SipAuthType::Credential => Admits::rule(format!(
            "Calls to this address must authenticate as {credential}."
        )),
        SipAuthType::IpAcl => Admits::rule(format!(
            "Calls to this address must come from an address in {acl}."
        )),
        // The source is checked first, then the digest.
        SipAuthType::CredentialAndIpAcl => Admits::rule(format!(
            "Calls to this address must come from an address in {acl} and authenticate as {credential} (both)."
        )),
        SipAuthType::None => Admits::warning(
            "No SIP authentication: this application accepts calls from any address.",
        ),
    }
}

/// A zentrunk trunk. `credential` is `None` when it was deleted (outbound)
/// or not picked yet (`picking`, in the form).
pub fn trunk(
    direction: &str,
    credential: Option<&str>,
    acl: Option<&str>,
    picking: bool,
) -> Admits {
    if TrunkDirection::parse(direction).is_ok_and(|d| !d.takes_calls()) {
        return Admits::rule("Inbound: takes no calls from the PBX.".into());
    }
    let credential = match (credential, picking) {
        (Some(c), _) => c,
        (None, true) => "the credential you pick",
        (None, false) => {
            return Admits::warning("Calls fail authentication: its credential was deleted.")
        }
    };
    Admits::rule(match acl {
        Some(acl) => {
            format!("Calls must authenticate as {credential} and come from an address in {acl}.")
        }
        None => format!("Calls must authenticate as {credential}."),
    })
}

/// What a Twilio domain's INVITEs need: the credential lists and IP ACLs
/// mapped for calls (both kinds when both are mapped).
pub fn domain_calls(lists: &[&str], acls: &[&str]) -> Admits {
    match (lists.is_empty(), acls.is_empty()) {
        (true, true) => Admits::warning("Calls are refused: nothing is mapped for calls."),
        (false, true) => Admits::rule(format!(
            "Calls must authenticate as a user in {}.",
            any_of(lists)
        )),
        (true, false) => Admits::rule(format!(
            "Calls must come from an address in {}.",
            any_of(acls)
        )),
        (false, false) => Admits::rule(format!(
            "Calls must come from an address in {} and authenticate as a user in {} (both required).",
            any_of(acls),
            any_of(lists)
        )),
    }
}

/// What a Twilio domain's REGISTERs need: `SipRegistration` on, and a user
/// of a list mapped for registrations, registering its own address.
pub fn domain_registrations(allowed: bool, lists: &[&str], domain: &str) -> Admits {
    match (allowed, lists.is_empty()) {
        (false, true) => Admits::rule("Registrations are off.".into()),
        (false, false) => Admits::rule(format!(
            "Registrations are off: {} is mapped but not used until registrations are allowed.",
            any_of(lists)
        )),
        (true, true) => Admits::warning(
            "Registrations are refused: no credential list is mapped for registrations.",
        ),
        (true, false) => Admits::rule(format!(
            "Devices register as a user in {}, each only as its own address (user@{domain}).",
            any_of(lists)
        )),
    }
}
