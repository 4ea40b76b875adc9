-- What a record's resource belongs to (an entry's ACL, a credential's
-- twilio list, a mapping's domain), so that resource's history shows it.
ALTER TABLE audit_log ADD COLUMN parent_id TEXT;
CREATE INDEX audit_log_parent ON audit_log (account_id, parent_id, seq);
