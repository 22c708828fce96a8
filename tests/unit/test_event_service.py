"""The events service: per-server copies of the shipped events, moderators' changes, history, listeners."""

import asyncio
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import validate_settings
from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.errors import InvalidInputError, NotAllowedError, NotFoundError
from bot.events.changes import ChangeKind, Notice
from bot.events.models import EventStatus, Precision
from bot.services.events.service import EventDraft, EventPatch, EventService, When
from bot.storage.database import Database, open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.events import EventRepository
from bot.storage.repositories.guild_settings import GuildSettingsRepository

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
GUILD = 111
OTHER_GUILD = 222
MODERATOR = 9001
SHIPPED_KEYS = {
    "paris-2025",
    "kigali-2025",
    "unesco-ethics-2025",
    "ai-for-good-2025",
    "waic-2025",
    "india-2026",
    "un-dialogue-2026",
    "ai-for-good-2026",
    "waic-2026",
    "geneva-2027",
    "un-dialogue-2027",
    "uae-2028",
}


class World:
    def __init__(self, db: Database, data: Path, clock: ManualClock, settings=None) -> None:
        self.db = db
        self.data = data
        self.clock = clock
        self.content = ContentRepository(db)
        self.service = EventService(
            EventRepository(db),
            GuildSettingsRepository(db),
            self.content,
            clock,
            settings or validate_settings({"moderation": {"moderator_role_ids": [4242]}}),
        )
        self.changes = []

        async def listen(change):
            self.changes.append(change)

        self.service.add_listener(listen)

    async def ship(self, *replacements: tuple[str, str]) -> None:
        """A new release whose events.toml has each `old` replaced by its `new`."""
        events = self.data / "events.toml"
        text = events.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new)
        events.write_text(text, encoding="utf-8")
        assert await self.content.seed(load_content(self.data), content_hash(self.data))
        # A new release is a new process: the service has not seen any guild yet.
        self.service = EventService(
            EventRepository(self.db), GuildSettingsRepository(self.db), self.content, self.clock, validate_settings({})
        )

        async def listen(change):
            self.changes.append(change)

        self.service.add_listener(listen)

    async def rows(self) -> list[tuple]:
        return [
            tuple(row)
            for row in await self.db.fetch_all("SELECT * FROM guild_events ORDER BY id")
            + await self.db.fetch_all("SELECT * FROM guild_event_changes ORDER BY id")
        ]


@pytest.fixture
async def world(tmp_path, store_url):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    async with await open_database(store_url) as db:
        await ContentRepository(db).seed(load_content(data), content_hash(data))
        yield World(db, data, ManualClock(NOW))


def draft(**overrides) -> EventDraft:
    values = {
        "name_en": "AI Safety Forum",
        "date": "2027-03-15 09:00",
        "end": "2027-03-15 17:00",
        "timezone": "Europe/Zurich",
        "city": "Geneva",
        "country": "CH",
        "source_url": "https://example.org/forum",
    }
    values.update(overrides)
    return EventDraft(**values)


# --- seeding ----------------------------------------------------------------------------------------


async def test_a_server_starts_with_the_shipped_events(world):
    events = await world.service.events(GUILD)
    assert {event.key for event in events} == SHIPPED_KEYS
    geneva = next(event for event in events if event.key == "geneva-2027")
    assert geneva.date.precision is Precision.HALF_YEAR
    assert (geneva.date.start, geneva.date.end) == (date(2027, 1, 1), date(2027, 6, 30))
    assert geneva.shipped and not geneva.edited
    assert await world.service.repository.history(geneva.id) == []


async def test_seeding_is_idempotent_and_per_server(world):
    await world.service.seed_guild(GUILD)
    before = await world.rows()
    assert await world.service.seed_guild(GUILD) == []
    fresh = EventService(
        EventRepository(world.db), GuildSettingsRepository(world.db), world.content, world.clock, validate_settings({})
    )
    assert await fresh.seed_guild(GUILD) == []
    assert await world.rows() == before
    await world.service.seed_guild(OTHER_GUILD)
    count = await world.db.fetch_value("SELECT count(*) FROM guild_events")
    assert count == 2 * len(SHIPPED_KEYS)


async def test_one_servers_edits_never_touch_another(world):
    await world.service.edit(GUILD, "geneva-2027", MODERATOR, EventPatch(date="2027-05-10"), "announced")
    mine = await world.service.find(GUILD, "geneva-2027")
    theirs = await world.service.find(OTHER_GUILD, "geneva-2027")
    assert mine.date.precision is Precision.DAY
    assert theirs.date.precision is Precision.HALF_YEAR


async def test_shipped_corrections_reach_unedited_copies_and_are_recorded(world):
    await world.service.seed_guild(GUILD)
    # Palexpo hosts several shipped events: only the 2025 AI for Good summit's venue changes.
    shipped = 'city_fr = "Genève"\ncountry = "CH"\ntimezone = "Europe/Zurich"\nstart = 2025-07-08'
    shipped = 'venue = "Palexpo"\ncity = "Geneva"\n' + shipped
    await world.ship((shipped, shipped.replace("Palexpo", "Palexpo, Hall 2")))
    world.changes.clear()
    await world.service.seed_guild(GUILD)
    event = await world.service.find(GUILD, "ai-for-good-2025")
    assert event.venue == "Palexpo, Hall 2"
    assert event.sequence == 1
    (entry,) = await world.service.repository.history(event.id)
    assert (entry.action, entry.field, entry.old, entry.new, entry.actor_id) == (
        ChangeKind.CORRECTED,
        "venue",
        "Palexpo",
        "Palexpo, Hall 2",
        None,
    )
    (change,) = world.changes
    assert change.kind is ChangeKind.CORRECTED and change.fields == ("venue",) and change.actor_id is None


async def test_a_moderators_edit_wins_over_shipped_corrections(world):
    await world.service.seed_guild(GUILD)
    await world.service.seed_guild(OTHER_GUILD)
    await world.service.edit(GUILD, "geneva-2027", MODERATOR, EventPatch(city="Genève"), "local spelling")
    await world.ship(
        ("start = 2027-01-01\nend = 2027-06-30", "start = 2027-04-01\nend = 2027-06-30"),
        ('precision = "half_year"', 'precision = "quarter"'),
    )
    world.changes.clear()
    await world.service.seed_guild(GUILD)
    await world.service.seed_guild(OTHER_GUILD)
    edited = await world.service.find(GUILD, "geneva-2027")
    untouched = await world.service.find(OTHER_GUILD, "geneva-2027")
    assert (edited.city, edited.date.precision) == ("Genève", Precision.HALF_YEAR)
    assert (untouched.city, untouched.date.precision, untouched.date.start) == (
        "Geneva",
        Precision.QUARTER,
        date(2027, 4, 1),
    )
    assert [(change.guild_id, change.kind) for change in world.changes] == [(OTHER_GUILD, ChangeKind.CORRECTED)]
    assert world.changes[0].date_moved


async def test_a_deleted_shipped_event_is_not_copied_in_again(world):
    pending = await world.service.request_deletion(GUILD, "uae-2028", MODERATOR, "duplicate")
    await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)
    await world.ship(("The AI summit the United Arab Emirates", "The summit the United Arab Emirates"))
    await world.service.seed_guild(GUILD)
    assert "uae-2028" not in {event.key for event in await world.service.events(GUILD)}


# --- listing ----------------------------------------------------------------------------------------


async def test_upcoming_past_and_all_with_the_shipped_data(world):
    upcoming = await world.service.listing(GUILD, When.UPCOMING)
    assert [event.key for event in upcoming.events] == ["geneva-2027", "un-dialogue-2027", "uae-2028"]
    assert upcoming.dated_upcoming == 0 and upcoming.past == 9
    past = await world.service.listing(GUILD, When.PAST)
    assert [event.key for event in past.events] == [
        "waic-2026",
        "ai-for-good-2026",
        "un-dialogue-2026",
        "india-2026",
        "waic-2025",
        "ai-for-good-2025",
        "unesco-ethics-2025",
        "kigali-2025",
        "paris-2025",
    ]
    everything = await world.service.listing(GUILD, When.ALL)
    assert [event.key for event in everything.events][:2] == ["paris-2025", "kigali-2025"]
    assert [event.key for event in everything.events][-3:] == ["geneva-2027", "un-dialogue-2027", "uae-2028"]


async def test_dated_upcoming_events_come_before_imprecise_ones_then_tba(world):
    await world.service.add(GUILD, MODERATOR, draft(name_en="Later", date="2029-01-10", end=None))
    await world.service.add(GUILD, MODERATOR, draft(name_en="Sooner", date="2027-03-01", end=None))
    await world.service.add(GUILD, MODERATOR, draft(name_en="Someday", date="TBA", end=None))
    upcoming = await world.service.listing(GUILD, When.UPCOMING)
    names = [event.name_en for event in upcoming.events]
    assert names[:2] == ["Sooner", "Later"]
    assert names[2:5] == [
        "Next AI summit, hosted by Switzerland",
        "Second UN Global Dialogue on AI Governance",
        "AI summit hosted by the United Arab Emirates",
    ]
    assert names[-1] == "Someday"
    assert upcoming.dated_upcoming == 2


async def test_an_event_is_over_once_its_last_day_ends_at_the_venue(world):
    await world.service.add(GUILD, MODERATOR, draft(name_en="Today", date="2026-11-24", end=None))
    listing = await world.service.listing(GUILD, When.UPCOMING)
    assert "Today" in [event.name_en for event in listing.events]
    world.clock.set(datetime(2026, 11, 24, 23, 0, tzinfo=UTC))  # midnight in Zurich
    listing = await world.service.listing(GUILD, When.UPCOMING)
    assert "Today" not in [event.name_en for event in listing.events]
    today = await world.service.find(GUILD, "Today")
    assert today.state(world.clock.now()) == "over"


async def test_find_by_key_name_in_either_language_or_a_unique_part(world):
    assert (await world.service.find(GUILD, "kigali-2025")).key == "kigali-2025"
    assert (await world.service.find(GUILD, "AI Impact Summit 2026")).key == "india-2026"
    assert (await world.service.find(GUILD, "sommet sur l'impact de l'ia 2026")).key == "india-2026"
    assert (await world.service.find(GUILD, "Émirats")).key == "uae-2028"
    with pytest.raises(NotFoundError):
        await world.service.find(GUILD, "summit")  # several match
    with pytest.raises(NotFoundError):
        await world.service.find(GUILD, "Olympics")


async def test_suggestions_put_upcoming_first_and_stay_within_25(world):
    suggestions = await world.service.suggestions(GUILD, "")
    assert [event.key for event in suggestions][:3] == ["geneva-2027", "un-dialogue-2027", "uae-2028"]
    for number in range(30):
        await world.service.add(GUILD, MODERATOR, draft(name_en=f"Meetup {number}", date="2027-05-01", end=None))
    assert len(await world.service.suggestions(GUILD, "")) == 25
    assert [event.key for event in await world.service.suggestions(GUILD, "kigali")] == ["kigali-2025"]


# --- moderators' changes ----------------------------------------------------------------------------


async def test_adding_records_the_event_and_tells_the_listeners(world):
    outcome = await world.service.add(GUILD, MODERATOR, draft(), "announced on the site")
    event = outcome.event
    assert event.key == "ai-safety-forum-2027"
    assert event.name_fr == "AI Safety Forum", "the French name defaults to the English one"
    assert event.edited and not event.shipped
    assert event.date.starts_at() == datetime(2027, 3, 15, 8, tzinfo=UTC)
    history = await world.service.repository.history(event.id)
    assert {entry.action for entry in history} == {ChangeKind.ADDED}
    assert {entry.reason for entry in history} == {"announced on the site"}
    assert "date" in {entry.field for entry in history}
    (change,) = world.changes
    assert (change.kind, change.before, change.after, change.actor_id) == (ChangeKind.ADDED, None, event, MODERATOR)


async def test_keys_are_unique_per_server(world):
    first = await world.service.add(GUILD, MODERATOR, draft())
    second = await world.service.add(GUILD, MODERATOR, draft())
    assert (first.event.key, second.event.key) == ("ai-safety-forum-2027", "ai-safety-forum-2027-2")
    with pytest.raises(InvalidInputError) as refused:
        await world.service.add(GUILD, MODERATOR, draft(key="geneva-2027"))
    assert refused.value.key == "events.errors.key_taken"


async def test_editing_records_each_field_old_and_new_with_the_reason(world):
    outcome = await world.service.edit(
        GUILD, "geneva-2027", MODERATOR, EventPatch(date="2027-05-10", venue="Palexpo"), "dates announced"
    )
    assert outcome.change.kind is ChangeKind.MOVED
    assert outcome.change.fields == ("venue", "date")
    assert outcome.event.edited and outcome.event.sequence == 1
    history = await world.service.repository.history(outcome.event.id)
    assert [(entry.field, entry.reason, entry.actor_id) for entry in history] == [
        ("venue", "dates announced", MODERATOR),
        ("date", "dates announced", MODERATOR),
    ]
    assert (history[0].old, history[0].new) == (None, "Palexpo")
    assert '"half_year"' in history[1].old and '"day"' in history[1].new
    assert history[0].at == NOW


async def test_an_edit_without_a_date_is_not_a_move(world):
    outcome = await world.service.edit(GUILD, "paris-2025", MODERATOR, EventPatch(name_fr="Sommet de Paris"))
    assert outcome.change.kind is ChangeKind.EDITED and not outcome.change.date_moved


async def test_changing_only_the_end_or_only_the_zone(world):
    added = await world.service.add(GUILD, MODERATOR, draft(end=None))
    longer = await world.service.edit(GUILD, added.event.key, MODERATOR, EventPatch(end="2027-03-16 12:00"))
    assert (longer.event.date.end, longer.event.date.start_time) == (date(2027, 3, 16), added.event.date.start_time)
    moved = await world.service.edit(GUILD, added.event.key, MODERATOR, EventPatch(timezone="Asia/Kolkata"))
    assert moved.change.fields == ("timezone",) and moved.change.date_moved
    assert moved.event.date.starts_at() == datetime(2027, 3, 15, 3, 30, tzinfo=UTC)


async def test_clearing_an_optional_field_with_a_dash(world):
    outcome = await world.service.edit(GUILD, "paris-2025", MODERATOR, EventPatch(venue="-"))
    assert outcome.event.venue is None


async def test_postponing_with_and_without_a_new_date(world):
    added = await world.service.add(GUILD, MODERATOR, draft())
    key = added.event.key
    to_tba = await world.service.postpone(GUILD, key, MODERATOR, reason="venue unavailable")
    assert to_tba.event.status is EventStatus.POSTPONED
    assert to_tba.event.date.precision is Precision.TBA and to_tba.event.reminder_instant() is None
    assert to_tba.change.kind is ChangeKind.POSTPONED and to_tba.change.date_moved
    assert to_tba.change.old_date == added.event.date
    dated = await world.service.postpone(GUILD, key, MODERATOR, date="2027-09-20 09:00", reason="new date")
    assert dated.event.date.starts_at() == datetime(2027, 9, 20, 7, tzinfo=UTC)
    with pytest.raises(InvalidInputError) as refused:
        await world.service.postpone(GUILD, key, MODERATOR, date="2027-09-20 09:00")
    assert refused.value.key == "events.errors.nothing_changed"


async def test_cancelling(world):
    added = await world.service.add(GUILD, MODERATOR, draft())
    cancelled = await world.service.cancel(GUILD, added.event.key, MODERATOR, "funding withdrawn")
    assert cancelled.event.status is EventStatus.CANCELLED
    assert cancelled.event.reminder_instant() is None
    assert cancelled.event.date.reminder_instant() is not None, "the date is kept"
    with pytest.raises(InvalidInputError):
        await world.service.cancel(GUILD, added.event.key, MODERATOR)


async def test_deleting_needs_the_same_moderators_confirmation(world):
    pending = await world.service.request_deletion(GUILD, "paris-2025", MODERATOR, "test")
    assert (await world.service.find(GUILD, "paris-2025")).key == "paris-2025", "nothing deleted yet"
    with pytest.raises(NotAllowedError):
        await world.service.confirm_deletion(GUILD, pending.token, MODERATOR + 1)
    with pytest.raises(NotFoundError):
        await world.service.confirm_deletion(OTHER_GUILD, pending.token, MODERATOR)
    outcome = await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)
    assert outcome.event is None and outcome.change.kind is ChangeKind.DELETED
    with pytest.raises(NotFoundError):
        await world.service.find(GUILD, "paris-2025")
    with pytest.raises(NotFoundError):
        await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)  # used up


async def test_a_deletion_confirmation_expires(world):
    pending = await world.service.request_deletion(GUILD, "paris-2025", MODERATOR)
    world.clock.advance(timedelta(minutes=11))
    with pytest.raises(NotFoundError) as refused:
        await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)
    assert refused.value.key == "events.errors.deletion_expired"


async def test_a_re_added_key_continues_the_deleted_events_history(world):
    added = await world.service.add(GUILD, MODERATOR, draft(key="forum"))
    pending = await world.service.request_deletion(GUILD, "forum", MODERATOR)
    await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)
    again = await world.service.add(GUILD, MODERATOR, draft(key="forum"))
    assert again.event.id == added.event.id and again.event.sequence == 2
    actions = [entry.action for entry in await world.service.repository.history(again.event.id)]
    assert actions[-1] is ChangeKind.ADDED and ChangeKind.DELETED in actions


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        (EventPatch(), "events.errors.nothing_to_change"),
        (EventPatch(date="soon"), "events.errors.bad_date"),
        (EventPatch(date="1999-01-01"), "events.errors.year_out_of_range"),
        (EventPatch(date="2027-03-15", end="2027-03-14"), "events.errors.end_before_start"),
        (EventPatch(timezone="Mars/Olympus"), "events.errors.bad_timezone"),
        (EventPatch(name_en="x" * 101), "events.errors.too_long_name"),
        (EventPatch(name_en="   "), "events.errors.empty_name"),
        (EventPatch(description_en="x" * 1001), "events.errors.too_long_description"),
        (EventPatch(venue="x" * 101), "events.errors.too_long_venue"),
        (EventPatch(source_url="ftp://example.org/file"), "events.errors.bad_url"),
        (EventPatch(source_url="javascript:alert(1)"), "events.errors.bad_url"),
        (EventPatch(source_url="https://" + "x" * 600 + ".org"), "events.errors.bad_url"),
        (EventPatch(country="Switzerland"), "events.errors.bad_country"),
        (EventPatch(city="Geneva"), "events.errors.nothing_changed"),
    ],
)
async def test_refused_edits_change_nothing(world, patch, key):
    await world.service.seed_guild(GUILD)
    before = await world.rows()
    with pytest.raises(InvalidInputError) as refused:
        await world.service.edit(GUILD, "geneva-2027", MODERATOR, patch, "reason")
    assert refused.value.key == key
    assert await world.rows() == before
    assert world.changes == []


async def test_a_reason_over_its_limit_is_refused(world):
    with pytest.raises(InvalidInputError) as refused:
        await world.service.cancel(GUILD, "geneva-2027", MODERATOR, "x" * 301)
    assert refused.value.key == "events.errors.too_long_reason"


# --- who may change events --------------------------------------------------------------------------


def test_moderators_are_those_with_manage_events_or_a_configured_role(world):
    world.service.ensure_moderator(manage_events=True, role_ids=[])
    world.service.ensure_moderator(manage_events=False, role_ids=[1, 4242])
    with pytest.raises(NotAllowedError) as refused:
        world.service.ensure_moderator(manage_events=False, role_ids=[1, 2])
    assert refused.value.key == "events.errors.not_moderator"


# --- listeners --------------------------------------------------------------------------------------


async def test_listeners_get_typed_changes_and_their_notices_reach_the_moderator(world):
    seen = []

    async def reminders(change):
        seen.append((change.kind, change.old_date, change.new_date, change.reason, change.actor_id))
        return Notice("events.mirror.failed")

    world.service.add_listener(reminders)
    outcome = await world.service.edit(GUILD, "geneva-2027", MODERATOR, EventPatch(date="2027-05-10"), "announced")
    (kind, old, new, reason, actor) = seen[0]
    assert (kind, reason, actor) == (ChangeKind.MOVED, "announced", MODERATOR)
    assert old.precision is Precision.HALF_YEAR and new.start == date(2027, 5, 10)
    assert outcome.notices == (Notice("events.mirror.failed"),)
    world.service.remove_listener(reminders)
    await world.service.cancel(GUILD, "geneva-2027", MODERATOR)
    assert len(seen) == 1


async def test_a_failing_listener_neither_undoes_the_change_nor_stops_the_others(world):
    after_it = []

    async def broken(change):
        raise RuntimeError("Discord is down")

    async def next_one(change):
        after_it.append(change.kind)

    world.service.add_listener(broken)
    world.service.add_listener(next_one)
    outcome = await world.service.cancel(GUILD, "geneva-2027", MODERATOR, "test")
    assert outcome.event.cancelled
    assert (await world.service.find(GUILD, "geneva-2027")).cancelled
    assert after_it == [ChangeKind.CANCELLED]


# --- the list kept in memory --------------------------------------------------------------------------


async def test_every_change_is_seen_by_the_next_read_of_the_list(world):
    """The list is kept between reads; an add, an edit, a cancellation and a deletion each show at once."""
    first = await world.service.events(GUILD)
    assert await world.service.events(GUILD) == first
    await world.service.add(GUILD, MODERATOR, draft())
    assert "AI Safety Forum" in [event.name_en for event in await world.service.events(GUILD)]
    await world.service.edit(GUILD, "geneva-2027", MODERATOR, EventPatch(venue="Palexpo"))
    assert (await world.service.find(GUILD, "geneva-2027")).venue == "Palexpo"
    await world.service.cancel(GUILD, "geneva-2027", MODERATOR)
    assert (await world.service.find(GUILD, "geneva-2027")).status is EventStatus.CANCELLED
    stored = [(event.key, event.venue, event.status) for event in await world.service.repository.list(GUILD)]
    assert [(event.key, event.venue, event.status) for event in await world.service.events(GUILD)] == stored


async def test_a_read_that_overlaps_a_change_is_not_kept(world):
    await world.service.events(GUILD)  # seeded, and kept
    reading = asyncio.create_task(world.service.events(GUILD))
    await world.service.edit(GUILD, "geneva-2027", MODERATOR, EventPatch(venue="Palexpo"))
    await reading  # whatever it read, it began before the edit landed
    assert (await world.service.find(GUILD, "geneva-2027")).venue == "Palexpo"


# --- French city names ------------------------------------------------------------------------------


async def test_a_city_has_a_french_name_typed_by_moderators_and_recorded(world):
    outcome = await world.service.add(GUILD, MODERATOR, draft(city="Basel", city_fr="Bâle", key="basel"))
    assert (outcome.event.city, outcome.event.city_fr) == ("Basel", "Bâle")
    assert (outcome.event.city_in("fr"), outcome.event.city_in("en")) == ("Bâle", "Basel")
    added = {entry.field: entry.new for entry in await world.service.repository.history(outcome.event.id)}
    assert added["city_fr"] == "Bâle"

    renamed = await world.service.edit(GUILD, "basel", MODERATOR, EventPatch(city_fr="Bâle-Ville"), "exact name")
    assert renamed.change.fields == ("city_fr",)
    (entry,) = [e for e in await world.service.repository.history(outcome.event.id) if e.reason == "exact name"]
    assert (entry.field, entry.old, entry.new) == ("city_fr", "Bâle", "Bâle-Ville")

    # Another city: the old city's French name would be wrong, so it goes unless a new one comes with it.
    moved = await world.service.edit(GUILD, "basel", MODERATOR, EventPatch(city="Zurich"))
    assert (moved.event.city, moved.event.city_fr, moved.event.city_in("fr")) == ("Zurich", None, "Zurich")
    assert moved.change.fields == ("city", "city_fr")
    both = await world.service.edit(GUILD, "basel", MODERATOR, EventPatch(city="Geneva", city_fr="Genève"))
    assert (both.event.city, both.event.city_fr) == ("Geneva", "Genève")
    cleared = await world.service.edit(GUILD, "basel", MODERATOR, EventPatch(city_fr="-"))
    assert (cleared.event.city_fr, cleared.event.city_in("fr")) == (None, "Geneva")


async def test_a_french_name_equal_to_the_city_is_not_kept_and_a_long_one_is_refused(world):
    same = await world.service.add(GUILD, MODERATOR, draft(city="Paris", city_fr="Paris", key="paris-forum"))
    assert same.event.city_fr is None
    before = await world.rows()
    with pytest.raises(InvalidInputError) as refused:
        await world.service.edit(GUILD, "paris-forum", MODERATOR, EventPatch(city_fr="x" * 101))
    assert refused.value.key == "events.errors.too_long_city"
    assert await world.rows() == before


# --- a deleted event's history ----------------------------------------------------------------------


async def test_a_deleted_events_history_is_still_read_and_only_there(world):
    pending = await world.service.request_deletion(GUILD, "uae-2028", MODERATOR, "merged into another entry")
    await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)

    history = await world.service.history(GUILD, "uae-2028")
    assert history.deleted and history.event.key == "uae-2028"
    last = history.entries[-1]
    assert (last.action, last.actor_id, last.reason, last.at) == (
        ChangeKind.DELETED, MODERATOR, "merged into another entry", NOW
    )  # fmt: skip
    assert (await world.service.history(GUILD, "Émirats")).deleted, "found by name too"
    assert not (await world.service.history(GUILD, "geneva-2027")).deleted

    offered = await world.service.history_suggestions(GUILD, "")
    assert ("uae-2028", True) in [(event.key, deleted) for event, deleted in offered]
    assert ("geneva-2027", False) in [(event.key, deleted) for event, deleted in offered]
    assert "uae-2028" not in [event.key for event in await world.service.suggestions(GUILD, "")]
    with pytest.raises(NotFoundError):
        await world.service.find(GUILD, "uae-2028")
    with pytest.raises(NotFoundError):
        await world.service.edit(GUILD, "uae-2028", MODERATOR, EventPatch(city="Abu Dhabi"))
    with pytest.raises(NotFoundError):
        await world.service.history(GUILD, "Olympics")
    assert not (await world.service.history(OTHER_GUILD, "uae-2028")).deleted, "another server's copy lives"


async def test_a_live_event_wins_over_a_deleted_one_of_the_same_name(world):
    first = await world.service.add(GUILD, MODERATOR, draft(name_en="Open Forum", key="open-forum-old"))
    pending = await world.service.request_deletion(GUILD, "open-forum-old", MODERATOR)
    await world.service.confirm_deletion(GUILD, pending.token, MODERATOR)
    second = await world.service.add(GUILD, MODERATOR, draft(name_en="Open Forum", key="open-forum"))
    by_name = await world.service.history(GUILD, "Open Forum")
    assert (by_name.event.id, by_name.deleted) == (second.event.id, False)
    by_key = await world.service.history(GUILD, "open-forum-old")
    assert (by_key.event.id, by_key.deleted) == (first.event.id, True)
