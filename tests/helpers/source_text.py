"""What the source document says, passage by passage, to compare with what the bot shows.

Everything here is derived from data/declaration/source.md with the fidelity test's own reading of it
(its `parse_source`, `normalize` and `fold`, imported rather than copied): the bot's data and code are
not consulted, so a passage the bot shows wrongly cannot be "expected" wrongly too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from tests.unit.test_fidelity import _CLAUSE_LINE, SOURCE_PATH, Source, fold, normalize, parse_source

__all__ = ["clause_text", "fold", "footnote_text", "item_text", "range_text", "shown_text", "source"]

_ITEM_LINE = re.compile(r"^\s*-\s+")
# What the bot adds around the quoted words: a number in a code span at the start of a line, bold
# markers, and backslashes that keep markdown characters literal.
_MARKER = re.compile(r"(?m)^`[0-9.]+` ")
# One pass, left to right, so that an escaped asterisk next to a bold marker is read as the bot wrote it.
_ADDED = re.compile(r"\\([^\w\s]|_)|\*\*")


@cache
def source() -> Source:
    return parse_source(SOURCE_PATH.read_text(encoding="utf-8"))


def _clause_starts() -> dict[int, int]:
    body = source().body
    return {number: body.index(normalize(line)) for number, line in source().clause_lines.items()}


def clause_text(number: int) -> str:
    """Clause `number` as the source reads it (its lists included), whitespace folded."""
    return range_text(number, number)


def range_text(first: int, last: int) -> str:
    starts = _clause_starts()
    body = source().body
    end = starts.get(last + 1, len(body))
    return body[starts[first] : end].strip()


def item_text(clause: int, rank: int) -> str:
    """The `rank`-th list item of `clause`, counting across the clause's lists as the source orders them."""
    lines = source().body_lines
    numbers = source().clause_lines
    start = lines.index(numbers[clause]) + 1
    end = lines.index(numbers[clause + 1]) if clause + 1 in numbers else len(lines)
    items = [line for line in lines[start:end] if _ITEM_LINE.match(line) and not _CLAUSE_LINE.match(line)]
    return normalize(items[rank - 1])


def footnote_text(number: int) -> str:
    return source().footnotes[number]


def shown_text(descriptions: Iterable[str]) -> str:
    """The declaration's words in embed descriptions, without what the bot added around them."""
    text = " ".join(_MARKER.sub("", description) for description in descriptions)
    return fold(_ADDED.sub(lambda match: match[1] or "", text))
