"""Lead times as members type them: "1d, 1h", "90m", "2d 3h", "1w"; and as they read them: "1 day 2 hours".

Commas separate lead times; inside one, parts combine ("2d 3h" is one lead of 51 hours). Writing a
unit a second time starts a new lead ("1h 30m 15m" is 1 h 30 min and 15 min). Each lead is 1 minute
to 60 days; a subscription has at most MAX_LEADS of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.errors import InvalidInputError
from bot.i18n import t

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

MIN_LEAD = MINUTE
MAX_LEAD = 60 * DAY
MAX_LEADS = 5
MAX_TYPED = 100

# Letters a member may type for each unit ("j" is French for jour).
_UNITS = {"w": WEEK, "d": DAY, "j": DAY, "h": HOUR, "m": MINUTE}
_NAMES = (("week", WEEK), ("day", DAY), ("hour", HOUR), ("minute", MINUTE))
_PART = re.compile(r"(\d{1,6})\s*([wdjhm])")
_SEPARATORS = re.compile(r"[,;]")

# The presets offered by autocomplete, as typed.
PRESETS = ("1w", "1d", "1h", "15m")


def parse_leads(typed: str) -> tuple[int, ...]:
    """The lead times in seconds, longest first, without repeats; InvalidInputError for anything else."""
    text = typed.strip().lower()
    if not text or len(text) > MAX_TYPED:
        raise InvalidInputError("reminders.errors.bad_lead", typed=_shown(typed))
    leads: list[int] = []
    for chunk in _SEPARATORS.split(text):
        if not chunk.strip():
            continue
        leads.extend(_parse_chunk(chunk, typed))
    if not leads:
        raise InvalidInputError("reminders.errors.bad_lead", typed=_shown(typed))
    unique = tuple(sorted(set(leads), reverse=True))
    for lead in unique:
        if not MIN_LEAD <= lead <= MAX_LEAD:
            raise InvalidInputError("reminders.errors.lead_out_of_range", typed=_shown(typed))
    if len(unique) > MAX_LEADS:
        raise InvalidInputError("reminders.errors.too_many_leads", limit=MAX_LEADS)
    return unique


def _parse_chunk(chunk: str, typed: str) -> list[int]:
    position = 0
    leads: list[int] = []
    current = 0
    seen: set[int] = set()
    for match in _PART.finditer(chunk):
        if chunk[position : match.start()].strip():
            raise InvalidInputError("reminders.errors.bad_lead", typed=_shown(typed))
        position = match.end()
        unit = _UNITS[match.group(2)]
        if unit in seen:  # the same unit again: a new lead time starts
            leads.append(current)
            current, seen = 0, set()
        seen.add(unit)
        current += int(match.group(1)) * unit
    if chunk[position:].strip() or not seen:
        raise InvalidInputError("reminders.errors.bad_lead", typed=_shown(typed))
    leads.append(current)
    return leads


def lead_code(seconds: int) -> str:
    """The compact typed form: 5400 -> "1h 30m", 604800 -> "1w"."""
    parts = []
    rest = seconds
    for letter, unit in (("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)):
        count, rest = divmod(rest, unit)
        if count:
            parts.append(f"{count}{letter}")
    return " ".join(parts) or "0m"


def describe_lead(seconds: int, lang: str, *, attributive: bool = False) -> str:
    """ "1 day 2 hours", "1 jour 2 heures"; weeks only when the whole lead is in weeks.

    `attributive` is the form placed before a noun: "2-day 3-hour" in "your 2-day 3-hour reminder"
    (English hyphenates and does not pluralise there; the catalogue holds each language's form).
    """
    names = _NAMES if seconds % WEEK == 0 else _NAMES[1:]
    suffix = "_attributive" if attributive else ""
    parts = []
    rest = seconds
    for name, unit in names:
        count, rest = divmod(rest, unit)
        if count:
            parts.append(t(f"reminders.units.{name}{suffix}", lang, n=count))
    return " ".join(parts)


def describe_leads(leads: Iterable[int], lang: str) -> str:
    """ "1 day, 1 hour" — longest first."""
    return ", ".join(describe_lead(lead, lang) for lead in sorted(leads, reverse=True))


def _shown(typed: str) -> str:
    return " ".join(typed.replace("`", "'").split())[:MAX_TYPED]
