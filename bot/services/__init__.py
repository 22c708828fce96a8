"""Domain services: what the bot knows and does, independent of Discord."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.about import AboutService
from bot.storage.database import Database
from bot.storage.repositories.content import ContentRepository


@dataclass(frozen=True)
class Services:
    content: ContentRepository
    about: AboutService


def build_services(database: Database, settings: Settings, clock: Clock) -> Services:
    content = ContentRepository(database)
    return Services(content=content, about=AboutService(content))
