-- What the servers on one store share about the Kamailio nodes: how many
-- changes Kamailio caches have been made (every server counts up the one
-- row after such a change), and how far each node has got and why not,
-- written by whichever server reloaded it. The console's notice reads both,
-- so any server shows every server's changes.
CREATE TABLE kamailio_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    wanted INTEGER NOT NULL DEFAULT 0
);
INSERT INTO kamailio_state (id, wanted) VALUES (1, 0);

CREATE TABLE kamailio_nodes (
    url        TEXT PRIMARY KEY,
    -- The last change (kamailio_state.wanted) the node has reloaded.
    applied    INTEGER NOT NULL DEFAULT 0,
    -- Why the last round failed (NULL once one succeeds), and when.
    error      TEXT,
    error_at   TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
