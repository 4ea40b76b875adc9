-- What the servers on one store share about the Kamailio nodes: how many
-- changes Kamailio caches have been made, and how far each node has got and
-- why not, written by whichever server reloaded it. The console's notice
-- reads both, so any server shows every server's changes.
--
-- Changes are counted per account, in the change's own transaction (its
-- account's changes already run one at a time): the count is the sum, and
-- no one row serializes every account's writes (one row did: it capped
-- PostgreSQL at one commit at a time). `account_id` '' counts the servers'
-- start-up rounds.
CREATE TABLE kamailio_changes (
    account_id TEXT PRIMARY KEY,
    wanted     INTEGER NOT NULL
);

CREATE TABLE kamailio_nodes (
    url        TEXT PRIMARY KEY,
    -- The last change (the sum of kamailio_changes) the node has reloaded.
    applied    INTEGER NOT NULL DEFAULT 0,
    -- Why the last round failed (NULL once one succeeds), and when.
    error      TEXT,
    error_at   TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
