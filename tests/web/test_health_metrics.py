"""/healthz and /metrics of the running bot."""

from __future__ import annotations

import asyncio
import math

import discord
from prometheus_client.parser import text_string_to_metric_families

from bot.sandbox import DiscordEmulator
from bot.sandbox_session import bot_on_emulator
from bot.storage.database import open_database
from bot.storage.repositories.health import HealthRepository
from bot.web.health import health
from tests.web.conftest import turn_feed_on, web_settings


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_is_200_while_connected_and_503_once_the_gateway_is_gone(bot, http):
    base = bot.web.public_url
    async with http.get(base + "/healthz") as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/json; charset=utf-8"
        # Each shard this process runs is named (the default is one shard, 0).
        assert await response.json() == {
            "status": "ok", "gateway": "connected", "store": "ok", "shards": {"0": "connected"}
        }
    await bot.close()  # the gateway connection ends; the web server is stopped after the bot by the runtime
    async with http.get(base + "/healthz") as response:
        assert response.status == 503
        assert await response.json() == {"status": "unavailable", "gateway": "disconnected", "store": "ok"}


async def test_health_says_when_the_store_does_not_answer(store_url):
    database = await open_database(store_url)
    await database.close()
    healthy, body = await health(discord.Client(intents=discord.Intents.none()), HealthRepository(database))
    assert not healthy
    assert body == {"status": "unavailable", "gateway": "disconnected", "store": "unavailable"}


async def test_metrics_count_commands_feed_requests_and_read_the_ledger(bot, world, http):
    address = await turn_feed_on(world)
    await world.emulator.slash(world.member_en, world.general, "events", {})
    await world.emulator.slash(world.member_en, world.general, "events", {})
    refused = await world.emulator.slash(world.member_en, world.general, "event", {"name": "no such thing"})
    assert refused.ephemeral
    async with http.get(address) as response:
        assert response.status == 200
    async with http.get(address.replace(address.split("/")[-1][:5], "AAAAA")) as response:
        assert response.status == 404
    async with http.get(bot.web.public_url + "/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain; version=")
        found = samples(await response.text())
    assert found[("summit_commands_total", (("command", "events"), ("outcome", "ok")))] == 2
    assert found[("summit_commands_total", (("command", "event"), ("outcome", "refused")))] == 1
    assert found[("summit_commands_total", (("command", "eventadmin settings"), ("outcome", "ok")))] == 1
    assert found[("summit_feed_requests_total", (("kind", "feed"), ("status", "200")))] == 1
    assert found[("summit_feed_requests_total", (("kind", "feed"), ("status", "404")))] == 1
    assert found[("summit_reminder_deliveries", (("state", "sent"),))] == 0
    assert found[("summit_ledger_claims_outstanding", ())] == 0
    assert found[("summit_reminders_late", ())] == 0
    assert found[("summit_discord_429_total", ())] == 0
    latency = found[("summit_gateway_latency_seconds", ())]
    assert not math.isnan(latency) and latency >= 0


async def test_metrics_can_be_turned_off(world, tmp_path, emulator, clock, http):
    async with bot_on_emulator(web_settings(tmp_path, emulator, metrics=False), emulator, clock=clock) as running:
        async with http.get(running.web.public_url + "/metrics") as response:
            assert response.status == 404
        async with http.get(running.web.public_url + "/healthz") as response:
            assert response.status == 200


async def test_429s_from_discord_are_counted(tmp_path, clock, http):
    # Discord enforces 5 requests/s here while the bot believes 50/s: announcements meet 429s.
    async with DiscordEmulator(global_rate_limit=5) as emulator:
        guild = emulator.create_guild("Busy Community")
        general = emulator.create_text_channel(guild, "general")
        announcements = emulator.create_text_channel(guild, "announcements")
        moderators = emulator.create_role(guild, "Mods", permissions=discord.Permissions(manage_events=True).value)
        moderator = emulator.create_member(guild, "modo", roles=[moderators])
        async with bot_on_emulator(web_settings(tmp_path, emulator), emulator, clock=clock) as running:
            await emulator.slash(moderator, general, "eventadmin settings", {"channel": announcements})
            await asyncio.gather(*(
                emulator.slash(moderator, general, "eventadmin add",
                               {"name": f"Busy forum {n}", "date": f"2031-03-{n + 1:02d}", "timezone": "Europe/Paris"})
                for n in range(12)
            ))  # fmt: skip
            assert emulator.stats.rate_limited > 0, "no 429 was met: the test proves nothing"
            async with http.get(running.web.public_url + "/metrics") as response:
                found = samples(await response.text())
            assert found[("summit_discord_429_total", ())] == emulator.stats.rate_limited
