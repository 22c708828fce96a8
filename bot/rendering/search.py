"""/search result pages: one field per hit, the matched words in bold, and where to read more."""

from __future__ import annotations

import discord

from bot.i18n import t
from bot.rendering.clauses import FIELD_VALUE_LIMIT, Field, build_pages, quote_text, split_text
from bot.services.declaration import RefKind, echo, parse_reference
from bot.services.search import SearchResults
from bot.storage.repositories.search import ELLIPSIS, HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, SearchHit

QUERY_ECHO_LENGTH = 100
# Room left in a field for the "see /clause 3.7" line.
SNIPPET_LIMIT = FIELD_VALUE_LIMIT - 120


def snippet_markdown(snippet: str) -> str:
    """A snippet from the index as markdown: the text escaped, each match in bold.

    Escaping happens before the bold markers are added, so an asterisk or underscore in the text
    cannot open or close bold; a match cut off by the snippet's end is closed all the same.
    """
    parts: list[tuple[str, bool]] = []
    bold = False
    for chunk in _split_markers(snippet):
        if chunk == HIGHLIGHT_OPEN:
            bold = True
        elif chunk == HIGHLIGHT_CLOSE:
            bold = False
        elif chunk:
            if parts and parts[-1][1] == bold:
                parts[-1] = (parts[-1][0] + chunk, bold)
            else:
                parts.append((chunk, bold))
    rendered = []
    for text, is_bold in parts:
        core = text.strip()
        if is_bold and core:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            rendered.append(f"{lead}**{quote_text(core)}**{trail}")
        else:
            rendered.append(quote_text(text))
    return "".join(rendered)


def _split_markers(snippet: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in snippet:
        if char in (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE):
            chunks.extend((current, char))
            current = ""
        else:
            current += char
    chunks.append(current)
    return chunks


def _shorten(snippet: str) -> str:
    # A snippet is a couple of dozen words; this only guards the field limit against freak tokens.
    if len(snippet) <= SNIPPET_LIMIT:
        return snippet
    return split_text(snippet, SNIPPET_LIMIT)[0].rstrip() + ELLIPSIS


def hit_title(hit: SearchHit, locale: discord.Locale | str) -> str:
    ref = parse_reference(hit.ref)
    if ref is None:  # the index and /clause disagree on a reference: show it as it is
        return hit.ref
    if ref.kind is RefKind.ITEM:
        return t("declaration.clause.item_title", locale, clause=ref.first, number=ref.text)
    if ref.kind is RefKind.FOOTNOTE:
        return t("declaration.ref.footnote", locale, number=ref.first)
    return t("declaration.ref.clause", locale, number=ref.first)


def hit_field(hit: SearchHit, locale: discord.Locale | str) -> Field:
    see = t("search.see", locale, command=t("commands.clause.name", locale), ref=hit.ref)
    return Field(hit_title(hit, locale), f"{snippet_markdown(_shorten(hit.snippet))}\n{see}")


def search_pages(results: SearchResults, locale: discord.Locale | str) -> list[discord.Embed]:
    """One page per HITS_PER_PAGE hits, each page saying what was searched and how many passages match."""
    count = len(results.hits)
    summary = t("search.summary", locale, count=count, query=echo(results.query.text, limit=QUERY_ECHO_LENGTH))
    pages: list[discord.Embed] = []
    for hits in results.pages():
        built = build_pages(
            title=t("search.title", locale),
            descriptions=[summary],
            fields=[hit_field(hit, locale) for hit in hits],
            footer=t("search.footer", locale),
        )
        pages.extend(built)
    return pages
