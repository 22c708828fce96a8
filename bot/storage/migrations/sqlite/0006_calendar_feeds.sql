-- Version 6: calendar feed addresses. A server's feed (kind 'guild', user_id NULL) or a member's feed of
-- the events they follow in a server (kind 'member'). The token is the secret part of the address:
-- looked up by its SHA-256 (so a lookup's timing says nothing about the token) and then compared in
-- constant time. It is kept so /events can show the address again. Rotating replaces the row.
CREATE TABLE calendar_feeds (
    token_sha256 TEXT PRIMARY KEY,
    token        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('guild', 'member')),
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER,
    locale       TEXT NOT NULL DEFAULT 'en',  -- a member feed's language: the member's when it was made
    created_at   TEXT NOT NULL,
    CHECK ((kind = 'guild') = (user_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX calendar_feeds_one_per_guild ON calendar_feeds (guild_id) WHERE kind = 'guild';
CREATE UNIQUE INDEX calendar_feeds_one_per_member ON calendar_feeds (guild_id, user_id) WHERE kind = 'member';
CREATE INDEX calendar_feeds_by_user ON calendar_feeds (user_id) WHERE user_id IS NOT NULL;
