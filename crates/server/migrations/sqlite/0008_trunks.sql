-- Zentrunk trunks. Deleting a credential a trunk uses is allowed (seed 001:
-- it breaks the trunk), so the reference becomes NULL rather than blocking.
CREATE TABLE trunks (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE, -- trunk_id
    account_id      TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    trunk_direction TEXT NOT NULL CHECK (trunk_direction IN ('inbound', 'outbound')),
    credential_id   TEXT REFERENCES credentials(id) ON DELETE SET NULL,
    ip_acl_id       TEXT REFERENCES ip_acls(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX trunks_account ON trunks(account_id, seq);
CREATE INDEX trunks_credential ON trunks(credential_id);
CREATE INDEX trunks_ip_acl ON trunks(ip_acl_id);
