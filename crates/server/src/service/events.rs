//! What a change raises: one typed event per change, from the service that
//! made it, with who made it, in which account, to what, and which fields
//! (never a value, so never a secret). Listeners are the Kamailio reloader
//! (what it caches) and the log; an audit log plugs in the same way.

use std::fmt;
use std::sync::Arc;

/// The resources a change can touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Credential,
    CredentialList,
    Acl,
    AclEntry,
    Application,
    Trunk,
    Domain,
    /// A twilio domain's credential-list or IP ACL mapping.
    Mapping,
}

impl Kind {
    /// The resource as the API's messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Credential => "credential",
            Kind::CredentialList => "credential list",
            Kind::Acl => "IP ACL",
            Kind::AclEntry => "entry",
            Kind::Application => "application",
            Kind::Trunk => "trunk",
            Kind::Domain => "domain",
            Kind::Mapping => "mapping",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Created => "created",
            Action::Updated => "changed",
            Action::Deleted => "deleted",
        })
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The account's own API token (Basic auth or vobiz's headers).
    Token,
    /// One of the account's named API keys, by its id and name.
    ApiKey { id: String, name: String },
    /// A signed-in console operator, by name.
    Operator(String),
    /// The `sipauth` command line on the server's machine.
    Cli,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Token => f.write_str("api-token"),
            Actor::ApiKey { id, .. } => write!(f, "api-key:{id}"),
            Actor::Operator(name) => write!(f, "operator:{name}"),
            Actor::Cli => f.write_str("cli"),
        }
    }
}

/// What a caller may do. The account token and the CLI act as `Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads everything it may see, changes nothing.
    Viewer,
    /// Creates, changes and deletes SIP resources in its accounts.
    Editor,
    /// Everything, including operators, API keys and settings.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may create, change or delete SIP resources.
    pub fn may_write(self) -> bool {
        self >= Role::Editor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(format!("{s:?} is not a role: admin, editor or viewer")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub actor: Actor,
    pub account: String,
    pub kind: Kind,
    pub id: String,
    pub action: Action,
    /// The fields an update set, by their neutral names (`password`,
    /// `username`, `name`, `enabled`, …); empty for creates and deletes,
    /// and for updates that do not say (taken as changing anything).
    pub changed: Vec<&'static str>,
}

impl Event {
    /// Whether the change reaches what Kamailio caches (`address`, the
    /// entry-point and member htables). An update of only passwords and
    /// labels does not: auth_db reads `subscriber` on every request, and no
    /// name or description is cached.
    pub fn cached_by_kamailio(&self) -> bool {
        self.action != Action::Updated
            || self.changed.is_empty()
            || self
                .changed
                .iter()
                .any(|f| !matches!(*f, "password" | "name" | "description"))
    }
}

type Listener = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where services raise events; cheap to clone (one shared list).
#[derive(Clone, Default)]
pub struct Events {
    listeners: Arc<Vec<Listener>>,
}

impl Events {
    pub fn listen(&mut self, listener: impl Fn(&Event) + Send + Sync + 'static) {
        Arc::make_mut(&mut self.listeners).push(Arc::new(listener));
    }

    pub fn raise(&self, event: Event) {
        // "credential created", with who, where and which fields.
        tracing::info!(
            actor = %event.actor,
            account = %event.account,
            id = %event.id,
            changed = ?event.changed,
            "{} {}",
            event.kind,
            event.action
        );
        for listener in self.listeners.iter() {
            listener(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn event(kind: Kind, action: Action, changed: &[&'static str]) -> Event {
        Event {
            actor: Actor::Token,
            account: "MA1".into(),
            kind,
            id: "x".into(),
            action,
            changed: changed.to_vec(),
        }
    }

    #[test]
    fn only_a_password_or_a_label_leaves_kamailio_alone() {
        use Action::*;
        assert!(!event(Kind::Credential, Updated, &["password"]).cached_by_kamailio());
        assert!(!event(Kind::Credential, Updated, &["name", "description"]).cached_by_kamailio());
        assert!(event(Kind::Credential, Updated, &["username", "password"]).cached_by_kamailio());
        assert!(event(Kind::Credential, Updated, &["enabled"]).cached_by_kamailio());
        assert!(event(Kind::Credential, Deleted, &[]).cached_by_kamailio());
        assert!(event(Kind::AclEntry, Created, &[]).cached_by_kamailio());
        assert!(event(Kind::Mapping, Deleted, &[]).cached_by_kamailio());
        assert!(!event(Kind::Acl, Updated, &["name"]).cached_by_kamailio());
        assert!(event(Kind::AclEntry, Updated, &["ip", "description"]).cached_by_kamailio());
    }

    #[test]
    fn roles_read_back_and_only_editors_and_admins_write() {
        for role in [Role::Viewer, Role::Editor, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("Admin".parse::<Role>().is_err());
        assert!(!Role::Viewer.may_write());
        assert!(Role::Editor.may_write() && Role::Admin.may_write());
    }

    #[test]
    fn every_listener_hears_every_event() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let mut events = Events::default();
        for n in 0..2 {
            let heard = heard.clone();
            events.listen(move |e| heard.lock().unwrap().push((n, e.kind)));
        }
        events.raise(event(Kind::Acl, Action::Deleted, &[]));
        assert_eq!(*heard.lock().unwrap(), [(0, Kind::Acl), (1, Kind::Acl)]);
    }
}
