-- PostgreSQL counterpart of migrations/sqlite/0005_event_city_fr.sql: same tables and columns. Text is COLLATE "C" (SQLite's
-- BINARY order: times in ISO 8601 and keys compare and sort the same on both stores); ids are BIGINT.
-- Version 5: an event's city as French readers read it ("Genève"), where it differs from `city`.
-- NULL means French readers see `city`. Shipped events fill it in on the next seeding (their
-- shipped record changed), unless the server's moderators edited them.

ALTER TABLE guild_events ADD COLUMN city_fr TEXT COLLATE "C";
