"""Calendar feeds through the real bot, the emulator and the bot's own web server.

Each feed is read twice: with the `icalendar` library and with tests/web/ics_lines.py, a strict line
reader written for these tests (RFC 5545 line ends, 75-octet lines, folding, nesting, TEXT escapes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.helpers.store_choice import on_store
from tests.web import ics_lines
from tests.web.conftest import admin, field_value, https_feed, remind, turn_feed_on

FORUM = {
    "name": "AI Safety Forum",
    "date": "2027-03-15 09:00",
    "end": "2027-03-15 17:00",
    "timezone": "Europe/Zurich",
    "city": "Geneva",
    "country": "CH",
    "source_url": "https://example.org/forum",
}
FORUM_KEY = "ai-safety-forum-2027"


def both_parsers(body: bytes) -> tuple[icalendar.Calendar, ics_lines.Component]:
    return icalendar.Calendar.from_ical(body), ics_lines.parse(body)


def by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


async def get(http, address: str, **headers: str):
    async with http.get(address, headers=headers) as response:
        return response.status, response.headers.copy(), await response.read()


async def test_a_postponement_reaches_the_subscribed_calendar_under_the_same_uid(bot, world, http):
    await admin(world, "add", FORUM)
    address = await turn_feed_on(world)

    status, headers, body = await get(http, address)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, strict = both_parsers(body)
    uid = f"{FORUM_KEY}.{world.guild.id}@summit-bot"
    before = by_uid(calendar)[uid]
    assert before.decoded("dtstart") == datetime(2027, 3, 15, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
    (strict_before,) = [e for e in strict.walk("VEVENT") if e.value("UID") == uid]
    assert strict_before.value("DTSTART") == "20270315T090000"
    assert strict_before.params("DTSTART") == {"TZID": "Europe/Zurich"}
    assert strict.value("REFRESH-INTERVAL") == "PT1H" and strict.params("REFRESH-INTERVAL") == {"VALUE": "DURATION"}
    assert strict.value("X-PUBLISHED-TTL") == "PT1H"
    assert strict.value("X-WR-CALNAME") == "Summit Community — events"
    assert [tz.value("TZID") for tz in strict.walk("VTIMEZONE")] == ["Europe/Zurich"]

    moved = await admin(world, "postpone", {"event": FORUM_KEY, "date": "2027-04-20 10:00", "reason": "venue"})
    assert moved.ephemeral

    status, after_headers, body = await get(http, address, **{"If-None-Match": headers["ETag"]})
    assert status == 200, "a changed feed is not answered 304"
    calendar, strict = both_parsers(body)
    after = by_uid(calendar)[uid]
    assert after.decoded("dtstart") == datetime(2027, 4, 20, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))
    assert int(after["sequence"]) > int(before["sequence"])
    (strict_after,) = [e for e in strict.walk("VEVENT") if e.value("UID") == uid]
    assert int(strict_after.value("SEQUENCE")) == int(after["sequence"])
    assert after_headers["ETag"] != headers["ETag"]

    status, _, body = await get(http, address, **{"If-None-Match": after_headers["ETag"]})
    assert (status, body) == (304, b"")


async def test_the_feed_holds_dated_events_and_cancellations_never_rough_ones(bot, world, http):
    address = await turn_feed_on(world)
    await admin(world, "add", FORUM)
    await admin(world, "cancel", {"event": FORUM_KEY, "reason": "no funding"})
    _, _, body = await get(http, address)
    calendar, strict = both_parsers(body)
    events = by_uid(calendar)
    guild = world.guild.id
    assert str(events[f"{FORUM_KEY}.{guild}@summit-bot"]["status"]) == "CANCELLED"
    assert f"paris-2025.{guild}@summit-bot" in events, "past dated events stay"
    paris = events[f"paris-2025.{guild}@summit-bot"]
    assert paris.decoded("dtstart") == date(2025, 2, 10) and paris.decoded("dtend") == date(2025, 2, 12)
    assert f"geneva-2027.{guild}@summit-bot" not in events, "first half of 2027 has no day to show"
    assert sorted(e.value("UID") for e in strict.walk("VEVENT")) == sorted(events)


async def test_french_feed_and_the_links_under_events_and_event(bot, world, http):
    address = await turn_feed_on(world)
    listing = await world.emulator.slash(world.member_fr, world.general, "events", {}, locale="fr")
    shown = field_value(listing, "📅 S'abonner dans votre calendrier")
    assert address.endswith(".ics?lang=en"), "the moderator's language"
    assert https_feed(shown) == address.replace("?lang=en", "?lang=fr")
    assert "webcal://" + https_feed(shown).split("://", 1)[1] in shown
    one = await world.emulator.slash(world.member_en, world.general, "event", {"name": "paris-2025"})
    assert https_feed(field_value(one, "📅 Subscribe in your calendar")) == address
    _, _, body = await get(http, https_feed(shown))
    calendar, strict = both_parsers(body)
    assert strict.value("X-WR-CALNAME") == "Summit Community — événements"
    assert str(by_uid(calendar)[f"paris-2025.{world.guild.id}@summit-bot"]["summary"]).startswith("Sommet")


async def test_no_feed_link_until_moderators_turn_it_on(bot, world):
    listing = await world.emulator.slash(world.member_en, world.general, "events", {})
    assert all("Subscribe" not in field["name"] for embed in listing.embeds for field in embed.get("fields", []))


async def test_rotate_kills_the_old_address_with_the_same_404_as_a_made_up_one(bot, world, http):
    old = await turn_feed_on(world)
    assert await turn_feed_on(world) == old, "turning it on again keeps the address"
    rotated = await admin(world, "settings", {"calendar_feed": "rotate"})
    assert "New calendar address created: the previous one no longer works." in rotated.content
    new = https_feed(field_value(rotated, "Calendar feed and events page"))
    assert new != old
    made_up = old.rsplit("/", 1)[0] + "/" + "A" * 32 + ".ics"
    answers = [await get(http, where) for where in (old, made_up, old.rsplit("/", 2)[0] + "/nothing-here")]
    assert {status for status, _, _ in answers} == {404}
    assert len({body for _, _, body in answers}) == 1
    assert len({headers["Content-Type"] for _, headers, _ in answers}) == 1
    assert (await get(http, new))[0] == 200
    stopped = await admin(world, "settings", {"calendar_feed": "off"})
    assert "are off" in stopped.content and field_value(stopped, "Calendar feed and events page") == "off"
    assert (await get(http, new))[0] == 404


async def test_a_feed_never_lists_another_servers_events(bot, world, http):
    emulator = world.emulator
    other = emulator.create_guild("Other Community")
    channel = emulator.create_text_channel(other, "general")
    role = emulator.create_role(other, "Mods", permissions=world.moderators.permissions)
    moderator = emulator.create_member(other, "othermod", roles=[role])
    added = await emulator.slash(moderator, channel, "eventadmin add", {**FORUM, "name": "Other Only Meetup"})
    assert added.ephemeral and "Other Only Meetup" in added.content
    address = await turn_feed_on(world)
    _, _, body = await get(http, address)
    assert b"Other Only Meetup" not in body
    assert all(str(uid).endswith(f".{world.guild.id}@summit-bot") for uid in by_uid(icalendar.Calendar.from_ical(body)))


async def test_what_moderators_typed_is_escaped_in_the_feed(bot, world, http):
    name = '<script>alert("x")</script> Tom\'s; forum, \\ done'
    description = 'Line one;\nline "two", <b>bold</b>'
    await admin(world, "add", {**FORUM, "name": name, "description": description})
    address = await turn_feed_on(world)
    _, _, body = await get(http, address)
    calendar, strict = both_parsers(body)
    (ours,) = [e for e in strict.walk("VEVENT") if e.value("SUMMARY") == name]
    assert ours.value("DESCRIPTION").startswith(description)
    assert any(str(e["summary"]) == name for e in calendar.walk("VEVENT"))


async def test_member_feed_follows_their_subscriptions_and_dies_with_forget_me(bot, world, http, clock):
    await admin(world, "add", FORUM)
    member = world.member_en
    await remind(world, member, "subscribe", {"event": FORUM_KEY})
    result = await remind(world, member, "feed")
    assert result.ephemeral
    address = https_feed(result.content)
    assert "webcal://" in result.content
    _, _, body = await get(http, address)
    calendar, strict = both_parsers(body)
    assert list(by_uid(calendar)) == [f"{FORUM_KEY}.{world.guild.id}@summit-bot"]
    assert strict.value("X-WR-CALNAME") == "Summit Community — events I follow"

    renewed = await remind(world, member, "feed", {"new_address": True})
    assert "New address created: the previous one no longer works." in renewed.content
    fresh = https_feed(renewed.content)
    assert (await get(http, address))[0] == 404 and (await get(http, fresh))[0] == 200

    asked = await remind(world, member, "forget-me")
    done = await world.emulator.click(member, asked, label="Forget me")
    assert done.message["content"].startswith("Done")
    assert (await get(http, fresh))[0] == 404
    assert await bot.database.fetch_all("SELECT * FROM calendar_feeds WHERE user_id = ?", (member.id,)) == []


async def test_a_member_feed_keeps_its_address_and_has_no_page(bot, world, http):
    await remind(world, world.member_en, "subscribe", {"event": "*"})
    address = https_feed((await remind(world, world.member_en, "feed")).content)
    assert https_feed((await remind(world, world.member_en, "feed")).content) == address
    assert (await get(http, address.removesuffix(".ics")))[0] == 404


@pytest.mark.parametrize("locale", ["en-US", "fr"])
async def test_feed_settings_refused_when_the_web_server_is_off(world, tmp_path, emulator, clock, locale, store_url):
    from bot.config import validate_settings
    from bot.sandbox_session import bot_on_emulator, settings_for_emulator

    settings = on_store(settings_for_emulator(validate_settings({}), emulator, tmp_path / "off.sqlite3"), store_url)
    async with bot_on_emulator(settings, emulator, clock=clock) as running:
        before = await running.database.fetch_all("SELECT * FROM calendar_feeds")
        refused = await admin(world, "settings", {"calendar_feed": "on"}, locale=locale)
        assert refused.ephemeral
        expected = "web server" if locale == "en-US" else "serveur web"
        assert expected in refused.content
        assert refused.content.endswith("Nothing changed." if locale == "en-US" else "Rien n'a changé.")
        assert await running.database.fetch_all("SELECT * FROM calendar_feeds") == before
        listing = await world.emulator.slash(world.member_en, world.general, "events", {})
        assert all("Subscribe" not in f["name"] for e in listing.embeds for f in e.get("fields", []))


async def test_feed_requests_after_a_day_use_the_cache_and_keep_the_etag(bot, world, http, clock):
    address = await turn_feed_on(world)
    first = await get(http, address)
    clock.advance(timedelta(days=1))
    second = await get(http, address)
    assert first[1]["ETag"] == second[1]["ETag"] and first[2] == second[2]
    etag = first[1]["ETag"]
    for header in (f"W/{etag}", f'"other", {etag}', "*"):
        status, headers, body = await get(http, address, **{"If-None-Match": header})
        assert (status, body, headers["ETag"]) == (304, b"", etag), header
    assert (await get(http, address, **{"If-None-Match": '"other"'}))[0] == 200
