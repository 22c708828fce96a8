-- PostgreSQL counterpart of migrations/sqlite/0009_rate_budget.sql: same tables and columns.
-- Version 9: the global rate limit shared by every bot process on one store (bot/cluster/rate_budget.py).
-- One row per REST request let go: when it started and when its answer came back, on the database's clock
-- (seconds since the epoch); rows older than a few seconds are pruned. UNLOGGED: a counter that matters
-- for a few seconds needs no crash safety.
CREATE UNLOGGED TABLE rate_budget (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at DOUBLE PRECISION NOT NULL,
    answered_at DOUBLE PRECISION
);
CREATE INDEX rate_budget_started_at ON rate_budget (started_at);
