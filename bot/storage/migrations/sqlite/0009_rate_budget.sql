-- Version 9: the global rate limit shared by every bot process on one store (bot/cluster/rate_budget.py).
-- One row per REST request let go: when it started and when its answer came back, on the database's clock
-- (seconds since the epoch); rows older than a few seconds are pruned. Only PostgreSQL uses it: on SQLite one process paces itself in memory.
CREATE TABLE rate_budget (
    id         INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    answered_at REAL
) STRICT;
CREATE INDEX rate_budget_started_at ON rate_budget (started_at);
