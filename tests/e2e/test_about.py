"""/about through the real discord.py client and the emulator, in both languages."""

from bot import __version__


def fields(result) -> dict[str, str]:
    (embed,) = result.embeds
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_about_in_english(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "about")
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "summit-bot"
    values = fields(result)
    assert values["Version"] == __version__
    assert values["Clauses"] == "6"
    assert values["Signatories"] == "60"
    assert values["Events followed"] == "12"
    assert values["Running"].startswith("started <t:")  # Discord shows "started 3 hours ago"
    assert values["Running"].endswith(":R>")
    assert values["Gateway latency"].endswith(" ms")
    assert values["Shard"] == "0 of 1"  # one shard unless configured (tests/e2e/test_shards.py has four)
    assert values["Source of the text"].startswith("https://")
    assert "verbatim" in embed["footer"]["text"]


async def test_about_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "about")
    values = fields(result)
    assert values["Articles"] == "6"
    assert values["Signataires"] == "60"
    assert values["Événements suivis"] == "12"
    assert values["Shard"] == "0 sur 1"
    assert values["En service"].startswith("démarré <t:")  # "démarré il y a 3 heures"
    assert "mot pour mot" in result.embeds[0]["footer"]["text"]


async def test_about_follows_the_locale_of_the_interaction_not_the_guild(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "about", locale="fr")
    assert "Signataires" in fields(result)


async def test_about_never_pings(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "about")
    assert result.message["allowed_mentions"] == {"parse": []}
