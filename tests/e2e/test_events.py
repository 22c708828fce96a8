"""/events and /event through the real bot and the emulator, with "now" fixed at 2026-11-24 12:00 UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.clock import ManualClock
from bot.sandbox_session import bot_on_emulator
from bot.services.events.service import EventDraft

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PAST_IN_ORDER = [
    "World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2026)",
    "AI for Good Global Summit 2026",
    "First UN Global Dialogue on AI Governance",
    "AI Impact Summit 2026",
    "World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2025)",
    "AI for Good Global Summit 2025",
    "3rd UNESCO Global Forum on the Ethics of Artificial Intelligence",
    "Global AI Summit on Africa (Kigali Summit)",
    "AI Action Summit",
]


THEPRINT = (
    "https://theprint.in/tech/ai-summit-ends-with-88-nations-adopting-new-delhi-declaration-calls-for-cooperation"
    "-sovereignty/2860446"
)


@pytest.fixture
async def bot(world, settings):
    async with bot_on_emulator(settings, world.emulator, clock=ManualClock(NOW)) as running:
        yield running


def stamp(year: int, month: int, day: int, zone: str, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).timestamp())


def description(result) -> str:
    (embed,) = result.embeds
    return embed["description"]


def fields(result) -> dict[str, str]:
    (embed,) = result.embeds
    return {field["name"]: field["value"] for field in embed["fields"]}


async def every_page(world, who, result) -> str:
    """The descriptions of every page of a paginated answer, following its Next button."""
    text = description(result)
    while any(b["label"] == "Next ▶" and not b.get("disabled") for b in result.buttons):
        result = await world.emulator.click(who, result, label="Next ▶")
        text += "\n\n" + description(result)
    return text


def button(result, label: str) -> dict:
    found = [b for b in result.buttons if b["label"] == label]
    assert found, f"no button {label!r} among {[b['label'] for b in result.buttons]}"
    return found[0]


async def add(bot, world, **values) -> None:
    defaults = {"timezone": "Europe/Zurich", "city": "Geneva", "country": "CH"}
    await bot.services.events.add(world.guild.id, world.moderator.id, EventDraft(**{**defaults, **values}))


# --- /events ----------------------------------------------------------------------------------------


async def test_upcoming_says_nothing_is_dated_and_lists_the_announced_summits(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "events")
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "Upcoming events"
    text = embed["description"]
    assert text.startswith("No event with a known date is coming up.")
    geneva = text.index("**Next AI summit, hosted by Switzerland**")
    new_york = text.index("**Second UN Global Dialogue on AI Governance**")
    uae = text.index("**AI summit hosted by the United Arab Emirates**")
    assert geneva < new_york < uae, "the sooner period first"
    assert "first half of 2027 — date to be announced" in text
    assert "**Second UN Global Dialogue on AI Governance**\n2027 — date to be announced\n📍 New York, United" in text
    assert "2028 — date to be announced" in text
    assert "📍 Geneva, Switzerland" in text
    assert "<t:" not in text, "no timestamp for a date that is not known"
    assert "AI Impact Summit" not in text
    assert button(result, "Past events (9)")


async def test_upcoming_offers_the_past_ones(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "events")
    past = await world.emulator.click(world.member_en, result, label="Past events (9)")
    assert past.ephemeral
    assert past.embeds[0]["title"] == "Past events"
    text = await every_page(world, world.member_en, past)
    positions = [text.index(f"**{name}**") for name in PAST_IN_ORDER]
    assert positions == sorted(positions), "most recent first"


async def test_upcoming_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "events")
    (embed,) = result.embeds
    assert embed["title"] == "Événements à venir"
    assert embed["description"].startswith("Aucun événement daté n'est à venir.")
    assert "**Prochain sommet sur l'IA, accueilli par la Suisse**" in embed["description"]
    assert "premier semestre 2027 — date à confirmer" in embed["description"]
    assert "2028 — date à confirmer" in embed["description"]
    assert "📍 Genève, Suisse" in embed["description"], "the city and the country in French"
    assert "Geneva" not in embed["description"]
    assert "📍 New York, États-Unis" in embed["description"]
    assert button(result, "Événements passés (9)")


async def test_past_events_show_timestamps_and_the_local_dates(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "events", {"when": "past"})
    text = await every_page(world, world.member_en, result)
    positions = [text.index(f"**{name}**") for name in PAST_IN_ORDER]
    assert positions == sorted(positions)
    india = stamp(2026, 2, 16, "Asia/Kolkata")
    assert f"16–20 February 2026 at the venue · starts <t:{india}:F> (<t:{india}:R>)" in text
    assert "📍 Bharat Mandapam, New Delhi, India" in text
    paris = stamp(2025, 2, 10, "Europe/Paris")
    assert f"10–11 February 2025 at the venue · starts <t:{paris}:F> (<t:{paris}:R>)" in text
    assert "Next AI summit" not in text
    assert button(result, "2/2")["disabled"], "nine past events: two pages (read), nothing else to offer"


async def test_past_events_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "events", {"quand": "past"})
    text = description(result)
    india = stamp(2026, 2, 16, "Asia/Kolkata")
    assert f"16–20 février 2026 sur place · début <t:{india}:F> (<t:{india}:R>)" in text
    assert "**Sommet sur l'impact de l'IA 2026**" in text
    assert "Inde" in text


async def test_all_events_in_chronological_order_with_the_unknown_dates_last(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "events", {"when": "all"})
    (embed,) = result.embeds
    assert embed["title"] == "All events"
    text = await every_page(world, world.member_en, result)
    order = [*reversed(PAST_IN_ORDER), "Next AI summit, hosted by Switzerland", "AI summit hosted by the"]
    positions = [text.index(f"**{name}") for name in order]
    assert positions == sorted(positions)


async def test_a_dated_upcoming_event_comes_first_with_its_timestamps(bot, world):
    await add(bot, world, name_en="AI Safety Forum", date="2027-03-15 09:00", end="2027-03-15 17:00")
    result = await world.emulator.slash(world.member_en, world.general, "events")
    text = description(result)
    assert not text.startswith("No event with a known date")
    start = stamp(2027, 3, 15, "Europe/Zurich", 9)
    assert text.startswith(
        f"**AI Safety Forum**\n15 March 2027, 09:00–17:00 at the venue · starts <t:{start}:F> (<t:{start}:R>)"
    )
    assert text.index("AI Safety Forum") < text.index("Next AI summit")
    assert not result.buttons, "something dated is coming up: no need to offer the past"


async def test_many_events_are_split_into_pages(bot, world):
    for number in range(12):
        await add(bot, world, name_en=f"Working group {number:02d}", date=f"2027-04-{number + 1:02d}")
    result = await world.emulator.slash(world.member_en, world.general, "events", {"when": "all"})
    assert button(result, "1/3")["disabled"]
    seen = description(result)
    second = await world.emulator.click(world.member_en, result, label="Next ▶")
    seen += description(second)
    third = await world.emulator.click(world.member_en, second, label="Next ▶")
    seen += description(third)
    for number in range(12):
        assert seen.count(f"**Working group {number:02d}**") == 1, "every event once, none cut"
    assert seen.count("**") // 2 == 24


async def test_a_cancelled_or_postponed_event_says_so(bot, world):
    await add(bot, world, name_en="Forum A", date="2027-05-01")
    await add(bot, world, name_en="Forum B", date="2027-05-02")
    service = bot.services.events
    await service.cancel(world.guild.id, "forum-a-2027", world.moderator.id, "no funding")
    await service.postpone(world.guild.id, "forum-b-2027", world.moderator.id, reason="venue")
    text = description(await world.emulator.slash(world.member_en, world.general, "events"))
    assert "**Forum A** — cancelled" in text
    assert "**Forum B** — postponed\ndate to be announced" in text


# --- /event -----------------------------------------------------------------------------------------


async def test_autocomplete_lists_upcoming_first_in_the_readers_language(bot, world):
    choices = await world.emulator.autocomplete(world.member_en, world.general, "event", {"name": ""})
    assert len(choices) == 12
    assert choices[0] == {"name": "Next AI summit, hosted by Switzerland (2027)", "value": "geneva-2027"}
    assert choices[1] == {"name": "Second UN Global Dialogue on AI Governance (2027)", "value": "un-dialogue-2027"}
    assert choices[3] == {
        "name": "World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2026)",
        "value": "waic-2026",
    }
    french = await world.emulator.autocomplete(world.member_fr, world.general, "event", {"name": "emirats"})
    assert french == [{"name": "Sommet sur l'IA accueilli par les Émirats arabes unis (2028)", "value": "uae-2028"}]
    assert all(len(choice["name"]) <= 100 for choice in choices)


async def test_event_embed_and_buttons(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "india-2026"})
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "AI Impact Summit 2026"
    assert embed["description"].startswith("The summit after Paris")
    assert "New Delhi Declaration on AI Impact, was announced on 21 February 2026 with 88 endorsers" in (
        embed["description"]
    )
    values = fields(result)
    start = stamp(2026, 2, 16, "Asia/Kolkata")
    assert values["When"] == f"16–20 February 2026 at the venue · starts <t:{start}:F> (<t:{start}:R>)"
    assert values["Where"] == "Bharat Mandapam, New Delhi, India"
    assert values["Time zone of the venue"].startswith("Asia/Kolkata")
    assert values["Status"] == "over"
    assert values["Type"] == "Summit"
    assert values["Sources"] == f"{THEPRINT}\nhttps://livemint.com"
    assert embed["footer"]["text"] == "Event: india-2026"
    calendar = button(result, "Add to calendar")
    assert calendar["custom_id"].startswith("ev:ics:")
    assert button(result, "Source")["url"] == THEPRINT
    assert result.message["allowed_mentions"] == {"parse": []}


async def test_event_in_french_with_its_clause(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "kigali-2025"})
    (embed,) = result.embeds
    assert embed["title"] == "Sommet mondial sur l'IA en Afrique (Sommet de Kigali)"
    values = fields(result)
    assert values["Cité dans la déclaration"] == "article 6"
    assert values["Quand"].startswith("3–4 avril 2025 sur place")
    assert values["Statut"] == "terminé"
    assert button(result, "Ajouter au calendrier")


async def test_a_typed_name_finds_the_event(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "WAIC 2025"})
    assert result.embeds[0]["title"].endswith("(WAIC 2025)")
    both = await world.emulator.slash(world.member_en, world.general, "event", {"name": "WAIC"})
    assert both.ephemeral and both.content.startswith("No event here matches `WAIC`."), "2025 or 2026?"


async def test_an_unknown_event_is_refused_ephemerally(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "Olympics"})
    assert result.ephemeral
    assert result.content == "No event here matches `Olympics`. Start typing its name and pick it from the list."


async def test_the_calendar_file_reads_back_to_the_same_days(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "india-2026"})
    ics = await world.emulator.click(world.member_en, result, label="Add to calendar")
    assert ics.ephemeral
    assert ics.content.startswith("Here is **AI Impact Summit 2026** for your calendar.")
    (attachment,) = ics.attachments
    assert attachment.filename == "india-2026.ics"
    (vevent,) = icalendar.Calendar.from_ical(attachment.data).walk("VEVENT")
    assert vevent.decoded("dtstart") == date(2026, 2, 16)
    assert vevent.decoded("dtend") == date(2026, 2, 21)
    assert str(vevent["SUMMARY"]) == "AI Impact Summit 2026"
    assert str(vevent["UID"]) == f"india-2026.{world.guild.id}@summit-bot"
    again = await world.emulator.click(world.member_fr, result, label="Add to calendar")
    (french,) = again.attachments
    (same,) = icalendar.Calendar.from_ical(french.data).walk("VEVENT")
    assert str(same["UID"]) == str(vevent["UID"]), "importing it again updates the entry"
    assert str(same["SUMMARY"]) == "Sommet sur l'impact de l'IA 2026"


async def test_the_calendar_file_of_an_exact_time_keeps_its_instant(bot, world):
    await add(bot, world, name_en="AI Safety Forum", date="2027-03-15 09:00", end="2027-03-15 17:00")
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "AI Safety Forum"})
    ics = await world.emulator.click(world.member_en, result, label="Add to calendar")
    (attachment,) = ics.attachments
    (vevent,) = icalendar.Calendar.from_ical(attachment.data).walk("VEVENT")
    assert vevent.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
    assert vevent.decoded("dtend").astimezone(UTC) == datetime(2027, 3, 15, 16, 0, tzinfo=UTC)
    assert b"TZID=Europe/Zurich" in attachment.data


async def test_an_event_without_a_date_has_no_calendar_file_yet(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "geneva-2027"})
    values = fields(result)
    assert values["When"] == "first half of 2027 — date to be announced"
    assert "Time zone of the venue" not in values
    ics = await world.emulator.click(world.member_en, result, label="Add to calendar")
    assert ics.ephemeral
    assert not ics.attachments
    assert ics.content == (
        "This event has no exact date yet (first half of 2027 — date to be announced): there is nothing to put in "
        "a calendar. Try again once the date is announced."
    )


async def test_a_tba_event(bot, world):
    await add(bot, world, name_en="Open Data Day", date="TBA")
    result = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "Open Data Day"})
    assert fields(result)["Quand"] == "date à confirmer"
    listing = description(await world.emulator.slash(world.member_en, world.general, "events"))
    assert listing.index("AI summit hosted by the United Arab Emirates") < listing.index("Open Data Day")
    assert "**Open Data Day**\ndate to be announced" in listing


async def test_a_server_without_events(bot, world):
    service = bot.services.events
    for event in await service.events(world.guild.id):
        pending = await service.request_deletion(world.guild.id, event.key, world.moderator.id)
        await service.confirm_deletion(world.guild.id, pending.token, world.moderator.id)
    upcoming = await world.emulator.slash(world.member_en, world.general, "events")
    assert description(upcoming) == "Nothing is coming up for now."
    assert not upcoming.buttons, "nothing past to offer either"
    past = await world.emulator.slash(world.member_fr, world.general, "events", {"quand": "past"})
    assert description(past) == "Aucun événement passé ici pour l'instant."


# --- the events added in December 2026, and French place names ---------------------------------------


async def test_the_2026_events_are_listed_as_past_with_their_dates_and_places(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "events", {"when": "past"})
    text = description(result)  # the latest first: the 2026 events are on the first page
    dialogue = stamp(2026, 7, 6, "Europe/Zurich")
    assert (
        "**First UN Global Dialogue on AI Governance** — over\n"
        f"6–7 July 2026 at the venue · starts <t:{dialogue}:F> (<t:{dialogue}:R>)\n📍 Palexpo, Geneva, Switzerland"
    ) in text
    assert "**AI for Good Global Summit 2026** — over\n7–10 July 2026 at the venue" in text
    waic = stamp(2026, 7, 17, "Asia/Shanghai")
    assert (
        "**World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2026)** — over\n"
        f"17–20 July 2026 at the venue · starts <t:{waic}:F> (<t:{waic}:R>)\n📍 Shanghai, China"
    ) in text


@pytest.mark.parametrize(
    ("key", "sources"),
    [
        ("un-dialogue-2026", ["https://dig.watch/category/digital-cooperation/page/6",
                              "https://press.un.org/en/2025/sgsm22776.doc.htm"]),
        ("ai-for-good-2026", ["https://globalcitieshub.org/en/wsis-ai-for-good-2026"]),
        ("waic-2026", ["https://en.wedoany.com/shortnews/212845.html", "https://citynewsservice.cn"]),
        ("un-dialogue-2027", ["https://press.un.org/en/2025/sgsm22776.doc.htm"]),
    ],
)  # fmt: skip
async def test_each_new_event_shows_its_sources(bot, world, key, sources):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": key})
    assert fields(result)["Sources"] == "\n".join(sources)
    assert button(result, "Source")["url"] == sources[0]


async def test_waic_2026_says_how_sure_its_dates_are(bot, world):
    english = await world.emulator.slash(world.member_en, world.general, "event", {"name": "waic-2026"})
    assert "Its dates are known only with medium confidence" in english.embeds[0]["description"]
    french = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "waic-2026"})
    assert "Ses dates ne sont connues qu'avec une confiance moyenne" in french.embeds[0]["description"]


async def test_geneva_2027_names_its_co_chair_and_organisers(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "event", {"name": "geneva-2027"})
    text = result.embeds[0]["description"]
    assert "co-chaired by the United Arab Emirates" in text
    assert "Federal Department of Foreign Affairs (FDFA)" in text
    assert "https://innosuisse.admin.ch" in fields(result)["Sources"]


async def test_french_readers_read_genève_and_english_readers_geneva(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "events", {"quand": "past"})
    french_past = await every_page(world, world.member_fr, result)
    assert "📍 Palexpo, Genève, Suisse" in french_past
    assert "Geneva" not in french_past
    french = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "ai-for-good-2026"})
    assert fields(french)["Où"] == "Palexpo, Genève, Suisse"
    upcoming = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "geneva-2027"})
    assert fields(upcoming)["Où"] == "Genève, Suisse"
    english = await world.emulator.slash(world.member_en, world.general, "event", {"name": "ai-for-good-2026"})
    assert fields(english)["Where"] == "Palexpo, Geneva, Switzerland"
    delhi = await world.emulator.slash(world.member_fr, world.general, "event", {"nom": "india-2026"})
    assert fields(delhi)["Où"] == "Bharat Mandapam, New Delhi, Inde", "New Delhi reads the same in French"
