"""The bot's small web server: calendar feeds, the public events page, /healthz and /metrics (docs/calendars.md)."""
