-- What the SIP side reports back (issue 18): settings Kamailio reads for
-- counting failed digest answers and banning, and the tables the server
-- fills from Kamailio's reports (UDP datagrams, see kamailio.cfg and
-- crates/server/src/sip_events.rs). Kamailio still only reads this store.
-- Times in the report tables are Unix seconds (UTC), for grouping by
-- minute and hour.

-- Settings as htable `sipcfg` rows (integers), written by `sipauth serve`
-- from its flags at every start; reloaded with the other htables.
CREATE TABLE sip_settings (
    id         INTEGER PRIMARY KEY,
    key_name   TEXT NOT NULL UNIQUE,
    key_type   INTEGER NOT NULL DEFAULT 0,
    value_type INTEGER NOT NULL DEFAULT 1,
    key_value  TEXT NOT NULL,
    expires    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sip_settings (key_name, key_value) VALUES
    ('ban_failures', '10'),   -- a source with more failures than this in
    ('ban_window', '60'),     -- this many seconds (from its first failure)
    ('ban_seconds', '600'),   -- is refused by that account for this long;
    ('user_failures', '20');  -- a username with more is flagged.

-- The last successful digest authentication of each credential.
CREATE TABLE credential_seen (
    credential_seq INTEGER PRIMARY KEY REFERENCES credentials(seq) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    source    TEXT NOT NULL,
    port      INTEGER NOT NULL,
    transport TEXT NOT NULL,
    method    TEXT NOT NULL      -- REGISTER or INVITE
);

-- Failed digest answers (wrong password, unknown user), counted per
-- minute and (source, username, entry point, reason): a storm is a few
-- rows, not one per request.
CREATE TABLE sip_failures (
    account_id TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    minute     INTEGER NOT NULL,  -- Unix time / 60
    source     TEXT NOT NULL,
    username   TEXT NOT NULL,     -- as sent, at most 64 characters
    entry      TEXT NOT NULL,     -- the SIP address the request was sent to
    reason     TEXT NOT NULL,     -- 'password' or 'user'
    count      INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, minute, source, username, entry, reason)
) WITHOUT ROWID;
CREATE INDEX sip_failures_recent ON sip_failures (account_id, last_at);

-- Bans Kamailio reported, per account and source; lifted by Unban.
CREATE TABLE sip_bans (
    account_id TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    banned_at  INTEGER NOT NULL,
    until      INTEGER NOT NULL,
    failures   INTEGER NOT NULL,
    lifted_at  INTEGER,
    lifted_by  TEXT,
    PRIMARY KEY (account_id, source, banned_at)
) WITHOUT ROWID;

-- Usernames whose failures passed `user_failures` in Kamailio's window.
CREATE TABLE sip_user_flags (
    account_id TEXT NOT NULL REFERENCES accounts(auth_id) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    flagged_at INTEGER NOT NULL,  -- the latest report over the limit
    failures   INTEGER NOT NULL,  -- Kamailio's count in that report
    PRIMARY KEY (account_id, username)
) WITHOUT ROWID;

-- Every entry point's value gains a fifth field, its account's group
-- (`a.rowid * 4 + 3`): where a ban is kept and which ACL entries exempt a
-- source from it.
DROP VIEW sip_entry_points;
CREATE VIEW sip_entry_points AS
    SELECT p.seq * 4 AS id,
           p.id || '@' || a.realm AS key_name, 0 AS key_type, 0 AS value_type,
           (p.seq * 4) || '|' ||
               CASE p.sip_auth_type
                   WHEN '' THEN 'open'
                   WHEN 'credential' THEN 'cred'
                   WHEN 'ip_acl' THEN 'acl'
                   ELSE 'both' END
               || '|closed|' || a.realm || '|' || (a.rowid * 4 + 3) AS key_value,
           0 AS expires
    FROM applications p JOIN accounts a ON a.auth_id = p.account_id
    UNION ALL
    -- A trunk whose credential was deleted takes no calls (seed 001: it is broken).
    SELECT t.seq * 4 + 1,
           t.id || '@' || a.realm, 0, 0,
           (t.seq * 4 + 1) || '|' ||
               CASE WHEN t.credential_id IS NULL THEN 'closed'
                    WHEN t.ip_acl_id IS NULL THEN 'cred'
                    ELSE 'both' END
               || '|closed|' || a.realm || '|' || (a.rowid * 4 + 3),
           0
    FROM trunks t JOIN accounts a ON a.auth_id = t.account_id
    WHERE t.trunk_direction = 'outbound'
    UNION ALL
    -- Twilio: calls need a mapped credential list, a mapped IP ACL, or both
    -- when both kinds are mapped; nothing mapped for calls refuses them.
    SELECT d.seq * 4 + 2,
           d.domain_name, 0, 0,
           (d.seq * 4 + 2) || '|' ||
               CASE WHEN d.calls_credentials AND d.calls_acls THEN 'both'
                    WHEN d.calls_credentials THEN 'cred'
                    WHEN d.calls_acls THEN 'acl'
                    ELSE 'closed' END
               || '|' ||
               CASE WHEN d.sip_registration = 0 THEN 'off'
                    WHEN d.registrations THEN 'cred'
                    ELSE 'closed' END
               || '|' || a.realm || '|' || (a.rowid * 4 + 3),
           0
    FROM (SELECT d.*,
                 EXISTS (SELECT 1 FROM domain_mappings m
                         WHERE m.domain_id = d.id AND m.kind = 'calls_credentials') AS calls_credentials,
                 EXISTS (SELECT 1 FROM domain_mappings m
                         WHERE m.domain_id = d.id AND m.kind = 'calls_ip_acls') AS calls_acls,
                 EXISTS (SELECT 1 FROM domain_mappings m
                         WHERE m.domain_id = d.id AND m.kind = 'registrations_credentials') AS registrations
          FROM domains d) d
    JOIN accounts a ON a.auth_id = d.account_id
    UNION ALL
    -- The account's realm: its account-wide (vobiz) credentials register and call.
    SELECT a.rowid * 4 + 3,
           a.realm, 0, 0,
           (a.rowid * 4 + 3) || '|cred|cred|' || a.realm || '|' || (a.rowid * 4 + 3),
           0
    FROM accounts a;

DROP VIEW address;
CREATE VIEW address AS
    SELECT e.seq AS id, p.seq * 4 AS grp,
           substr(e.network, 1, instr(e.network, '/') - 1) AS ip_addr,
           e.cidr_prefix AS mask, 0 AS port, l.id AS tag
    FROM applications p
    JOIN ip_acls l ON l.id = p.ip_acl_id AND l.account_id = p.account_id
    JOIN acl_entries e ON e.acl_id = l.id
    WHERE p.sip_auth_type IN ('ip_acl', 'credential_and_ip_acl')
    UNION ALL
    SELECT e.seq, t.seq * 4 + 1,
           substr(e.network, 1, instr(e.network, '/') - 1), e.cidr_prefix, 0, l.id
    FROM trunks t
    JOIN ip_acls l ON l.id = t.ip_acl_id AND l.account_id = t.account_id
    JOIN acl_entries e ON e.acl_id = l.id
    WHERE t.trunk_direction = 'outbound' AND t.credential_id IS NOT NULL
    UNION ALL
    SELECT e.seq, d.seq * 4 + 2,
           substr(e.network, 1, instr(e.network, '/') - 1), e.cidr_prefix, 0, l.id
    FROM domains d
    JOIN domain_mappings m ON m.domain_id = d.id AND m.kind = 'calls_ip_acls'
    JOIN ip_acls l ON l.id = m.ip_acl_id AND l.account_id = d.account_id
    JOIN acl_entries e ON e.acl_id = l.id
    UNION ALL
    -- Every entry of every ACL of the account, under the group of the
    -- account's realm entry point (whose calls need credentials, so no call
    -- is decided by this group): the sources a ban never refuses and that
    -- are never banned (kamailio.cfg, route[BANNED] and route[FAILED]).
    SELECT e.seq, a.rowid * 4 + 3,
           substr(e.network, 1, instr(e.network, '/') - 1), e.cidr_prefix, 0, l.id
    FROM accounts a
    JOIN ip_acls l ON l.account_id = a.auth_id
    JOIN acl_entries e ON e.acl_id = l.id;
