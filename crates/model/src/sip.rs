//! SIP names: which realm and domain names an account may use, and the SIP
//! address of each entry point (what a device or PBX is configured with).
//!
//! Every SIP name of an account lives under its realm, `<auth_id>.<sip
//! domain>`: a credential's realm is that realm, and a Twilio domain name is
//! `<name>.<realm>`. Auth ids have no dots, so one account's names can never
//! be another's, and a conflict can only be with the caller's own names.

use crate::{FieldError, Realm};

/// The rule a credential's `realm` follows.
pub const OWN_REALM_RULE: &str = "the account's own realm";

/// The rule a Twilio `DomainName` follows.
pub const DOMAIN_NAME_RULE: &str =
    "a name under the account's realm (<name>.<realm>): letters, digits, '.' or '-'";

/// A credential's realm as asked for: it must be the account's own.
pub fn own_realm(value: &str, account_realm: &str) -> Result<Realm, FieldError> {
    let realm = Realm::parse(value)?;
    if realm.as_str() != account_realm {
        return Err(FieldError::new(
            Realm::FIELD,
            OWN_REALM_RULE,
            format!("{value:?} is not this account's realm ({account_realm})"),
        ));
    }
    Ok(realm)
}

/// A Twilio domain name: a name under the account's realm.
pub fn domain_name(value: &str, account_realm: &str) -> Result<Realm, FieldError> {
    let name = Realm::parse(value).map_err(|e| e.renamed("DomainName"))?;
    let under = name
        .as_str()
        .strip_suffix(account_realm)
        .and_then(|prefix| prefix.strip_suffix('.'))
        .is_some_and(|label| !label.is_empty());
    if !under {
        return Err(FieldError::new(
            "DomainName",
            DOMAIN_NAME_RULE,
            format!("{value:?} does not end with .{account_realm}"),
        ));
    }
    Ok(name)
}

/// A plivo application's address: calls to it are decided by its
/// `sip_auth_type` alone.
pub fn application_address(app_id: &str, realm: &str) -> String {
    format!("sip:{app_id}@{realm}")
}

/// An outbound Zentrunk trunk's address: the PBX sends its calls there,
/// authenticated as the trunk's credential (and from its ACL, if set).
pub fn trunk_address(trunk_id: &str, realm: &str) -> String {
    format!("sip:{trunk_id}@{realm}")
}

/// A Twilio domain's address: any user at the domain name.
pub fn domain_address(domain_name: &str) -> String {
    format!("sip:{domain_name}")
}

/// Where an account-wide (vobiz) credential registers: its AoR at the
/// account's realm.
pub fn account_address(username: &str, realm: &str) -> String {
    format!("sip:{username}@{realm}")
}

/// What a plivo application's calls must present (`sip_auth_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SipAuthType {
    /// `""`: not authenticated by SIP auth; calls from any address.
    None,
    Credential,
    IpAcl,
    CredentialAndIpAcl,
}

impl SipAuthType {
    pub const FIELD: &'static str = "sip_auth_type";
    pub const RULE: &'static str = "\"\", \"credential\", \"ip_acl\" or \"credential_and_ip_acl\"";
    pub const ALL: [Self; 4] = [
        Self::None,
        Self::Credential,
        Self::IpAcl,
        Self::CredentialAndIpAcl,
    ];

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| {
                FieldError::new(
                    Self::FIELD,
                    Self::RULE,
                    format!("{value:?} is not one of them"),
                )
            })
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Credential => "credential",
            Self::IpAcl => "ip_acl",
            Self::CredentialAndIpAcl => "credential_and_ip_acl",
        }
    }

    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Credential => "Credential",
            Self::IpAcl => "IP ACL",
            Self::CredentialAndIpAcl => "Credential and IP ACL",
        }
    }

    pub fn needs_credential(self) -> bool {
        matches!(self, Self::Credential | Self::CredentialAndIpAcl)
    }

    pub fn needs_acl(self) -> bool {
        matches!(self, Self::IpAcl | Self::CredentialAndIpAcl)
    }

    /// What is left when the credential (or the ACL) is taken away: the
    /// other half, or nothing.
    pub fn without(self, credential: bool) -> Self {
        match (self, credential) {
            (Self::CredentialAndIpAcl, true) => Self::IpAcl,
            (Self::CredentialAndIpAcl, false) => Self::Credential,
            _ => Self::None,
        }
    }
}

/// A Zentrunk trunk's direction: outbound trunks take calls from the PBX
/// (and have a SIP address); inbound ones deliver calls to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrunkDirection {
    Outbound,
    Inbound,
}

impl TrunkDirection {
    pub const FIELD: &'static str = "trunk_direction";
    pub const RULE: &'static str = "inbound or outbound";
    pub const ALL: [Self; 2] = [Self::Outbound, Self::Inbound];

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == value)
            .ok_or_else(|| {
                FieldError::new(Self::FIELD, Self::RULE, format!("{value:?} is neither"))
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outbound => "outbound",
            Self::Inbound => "inbound",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Outbound => "Outbound",
            Self::Inbound => "Inbound",
        }
    }

    /// Whether the PBX sends calls to it (so it has a SIP address).
    pub fn takes_calls(self) -> bool {
        self == Self::Outbound
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const REALM: &str = "ma123.sip.example.com";

    #[test]
    fn a_credential_realm_must_be_the_accounts_own() {
        assert_eq!(
            own_realm("MA123.sip.example.com", REALM).unwrap().as_str(),
            REALM
        );
        let e = own_realm("mb456.sip.example.com", REALM).unwrap_err();
        assert_eq!(e.field, "realm");
        assert!(e.problem.contains("not this account's realm"), "{e}");
        assert!(own_realm("bad realm", REALM).is_err());
    }

    #[test]
    fn a_domain_name_lives_under_the_realm() {
        assert_eq!(
            domain_name("Acme.ma123.sip.example.com", REALM)
                .unwrap()
                .as_str(),
            "acme.ma123.sip.example.com"
        );
        assert!(domain_name("a.b.ma123.sip.example.com", REALM).is_ok());
        for bad in [
            REALM,                          // the realm itself
            "acme.mb456.sip.example.com",   // another account's
            "acme.sip.example.com",         // not under any realm
            "xma123.sip.example.com",       // a suffix, not a label
            "acme.ma123.sip.example.com.x", // past the realm
        ] {
            let e = domain_name(bad, REALM).unwrap_err();
            assert_eq!(e.field, "DomainName", "{bad}");
        }
        assert_eq!(domain_name("a b", REALM).unwrap_err().field, "DomainName");
    }

    #[test]
    fn addresses() {
        assert_eq!(
            application_address("12345", REALM),
            "sip:12345@ma123.sip.example.com"
        );
        assert_eq!(trunk_address("t-1", REALM), "sip:t-1@ma123.sip.example.com");
        assert_eq!(domain_address("acme.x"), "sip:acme.x");
        assert_eq!(
            account_address("1001", REALM),
            "sip:1001@ma123.sip.example.com"
        );
    }

    #[test]
    fn sip_auth_types_round_trip_and_say_what_they_need() {
        for t in SipAuthType::ALL {
            assert_eq!(SipAuthType::parse(t.as_str()), Ok(t));
        }
        let both = SipAuthType::CredentialAndIpAcl;
        assert!(both.needs_credential() && both.needs_acl());
        assert!(!SipAuthType::None.needs_credential() && !SipAuthType::None.needs_acl());
        assert_eq!(both.without(true), SipAuthType::IpAcl);
        assert_eq!(both.without(false), SipAuthType::Credential);
        assert_eq!(SipAuthType::Credential.without(true), SipAuthType::None);
        let e = SipAuthType::parse("digest").unwrap_err();
        assert_eq!(e.field, "sip_auth_type");
        assert!(
            e.to_string().contains("\"digest\" is not one of them"),
            "{e}"
        );
    }

    #[test]
    fn trunk_directions() {
        assert_eq!(
            TrunkDirection::parse("outbound"),
            Ok(TrunkDirection::Outbound)
        );
        assert!(TrunkDirection::Outbound.takes_calls());
        assert!(!TrunkDirection::Inbound.takes_calls());
        assert_eq!(
            TrunkDirection::parse("both").unwrap_err().field,
            "trunk_direction"
        );
    }
}
