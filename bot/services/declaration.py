"""Reading the declaration: references (`4`, `3.2`, `4-5`, `fn2`), the passages they name, suggestions.

A reference is what a member types after /clause. Accepted forms (case, accents and surrounding
spaces do not matter):

- a clause: `4`, `4.`, `clause 4`, `article 4`, `art. 4`;
- a sub-item: `3.2` (clause 3 numbers its priorities 3.1–3.6 and its actions 3.7–3.9,
  continuously across its two lists, as data/declaration/declaration.toml defines);
- a range of at most MAX_RANGE clauses: `4-5`, `4–6`, `4..6`, `4 to 6`, `4 à 6`, `articles 4-6`;
- a footnote: `fn2`, `fn 2`, `footnote 2`, `note 2`, `n2`, `nbp 2` (French "note de bas de page"),
  or the superscript call itself, `²`.

The canonical text of a reference (`Reference.text`) is what buttons, search hits and autocomplete
values carry: `4`, `3.2`, `4-5`, `fn2`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import discord

from bot.content.models import (
    SUPERSCRIPT_DIGITS,
    Clause,
    ClauseItem,
    Declaration,
    EntityType,
    Footnote,
    Initiative,
    ShippedEvent,
    footnote_calls,
)
from bot.errors import InvalidInputError, NotFoundError
from bot.storage.repositories.content import ContentRepository

MAX_RANGE = 3
MAX_REFERENCE_LENGTH = 50
MAX_SUGGESTIONS = 25
MAX_CLOSEST = 3
# How much of a member's input an error message repeats back.
ECHO_LENGTH = 40
CLOSEST_LABEL_LENGTH = 90

FOOTNOTE_PREFIX = "fn"


class RefKind(StrEnum):
    CLAUSE = "clause"
    RANGE = "range"
    ITEM = "item"
    FOOTNOTE = "footnote"


@dataclass(frozen=True)
class Reference:
    """A place in the declaration. `first`/`last` are clause numbers (equal unless a range); for an
    item `first` is its clause and `rank` its place in it (3.7 -> 3, 7); for a footnote `first` is
    the footnote's number."""

    kind: RefKind
    first: int
    last: int
    rank: int = 0

    @classmethod
    def clause(cls, number: int) -> Reference:
        return cls(RefKind.CLAUSE, number, number)

    @classmethod
    def clauses(cls, first: int, last: int) -> Reference:
        return cls.clause(first) if first == last else cls(RefKind.RANGE, first, last)

    @classmethod
    def item(cls, clause: int, rank: int) -> Reference:
        return cls(RefKind.ITEM, clause, clause, rank)

    @classmethod
    def footnote(cls, number: int) -> Reference:
        return cls(RefKind.FOOTNOTE, number, number)

    @property
    def text(self) -> str:
        if self.kind is RefKind.RANGE:
            return f"{self.first}-{self.last}"
        if self.kind is RefKind.ITEM:
            return f"{self.first}.{self.rank}"
        if self.kind is RefKind.FOOTNOTE:
            return f"{FOOTNOTE_PREFIX}{self.first}"
        return str(self.first)

    def __str__(self) -> str:
        return self.text


# --- Parsing ---------------------------------------------------------------------------------------

_NUMBER = r"(\d{1,6})"
_CLAUSE_WORDS = r"(?:clauses?|articles?|art\.?|§)\s*"
_FOOTNOTE = re.compile(rf"^(?:fn|footnote|note|n|nbp|note de bas de page)\s*\.?\s*{_NUMBER}$")
_ITEM = re.compile(rf"^(?:{_CLAUSE_WORDS})?{_NUMBER}\.{_NUMBER}$")
_RANGE = re.compile(rf"^(?:{_CLAUSE_WORDS})?{_NUMBER}\s*(?:-|\.\.|to|a|au)\s*{_NUMBER}$")
_CLAUSE = re.compile(rf"^(?:{_CLAUSE_WORDS})?{_NUMBER}\.?$")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, compatibility forms unfolded ("Énergie" -> "energie", "²" -> "2")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _compact(raw: str) -> str:
    return re.sub(r"\s+", " ", fold(raw).translate(_DASHES)).strip()


def parse_reference(raw: str) -> Reference | None:
    """The reference `raw` spells, or None when it is not a reference at all.

    Only the syntax is checked here: `7` parses (as clause 7) even though the declaration has six.
    """
    stripped = raw.strip()
    if stripped and all(char in SUPERSCRIPT_DIGITS for char in stripped):
        return Reference.footnote(footnote_calls(stripped)[0])
    text = _compact(stripped)
    if match := _FOOTNOTE.match(text):
        return Reference.footnote(int(match[1]))
    if match := _ITEM.match(text):
        return Reference.item(int(match[1]), int(match[2]))
    if match := _RANGE.match(text):
        return Reference.clauses(int(match[1]), int(match[2]))
    if match := _CLAUSE.match(text):
        return Reference.clause(int(match[1]))
    return None


# --- The addressable passages ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One passage a reference can name: a clause, a sub-item or a footnote."""

    ref: Reference
    headline: str  # the clause headline; the item's headline, else its text; the footnote's text
    text: str  # everything it says, for matching words
    keys: tuple[str, ...]  # the folded ways to type its reference, for matching what is typed
    headline_words: frozenset[str] = field(repr=False)
    text_words: frozenset[str] = field(repr=False)


def _entry(ref: Reference, headline: str, text: str, keys: Iterable[str]) -> Entry:
    return Entry(ref, headline, text, tuple(keys), frozenset(words(headline)), frozenset(words(text)))


def _prefix_of_any(word: str, candidates: Iterable[str]) -> bool:
    return any(candidate.startswith(word) for candidate in candidates)


class ReferenceBook:
    """Every clause, sub-item and footnote of one declaration, and how to find them."""

    def __init__(self, declaration: Declaration) -> None:
        self.declaration = declaration
        entries: list[Entry] = []
        for clause in declaration.clauses:
            n = clause.number
            keys = (str(n), f"clause {n}", f"article {n}", f"art {n}", f"art. {n}")
            entries.append(_entry(Reference.clause(n), clause.headline, clause.text, keys))
            for rank, item in enumerate(clause.items, start=1):
                keys = (item.number, f"clause {item.number}", f"article {item.number}")
                entries.append(_entry(Reference.item(n, rank), item.headline or item.text, item.text, keys))
        for note in declaration.footnotes:
            n = note.number
            keys = (f"fn{n}", f"fn {n}", f"footnote {n}", f"note {n}", f"note{n}", f"n{n}", f"nbp {n}")
            entries.append(_entry(Reference.footnote(n), note.text, note.text, keys))
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_ref = {entry.ref: entry for entry in entries}
        items = [f"{clause.number}.1–{clause.items[-1].number}" for clause in declaration.clauses if clause.items]
        notes = len(declaration.footnotes)
        self._valid_ranges = {
            "clauses": f"1–{self.clause_count}",
            "items": ", ".join(items) or "—",
            "notes": f"{FOOTNOTE_PREFIX}1–{FOOTNOTE_PREFIX}{notes}" if notes else "—",
        }

    @property
    def clause_count(self) -> int:
        return len(self.declaration.clauses)

    def entry(self, ref: Reference) -> Entry | None:
        return self._by_ref.get(ref)

    def exists(self, ref: Reference) -> bool:
        if ref.kind is RefKind.RANGE:
            return 1 <= ref.first <= ref.last <= self.clause_count
        return ref in self._by_ref

    # What the error messages call "the valid range".
    def valid_ranges(self) -> dict[str, str]:
        """What exists, for the error messages: computed with the book, as it is asked on every /clause."""
        return dict(self._valid_ranges)

    # --- Autocomplete --------------------------------------------------------------------------------

    def suggest(self, typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """What to offer while a member types a reference: by number first, then by words."""
        typed = typed[:MAX_REFERENCE_LENGTH]
        compact = _compact(typed)
        if not compact:
            return [Suggestion(entry.ref, entry.headline) for entry in self.entries[:limit]]
        found: list[Suggestion] = []
        parsed = parse_reference(typed)
        if parsed is not None and parsed.kind is RefKind.RANGE and self._fits_range(parsed):
            found.append(Suggestion(parsed, ""))
        by_number = [entry for entry in self.entries if any(key.startswith(compact) for key in entry.keys)]
        found.extend(Suggestion(entry.ref, entry.headline) for entry in by_number)
        if not re.fullmatch(r"[\d.\- ]+", compact):
            typed_words = words(typed)
            in_headline = [
                entry
                for entry in self.entries
                if typed_words and all(_prefix_of_any(word, entry.headline_words) for word in typed_words)
            ]
            in_text = [
                entry
                for entry in self.entries
                if typed_words and all(_prefix_of_any(word, entry.text_words) for word in typed_words)
            ]
            seen = {suggestion.ref for suggestion in found}
            for entry in [*in_headline, *in_text]:
                if entry.ref not in seen:
                    seen.add(entry.ref)
                    found.append(Suggestion(entry.ref, entry.headline))
        return found[:limit]

    def _fits_range(self, ref: Reference) -> bool:
        return self.exists(ref) and ref.last - ref.first + 1 <= MAX_RANGE

    # --- Closest matches for a reference that does not exist -----------------------------------------

    def closest(self, raw: str, parsed: Reference | None, limit: int = MAX_CLOSEST) -> list[Reference]:
        if parsed is None:
            return self._closest_by_words(raw, limit)
        if parsed.kind is RefKind.RANGE:
            return self._closest_ranges(parsed)[:limit]
        if parsed.kind is RefKind.FOOTNOTE:
            numbers = [note.number for note in self.declaration.footnotes]
            return [Reference.footnote(n) for n in _nearest(parsed.first, numbers)][:2]
        if parsed.kind is RefKind.ITEM:
            return self._closest_items(parsed)[:limit]
        found: list[Reference] = []
        digits = str(parsed.first)
        if len(digits) == 2 and self.exists(Reference.item(int(digits[0]), int(digits[1]))):
            found.append(Reference.item(int(digits[0]), int(digits[1])))  # "31" for 3.1
        clause_numbers = range(1, self.clause_count + 1)
        found.extend(Reference.clause(n) for n in _nearest(parsed.first, clause_numbers)[:2])
        return found[:limit]

    def _closest_items(self, parsed: Reference) -> list[Reference]:
        if not 1 <= parsed.first <= self.clause_count:
            numbers = range(1, self.clause_count + 1)
            return [Reference.clause(n) for n in _nearest(parsed.first, numbers)[:2]]
        clause = self.declaration.clause(parsed.first)
        if not clause.items:
            return [Reference.clause(clause.number)]
        ranks = range(1, len(clause.items) + 1)
        return [Reference.item(clause.number, rank) for rank in _nearest(parsed.rank, ranks)[:2]]

    def _closest_ranges(self, parsed: Reference) -> list[Reference]:
        count = self.clause_count
        low, high = sorted((parsed.first, parsed.last))
        low, high = min(max(low, 1), count), min(max(high, 1), count)
        found: list[Reference] = []
        if high - low + 1 <= MAX_RANGE:
            found.append(Reference.clauses(low, high))
        else:
            found.append(Reference.clauses(low, low + MAX_RANGE - 1))
            found.append(Reference.clauses(high - MAX_RANGE + 1, high))
        return list(dict.fromkeys(found))

    def _closest_by_words(self, raw: str, limit: int) -> list[Reference]:
        typed = [word for word in words(raw[: MAX_REFERENCE_LENGTH * 4]) if len(word) >= 3]
        if not typed:
            return []
        scores = Counter[Reference]()
        for entry in self.entries:
            in_headline = sum(_prefix_of_any(word, entry.headline_words) for word in typed)
            in_text = sum(_prefix_of_any(word, entry.text_words) for word in typed)
            if in_text:
                scores[entry.ref] = 2 * in_headline + in_text
        order = {entry.ref: index for index, entry in enumerate(self.entries)}
        ranked = sorted(scores, key=lambda ref: (-scores[ref], order[ref]))
        return ranked[:limit]


def _nearest(target: int, candidates: Iterable[int]) -> list[int]:
    return sorted(candidates, key=lambda candidate: (abs(candidate - target), candidate))


@dataclass(frozen=True)
class Suggestion:
    """An autocomplete offer: the reference and its headline (empty for a range)."""

    ref: Reference
    headline: str


# --- Passages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """What /clause shows for one reference, with what it links to."""

    ref: Reference
    source_url: str
    english_text_url: str | None = None  # offered to English readers beside the French original
    clauses: tuple[Clause, ...] = ()  # a clause, or the clauses of a range
    item: ClauseItem | None = None
    footnote: Footnote | None = None
    footnotes: tuple[Footnote, ...] = ()  # the footnotes the text shown calls
    initiatives: tuple[Initiative, ...] = ()
    events: tuple[ShippedEvent, ...] = ()
    previous: Reference | None = None
    next: Reference | None = None
    parent: Reference | None = None  # an item's clause; the clause or item a footnote is called from
    called_from_title: str | None = None  # the declaration's title, for a footnote called from it


@dataclass(frozen=True)
class Overview:
    declaration: Declaration
    signatories: dict[EntityType, int]  # every entity type, in the enum's order, with its count

    @property
    def signatory_count(self) -> int:
        return sum(self.signatories.values())


def echo(raw: str, *, limit: int = ECHO_LENGTH) -> str:
    """A member's input, shortened and made inert (no markdown, no mention), to repeat it back."""
    flat = " ".join(raw.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return discord.utils.escape_mentions(discord.utils.escape_markdown(flat))


def cut_label(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut at a word boundary with "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:") + "…"


class DeclarationService:
    def __init__(self, content: ContentRepository) -> None:
        self._content = content
        # Content changes only when data/ does, and the store is re-seeded at start-up before any command:
        # reading, validating and folding the whole declaration once per process, not once per keystroke.
        self._book: ReferenceBook | None = None
        self._shipped_events: dict[str, ShippedEvent] | None = None
        # Keyed by resolved reference, so it holds at most one passage per place in the declaration.
        self._passages: dict[Reference, Passage] = {}

    async def book(self) -> ReferenceBook:
        if self._book is None:
            self._book = ReferenceBook(await self._content.declaration())
        return self._book

    async def _shipped_by_key(self) -> dict[str, ShippedEvent]:
        if self._shipped_events is None:
            self._shipped_events = {event.key: event for event in await self._content.shipped_events()}
        return self._shipped_events

    async def suggestions(self, typed: str) -> list[Suggestion]:
        return (await self.book()).suggest(typed)

    async def passage(self, raw: str) -> Passage:
        """The passage `raw` names; a short, translated error with the closest matches otherwise."""
        book = await self.book()
        ref = self._resolve(book, raw)
        passage = self._passages.get(ref)
        if passage is None:
            passage = self._passages[ref] = await self._passage(book, ref)
        return passage

    async def overview(self) -> Overview:
        declaration = await self._content.declaration()
        counts = Counter(signatory.entity_type for signatory in await self._content.signatories())
        return Overview(declaration, {kind: counts.get(kind, 0) for kind in EntityType})

    # --- Resolution -----------------------------------------------------------------------------------

    def _resolve(self, book: ReferenceBook, raw: str) -> Reference:
        valid = book.valid_ranges()
        if not raw.strip():
            raise InvalidInputError("declaration.errors.empty_ref", **valid)
        if len(raw) > MAX_REFERENCE_LENGTH:
            raise InvalidInputError("declaration.errors.ref_too_long", max=MAX_REFERENCE_LENGTH, **valid)
        parsed = parse_reference(raw)
        if parsed is None:
            closest = book.closest(raw, None)
            if not closest:
                raise InvalidInputError("declaration.errors.bad_ref", ref=echo(raw), **valid)
            raise InvalidInputError(
                "declaration.errors.bad_ref_closest", ref=echo(raw), closest=self._list(book, closest), **valid
            )
        # The closest matches and the echoed input are worked out only for an answer that needs them.
        if parsed.kind is RefKind.RANGE and parsed.first > parsed.last:
            closest = self._list(book, book.closest(raw, parsed))
            raise InvalidInputError("declaration.errors.reversed_range", ref=echo(raw), closest=closest)
        if parsed.kind is RefKind.RANGE and parsed.last - parsed.first + 1 > MAX_RANGE:
            closest = self._list(book, book.closest(raw, parsed))
            raise InvalidInputError("declaration.errors.range_too_wide", ref=echo(raw), max=MAX_RANGE, closest=closest)
        if not book.exists(parsed):
            closest = self._list(book, book.closest(raw, parsed))
            raise NotFoundError("declaration.errors.no_such_ref", ref=echo(raw), closest=closest, **valid)
        return parsed

    @staticmethod
    def _list(book: ReferenceBook, refs: Sequence[Reference]) -> str:
        """The closest matches as lines: the reference to type, then its headline."""
        lines = []
        for ref in refs:
            entry = book.entry(ref)
            headline = f" {cut_label(entry.headline, CLOSEST_LABEL_LENGTH)}" if entry else ""
            lines.append(f"• `{ref.text}`{headline}")
        return "\n".join(lines)

    async def _passage(self, book: ReferenceBook, ref: Reference) -> Passage:
        declaration = book.declaration
        common = {"ref": ref, "source_url": declaration.source_url, "english_text_url": declaration.english_text_url}
        if ref.kind is RefKind.FOOTNOTE:
            note = declaration.footnote(ref.first)
            place = None if note.called_from == "title" else parse_reference(note.called_from)
            count = len(declaration.footnotes)
            return Passage(
                **common,
                footnote=note,
                previous=Reference.footnote(ref.first - 1) if ref.first > 1 else None,
                next=Reference.footnote(ref.first + 1) if ref.first < count else None,
                parent=place,
                called_from_title=declaration.title if place is None else None,
            )
        if ref.kind is RefKind.ITEM:
            clause = declaration.clause(ref.first)
            item = clause.items[ref.rank - 1]
            return Passage(
                **common,
                item=item,
                footnotes=self._footnotes(declaration, footnote_calls(item.text)),
                initiatives=tuple(i for i in declaration.initiatives if i.item == item.number),
                previous=Reference.item(clause.number, ref.rank - 1) if ref.rank > 1 else None,
                next=Reference.item(clause.number, ref.rank + 1) if ref.rank < len(clause.items) else None,
                parent=Reference.clause(clause.number),
            )
        clauses = tuple(declaration.clause(n) for n in range(ref.first, ref.last + 1))
        events = await self._shipped_by_key()
        width = ref.last - ref.first + 1
        count = book.clause_count
        return Passage(
            **common,
            clauses=clauses,
            footnotes=self._footnotes(declaration, (n for clause in clauses for n in clause.footnotes)),
            initiatives=tuple(declaration.initiative(key) for clause in clauses for key in clause.initiatives),
            events=tuple(events[key] for clause in clauses for key in clause.events if key in events),
            previous=Reference.clauses(max(1, ref.first - width), ref.first - 1) if ref.first > 1 else None,
            next=Reference.clauses(ref.last + 1, min(count, ref.last + width)) if ref.last < count else None,
        )

    @staticmethod
    def _footnotes(declaration: Declaration, numbers: Iterable[int]) -> tuple[Footnote, ...]:
        return tuple(declaration.footnote(n) for n in dict.fromkeys(numbers))
