-- One store behind every dialect. Passwords exist only as HA1.
CREATE TABLE accounts (
    auth_id      TEXT PRIMARY KEY NOT NULL,
    -- SHA-256 of the API token: tokens are random, so a fast hash suffices;
    -- compared in constant time.
    token_sha256 BLOB NOT NULL,
    -- Each account's own digest realm: SIP servers key users by (username, realm).
    realm        TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE credentials (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- list order
    id           TEXT NOT NULL UNIQUE,              -- credential_uuid
    account_id   TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    username     TEXT NOT NULL,
    realm        TEXT NOT NULL,
    ha1          TEXT NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CONSTRAINT credentials_account_username UNIQUE (account_id, username),
    CONSTRAINT credentials_username_realm UNIQUE (username, realm)
);

CREATE TABLE operators (
    username      TEXT PRIMARY KEY NOT NULL,
    password_hash TEXT NOT NULL, -- argon2id PHC string
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE sessions (
    token_sha256 BLOB PRIMARY KEY NOT NULL,
    operator     TEXT NOT NULL REFERENCES operators(username) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL -- unix seconds
);
