"""The bodies that once left Discord's request schema: ids go as strings, and the emulator accepts them.

The emulator checks every body against the spec (a violation fails the fixture); these tests also look
at the exact field each fix is about.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.sandbox_session import bot_on_emulator

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
async def bot(world, settings):
    async with bot_on_emulator(settings, world.emulator, clock=ManualClock(NOW)) as running:
        yield running


def sent_bodies(emulator, template: str) -> list[dict]:
    return [r.json for r in emulator.requests if r.template == template and isinstance(r.json, dict)]


async def test_an_announcement_pings_its_role_by_a_string_id(bot, world):
    emu = world.emulator
    announcements = emu.create_text_channel(world.guild, "announcements")
    followers = emu.create_role(world.guild, "Event followers", mentionable=True)
    settings = {"channel": announcements, "role": followers}
    await emu.slash(world.moderator, world.general, "eventadmin settings", settings)
    postpone = {"event": "geneva-2027", "date": "2027-H2", "reason": "announced"}
    await emu.slash(world.moderator, world.general, "eventadmin postpone", postpone)
    post = await emu.wait_for_message(announcements)
    assert emu.message_pings(post).roles == frozenset({followers.id})
    (body,) = sent_bodies(emu, "/channels/{channel_id}/messages")
    assert body["allowed_mentions"] == {"parse": [], "roles": [str(followers.id)]}
    assert emu.spec_violations == []


async def test_the_calendar_file_has_a_string_attachment_id(bot, world):
    emu = world.emulator
    shown = await emu.slash(world.member_en, world.general, "event", {"name": "india-2026"})
    ics = await emu.click(world.member_en, shown, label="Add to calendar")
    assert [a.filename for a in ics.attachments] == ["india-2026.ics"]
    (answer,) = [b for b in sent_bodies(emu, "/interactions/{interaction_id}/{interaction_token}/callback") if
                 "attachments" in (b.get("data") or {})]  # fmt: skip
    assert answer["data"]["attachments"] == [{"id": "0", "filename": "india-2026.ics"}]
    assert emu.spec_violations == []


async def test_the_reminder_feed_has_a_string_attachment_id(bot, world):
    emu = world.emulator
    forum = {"name": "AI Safety Forum", "key": "forum-2027", "date": "2027-03-15 09:00", "timezone": "Europe/Zurich",
             "venue": "Palexpo", "city": "Geneva", "country": "CH", "source_url": "https://example.org/f"}  # fmt: skip
    await emu.slash(world.moderator, world.general, "eventadmin add", forum)
    subscribed = await emu.slash(world.member_en, world.general, "remind subscribe", {"event": "forum-2027"})
    assert not subscribed.content.startswith("No event"), subscribed.content
    feed = await emu.slash(world.member_en, world.general, "remind feed")
    (attachment,) = feed.attachments
    answers = sent_bodies(emu, "/interactions/{interaction_id}/{interaction_token}/callback")
    (answer,) = [b for b in answers if "attachments" in (b.get("data") or {})]
    assert answer["data"]["attachments"] == [{"id": "0", "filename": attachment.filename}]
    assert emu.spec_violations == []
