"""The December 2026 release of the shipped events reaching servers seeded with the November 2026 one.

tests/unit/releases/events-2026-11.toml is data/events.toml as shipped until then (8 events, Geneva 2027
without its co-chair, New Delhi without its declaration's endorsers). A server seeded with it must get the
new events and the corrected facts on the next start, except where its moderators edited an event.
"""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import validate_settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.events.changes import ChangeKind
from bot.services.events.service import EventPatch, EventService, When
from bot.storage.database import Database, open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.guild_settings import GuildSettingsRepository

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NOVEMBER = Path(__file__).parent / "releases" / "events-2026-11.toml"
UNTOUCHED, EDITED = 111, 222
MODERATOR = 9001
NEW_KEYS = {"un-dialogue-2026", "ai-for-good-2026", "waic-2026", "un-dialogue-2027"}


class Release:
    """The store, and the service of whichever release of data/ was started last."""

    def __init__(self, db: Database, data: Path) -> None:
        self.db = db
        self.data = data
        self.changes = []
        self.service = self._start()

    def _start(self) -> EventService:
        # A release is a new process: a new service that has seen no server yet.
        service = EventService(
            EventRepository(self.db), GuildSettingsRepository(self.db), ContentRepository(self.db),
            ManualClock(NOW), validate_settings({}),
        )  # fmt: skip

        async def listen(change):
            self.changes.append(change)

        service.add_listener(listen)
        return service

    async def ship(self, events_toml: Path) -> None:
        shutil.copyfile(events_toml, self.data / "events.toml")
        await ContentRepository(self.db).seed(load_content(self.data), content_hash(self.data))
        self.service = self._start()


@pytest.fixture
async def release(tmp_path, store_url):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    async with await open_database(store_url) as db:
        running = Release(db, data)
        await running.ship(NOVEMBER)
        yield running


async def keys(service: EventService, guild_id: int) -> set[str]:
    return {event.key for event in await service.events(guild_id)}


async def test_the_november_catalogue_is_what_servers_started_with(release):
    await release.service.seed_guild(UNTOUCHED)
    assert len(await keys(release.service, UNTOUCHED)) == 8
    assert not (await keys(release.service, UNTOUCHED)) & NEW_KEYS
    geneva = await release.service.find(UNTOUCHED, "geneva-2027")
    assert "United Arab Emirates" not in geneva.description_en and geneva.city_fr is None


async def test_a_seeded_server_gets_the_new_events_and_the_corrected_facts(release):
    await release.service.seed_guild(UNTOUCHED)
    await release.ship(DEFAULT_DATA_DIR / "events.toml")
    release.changes.clear()
    await release.service.seed_guild(UNTOUCHED)
    service = release.service

    assert await keys(service, UNTOUCHED) >= NEW_KEYS
    assert len(await keys(service, UNTOUCHED)) == 12
    geneva = await service.find(UNTOUCHED, "geneva-2027")
    assert "co-chaired by the United Arab Emirates" in geneva.description_en
    assert "(DETEC)" in geneva.description_en and "(DFAE)" in geneva.description_fr
    assert geneva.city_fr == "Genève"
    assert "https://innosuisse.admin.ch" in geneva.source_urls
    india = await service.find(UNTOUCHED, "india-2026")
    assert "with 88 endorsers (86 countries, the European Union and IFAD)" in india.description_en
    assert "92 in the Indian government's release of 2 March 2026" in india.description_en
    assert "Les États-Unis, le Royaume-Uni et la Chine l'ont approuvée." in india.description_fr
    kigali = await service.find(UNTOUCHED, "kigali-2025")
    assert "52 of the 54 African states" in kigali.description_en

    # Each correction is in the history, made by a release (no moderator), and told to the listeners.
    entries = await service.repository.history(geneva.id)
    assert {entry.field for entry in entries} == {"city_fr", "description_en", "description_fr", "source_urls"}
    assert all(entry.action is ChangeKind.CORRECTED and entry.actor_id is None for entry in entries)
    corrected = {change.event.key for change in release.changes}
    assert corrected == {"kigali-2025", "ai-for-good-2025", "india-2026", "geneva-2027", "uae-2028"}
    assert not any(change.date_moved for change in release.changes), "no date changed: nothing to announce"

    # The new events are where members look for them.
    past = await service.listing(UNTOUCHED, When.PAST)
    latest = ["waic-2026", "ai-for-good-2026", "un-dialogue-2026", "india-2026"]
    assert [event.key for event in past.events][:4] == latest
    upcoming = await service.listing(UNTOUCHED, When.UPCOMING)
    assert [event.key for event in upcoming.events] == ["geneva-2027", "un-dialogue-2027", "uae-2028"]


async def test_a_server_whose_moderators_edited_geneva_keeps_their_version_and_gets_the_new_events(release):
    await release.service.seed_guild(EDITED)
    ours = "Our own summary of the Geneva summit."
    await release.service.edit(EDITED, "geneva-2027", MODERATOR, EventPatch(description_en=ours), "our wording")
    await release.ship(DEFAULT_DATA_DIR / "events.toml")
    release.changes.clear()
    await release.service.seed_guild(EDITED)
    service = release.service

    geneva = await service.find(EDITED, "geneva-2027")
    assert geneva.description_en == ours
    assert "United Arab Emirates" not in geneva.description_fr, "the moderators' version, all of it"
    assert geneva.city_fr is None and "https://innosuisse.admin.ch" not in geneva.source_urls
    actions = [entry.action for entry in await service.repository.history(geneva.id)]
    assert actions == [ChangeKind.EDITED], "no release touched it"
    assert "geneva-2027" not in {change.event.key for change in release.changes}

    assert await keys(service, EDITED) >= NEW_KEYS
    india = await service.find(EDITED, "india-2026")
    assert "88 endorsers" in india.description_en, "what they did not edit is still corrected"


async def test_a_second_start_of_the_same_release_changes_nothing(release):
    await release.service.seed_guild(UNTOUCHED)
    await release.ship(DEFAULT_DATA_DIR / "events.toml")
    await release.service.seed_guild(UNTOUCHED)
    before = [tuple(row) for row in await release.db.fetch_all("SELECT * FROM guild_event_changes ORDER BY id")]
    await release.ship(DEFAULT_DATA_DIR / "events.toml")
    assert await release.service.seed_guild(UNTOUCHED) == []
    after = [tuple(row) for row in await release.db.fetch_all("SELECT * FROM guild_event_changes ORDER BY id")]
    assert after == before
