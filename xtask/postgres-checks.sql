-- `cargo xtask postgres`: assertions on a store migrated with
-- crates/server/migrations/postgres/ (psql -v ON_ERROR_STOP=1 stops at the
-- first failure). Sample rows, then what the triggers keep, what Kamailio
-- reads and with which types, and the audit log's rule.

INSERT INTO accounts (auth_id, token_sha256, realm) VALUES
    ('MA1', '\x01', 'a.example'), ('MA2', '\x02', 'b.example');
INSERT INTO credential_lists (id, account_id, friendly_name) VALUES ('CL1', 'MA1', 'list');
INSERT INTO credentials (id, account_id, username, realm, ha1, ha1b, list_id, account_wide) VALUES
    ('c1', 'MA1', 'alice', 'a.example', 'h1', 'h1b', NULL, FALSE),
    ('c2', 'MA1', 'bob', 'a.example', 'h2', 'h2b', 'CL1', TRUE),
    -- not in its account's realm: never a digest user
    ('c3', 'MA1', 'carol', 'b.example', 'h3', 'h3b', NULL, FALSE);
INSERT INTO ip_acls (id, account_id, name) VALUES ('acl1', 'MA1', 'office');
INSERT INTO acl_entries (id, acl_id, ip, cidr_prefix, network) VALUES
    ('e1', 'acl1', '10.1.2.3', 24, '10.1.2.0/24'),
    ('e2', 'acl1', '2001:db8::1', 128, '2001:db8::1/128');
INSERT INTO applications (id, account_id, app_name, sip_auth_type, credential_id, ip_acl_id)
    VALUES ('app1', 'MA1', 'app', 'credential_and_ip_acl', 'c1', 'acl1');
INSERT INTO trunks (id, account_id, name, trunk_direction, credential_id, ip_acl_id)
    VALUES ('tr1', 'MA1', 'trunk', 'outbound', 'c1', 'acl1');
INSERT INTO domains (id, account_id, domain_name, sip_registration)
    VALUES ('SD1', 'MA1', 'd.example', TRUE);
INSERT INTO domain_mappings (domain_id, kind, credential_list_id, ip_acl_id) VALUES
    ('SD1', 'calls_ip_acls', NULL, 'acl1'),
    ('SD1', 'registrations_credentials', 'CL1', NULL);

DO $$
DECLARE
    n bigint;
    s text;
BEGIN
    -- subscriber follows credentials: insert, disable, enable, rename, delete.
    SELECT string_agg(username || '@' || domain || ':' || ha1 || ':' || ha1b || ':' || password, ' ' ORDER BY id)
        INTO s FROM subscriber;
    ASSERT s = 'alice@a.example:h1:h1b: bob@a.example:h2:h2b:', 'subscriber after insert: ' || s;
    UPDATE credentials SET enabled = FALSE WHERE id = 'c1';
    ASSERT NOT EXISTS (SELECT 1 FROM subscriber WHERE username = 'alice'), 'a disabled credential stays';
    UPDATE credentials SET enabled = TRUE, username = 'alice2', ha1 = 'h1n' WHERE id = 'c1';
    SELECT username || ':' || ha1 INTO s FROM subscriber WHERE id = (SELECT seq FROM credentials WHERE id = 'c1');
    ASSERT s = 'alice2:h1n', 'subscriber after enable and rename: ' || coalesce(s, 'none');
    UPDATE credentials SET enabled = FALSE WHERE id = 'c2';
    UPDATE credentials SET enabled = TRUE WHERE id = 'c2';
    SELECT count(*) INTO n FROM subscriber;
    ASSERT n = 2, 'subscriber rows: ' || n;

    -- What Kamailio reads, row by row (a.rowid = 1: account group 7).
    SELECT string_agg(grp || ' ' || ip_addr || '/' || mask || ' ' || port || ' ' || tag, ', ' ORDER BY grp, id)
        INTO s FROM address;
    ASSERT s = '4 10.1.2.0/24 0 acl1, 4 2001:db8::1/128 0 acl1, 5 10.1.2.0/24 0 acl1, '
            || '5 2001:db8::1/128 0 acl1, 6 10.1.2.0/24 0 acl1, 6 2001:db8::1/128 0 acl1, '
            || '7 10.1.2.0/24 0 acl1, 7 2001:db8::1/128 0 acl1', 'address: ' || s;
    SELECT string_agg(id || ' ' || key_name || ' ' || key_value, ', ' ORDER BY id) INTO s FROM sip_entry_points;
    ASSERT s = '4 app1@a.example 4|both|closed|a.example|7, 5 tr1@a.example 5|both|closed|a.example|7, '
            || '6 d.example 6|acl|cred|a.example|7, 7 a.example 7|cred|cred|a.example|7, '
            || '11 b.example 11|cred|cred|b.example|11', 'sip_entry_points: ' || s;
    SELECT string_agg(key_name || '=' || key_value, ', ' ORDER BY key_name) INTO s FROM sip_members;
    ASSERT s = '4:i:alice2=1, 5:i:alice2=1, 6:r:bob=1, 7:i:bob=1, 7:r:bob=1', 'sip_members: ' || s;
    UPDATE domains SET sip_registration = FALSE;
    SELECT key_value INTO s FROM sip_entry_points WHERE id = 6;
    ASSERT s = '6|acl|off|a.example|7', 'registrations off: ' || s;
    SELECT string_agg(key_name || '=' || key_value || '/' || key_type || value_type || expires, ', ' ORDER BY id)
        INTO s FROM sip_settings;
    ASSERT s = 'ban_failures=10/010, ban_window=60/010, ban_seconds=600/010, user_failures=20/010',
        'sip_settings: ' || s;
    SELECT string_agg(table_name || '=' || table_version, ', ' ORDER BY id) INTO s FROM version;
    ASSERT s = 'subscriber=7, address=6, htable=2', 'version: ' || s;

    -- The types db_postgres hands on as Kamailio wants them: integer (a
    -- bigint arrives as a double) and varchar (text arrives as a blob).
    SELECT string_agg(c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ')
        INTO s
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE a.attnum > 0 AND NOT a.attisdropped
          AND c.relname IN ('address', 'sip_entry_points', 'sip_members', 'sip_settings', 'version', 'subscriber')
          AND NOT (c.relname = 'subscriber' AND a.attname = 'id')
          AND format_type(a.atttypid, a.atttypmod) <> CASE
              WHEN a.attname IN ('id', 'grp', 'mask', 'port', 'key_type', 'value_type', 'expires', 'table_version')
              THEN 'integer' ELSE 'character varying' END;
    ASSERT s IS NULL, 'columns Kamailio cannot read: ' || s;

    -- Text compares and sorts bytewise (SQLite's BINARY), whatever the locale.
    INSERT INTO operators (username, password_hash) VALUES ('b', 'x'), ('B', 'x'), ('a', 'x');
    SELECT string_agg(username, ',' ORDER BY username) INTO s FROM operators;
    ASSERT s = 'B,a,b', 'operator order: ' || s;
    ASSERT (SELECT string_agg(rowid::text, ',' ORDER BY rowid) FROM operators) = '1,2,3', 'operators.rowid';

    -- Timestamps: the text SQLite writes.
    SELECT now INTO s FROM utc;
    ASSERT s ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', 'utc: ' || s;
    SELECT created_at INTO s FROM credentials WHERE id = 'c1';
    ASSERT s ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' AND s <= (SELECT now FROM utc), 'created_at: ' || s;

    -- The server's settings upsert.
    INSERT INTO sip_settings (key_name, key_value) VALUES ('ban_window', '90')
        ON CONFLICT (key_name) DO UPDATE SET key_value = excluded.key_value;
    ASSERT (SELECT key_value FROM sip_settings WHERE key_name = 'ban_window') = '90', 'settings upsert';

    -- Keys: RESTRICT, SET NULL and CASCADE as on SQLite.
    BEGIN
        DELETE FROM credentials WHERE id = 'c1';
        RAISE EXCEPTION 'deleted a credential an application uses';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    DELETE FROM applications;
    DELETE FROM credentials WHERE id = 'c1';
    ASSERT (SELECT credential_id FROM trunks WHERE id = 'tr1') IS NULL, 'trunk credential not set to NULL';
    ASSERT NOT EXISTS (SELECT 1 FROM subscriber WHERE username = 'alice2'), 'a deleted credential stays';
    DELETE FROM credential_lists;  -- cascades to bob
    ASSERT NOT EXISTS (SELECT 1 FROM subscriber), 'a cascaded delete left subscriber rows';
    INSERT INTO credentials (id, account_id, username, realm, ha1) VALUES ('c4', 'MA2', 'dan', 'b.example', 'h4');
    DELETE FROM accounts WHERE auth_id = 'MA2';
    ASSERT NOT EXISTS (SELECT 1 FROM subscriber) AND NOT EXISTS (SELECT 1 FROM credentials WHERE id = 'c4'),
        'an account''s delete left its credentials';

    -- The audit log: appended and pruned, never changed.
    INSERT INTO audit_log (actor, dialect, action, resource) VALUES ('cli', 'cli', 'created', 'credential');
    BEGIN
        UPDATE audit_log SET actor = 'someone else';
        RAISE EXCEPTION 'audit_log accepted an UPDATE';
    EXCEPTION WHEN raise_exception THEN
        IF SQLERRM <> 'the audit log is append-only' THEN
            RAISE;
        END IF;
    END;
    DELETE FROM audit_log;
    ASSERT NOT EXISTS (SELECT 1 FROM audit_log), 'audit_log refused a DELETE';
END
$$;

SELECT 'postgres checks passed' AS result;
