"""The content seeded from data/: the declaration, its signatories and the shipped events."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.content.models import Clause, Content, Declaration, ShippedEvent, Signatory
from bot.storage.database import Database
from bot.storage.repositories.meta import CONTENT_HASH
from bot.storage.repositories.search import rebuild_index

log = logging.getLogger(__name__)

# Content tables only: seeding never touches users' data.
CONTENT_TABLES = ("clauses", "footnotes", "declaration", "signatories", "shipped_events")

# Processes starting together on one PostgreSQL store would each find the old hash and rewrite the tables,
# the later ones breaking their primary keys: the first holds this lock for its transaction, the others then
# find the new hash. SQLite needs none: its write transactions (BEGIN IMMEDIATE) already take turns.
SEED_LOCK = 0x5345_4544  # "SEED"
_SQL = {
    "sqlite": {"seed_lock": None},
    "postgresql": {"seed_lock": f"SELECT pg_advisory_xact_lock({SEED_LOCK})"},
}


@dataclass(frozen=True)
class ContentCounts:
    clauses: int
    footnotes: int
    signatories: int
    events: int


class ContentRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def seed(self, content: Content, content_hash: str) -> bool:
        """Replace the content tables when data/ changed; return whether anything was written."""
        stored = await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (CONTENT_HASH,))
        if stored == content_hash:
            return False
        declaration = content.declaration
        async with self._db.transaction() as tx:
            lock = _SQL[tx.dialect.name]["seed_lock"]
            if lock is not None:
                await tx.execute(lock)
            if await tx.fetch_value("SELECT value FROM meta WHERE key = ?", (CONTENT_HASH,)) == content_hash:
                return False  # seeded meanwhile by another process (SQLite's BEGIN IMMEDIATE serializes too)
            for table in CONTENT_TABLES:
                await tx.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            await tx.execute(
                "INSERT INTO declaration (id, title, json) VALUES (1, ?, ?)",
                (declaration.title, declaration.model_dump_json()),
            )
            await tx.executemany(
                "INSERT INTO clauses (number, headline, text, json) VALUES (?, ?, ?, ?)",
                [(c.number, c.headline, c.text, c.model_dump_json()) for c in declaration.clauses],
            )
            await tx.executemany(
                "INSERT INTO footnotes (number, text, json) VALUES (?, ?, ?)",
                [(f.number, f.text, f.model_dump_json()) for f in declaration.footnotes],
            )
            await tx.executemany(
                "INSERT INTO signatories (position, name_fr, name_en, entity_type, iso2, iso3, founding_member, json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.position,
                        s.name_fr,
                        s.name_en,
                        s.entity_type.value,
                        s.iso2,
                        s.iso3,
                        int(s.founding_member),
                        s.model_dump_json(),
                    )
                    for s in content.signatories
                ],
            )
            # "end" is quoted: END is reserved in PostgreSQL.
            await tx.executemany(
                'INSERT INTO shipped_events (key, start, "end", json) VALUES (?, ?, ?, ?)',
                [(e.key, e.start.isoformat(), e.end.isoformat(), e.model_dump_json()) for e in content.events],
            )
            await rebuild_index(tx, declaration)
            await tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CONTENT_HASH, content_hash),
            )
        log.info("content seeded from data/ (hash %s)", content_hash[:12])
        return True

    async def counts(self) -> ContentCounts:
        row = await self._db.fetch_one(
            "SELECT (SELECT count(*) FROM clauses), (SELECT count(*) FROM footnotes),"
            " (SELECT count(*) FROM signatories), (SELECT count(*) FROM shipped_events)"
        )
        assert row is not None
        return ContentCounts(clauses=row[0], footnotes=row[1], signatories=row[2], events=row[3])

    async def declaration(self) -> Declaration:
        document = await self._db.fetch_value("SELECT json FROM declaration WHERE id = 1")
        if document is None:
            raise LookupError("the declaration has not been seeded")
        return Declaration.model_validate_json(str(document))

    async def clauses(self) -> list[Clause]:
        rows = await self._db.fetch_all("SELECT json FROM clauses ORDER BY number")
        return [Clause.model_validate_json(row[0]) for row in rows]

    async def signatories(self) -> list[Signatory]:
        rows = await self._db.fetch_all("SELECT json FROM signatories ORDER BY position")
        return [Signatory.model_validate_json(row[0]) for row in rows]

    async def shipped_events(self) -> list[ShippedEvent]:
        rows = await self._db.fetch_all("SELECT json FROM shipped_events ORDER BY start, key")
        return [ShippedEvent.model_validate_json(row[0]) for row in rows]
