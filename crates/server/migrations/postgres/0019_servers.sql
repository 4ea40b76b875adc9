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
    account_id text COLLATE "C" PRIMARY KEY,
    wanted     bigint NOT NULL
);

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
