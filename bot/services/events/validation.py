"""Limits on what moderators type, so every event fits Discord (embeds, buttons, scheduled events)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from bot.errors import InvalidInputError
from bot.events.places import is_country_code

NAME_LIMIT = 100  # an autocomplete choice and a scheduled event's name
DESCRIPTION_LIMIT = 1000  # a scheduled event's description
PLACE_LIMIT = 100  # venue, city
REASON_LIMIT = 300
URL_LIMIT = 512  # a link button's url
KEY_LIMIT = 64

KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

_LIMITS = {
    "name": NAME_LIMIT,
    "description": DESCRIPTION_LIMIT,
    "venue": PLACE_LIMIT,
    "city": PLACE_LIMIT,
    "reason": REASON_LIMIT,
}


def clean_text(value: str | None, what: str) -> str | None:
    """The text trimmed, None when empty; refused over its limit (`what` is name, description, venue …)."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    limit = _LIMITS[what]
    if len(cleaned) > limit:
        raise InvalidInputError(f"events.errors.too_long_{what}", length=len(cleaned), limit=limit)
    return cleaned


def required_text(value: str | None, what: str) -> str:
    cleaned = clean_text(value, what)
    if cleaned is None:
        raise InvalidInputError(f"events.errors.empty_{what}")
    return cleaned


def clean_url(value: str | None) -> str | None:
    """An http(s) address with a host and no spaces, at most URL_LIMIT characters."""
    if value is None or not value.strip():
        return None
    url = value.strip()
    parts = urlsplit(url)
    if (
        len(url) > URL_LIMIT
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(char.isspace() for char in url)
    ):
        raise InvalidInputError("events.errors.bad_url", limit=URL_LIMIT)
    return url


def clean_country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not is_country_code(code):
        raise InvalidInputError("events.errors.bad_country")
    return code


def clean_key(value: str) -> str:
    key = value.strip().lower()
    if len(key) > KEY_LIMIT or not KEY_PATTERN.match(key):
        raise InvalidInputError("events.errors.bad_key", limit=KEY_LIMIT)
    return key


def slug(text: str, limit: int = KEY_LIMIT) -> str:
    """ "Sommet de Genève 2027" -> "sommet-de-geneve-2027"; "event" when nothing is left."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(char for char in plain if char.isascii())
    words = re.findall(r"[a-z0-9]+", ascii_only)
    key = ""
    for word in words:
        candidate = f"{key}-{word}" if key else word
        if len(candidate) > limit:
            break
        key = candidate
    return key or "event"
