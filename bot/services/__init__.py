"""Domain services: what the bot knows and does, independent of Discord."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.about import AboutService
from bot.services.countries import load_aliases
from bot.services.declaration import DeclarationService
from bot.services.events.service import EventService
from bot.services.reminders import ReminderService
from bot.services.search import SearchService
from bot.services.signatories import SignatoryService
from bot.storage.database import Database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.deliveries import DeliveryRepository
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.guild_settings import GuildSettingsRepository
from bot.storage.repositories.reminders import ReminderRepository
from bot.storage.repositories.search import SearchRepository


@dataclass(frozen=True)
class Services:
    content: ContentRepository
    about: AboutService
    signatories: SignatoryService
    declaration: DeclarationService
    search: SearchService
    events: EventService
    reminders: ReminderService


def build_services(database: Database, settings: Settings, clock: Clock) -> Services:
    content = ContentRepository(database)
    event_repository = EventRepository(database)
    events = EventService(event_repository, GuildSettingsRepository(database), content, clock, settings)
    return Services(
        content=content,
        about=AboutService(content),
        signatories=SignatoryService(content, load_aliases()),
        declaration=DeclarationService(content),
        search=SearchService(SearchRepository(database)),
        events=events,
        reminders=ReminderService(
            ReminderRepository(database, event_repository.feed), DeliveryRepository(database), events, clock, settings
        ),
    )
