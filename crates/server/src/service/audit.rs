//! The audit log's side of every change: a change and its record share one
//! SQLite transaction, so there is no change without its record and no
//! record without its change. Services open a [`Tx`] with [`Ctx::begin`],
//! write through [`Tx::conn`], say what they changed with [`Tx::record`],
//! and [`Tx::commit`] appends the records, commits, and only then raises
//! the events (the log line, the Kamailio reloader). Code outside the
//! services (operators, API keys, exports, sign-ins) calls [`append`] or
//! [`record`] on its own transaction.

use super::{Action, Actor, Caller, Ctx, Event, Kind, Origin, Role, ServiceResult};
use crate::sql::{Conn, Exec};
use crate::store::audit::{self as store, NewRecord};
use serde_json::{json, Map, Value};

impl Kind {
    /// The resource as the audit log names it.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Credential => "credential",
            Kind::CredentialList => "credential-list",
            Kind::Acl => "ip-acl",
            Kind::AclEntry => "ip-acl-entry",
            Kind::Application => "application",
            Kind::Trunk => "trunk",
            Kind::Domain => "domain",
            Kind::Mapping => "mapping",
        }
    }
}

/// What a row shows the audit log: its human name and its fields by their
/// neutral names. Never a secret: the row types hold no HA1.
pub trait Snapshot {
    fn name(&self) -> String;
    fn fields(&self) -> Vec<(&'static str, Value)>;
    /// What the row belongs to (an entry's ACL, a credential's twilio list):
    /// its records show in that resource's history too.
    fn parent(&self) -> Option<&str> {
        None
    }
}

/// The fields a change touched, each `{before?, after?}`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Changes(Vec<(&'static str, Option<Value>, Option<Value>)>);

impl Changes {
    /// Every field of a new row, as `after`.
    pub fn created(row: &impl Snapshot) -> Self {
        Changes(
            row.fields()
                .into_iter()
                .map(|(f, v)| (f, None, Some(v)))
                .collect(),
        )
    }

    /// Every field of a deleted row, as `before`.
    pub fn deleted(row: &impl Snapshot) -> Self {
        Changes(
            row.fields()
                .into_iter()
                .map(|(f, v)| (f, Some(v), None))
                .collect(),
        )
    }

    /// The fields whose value differs between two states of a row.
    pub fn between<T: Snapshot>(before: &T, after: &T) -> Self {
        let after = after.fields();
        Changes(
            before
                .fields()
                .into_iter()
                .zip(after)
                .filter(|((_, b), (_, a))| a != b)
                .map(|((f, b), (_, a))| (f, Some(b), Some(a)))
                .collect(),
        )
    }

    /// A new password: recorded as changed, never as a value or an HA1.
    pub fn password(mut self) -> Self {
        self.0.push(("password", None, Some(json!("changed"))));
        self
    }

    /// One field with the values given.
    pub fn field(
        mut self,
        field: &'static str,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Self {
        self.0.push((field, before, after));
        self
    }

    /// The same fields as `before` instead of `after` (a created thing's
    /// description, for its delete).
    pub fn flip(self) -> Self {
        Changes(self.0.into_iter().map(|(f, b, a)| (f, a, b)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changed fields' names, as the events name them.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|(f, _, _)| *f).collect()
    }

    /// `{field: {"before": …, "after": …}}`.
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        for (field, before, after) in &self.0 {
            let mut change = Map::new();
            if let Some(b) = before {
                change.insert("before".into(), b.clone());
            }
            if let Some(a) = after {
                change.insert("after".into(), a.clone());
            }
            object.insert((*field).to_string(), Value::Object(change));
        }
        Value::Object(object)
    }
}

/// A change in progress: its savepoint in the open batch of changes (on the
/// write pool's one connection: while a `Tx` lives nothing else may use
/// `db.write`; see [`crate::db::Writer`]), the records it will append and
/// the events it will raise once committed.
pub struct Tx<'a> {
    cx: &'a Ctx,
    tx: crate::db::Change,
    records: Vec<NewRecord>,
    events: Vec<Event>,
}

impl Ctx {
    /// Opens the transaction of a change: a savepoint in the open batch
    /// (group commit, see [`crate::db::Writer`]).
    pub async fn begin(&self) -> ServiceResult<Tx<'_>> {
        Ok(Tx {
            cx: self,
            tx: self.db().change(self.account()).await?,
            records: Vec::new(),
            events: Vec::new(),
        })
    }
}

impl<'a> Tx<'a> {
    /// The context of the change (who, which account).
    pub fn cx(&self) -> &'a Ctx {
        self.cx
    }

    /// The transaction's connection, for the store's writes and the reads
    /// that must see them.
    pub fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    /// Records one change of one resource; appended at [`Tx::commit`].
    pub fn record(&mut self, kind: Kind, id: &str, name: &str, action: Action, changes: Changes) {
        self.push(kind, id, name, None, action, changes);
    }

    /// Records one change of `row`, named as it names itself and filed
    /// under its parent as well.
    pub fn record_of(
        &mut self,
        kind: Kind,
        id: &str,
        row: &impl Snapshot,
        action: Action,
        changes: Changes,
    ) {
        self.push(kind, id, &row.name(), row.parent(), action, changes);
    }

    fn push(
        &mut self,
        kind: Kind,
        id: &str,
        name: &str,
        parent: Option<&str>,
        action: Action,
        changes: Changes,
    ) {
        let caller = &self.cx.caller;
        // A mapping's id begins with its domain's.
        let parent = match kind {
            Kind::Mapping => id.split('/').next(),
            _ => parent,
        };
        self.records.push(NewRecord {
            account_id: Some(caller.account.auth_id.clone()),
            action: action_name(action),
            resource: kind.resource(),
            resource_id: Some(id.to_string()),
            parent_id: parent.map(str::to_string),
            name: Some(name.to_string()),
            changes: Some(changes.to_json()),
            ..who(&caller.actor, Some(caller.role), &caller.origin)
        });
        self.events.push(Event {
            actor: caller.actor.clone(),
            account: caller.account.auth_id.clone(),
            kind,
            id: id.to_string(),
            action,
            // Creates and deletes name no fields (see `Event::changed`).
            changed: if action == Action::Updated {
                changes.names()
            } else {
                Vec::new()
            },
        });
    }

    /// Undoes the change now (a drop does it too, on a task): what the
    /// change saw of earlier changes is committed when this returns, so a
    /// read explaining a refusal sees it.
    pub async fn rollback(self) {
        self.tx.rollback().await;
    }

    /// Appends the records and commits; then tells the listeners. Returns
    /// once the COMMIT holding the change (shared with the changes that
    /// queued behind it) has succeeded.
    pub async fn commit(mut self) -> ServiceResult<()> {
        for record in &self.records {
            store::append(self.tx.conn(), record).await?;
        }
        // Counted with the change: any server's notice knows at once that
        // Kamailio has something to pick up.
        if self.events.iter().any(|e| e.cached_by_kamailio()) {
            crate::store::kamailio::count_change(self.tx.conn(), self.cx.account()).await?;
        }
        self.tx.commit().await?;
        for event in self.events {
            self.cx.state.events.raise(event);
        }
        Ok(())
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Created => "created",
        Action::Updated => "changed",
        Action::Deleted => "deleted",
    }
}

/// The who and where of a record; the rest is the caller's to fill.
pub fn who(actor: &Actor, role: Option<Role>, origin: &Origin) -> NewRecord {
    NewRecord {
        actor: actor.to_string(),
        role: role.map(Role::as_str),
        source: origin.source.map(|s| s.to_string()),
        user_agent: origin.user_agent.clone(),
        dialect: origin.dialect,
        batch: origin.batch.clone(),
        ..NewRecord::default()
    }
}

/// Appends one record on `conn` (pass the change's own transaction): for
/// what is not a service change (operators, API keys, exports, sign-ins,
/// reloads). `changes` is `{field: {before?, after?}}`, never a secret.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    conn: impl Into<Exec<'_>>,
    actor: &Actor,
    role: Option<Role>,
    origin: &Origin,
    account: Option<&str>,
    action: &'static str,
    resource: &'static str,
    id: Option<&str>,
    name: Option<&str>,
    changes: Option<Value>,
) -> Result<(), sqlx::Error> {
    let record = NewRecord {
        account_id: account.map(str::to_string),
        action,
        resource,
        resource_id: id.map(str::to_string),
        name: name.map(str::to_string),
        changes,
        ..who(actor, role, origin)
    };
    store::append(conn, &record).await
}

/// [`append`] for a caller of an account's routes (an export, an API key).
pub async fn record(
    conn: impl Into<Exec<'_>>,
    caller: &Caller,
    action: &'static str,
    resource: &'static str,
    id: Option<&str>,
    name: Option<&str>,
    changes: Option<Value>,
) -> Result<(), sqlx::Error> {
    append(
        conn,
        &caller.actor,
        Some(caller.role),
        &caller.origin,
        Some(&caller.account.auth_id),
        action,
        resource,
        id,
        name,
        changes,
    )
    .await
}

use crate::store::{acls, applications, credential_lists, credentials, domains, trunks};

impl Snapshot for credentials::Credential {
    fn name(&self) -> String {
        self.username.clone()
    }
    fn parent(&self) -> Option<&str> {
        self.list_id.as_deref()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("username", json!(self.username)),
            ("realm", json!(self.realm)),
            ("credential_list_sid", json!(self.list_id)),
            ("name", json!(self.name)),
            ("description", json!(self.description)),
            ("enabled", json!(self.enabled)),
            ("account_wide", json!(self.account_wide)),
        ]
    }
}

impl Snapshot for credential_lists::CredentialList {
    fn name(&self) -> String {
        self.friendly_name.clone()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![("name", json!(self.friendly_name))]
    }
}

impl Snapshot for acls::Acl {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![("name", json!(self.name))]
    }
}

impl Snapshot for acls::Entry {
    fn name(&self) -> String {
        format!("{}/{}", self.ip, self.cidr_prefix)
    }
    fn parent(&self) -> Option<&str> {
        Some(&self.acl_id)
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("ip_acl_uuid", json!(self.acl_id)),
            ("ip", json!(self.ip)),
            ("cidr_prefix", json!(self.cidr_prefix)),
            ("description", json!(self.description)),
        ]
    }
}

impl Snapshot for applications::Application {
    fn name(&self) -> String {
        self.app_name.clone()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("app_name", json!(self.app_name)),
            ("answer_url", json!(self.answer_url)),
            ("sip_auth_type", json!(self.sip_auth_type)),
            ("credential_uuid", json!(self.credential_id)),
            ("ip_acl_uuid", json!(self.ip_acl_id)),
        ]
    }
}

impl Snapshot for trunks::Trunk {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("name", json!(self.name)),
            ("trunk_direction", json!(self.trunk_direction)),
            ("credential_uuid", json!(self.credential_id)),
            ("ip_acl_uuid", json!(self.ip_acl_id)),
        ]
    }
}

impl Snapshot for domains::Domain {
    fn name(&self) -> String {
        self.domain_name.clone()
    }
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("domain_name", json!(self.domain_name)),
            // "name": a label, as the events call it (Kamailio caches none).
            ("name", json!(self.friendly_name)),
            ("voice_url", json!(self.voice_url)),
            ("sip_registration", json!(self.sip_registration)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row(&'static str, bool);
    impl Snapshot for Row {
        fn name(&self) -> String {
            self.0.into()
        }
        fn fields(&self) -> Vec<(&'static str, Value)> {
            vec![("name", json!(self.0)), ("enabled", json!(self.1))]
        }
    }

    #[test]
    fn changes_hold_only_what_differs_and_a_password_as_changed() {
        let c = Changes::between(&Row("a", true), &Row("a", false)).password();
        assert_eq!(
            c.to_json(),
            json!({"enabled": {"before": true, "after": false}, "password": {"after": "changed"}})
        );
        assert_eq!(c.names(), ["enabled", "password"]);
        assert_eq!(
            Changes::created(&Row("a", true)).to_json(),
            json!({"name": {"after": "a"}, "enabled": {"after": true}})
        );
        assert_eq!(
            Changes::deleted(&Row("a", true)).to_json()["name"],
            json!({"before": "a"})
        );
    }
}
