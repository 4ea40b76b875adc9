-- IP access control lists with their entries, and the applications that
-- put credentials and ACLs to use.
CREATE TABLE ip_acls (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE, -- ip_acl_uuid
    account_id TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX ip_acls_account ON ip_acls(account_id);

CREATE TABLE acl_entries (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE, -- entry_id
    acl_id      TEXT NOT NULL REFERENCES ip_acls(id) ON DELETE CASCADE,
    ip          TEXT NOT NULL,        -- as given (host bits may be set)
    cidr_prefix INTEGER NOT NULL,
    network     TEXT NOT NULL,        -- masked, canonical: equal networks conflict
    description TEXT NOT NULL DEFAULT '',
    CONSTRAINT acl_entries_network UNIQUE (acl_id, network)
);

CREATE TABLE applications (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE, -- app_id
    account_id    TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    app_name      TEXT NOT NULL,
    answer_url    TEXT NOT NULL DEFAULT '',
    sip_auth_type TEXT NOT NULL DEFAULT ''
        CHECK (sip_auth_type IN ('', 'credential', 'ip_acl', 'credential_and_ip_acl')),
    -- RESTRICT: what an application uses cannot be deleted under it.
    credential_id TEXT REFERENCES credentials(id) ON DELETE RESTRICT,
    ip_acl_id     TEXT REFERENCES ip_acls(id) ON DELETE RESTRICT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX applications_account ON applications(account_id);
CREATE INDEX applications_credential ON applications(credential_id);
CREATE INDEX applications_ip_acl ON applications(ip_acl_id);
