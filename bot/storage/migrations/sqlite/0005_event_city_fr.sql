-- Version 5: an event's city as French readers read it ("Genève"), where it differs from `city`.
-- NULL means French readers see `city`. Shipped events fill it in on the next seeding (their
-- shipped record changed), unless the server's moderators edited them.

ALTER TABLE guild_events ADD COLUMN city_fr TEXT;
