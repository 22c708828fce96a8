"""Hostile option values: what a careless, curious or malicious member may type into any option.

`value_strategy(option, ...)` reads an option's registered definition (type, choices, lengths, bounds)
and mixes the corpus below with generated text, so the values stay ones a Discord client would send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from .commands import ATTACHMENT, BOOLEAN, CHANNEL, INTEGER, MENTIONABLE, NUMBER, ROLE, STRING, USER

# Discord clients send at most 6,000 characters in a string option, and integers within ±2^53.
MAX_STRING = 6000
MAX_INTEGER = 2**53

UNICODE = [
    "",
    " ",
    "   \t ",
    "\u200b",  # zero-width space
    "\u200d\u200c\u2060\ufeff",  # zero-width joiner, non-joiner, word joiner, BOM
    "\u200f",  # right-to-left mark
    "\u202eelbat\u202c",  # right-to-left override
    "\u061c\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # Arabic letter mark + Arabic
    "שלום \u05e2\u05d5\u05dc\u05dd",
    "e\u0301nergie",  # decomposed é
    "ÉNERGIE",
    "Côte d’Ivoire",
    "🇫🇷🏳️‍🌈👩‍👩‍👧‍👦",
    "𝕰𝖓𝖊𝖗𝖌𝖎𝖊",
    "Z\u0351\u0352\u0357a\u0334\u0335\u0336l\u0337g\u0338o",  # zalgo
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\n\n\n",
    "\r\n",
    "ﷺ﷽",
    "İı",
    "ß",
    "\ud7ff\ue000\uffff",
]
INJECTION = [
    "'; DROP TABLE guild_events; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT * FROM sqlite_master",
    "%",
    "_",
    "\\",
    "NULL",
    "énergie OR",
    "AND",
    "NOT énergie",
    "NEAR(ia énergie)",
    '"unterminated',
    "text:énergie",
    "search_index:x",
    "*",
    "^ia",
    "ia* OR énergie*",
    "(",
    ")",
    "{text}: ia",
    "-ia",
    "+",
    "a:b:c",
    '"" ""',
    "${jndi:ldap://x}",
    "{0}{name}{}",
    "%s%n%x",
    "../../etc/passwd",
]
DISCORD = [
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#789>",
    "</about:1>",
    "<t:0:R>",
    "<:emoji:1>",
    "**bold** __under__ *it*",
    "```py\nprint('x')\n```",
    "`",
    "||spoiler||",
    "~~strike~~",
    "[link](https://evil.example/)",
    "# heading",
    "> quote",
    "-# small",
    "https://discord.gg/invite",
]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "00004",
    "4.",
    "4.0",
    "1e309",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "NaN",
    "inf",
    "1.2.3",
    "٣",  # Arabic-Indic digit 3
    "Ⅳ",
    "½",
    "0x10",
    "1_000",
]
DATES = [
    "2025-02-30",
    "2025-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31 23:59",
    "10000-01-01",
    "-2025-01-01",
    "2025-02-11T25:61",
    "2025-02-11 24:00",
    "2027-03-15 09:00 +99:00",
    "2027-H3",
    "2027-Q5",
    "Q0 2027",
    "2027-W60",
    "yesterday",
    "TBA",
    "2027-03-15/2027-03-14",
    "1970-01-01",
    "2038-01-19 03:14",
    # Plausible ones too, so the rest of the command is reached.
    "2027-03-15",
    "2027-03-15 09:00",
    "2027-03",
    "2027-Q2",
    "2027-H2",
    "2027",
]
ZONES = [
    "Europe/Atlantis",
    "UTC+99",
    "Etc/GMT+14",
    "Etc/GMT-15",
    "europe/paris",
    "Europe/Paris\u200b",
    " Europe/Paris ",
    "posix/Europe/Paris",
    "right/UTC",
    "localtime",
    "Factory",
    "EST5EDT",
    "Z",
    "../../../../etc/passwd",
    "Europe/Paris",
    "UTC",
]
URLS = [
    "javascript:alert(1)",
    "http://",
    "https://",
    "ftp://example.org/x",
    "https://exa mple.org",
    "data:text/html,<script>alert(1)</script>",
    "https://example.org/" + "a" * 3000,
    "https://例え.jp/パス",
    "https://example.org/forum",
]
LONG = [
    "x" * MAX_STRING,
    "é" * MAX_STRING,
    "\u200b" * MAX_STRING,
    ("word " * 1200)[:MAX_STRING],
    ("@everyone " * 600)[:MAX_STRING],
    ("<@&456> " * 750)[:MAX_STRING],
    "🇫🇷" * (MAX_STRING // 2),
]
CORPUS: tuple[str, ...] = tuple(UNICODE + INJECTION + DISCORD + NUMBERS + DATES + ZONES + URLS + LONG)
# What a member means in free text more often than not: a date or day, which also reads as a name or a reason.
PLAUSIBLE: tuple[str, ...] = ("2031-06-01 10:00", "2031-06-02", "2031-Q3", "2031")

# Text from every Unicode category a client can send (lone surrogates cannot be encoded in JSON).
_ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
_ODD_CHARACTER = st.sampled_from(["\u200b", "\u200f", "\u202e", "\u0301", "\x00", "@", "<", ">", "*", "`", '"', "'"])


def hostile_text(min_size: int = 0, max_size: int = MAX_STRING) -> st.SearchStrategy[str]:
    """Corpus entries, generated text, and corpus pieces glued together, within the length bounds."""
    max_size = min(max_size, MAX_STRING)
    generated = st.text(st.one_of(_ANY_CHARACTER, _ODD_CHARACTER), max_size=min(max_size, 300))
    glued = st.lists(st.sampled_from(CORPUS), min_size=2, max_size=4).map("".join)
    return (
        st.one_of(st.sampled_from(CORPUS), generated, glued)
        .map(lambda text: text[:max_size])
        .filter(lambda text: len(text) >= min_size)
    )


def value_strategy(
    option: dict[str, Any], *, suggestions: Sequence[Any] = (), entities: Mapping[int, Sequence[Any]] | None = None
) -> st.SearchStrategy[Any]:
    """Values a client would let a member send for this option.

    `suggestions`: what autocomplete offered; `entities`: by option type (user, role, channel, mentionable),
    what such an option may name in the server.
    """
    kind = option["type"]
    choices = option.get("choices")
    if choices:
        return st.sampled_from([choice["value"] for choice in choices])
    if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
        named = list((entities or {}).get(kind, ()))
        assert named, f"no entity to name in a {kind}-typed option"
        return st.sampled_from(named)
    if kind == ATTACHMENT:
        return st.tuples(st.sampled_from(["a.ics", "../x", "é.txt", ".", "x" * 200]), st.binary(max_size=2048))
    if kind == BOOLEAN:
        return st.booleans()
    if kind in (INTEGER, NUMBER):
        low = max(option.get("min_value", -MAX_INTEGER), -MAX_INTEGER)
        high = min(option.get("max_value", MAX_INTEGER), MAX_INTEGER)
        extremes = st.sampled_from([v for v in (low, high, 0, -1, 1) if low <= v <= high] or [low])
        if kind == INTEGER:
            return st.one_of(extremes, st.integers(low, high))
        return st.one_of(extremes, st.floats(low, high, allow_nan=False, allow_infinity=False))
    assert kind == STRING, f"unknown option type {kind}"
    text = hostile_text(option.get("min_length", 0), option.get("max_length", MAX_STRING))
    offered = [s for s in suggestions if isinstance(s, str)]
    return st.one_of(st.sampled_from(offered), text) if offered else text


def plausible_strategy(
    option: dict[str, Any], *, suggestions: Sequence[Any] = (), entities: Mapping[int, Sequence[Any]] | None = None
) -> st.SearchStrategy[Any]:
    """A value that lets the command go on, so a hostile value in another option reaches deeper code."""
    if option["type"] == STRING and not option.get("choices"):
        offered = [s for s in suggestions if isinstance(s, str)]
        return st.sampled_from(offered or PLAUSIBLE)
    return value_strategy(option, suggestions=suggestions, entities=entities)
