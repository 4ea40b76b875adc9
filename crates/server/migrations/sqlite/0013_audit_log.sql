-- Who did what: one row per change, written in the change's own
-- transaction. Append-only: no route updates or deletes a row; only the
-- retention prune removes rows older than --audit-retention-days.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor        TEXT NOT NULL,  -- api-token | api-key:SK… | operator:name | cli
    role         TEXT,           -- admin | editor | viewer
    source       TEXT,           -- client address
    user_agent   TEXT,
    dialect      TEXT NOT NULL,  -- plivo | zentrunk | twilio | vobiz | console | cli
    account_id   TEXT,           -- NULL: not an account's (operators, sign-ins)
    action       TEXT NOT NULL,  -- created | changed | deleted | signed-in | …
    resource     TEXT NOT NULL,  -- credential | ip-acl | … | operator | session
    resource_id  TEXT,
    name         TEXT,
    -- JSON object {field: {"before": …, "after": …}}; a password change is
    -- {"password": {"after": "changed"}}, never a value or an HA1.
    changes      TEXT,
    batch        TEXT            -- one id for all the lines of an import
);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_resource ON audit_log (account_id, resource, resource_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);
-- No account's record is ever lost with its account: no foreign key.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
