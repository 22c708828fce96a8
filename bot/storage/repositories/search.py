"""The full-text index of the declaration and the queries /search runs on it, on both stores.

SQLite: an FTS5 table (unicode61, diacritics removed). PostgreSQL: the generated tsvector
search_documents.document over the `summit_search` configuration (simple + unaccent), its text first
reduced to letters and digits so both stores cut words at the same places (migrations/*/0002_search.sql).
Either way a member's words are searched literally: accents and capitals ignored, every word required,
the last one also as a prefix, hits ranked (bm25 / ts_rank_cd, ties in reading order), matches marked
in the snippet. What each store matches, and where they differ: docs/search.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.content.models import Declaration
from bot.storage.database import Database, Transaction

# snippet() and ts_headline() wrap each match in these private-use characters; the renderer turns them into bold
# after escaping the text around them, so markdown in the text cannot break the bold.
HIGHLIGHT_OPEN = "\ue000"
HIGHLIGHT_CLOSE = "\ue001"
ELLIPSIS = "…"
SNIPPET_TOKENS = 24
# A prefix query on a one- or two-letter word would match half the text.
MIN_PREFIX_LENGTH = 3
# ts_headline's window, tuned so PostgreSQL's snippets read like SQLite's 24-token ones (docs/search.md):
# one excerpt around the densest cover of matches (not fragments), of 24 to 35 of its words.
HEADLINE_OPTIONS = (
    f'StartSel="{HIGHLIGHT_OPEN}", StopSel="{HIGHLIGHT_CLOSE}", MinWords={SNIPPET_TOKENS}, MaxWords=35, ShortWord=0'
)

# The statements that differ between the stores: the query parameter is match_expression() on SQLite,
# tsquery_expression() on PostgreSQL. Ranks: lower is more relevant on both (bm25; minus ts_rank_cd, which
# is divided by the passage's length (normalization 2) so short passages win as under bm25).
_SQL = {
    "sqlite": {
        "search": (
            "SELECT d.ref, d.kind, snippet(search_index, 0, ?, ?, ?, ?), search_index.rank"
            " FROM search_index JOIN search_documents AS d ON d.id = search_index.rowid"
            " WHERE search_index MATCH ?"
            " ORDER BY search_index.rank, d.position"
            " LIMIT ? OFFSET ?"
        ),
        "count": "SELECT count(*) FROM search_index WHERE search_index MATCH ?",
    },
    "postgresql": {
        "search": (
            "SELECT d.ref, d.kind, ts_headline('summit_search', d.text, q.query, ?),"
            " -ts_rank_cd(d.document, q.query, 2) AS rank, d.text"
            " FROM search_documents AS d, (SELECT to_tsquery('summit_search', ?) AS query) AS q"
            " WHERE d.document @@ q.query"
            " ORDER BY rank, d.position"
            " LIMIT ? OFFSET ?"
        ),
        "count": "SELECT count(*) FROM search_documents WHERE document @@ to_tsquery('summit_search', ?)",
    },
}
# A run of letters and digits: the words a token is cut into on PostgreSQL (FTS5 cuts them the same way).
_WORD = re.compile(r"[^\W_]+")


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
    rank: float  # lower is more relevant: bm25 on SQLite, minus ts_rank_cd on PostgreSQL


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


def tsquery_expression(tokens: Sequence[str], *, prefix_last: bool = False) -> str:
    """A to_tsquery() text that searches `tokens` literally, as match_expression() does on SQLite.

    Each token becomes the phrase of its words (runs of letters and digits: "l'énergie" is 'l' <-> 'énergie',
    as FTS5 reads a quoted string), each word a quoted operand, so no character the member typed is
    read as tsquery syntax (& | ! : * ( ) < > never reach it; quotes and backslashes could not either,
    and are escaped all the same). Every token is required; the last word may match as a prefix.
    to_tsquery() then folds accents and capitals with the summit_search configuration.
    """
    phrases = []
    for token in tokens:
        words = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in _WORD.findall(token)]
        if words:
            phrases.append(words)
    if not phrases:
        raise ValueError("a search needs at least one token")
    if prefix_last and _last_word_length(tokens[-1]) >= MIN_PREFIX_LENGTH:
        phrases[-1][-1] += ":*"
    return " & ".join("(" + " <-> ".join(words) + ")" for words in phrases)


def with_ellipses(headline: str, text: str) -> str:
    """ts_headline's window with ELLIPSIS where `text` goes on before or after it, as FTS5's snippet() marks it."""
    shown = headline.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, "")
    start = text.find(shown)
    if start < 0:  # not a plain excerpt (never seen): shown as ts_headline made it
        return headline
    # ts_headline stops at a word; the punctuation closing the text is kept, as snippet() keeps it.
    before, after = text[:start], text[start + len(shown) :]
    before = ELLIPSIS if _WORD.search(before) else ""
    after = ELLIPSIS if _WORD.search(after) else after.rstrip()
    return before + headline + after


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
        self._dialect = database.dialect.name
        self._sql = _SQL[self._dialect]

    def _expression(self, query_tokens: Sequence[str], prefix_last: bool) -> str:
        build = match_expression if self._dialect == "sqlite" else tsquery_expression
        return build(query_tokens, prefix_last=prefix_last)

    async def search(
        self, query_tokens: Sequence[str], limit: int, offset: int = 0, *, prefix_last: bool = False
    ) -> list[SearchHit]:
        """The documents containing every token, most relevant first (then in reading order)."""
        expression = self._expression(query_tokens, prefix_last)
        if self._dialect == "sqlite":
            snippet_params: tuple[object, ...] = (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, ELLIPSIS, SNIPPET_TOKENS)
        else:
            snippet_params = (HEADLINE_OPTIONS,)
        rows = await self._db.fetch_all(self._sql["search"], (*snippet_params, expression, limit, offset))
        if self._dialect == "sqlite":
            return [SearchHit(row[0], DocumentKind(row[1]), row[2], float(row[3])) for row in rows]
        return [SearchHit(row[0], DocumentKind(row[1]), with_ellipses(row[2], row[4]), float(row[3])) for row in rows]

    async def count(self, query_tokens: Sequence[str], *, prefix_last: bool = False) -> int:
        value = await self._db.fetch_value(self._sql["count"], (self._expression(query_tokens, prefix_last),))
        return int(value or 0)

    async def document_count(self) -> int:
        return int(await self._db.fetch_value("SELECT count(*) FROM search_documents") or 0)
