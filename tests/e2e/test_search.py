"""/search (French /recherche) through the real bot and the emulator, on each store (the `settings` fixture):
hits, pages, hostile input, both languages."""

from __future__ import annotations

import pytest


async def search(world, member, query: str):
    return await world.emulator.slash(member, world.general, "search", {"query": query})


def labels(result) -> list[str]:
    return [button["label"] for button in result.buttons]


async def test_accents_and_case_do_not_matter_and_the_match_is_bold(bot, world):
    for query in ("energie", "Énergie", "ÉNERGIE"):
        result = await search(world, world.member_en, query)
        assert not result.ephemeral
        (embed,) = result.embeds
        assert embed["title"] == "Search in the declaration"
        assert embed["description"] == f"1 passage contains “{query}”."
        (field,) = embed["fields"]
        assert field["name"] == "Clause 3 · item 3.8"
        assert "**énergie**" in field["value"] and "**Énergie**" in field["value"]
        assert field["value"].endswith("→ `/clause 3.8`")
        assert result.buttons == []  # one page: nothing to turn
        assert result.message["allowed_mentions"] == {"parse": []}


async def test_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "recherche", {"texte": "energie"})
    (embed,) = result.embeds
    assert embed["title"] == "Recherche dans la déclaration"
    assert embed["description"] == "1 passage contient «\u00a0energie\u00a0»."
    (field,) = embed["fields"]
    assert field["name"] == "Article 3 · point 3.8"
    assert field["value"].endswith("→ `/article 3.8`")


async def test_hits_are_ranked_and_name_clauses_items_and_footnotes(bot, world):
    result = await search(world, world.member_en, "intelligence artificielle")
    (embed,) = result.embeds
    assert embed["description"].startswith("4 passages contain")
    names = [field["name"] for field in embed["fields"]]
    # Clause 3 (three times) and the short footnote 1 first, in the order of each store's relevance
    # (docs/search.md); the long clause 1 (once) last.
    assert set(names[:2]) == {"Clause 3", "Footnote 1"} and names[-1] == "Clause 1"


async def test_many_hits_are_paged_for_the_member_who_searched(bot, world):
    emu = world.emulator
    result = await search(world, world.member_en, "l")  # "l'IA", "l'Homme" …: nearly every passage
    count = int(result.embeds[0]["description"].split()[0])
    pages = -(-count // 5)
    assert pages >= 3
    assert labels(result) == ["◀ Previous", f"1/{pages}", "Next ▶"]
    assert len(result.embeds[0]["fields"]) == 5
    intruder = await emu.click(world.member_fr, result, label="Next ▶")
    assert intruder.ephemeral and intruder.content.startswith("Ces boutons appartiennent")
    assert labels(result)[1] == f"1/{pages}"
    seen = [field["name"] for field in result.embeds[0]["fields"]]
    for page in range(2, pages + 1):
        await emu.click(world.member_en, result, label="Next ▶")
        assert labels(result)[1] == f"{page}/{pages}"
        seen.extend(field["name"] for field in result.embeds[0]["fields"])
    assert len(seen) == count == len(set(seen))
    assert next(b for b in result.buttons if b["label"] == "Next ▶")["disabled"]


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(", "-", ")", "AND", "OR NOT", "NEAR(énergie, 5)", '"énergie', "text:énergie", "(("]
)
async def test_hostile_syntax_is_searched_literally_and_never_fails(bot, world, query):
    result = await search(world, world.member_en, query)
    if result.ephemeral:
        assert result.content.startswith(("Type one or more words", "No passage contains"))
    else:
        assert result.embeds[0]["fields"]
    assert "something went wrong" not in (result.content or "")


async def test_operators_are_words_not_syntax(bot, world):
    result = await search(world, world.member_en, '"énergie')
    assert result.embeds[0]["fields"][0]["name"] == "Clause 3 · item 3.8"
    result = await search(world, world.member_en, "-énergie")  # not "without énergie"
    assert result.embeds[0]["fields"][0]["name"] == "Clause 3 · item 3.8"


@pytest.mark.parametrize(
    ("query", "english", "french"),
    [
        ("", "Type one or more words to look for", "Indiquez un ou plusieurs mots à chercher"),
        ('" * - ( )', "Type one or more words to look for", "Indiquez un ou plusieurs mots à chercher"),
        ("x" * 201, "That search is too long (201 characters; at most 200)", "Cette recherche est trop longue (201"),
        (
            "blockchain",
            "No passage contains “blockchain”. Try other",
            "Aucun passage ne contient «\u00a0blockchain\u00a0»",
        ),
    ],
)
async def test_bad_queries_get_a_clear_ephemeral_answer_in_both_languages(bot, world, query, english, french):
    result = await search(world, world.member_en, query)
    assert result.ephemeral and result.embeds == []
    assert result.content.startswith(english)
    result = await world.emulator.slash(world.member_fr, world.general, "recherche", {"texte": query})
    assert result.ephemeral
    assert result.content.startswith(french)


async def test_the_query_is_repeated_inert(bot, world):
    result = await search(world, world.member_en, "@everyone **zzz**")
    assert result.ephemeral
    assert "“@\u200beveryone \\*\\*zzz\\*\\*”" in result.content
    assert result.message["allowed_mentions"] == {"parse": []}
