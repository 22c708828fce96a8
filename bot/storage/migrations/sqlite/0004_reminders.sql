-- Version 4: reminders. Who follows what with which lead times, the channel posts a server wants,
-- and the delivery ledger: the only way a reminder leaves, so none is lost or sent twice.
-- Times are UTC ISO 8601 with microseconds (they compare as text).

-- A member following one event (event_id) or every event of the server, including later ones (NULL).
CREATE TABLE reminder_subscriptions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    event_id   INTEGER REFERENCES guild_events (id) ON DELETE CASCADE,
    locale     TEXT NOT NULL,  -- the member's Discord locale when subscribing: background sends use it
    created_at TEXT NOT NULL
) STRICT;

-- One subscription per member per event, and one "all events" per member per server
-- (two NULL event ids never collide in a plain UNIQUE, hence the second, partial index).
CREATE UNIQUE INDEX reminder_subscriptions_one_event
    ON reminder_subscriptions (guild_id, user_id, event_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX reminder_subscriptions_all_events
    ON reminder_subscriptions (guild_id, user_id) WHERE event_id IS NULL;
CREATE INDEX reminder_subscriptions_by_event ON reminder_subscriptions (event_id);
CREATE INDEX reminder_subscriptions_by_user ON reminder_subscriptions (user_id);

CREATE TABLE reminder_subscription_leads (
    subscription_id INTEGER NOT NULL REFERENCES reminder_subscriptions (id) ON DELETE CASCADE,
    lead_seconds    INTEGER NOT NULL CHECK (lead_seconds BETWEEN 60 AND 5184000),  -- 1 minute to 60 days
    PRIMARY KEY (subscription_id, lead_seconds)
) STRICT;

-- Lead times of a server's posts in its announcements channel (channel and role: guild_settings).
CREATE TABLE reminder_channel_leads (
    guild_id     INTEGER NOT NULL,
    lead_seconds INTEGER NOT NULL CHECK (lead_seconds BETWEEN 60 AND 5184000),
    PRIMARY KEY (guild_id, lead_seconds)
) STRICT;

-- The delivery ledger. A row is claimed before a message is sent and marked once Discord accepted it.
-- The key names one message: what (kind), for which event at which instant, to whom, for which lead.
-- For 'moved' and 'cancelled' notices, lead_seconds holds the event's change sequence (one per change)
-- and instant the event's new instant ('tba' when it has none).
CREATE TABLE reminder_deliveries (
    kind         TEXT NOT NULL CHECK (kind IN ('reminder', 'snooze', 'moved', 'cancelled')),
    event_id     INTEGER NOT NULL,
    instant      TEXT NOT NULL,
    audience     TEXT NOT NULL CHECK (audience IN ('dm', 'channel')),
    recipient_id INTEGER NOT NULL,  -- a user (dm) or a channel (channel)
    lead_seconds INTEGER NOT NULL,
    guild_id     INTEGER NOT NULL,
    due_at       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'skipped', 'closed_dm', 'failed')),
    nonce        TEXT NOT NULL,     -- derived from the key: the same message always has the same nonce
    claimed_at   TEXT,
    sent_at      TEXT,
    message_id   INTEGER,
    channel_id   INTEGER,
    late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    error        TEXT,
    PRIMARY KEY (kind, event_id, instant, audience, recipient_id, lead_seconds)
) STRICT;

CREATE INDEX reminder_deliveries_claimed ON reminder_deliveries (claimed_at) WHERE state = 'claimed';
CREATE INDEX reminder_deliveries_by_recipient ON reminder_deliveries (audience, recipient_id, guild_id);

-- The DM channel of each member, so a reminder costs one request instead of two.
CREATE TABLE reminder_dm_channels (
    user_id    INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL
) STRICT;

-- Something to tell a member the next time they use the bot in that server (their DMs were closed).
CREATE TABLE reminder_pending_notices (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('closed_dm')),
    event_id   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, kind)
) STRICT;

-- One-off reminders a member asked for from a reminder's Snooze buttons.
CREATE TABLE reminder_snoozes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    event_id   INTEGER NOT NULL REFERENCES guild_events (id) ON DELETE CASCADE,
    instant    TEXT NOT NULL,  -- the event's instant when snoozed: a moved event drops the snooze
    due_at     TEXT NOT NULL,
    locale     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, event_id, instant, due_at)
) STRICT;

CREATE INDEX reminder_snoozes_by_user ON reminder_snoozes (user_id);
