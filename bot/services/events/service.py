"""A server's events: reading them, moderators changing them, and telling the listeners about each change.

Shipped facts versus moderators' edits
--------------------------------------
A server starts with a copy of every event shipped in data/ (copied when the bot joins the server or
first sees it, and idempotent). When a later release ships corrected facts for an event (its shipped
record changed), the correction is applied to each server's copy, recorded in the history as made by
"a release" and told to the listeners like any other change — unless that server's moderators changed
the event: as soon as they edit, postpone or cancel an event, their version wins and releases no longer
touch it. An event they deleted stays deleted, and a key they added themselves is never overwritten by
a shipped event that later takes the same key. Shipped events a release drops stay in the servers that
have them; moderators may delete them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.cluster.change_feed import ChangeFeed
from bot.config import Settings
from bot.content.models import ShippedEvent
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.events.changes import EVENT_FIELDS, ChangeKind, ChangeOutcome, EventChange, HistoryEntry, Listener, Notice
from bot.events.dates import checked, fold, parse_event_date, resolve_zone
from bot.events.models import Event, EventDate, EventKind, EventStatus, Precision
from bot.services.events.shipped import (
    catalogue_fingerprint,
    differences,
    field_value,
    from_shipped,
    shipped_fingerprint,
)
from bot.services.events.validation import (
    clean_country,
    clean_key,
    clean_text,
    clean_url,
    required_text,
    slug,
)
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.events import EVENTS_TOPIC, EventRepository, FieldChange
from bot.storage.repositories.guild_settings import KEEP, GuildSettings, GuildSettingsRepository

log = logging.getLogger(__name__)

MAX_CHOICES = 25
DELETION_TTL = timedelta(minutes=10)
MAX_PENDING_DELETIONS = 1000
# Servers whose event list is kept in memory (the most recently read). About 40 kB each with the 8
# events shipped until November 2026 (pydantic models, measured); presumably about 60 kB with the 12
# shipped since (not measured again): enough for the busy servers, and at most ~4 MB.
LISTED_GUILDS = 64
# Typed in an optional text option of /eventadmin edit, this clears the field.
CLEAR = "-"


class When(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"
    ALL = "all"


@dataclass(frozen=True)
class EventListing:
    when: When
    events: tuple[Event, ...]
    dated_upcoming: int  # upcoming events with a known day or time
    past: int


@dataclass(frozen=True)
class EventDraft:
    """A new event as a moderator typed it."""

    name_en: str
    date: str
    timezone: str
    end: str | None = None
    name_fr: str | None = None
    kind: EventKind = EventKind.SUMMIT
    venue: str | None = None
    city: str | None = None
    city_fr: str | None = None
    country: str | None = None
    description_en: str | None = None
    description_fr: str | None = None
    source_url: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class EventPatch:
    """What a moderator asked to change; None leaves a field as it is, "-" clears an optional one."""

    name_en: str | None = None
    name_fr: str | None = None
    kind: EventKind | None = None
    venue: str | None = None
    city: str | None = None
    city_fr: str | None = None
    country: str | None = None
    description_en: str | None = None
    description_fr: str | None = None
    source_url: str | None = None
    date: str | None = None
    end: str | None = None
    timezone: str | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in self.__dict__.values())


@dataclass(frozen=True)
class EventHistory:
    """An event's recorded changes; a deleted event keeps them (its last change is the deletion)."""

    event: Event
    entries: list[HistoryEntry]
    deleted: bool


@dataclass(frozen=True)
class PendingDeletion:
    token: str
    guild_id: int
    event: Event
    actor_id: int
    reason: str | None
    expires_at: datetime


class EventService:
    def __init__(
        self,
        events: EventRepository,
        guild_settings: GuildSettingsRepository,
        content: ContentRepository,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._events = events
        self._guild_settings = guild_settings
        self._content = content
        self._clock = clock
        self._settings = settings
        self._listeners: list[Listener] = []
        # Changes to one server's events are read-modify-write: one at a time per server.
        self._locks: dict[int, asyncio.Lock] = {}
        self._seeded: set[int] = set()
        self._deletions: OrderedDict[str, PendingDeletion] = OrderedDict()
        # The shipped catalogue is content: it changes only with data/, re-seeded at start-up (a new release
        # is a new process). Read and fingerprinted once, not once per server the bot finds at start (those
        # are seeded concurrently, hence the lock).
        self._catalogue: tuple[list[ShippedEvent], str] | None = None
        self._catalogue_lock = asyncio.Lock()
        # Each server's events as last read, for /events, /event and their autocomplete, which read them on
        # every call; forgotten whenever the server's events change (always here, under its lock).
        # Other processes' changes reach it through the change feed (bot/cluster/change_feed.py).
        self._listed: OrderedDict[int, tuple[Event, ...]] = OrderedDict()
        self._generation: dict[int, int] = {}
        self._epoch = 0  # bumped when every server's events are forgotten at once
        events.feed.subscribe(EVENTS_TOPIC, self._forget_published, self._forget_all)

    @property
    def repository(self) -> EventRepository:
        return self._events

    @property
    def changes(self) -> ChangeFeed:
        """The feed that tells this service of changes made by other processes (started by the runtime)."""
        return self._events.feed

    # --- listeners -------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(change)` after every stored change; it may return a Notice for the moderator."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _publish(self, change: EventChange) -> tuple[Notice, ...]:
        notices = []
        for listener in list(self._listeners):
            try:
                notice = await listener(change)
            except Exception:
                # A listener failing (Discord down, a bug) must not undo or block the change itself.
                log.exception("event listener %r failed on %s of %s", listener, change.kind, change.event.key)
                continue
            if notice is not None:
                notices.append(notice)
        return tuple(notices)

    # --- the shipped events ----------------------------------------------------------------------

    async def seed_guild(self, guild_id: int) -> list[EventChange]:
        """Copy the shipped events into a server, and apply shipped corrections (see the module doc)."""
        async with self._changing(guild_id):
            shipped, fingerprint = await self._shipped_catalogue()
            if (await self._guild_settings.get(guild_id)).seeded_hash == fingerprint:
                self._seeded.add(guild_id)
                return []
            now = self._clock.now()
            stored = await self._events.stored_keys(guild_id)
            new = []
            corrections = []
            for record in shipped:
                record_hash = shipped_fingerprint(record)
                known = stored.get(record.key)
                if known is None:
                    new.append((from_shipped(record, guild_id), record_hash))
                elif known.deleted or known.edited or known.shipped_hash in (None, record_hash):
                    continue  # deleted or edited here, added here under the same key, or already up to date
                else:
                    corrections.append((known.event_id, record, record_hash))
            await self._events.insert_shipped(new, at=now)
            changes = []
            for event_id, record, record_hash in corrections:
                before = await self._events.get_by_id(event_id)
                if before is None:
                    continue
                after = from_shipped(record, guild_id, event_id=event_id)
                found = differences(before, after)
                if not found:
                    await self._events.set_shipped_hash(event_id, record_hash)
                    continue
                stored_event = await self._events.update(
                    after, action=ChangeKind.CORRECTED, at=now, actor_id=None, changes=found, reason=None,
                    shipped_hash=record_hash,
                )  # fmt: skip
                fields = tuple(change.field for change in found)
                changes.append(
                    EventChange(ChangeKind.CORRECTED, guild_id, before, stored_event, fields, None, None, now)
                )
            await self._guild_settings.update(guild_id, at=now, seeded_hash=fingerprint)
            self._seeded.add(guild_id)
            if new or changes:
                log.info("guild %s: %d shipped event(s) copied, %d corrected", guild_id, len(new), len(changes))
        for change in changes:
            await self._publish(change)
        return changes

    async def _shipped_catalogue(self) -> tuple[list[ShippedEvent], str]:
        async with self._catalogue_lock:
            if self._catalogue is None:
                shipped = await self._content.shipped_events()
                self._catalogue = (shipped, catalogue_fingerprint(shipped))
        return self._catalogue

    async def ensure_seeded(self, guild_id: int) -> None:
        if guild_id not in self._seeded:
            await self.seed_guild(guild_id)

    # --- reading ---------------------------------------------------------------------------------

    async def events(self, guild_id: int) -> list[Event]:
        listed = self._listed.get(guild_id)
        if listed is not None:
            self._listed.move_to_end(guild_id)
            return list(listed)
        await self.ensure_seeded(guild_id)
        generation = (self._epoch, self._generation.get(guild_id, 0))
        events = await self._events.list(guild_id)
        if (self._epoch, self._generation.get(guild_id, 0)) == generation:  # no change landed while it was read
            self._listed[guild_id] = tuple(events)
            if len(self._listed) > LISTED_GUILDS:
                self._listed.popitem(last=False)
        return events

    async def listing(self, guild_id: int, when: When) -> EventListing:
        """Upcoming: dated ones soonest first, then those known only roughly, then TBA. Past: latest first."""
        now = self._clock.now()
        everything = await self.events(guild_id)
        upcoming, past = [], []
        for event in everything:
            (past if event.is_over(now) else upcoming).append(event)
        upcoming.sort(key=_upcoming_order)
        past.sort(key=lambda event: event.date.starts_at() or now, reverse=True)
        if when is When.UPCOMING:
            chosen = upcoming
        elif when is When.PAST:
            chosen = past
        else:
            chosen = sorted(everything, key=_chronological_order)
        dated = sum(1 for event in upcoming if event.date.precision.dated)
        return EventListing(when, tuple(chosen), dated, len(past))

    async def get(self, guild_id: int, event_id: int) -> Event:
        event = await self._events.get_by_id(event_id)
        if event is None or event.guild_id != guild_id:
            raise NotFoundError("events.errors.gone")
        return event

    async def find(self, guild_id: int, typed: str) -> Event:
        """The event a member picked (its key) or typed (its name in either language, or a unique part)."""
        return _match(await self.events(guild_id), typed)

    async def suggestions(self, guild_id: int, typed: str) -> list[Event]:
        """Events matching what is typed, for autocomplete: upcoming soonest first, then past latest first."""
        now = self._clock.now()
        wanted = fold(typed)
        events = [event for event in await self.events(guild_id) if not wanted or wanted in _haystack(event)]
        upcoming = sorted((e for e in events if not e.is_over(now)), key=_upcoming_order)
        past = sorted(
            (e for e in events if e.is_over(now)), key=lambda event: event.date.starts_at() or now, reverse=True
        )
        return [*upcoming, *past][:MAX_CHOICES]

    async def history(self, guild_id: int, typed: str) -> EventHistory:
        """The history of a live event or, failing that, of a deleted one (only history reads those)."""
        live = await self.events(guild_id)
        deleted = await self._events.list_deleted(guild_id)
        wanted = typed.strip()
        is_deleted = not any(event.key == wanted for event in live) and any(e.key == wanted for e in deleted)
        if is_deleted:
            event = _match(deleted, typed)
        else:
            try:
                event = _match(live, typed)
            except NotFoundError:
                event = _match(deleted, typed)  # refused with the same "no event here matches" if not there either
                is_deleted = True
        return EventHistory(event, await self._events.history(event.id), is_deleted)

    async def history_suggestions(self, guild_id: int, typed: str) -> list[tuple[Event, bool]]:
        """Events whose history can be read, for autocomplete: the live ones, then the deleted (flagged True)."""
        live = await self.suggestions(guild_id, typed)
        wanted = fold(typed)
        deleted = [e for e in await self._events.list_deleted(guild_id) if not wanted or wanted in _haystack(e)]
        return [*((event, False) for event in live), *((event, True) for event in deleted)][:MAX_CHOICES]

    # --- moderators ------------------------------------------------------------------------------

    def ensure_moderator(self, *, manage_events: bool, role_ids: Iterable[int]) -> None:
        """Manage Events, or one of the configured moderator roles; NotAllowedError otherwise."""
        if manage_events:
            return
        if set(role_ids) & set(self._settings.moderation.moderator_role_ids):
            return
        raise NotAllowedError("events.errors.not_moderator")

    async def add(self, guild_id: int, actor_id: int, draft: EventDraft, reason: str | None = None) -> ChangeOutcome:
        reason = clean_text(reason, "reason")
        name_en = required_text(draft.name_en, "name")
        when = parse_event_date(draft.date, draft.timezone, draft.end)
        now = self._clock.now()
        await self.ensure_seeded(guild_id)
        async with self._changing(guild_id):
            stored = await self._events.stored_keys(guild_id)
            live = {key for key, known in stored.items() if not known.deleted}
            if draft.key:
                key = clean_key(draft.key)
                if key in live:
                    raise InvalidInputError("events.errors.key_taken", key=key)
            else:
                key = _free_key(slug(_with_year(name_en, when.start.year if when.start else None)), live)
            event = Event(
                id=0,
                guild_id=guild_id,
                key=key,
                name_en=name_en,
                name_fr=clean_text(draft.name_fr, "name") or name_en,
                kind=draft.kind,
                venue=clean_text(draft.venue, "venue"),
                city=clean_text(draft.city, "city"),
                city_fr=_french_city(clean_text(draft.city, "city"), clean_text(draft.city_fr, "city")),
                country=clean_country(draft.country),
                date=when,
                description_en=clean_text(draft.description_en, "description") or "",
                description_fr=clean_text(draft.description_fr, "description") or "",
                source_urls=tuple(url for url in [clean_url(draft.source_url)] if url),
                edited=True,
            )
            changes = [
                FieldChange(field, None, value)
                for field in EVENT_FIELDS
                if (value := field_value(event, field)) is not None
            ]
            stored_event = await self._events.insert(
                event, shipped_hash=None, at=now, actor_id=actor_id, changes=changes, reason=reason
            )
        change = EventChange(
            ChangeKind.ADDED, guild_id, None, stored_event, tuple(c.field for c in changes), actor_id, reason, now
        )
        return ChangeOutcome(stored_event, change, await self._publish(change))

    async def edit(
        self, guild_id: int, typed: str, actor_id: int, patch: EventPatch, reason: str | None = None
    ) -> ChangeOutcome:
        if patch.is_empty():
            raise InvalidInputError("events.errors.nothing_to_change")
        reason = clean_text(reason, "reason")
        await self.ensure_seeded(guild_id)
        async with self._changing(guild_id):
            before = _match(await self._events.list(guild_id), typed)
            after = _patched(before, patch)
            kind = ChangeKind.MOVED if _moved(before, after) else ChangeKind.EDITED
            stored, change = await self._store(before, after, kind, actor_id, reason)
        return ChangeOutcome(stored, change, await self._publish(change))

    async def postpone(
        self,
        guild_id: int,
        typed: str,
        actor_id: int,
        *,
        date: str | None = None,
        end: str | None = None,
        timezone: str | None = None,
        reason: str | None = None,
    ) -> ChangeOutcome:
        """Mark the event postponed, with its new date if known (TBA otherwise)."""
        reason = clean_text(reason, "reason")
        await self.ensure_seeded(guild_id)
        async with self._changing(guild_id):
            before = _match(await self._events.list(guild_id), typed)
            zone = timezone or before.timezone
            if date and date.strip():
                new_date = parse_event_date(date, zone, end)
            elif end and end.strip():
                raise InvalidInputError("events.errors.end_needs_day")
            else:
                new_date = EventDate.tba(resolve_zone(zone))  # postponed to a date not known yet
            after = before.model_copy(update={"date": new_date, "status": EventStatus.POSTPONED})
            stored, change = await self._store(before, after, ChangeKind.POSTPONED, actor_id, reason)
        return ChangeOutcome(stored, change, await self._publish(change))

    async def cancel(self, guild_id: int, typed: str, actor_id: int, reason: str | None = None) -> ChangeOutcome:
        reason = clean_text(reason, "reason")
        await self.ensure_seeded(guild_id)
        async with self._changing(guild_id):
            before = _match(await self._events.list(guild_id), typed)
            if before.cancelled:
                raise InvalidInputError("events.errors.already_cancelled", name=before.name_en)
            after = before.model_copy(update={"status": EventStatus.CANCELLED})
            stored, change = await self._store(before, after, ChangeKind.CANCELLED, actor_id, reason)
        return ChangeOutcome(stored, change, await self._publish(change))

    async def request_deletion(
        self, guild_id: int, typed: str, actor_id: int, reason: str | None = None
    ) -> PendingDeletion:
        """Nothing is deleted yet: the moderator confirms with a button (`confirm_deletion`)."""
        reason = clean_text(reason, "reason")
        event = await self.find(guild_id, typed)
        now = self._clock.now()
        pending = PendingDeletion(secrets.token_hex(8), guild_id, event, actor_id, reason, now + DELETION_TTL)
        self._deletions[pending.token] = pending
        while len(self._deletions) > MAX_PENDING_DELETIONS:
            self._deletions.popitem(last=False)
        return pending

    def drop_deletion(self, token: str, actor_id: int) -> PendingDeletion:
        pending = self._pending(token, actor_id)
        self._deletions.pop(token, None)
        return pending

    async def confirm_deletion(self, guild_id: int, token: str, actor_id: int) -> ChangeOutcome:
        pending = self._pending(token, actor_id)
        if pending.guild_id != guild_id:
            raise NotFoundError("events.errors.deletion_expired")
        now = self._clock.now()
        async with self._changing(guild_id):
            self._deletions.pop(token, None)
            before = await self._events.get_by_id(pending.event.id)
            if before is None:
                raise NotFoundError("events.errors.gone")
            await self._events.mark_deleted(before, at=now, actor_id=actor_id, reason=pending.reason)
        change = EventChange(ChangeKind.DELETED, guild_id, before, None, ("deleted",), actor_id, pending.reason, now)
        return ChangeOutcome(None, change, await self._publish(change))

    def _pending(self, token: str, actor_id: int) -> PendingDeletion:
        pending = self._deletions.get(token)
        if pending is None or pending.expires_at <= self._clock.now():
            self._deletions.pop(token, None)
            raise NotFoundError("events.errors.deletion_expired")
        if pending.actor_id != actor_id:
            raise NotAllowedError("events.errors.not_your_confirmation")
        return pending

    # --- per-server settings ---------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        return await self._guild_settings.get(guild_id)

    async def update_settings(
        self,
        guild_id: int,
        *,
        announcements_channel_id: int | object | None = KEEP,
        ping_role_id: int | object | None = KEEP,
        mirroring: bool | object = KEEP,
    ) -> GuildSettings:
        # Any change of settings gives mirroring a fresh start: its next problem is reported again.
        return await self._guild_settings.update(
            guild_id,
            at=self._clock.now(),
            announcements_channel_id=announcements_channel_id,
            ping_role_id=ping_role_id,
            mirroring=mirroring,
            mirror_problem_reported=False,
        )

    async def set_mirror_problem_reported(self, guild_id: int, reported: bool) -> None:
        await self._guild_settings.update(guild_id, at=self._clock.now(), mirror_problem_reported=reported)

    # --- internals -------------------------------------------------------------------------------

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    @contextlib.asynccontextmanager
    async def _changing(self, guild_id: int) -> AsyncIterator[None]:
        """One change at a time per server; what was read of its events before is forgotten, on the way in
        and on the way out, so a read that overlapped the change is not kept either."""
        async with self._lock(guild_id):
            self._forget(guild_id)
            try:
                yield
            finally:
                self._forget(guild_id)

    def _forget(self, guild_id: int) -> None:
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        self._listed.pop(guild_id, None)

    def _forget_published(self, key: str) -> None:
        self._forget(int(key))

    def _forget_all(self) -> None:
        self._epoch += 1
        self._listed.clear()

    async def _store(
        self, before: Event, after: Event, kind: ChangeKind, actor_id: int, reason: str | None
    ) -> tuple[Event, EventChange]:
        found: list[FieldChange] = differences(before, after)
        if not found:
            raise InvalidInputError("events.errors.nothing_changed")
        now = self._clock.now()
        stored = await self._events.update(
            after.model_copy(update={"edited": True}),
            action=kind,
            at=now,
            actor_id=actor_id,
            changes=found,
            reason=reason,
        )
        fields = tuple(change.field for change in found)
        return stored, EventChange(kind, before.guild_id, before, stored, fields, actor_id, reason, now)


def _match(events: list[Event], typed: str) -> Event:
    for event in events:
        if event.key == typed.strip():
            return event
    wanted = fold(typed)
    exact = [event for event in events if wanted in (fold(event.name_en), fold(event.name_fr), event.key)]
    if len(exact) == 1:
        return exact[0]
    partial = [event for event in events if wanted and wanted in _haystack(event)]
    if len(partial) == 1:
        return partial[0]
    raise NotFoundError("events.errors.unknown_event", typed=" ".join(typed.replace("`", "'").split())[:100])


def _haystack(event: Event) -> str:
    return " ".join((fold(event.name_en), fold(event.name_fr), event.key))


def _upcoming_order(event: Event) -> tuple[int, str, str]:
    """Dated events first by start, then periods by their start, then TBA (by name)."""
    starts = event.date.starts_at()
    if event.date.precision.dated:
        rank = 0
    elif event.date.precision is Precision.TBA:
        rank = 2
    else:
        rank = 1
    return rank, starts.isoformat() if starts else "", event.name_en.casefold()


def _chronological_order(event: Event) -> tuple[int, str, str]:
    starts = event.date.starts_at()
    return (1, "", event.name_en.casefold()) if starts is None else (0, starts.isoformat(), event.key)


def _with_year(name: str, year: int | None) -> str:
    return name if year is None or str(year) in name else f"{name} {year}"


def _free_key(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    for number in range(2, 1000):
        candidate = f"{base[:60]}-{number}"
        if candidate not in taken:
            return candidate
    return f"{base[:40]}-{secrets.token_hex(4)}"


def _moved(before: Event, after: Event) -> bool:
    return any(change.field in ("date", "timezone") for change in differences(before, after))


def _optional(value: str | None, current: str | None, clean) -> str | None:
    """None keeps the current value, "-" clears it, anything else is checked."""
    if value is None:
        return current
    if value.strip() == CLEAR:
        return None
    return clean(value)


def _patched(event: Event, patch: EventPatch) -> Event:
    """The event with the patch applied; every value checked, the new date read in the right zone."""
    updates: dict[str, object] = {}
    if patch.name_en is not None:
        updates["name_en"] = required_text(patch.name_en, "name")
    if patch.name_fr is not None:
        updates["name_fr"] = required_text(patch.name_fr, "name")
    if patch.kind is not None:
        updates["kind"] = patch.kind
    updates["venue"] = _optional(patch.venue, event.venue, lambda v: clean_text(v, "venue"))
    updates["city"] = _optional(patch.city, event.city, lambda v: clean_text(v, "city"))
    # A new city makes the old one's French name wrong: it goes unless a French name comes with it.
    current_fr = event.city_fr if updates["city"] == event.city else None
    updates["city_fr"] = _french_city(
        updates["city"], _optional(patch.city_fr, current_fr, lambda v: clean_text(v, "city"))
    )
    updates["country"] = _optional(patch.country, event.country, clean_country)
    updates["description_en"] = (
        _optional(patch.description_en, event.description_en, lambda v: clean_text(v, "description")) or ""
    )
    updates["description_fr"] = (
        _optional(patch.description_fr, event.description_fr, lambda v: clean_text(v, "description")) or ""
    )
    if patch.source_url is not None:
        url = _optional(patch.source_url, None, clean_url)
        # The first address is the one the link button opens; the others (shipped sources) stay after it.
        rest = tuple(existing for existing in event.source_urls[1:] if existing != url)
        updates["source_urls"] = ((url,) if url else ()) + rest
    updates["date"] = _patched_date(event, patch)
    return event.model_copy(update=updates)


def _french_city(city: str | None, city_fr: str | None) -> str | None:
    """Kept only where it differs from the city: French readers fall back to the city anyway."""
    return None if city_fr == city else city_fr


def _patched_date(event: Event, patch: EventPatch) -> EventDate:
    zone = resolve_zone(patch.timezone) if patch.timezone else event.timezone
    if patch.date is not None and patch.date.strip():
        return parse_event_date(patch.date, zone, patch.end)
    current = event.date
    if patch.end is not None and patch.end.strip():
        if not current.precision.dated or current.start is None:
            raise InvalidInputError("events.errors.end_needs_day")
        start_text = current.start.isoformat() + (f" {current.start_time:%H:%M}" if current.start_time else "")
        return parse_event_date(start_text, zone, patch.end)
    if zone != current.timezone:
        return checked(current.in_zone(zone))
    return current
