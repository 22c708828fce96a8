-- Version 2: full-text search over the declaration (/search).
-- One document per clause paragraph (headline and body), per sub-item and per footnote, each with the
-- reference /clause understands ("4", "3.7", "fn2"). Rebuilt with the content tables whenever data/
-- changes (ContentRepository.seed); nothing here is users' data.

CREATE TABLE search_documents (
    id       INTEGER PRIMARY KEY,
    ref      TEXT NOT NULL UNIQUE,
    kind     TEXT NOT NULL CHECK (kind IN ('clause', 'item', 'footnote')),
    position INTEGER NOT NULL,  -- reading order, to break ties between equally relevant hits
    text     TEXT NOT NULL
) STRICT;

-- An external-content index over search_documents.text: accents and case are folded by the tokenizer,
-- so "energie" finds "énergie". (Virtual tables cannot be STRICT.)
CREATE VIRTUAL TABLE search_index USING fts5(
    text,
    content = 'search_documents',
    content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2"
);

-- A store seeded before this version has its content hash recorded, so the next start would skip
-- seeding and leave the new index empty: forgetting the hash makes that start re-seed (and index).
DELETE FROM meta WHERE key = 'content_hash';
