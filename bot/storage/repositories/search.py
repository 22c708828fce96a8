"""The full-text index of the declaration (SQLite FTS5) and the queries /search runs on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.content.models import Declaration
from bot.storage.database import Database, Transaction

# snippet() wraps each match in these private-use characters; the renderer turns them into bold
# after escaping the text around them, so markdown in the text cannot break the bold.
HIGHLIGHT_OPEN = "\ue000"
HIGHLIGHT_CLOSE = "\ue001"
ELLIPSIS = "…"
SNIPPET_TOKENS = 24
# A prefix query on a one- or two-letter word would match half the text.
MIN_PREFIX_LENGTH = 3


class DocumentKind(StrEnum):
    CLAUSE = "clause"
    ITEM = "item"
    FOOTNOTE = "footnote"


@dataclass(frozen=True)
class SearchDocument:
    ref: str  # as /clause reads it: "4", "3.7", "fn2"
    kind: DocumentKind
    text: str


@dataclass(frozen=True)
class SearchHit:
    ref: str
    kind: DocumentKind
    snippet: str  # matches between HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE; ELLIPSIS where text was left out
    rank: float  # bm25: lower is more relevant


def index_documents(declaration: Declaration) -> list[SearchDocument]:
    """What is searchable, in reading order: each clause paragraph, then its sub-items; the footnotes."""
    documents: list[SearchDocument] = []
    for clause in declaration.clauses:
        documents.append(SearchDocument(str(clause.number), DocumentKind.CLAUSE, clause.paragraph))
        documents.extend(SearchDocument(item.number, DocumentKind.ITEM, item.text) for item in clause.items)
    documents.extend(
        SearchDocument(f"fn{note.number}", DocumentKind.FOOTNOTE, note.text) for note in declaration.footnotes
    )
    return documents


async def rebuild_index(tx: Transaction, declaration: Declaration) -> None:
    """Replace the index with `declaration`'s documents, inside the caller's (seeding) transaction."""
    await tx.execute("DELETE FROM search_documents")
    await tx.executemany(
        "INSERT INTO search_documents (ref, kind, position, text) VALUES (?, ?, ?, ?)",
        [
            (document.ref, document.kind.value, position, document.text)
            for position, document in enumerate(index_documents(declaration), start=1)
        ],
    )
    if tx.dialect.name == "sqlite":
        # An external-content index is rebuilt from its table in one statement; PostgreSQL's tsvector
        # column is generated with each row.
        await tx.execute("INSERT INTO search_index (search_index) VALUES ('rebuild')")


def match_expression(tokens: Sequence[str], *, prefix_last: bool = False) -> str:
    """An FTS5 query that searches `tokens` literally: each one a quoted string, all of them required.

    Inside a string FTS5 reads no operator (NEAR, AND, *, -, parentheses, column filters); a quote is
    escaped by doubling it. The last token may match as a prefix ("énerg" finds "énergie").
    """
    quoted = ['"' + token.replace('"', '""') + '"' for token in tokens if token]
    if not quoted:
        raise ValueError("a search needs at least one token")
    if prefix_last and _last_word_length(tokens[-1]) >= MIN_PREFIX_LENGTH:
        quoted[-1] += "*"
    return " ".join(quoted)


def _last_word_length(token: str) -> int:
    length = 0
    for char in reversed(token):
        if not char.isalnum():
            break
        length += 1
    return length


class SearchRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def _sqlite_only(self) -> None:
        # The dialect hook: the PostgreSQL query (tsvector over search_documents.document, summit_search
        # configuration) is the next step of issue 11; until then it says so instead of failing in SQL.
        if self._db.dialect.name != "sqlite":
            raise NotImplementedError("search on PostgreSQL is not written yet (issue 11)")

    async def search(
        self, query_tokens: Sequence[str], limit: int, offset: int = 0, *, prefix_last: bool = False
    ) -> list[SearchHit]:
        """The documents containing every token, most relevant first (bm25, then reading order)."""
        self._sqlite_only()
        rows = await self._db.fetch_all(
            "SELECT d.ref, d.kind, snippet(search_index, 0, ?, ?, ?, ?), search_index.rank"
            " FROM search_index JOIN search_documents AS d ON d.id = search_index.rowid"
            " WHERE search_index MATCH ?"
            " ORDER BY search_index.rank, d.position"
            " LIMIT ? OFFSET ?",
            (
                HIGHLIGHT_OPEN,
                HIGHLIGHT_CLOSE,
                ELLIPSIS,
                SNIPPET_TOKENS,
                match_expression(query_tokens, prefix_last=prefix_last),
                limit,
                offset,
            ),
        )
        return [SearchHit(row[0], DocumentKind(row[1]), row[2], float(row[3])) for row in rows]

    async def count(self, query_tokens: Sequence[str], *, prefix_last: bool = False) -> int:
        self._sqlite_only()
        value = await self._db.fetch_value(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?",
            (match_expression(query_tokens, prefix_last=prefix_last),),
        )
        return int(value or 0)

    async def document_count(self) -> int:
        return int(await self._db.fetch_value("SELECT count(*) FROM search_documents") or 0)
