//! What each dialect looks like to the operator, as data: which pages it
//! has and in what order the navigation lists them, the credential's label
//! field, the list's columns, the words pages use and what a delete breaks.
//! Pages read a [`Profile`] instead of branching on the dialect; only this
//! module and the wire adapters in `api` match on [`Dialect`].

use crate::api::{Credential, NewCredential};
use sipauth_model::{AclName, Description, Dialect, FieldError};

/// A page of the console; each dialect has some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/credentials`: the account's credentials.
    Credentials,
    /// `/credential-lists` (twilio).
    CredentialLists,
    /// `/credential-lists/:id`: the credentials of one list (twilio).
    CredentialList,
    /// `/acls` and `/acls/:id`.
    Acls,
    /// `/applications` (plivo).
    Applications,
    /// `/trunks` (zentrunk).
    Trunks,
    /// `/domains` (twilio).
    Domains,
    /// `/operators`: every dialect, admins only.
    Operators,
    /// `/api-keys`: the account's API keys; every dialect, admins only.
    ApiKeys,
    /// `/activity`: the audit log; every dialect has it.
    Activity,
    /// `/security`: failed SIP authentications and bans; every dialect,
    /// with `config.sip_insight` and operator sign-in.
    Security,
}

impl Page {
    /// Whether only an admin may see it (anyone else: not found).
    pub fn for_admins(self) -> bool {
        matches!(self, Page::Operators | Page::ApiKeys)
    }
}

/// The admin's pages, after the dialect's in the navigation.
pub const ADMIN_NAV: [NavEntry; 2] = [
    NavEntry {
        href: "/operators",
        text: "Operators",
    },
    NavEntry {
        href: "/api-keys",
        text: "API keys",
    },
];

/// A link in the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavEntry {
    pub href: &'static str,
    pub text: &'static str,
}

/// What uses a credential or an ACL, and so what [`crate::usage::Usage`]
/// loads before a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Users {
    /// Plivo applications: unassigned before a delete.
    Applications,
    /// Zentrunk trunks: a delete leaves them without it.
    Trunks,
    /// Twilio domains: a delete strips their mapping.
    Domains,
    /// Vobiz: credentials work account-wide, assigned nowhere.
    Nothing,
}

/// What a delete does to the users the API does not protect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaks {
    /// Zentrunk: the trunk is left without it.
    Trunks,
    /// Twilio: the domain's mapping goes with it.
    Domains,
}

/// Which of a credential's optional texts a dialect lets the operator set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSlot {
    /// Zentrunk's name (1–120 characters once set).
    Name,
    /// Vobiz's description (up to 255 characters, may be empty).
    Description,
}

impl LabelSlot {
    /// The label's current value.
    pub fn read(self, credential: &Credential) -> Option<String> {
        match self {
            LabelSlot::Name => credential.name.clone(),
            LabelSlot::Description => credential.description.clone(),
        }
    }

    /// Puts a typed label into a new credential.
    pub fn fill(self, new: &mut NewCredential, value: String) {
        match self {
            LabelSlot::Name => new.name = Some(value),
            LabelSlot::Description => new.description = Some(value),
        }
    }

    /// What is sent when the label is edited, or what is wrong with it.
    pub fn check(self, value: &str) -> Result<String, FieldError> {
        match self {
            LabelSlot::Name => AclName::parse(value).map(|n| n.as_str().to_string()),
            LabelSlot::Description => Description::parse(value).map(|_| value.to_string()),
        }
    }

    /// [`LabelSlot::check`] as a function, for a form's `check`.
    pub fn checker(self) -> fn(&str) -> Result<String, FieldError> {
        match self {
            LabelSlot::Name => |value| LabelSlot::Name.check(value),
            LabelSlot::Description => |value| LabelSlot::Description.check(value),
        }
    }

    /// The check when creating, where leaving the label out is fine.
    pub fn check_optional(self, value: &str) -> Result<(), FieldError> {
        if value.is_empty() {
            return Ok(());
        }
        self.check(value).map(drop)
    }
}

/// A credential's label: zentrunk's name, vobiz's description.
#[derive(Debug, Clone, Copy)]
pub struct CredentialLabel {
    pub slot: LabelSlot,
    /// The input's label when editing ("Name").
    pub label: &'static str,
    /// The input's label when creating ("Name (optional)").
    pub optional_label: &'static str,
    /// The API's name for it: where a server error about it belongs.
    pub field: &'static str,
    pub rule: &'static str,
    /// The row's button ("Rename"); the dialog's title and the button's
    /// accessible name add the username after `action_of`.
    pub action: &'static str,
    pub action_of: &'static str,
    /// The toast once saved.
    pub saved: fn(username: &str, value: &str) -> String,
}

impl CredentialLabel {
    /// "Rename alice", "Edit description of alice".
    pub fn action_on(&self, username: &str) -> String {
        format!("{}{username}", self.action_of)
    }
}

/// A column of the credentials list after the username.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Plivo's realm, sortable.
    Realm,
    /// Zentrunk's name, sortable.
    Name,
    /// Vobiz's description.
    Description,
    /// Vobiz's enable/disable switch, sortable.
    Enabled,
    /// Vobiz: the SIP address a credential registers at.
    RegistersAt,
    /// What uses the credential (plivo applications, zentrunk trunks).
    UsedBy,
}

impl Column {
    /// The header text, and the sort key when the column sorts.
    pub fn header(self) -> (&'static str, Option<&'static str>) {
        match self {
            Column::Realm => ("Realm", Some("realm")),
            Column::Name => ("Name", Some("name")),
            Column::Description => ("Description", None),
            Column::Enabled => ("Status", Some("enabled")),
            Column::RegistersAt => ("Registers at", None),
            Column::UsedBy => ("Used by", None),
        }
    }
}

/// The credentials page in a dialect's words.
#[derive(Debug, Clone, Copy)]
pub struct CredentialWords {
    /// Twilio: credentials live in lists, and the page shows one list.
    pub in_lists: bool,
    pub search_label: &'static str,
    /// The lead paragraph, before what is said about passwords.
    pub lead: &'static str,
    /// Vobiz: devices register at `sip:<username>@<realm>`, said under the lead.
    pub registers_at_realm: bool,
    pub columns: &'static [Column],
    pub label: Option<CredentialLabel>,
}

/// The IP ACL pages in a dialect's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AclWords {
    /// What the ACLs page's lead says uses an ACL.
    pub used_through: &'static str,
    /// An ACL's page when nothing uses it.
    pub unused: &'static str,
    /// Whether an entry's description can be changed in place (twilio's
    /// IpAddress update); plivo's API has no entry update.
    pub entry_descriptions: bool,
}

/// Everything pages need to know about a dialect.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Where the console opens.
    pub home: &'static str,
    pub nav: &'static [NavEntry],
    /// The dialect's own pages, the home page first.
    pub pages: &'static [Page],
    pub credentials: CredentialWords,
    pub acls: AclWords,
    pub users: Users,
    pub breaks: Breaks,
    pub keys: KeyUse,
}

/// How an application uses an API key in this dialect, for the "save it
/// now" step: a path to try it on, and whether vobiz's headers carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUse {
    /// A list of the account's credentials; `{account}` is its auth_id.
    pub example_path: &'static str,
    /// Vobiz: `X-Auth-ID` and `X-Auth-Token` rather than Basic auth.
    pub headers: bool,
}

impl Profile {
    /// The profile of `dialect`.
    pub fn of(dialect: Dialect) -> &'static Profile {
        match dialect {
            Dialect::Plivo => &PLIVO,
            Dialect::Zentrunk => &ZENTRUNK,
            Dialect::Twilio => &TWILIO,
            Dialect::Vobiz => &VOBIZ,
        }
    }

    /// Whether the dialect has `page`; every dialect has the admin's pages.
    pub fn has(&self, page: Page) -> bool {
        page.for_admins()
            || matches!(page, Page::Activity | Page::Security)
            || self.pages.contains(&page)
    }
}

/// The dialect a form assumes when it is not told (the strictest rules).
pub const DEFAULT_DIALECT: Dialect = Dialect::Plivo;

const CREDENTIALS: NavEntry = NavEntry {
    href: "/credentials",
    text: "Credentials",
};
const ACLS: NavEntry = NavEntry {
    href: "/acls",
    text: "IP ACLs",
};

/// Said of an ACL by the dialects whose ACLs applications use.
const APPLICATION_ACLS: AclWords = AclWords {
    used_through: "An application uses an ACL through its SIP authentication setting.",
    unused: "No application uses this ACL.",
    entry_descriptions: false,
};

static PLIVO: Profile = Profile {
    home: "/credentials",
    nav: &[
        CREDENTIALS,
        ACLS,
        NavEntry {
            href: "/applications",
            text: "Applications",
        },
    ],
    pages: &[Page::Credentials, Page::Acls, Page::Applications],
    credentials: CredentialWords {
        in_lists: false,
        search_label: "Search by username",
        lead:
            "Username and password pairs that phones and PBXs use for SIP digest authentication. ",
        registers_at_realm: false,
        columns: &[Column::Realm, Column::UsedBy],
        label: None,
    },
    acls: APPLICATION_ACLS,
    users: Users::Applications,
    breaks: Breaks::Trunks,
    keys: KeyUse {
        example_path: "/v1/Account/{account}/SipAuth/Credential/",
        headers: false,
    },
};

static ZENTRUNK: Profile = Profile {
    home: "/credentials",
    nav: &[
        CREDENTIALS,
        ACLS,
        NavEntry {
            href: "/trunks",
            text: "Trunks",
        },
    ],
    pages: &[Page::Credentials, Page::Acls, Page::Trunks],
    credentials: CredentialWords {
        in_lists: false,
        search_label: "Search by username or name",
        lead: "Username and password pairs that your PBX uses to authenticate its calls on a Zentrunk trunk. ",
        registers_at_realm: false,
        columns: &[Column::Name, Column::UsedBy],
        label: Some(CredentialLabel {
            slot: LabelSlot::Name,
            label: "Name",
            optional_label: "Name (optional)",
            field: "name",
            rule: AclName::RULE,
            action: "Rename",
            action_of: "Rename ",
            saved: |username, value| format!("Renamed {username} to {value}."),
        }),
    },
    acls: AclWords {
        used_through: "A trunk may require its calls to come from one.",
        unused: "No trunk uses this ACL.",
        entry_descriptions: false,
    },
    users: Users::Trunks,
    breaks: Breaks::Trunks,
    keys: KeyUse {
        example_path: "/v1/Account/{account}/Zentrunk/Credential/",
        headers: false,
    },
};

static TWILIO: Profile = Profile {
    home: "/credential-lists",
    nav: &[
        NavEntry {
            href: "/credential-lists",
            text: "Credential lists",
        },
        NavEntry {
            href: "/acls",
            text: "IP access control lists",
        },
        NavEntry {
            href: "/domains",
            text: "Domains",
        },
    ],
    pages: &[
        Page::CredentialLists,
        Page::CredentialList,
        Page::Acls,
        Page::Domains,
    ],
    credentials: CredentialWords {
        in_lists: true,
        search_label: "Search by username",
        lead: "The usernames and passwords in this list. A domain that maps the list lets them authenticate calls or registrations. ",
        registers_at_realm: false,
        columns: &[],
        label: None,
    },
    acls: AclWords {
        used_through: "A domain admits calls from the lists mapped to it.",
        unused: "No domain uses this list.",
        entry_descriptions: true,
    },
    users: Users::Domains,
    breaks: Breaks::Domains,
    keys: KeyUse {
        example_path: "/2010-04-01/Accounts/{account}/SIP/CredentialLists.json",
        headers: false,
    },
};

static VOBIZ: Profile = Profile {
    home: "/credentials",
    nav: &[CREDENTIALS],
    pages: &[Page::Credentials],
    credentials: CredentialWords {
        in_lists: false,
        search_label: "Search by username or description",
        lead: "Username and password pairs that SIP clients use on your trunks; they work account-wide, without being assigned anywhere. A disabled credential is kept but cannot authenticate. ",
        registers_at_realm: true,
        columns: &[Column::Description, Column::Enabled, Column::RegistersAt],
        label: Some(CredentialLabel {
            slot: LabelSlot::Description,
            label: "Description",
            optional_label: "Description (optional)",
            field: "description",
            rule: Description::RULE,
            action: "Edit description",
            action_of: "Edit description of ",
            saved: |username, _| format!("Saved the description of {username}."),
        }),
    },
    // Vobiz has no IP ACLs; these words are never shown.
    acls: APPLICATION_ACLS,
    users: Users::Nothing,
    breaks: Breaks::Trunks,
    keys: KeyUse {
        example_path: "/api/v1/account/{account}/credentials",
        headers: true,
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_nav_entry_leads_to_a_page_the_dialect_has() {
        let page_at = |href: &str| match href {
            "/credentials" => Page::Credentials,
            "/credential-lists" => Page::CredentialLists,
            "/acls" => Page::Acls,
            "/applications" => Page::Applications,
            "/trunks" => Page::Trunks,
            "/domains" => Page::Domains,
            other => panic!("no page at {other}"),
        };
        for dialect in Dialect::ALL {
            let profile = Profile::of(dialect);
            for entry in profile.nav {
                assert!(profile.has(page_at(entry.href)), "{dialect} {entry:?}");
            }
            assert!(profile.has(page_at(profile.home)), "{dialect} home");
            // The first page is the home page: what sign-in preloads.
            assert_eq!(
                profile.pages[0],
                page_at(profile.home),
                "{dialect} home first"
            );
        }
    }

    #[test]
    fn only_vobiz_has_no_acls_and_only_twilio_keeps_credentials_in_lists() {
        for dialect in Dialect::ALL {
            let profile = Profile::of(dialect);
            assert_eq!(profile.has(Page::Acls), dialect != Dialect::Vobiz);
            assert_eq!(profile.credentials.in_lists, dialect == Dialect::Twilio);
            assert_eq!(
                profile.has(Page::Credentials),
                !profile.credentials.in_lists
            );
            assert_eq!(
                profile.has(Page::CredentialList),
                profile.credentials.in_lists
            );
        }
    }

    #[test]
    fn the_label_is_a_name_in_zentrunk_and_a_description_in_vobiz() {
        let name = Profile::of(Dialect::Zentrunk).credentials.label.unwrap();
        assert_eq!(name.action_on("alice"), "Rename alice");
        assert_eq!((name.saved)("alice", "Desk"), "Renamed alice to Desk.");
        // Optional when creating, required once renaming.
        assert_eq!(name.slot.check_optional(""), Ok(()));
        assert!(name.slot.check("").is_err());
        assert_eq!(name.slot.check("Desk"), Ok("Desk".to_string()));

        let description = Profile::of(Dialect::Vobiz).credentials.label.unwrap();
        assert_eq!(description.action_on("bob"), "Edit description of bob");
        assert_eq!(description.slot.check(""), Ok(String::new()));
        assert!(description.slot.check(&"x".repeat(256)).is_err());

        let mut new = NewCredential::default();
        description.slot.fill(&mut new, "Lobby".into());
        name.slot.fill(&mut new, "Desk".into());
        assert_eq!(
            (new.name.as_deref(), new.description.as_deref()),
            (Some("Desk"), Some("Lobby"))
        );
        for dialect in [Dialect::Plivo, Dialect::Twilio] {
            assert!(Profile::of(dialect).credentials.label.is_none());
        }
    }

    #[test]
    fn a_delete_breaks_trunks_in_zentrunk_and_domains_in_twilio() {
        let of = |d| {
            let p = Profile::of(d);
            (p.users, p.breaks)
        };
        assert_eq!(of(Dialect::Zentrunk), (Users::Trunks, Breaks::Trunks));
        assert_eq!(of(Dialect::Twilio), (Users::Domains, Breaks::Domains));
        assert_eq!(of(Dialect::Plivo).0, Users::Applications);
        assert_eq!(of(Dialect::Vobiz).0, Users::Nothing);
    }

    #[test]
    fn the_used_by_column_shows_where_something_uses_credentials() {
        for dialect in Dialect::ALL {
            let p = Profile::of(dialect);
            let shows = p.credentials.columns.contains(&Column::UsedBy);
            assert_eq!(
                shows,
                matches!(p.users, Users::Applications | Users::Trunks),
                "{dialect}"
            );
        }
    }
}
