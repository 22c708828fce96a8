"""Typed access to the store: every SQL statement of the bot lives in this package."""
