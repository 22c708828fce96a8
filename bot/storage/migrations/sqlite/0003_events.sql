-- Version 3: each server's own events, their change history, and per-server settings.
-- A server starts with a copy of the events shipped in data/ (shipped_events); its moderators then keep it.

CREATE TABLE guild_events (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    key            TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    name_fr        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    venue          TEXT,
    city           TEXT,
    country        TEXT,
    timezone       TEXT NOT NULL,  -- IANA zone of the venue
    precision      TEXT NOT NULL
                   CHECK (precision IN ('exact', 'day', 'month', 'quarter', 'half_year', 'year', 'tba')),
    start_date     TEXT,           -- local days at the venue (ISO), end included; NULL when TBA
    end_date       TEXT,
    start_time     TEXT,           -- local HH:MM, only for an exact time
    end_time       TEXT,
    starts_at      TEXT,           -- the UTC instants these stand for, for sorting; NULL when TBA
    ends_at        TEXT,
    status         TEXT NOT NULL CHECK (status IN ('scheduled', 'postponed', 'cancelled')),
    description_en TEXT NOT NULL DEFAULT '',
    description_fr TEXT NOT NULL DEFAULT '',
    source_urls    TEXT NOT NULL DEFAULT '[]',  -- JSON array of http(s) addresses
    clauses        TEXT NOT NULL DEFAULT '[]',  -- JSON array of clause numbers
    shipped_hash   TEXT,           -- fingerprint of the shipped record this copy follows; NULL if added here
    edited         INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),  -- moderators changed it: theirs wins
    sequence       INTEGER NOT NULL DEFAULT 0,  -- bumped on every change (iCalendar SEQUENCE)
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,           -- kept so a deleted shipped event is not copied in again
    UNIQUE (guild_id, key)
) STRICT;

CREATE INDEX guild_events_by_start ON guild_events (guild_id, starts_at);

-- One row per field per change: who, when, the field, old → new, and the reason given.
CREATE TABLE guild_event_changes (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES guild_events (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    sequence  INTEGER NOT NULL,        -- the event's sequence after the change: rows of one change share it
    at        TEXT NOT NULL,
    actor_id  INTEGER,             -- NULL: a release of the bot shipped the change
    action    TEXT NOT NULL,
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    reason    TEXT
) STRICT;

CREATE INDEX guild_event_changes_by_event ON guild_event_changes (event_id, id);

CREATE TABLE guild_settings (
    guild_id                 INTEGER PRIMARY KEY,
    announcements_channel_id INTEGER,
    ping_role_id             INTEGER,
    mirroring                INTEGER NOT NULL DEFAULT 0 CHECK (mirroring IN (0, 1)),
    -- A mirroring failure was reported to the moderators; not again until mirroring works or is reset.
    mirror_problem_reported  INTEGER NOT NULL DEFAULT 0 CHECK (mirror_problem_reported IN (0, 1)),
    seeded_hash              TEXT,  -- fingerprint of the shipped events last copied into this server
    updated_at               TEXT
) STRICT;

-- The Discord Guild Scheduled Event that mirrors each event, when mirroring is on.
CREATE TABLE guild_event_mirrors (
    event_id           INTEGER PRIMARY KEY REFERENCES guild_events (id) ON DELETE CASCADE,
    guild_id           INTEGER NOT NULL,
    scheduled_event_id INTEGER NOT NULL
) STRICT;
