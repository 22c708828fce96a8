-- Version 7: the live events board of each server (docs/calendars.md): one message, edited in place
-- after every change. problem_reported: the bot could not write there and told the moderators; it is
-- not retried until they run /eventadmin board again.
CREATE TABLE event_boards (
    guild_id         INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER,
    problem_reported INTEGER NOT NULL DEFAULT 0 CHECK (problem_reported IN (0, 1)),
    updated_at       TEXT NOT NULL
) STRICT;
