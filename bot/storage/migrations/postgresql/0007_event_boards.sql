-- PostgreSQL counterpart of migrations/sqlite/0007_event_boards.sql: same tables and columns. Text is COLLATE "C" (SQLite's
-- BINARY order: times in ISO 8601 and keys compare and sort the same on both stores); ids are BIGINT.
-- Version 7: the live events board of each server (docs/calendars.md): one message, edited in place
-- after every change. problem_reported: the bot could not write there and told the moderators; it is
-- not retried until they run /eventadmin board again.
CREATE TABLE event_boards (
    guild_id         BIGINT PRIMARY KEY,
    channel_id       BIGINT NOT NULL,
    message_id       BIGINT,
    problem_reported SMALLINT NOT NULL DEFAULT 0 CHECK (problem_reported IN (0, 1)),
    updated_at       TEXT COLLATE "C" NOT NULL
);
