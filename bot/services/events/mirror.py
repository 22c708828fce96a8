"""Each dated event mirrored as a Discord Guild Scheduled Event, when a server turns mirroring on.

Only events dated to the day or the minute, not cancelled and not yet started get a scheduled event
(Discord refuses a start in the past); it follows ours when it changes, is cancelled with it, and is
deleted when ours is deleted, loses its date, or mirroring is turned off.

A missing permission or a failed call never stops the bot or the moderator's action: it is reported
to the moderators once (in the announcements channel if there is one, else in the reply to the
moderator whose action hit it) and not again until mirroring works again or its settings change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from enum import StrEnum

import aiohttp
import discord

from bot.clock import Clock
from bot.events.changes import EventChange, Notice
from bot.events.models import Event
from bot.events.places import place
from bot.i18n import t
from bot.services.events.announcements import Announcer, guild_language
from bot.services.events.service import EventService
from bot.services.events.validation import DESCRIPTION_LIMIT, NAME_LIMIT

log = logging.getLogger(__name__)

LOCATION_LIMIT = 100


class MirrorResult(StrEnum):
    SKIPPED = "skipped"  # nothing to do, no call made
    OK = "ok"  # Discord accepted every call
    MISSING_PERMISSION = "missing_permission"
    FAILED = "failed"


def _combined(results: list[MirrorResult]) -> MirrorResult:
    """The worst of several results: a problem, else OK if any call was made, else SKIPPED."""
    for worst in (MirrorResult.MISSING_PERMISSION, MirrorResult.FAILED, MirrorResult.OK):
        if worst in results:
            return worst
    return MirrorResult.SKIPPED


class ScheduledEventMirror:
    def __init__(self, client: discord.Client, service: EventService, announcer: Announcer, clock: Clock) -> None:
        self._client = client
        self._service = service
        self._announcer = announcer
        self._clock = clock

    async def on_change(self, change: EventChange) -> Notice | None:
        settings = await self._service.guild_settings(change.guild_id)
        if not settings.mirroring:
            return None
        result = await self._sync(change.guild_id, change.event, gone=change.after is None)
        return await self._report(change.guild_id, result, from_moderator=change.actor_id is not None)

    async def sync_guild(self, guild_id: int) -> Notice | None:
        """Mirror every event of a server (mirroring was just turned on, or is checked again)."""
        results = [await self._sync(guild_id, event, gone=False) for event in await self._service.events(guild_id)]
        return await self._report(guild_id, _combined(results), from_moderator=True)

    async def unmirror_guild(self, guild_id: int) -> Notice | None:
        """Delete the scheduled events we created (mirroring was turned off)."""
        results = []
        repository = self._service.repository
        guild = self._client.get_guild(guild_id)
        for event_id, scheduled_id in (await repository.mirrors(guild_id)).items():
            if guild is not None:
                results.append(await self._call(guild.id, self._delete(guild, scheduled_id)))
            await repository.drop_mirror(event_id)
        return await self._report(guild_id, _combined(results), from_moderator=True)

    # --- one event -------------------------------------------------------------------------------

    async def _sync(self, guild_id: int, event: Event, *, gone: bool) -> MirrorResult:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            log.info("guild %s is not available: not mirroring %s", guild_id, event.key)
            return MirrorResult.SKIPPED
        now = self._clock.now()
        if event.is_over(now):
            return MirrorResult.SKIPPED  # Discord ends its own copy; there is nothing left to follow
        repository = self._service.repository
        mirror_id = await repository.mirror_id(event.id)
        starts = event.date.starts_at()
        wanted = not gone and not event.cancelled and event.date.precision.dated and starts is not None
        if wanted:
            if starts is not None and starts <= now:
                return MirrorResult.SKIPPED  # already under way: Discord refuses to move a started event
            return await self._call(guild_id, self._upsert(guild, event, mirror_id))
        if mirror_id is None:
            return MirrorResult.SKIPPED
        cancel = event.cancelled and not gone
        result = await self._call(
            guild_id, self._cancel(guild, mirror_id) if cancel else self._delete(guild, mirror_id)
        )
        if result is MirrorResult.OK:
            await repository.drop_mirror(event.id)
        return result

    async def _upsert(self, guild: discord.Guild, event: Event, mirror_id: int | None) -> None:
        fields = self._fields(event, guild_language(self._client, guild.id))
        repository = self._service.repository
        if mirror_id is not None:
            try:
                scheduled = await guild.fetch_scheduled_event(mirror_id)
            except discord.NotFound:
                scheduled = None  # deleted by hand in Discord: make a new one
            if scheduled is not None:
                await scheduled.edit(**fields)
                return
            await repository.drop_mirror(event.id)
        created = await guild.create_scheduled_event(**fields)
        await repository.set_mirror(event.id, guild.id, created.id)

    async def _cancel(self, guild: discord.Guild, mirror_id: int) -> None:
        try:
            scheduled = await guild.fetch_scheduled_event(mirror_id)
        except discord.NotFound:
            return
        if scheduled.status is discord.EventStatus.scheduled:
            await scheduled.cancel()
        elif scheduled.status is not discord.EventStatus.cancelled:
            await scheduled.delete()

    async def _delete(self, guild: discord.Guild, mirror_id: int) -> None:
        try:
            scheduled = await guild.fetch_scheduled_event(mirror_id)
            await scheduled.delete()
        except discord.NotFound:
            return

    def _fields(self, event: Event, lang: str) -> dict[str, object]:
        starts, ends = event.date.starts_at(), event.date.ends_at()
        assert starts is not None and ends is not None
        location = place(event, lang) or event.timezone
        if len(location) > LOCATION_LIMIT:
            location = ", ".join(part for part in (event.city, event.country) if part) or event.timezone
        fields: dict[str, object] = {
            "name": event.name(lang)[:NAME_LIMIT],
            "start_time": starts,
            "end_time": ends,
            "entity_type": discord.EntityType.external,
            "privacy_level": discord.PrivacyLevel.guild_only,
            "location": location[:LOCATION_LIMIT],
        }
        description = event.description(lang)
        if description:
            fields["description"] = description[:DESCRIPTION_LIMIT]
        return fields

    async def _call(self, guild_id: int, operation: Awaitable[None]) -> MirrorResult:
        try:
            await operation
        except discord.Forbidden as exc:
            log.warning("guild %s: no permission to manage scheduled events: %s", guild_id, exc.text)
            return MirrorResult.MISSING_PERMISSION
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("guild %s: scheduled event call failed: %s", guild_id, exc)
            return MirrorResult.FAILED
        return MirrorResult.OK

    # --- telling the moderators, once -----------------------------------------------------------

    async def _report(self, guild_id: int, result: MirrorResult, *, from_moderator: bool) -> Notice | None:
        if result is MirrorResult.SKIPPED:
            return None
        settings = await self._service.guild_settings(guild_id)
        if result is MirrorResult.OK:
            if settings.mirror_problem_reported:  # working again: the next problem is news
                await self._service.set_mirror_problem_reported(guild_id, False)
            return None
        if settings.mirror_problem_reported:
            return None
        key = f"events.mirror.{result.value}"
        if await self._announcer.post(guild_id, t(key, guild_language(self._client, guild_id))):
            await self._service.set_mirror_problem_reported(guild_id, True)
            return None
        if from_moderator:
            await self._service.set_mirror_problem_reported(guild_id, True)
            return Notice(key)
        return None  # nobody to tell yet: the next moderator action will
