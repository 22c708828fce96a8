"""/search: whatever a member types becomes a literal full-text query over the declaration."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.errors import InvalidInputError, NotFoundError
from bot.services.declaration import echo
from bot.storage.repositories.search import SearchHit, SearchRepository

MAX_QUERY_LENGTH = 200
# The declaration has 18 documents; the cap only bounds the work a pathological index could cause.
MAX_HITS = 50
HITS_PER_PAGE = 5


@dataclass(frozen=True)
class SearchQuery:
    text: str  # the query as typed, whitespace folded
    tokens: tuple[str, ...]  # whitespace-separated words that contain a letter or a digit


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    hits: tuple[SearchHit, ...]

    def pages(self, per_page: int = HITS_PER_PAGE) -> list[tuple[SearchHit, ...]]:
        return [self.hits[start : start + per_page] for start in range(0, len(self.hits), per_page)]


def _searchable(char: str) -> bool:
    # Control characters and lone surrogates (which JSON can carry) cannot reach SQLite as text.
    return unicodedata.category(char) not in {"Cc", "Cs"}


def clean_query(raw: str) -> SearchQuery:
    """The tokens to search for; a clear error when nothing (or too much) is left."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidInputError("search.errors.too_long", max=MAX_QUERY_LENGTH, length=len(raw))
    text = " ".join("".join(char if _searchable(char) else " " for char in raw).split())
    # A token without a letter or digit ("-", "*", "(") would search for nothing.
    tokens = tuple(token for token in text.split(" ") if any(char.isalnum() for char in token))
    if not tokens:
        raise InvalidInputError("search.errors.empty")
    return SearchQuery(text=text, tokens=tokens)


class SearchService:
    def __init__(self, repository: SearchRepository) -> None:
        self._repository = repository

    async def search(self, raw: str) -> SearchResults:
        query = clean_query(raw)
        hits = await self._repository.search(query.tokens, MAX_HITS, 0, prefix_last=True)
        if not hits:
            raise NotFoundError("search.errors.no_hits", query=echo(query.text))
        return SearchResults(query=query, hits=tuple(hits))
