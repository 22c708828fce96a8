"""/eventadmin through the real bot and the emulator: changes, history, refusals, announcements, mirroring."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.clock import ManualClock
from bot.sandbox_session import bot_on_emulator

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ADD = {
    "name": "AI Safety Forum",
    "date": "2027-03-15 09:00",
    "end": "2027-03-15 17:00",
    "timezone": "Europe/Zurich",
    "venue": "Palexpo",
    "city": "Geneva",
    "country": "CH",
    "source_url": "https://example.org/forum",
}
KEY = "ai-safety-forum-2027"
EXTERNAL, SCHEDULED, CANCELED = 3, 1, 4


@pytest.fixture
async def bot(world, settings):
    async with bot_on_emulator(settings, world.emulator, clock=ManualClock(NOW)) as running:
        yield running


@pytest.fixture
def announcements(world):
    return world.emulator.create_text_channel(world.guild, "announcements")


@pytest.fixture
def followers(world):
    return world.emulator.create_role(world.guild, "Event followers", mentionable=True)


async def snapshot(bot) -> list[tuple]:
    """Every row the events feature keeps, to prove a refusal changed nothing."""
    rows = []
    for table in ("guild_events", "guild_event_changes", "guild_settings", "guild_event_mirrors", "event_boards",
                  "calendar_feeds"):
        rows.extend((table, *tuple(row)) for row in await bot.database.fetch_all(f"SELECT * FROM {table} ORDER BY 1"))
    return rows


async def admin(world, command: str, options: dict | None = None, who=None, locale=None):
    return await world.emulator.slash(
        who or world.moderator, world.general, f"eventadmin {command}", options or {}, locale=locale
    )


def history_text(result) -> str:
    return "\n".join(embed["description"] for embed in result.embeds)


def zurich(*parts: int) -> str:
    return datetime(*parts, tzinfo=ZoneInfo("Europe/Zurich")).astimezone(UTC).isoformat()


# --- the moderator's round trip ---------------------------------------------------------------------


async def test_add_edit_postpone_cancel_each_recorded_in_the_history(bot, world):
    added = await admin(world, "add", {**ADD, "reason": "announced on the site"})
    assert added.ephemeral
    assert added.content == f"Added **AI Safety Forum** (`{KEY}`)."

    edited = await admin(world, "edit", {"event": KEY, "venue": "CICG", "reason": "venue changed"})
    assert edited.content == "Saved **AI Safety Forum**: venue changed."

    moved = await admin(world, "edit", {"event": KEY, "date": "2027-03-16 10:00", "reason": "one day later"})
    assert moved.content == "Moved **AI Safety Forum**: date changed."

    postponed = await admin(world, "postpone", {"event": KEY, "date": "2027-H2", "reason": "venue works"})
    assert postponed.content == "**AI Safety Forum** is now postponed."

    cancelled = await admin(world, "cancel", {"event": KEY, "reason": "no funding"})
    assert cancelled.content == "**AI Safety Forum** is now cancelled."

    history = await admin(world, "history", {"event": KEY})
    assert history.ephemeral
    text = history_text(history)
    assert history.embeds[0]["title"] == "History of AI Safety Forum"
    mention = f"<@{world.moderator.id}>"
    # Latest first, each with who, the field, old → new and the reason.
    expected_in_order = [
        f"{mention} · cancelled\nstatus: postponed → cancelled\nReason: no funding",
        f"{mention} · postponed\ndate: 16 March 2027, 10:00 → second half of 2027 — date to be announced\n"
        "status: scheduled → postponed\nReason: venue works",
        f"{mention} · moved\ndate: 15 March 2027, 09:00–17:00 → 16 March 2027, 10:00\nReason: one day later",
        f"{mention} · edited\nvenue: Palexpo → CICG\nReason: venue changed",
        f"{mention} · added\nname (English): AI Safety Forum\nname (French): AI Safety Forum\ntype: Summit\n"
        "venue: Palexpo\ncity: Geneva\ncountry: CH\ntime zone: Europe/Zurich\ndate: 15 March 2027, 09:00–17:00\n"
        "status: scheduled\nsources: https://example.org/forum\nReason: announced on the site",
    ]
    missing = [part for part in expected_in_order if part not in text]
    assert not missing, text
    positions = [text.index(part) for part in expected_in_order]
    assert positions == sorted(positions)
    assert f"<t:{int(NOW.timestamp())}:f>" in text

    shown = await world.emulator.slash(world.member_en, world.general, "event", {"name": KEY})
    values = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}
    assert values["Status"] == "cancelled"
    assert values["When"] == "second half of 2027 — date to be announced"
    assert values["Where"] == "CICG, Geneva, Switzerland"


async def test_history_in_french_names_the_release_for_shipped_facts(bot, world):
    result = await admin(world, "history", {"event": "geneva-2027"}, locale="fr")
    assert history_text(result) == "Aucune modification enregistrée\u00a0: l'événement est tel que livré avec le bot."
    await admin(world, "edit", {"event": "geneva-2027", "date": "2027-05-04", "end": "2027-05-06"}, locale="fr")
    text = history_text(await admin(world, "history", {"event": "geneva-2027"}, locale="fr"))
    assert "déplacé\ndate\u00a0: premier semestre 2027 — date à confirmer → 4–6 mai 2027" in text


async def test_history_is_paginated(bot, world):
    await admin(world, "add", ADD)
    for number in range(12):
        await admin(world, "edit", {"event": KEY, "city": f"City {number}", "reason": f"step {number}"})
    result = await admin(world, "history", {"event": KEY})
    assert any(b["label"] == "1/3" for b in result.buttons)
    assert "step 11" in history_text(result)
    last = await world.emulator.click(world.moderator, result, label="Next ▶")
    last = await world.emulator.click(world.moderator, last, label="Next ▶")
    assert "added" in history_text(last)


async def test_delete_asks_for_confirmation(bot, world):
    await admin(world, "add", ADD)
    asked = await admin(world, "delete", {"event": KEY, "reason": "duplicate"})
    assert asked.ephemeral
    assert asked.content.startswith(f"Delete **AI Safety Forum** (`{KEY}`)?")
    kept = await world.emulator.click(world.moderator, asked, label="Keep it")
    assert kept.message["content"] == "Nothing deleted: **AI Safety Forum** stays."
    assert (await bot.services.events.find(world.guild.id, KEY)).key == KEY

    asked = await admin(world, "delete", {"event": KEY, "reason": "duplicate"})
    done = await world.emulator.click(world.moderator, asked, label="Delete")
    assert done.message["content"] == "Deleted **AI Safety Forum**."
    assert not done.buttons
    gone = await world.emulator.slash(world.member_en, world.general, "event", {"name": KEY})
    assert gone.ephemeral and gone.content.startswith("No event here matches")
    rows = await bot.database.fetch_all(
        "SELECT action, reason FROM guild_event_changes WHERE action = 'deleted' AND guild_id = ?", (world.guild.id,)
    )
    assert [tuple(row) for row in rows] == [("deleted", "duplicate")]


async def test_only_the_moderator_who_asked_can_confirm_a_deletion(bot, world):
    other = world.emulator.create_member(world.guild, "other-mod", roles=[world.moderators])
    asked = await admin(world, "delete", {"event": "paris-2025"})
    before = await snapshot(bot)
    refused = await world.emulator.click(other, asked, label="Delete")
    assert refused.ephemeral
    assert refused.content == "This confirmation belongs to the moderator who asked for it."
    assert await snapshot(bot) == before


async def test_autocomplete_for_moderators_and_time_zones(bot, world):
    events = await world.emulator.autocomplete(world.moderator, world.general, "eventadmin edit", {"event": "kig"})
    assert events == [{"name": "Global AI Summit on Africa (Kigali Summit) (2025)", "value": "kigali-2025"}]
    zones = await world.emulator.autocomplete(
        world.moderator, world.general, "eventadmin edit", {"event": "kigali-2025", "timezone": "zuri"}
    )
    assert zones[0] == {"name": "Europe/Zurich", "value": "Europe/Zurich"}


async def test_settings_show_and_change(bot, world, announcements, followers):
    shown = await admin(world, "settings")
    assert shown.content == "Current settings (fill in an option to change one):"
    fields = {field["name"]: field["value"] for field in shown.embeds[0]["fields"]}
    assert fields == {
        "Announcements channel": "none",
        "Role pinged by announcements": "none",
        "Discord scheduled events": "off",
    }
    saved = await admin(world, "settings", {"channel": announcements, "role": followers})
    assert saved.content == "Settings saved."
    fields = {field["name"]: field["value"] for field in saved.embeds[0]["fields"]}
    assert fields["Announcements channel"] == f"<#{announcements.id}>"
    assert fields["Role pinged by announcements"] == f"<@&{followers.id}>"
    reset = await admin(world, "settings", {"reset": "role"})
    fields = {field["name"]: field["value"] for field in reset.embeds[0]["fields"]}
    assert fields["Role pinged by announcements"] == "none"
    assert fields["Announcements channel"] == f"<#{announcements.id}>"


# --- refusals: nothing changes ----------------------------------------------------------------------


MALFORMED_DATES = ["soon", "2027/03/15", "2027-02-30", "2027-13", "Smarch 2027", "2027-Q5", "2027-H3", "15-03"]


@pytest.mark.parametrize("typed", MALFORMED_DATES)
async def test_a_malformed_date_is_refused_with_the_accepted_forms(bot, world, typed):
    before = await snapshot(bot)
    result = await admin(world, "edit", {"event": "geneva-2027", "date": typed})
    assert result.ephemeral
    assert result.content.startswith(f"I can't read `{typed}` as a date, so nothing changed.")
    for form in ("`2027-03-15`", "`15/03/2027`", "`2027-03-15 09:00`", "`March 2027`", "`2027-H1`", "`TBA`"):
        assert form in result.content
    assert "Example:" in result.content
    assert await snapshot(bot) == before


async def test_a_malformed_date_is_refused_in_french(bot, world):
    result = await admin(world, "add", {**ADD, "date": "bientôt"}, locale="fr")
    assert result.content.startswith("Je ne sais pas lire `bientôt` comme une date\u00a0: rien n'a changé.")
    assert "`mars 2027`" in result.content


@pytest.mark.parametrize(
    ("command", "options", "answer"),
    [
        ("add", {**ADD, "date": "1999-05-01", "end": None}, "The year 1999 is outside 2000–2100: nothing changed."),
        ("add", {**ADD, "date": "2101", "end": None}, "The year 2101 is outside 2000–2100: nothing changed."),
        ("add", {**ADD, "end": "2027-03-14"}, "The end is before the start: nothing changed."),
        ("edit", {"event": "geneva-2027", "date": "2027-05-04", "end": "2027-05-01"}, "The end is before the start"),
        ("add", {**ADD, "timezone": "Mars/Olympus"}, "`Mars/Olympus` is not a time zone I know."),
        ("postpone", {"event": "geneva-2027", "date": "2027-09-01", "timezone": "CEST"}, "`CEST` is not a time zone"),
        ("add", {**ADD, "name": "x" * 101}, "The name is 101 characters long; at most 100 are allowed."),
        ("edit", {"event": "geneva-2027", "name_fr": "x" * 150}, "The name is 150 characters long"),
        ("add", {**ADD, "description": "y" * 1001}, "The description is 1001 characters long; at most 1000"),
        ("add", {**ADD, "venue": "v" * 101}, "The venue is 101 characters long"),
        ("add", {**ADD, "source_url": "ftp://example.org"}, "The source must be an http:// or https:// address"),
        ("edit", {"event": "geneva-2027", "source_url": "example.org"}, "The source must be an http:// or https://"),
        ("add", {**ADD, "country": "Switzerland"}, "The country must be a two-letter ISO code"),
        ("add", {**ADD, "key": "Bad Key!"}, "The key must be lowercase letters and digits"),
        ("add", {**ADD, "key": "geneva-2027"}, "There is already an event with the key `geneva-2027`."),
        ("edit", {"event": "geneva-2027"}, "Fill in at least one option to change."),
        ("edit", {"event": "nothing-like-this", "city": "Bern"}, "No event here matches `nothing-like-this`."),
        ("cancel", {"event": "geneva-2027", "reason": "r" * 301}, "The reason is 301 characters long"),
        ("add", {**ADD, "date": "2027-03-28 02:30", "end": None}, "2027-03-28 02:30 does not exist in Europe/Zurich"),
        ("postpone", {"event": "geneva-2027", "end": "2027-09-03"}, "An end can only follow a start given to the day"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(bot, world, command, options, answer):
    before = await snapshot(bot)
    result = await admin(world, command, {key: value for key, value in options.items() if value is not None})
    assert result.ephemeral
    assert result.content.startswith(answer)
    assert await snapshot(bot) == before


MEMBER_CALLS = [
    ("add", ADD),
    ("edit", {"event": "geneva-2027", "city": "Bern"}),
    ("postpone", {"event": "geneva-2027", "date": "2027-09-01"}),
    ("cancel", {"event": "geneva-2027"}),
    ("delete", {"event": "geneva-2027"}),
    ("history", {"event": "geneva-2027"}),
    ("settings", {"mirroring": True}),
    ("board", {"channel": "general"}),
]


@pytest.mark.parametrize(("command", "options"), MEMBER_CALLS, ids=[call[0] for call in MEMBER_CALLS])
async def test_a_member_is_refused_on_every_subcommand(bot, world, command, options):
    await bot.services.events.seed_guild(world.guild.id)
    before = await snapshot(bot)
    result = await admin(world, command, options, who=world.member_en)
    assert result.ephemeral
    assert result.content == (
        "Only moderators can manage events: you need the Manage Events permission or a moderator role."
    )
    assert not result.buttons
    assert await snapshot(bot) == before


async def test_every_subcommand_is_covered_by_the_member_refusal_test(bot, world):
    (group,) = [c for c in world.emulator.registered_commands() if c["name"] == "eventadmin"]
    assert {option["name"] for option in group["options"]} == {command for command, _ in MEMBER_CALLS}
    assert int(group["default_member_permissions"]) == discord.Permissions(manage_events=True).value


async def test_a_member_refused_in_french(bot, world):
    result = await admin(world, "cancel", {"event": "geneva-2027"}, who=world.member_fr)
    assert result.content.startswith("Seuls les modérateurs gèrent les événements")


async def test_a_configured_moderator_role_is_enough(world, settings):
    helpers = world.emulator.create_role(world.guild, "Event helpers")
    helper = world.emulator.create_member(world.guild, "helper", roles=[helpers])
    configured = settings.model_copy(update={"moderation": type(settings.moderation)(moderator_role_ids=[helpers.id])})
    async with bot_on_emulator(configured, world.emulator, clock=ManualClock(NOW)):
        result = await admin(world, "edit", {"event": "uae-2028", "city": "Abu Dhabi"}, who=helper)
        assert result.content == "Saved **AI summit hosted by the United Arab Emirates**: city changed."


# --- safety: no pings -------------------------------------------------------------------------------


async def test_everyone_in_a_title_never_pings(bot, world, announcements, followers):
    await admin(world, "settings", {"channel": announcements, "role": followers})
    sneaky = f"@everyone @here <@&{world.moderators.id}> <@{world.member_en.id}> Summit"
    added = await admin(world, "add", {**ADD, "name": sneaky, "key": "sneaky"})
    assert world.emulator.message_pings(added.message).nothing
    post = await world.emulator.wait_for_message(announcements)
    assert "@everyone @here" in post["content"]
    pings = world.emulator.message_pings(post)
    assert pings.roles == frozenset({followers.id}), "only the configured role"
    assert not pings.everyone and not pings.users
    shown = await world.emulator.slash(world.member_en, world.general, "event", {"name": "sneaky"})
    assert world.emulator.message_pings(shown.message).nothing
    listed = await world.emulator.slash(world.member_en, world.general, "events")
    assert world.emulator.message_pings(listed.message).nothing
    assert "@everyone" in listed.embeds[0]["description"]


# --- announcements ----------------------------------------------------------------------------------


async def test_each_change_is_announced_once_pinging_only_the_role(bot, world, announcements, followers):
    await admin(world, "settings", {"channel": announcements, "role": followers})
    await admin(world, "add", ADD)
    added = await world.emulator.wait_for_message(announcements)
    start = int(datetime(2027, 3, 15, 9, tzinfo=ZoneInfo("Europe/Zurich")).timestamp())
    assert added["content"] == (
        f"<@&{followers.id}> 📅 New event: **AI Safety Forum** — 15 March 2027, 09:00–17:00 "
        f"(local time; <t:{start}:F> for you)"
    )

    await admin(world, "edit", {"event": KEY, "date": "2027-03-22", "reason": "room booked"})
    moved = await world.emulator.wait_for_message(announcements)
    assert moved["content"] == (
        f"<@&{followers.id}> 📅 **AI Safety Forum** has a new date: 22 March 2027. Previously: 15 March 2027, "
        f"09:00–17:00 (local time; <t:{start}:F> for you).\nReason: room booked"
    )
    assert world.emulator.message_pings(moved).roles == frozenset({followers.id})

    await admin(world, "edit", {"event": KEY, "city": "Genève"})  # not a date: no announcement
    await admin(world, "cancel", {"event": KEY, "reason": "no funding"})
    cancelled = await world.emulator.wait_for_message(announcements)
    assert cancelled["content"] == f"<@&{followers.id}> ❌ **AI Safety Forum** is cancelled.\nReason: no funding"
    assert len(world.emulator.channel_messages(announcements)) == 3, "one post per change, the edit not announced"


async def test_announcements_follow_the_servers_language_and_need_no_role(world, settings):
    emulator = world.emulator
    guild = emulator.create_guild("Communauté", locale="fr")
    channel = emulator.create_text_channel(guild, "annonces")
    role = emulator.create_role(guild, "Modos", permissions=discord.Permissions(manage_events=True).value)
    modo = emulator.create_member(guild, "modo", locale="fr", roles=[role])
    async with bot_on_emulator(settings, emulator, clock=ManualClock(NOW)):
        await emulator.slash(modo, channel, "eventadmin settings", {"channel": channel})
        await emulator.slash(modo, channel, "eventadmin postpone", {"event": "geneva-2027", "reason": "pas de salle"})
        post = await emulator.wait_for_message(channel)
        assert post["content"] == (
            "⏳ **Prochain sommet sur l'IA, accueilli par la Suisse** est reporté. Nouvelle date\u00a0: date à "
            "confirmer. Auparavant\u00a0: premier semestre 2027.\nMotif\u00a0: pas de salle"
        )
        assert emulator.message_pings(post).nothing


# --- Discord scheduled events -----------------------------------------------------------------------


async def test_mirroring_creates_updates_and_cancels_the_scheduled_event(bot, world):
    emulator = world.emulator
    await admin(world, "add", ADD)
    assert emulator.scheduled_events(world.guild) == [], "mirroring is off by default"

    turned_on = await admin(world, "settings", {"mirroring": True})
    assert turned_on.content == "Settings saved."
    (created,) = emulator.scheduled_events(world.guild)  # the shipped events have no day yet, or are past
    assert created["name"] == "AI Safety Forum"
    assert created["entity_type"] == EXTERNAL
    assert created["privacy_level"] == 2
    assert created["entity_metadata"]["location"] == "Palexpo, Geneva, Switzerland"
    assert created["scheduled_start_time"] == zurich(2027, 3, 15, 9)
    assert created["scheduled_end_time"] == zurich(2027, 3, 15, 17)
    assert created["status"] == SCHEDULED

    await admin(world, "edit", {"event": KEY, "date": "2027-04-20 14:00", "end": "2027-04-20 18:30"})
    (updated,) = emulator.scheduled_events(world.guild)
    assert updated["id"] == created["id"]
    assert updated["scheduled_start_time"] == zurich(2027, 4, 20, 14)
    assert updated["scheduled_end_time"] == zurich(2027, 4, 20, 18, 30)

    await admin(world, "edit", {"event": KEY, "name": "AI Safety Forum II"})
    assert emulator.scheduled_events(world.guild)[0]["name"] == "AI Safety Forum II"

    await admin(world, "add", {**ADD, "name": "Day event", "date": "2027-06-01", "end": "2027-06-02"})
    day_event = next(e for e in emulator.scheduled_events(world.guild) if e["name"] == "Day event")
    assert day_event["scheduled_start_time"] == zurich(2027, 6, 1)
    assert day_event["scheduled_end_time"] == zurich(2027, 6, 3)

    await admin(world, "cancel", {"event": KEY, "reason": "no funding"})
    cancelled = next(e for e in emulator.scheduled_events(world.guild) if e["id"] == created["id"])
    assert cancelled["status"] == CANCELED


async def test_an_event_that_loses_its_day_or_is_deleted_leaves_discord(bot, world):
    emulator = world.emulator
    await admin(world, "settings", {"mirroring": True})
    await admin(world, "add", ADD)
    await admin(world, "add", {**ADD, "name": "Second", "key": "second"})
    assert len(emulator.scheduled_events(world.guild)) == 2
    await admin(world, "postpone", {"event": KEY})  # to a date not known yet
    assert [e["name"] for e in emulator.scheduled_events(world.guild)] == ["Second"]
    asked = await admin(world, "delete", {"event": "second"})
    await emulator.click(world.moderator, asked, label="Delete")
    assert emulator.scheduled_events(world.guild) == []
    await admin(world, "postpone", {"event": KEY, "date": "2027-10-01"})
    assert [e["name"] for e in emulator.scheduled_events(world.guild)] == ["AI Safety Forum"]
    await admin(world, "settings", {"mirroring": False})
    assert emulator.scheduled_events(world.guild) == [], "turning mirroring off removes what the bot made"


async def test_a_missing_permission_is_reported_once_in_the_moderators_reply(bot, world):
    world.emulator.set_missing_permission(world.guild, "scheduled_events", True)
    await admin(world, "add", ADD)
    before = len(world.emulator.channel_messages(world.general))
    turned_on = await admin(world, "settings", {"mirroring": True})
    assert "the bot lacks the Manage Events permission" in turned_on.content
    again = await admin(world, "edit", {"event": KEY, "date": "2027-03-20"})
    assert again.content == "Moved **AI Safety Forum**: date changed.", "reported once, not on every change"
    await admin(world, "edit", {"event": "paris-2025", "city": "Paris 8e"})  # past: no call, proves nothing
    later = await admin(world, "edit", {"event": KEY, "date": "2027-03-21"})
    assert later.content == "Moved **AI Safety Forum**: date changed."
    third = await admin(world, "add", {**ADD, "name": "Other", "key": "other"})
    assert third.content == "Added **Other** (`other`)."
    assert len(world.emulator.channel_messages(world.general)) == before
    assert world.emulator.scheduled_events(world.guild) == []
    assert (await bot.services.events.find(world.guild.id, "other")).name_en == "Other", "the change itself is kept"

    world.emulator.set_missing_permission(world.guild, "scheduled_events", False)
    retried = await admin(world, "settings", {"mirroring": True})
    assert retried.content == "Settings saved."
    assert sorted(e["name"] for e in world.emulator.scheduled_events(world.guild)) == ["AI Safety Forum", "Other"]


async def test_a_missing_permission_is_reported_once_in_the_announcements_channel(bot, world, announcements):
    world.emulator.set_missing_permission(world.guild, "scheduled_events", True)
    await admin(world, "settings", {"channel": announcements})
    await admin(world, "add", ADD)
    await world.emulator.wait_for_message(announcements)  # the new event's announcement
    turned_on = await admin(world, "settings", {"mirroring": True})
    assert turned_on.content == "Settings saved.", "reported in the channel, not in the reply"
    report = await world.emulator.wait_for_message(announcements)
    assert "the bot lacks the Manage Events permission" in report["content"]
    assert world.emulator.message_pings(report).nothing
    await admin(world, "edit", {"event": KEY, "date": "2027-03-20"})
    await world.emulator.wait_for_message(announcements)  # the move's announcement
    await admin(world, "edit", {"event": KEY, "date": "2027-03-21"})
    await world.emulator.wait_for_message(announcements)
    reports = [m for m in world.emulator.channel_messages(announcements) if "Manage Events" in m["content"]]
    assert len(reports) == 1


# --- French city names ------------------------------------------------------------------------------


def where(result) -> str:
    (field,) = [f["value"] for f in result.embeds[0]["fields"] if f["name"] in ("Where", "Où")]
    return field


async def test_a_moderator_gives_the_city_its_french_name(bot, world):
    added = await admin(world, "add", {**ADD, "city_fr": "Genève"})
    assert added.content == f"Added **AI Safety Forum** (`{KEY}`)."
    french = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": KEY})
    assert where(french) == "Palexpo, Genève, Suisse"
    english = await world.emulator.slash(world.member_en, world.general, "event", {"name": KEY})
    assert where(english) == "Palexpo, Geneva, Switzerland"
    listed = await world.emulator.slash(world.member_fr, world.general, "events")
    assert "📍 Palexpo, Genève, Suisse" in listed.embeds[0]["description"]

    cleared = await admin(world, "edit", {"event": KEY, "city_fr": "-", "reason": "checking"})
    assert cleared.content == "Saved **AI Safety Forum**: city (French) changed."
    french = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": KEY})
    assert where(french) == "Palexpo, Geneva, Suisse", "no French name: the city as it is"
    text = history_text(await admin(world, "history", {"event": KEY}))
    assert "edited\ncity (French): Genève → (none)\nReason: checking" in text
    assert "city: Geneva\ncity (French): Genève\ncountry: CH" in text, "recorded when added"


async def test_the_french_city_option_is_named_in_both_languages(bot, world):
    (group,) = [c for c in world.emulator.registered_commands() if c["name"] == "eventadmin"]
    for subcommand in ("add", "edit"):
        (command,) = [option for option in group["options"] if option["name"] == subcommand]
        (city_fr,) = [option for option in command["options"] if option["name"] == "city_fr"]
        assert city_fr["name_localizations"]["fr"] == "ville_fr"
        assert "Genève" in city_fr["description"] and "Genève" in city_fr["description_localizations"]["fr"]


# --- a deleted event's history ----------------------------------------------------------------------


async def test_a_deleted_events_history_shows_who_deleted_it_when_and_why(bot, world):
    await admin(world, "add", ADD)
    asked = await admin(world, "delete", {"event": KEY, "reason": "duplicate of the Bern forum"})
    await world.emulator.click(world.moderator, asked, label="Delete")

    history = await admin(world, "history", {"event": KEY})
    assert history.ephemeral
    assert history.embeds[0]["title"] == "History of AI Safety Forum (deleted)"
    text = history_text(history)
    assert text.startswith(
        f"<t:{int(NOW.timestamp())}:f> · <@{world.moderator.id}> · deleted\nReason: duplicate of the Bern forum"
    ), "the latest change first: who deleted it, when and why"
    assert "· added\n" in text, "and what came before"
    french = await admin(world, "history", {"event": KEY}, locale="fr")
    assert french.embeds[0]["title"] == "Historique de AI Safety Forum (supprimé)"

    emulator = world.emulator
    offered = await emulator.autocomplete(world.moderator, world.general, "eventadmin history", {"event": "safety"})
    assert offered == [{"name": "AI Safety Forum (2027) (deleted)", "value": KEY}]
    offered_fr = await world.emulator.autocomplete(
        world.moderator, world.general, "eventadmin history", {"event": "safety"}, locale="fr"
    )
    assert offered_fr == [{"name": "AI Safety Forum (2027) (supprimé)", "value": KEY}]
    member = await emulator.autocomplete(world.member_en, world.general, "eventadmin history", {"event": "safety"})
    assert member == [], "only moderators are offered deleted events"


async def test_a_deleted_event_is_gone_everywhere_else(bot, world):
    await admin(world, "add", ADD)
    asked = await admin(world, "delete", {"event": KEY, "reason": "duplicate"})
    await world.emulator.click(world.moderator, asked, label="Delete")
    before = await snapshot(bot)
    for command in ("edit", "postpone", "cancel", "delete"):
        options = {"event": KEY, "city": "Bern"} if command == "edit" else {"event": KEY}
        refused = await admin(world, command, options)
        assert refused.ephemeral and refused.content.startswith(f"No event here matches `{KEY}`."), command
    shown = await world.emulator.slash(world.member_en, world.general, "event", {"name": KEY})
    assert shown.ephemeral and shown.content.startswith("No event here matches")
    assert await world.emulator.autocomplete(world.member_en, world.general, "event", {"name": "safety"}) == []
    choices = await world.emulator.autocomplete(world.moderator, world.general, "eventadmin edit", {"event": "safety"})
    assert choices == []
    assert await snapshot(bot) == before
