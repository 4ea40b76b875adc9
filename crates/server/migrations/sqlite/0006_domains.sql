-- Twilio's SIP domains and what they authenticate against: credential lists
-- for calls and for registrations, IP ACLs for calls.
CREATE TABLE domains (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,  -- SD + 32 hex
    account_id       TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    domain_name      TEXT NOT NULL UNIQUE,
    friendly_name    TEXT NOT NULL DEFAULT '',
    voice_url        TEXT NOT NULL DEFAULT '',
    sip_registration INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX domains_account ON domains(account_id, seq);

-- Exactly one target per mapping; deleting the list or ACL drops its mappings.
CREATE TABLE domain_mappings (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id          TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL
                       CHECK (kind IN ('calls_credentials', 'calls_ip_acls', 'registrations_credentials')),
    credential_list_id TEXT REFERENCES credential_lists(id) ON DELETE CASCADE,
    ip_acl_id          TEXT REFERENCES ip_acls(id) ON DELETE CASCADE,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((credential_list_id IS NULL) <> (ip_acl_id IS NULL))
);
CREATE UNIQUE INDEX domain_mappings_once
    ON domain_mappings(domain_id, kind, coalesce(credential_list_id, ip_acl_id));
CREATE INDEX domain_mappings_list ON domain_mappings(credential_list_id);
CREATE INDEX domain_mappings_acl ON domain_mappings(ip_acl_id);
