-- Dates the twilio dialect shows for IP ACLs and their addresses. NULL on
-- rows made before this migration: shown as the ACL's creation date.
ALTER TABLE ip_acls ADD COLUMN updated_at TEXT;
ALTER TABLE acl_entries ADD COLUMN created_at TEXT;
ALTER TABLE acl_entries ADD COLUMN updated_at TEXT;
