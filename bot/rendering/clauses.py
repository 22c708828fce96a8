"""/clause embeds: a clause, a range, a sub-item or a footnote, split into pages within Discord's limits.

The declaration's text is quoted verbatim. What the bot adds around it is recognisable and never
mixed into the words: headlines in bold (as in the source), sub-item numbers in a code span at the
start of their line (`3.1`), clause numbers likewise in a range. A text too long for one embed is
cut between paragraphs, else between sentences, else between words, and continues on the next page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import discord

from bot.content.models import Clause, DatePrecision, EventStatus, ShippedEvent
from bot.i18n import language_for, t
from bot.rendering.style import BRAND_COLOUR
from bot.services.declaration import Passage, Reference, RefKind, Suggestion, cut_label

DESCRIPTION_LIMIT = 4096
EMBED_LIMIT = 6000
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
CHOICE_NAME_LIMIT = 100
# A block is not started at the bottom of a page with fewer characters than this: it moves on whole.
MIN_PIECE = 400
_SENTENCE_ENDS = ".!?:;…"


def quote_text(text: str) -> str:
    """Declaration text as Discord shows it literally: markdown characters escaped, words untouched."""
    return discord.utils.escape_markdown(text)


# --- Splitting text --------------------------------------------------------------------------------


def _cut(text: str, limit: int, *, must_advance: bool) -> int:
    """How many characters of `text` the next piece takes (at most `limit`), ending before a word.

    Prefers a paragraph break in the second half of the room, then a sentence end in its last two
    thirds, then the last space. Returns 0 when no boundary fits and `must_advance` is false; when it
    is true, a single word longer than `limit` (no real text has one) is the only thing ever cut inside.
    """
    if len(text) <= limit:
        return len(text)
    best_word = best_sentence = best_paragraph = 0
    run_start = -1  # where the whitespace before position i began
    for i in range(1, limit + 1):
        if not text[i - 1].isspace():
            run_start = -1
            continue
        if run_start < 0:
            run_start = i - 1
        if text[i].isspace():
            continue
        best_word = i
        if "\n" in text[run_start:i]:
            best_paragraph = i
        if run_start > 0 and text[run_start - 1] in _SENTENCE_ENDS:
            best_sentence = i
    if best_paragraph >= limit // 2:
        return best_paragraph
    if best_sentence >= limit // 3:
        return best_sentence
    if best_word:
        return best_word
    return max(1, limit) if must_advance else 0


def split_text(text: str, limit: int) -> list[str]:
    """`text` in consecutive pieces of at most `limit` characters; joined back they are `text`.

    Each piece but the last ends with the whitespace before the next piece's first word.
    """
    pieces = []
    start = 0
    while start < len(text):
        cut = _cut(text[start:], limit, must_advance=True)
        pieces.append(text[start : start + cut])
        start += cut
    return pieces or [""]


# --- Blocks of quoted text and pages of them ---------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph, list heading or list item, quoted verbatim."""

    text: str
    bold: int = 0  # the first `bold` characters are the headline, shown in bold
    marker: str = ""  # a number shown before the text, e.g. "3.1"
    gap: str = "\n\n"  # what separates it from the block before it on the same page


def _bold(text: str) -> str:
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}**{quote_text(core)}**{trail}"


def render_piece(block: Block, start: int, end: int) -> str:
    """Characters start..end of a block as markdown (the marker only on its first piece)."""
    marker = f"`{block.marker}` " if block.marker and start == 0 else ""
    bold_end = min(end, block.bold)
    headline = _bold(block.text[start:bold_end]) if start < bold_end else ""
    rest = quote_text(block.text[max(start, block.bold) : end])
    return (marker + headline + rest).rstrip()


def _fit(block: Block, start: int, room: int, *, must_advance: bool) -> int:
    """How many characters of `block` from `start` render within `room` characters, cut between words."""
    window = room
    while window > 0:
        cut = _cut(block.text[start:], window, must_advance=must_advance)
        if cut == 0:
            return 0
        overshoot = len(render_piece(block, start, start + cut)) - room
        if overshoot <= 0:
            return cut
        window = min(window, cut) - overshoot  # markdown (escapes, bold) took the difference
    return 0


def paginate(blocks: Sequence[Block], limit: int = DESCRIPTION_LIMIT) -> list[str]:
    """Pack blocks into descriptions of at most `limit` characters, splitting a block only when it
    does not fit on a page of its own, or when a worthwhile part of it fits at the bottom of one."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        start = 0
        while start < len(block.text):
            gap = block.gap if current else ""
            room = limit - len(current) - len(gap)
            whole = render_piece(block, start, len(block.text))
            if len(whole) <= room:
                current += gap + whole
                break
            cut = 0
            if room >= MIN_PIECE or not current:
                cut = _fit(block, start, room, must_advance=not current)
            if cut == 0:
                if not current:
                    raise ValueError(f"a page of {limit} characters cannot hold any of this block")
                pages.append(current)
                current = ""
                continue
            current += gap + render_piece(block, start, start + cut)
            start += cut
            pages.append(current)
            current = ""
    if current or not pages:
        pages.append(current)
    return pages


# --- Fields and pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    value: str


def _split_field(name: str, value: str) -> list[Field]:
    name = cut_label(name, FIELD_NAME_LIMIT - 8)
    parts = [part.strip() or "—" for part in split_text(value, FIELD_VALUE_LIMIT)]  # Discord refuses empty values
    if len(parts) == 1:
        return [Field(name, parts[0])]
    return [Field(f"{name} ({index}/{len(parts)})", part) for index, part in enumerate(parts, start=1)]


def build_pages(
    *,
    title: str,
    descriptions: Sequence[str],
    fields: Sequence[Field] = (),
    url: str | None = None,
    footer: str | None = None,
) -> list[discord.Embed]:
    """One embed per description; the fields go on the last page, or on pages of their own when the
    last page has no room for them (6,000 characters and 25 fields per embed)."""

    def page(description: str | None) -> discord.Embed:
        embed = discord.Embed(title=title, description=description or None, url=url, colour=BRAND_COLOUR)
        if footer:
            embed.set_footer(text=footer)
        return embed

    pages = [page(description) for description in descriptions] or [page(None)]
    for field in (part for item in fields for part in _split_field(item.name, item.value)):
        last = pages[-1]
        if len(last.fields) >= MAX_FIELDS or len(last) + len(field.name) + len(field.value) > EMBED_LIMIT:
            last = page(None)
            pages.append(last)
        last.add_field(name=field.name, value=field.value, inline=False)
    return pages


# --- A passage ----------------------------------------------------------------------------------------


def ref_label(ref: Reference, locale: discord.Locale | str) -> str:
    """How a reference reads in a title or a button: "Clause 4", "Clauses 4–6", "Item 3.2", "Footnote 2"."""
    if ref.kind is RefKind.RANGE:
        return t("declaration.ref.range", locale, first=ref.first, last=ref.last)
    if ref.kind is RefKind.ITEM:
        return t("declaration.ref.item", locale, number=ref.text)
    if ref.kind is RefKind.FOOTNOTE:
        return t("declaration.ref.footnote", locale, number=ref.first)
    return t("declaration.ref.clause", locale, number=ref.first)


def passage_title(passage: Passage, locale: discord.Locale | str) -> str:
    if passage.ref.kind is RefKind.ITEM:
        return t("declaration.clause.item_title", locale, clause=passage.ref.first, number=passage.ref.text)
    return ref_label(passage.ref, locale)


def clause_blocks(clause: Clause, *, numbered: bool = False) -> list[Block]:
    """A clause as it reads: its paragraph (headline in bold), then its lists, one item per line."""
    blocks = [Block(clause.paragraph, bold=len(clause.headline), marker=str(clause.number) if numbered else "")]
    for clause_list in clause.lists:
        if clause_list.heading:
            blocks.append(Block(clause_list.heading, bold=len(clause_list.heading)))
        for index, item in enumerate(clause_list.items):
            gap = "\n\n" if index == 0 and not clause_list.heading else "\n"
            blocks.append(Block(item.text, bold=len(item.headline or ""), marker=item.number, gap=gap))
    return blocks


def passage_blocks(passage: Passage) -> list[Block]:
    if passage.footnote is not None:
        return [Block(passage.footnote.text)]
    if passage.item is not None:
        return [Block(passage.item.text, bold=len(passage.item.headline or ""))]
    numbered = len(passage.clauses) > 1
    return [block for clause in passage.clauses for block in clause_blocks(clause, numbered=numbered)]


def passage_fields(passage: Passage, locale: discord.Locale | str) -> list[Field]:
    """What stands beneath the text: the footnotes it calls, the initiatives and milestones it names."""
    english = language_for(locale) == "en"
    fields = [
        Field(t("declaration.ref.footnote", locale, number=note.number), quote_text(note.text))
        for note in passage.footnotes
    ]
    for initiative in passage.initiatives:
        name = initiative.name_en if english else initiative.name_fr
        description = initiative.description_en if english else initiative.description_fr
        fields.append(Field(t("declaration.clause.initiative", locale, name=name), quote_text(description)))
    for event in passage.events:
        name = event.name_en if english else event.name_fr
        fields.append(Field(t("declaration.clause.milestone", locale, name=name), event_summary(event, locale)))
    if passage.footnote is not None:
        if passage.parent is not None:
            where = t("declaration.clause.called_from_ref", locale, label=ref_label(passage.parent, locale))
        else:
            where = t("declaration.clause.called_from_title", locale, title=quote_text(passage.called_from_title or ""))
        fields.append(Field(t("declaration.clause.called_from", locale), where))
    return fields


def passage_pages(passage: Passage, locale: discord.Locale | str) -> list[discord.Embed]:
    return build_pages(
        title=passage_title(passage, locale),
        descriptions=paginate(passage_blocks(passage)),
        fields=passage_fields(passage, locale),
        url=passage.source_url,
        footer=t("declaration.clause.footer", locale),
    )


class RenderedPassages:
    """Each passage's pages in each language, rendered once per bot: a passage only changes with data/,
    which is read at start-up, and rendering one (escaping and paging up to 6,000 characters) is most of
    what /clause costs. Bounded, least recently used first out; the embeds are shared, never modified."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._pages: OrderedDict[tuple[str, str], list[discord.Embed]] = OrderedDict()

    def pages(self, passage: Passage, locale: discord.Locale | str) -> list[discord.Embed]:
        key = (passage.ref.text, language_for(locale))
        pages = self._pages.get(key)
        if pages is None:
            pages = self._pages[key] = passage_pages(passage, locale)
            if len(self._pages) > self._size:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return pages


# --- Milestones (clause 6) ------------------------------------------------------------------------------


def _month(day: date, locale: discord.Locale | str) -> str:
    return t(f"declaration.months.m{day.month:02d}", locale)


def _day(day: date, locale: discord.Locale | str) -> str:
    return t("declaration.dates.first_day", locale) if day.day == 1 else str(day.day)


def event_dates(event: ShippedEvent, locale: discord.Locale | str) -> str:
    """When an event takes place, in the reader's language, as precisely as it is known."""
    start, end = event.start, event.end
    if event.precision is not DatePrecision.DAY:
        if event.date_note:
            return quote_text(event.date_note)
        if start.month == end.month and start.year == end.year:
            return t("declaration.dates.month", locale, month=_month(start, locale), year=start.year)
        return t(
            "declaration.dates.months",
            locale,
            start_month=_month(start, locale),
            end_month=_month(end, locale),
            year=end.year,
        )
    if start == end:
        return t("declaration.dates.day", locale, day=_day(start, locale), month=_month(start, locale), year=start.year)
    if (start.year, start.month) == (end.year, end.month):
        return t(
            "declaration.dates.same_month",
            locale,
            start_day=_day(start, locale),
            end_day=_day(end, locale),
            month=_month(start, locale),
            year=start.year,
        )
    first = t("declaration.dates.day", locale, day=_day(start, locale), month=_month(start, locale), year=start.year)
    last = t("declaration.dates.day", locale, day=_day(end, locale), month=_month(end, locale), year=end.year)
    return t("declaration.dates.span", locale, start=first, end=last)


def event_summary(event: ShippedEvent, locale: discord.Locale | str) -> str:
    """Dates and place of a milestone: "3–4 April 2025 · Kigali"."""
    parts = [event_dates(event, locale)]
    if event.city or event.venue:
        parts.append(quote_text(event.city or event.venue or ""))
    if event.status is not EventStatus.SCHEDULED:
        parts.append(t(f"declaration.event_status.{event.status.value}", locale))
    return " · ".join(parts)


# --- Autocomplete ------------------------------------------------------------------------------------


def suggestion_label(suggestion: Suggestion, locale: discord.Locale | str) -> str:
    """An autocomplete choice name: number and headline, cut with "…" to Discord's 100 characters."""
    ref = suggestion.ref
    if ref.kind is RefKind.RANGE:
        label = ref_label(ref, locale)
    elif ref.kind is RefKind.FOOTNOTE:
        label = f"{ref_label(ref, locale)} · {suggestion.headline}"
    else:
        label = f"{ref.text} · {suggestion.headline}"
    return cut_label(label, CHOICE_NAME_LIMIT)
