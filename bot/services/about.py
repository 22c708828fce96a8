"""What /about reports: the release, how long the bot has run, and what it serves."""

from __future__ import annotations

from dataclasses import dataclass

from bot import __version__
from bot.storage.repositories.content import ContentCounts, ContentRepository


@dataclass(frozen=True)
class AboutInfo:
    version: str
    counts: ContentCounts
    source_url: str


class AboutService:
    def __init__(self, content: ContentRepository) -> None:
        self._content = content

    async def info(self) -> AboutInfo:
        declaration = await self._content.declaration()
        return AboutInfo(version=__version__, counts=await self._content.counts(), source_url=declaration.source_url)
