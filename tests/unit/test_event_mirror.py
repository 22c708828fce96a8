"""The scheduled-event mirror when Discord misbehaves: a failed call is reported once, a lost copy is remade.

Discord is replaced by a small stand-in here because the emulator cannot be made to fail with a 500
or lose a scheduled event on its own; the happy paths run against the emulator in tests/e2e.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import discord
import pytest

from bot.clock import ManualClock
from bot.config import validate_settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.services.events.announcements import Announcer
from bot.services.events.mirror import ScheduledEventMirror
from bot.services.events.service import EventDraft, EventPatch, EventService
from bot.storage.database import open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.guild_settings import GuildSettingsRepository

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
GUILD = 5


def http_error(status: int) -> discord.HTTPException:
    return discord.HTTPException(SimpleNamespace(status=status, reason="boom"), {"code": 0, "message": "boom"})


@dataclass
class FakeScheduledEvent:
    id: int
    edits: list = field(default_factory=list)

    async def edit(self, **fields):
        self.edits.append(fields)


@dataclass
class FakeGuild:
    id: int = GUILD
    preferred_locale: str = "en-US"
    fail_with: int | None = None  # HTTP status every write fails with
    events: dict = field(default_factory=dict)
    created: list = field(default_factory=list)
    next_id: int = 100

    async def create_scheduled_event(self, **fields):
        if self.fail_with:
            raise http_error(self.fail_with)
        self.next_id += 1
        self.created.append(fields)
        self.events[self.next_id] = FakeScheduledEvent(self.next_id)
        return self.events[self.next_id]

    async def fetch_scheduled_event(self, event_id):
        if event_id not in self.events:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), {"code": 10070, "message": "x"})
        return self.events[event_id]


class FakeClient:
    def __init__(self, guild: FakeGuild) -> None:
        self.guild = guild

    def get_guild(self, guild_id):
        return self.guild if guild_id == self.guild.id else None


@pytest.fixture
async def parts(tmp_path, store_url):
    async with await open_database(store_url) as db:
        content = ContentRepository(db)
        await content.seed(load_content(DEFAULT_DATA_DIR), content_hash(DEFAULT_DATA_DIR))
        clock = ManualClock(NOW)
        service = EventService(EventRepository(db), GuildSettingsRepository(db), content, clock, validate_settings({}))
        guild = FakeGuild()
        client = FakeClient(guild)
        mirror = ScheduledEventMirror(client, service, Announcer(client, service), clock)
        service.add_listener(mirror.on_change)
        await service.update_settings(GUILD, mirroring=True)
        yield service, guild


def draft(name: str) -> EventDraft:
    return EventDraft(name_en=name, date="2027-03-15 09:00", timezone="Europe/Zurich", city="Geneva")


async def test_a_failed_call_is_reported_once_and_again_after_it_worked(parts):
    service, guild = parts
    guild.fail_with = 500
    first = await service.add(GUILD, 1, draft("One"))
    assert [notice.key for notice in first.notices] == ["events.mirror.failed"]
    second = await service.add(GUILD, 1, draft("Two"))
    assert second.notices == (), "reported once"
    guild.fail_with = None
    fixed = await service.add(GUILD, 1, draft("Three"))
    assert fixed.notices == () and len(guild.created) == 1
    guild.fail_with = 503
    again = await service.add(GUILD, 1, draft("Four"))
    assert [notice.key for notice in again.notices] == ["events.mirror.failed"], "a new outage is news"


async def test_a_scheduled_event_deleted_by_hand_in_discord_is_made_again(parts):
    service, guild = parts
    added = await service.add(GUILD, 1, draft("One"))
    guild.events.clear()  # someone deleted it in Discord
    await service.edit(GUILD, added.event.key, 1, patch=EventPatch(date="2027-03-16 09:00"))
    assert len(guild.created) == 2
    assert await service.repository.mirror_id(added.event.id) == max(guild.events)


async def test_an_existing_scheduled_event_is_edited_in_place(parts):
    service, guild = parts
    added = await service.add(GUILD, 1, draft("One"))
    await service.edit(GUILD, added.event.key, 1, patch=EventPatch(date="2027-03-16 09:00"))
    (scheduled,) = guild.events.values()
    (edit,) = scheduled.edits
    assert edit["start_time"] == datetime(2027, 3, 16, 8, tzinfo=UTC)
    assert edit["location"] == "Geneva"
    assert len(guild.created) == 1
