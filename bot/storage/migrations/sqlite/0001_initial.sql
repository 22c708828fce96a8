-- Version 1: key/value metadata and the content seeded from data/.
-- Content tables are rebuilt from data/ whenever its hash changes; users' data lives in other tables.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Each content row keeps its full typed record as JSON (validated by bot.content.models on read)
-- beside the columns the bot queries by.

CREATE TABLE declaration (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    title TEXT NOT NULL,
    json  TEXT NOT NULL
) STRICT;

CREATE TABLE clauses (
    number   INTEGER PRIMARY KEY,
    headline TEXT NOT NULL,
    text     TEXT NOT NULL,
    json     TEXT NOT NULL
) STRICT;

CREATE TABLE footnotes (
    number INTEGER PRIMARY KEY,
    text   TEXT NOT NULL,
    json   TEXT NOT NULL
) STRICT;

CREATE TABLE signatories (
    position        INTEGER PRIMARY KEY,
    name_fr         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    entity_type     TEXT NOT NULL,
    iso2            TEXT UNIQUE,
    iso3            TEXT UNIQUE,
    founding_member INTEGER NOT NULL CHECK (founding_member IN (0, 1)),
    json            TEXT NOT NULL
) STRICT;

-- The events as shipped in data/ (the catalogue a server's own events start from).
CREATE TABLE shipped_events (
    key      TEXT PRIMARY KEY,
    start    TEXT NOT NULL,
    end      TEXT NOT NULL,
    json     TEXT NOT NULL
) STRICT;
