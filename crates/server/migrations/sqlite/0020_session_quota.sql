-- An operator keeps at most a bounded number of sessions (the oldest end
-- as new ones start): finding an operator's sessions, newest first, is a
-- walk of this index rather than of the whole table.
CREATE INDEX sessions_operator ON sessions (operator, expires_at);
