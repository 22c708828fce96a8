-- PostgreSQL counterpart of migrations/sqlite/0008_cluster_leases.sql: same tables and columns. Text is COLLATE "C" (SQLite's
-- BINARY order: times in ISO 8601 and keys compare and sort the same on both stores); ids are BIGINT.
-- Version 8: processes and their leases (bot/cluster/membership.py, docs/reminders.md). Each running bot
-- process keeps one row alive by its heartbeat; a clean stop deletes it. A process whose row is gone, or
-- whose lease_until has passed, is dead: any live process takes over the ledger claims it held.
CREATE TABLE bot_processes (
    id           TEXT COLLATE "C" PRIMARY KEY,  -- random, new at every start
    host         TEXT COLLATE "C" NOT NULL,
    pid          BIGINT NOT NULL,
    shard_ids    TEXT COLLATE "C" NOT NULL,     -- "0,1,2" (empty: not known yet)
    shard_count  BIGINT NOT NULL,
    started_at   TEXT COLLATE "C" NOT NULL,
    heartbeat_at TEXT COLLATE "C" NOT NULL,
    lease_until  TEXT COLLATE "C" NOT NULL,
    latency_ms   BIGINT,                        -- gateway latency at the last heartbeat (NULL: not connected)
    stopping     SMALLINT NOT NULL DEFAULT 0 CHECK (stopping IN (0, 1))
);

-- Which process holds a 'claimed' row (NULL: claimed before version 8, by the one process there was).
ALTER TABLE reminder_deliveries ADD COLUMN claimed_by TEXT COLLATE "C";

CREATE INDEX reminder_deliveries_claimed_by ON reminder_deliveries (claimed_by) WHERE state = 'claimed';
