"""The live events board: one message per server listing what is coming up, edited in place.

It is edited after every change to the server's events and when an event starts or ends (a job at
the next such moment), and once at each start (so it survives restarts and catches up). It is never
posted twice: only when its message is gone (someone deleted it) is it posted once more, and the
moderators are told. A channel the bot can no longer write to is reported once and left alone until a
moderator places the board again with /eventadmin board.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import discord
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from bot.clock import Clock
from bot.errors import InvalidInputError
from bot.events.changes import EventChange, Notice
from bot.i18n import t
from bot.rendering.events import listing_pages
from bot.services.events.announcements import Announcer, guild_language
from bot.services.events.service import EventService, When
from bot.storage.repositories.boards import BoardRepository

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = 10008  # Discord's error code when the message is gone (the channel still there)


class EventBoard:
    def __init__(
        self,
        client: discord.Client,
        service: EventService,
        announcer: Announcer,
        clock: Clock,
        repository: BoardRepository,
        scheduler: BaseScheduler,
    ) -> None:
        self._client = client
        self._service = service
        self._announcer = announcer
        self._clock = clock
        self._boards = repository
        self._scheduler = scheduler
        self._locks: dict[int, asyncio.Lock] = {}

    # --- what it shows ---------------------------------------------------------------------------

    async def render(self, guild_id: int) -> discord.Embed:
        lang = guild_language(self._client, guild_id)
        now = self._clock.now()
        listing = await self._service.listing(guild_id, When.UPCOMING)
        embed = listing_pages(listing, now, lang)[0]
        embed.title = t("events.board.title", lang)
        embed.set_footer(text=t("events.board.footer", lang))
        embed.timestamp = now
        return embed

    # --- placing it ------------------------------------------------------------------------------

    async def place(self, guild_id: int, channel_id: int) -> None:
        """Post the board in `channel_id` (the previous one, elsewhere, is deleted); refused if it cannot post."""
        async with self._lock(guild_id):
            await self._place(guild_id, channel_id)
        await self._schedule_next(guild_id)

    async def _place(self, guild_id: int, channel_id: int) -> None:
        previous = await self._boards.get(guild_id)
        channel = self._client.get_partial_messageable(channel_id, guild_id=guild_id)
        embed = await self.render(guild_id)
        if previous is not None and previous.channel_id == channel_id and previous.message_id is not None:
            # Placed again where it is (say, after a permission was fixed): edited, not posted twice.
            try:
                await channel.get_partial_message(previous.message_id).edit(embed=embed)
            except discord.HTTPException:
                pass  # gone or unwritable: posted afresh below, or refused if it cannot be
            else:
                await self._boards.set_message(guild_id, previous.message_id, at=self._clock.now())
                return
        try:
            message = await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.info("guild %s: cannot post the events board in %s: %s", guild_id, channel_id, exc)
            raise InvalidInputError("events.board.cannot_post", channel=f"<#{channel_id}>") from None
        now = self._clock.now()
        await self._boards.place(guild_id, channel_id, at=now)
        await self._boards.set_message(guild_id, message.id, at=now)
        if previous is not None and previous.message_id is not None and previous.message_id != message.id:
            old = self._client.get_partial_messageable(previous.channel_id, guild_id=guild_id)
            # Already gone, or no longer ours to delete: the new board is what counts.
            with contextlib.suppress(discord.HTTPException):
                await old.get_partial_message(previous.message_id).delete()

    # --- keeping it up to date -------------------------------------------------------------------

    async def on_change(self, change: EventChange) -> Notice | None:
        await self.refresh(change.guild_id)
        return None

    async def refresh_all(self) -> None:
        for guild_id in await self._boards.all_guilds():
            try:
                await self.refresh(guild_id)
            except Exception:  # one server's board must not stop the others'
                log.exception("guild %s: refreshing the events board failed", guild_id)

    async def refresh(self, guild_id: int) -> None:
        async with self._lock(guild_id):
            board = await self._boards.get(guild_id)
            if board is None or board.problem_reported:
                return
            embed = await self.render(guild_id)
            channel = self._client.get_partial_messageable(board.channel_id, guild_id=guild_id)
            reposted = False
            if board.message_id is not None:
                try:
                    await channel.get_partial_message(board.message_id).edit(embed=embed)
                except discord.NotFound as exc:
                    if exc.code != UNKNOWN_MESSAGE:
                        await self._cannot_write(guild_id, board.channel_id, exc)
                        return
                    reposted = True  # someone deleted it: posted once more below
                except discord.Forbidden as exc:
                    await self._cannot_write(guild_id, board.channel_id, exc)
                    return
                except discord.HTTPException as exc:
                    log.warning("guild %s: editing the events board failed, kept for the next change: %s",
                                guild_id, exc)  # fmt: skip
                    return
                else:
                    await self._schedule_next(guild_id)
                    return
            try:
                message = await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
            except (discord.Forbidden, discord.NotFound) as exc:
                await self._cannot_write(guild_id, board.channel_id, exc)
                return
            except discord.HTTPException as exc:
                log.warning("guild %s: posting the events board failed, kept for the next change: %s", guild_id, exc)
                return
            await self._boards.set_message(guild_id, message.id, at=self._clock.now())
            if reposted:
                await self._tell(guild_id, t("events.board.reposted", guild_language(self._client, guild_id),
                                             channel=f"<#{board.channel_id}>"), fallback=channel)  # fmt: skip
        await self._schedule_next(guild_id)

    async def _cannot_write(self, guild_id: int, channel_id: int, exc: discord.HTTPException) -> None:
        """Reported once; the board then waits for a moderator to place it again."""
        log.warning("guild %s: the events board in channel %s cannot be written: %s", guild_id, channel_id, exc)
        await self._boards.set_problem_reported(guild_id, at=self._clock.now())
        lang = guild_language(self._client, guild_id)
        await self._tell(guild_id, t("events.board.cannot_write", lang, channel=f"<#{channel_id}>"), fallback=None)

    async def _tell(self, guild_id: int, text: str, *, fallback: discord.abc.Messageable | None) -> None:
        """Tell the moderators in the announcements channel, else (when given) in the board's own channel."""
        if await self._announcer.post(guild_id, text):
            return
        if fallback is not None:
            try:
                await fallback.send(text, allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException as exc:
                log.warning("guild %s: could not tell the moderators about the board: %s", guild_id, exc)

    # --- events starting and ending ----------------------------------------------------------------

    def job_id(self, guild_id: int) -> str:
        return f"event-board:{guild_id}"

    async def _schedule_next(self, guild_id: int) -> None:
        """A job at the next moment one of the server's events starts or ends (the board then changes)."""
        now = self._clock.now()
        moments: list[datetime] = []
        for event in await self._service.events(guild_id):
            if event.cancelled or not event.date.precision.dated:
                continue
            moments.extend(m for m in (event.date.starts_at(), event.date.ends_at()) if m is not None and m > now)
        if not moments:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(self.job_id(guild_id))
            return
        self._scheduler.add_job(self.refresh, "date", run_date=min(moments), args=[guild_id], id=self.job_id(guild_id),
                                replace_existing=True, misfire_grace_time=None)  # fmt: skip

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())
