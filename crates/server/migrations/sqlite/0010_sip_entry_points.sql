-- What Kamailio needs to decide each request by the entry point it is
-- addressed to (an application, an outbound trunk, a domain, an account's
-- realm), with its own modules: auth_db (`subscriber`), permissions
-- (`address`, one group per entry point) and htable (`sip_entry_points`,
-- `sip_members`). All are views: an API write is what Kamailio reads.

-- Digest usernames sent as `user@domain` need ha1b =
-- md5(user@realm:realm:password); computed when a password is set (rows
-- older than this migration get it at their next password change).
ALTER TABLE credentials ADD COLUMN ha1b TEXT NOT NULL DEFAULT '';
-- Vobiz credentials are account-level: they register and call at their
-- account's realm without being assigned anywhere. Every other credential
-- authenticates only where it is assigned or mapped.
ALTER TABLE credentials ADD COLUMN account_wide INTEGER NOT NULL DEFAULT 0;

INSERT INTO version (table_name, table_version) VALUES ('htable', 2);

-- Only a credential in its own account's realm authenticates: a row in any
-- other realm (which the API refuses, and the server refuses to start with)
-- would otherwise answer for another account's users.
DROP VIEW subscriber;
CREATE VIEW subscriber AS
    SELECT c.seq AS id, c.username, c.realm AS domain, '' AS password, c.ha1, c.ha1b
    FROM credentials c JOIN accounts a ON a.auth_id = c.account_id AND a.realm = c.realm
    WHERE c.enabled = 1;

-- Entry points, keyed by the SIP address a request is sent to: `app_id@realm`
-- (plivo application), `trunk_id@realm` (outbound Zentrunk trunk), a Twilio
-- domain name (any user at it), an account's realm (vobiz). The value is
-- `group|calls|registrations|realm`: the group numbers the entry point in
-- `address` and `sip_members` (4·seq + kind, so kinds never collide); calls
-- is open, cred, acl, both or closed; registrations is cred, off or closed;
-- realm is the digest realm to challenge with (the owning account's).
CREATE VIEW sip_entry_points AS
    SELECT p.seq * 4 AS id,
           p.id || '@' || a.realm AS key_name, 0 AS key_type, 0 AS value_type,
           (p.seq * 4) || '|' ||
               CASE p.sip_auth_type
                   WHEN '' THEN 'open'
                   WHEN 'credential' THEN 'cred'
                   WHEN 'ip_acl' THEN 'acl'
                   ELSE 'both' END
               || '|closed|' || a.realm AS key_value,
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
               || '|closed|' || a.realm,
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
               || '|' || a.realm,
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
           (a.rowid * 4 + 3) || '|cred|cred|' || a.realm,
           0
    FROM accounts a;

-- Who may authenticate where: `group:i:username` (calls) and
-- `group:r:username` (registrations), for enabled credentials of the entry
-- point's own account only.
CREATE VIEW sip_members AS
    SELECT p.seq * 4 AS id, (p.seq * 4) || ':i:' || c.username AS key_name,
           0 AS key_type, 0 AS value_type, '1' AS key_value, 0 AS expires
    FROM applications p
    JOIN credentials c ON c.id = p.credential_id AND c.account_id = p.account_id
    WHERE p.sip_auth_type IN ('credential', 'credential_and_ip_acl') AND c.enabled = 1
    UNION ALL
    SELECT t.seq * 4 + 1, (t.seq * 4 + 1) || ':i:' || c.username, 0, 0, '1', 0
    FROM trunks t
    JOIN credentials c ON c.id = t.credential_id AND c.account_id = t.account_id
    WHERE t.trunk_direction = 'outbound' AND c.enabled = 1
    UNION ALL
    SELECT d.seq * 4 + 2,
           (d.seq * 4 + 2) || CASE m.kind WHEN 'calls_credentials' THEN ':i:' ELSE ':r:' END
               || c.username,
           0, 0, '1', 0
    FROM domains d
    JOIN domain_mappings m ON m.domain_id = d.id
        AND m.kind IN ('calls_credentials', 'registrations_credentials')
    JOIN credentials c ON c.list_id = m.credential_list_id AND c.account_id = d.account_id
    WHERE c.enabled = 1
    UNION ALL
    SELECT a.rowid * 4 + 3, (a.rowid * 4 + 3) || ':i:' || c.username, 0, 0, '1', 0
    FROM accounts a JOIN credentials c ON c.account_id = a.auth_id
    WHERE c.account_wide = 1 AND c.enabled = 1
    UNION ALL
    SELECT a.rowid * 4 + 3, (a.rowid * 4 + 3) || ':r:' || c.username, 0, 0, '1', 0
    FROM accounts a JOIN credentials c ON c.account_id = a.auth_id
    WHERE c.account_wide = 1 AND c.enabled = 1;

-- Source addresses, per entry point: the entries of the ACL an application
-- or outbound trunk uses, and of every ACL mapped for a domain's calls,
-- each under that entry point's group. An ACL no entry point uses admits
-- nothing. The tag names the ACL.
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
    JOIN acl_entries e ON e.acl_id = l.id;
