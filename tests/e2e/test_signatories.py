"""/signatories through the real bot and the emulator: pages, totals, filters, buttons for the invoker only."""

import re

import pytest

from bot.content.loader import load_content

CONTENT = load_content()
NAMES_EN = [s.name_en for s in CONTENT.signatories]
NAMES_FR = [s.name_fr for s in CONTENT.signatories]
TOTALS_EN = "60 signatories: 58 states, European Union: 1, African Union Commission: 1"
TOTALS_FR = "60 signataires\u00a0: 58 États, Union européenne\u00a0: 1, Commission de l'Union africaine\u00a0: 1"
LINE = re.compile(r"^`\s*(\d+)\.` (\S+) (.+)$")


def entries(embed) -> list[tuple[int, str, str]]:
    """(position, flag, name) of each line of the list on a page."""
    found = []
    for line in embed["description"].splitlines():
        match = LINE.match(line)
        if match:
            found.append((int(match[1]), match[2], match[3]))
    return found


def totals(embed) -> str:
    (field,) = embed["fields"]
    return field["value"]


async def test_the_list_in_source_order_three_pages_of_twenty_with_totals_on_each(bot, world):
    emu = world.emulator
    first = await emu.slash(world.member_en, world.general, "signatories")
    assert not first.ephemeral
    seen = []
    result = first
    for page in (1, 2, 3):
        (embed,) = result.embeds
        assert embed["title"] == "Signatories of the declaration (60)"
        assert totals(embed) == TOTALS_EN
        assert [b["label"] for b in result.buttons] == ["◀ Previous", f"{page}/3", "Next ▶"]
        seen.extend(entries(embed))
        if page < 3:
            result = await emu.click(world.member_en, first, label="Next ▶")
    assert [position for position, _, _ in seen] == list(range(1, 61))
    assert [name for _, _, name in seen] == NAMES_EN
    assert seen[0][1] == "🇦🇲" and seen[58][1] == "🇪🇺" and seen[59][1] == "🌍"
    assert next(b for b in first.buttons if b["label"] == "Next ▶")["disabled"]


async def test_the_list_in_french(bot, world):
    emu = world.emulator
    first = await emu.slash(world.member_fr, world.general, "signataires")
    (embed,) = first.embeds
    assert embed["title"] == "Signataires de la déclaration (60)"
    assert totals(embed) == TOTALS_FR
    assert entries(embed)[0] == (1, "🇦🇲", "Arménie")
    await emu.click(world.member_fr, first, label="Suivant ▶")
    last = await emu.click(world.member_fr, first, label="Suivant ▶")
    page = entries(last.embeds[0])
    assert [name for _, _, name in page] == NAMES_FR[40:]
    assert (49, "🇰🇷", "République de Corée") in page
    assert totals(last.embeds[0]) == TOTALS_FR


async def test_founding_members_in_the_footnotes_order_quoting_it(bot, world):
    result = await world.emulator.slash(
        world.member_en, world.general, "signatories", {"filter": "Founding members of the public-interest AI platform"}
    )
    (embed,) = result.embeds
    assert embed["title"] == "Founding members of the public-interest AI platform (9)"
    footnote = CONTENT.declaration.footnote(2).text
    assert f"“{footnote}”" in embed["description"]
    assert footnote == "Kenya, Allemagne, Chili, Finlande, Slovaquie, France, Nigeria, Maroc, Inde."
    assert [(position, flag) for position, flag, _ in entries(embed)] == [
        (28, "🇰🇪"),
        (19, "🇩🇪"),
        (9, "🇨🇱"),
        (17, "🇫🇮"),
        (46, "🇸🇰"),
        (18, "🇫🇷"),
        (37, "🇳🇬"),
        (35, "🇲🇦"),
        (22, "🇮🇳"),
    ]
    assert totals(embed) == TOTALS_EN
    assert result.buttons == []  # one page: nothing to turn


async def test_founding_members_in_french(bot, world):
    result = await world.emulator.slash(
        world.member_fr,
        world.general,
        "signataires",
        {"filtre": "Membres fondateurs de la plateforme de l'IA d'intérêt général"},
    )
    (embed,) = result.embeds
    assert embed["title"] == "Membres fondateurs de la plateforme de l'IA d'intérêt général (9)"
    assert embed["description"].startswith(
        "La note 2 de la déclaration les nomme, dans cet ordre\u00a0: «\u00a0Kenya, Allemagne, Chili, Finlande, "
        "Slovaquie, "
        "France, Nigeria, Maroc, Inde.\u00a0»"
    )
    assert [name for _, _, name in entries(embed)][:2] == ["Kenya", "Allemagne"]


async def test_states_only(bot, world):
    emu = world.emulator
    first = await emu.slash(world.member_en, world.general, "signatories", {"filter": "States only"})
    assert first.embeds[0]["title"] == "Signatory states (58)"
    assert totals(first.embeds[0]) == TOTALS_EN
    await emu.click(world.member_en, first, label="Next ▶")
    last = await emu.click(world.member_en, first, label="Next ▶")
    page = entries(last.embeds[0])
    assert [position for position, _, _ in page] == list(range(41, 59))
    assert "European Union" not in last.embeds[0]["description"]


async def test_organisations_only(bot, world):
    result = await world.emulator.slash(
        world.member_fr, world.general, "signataires", {"filtre": "Organisations uniquement"}
    )
    (embed,) = result.embeds
    assert embed["title"] == "Organisations signataires (2)"
    assert entries(embed) == [(59, "🇪🇺", "Union européenne"), (60, "🌍", "Commission de l'Union africaine")]
    assert totals(embed) == TOTALS_FR


@pytest.mark.parametrize("value", ["all", "founding", "states", "organisations"])
async def test_every_filter_stays_within_embed_limits(bot, world, value):
    result = await world.emulator.slash(world.member_fr, world.general, "signatories", {"filter": value})
    (embed,) = result.embeds
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])
    size = len(embed["title"]) + len(embed["description"])
    assert size + sum(len(field["name"]) + len(field["value"]) for field in embed["fields"]) <= 6000


async def test_only_the_member_who_asked_can_turn_the_pages(bot, world):
    emu = world.emulator
    mine = await emu.slash(world.member_en, world.general, "signatories")
    intruder = await emu.click(world.member_fr, mine, label="Next ▶")
    assert intruder.ephemeral
    assert intruder.content == (
        "Ces boutons appartiennent à la personne qui a lancé la commande\u00a0: lancez-la vous-même pour parcourir."
    )
    assert entries(mine.embeds[0])[0][0] == 1  # still on the first page
    turned = await emu.click(world.member_en, mine, label="Next ▶")
    assert entries(turned.embeds[0])[0][0] == 21


async def test_the_list_never_pings(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "signatories")
    assert result.message["allowed_mentions"] == {"parse": []}
    assert world.emulator.message_pings(result.message).nothing
