"""/declaration through the real bot and the emulator: the overview in both languages."""

from __future__ import annotations

from bot.content.loader import load_content

DECLARATION = load_content().declaration


def fields(embed) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}


async def test_overview_in_english(bot, world):
    result = await world.emulator.slash(world.member_en, world.general, "declaration")
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == (
        "Déclaration¹ sur une intelligence artificielle durable et inclusive pour la population et la planète"
    )
    assert embed["url"] == DECLARATION.source_url
    assert embed["description"] == (
        "**Sommet pour l'action sur l'intelligence artificielle**\n"
        "Co-présidé par la France et l'Inde\n"
        "10-11 février 2025, Paris\n"
        "Palais de l'Élysée, le mardi 11 février 2025"
    )
    shown = fields(embed)
    assert embed["fields"][0]["name"] == "In English"  # the aside comes first
    assert (
        shown["In English"]
        == "Statement on Inclusive and Sustainable Artificial Intelligence for People and the Planet"
    )
    for clause in DECLARATION.clauses:  # whole headlines, verbatim: the limits do not force a cut
        assert shown[f"Clause {clause.number}"] == clause.headline
    assert shown["Footnote 1"] == DECLARATION.footnote(1).text
    assert shown["Signatories (60)"] == "States: 58\nEuropean Union: 1\nAfrican Union Commission: 1"
    assert shown["Source"] == DECLARATION.source_url
    assert shown["English text"] == (
        "https://dig.watch/resource/"
        "ai-action-summit-statement-on-inclusive-and-sustainable-artificial-intelligence-for-people-and-the-planet"
    )
    assert embed["footer"]["text"] == (
        "[Traduit de l'anglais] · Read a clause with /clause 4, search the text with /search."
    )
    assert result.message["allowed_mentions"] == {"parse": []}


async def test_overview_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "declaration")
    (embed,) = result.embeds
    shown = fields(embed)
    assert "In English" not in shown and "En anglais" not in shown  # the aside is for English readers
    assert "Texte en anglais" not in shown and shown["Source"] == DECLARATION.source_url
    assert [name for name in shown if name.startswith("Article ")] == [f"Article {n}" for n in range(1, 7)]
    assert shown["Note 1"] == DECLARATION.footnote(1).text
    assert shown["Signataires (60)"] == (
        "États\u00a0: 58\nUnion européenne\u00a0: 1\nCommission de l'Union africaine\u00a0: 1"
    )
    assert embed["footer"]["text"].endswith("Lire un article avec /article 4, chercher dans le texte avec /recherche.")


async def test_overview_fits_discords_limits(bot, world):
    for member in (world.member_en, world.member_fr):
        (embed,) = (await world.emulator.slash(member, world.general, "declaration")).embeds
        assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096 and len(embed["fields"]) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
        total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
        assert total + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]) <= 6000
