"""Turning domain results into Discord embeds and views, in the reader's language."""
