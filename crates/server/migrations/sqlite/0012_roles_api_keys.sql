-- Who may do what: each operator has a role and the accounts it may use,
-- and an account may have named API keys with a role of their own.
ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('admin', 'editor', 'viewer'));
-- NULL: every account; else a JSON array of auth_ids.
ALTER TABLE operators ADD COLUMN accounts TEXT;
ALTER TABLE operators ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY NOT NULL,  -- SK + 32 hex digits
    account_id    TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
    -- SHA-256 of the secret: secrets are random, so a fast hash suffices;
    -- compared in constant time.
    secret_sha256 BLOB NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_used_at  TEXT
);
CREATE INDEX api_keys_account ON api_keys (account_id);
