"""/remind and reminders through the real bot and the emulator, in real time (no sleeps: the tests await
the emulator's messages). The clock is the real one shifted forward, so a whole minute is always a
couple of seconds away: events and lead times are whole minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.reminders.planning import Audience
from bot.sandbox import DiscordEmulator, Pings
from bot.sandbox_session import bot_on_emulator
from bot.services.events.service import EventDraft
from tests.helpers.reminders import OffsetClock

SOON = timedelta(seconds=2)
ZURICH = ZoneInfo("Europe/Zurich")


@pytest.fixture
def clock() -> OffsetClock:
    return OffsetClock()


@pytest.fixture
async def emulator(clock):
    async with DiscordEmulator(clock=clock) as emu:
        yield emu
        emu.assert_no_spec_violations()


@pytest.fixture
async def bot(world, settings, clock):
    async with bot_on_emulator(settings, world.emulator, clock=clock) as running:
        await runtime_of(running).ready.wait()
        yield running


def runtime_of(bot):
    return bot.get_cog("Reminders").runtime


def local(moment: datetime) -> str:
    return moment.astimezone(ZURICH).strftime("%Y-%m-%d %H:%M")


async def add_event(bot, world, starts: datetime, name: str = "AI Safety Forum", **values):
    draft = EventDraft(name_en=name, date=local(starts), timezone="Europe/Zurich", venue="Palexpo", city="Geneva",
                       country="CH", **values)  # fmt: skip
    return (await bot.services.events.add(world.guild.id, world.moderator.id, draft)).event


async def remind(world, member, command: str, options: dict | None = None, locale: str | None = None):
    return await world.emulator.slash(member, world.general, f"remind {command}", options or {}, locale=locale)


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def fields(embed: dict) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


def labels(message) -> list[str]:
    return [button["label"] for row in message["components"] for button in row["components"]]


async def reminder_rows(bot) -> list[tuple]:
    rows = []
    for table in ("reminder_subscriptions", "reminder_subscription_leads", "reminder_channel_leads",
                  "reminder_deliveries", "reminder_snoozes", "reminder_pending_notices"):  # fmt: skip
        rows.extend((table, *tuple(row)) for row in await bot.database.fetch_all(f"SELECT * FROM {table}"))
    return rows


# --- on time ------------------------------------------------------------------------------------------


async def test_a_one_minute_reminder_arrives_within_a_second_of_its_due_time(bot, world, clock):
    due = clock.align(SOON)
    starts = due + timedelta(minutes=1)
    event = await add_event(bot, world, starts)
    answer = await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1m"})
    assert answer.ephemeral
    assert answer.content == (
        f"You follow **AI Safety Forum**: reminders 1 minute before.\n"
        f"Next reminder <t:{stamp(due)}:f> (<t:{stamp(due)}:R>)."
    )
    message = await world.emulator.wait_for_message(world.member_en, timeout=10)
    arrived = datetime.fromisoformat(message["timestamp"])
    assert timedelta(0) <= arrived - due < timedelta(seconds=1), f"{arrived - due} after its due time"
    (embed,) = message["embeds"]
    assert embed["title"] == "⏰ AI Safety Forum"
    assert embed["description"] == f"Starts <t:{stamp(starts)}:R> — your 1-minute reminder."
    when = fields(embed)["When"]
    assert local(starts)[-5:] in when and "at the venue" in when and f"<t:{stamp(starts)}:F>" in when
    assert fields(embed)["Where"] == "Palexpo, Geneva, Switzerland"
    assert embed["footer"]["text"].startswith("Summit Community · ref r-")
    assert labels(message) == ["Snooze 1 hour", "Remind me just before", "Unsubscribe"]
    assert world.emulator.message_pings(message).nothing
    await runtime_of(bot).idle()
    row = await bot.database.fetch_one("SELECT state, message_id, late FROM reminder_deliveries")
    assert tuple(row) == ("sent", message.id, 0)
    assert len(world.emulator.dm_messages(world.member_en)) == 1


async def test_the_announcements_channel_gets_one_post_pinging_only_its_role(bot, world, clock):
    emulator = world.emulator
    announcements = emulator.create_text_channel(world.guild, "announcements")
    followers = emulator.create_role(world.guild, "Event followers", mentionable=True)
    saved = await emulator.slash(world.moderator, world.general, "eventadmin settings",
                                 {"channel": announcements, "role": followers, "reminder_leads": "1m"})  # fmt: skip
    assert fields(saved.embeds[0])["Reminders in the announcements channel"] == "1 minute"
    due = clock.align(SOON)
    starts = due + timedelta(minutes=1)
    await add_event(bot, world, starts, name=f"Forum @everyone <@{world.member_en.id}>")
    added = await emulator.wait_for_message(announcements)  # the events feature announces the new event
    assert "starts" not in added["content"]
    post = await emulator.wait_for_message(announcements, timeout=10)
    assert datetime.fromisoformat(post["timestamp"]) - due < timedelta(seconds=1)
    assert post["content"].startswith(f"<@&{followers.id}> ⏰ **Forum @everyone")
    assert emulator.message_pings(post) == Pings(roles=frozenset({followers.id}))
    assert post["embeds"][0]["footer"]["text"].startswith("Summit Community · ref r-")
    assert not post["components"]
    assert len(emulator.channel_messages(announcements)) == 2, "one post for the lead time"


# --- buttons of a reminder --------------------------------------------------------------------------


async def send_now(bot, event, lead: int):
    """Run the reminder job of `lead` now (the tests of its buttons need not wait for it)."""
    from bot.reminders.planning import ReminderJob

    job = ReminderJob(event.id, event.guild_id, lead, Audience.DM, event.reminder_instant())
    return await runtime_of(bot).dispatcher.run_job(job, late=False)


async def test_snooze_and_unsubscribe_buttons(bot, world, clock):
    starts = clock.align(timedelta(hours=3))
    event = await add_event(bot, world, starts)
    await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1h"})
    assert await send_now(bot, event, 3600) == {"sent": 1}
    message = await world.emulator.wait_for_message(world.member_en)
    snoozed = await world.emulator.click(world.member_en, message, label="Snooze 1 hour")
    assert snoozed.ephemeral and snoozed.content.startswith("Done: I will remind you again <t:")
    before = await world.emulator.click(world.member_en, message, label="Remind me just before")
    ten_before = starts - timedelta(minutes=10)
    assert before.content == f"Done: I will remind you again <t:{stamp(ten_before)}:f> (<t:{stamp(ten_before)}:R>)."
    snoozes = await bot.database.fetch_all("SELECT id, due_at FROM reminder_snoozes ORDER BY due_at")
    assert [datetime.fromisoformat(row["due_at"]) for row in snoozes][-1] == ten_before
    board = runtime_of(bot).board
    assert abs(board.run_at(f"snooze:{snoozes[-1]['id']}") - ten_before) < timedelta(seconds=1)
    assert runtime_of(bot).job_run_at(event.id, 3600) is not None
    gone = await world.emulator.click(world.member_en, message, label="Unsubscribe")
    assert gone.ephemeral and gone.content == "You no longer follow **AI Safety Forum**: no more reminders for it."
    assert runtime_of(bot).job_run_at(event.id, 3600) is None, "nobody wants that reminder any more"
    again = await world.emulator.click(world.member_en, message, label="Unsubscribe")
    assert again.ephemeral and again.content == "You already unsubscribed."


async def test_a_snoozed_reminder_rings_just_before_the_start(bot, world, clock):
    due = clock.align(SOON)
    starts = due + timedelta(minutes=10)
    event = await add_event(bot, world, starts)
    await remind(world, world.member_fr, "subscribe", {"event": event.key, "lead": "5m"})
    assert await send_now(bot, event, 300) == {"sent": 1}  # early: only its buttons matter here
    first = await world.emulator.wait_for_message(world.member_fr)
    assert labels(first) == ["Rappeler dans 1\u00a0h", "Rappeler juste avant", "Ne plus suivre"]
    pressed = await world.emulator.click(world.member_fr, first, label="Rappeler juste avant", locale="fr")
    assert pressed.content.startswith("C'est noté\u00a0: je vous le rappellerai <t:")
    rung = await world.emulator.wait_for_message(world.member_fr, timeout=10)
    assert datetime.fromisoformat(rung["timestamp"]) - due < timedelta(seconds=1)
    assert rung["embeds"][0]["description"] == f"Commence <t:{stamp(starts)}:R> — le rappel que vous avez reporté."
    await runtime_of(bot).idle()
    assert await bot.database.fetch_all("SELECT * FROM reminder_snoozes") == []


# --- closed DMs ---------------------------------------------------------------------------------------


async def test_a_closed_dm_is_recorded_told_next_time_and_listed(bot, world, clock):
    starts = clock.align(timedelta(hours=3))
    event = await add_event(bot, world, starts)
    await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1h"})
    world.emulator.close_dms(world.member_en)
    assert await send_now(bot, event, 3600) == {"closed_dm": 1}
    assert await send_now(bot, event, 3600) == {}, "recorded: not tried again"
    await runtime_of(bot).idle()
    state = await bot.database.fetch_value("SELECT state FROM reminder_deliveries")
    assert state == "closed_dm"
    about = await world.emulator.slash(world.member_en, world.general, "about")
    (told,) = await about.wait_for_followups(1)
    assert told.ephemeral
    assert told["content"].startswith("I could not send you the reminder for **AI Safety Forum**: your direct")
    quiet = await world.emulator.slash(world.member_en, world.general, "about")
    assert quiet.followups == [], "told once"
    listed = await remind(world, world.member_en, "list")
    assert listed.embeds[0]["description"].startswith("⚠️ Your direct messages are closed")
    other = await remind(world, world.member_fr, "list")
    assert other.embeds[0]["description"] == "Vous ne suivez rien ici pour l'instant. Essayez `/rappel suivre`."


# --- moves and cancellations -----------------------------------------------------------------------


async def test_a_moved_event_tells_its_followers_and_moves_their_reminders(bot, world, clock):
    emulator = world.emulator
    # Geneva 2027 has no exact date yet: following it plans nothing until it gets one.
    followed = await remind(world, world.member_fr, "subscribe", {"event": "geneva-2027", "lead": "1d"}, locale="fr")
    assert "Sa date n'est pas encore connue" in followed.content
    event = await bot.services.events.find(world.guild.id, "geneva-2027")
    assert runtime_of(bot).job_run_at(event.id, 86400) is None
    await remind(world, world.member_en, "subscribe", {"event": "*", "lead": "1d"})
    dated = await emulator.slash(
        world.moderator, world.general, "eventadmin edit",
        {"event": "geneva-2027", "date": "2027-05-04 09:00", "reason": "announced"},
    )  # fmt: skip
    assert dated.content.endswith("2 followers will be told by DM.")
    new_start = datetime(2027, 5, 4, 7, 0, tzinfo=UTC)
    run_at = runtime_of(bot).job_run_at(event.id, 86400)
    assert abs(run_at - (new_start - timedelta(days=1))) < timedelta(seconds=1)
    french = await emulator.wait_for_message(world.member_fr)
    assert french["embeds"][0]["title"] == "📅 Prochain sommet sur l'IA, accueilli par la Suisse change de date"
    assert french["embeds"][0]["description"] == (
        f"Nouvelle date\u00a0: 4 mai 2027, 9\u00a0h\u00a000 (<t:{stamp(new_start)}:F>). "
        "Auparavant\u00a0: premier semestre 2027.\nMotif\u00a0: announced\nVos rappels suivent la nouvelle date."
    )
    english = await emulator.wait_for_message(world.member_en)
    assert english["embeds"][0]["description"].startswith("New date: 4 May 2027, 09:00")
    await emulator.slash(world.moderator, world.general, "eventadmin edit",
                         {"event": "geneva-2027", "date": "2027-05-05 09:00", "reason": "one day later"})  # fmt: skip
    moved_again = await emulator.wait_for_message(world.member_en)
    assert "Reason: one day later" in moved_again["embeds"][0]["description"]
    await runtime_of(bot).idle()
    assert len(emulator.dm_messages(world.member_en)) == 2, "once per follower per change"
    assert len(emulator.dm_messages(world.member_fr)) == 2


async def test_a_cancelled_event_tells_its_followers_and_drops_its_reminders(bot, world, clock):
    starts = clock.align(timedelta(days=3))
    event = await add_event(bot, world, starts)
    await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1d, 1h"})
    assert runtime_of(bot).job_run_at(event.id, 3600) is not None
    cancelled = await world.emulator.slash(world.moderator, world.general, "eventadmin cancel",
                                           {"event": event.key, "reason": "no funding"})  # fmt: skip
    assert cancelled.content.endswith("1 follower will be told by DM.")
    notice = await world.emulator.wait_for_message(world.member_en)
    assert notice["embeds"][0]["title"] == "❌ AI Safety Forum is cancelled"
    assert "Reason: no funding" in notice["embeds"][0]["description"]
    assert runtime_of(bot).job_run_at(event.id, 3600) is None
    assert runtime_of(bot).job_run_at(event.id, 86400) is None
    listed = await remind(world, world.member_en, "list")
    assert "Cancelled: no more reminders." in listed.embeds[0]["description"]


# --- subscribing, listing, leaving ---------------------------------------------------------------------


async def test_the_subscribe_button_under_event_uses_the_defaults(bot, world, clock):
    starts = clock.align(timedelta(days=5))
    event = await add_event(bot, world, starts)
    shown = await world.emulator.slash(world.member_en, world.general, "event", {"name": event.key})
    assert [button["label"] for button in shown.buttons][:2] == ["Subscribe", "Add to calendar"]
    pressed = await world.emulator.click(world.member_fr, shown, label="Subscribe")
    assert pressed.ephemeral
    assert pressed.content.startswith("Vous suivez **AI Safety Forum**\u00a0: rappels 1 jour, 1 heure avant.")
    leads = await bot.database.fetch_all(
        "SELECT lead_seconds FROM reminder_subscription_leads ORDER BY lead_seconds DESC"
    )
    assert [row[0] for row in leads] == [86400, 3600]
    await bot.services.events.cancel(world.guild.id, event.key, world.moderator.id)
    cancelled = await world.emulator.slash(world.member_en, world.general, "event", {"name": event.key})
    assert "Subscribe" not in [button["label"] for button in cancelled.buttons]


async def test_list_unsubscribe_and_feed(bot, world, clock):
    starts = clock.align(timedelta(days=5))
    event = await add_event(bot, world, starts)
    await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1d, 1h"})
    await remind(world, world.member_en, "subscribe", {"event": "geneva-2027"})
    listed = await remind(world, world.member_en, "list")
    assert listed.ephemeral
    text = listed.embeds[0]["description"]
    day_before = stamp(starts - timedelta(days=1))
    assert f"**AI Safety Forum** — 1 day, 1 hour before\nNext reminder <t:{day_before}:f>" in text
    assert "Date not known yet (first half of 2027 — date to be announced)" in text
    assert listed.embeds[0]["footer"]["text"] == "2 of 25 subscriptions · /remind unsubscribe to stop one"
    choices = await world.emulator.autocomplete(world.member_en, world.general, "remind unsubscribe", {"event": ""})
    assert {choice["value"] for choice in choices} == {event.key, "geneva-2027"}
    feed = await remind(world, world.member_en, "feed")
    assert feed.content.startswith("Your calendar: 1 event.")
    assert "Not in it yet (no date): Next AI summit, hosted by Switzerland" in feed.content
    (ics,) = feed.attachments
    calendar = icalendar.Calendar.from_ical(ics.data)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart").astimezone(UTC) == starts
    assert str(vevent["uid"]) == f"{event.key}.{world.guild.id}@summit-bot"
    gone = await remind(world, world.member_en, "unsubscribe", {"event": event.key})
    assert gone.content == "You no longer follow **AI Safety Forum**: no more reminders for it."
    assert runtime_of(bot).job_run_at(event.id, 3600) is None
    missing = await remind(world, world.member_en, "unsubscribe", {"event": event.key})
    assert missing.ephemeral and missing.content == "You do not follow that: see `/remind list`."


async def test_autocomplete_offers_all_events_and_lead_presets(bot, world):
    choices = await world.emulator.autocomplete(world.member_fr, world.general, "remind subscribe", {"event": ""})
    assert choices[0] == {"name": "Tous les événements du serveur", "value": "*"}
    assert "geneva-2027" in [choice["value"] for choice in choices]
    assert "paris-2025" not in [choice["value"] for choice in choices], "past events are not offered"
    leads = await world.emulator.autocomplete(world.member_en, world.general, "remind subscribe",
                                              {"event": "*", "lead": "2d 3h"}, focused="lead")  # fmt: skip
    assert leads[0] == {"name": "2 days 3 hours", "value": "2d 3h"}


async def test_forget_me_leaves_no_row_about_the_member(bot, world, clock):
    starts = clock.align(timedelta(days=5))
    event = await add_event(bot, world, starts)
    member = world.member_en
    await remind(world, member, "subscribe", {"event": event.key, "lead": "1d, 1h"})
    await remind(world, member, "subscribe", {"event": "*"})
    await remind(world, world.member_fr, "subscribe", {"event": event.key})
    await send_now(bot, event, 3600)
    await world.emulator.wait_for_message(member)
    asked = await remind(world, member, "forget-me")
    assert asked.ephemeral and [b["label"] for b in asked.buttons] == ["Forget me", "Keep my reminders"]
    kept = await world.emulator.click(member, asked, label="Keep my reminders")
    assert kept.message["content"] == "Nothing deleted: your reminders stay."
    assert await mentions_of(bot, member.id)
    asked = await remind(world, member, "forget-me")
    done = await world.emulator.click(member, asked, label="Forget me")
    assert done.message["content"] == "Done: the bot no longer keeps anything about you." and not done.buttons
    assert await mentions_of(bot, member.id) == []
    assert await mentions_of(bot, world.member_fr.id), "only that member is forgotten"


async def mentions_of(bot, user_id: int) -> list[tuple[str, tuple]]:
    """Every row, in every table, holding the id."""
    found = []
    for table in await bot.database.table_names():
        for row in await bot.database.fetch_all(f"SELECT * FROM {table}"):
            if any(str(user_id) in str(value) for value in tuple(row)):
                found.append((table, tuple(row)))
    return found


# --- refusals ------------------------------------------------------------------------------------------

BAD_LEADS = ["soon", "0m", "61d", "1x", "1.5h", "-1h", "1m, 2m, 3m, 4m, 5m, 6m", "1d" + ", 1d" * 60]


async def test_every_bad_lead_is_refused_and_changes_nothing(bot, world):
    before = await reminder_rows(bot)
    for number, typed in enumerate(BAD_LEADS):
        member = world.emulator.create_member(world.guild, f"typist{number}", locale="fr" if number % 2 else "en-US")
        result = await remind(world, member, "subscribe", {"event": "geneva-2027", "lead": typed})
        assert result.ephemeral, typed
        assert result.content and not result.content.startswith(("Slow down", "Doucement")), typed
        assert await reminder_rows(bot) == before, typed
    english = await remind(world, world.member_en, "subscribe", {"event": "geneva-2027", "lead": "tomorrow"})
    assert english.content.startswith("`tomorrow` is not a lead time. Write it like `1w`")
    french = await remind(world, world.member_fr, "subscribe", {"event": "geneva-2027", "lead": "61d"})
    assert french.content == "Un délai va de 1 minute à 60 jours\u00a0: `61d` est en dehors."
    unknown = await remind(world, world.member_fr, "subscribe", {"event": "nowhere"})
    assert unknown.ephemeral and await reminder_rows(bot) == before


async def test_the_per_member_limit_and_the_cooldown(world, settings, clock):
    limited = settings.model_copy(
        update={"reminders": settings.reminders.model_copy(update={"max_subscriptions_per_user": 2})}
    )
    async with bot_on_emulator(limited, world.emulator, clock=clock) as bot:
        await runtime_of(bot).ready.wait()
        member = world.member_en
        for key in ("geneva-2027", "uae-2028"):
            assert (await remind(world, member, "subscribe", {"event": key})).content.startswith("You follow")
        refused = await remind(world, member, "subscribe", {"event": "*"})
        assert refused.ephemeral and refused.content == (
            "You already follow 2 things, the most a member can: stop one first with `/remind unsubscribe`."
        )
        changed = await remind(world, member, "subscribe", {"event": "geneva-2027", "lead": "1w"})
        assert changed.content.startswith("Updated: you follow")
        await remind(world, member, "subscribe", {"event": "geneva-2027", "lead": "1d"})  # the fifth in 30 s
        slow = await remind(world, member, "subscribe", {"event": "geneva-2027", "lead": "1w"})
        assert slow.ephemeral and slow.content.startswith("Slow down a little: try again in ")
        other = await remind(world, world.member_fr, "subscribe", {"event": "geneva-2027"})
        assert other.content.startswith("Vous suivez"), "the cooldown is per member"


# --- after downtime -------------------------------------------------------------------------------------


async def test_after_downtime_a_reminder_within_grace_is_sent_late_and_an_older_one_skipped(world, settings, clock):
    from bot.runtime import open_database
    from bot.services import build_services

    starts = clock.align(timedelta(minutes=30))
    database = await open_database(settings)
    try:
        services = build_services(database, settings, clock)
        await services.events.seed_guild(world.guild.id)
        draft = EventDraft(name_en="AI Safety Forum", date=local(starts), timezone="Europe/Zurich")
        created_at = clock.now() - timedelta(hours=6)
        event = (await services.events.add(world.guild.id, world.moderator.id, draft)).event
        async with database.transaction() as tx:  # as if added and followed six hours ago
            await tx.execute("UPDATE guild_event_changes SET at = ? WHERE event_id = ?",
                             (created_at.isoformat(), event.id))  # fmt: skip
        await services.reminders.repository.save(world.guild.id, world.member_en.id, event.id, locale="en-US",
                                                 leads=(40 * 60, 3 * 3600), at=created_at)  # fmt: skip
    finally:
        await database.close()
    async with bot_on_emulator(settings, world.emulator, clock=clock) as bot:
        await runtime_of(bot).ready.wait()
        late = await world.emulator.wait_for_message(world.member_en)
        await runtime_of(bot).idle()
        due = starts - timedelta(minutes=40)
        assert late["embeds"][0]["description"] == (
            f"⚠️ Late: this reminder was due <t:{stamp(due)}:R>, while the bot was offline.\n"
            f"Starts <t:{stamp(starts)}:R> — your 40-minute reminder."
        )
        rows = await bot.database.fetch_all("SELECT lead_seconds, state, late FROM reminder_deliveries ORDER BY 1")
        assert [tuple(row) for row in rows] == [(2400, "sent", 1), (10800, "skipped", 0)]
        assert len(world.emulator.dm_messages(world.member_en)) == 1


async def test_channel_lead_times_are_checked_and_can_be_cleared(bot, world, clock):
    emulator = world.emulator
    before = await reminder_rows(bot)
    refused = await emulator.slash(world.moderator, world.general, "eventadmin settings", {"reminder_leads": "daily"})
    assert refused.ephemeral and refused.content.startswith("`daily` is not a lead time.")
    assert await reminder_rows(bot) == before
    saved = await emulator.slash(world.moderator, world.general, "eventadmin settings", {"reminder_leads": "1h, 1d"})
    assert fields(saved.embeds[0])["Reminders in the announcements channel"] == (
        "1 day, 1 hour\nNo announcements channel is set: reminders will be posted once one is."
    )
    starts = clock.align(timedelta(days=3))
    event = await add_event(bot, world, starts)
    assert runtime_of(bot).job_run_at(event.id, 3600, Audience.CHANNEL) is not None
    cleared = await emulator.slash(world.moderator, world.general, "eventadmin settings", {"reminder_leads": "-"})
    assert fields(cleared.embeds[0])["Reminders in the announcements channel"] == "none"
    assert runtime_of(bot).job_run_at(event.id, 3600, Audience.CHANNEL) is None
    french = await emulator.slash(world.moderator, world.general, "eventadmin settings", {"reminder_leads": "2x"},
                                  locale="fr")  # fmt: skip
    assert french.content.startswith("`2x` n'est pas un délai.")


async def test_deleting_an_event_drops_its_followers_and_reminders(bot, world, clock):
    starts = clock.align(timedelta(days=3))
    event = await add_event(bot, world, starts)
    await remind(world, world.member_en, "subscribe", {"event": event.key, "lead": "1h"})
    asked = await world.emulator.slash(world.moderator, world.general, "eventadmin delete", {"event": event.key})
    await world.emulator.click(world.moderator, asked, label="Delete")
    assert runtime_of(bot).job_run_at(event.id, 3600) is None
    assert await bot.database.fetch_all("SELECT * FROM reminder_subscriptions") == []
    listed = await remind(world, world.member_en, "list")
    assert listed.embeds[0]["description"] == "You follow nothing here yet. Try `/remind subscribe`."
