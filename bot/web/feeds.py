"""Calendar feeds: giving out, rotating and revoking their addresses, and building what they serve.

A feed is the server's dated events (or, for a member, the events they follow) with the UIDs and
SEQUENCE of "Add to calendar", so a subscribed calendar replaces an entry when a moderator moves it
and removes it when it is cancelled (STATUS:CANCELLED). Events known only roughly (a month, a
half-year, TBA) are left out until they have a day: see docs/calendars.md for why.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

from bot.clock import Clock
from bot.errors import NotFoundError
from bot.events.models import Event
from bot.i18n import t
from bot.reminders.feed import feed_calendar
from bot.services.events.service import EventService
from bot.services.reminders import ReminderService
from bot.storage.repositories.feeds import GUILD, Feed, FeedRepository

# secrets.token_urlsafe(24): 192 random bits, 32 URL-safe characters; no server or member id in it.
TOKEN_BYTES = 24
TOKEN_PATTERN = r"[A-Za-z0-9_-]{32}"  # noqa: S105 - the shape of a token, not one
# Built feeds kept in memory, by what they were built from: a calendar app polling is served from here.
CACHED_FEEDS = 256
# DTSTAMP of an empty feed: fixed, so its bytes (and ETag) do not change from one request to the next.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class BuiltFeed:
    body: bytes
    etag: str  # quoted, strong: the bytes are a function of what they were built from


class FeedService:
    def __init__(
        self,
        repository: FeedRepository,
        events: EventService,
        reminders: ReminderService,
        clock: Clock,
        *,
        refresh: timedelta,
    ) -> None:
        self.repository = repository
        self._events = events
        self._reminders = reminders
        self._clock = clock
        self._refresh = refresh
        self._built: OrderedDict[tuple, BuiltFeed] = OrderedDict()

    # --- addresses -------------------------------------------------------------------------------

    async def guild_feed(self, guild_id: int) -> Feed | None:
        return await self.repository.of_guild(guild_id)

    async def enable_guild_feed(self, guild_id: int, *, rotate: bool = False) -> Feed:
        """Turn the server's feed on (its address stays unless `rotate`, which kills the old one)."""
        current = await self.repository.of_guild(guild_id)
        if current is not None and not rotate:
            return current
        return await self.repository.replace(new_token(), guild_id=guild_id, user_id=None, locale="en",
                                             at=self._clock.now())  # fmt: skip

    async def disable_guild_feed(self, guild_id: int) -> bool:
        return await self.repository.delete_guild_feed(guild_id)

    async def member_feed(self, guild_id: int, user_id: int, locale: str, *, rotate: bool = False) -> Feed:
        """The member's feed address here, made on first use; `rotate` replaces it (the old one 404s)."""
        current = await self.repository.of_member(guild_id, user_id)
        if current is not None and not rotate:
            return current
        return await self.repository.replace(new_token(), guild_id=guild_id, user_id=user_id, locale=locale,
                                             at=self._clock.now())  # fmt: skip

    async def open(self, token: str) -> Feed | None:
        return await self.repository.by_token(token)

    # --- what a feed holds -----------------------------------------------------------------------

    async def events_of(self, feed: Feed) -> list[Event]:
        """The feed's events: never another server's (a member's follows are filtered by server too)."""
        if feed.kind == GUILD:
            events = await self._events.events(feed.guild_id)
        else:
            assert feed.user_id is not None
            try:
                events = await self._reminders.followed_events(feed.guild_id, feed.user_id)
            except NotFoundError:  # following nothing (any more): an empty calendar, still a valid one
                events = []
        return [event for event in events if event.guild_id == feed.guild_id]

    async def build(self, feed: Feed, lang: str, calendar_name: str) -> BuiltFeed:
        events = await self.events_of(feed)
        inputs = (
            feed.kind, feed.guild_id, feed.user_id, lang, calendar_name, self._refresh,
            # Every change of an event bumps its sequence: (id, sequence) names what it was built from.
            tuple((event.id, event.sequence) for event in events),
        )  # fmt: skip
        built = self._built.get(inputs)
        if built is not None:
            self._built.move_to_end(inputs)
            return built
        body = feed_bytes(events, lang=lang, name=calendar_name, refresh=self._refresh)
        built = BuiltFeed(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        self._built[inputs] = built
        if len(self._built) > CACHED_FEEDS:
            self._built.popitem(last=False)
        return built


def feed_bytes(events: list[Event], *, lang: str, name: str, refresh: timedelta) -> bytes:
    """The feed as iCalendar bytes; the same events give the same bytes (DTSTAMP is their last change)."""
    stamps = [event.updated_at for event in events if event.updated_at is not None]
    stamp = max(stamps) if stamps else EPOCH
    data, _undated = feed_calendar(events, lang=lang, now=stamp)
    calendar = icalendar.Calendar.from_ical(data)
    # vText escapes what moderators and servers typed (",", ";", "\\", new lines) the iCalendar way.
    calendar.add("name", icalendar.vText(name))  # RFC 7986
    calendar.add("x-wr-calname", icalendar.vText(name))  # what Google and Apple calendars show
    calendar.add("description", icalendar.vText(t("events.feed.description", lang)))
    calendar.add("refresh-interval", icalendar.vDuration(refresh), parameters={"VALUE": "DURATION"})  # RFC 7986
    calendar.add("x-published-ttl", icalendar.vDuration(refresh))  # the older spelling Outlook and Apple read
    return calendar.to_ical()
