-- The Activity page filters by who did it, newest first (account and
-- resource filters use 0013's indexes).
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
