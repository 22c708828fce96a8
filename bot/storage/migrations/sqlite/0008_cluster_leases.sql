-- Version 8: processes and their leases (bot/cluster/membership.py, docs/reminders.md). Each running bot
-- process keeps one row alive by its heartbeat; a clean stop deletes it. A process whose row is gone, or
-- whose lease_until has passed, is dead: any live process takes over the ledger claims it held.
-- Times are UTC ISO 8601 with microseconds (they compare as text).
CREATE TABLE bot_processes (
    id           TEXT PRIMARY KEY,  -- random, new at every start
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    shard_ids    TEXT NOT NULL,     -- "0,1,2" (empty: not known yet)
    shard_count  INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    lease_until  TEXT NOT NULL,
    latency_ms   INTEGER,           -- gateway latency at the last heartbeat (NULL: not connected)
    stopping     INTEGER NOT NULL DEFAULT 0 CHECK (stopping IN (0, 1))
) STRICT;

-- Which process holds a 'claimed' row (NULL: claimed before version 8, by the one process there was).
ALTER TABLE reminder_deliveries ADD COLUMN claimed_by TEXT;

CREATE INDEX reminder_deliveries_claimed_by ON reminder_deliveries (claimed_by) WHERE state = 'claimed';
