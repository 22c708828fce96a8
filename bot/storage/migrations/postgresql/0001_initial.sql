-- PostgreSQL counterpart of migrations/sqlite/0001_initial.sql: same tables and columns. Text is COLLATE "C" (SQLite's
-- BINARY order: times in ISO 8601 and keys compare and sort the same on both stores); ids are BIGINT.
-- Version 1: key/value metadata and the content seeded from data/.
-- Content tables are rebuilt from data/ whenever its hash changes; users' data lives in other tables.

CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

-- Each content row keeps its full typed record as JSON (validated by bot.content.models on read)
-- beside the columns the bot queries by.

CREATE TABLE declaration (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    title TEXT COLLATE "C" NOT NULL,
    json  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE clauses (
    number   BIGINT PRIMARY KEY,
    headline TEXT COLLATE "C" NOT NULL,
    text     TEXT COLLATE "C" NOT NULL,
    json     TEXT COLLATE "C" NOT NULL
);

CREATE TABLE footnotes (
    number BIGINT PRIMARY KEY,
    text   TEXT COLLATE "C" NOT NULL,
    json   TEXT COLLATE "C" NOT NULL
);

CREATE TABLE signatories (
    position        BIGINT PRIMARY KEY,
    name_fr         TEXT COLLATE "C" NOT NULL,
    name_en         TEXT COLLATE "C" NOT NULL,
    entity_type     TEXT COLLATE "C" NOT NULL,
    iso2            TEXT COLLATE "C" UNIQUE,
    iso3            TEXT COLLATE "C" UNIQUE,
    founding_member SMALLINT NOT NULL CHECK (founding_member IN (0, 1)),
    json            TEXT COLLATE "C" NOT NULL
);

-- The events as shipped in data/ (the catalogue a server's own events start from).
CREATE TABLE shipped_events (
    key      TEXT COLLATE "C" PRIMARY KEY,
    start    TEXT COLLATE "C" NOT NULL,
    "end"      TEXT COLLATE "C" NOT NULL,
    json     TEXT COLLATE "C" NOT NULL
);
