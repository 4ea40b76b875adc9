-- What Kamailio reads (auth_db and permissions modules), as views over the
-- store, so an API write is what the SIP server enforces, in the same
-- transaction. Kamailio checks the `version` rows before it starts.
CREATE TABLE version (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name    TEXT NOT NULL,
    table_version INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT INTO version (table_name, table_version) VALUES ('subscriber', 7), ('address', 6);

-- Digest users: HA1 only (calculate_ha1 off), the realm as the domain
-- (use_domain on); disabled credentials are absent, so they cannot register.
CREATE VIEW subscriber AS
    SELECT seq AS id, username, realm AS domain, '' AS password, ha1, '' AS ha1b
    FROM credentials
    WHERE enabled = 1;

-- Source addresses: one group per IP ACL (its list order, stable for its
-- life), the masked network and prefix, any port; the tag names the ACL.
CREATE VIEW address AS
    SELECT e.seq AS id,
           a.seq AS grp,
           substr(e.network, 1, instr(e.network, '/') - 1) AS ip_addr,
           e.cidr_prefix AS mask,
           0 AS port,
           a.id AS tag
    FROM acl_entries e JOIN ip_acls a ON a.id = e.acl_id;
