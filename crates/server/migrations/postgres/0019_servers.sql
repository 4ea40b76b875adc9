-- What the servers on one store share about the Kamailio nodes: how many
-- changes Kamailio caches have been made (every server counts up the one
-- row after such a change), and how far each node has got and why not,
-- written by whichever server reloaded it. The console's notice reads both,
-- so any server shows every server's changes.
CREATE TABLE kamailio_state (
    id     integer PRIMARY KEY CHECK (id = 1),
    wanted bigint NOT NULL DEFAULT 0
);
INSERT INTO kamailio_state (id, wanted) VALUES (1, 0);

CREATE TABLE kamailio_nodes (
    url        text COLLATE "C" PRIMARY KEY,
    applied    bigint NOT NULL DEFAULT 0,
    error      text COLLATE "C",
    error_at   text COLLATE "C",
    updated_at text COLLATE "C" NOT NULL DEFAULT utc_now()
);

-- The API's rate limits, shared by every server (GCRA: one row per key,
-- its theoretical arrival time in microseconds). UNLOGGED: no WAL per
-- request; a crash empties it, which only forgets who was being limited.
-- SQLite has no such table: one server per file limits in its memory.
CREATE UNLOGGED TABLE rate_buckets (
    key text COLLATE "C" PRIMARY KEY,
    tat bigint NOT NULL
);
