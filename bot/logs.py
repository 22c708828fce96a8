"""Logging set-up, with a filter that keeps secrets (the bot token, the database password) out of every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "[token hidden]"


class SecretRedactor(logging.Filter):
    """Replace every known secret in a record's message, arguments and traceback text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self._scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class OneLineWarnings(logging.Filter):
    """A library's warning that an operator can act on without its traceback: the exception in one line.

    asyncpg's pool logs "Failed to restore the pool connection floor" with a full traceback for every
    failed reconnect while PostgreSQL is down; the bot already says the store is unavailable."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.WARNING and record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg, record.args = f"{record.getMessage()}: {type(error).__name__}: {error}", None
            record.exc_info, record.exc_text = None, None
        return True


# Loggers of libraries whose warnings are told in one line (see OneLineWarnings).
ONE_LINE_LOGGERS = ("asyncpg.pool",)


def configure_logging(level: str, secrets: Iterable[str] = (), stream=None) -> logging.Handler:
    """Send logs to stderr (or `stream`) through the redactor; return the handler so callers can remove it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactor(secrets))
    for name in ONE_LINE_LOGGERS:
        library = logging.getLogger(name)
        if not any(isinstance(existing, OneLineWarnings) for existing in library.filters):
            library.addFilter(OneLineWarnings())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's own gateway chatter is DEBUG-only noise at INFO.
    logging.getLogger("discord.gateway").setLevel(max(logging.getLevelName(level), logging.INFO))
    return handler
