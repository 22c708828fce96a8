"""A server's events: the service, its listeners (announcements, scheduled-event mirror) and shipped-event seeding."""
