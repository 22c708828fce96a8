"""PostgreSQL stopped under a running bot: members get the polite "busy" answer, and once the server is
back the bot answers again by itself (its pool replaces the dead connections).

In the middle of a reminder fan-out (the bot as its own process, as in test_reminder_crash): every
connection of the bot dropped with pg_terminate_backend, or the server halted for a few seconds and
resumed. The bot reconnects by itself, members meanwhile hear "busy", and every follower is reminded
exactly once, counted from the emulator's record of DMs; the ledger ends all 'sent' and nothing was
logged as an error (the waits are warnings)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.config import validate_settings
from bot.i18n import t
from bot.sandbox import DiscordEmulator, Member
from bot.sandbox_session import bot_on_emulator, settings_for_emulator
from bot.storage.database import open_database
from tests.helpers.bot_process import BotProcess, write_config
from tests.helpers.fan_out import ledger_states, prepare_fan_out, reminded, wait_reminded
from tests.helpers.stores import PostgresServer, start_own_postgres

MEMBERS = 240
GLOBAL_LIMIT = 100  # requests per second (the bot paces at 80%): the fan-out takes about 6 s
STARTED = r"reminders started: \d+ unconfirmed claim"
OUTAGE = 3.0  # seconds PostgreSQL stays halted in the middle of the fan-out
CONCURRENCY = 16  # reminders.max_concurrency: the sends that may be under way at any moment
FINISHED = r"run remind:\d+:\d+:dm finished"


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server, reason = start_own_postgres()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def bot_on_postgres(world, emulator, tmp_path, own_postgres) -> AsyncIterator[object]:
    settings = settings_for_emulator(validate_settings({}), emulator, tmp_path / "unused.sqlite3")
    database = settings.database.model_copy(update={"url": own_postgres.admin_url, "path": None})
    settings = settings.model_copy(update={"database": database})
    async with bot_on_emulator(settings, emulator) as running:
        yield running


async def test_while_postgresql_is_down_members_hear_busy_and_after_its_restart_all_works(
    bot_on_postgres, world, own_postgres
):
    emulator = world.emulator
    before = await emulator.slash(world.member_en, world.general, "remind subscribe", {"event": "all"})
    assert before.content not in (t("errors.busy", "en-US"), t("errors.unexpected", "en-US"))

    own_postgres.halt()
    refused_en = await emulator.slash(world.member_en, world.general, "remind list", {})
    refused_fr = await emulator.slash(world.member_fr, world.general, "remind list", {})
    assert refused_en.ephemeral and refused_en.content == t("errors.busy", "en-US")
    assert refused_fr.ephemeral and refused_fr.content == t("errors.busy", "fr")

    own_postgres.resume()
    listed = await emulator.slash(world.member_en, world.general, "remind list", {})
    assert listed.content != t("errors.busy", "en-US") and listed.content != t("errors.unexpected", "en-US")
    async with await open_database(own_postgres.admin_url) as store:  # what the store holds: one subscription
        assert await store.fetch_value("SELECT count(*) FROM reminder_subscriptions") == 1


class FanOut:
    """An emulated server whose followers are owed a reminder due as the bot starts, and the bot process
    on a PostgreSQL database; `reminded()` counts each follower's DMs."""

    def __init__(self, emulator: DiscordEmulator, url: str, scratch: Path) -> None:
        self.emulator = emulator
        self.url = url
        guild = emulator.create_guild("Summit Community")
        self.channel = emulator.create_text_channel(guild, "general")
        self.member_en = emulator.create_member(guild, "ada", locale="en-US")
        self.member_fr = emulator.create_member(guild, "camille", locale="fr")
        self.followers: list[Member] = [emulator.create_member(guild, f"member{n:03d}") for n in range(MEMBERS)]
        self.guild = guild
        reminders = {"max_concurrency": CONCURRENCY}
        config = write_config(scratch / "bot.toml", emulator, url, reminders=reminders, global_rate_limit=GLOBAL_LIMIT)
        self.settings = validate_settings({"database": {"url": url}, "reminders": reminders})
        self.bot = BotProcess(config, emulator.token)

    async def start(self) -> None:
        await prepare_fan_out(self.settings, self.guild.id, [m.id for m in self.followers], due_in=timedelta(seconds=1))
        await self.bot.start()

    def reminded(self) -> int:
        return sum(1 for count in reminded(self.emulator, self.followers) if count)

    async def finish(self) -> None:
        """Everyone reminded, the run over, a clean stop; then exactly one DM each, and the ledger all 'sent'."""
        try:
            await wait_reminded(self.emulator, self.followers, MEMBERS, timeout=40)
        except TimeoutError:
            tail = "\n  ".join(self.bot.lines[-30:])
            raise AssertionError(f"{self.reminded()} of {MEMBERS} reminded; the bot's last lines:\n  {tail}") from None
        await self.bot.wait_for_log(FINISHED, timeout=30)
        listed = await self.emulator.slash(self.member_en, self.channel, "remind list", {})
        assert listed.content not in (t("errors.busy", "en-US"), t("errors.unexpected", "en-US"))
        assert await self.bot.stop() == 0
        counts = reminded(self.emulator, self.followers)
        assert counts == [1] * MEMBERS, f"{counts.count(0)} lost, {sum(1 for n in counts if n > 1)} duplicated"
        assert await ledger_states(self.settings) == {"sent": MEMBERS}
        # No traceback either: asyncpg's pool warnings while it cannot reconnect are one line each (bot/logs.py).
        errors = [n for n, line in enumerate(self.bot.lines) if " ERROR " in line or "Traceback" in line]
        assert not errors, "\n".join(self.bot.lines[errors[0] - 3 : errors[0] + 30])


async def drop_connections(url: str) -> int:
    """pg_terminate_backend on every connection to the bot's database (the bot's pool): how many."""
    admin = await asyncpg.connect(url)
    try:
        return await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def test_connections_dropped_mid_fan_out_the_bot_reconnects_and_reminds_everyone_once(tmp_path, postgres_url):
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        fan_out = FanOut(emulator, postgres_url, tmp_path)
        await fan_out.start()
        try:
            for share in (0.2, 0.4, 0.6):  # three drops, at different points of the run
                await wait_reminded(emulator, fan_out.followers, int(MEMBERS * share), timeout=30)
                assert await drop_connections(postgres_url) >= 1
                assert fan_out.reminded() < MEMBERS, "the drop came after the fan-out"
                # Right after the drop: the polite answer, or (the pool already replaced) the real one.
                answer = await emulator.slash(fan_out.member_fr, fan_out.channel, "remind list", {})
                assert answer.content != t("errors.unexpected", "fr")
            await fan_out.finish()
        finally:
            if fan_out.bot.running:
                await fan_out.bot.kill()
    assert any("unavailable" in line for line in fan_out.bot.lines), "no statement was cut by the drops"


async def test_postgresql_halted_mid_fan_out_members_hear_busy_and_everyone_is_reminded_once(tmp_path, own_postgres):
    url = own_postgres.url_of(await own_postgres.create_database(template=None))
    async with DiscordEmulator(global_rate_limit=GLOBAL_LIMIT) as emulator:
        fan_out = FanOut(emulator, url, tmp_path)
        await fan_out.start()
        try:
            await wait_reminded(emulator, fan_out.followers, MEMBERS // 4, timeout=30)
            await asyncio.to_thread(own_postgres.halt)  # in a thread: the emulator keeps serving the bot
            halted_at = fan_out.reminded()
            assert halted_at < MEMBERS, "the halt came after the fan-out"
            refused_en = await emulator.slash(fan_out.member_en, fan_out.channel, "remind list", {})
            refused_fr = await emulator.slash(fan_out.member_fr, fan_out.channel, "remind list", {})
            assert refused_en.ephemeral and refused_en.content == t("errors.busy", "en-US")
            assert refused_fr.ephemeral and refused_fr.content == t("errors.busy", "fr")
            await fan_out.bot.wait_for_log(r"unavailable.*trying again", timeout=10)
            await asyncio.sleep(OUTAGE)  # the outage itself: the server stays down this long
            # Only the sends already claimed when it went down have left since: nothing is sent unclaimed.
            assert fan_out.reminded() - halted_at <= CONCURRENCY
            await asyncio.to_thread(own_postgres.resume)
            await fan_out.finish()
        finally:
            if fan_out.bot.running:
                await fan_out.bot.kill()
