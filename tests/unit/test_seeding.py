"""The store is seeded from data/ and re-seeded only when data/ changed, never touching users' data."""

import asyncio
import shutil
from pathlib import Path

from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.storage.database import open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.meta import COMMAND_TREE_HASH, MetaRepository


async def test_seed_fills_the_content_tables(tmp_path, store_url):
    async with await open_database(store_url) as db:
        repository = ContentRepository(db)
        assert await repository.seed(load_content(DEFAULT_DATA_DIR), content_hash(DEFAULT_DATA_DIR))
        counts = await repository.counts()
        assert (counts.clauses, counts.footnotes, counts.signatories, counts.events) == (6, 3, 60, 12)
        declaration = await repository.declaration()
        assert declaration == load_content(DEFAULT_DATA_DIR).declaration
        signatories = await repository.signatories()
        assert [s.position for s in signatories] == list(range(1, 61))
        assert signatories[0].name_fr == "Arménie"


async def test_seed_runs_again_only_when_data_changed_and_keeps_other_data(tmp_path, store_url):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    async with await open_database(store_url) as db:
        repository = ContentRepository(db)
        assert await repository.seed(load_content(data), content_hash(data))
        await MetaRepository(db).set(COMMAND_TREE_HASH, "users-and-state-survive")
        assert not await repository.seed(load_content(data), content_hash(data))

        events = Path(data / "events.toml")
        events.write_text(events.read_text(encoding="utf-8").replace("Grand Palais", "Le Grand Palais"), "utf-8")
        assert await repository.seed(load_content(data), content_hash(data))
        paris = next(event for event in await repository.shipped_events() if event.key == "paris-2025")
        assert paris.venue.startswith("Le Grand Palais")
        assert await MetaRepository(db).get(COMMAND_TREE_HASH) == "users-and-state-survive"


async def test_processes_seeding_together_seed_once(store_url):
    """Bots starting together on a new store (PostgreSQL serves several processes): one writes the content,
    the others find it written, and none fails on the tables' keys."""
    stores = [await open_database(store_url) for _ in range(3)]
    try:
        content, digest = load_content(DEFAULT_DATA_DIR), content_hash(DEFAULT_DATA_DIR)
        seeded = await asyncio.gather(*(ContentRepository(store).seed(content, digest) for store in stores))
        assert sorted(seeded) == [False, False, True]
        counts = await ContentRepository(stores[0]).counts()
        assert (counts.clauses, counts.footnotes, counts.signatories, counts.events) == (6, 3, 60, 12)
    finally:
        for store in stores:
            await store.close()
