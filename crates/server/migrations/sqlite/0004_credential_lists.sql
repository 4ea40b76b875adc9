-- Twilio's credential lists (CL…). A credential belongs to at most one; the
-- other dialects use the account's implicit list, which is NULL here, so
-- rows made by plivo, zentrunk or vobiz need no list. Usernames stay unique
-- per account across lists: SIP servers key digest users by (username, realm).
CREATE TABLE credential_lists (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- list order
    id            TEXT NOT NULL UNIQUE,              -- CL + 32 hex
    account_id    TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    friendly_name TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX credential_lists_account ON credential_lists(account_id, seq);

ALTER TABLE credentials ADD COLUMN list_id TEXT REFERENCES credential_lists(id) ON DELETE CASCADE;
CREATE INDEX credentials_list ON credentials(list_id, seq);
