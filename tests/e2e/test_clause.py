"""/clause (French /article) through the real bot and the emulator: text, pages, buttons, bad input, autocomplete.

The fidelity test at the end sends every clause, sub-item, footnote and a set of ranges through the
command and compares what a member reads, across all pages, with the source document.
"""

from __future__ import annotations

import pytest

from bot.content.loader import load_content
from bot.sandbox_session import bot_on_emulator
from tests.helpers.source_text import clause_text, footnote_text, item_text, range_text, shown_text

CONTENT = load_content()
SOURCE_URL = CONTENT.declaration.source_url
ENGLISH_TEXT_URL = (
    "https://dig.watch/resource/"
    "ai-action-summit-statement-on-inclusive-and-sustainable-artificial-intelligence-for-people-and-the-planet"
)


def labels(result) -> list[str]:
    return [button["label"] for button in result.buttons]


def fields(embed) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


async def clause(world, member, ref: str, *, locale: str | None = None):
    return await world.emulator.slash(member, world.general, "clause", {"ref": ref}, locale=locale)


async def read_all_pages(world, member, result) -> list[dict]:
    """Every page of a paged reply, turning pages with its Next button as the member would."""
    pages = [result.embeds[0]]
    next_label = next((b["label"] for b in result.buttons if b["custom_id"] and b["custom_id"].endswith(":next")), None)
    while next_label and not next(b for b in result.buttons if b["label"] == next_label)["disabled"]:
        await world.emulator.click(member, result, label=next_label)
        pages.append(result.embeds[0])
    return pages


# --- What a member reads -------------------------------------------------------------------------------


async def test_a_clause_in_english(bot, world):
    result = await clause(world, world.member_en, "4")
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed["title"] == "Clause 4"
    assert embed["url"] == SOURCE_URL
    assert embed["description"].startswith(
        "**Nous reconnaissons la nécessité de dialogues pluripartites inclusifs³ et de la coopération sur la "
        "gouvernance de l'IA.** Nous soulignons"
    )
    assert fields(embed) == {"Footnote 3": footnote_text(3)}
    assert embed["footer"]["text"] == "Quoted verbatim from the official French text of the declaration."
    assert labels(result) == ["◀ Clause 3", "Clause 5 ▶", "Official text", "English text"]
    # The French original, and for English readers the English text; the quote stays the French one.
    assert [button["url"] for button in result.buttons[2:]] == [SOURCE_URL, ENGLISH_TEXT_URL]
    assert result.message["allowed_mentions"] == {"parse": []}


async def test_a_clause_in_french(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "article", {"ref": "4"})
    (embed,) = result.embeds
    assert embed["title"] == "Article 4"
    assert fields(embed) == {"Note 3": footnote_text(3)}
    assert embed["footer"]["text"].startswith("Cité mot pour mot")
    assert labels(result) == ["◀ Article 3", "Article 5 ▶", "Texte officiel"]  # no English text for French readers
    assert result.buttons[-1]["url"] == SOURCE_URL


async def test_the_first_and_last_clauses_have_one_neighbour(bot, world):
    assert labels(await clause(world, world.member_en, "1")) == ["Clause 2 ▶", "Official text", "English text"]
    assert labels(await clause(world, world.member_en, "6"))[:3] == ["◀ Clause 5", "Official text", "English text"]


async def test_clause_6_has_a_button_to_each_milestone_event(bot, world):
    result = await clause(world, world.member_en, "6")
    assert labels(result)[3:] == [
        "Global AI Summit on Africa (Kigali Summit)",
        "3rd UNESCO Global Forum on the Ethics of Artificial Intelligence",
        "World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2025)",
        "AI for Good Global Summit 2025",
    ]
    opened = await world.emulator.click(world.member_en, result, label="Global AI Summit on Africa (Kigali Summit)")
    assert opened.ephemeral
    (embed,) = opened.embeds
    assert "Kigali" in embed["title"]
    assert any(button["label"] == "Add to calendar" for button in opened.buttons)

    french = await clause(world, world.member_fr, "6")
    assert "Sommet mondial sur l'IA en Afrique (Sommet de Kigali)" in labels(french)


async def test_a_milestone_button_follows_the_servers_copy_of_the_event(bot, world):
    emulator, label = world.emulator, "Global AI Summit on Africa (Kigali Summit)"
    result = await clause(world, world.member_en, "6")
    asked = await emulator.slash(world.moderator, world.general, "eventadmin delete", {"event": "kigali-2025"})
    await emulator.click(world.moderator, asked, label="Delete")
    gone = await emulator.click(world.member_en, result, label=label)
    assert gone.ephemeral
    assert gone.content.startswith("No event here matches")


async def test_clause_3_lists_its_items_and_shows_its_initiatives(bot, world):
    (embed,) = (await clause(world, world.member_en, "3")).embeds
    assert "\n`3.1` Promouvoir l'accessibilité de l'IA" in embed["description"]
    assert "**À cet effet :**\n`3.7` **Les membres fondateurs²" in embed["description"]
    shown = fields(embed)
    assert shown["Footnote 2"] == footnote_text(2)
    assert shown["Initiative: Public interest AI platform and incubator"].startswith("Launched at the summit")
    assert shown["Initiative: IEA Energy and AI Observatory"].startswith("The observatory on AI's energy effects")
    assert "Initiative: Network of observatories on AI and the labour market" in shown
    (embed,) = (await clause(world, world.member_fr, "3")).embeds
    assert fields(embed)["Initiative\u00a0: Plateforme et incubateur de l'IA d'intérêt général"].startswith(
        "Lancés au Sommet"
    )


async def test_clause_6_shows_its_four_milestones(bot, world):
    (embed,) = (await clause(world, world.member_en, "6")).embeds
    assert fields(embed) == {
        "Milestone: Global AI Summit on Africa (Kigali Summit)": "3–4 April 2025 · Kigali",
        "Milestone: 3rd UNESCO Global Forum on the Ethics of Artificial Intelligence": "24–27 June 2025 · Bangkok",
        "Milestone: World AI Conference & High-Level Meeting on Global AI Governance (WAIC 2025)": (
            "26–28 July 2025 · Shanghai"
        ),
        "Milestone: AI for Good Global Summit 2025": "8–11 July 2025 · Geneva",
    }
    (embed,) = (await clause(world, world.member_fr, "6")).embeds
    assert fields(embed)["Échéance\u00a0: Sommet mondial sur l'IA en Afrique (Sommet de Kigali)"] == (
        "du 3 au 4 avril 2025 · Kigali"
    )


async def test_a_sub_item(bot, world):
    result = await clause(world, world.member_en, "3.2")
    (embed,) = result.embeds
    assert embed["title"] == "Clause 3 · item 3.2"
    assert embed["description"] == item_text(3, 2)
    assert labels(result) == ["◀ Item 3.1", "↑ Clause 3", "Item 3.3 ▶", "Official text", "English text"]
    result = await clause(world, world.member_fr, "3.7")
    (embed,) = result.embeds
    assert embed["title"] == "Article 3 · point 3.7"
    assert embed["description"].startswith("**Les membres fondateurs² ont lancé une grande plateforme")
    assert list(fields(embed)) == ["Note 2", "Initiative\u00a0: Plateforme et incubateur de l'IA d'intérêt général"]
    assert labels(result) == ["◀ Point 3.6", "↑ Article 3", "Point 3.8 ▶", "Texte officiel"]


@pytest.mark.parametrize("typed", ["fn2", "note 2", "n2", "²", "footnote 2"])
async def test_a_footnote_by_any_of_its_names(bot, world, typed):
    result = await clause(world, world.member_en, typed)
    (embed,) = result.embeds
    assert embed["title"] == "Footnote 2"
    assert embed["description"] == footnote_text(2)
    assert fields(embed) == {"Called from": "Item 3.7"}
    assert labels(result) == ["◀ Footnote 1", "↑ Item 3.7", "Footnote 3 ▶", "Official text", "English text"]


async def test_the_footnote_of_the_title_quotes_the_title(bot, world):
    result = await world.emulator.slash(world.member_fr, world.general, "article", {"ref": "note 1"})
    (embed,) = result.embeds
    assert embed["title"] == "Note 1"
    assert fields(embed) == {"Appelée depuis": f"Le titre\u00a0: {CONTENT.declaration.title}"}
    assert labels(result) == ["Note 2 ▶", "Texte officiel"]


async def test_a_range_that_fits_one_page(bot, world):
    result = await clause(world, world.member_en, "4-5")
    (embed,) = result.embeds
    assert embed["title"] == "Clauses 4–5"
    assert embed["description"].startswith("`4` **Nous reconnaissons")
    assert "\n\n`5` **Pour que nous puissions" in embed["description"]
    assert labels(result) == ["◀ Clauses 2–3", "Clause 6 ▶", "Official text", "English text"]


async def test_a_long_range_is_paged_and_the_pages_belong_to_the_reader(bot, world):
    emu = world.emulator
    result = await clause(world, world.member_en, "1-3")
    assert labels(result) == ["◀ Previous", "1/2", "Next ▶", "Clauses 4–6 ▶", "Official text", "English text"]
    assert fields(result.embeds[0]) == {}  # footnotes and initiatives stand beneath the text, on its last page
    intruder = await emu.click(world.member_fr, result, label="Next ▶")
    assert intruder.ephemeral
    assert intruder.content.startswith("Ces boutons appartiennent")
    assert result.embeds[0]["title"] == "Clauses 1–3" and labels(result)[1] == "1/2"
    await emu.click(world.member_en, result, label="Next ▶")
    assert labels(result)[1] == "2/2"
    assert "Footnote 2" in fields(result.embeds[0])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0", ["The declaration has no “0”", "• `1`", "• `2`"]),
        ("7", ["The declaration has no “7”", "• `6` Nous attendons avec intérêt", "• `5`"]),
        ("3.99", ["The declaration has no “3.99”", "• `3.9` Nous reconnaissons", "• `3.8`"]),
        ("4.1", ["The declaration has no “4.1”", "• `4`"]),
        ("fn9", ["The declaration has no “fn9”", "• `fn3`"]),
        ("abc", ["“abc” is not a reference to the declaration."]),
        ("énergie", ["“énergie” is not a reference", "• `3.8` Nous avons discuté"]),
        ("4-2", ["A range goes from the lower clause to the higher one", "• `2-4`"]),
        ("1-6", ["A range shows at most 3 clauses at a time", "• `1-3`", "• `4-6`"]),
        ("x" * 2000, ["That reference is too long (at most 50 characters)."]),
        ("", ["Type what to read"]),
        ("   ", ["Type what to read"]),
    ],
    ids=lambda value: value[:12] if isinstance(value, str) else None,
)
async def test_bad_references_get_a_short_ephemeral_answer_with_the_valid_range(bot, world, typed, expected):
    result = await clause(world, world.member_en, typed)
    assert result.ephemeral
    assert result.embeds == [] and result.buttons == []
    assert len(result.content) <= 2000
    for part in expected:
        assert part in result.content
    if typed not in {"4-2", "1-6"}:
        assert "1–6" in result.content and "3.1–3.9" in result.content and "fn1–fn3" in result.content


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "7",
            "La déclaration n'a pas de «\u00a07\u00a0»\u00a0: articles 1–6, points 3.1–3.9, notes fn1–fn3.\n"
            "Les plus proches\u00a0:",
        ),
        ("abc", "«\u00a0abc\u00a0» n'est pas une référence à la déclaration."),
        ("4-2", "Une plage va du plus petit article au plus grand"),
        ("1-6", "Une plage montre 3 articles au plus à la fois"),
        ("x" * 2000, "Cette référence est trop longue (50 caractères au plus)."),
        ("", "Indiquez quoi lire"),
    ],
    ids=lambda value: value[:12] if isinstance(value, str) else None,
)
async def test_bad_references_in_french(bot, world, typed, expected):
    result = await world.emulator.slash(world.member_fr, world.general, "article", {"ref": typed})
    assert result.ephemeral
    assert result.content.startswith(expected)


async def test_input_is_repeated_inert(bot, world):
    result = await clause(world, world.member_en, "@everyone **x**")
    assert result.ephemeral
    assert "“@\u200beveryone \\*\\*x\\*\\*”" in result.content
    assert result.message["allowed_mentions"] == {"parse": []}


# --- Previous / Next -----------------------------------------------------------------------------------


async def test_next_and_previous_move_the_invokers_message(bot, world):
    emu = world.emulator
    result = await clause(world, world.member_en, "4")
    await emu.click(world.member_en, result, label="Clause 5 ▶")
    assert result.embeds[0]["title"] == "Clause 5"
    assert labels(result) == ["◀ Clause 4", "Clause 6 ▶", "Official text", "English text"]
    await emu.click(world.member_en, result, label="Clause 6 ▶")
    assert result.embeds[0]["title"] == "Clause 6"
    assert "Milestone: Global AI Summit on Africa (Kigali Summit)" in fields(result.embeds[0])
    await emu.click(world.member_en, result, label="◀ Clause 5")
    assert result.embeds[0]["title"] == "Clause 5"


async def test_someone_else_pressing_gets_their_own_copy(bot, world):
    emu = world.emulator
    shared = await clause(world, world.member_en, "4")
    copy = await emu.click(world.member_fr, shared, label="Clause 5 ▶")
    assert copy.ephemeral
    assert copy.embeds[0]["title"] == "Article 5"  # in the presser's language
    assert labels(copy) == ["◀ Article 4", "Article 6 ▶", "Texte officiel"]
    assert shared.embeds[0]["title"] == "Clause 4"  # the shared message did not move
    await emu.click(world.member_fr, copy, label="Article 6 ▶")  # their copy is theirs to move
    assert copy.embeds[0]["title"] == "Article 6"
    assert shared.embeds[0]["title"] == "Clause 4"


async def test_moving_from_a_range_goes_range_by_range(bot, world):
    emu = world.emulator
    result = await clause(world, world.member_en, "4-6")
    await emu.click(world.member_en, result, label="◀ Clauses 1–3")
    assert result.embeds[0]["title"] == "Clauses 1–3"
    assert labels(result)[:3] == ["◀ Previous", "1/2", "Next ▶"]  # the new range has pages
    await emu.click(world.member_en, result, label="Next ▶")
    assert labels(result)[1] == "2/2"


async def test_up_from_an_item_and_a_footnote(bot, world):
    emu = world.emulator
    result = await clause(world, world.member_en, "fn3")
    await emu.click(world.member_en, result, label="↑ Clause 4")
    assert result.embeds[0]["title"] == "Clause 4"
    result = await clause(world, world.member_en, "3.8")
    await emu.click(world.member_en, result, label="Item 3.9 ▶")
    assert result.embeds[0]["title"] == "Clause 3 · item 3.9"
    await emu.click(world.member_en, result, label="↑ Clause 3")
    assert result.embeds[0]["title"] == "Clause 3"


async def test_buttons_keep_working_after_a_restart(world, settings):
    emu = world.emulator
    async with bot_on_emulator(settings, emu):
        result = await clause(world, world.member_en, "2")
    async with bot_on_emulator(settings, emu):
        await emu.click(world.member_en, result, label="Clause 3 ▶")
        assert result.embeds[0]["title"] == "Clause 3"
        copy = await emu.click(world.member_fr, result, label="Clause 4 ▶")
        assert copy.ephemeral and copy.embeds[0]["title"] == "Article 4"


# --- Autocomplete -----------------------------------------------------------------------------------------


async def suggest(world, member, typed):
    return await world.emulator.autocomplete(member, world.general, "clause", {"ref": typed}, focused="ref")


async def test_autocomplete_offers_everything_when_nothing_is_typed(bot, world):
    choices = await suggest(world, world.member_en, "")
    assert [c["value"] for c in choices] == [
        "1", "2", "3", *[f"3.{rank}" for rank in range(1, 10)], "4", "5", "6", "fn1", "fn2", "fn3",
    ]  # fmt: skip
    assert choices[1]["name"] == f"2 · {CONTENT.declaration.clause(2).headline}"
    assert choices[0]["name"].endswith("…") and len(choices[0]["name"]) <= 100
    assert choices[-1]["name"].startswith("Footnote 3 · Dans le prolongement")


async def test_autocomplete_filters_by_number_and_by_words(bot, world):
    assert [c["value"] for c in await suggest(world, world.member_en, "3.")] == [f"3.{r}" for r in range(1, 10)]
    assert (await suggest(world, world.member_en, "energie"))[0]["value"] == "3.8"
    assert (await suggest(world, world.member_en, "ÉNERGIE"))[0]["value"] == "3.8"
    assert [c["value"] for c in await suggest(world, world.member_en, "4-5")] == ["4-5"]
    french = await suggest(world, world.member_fr, "note")
    assert [c["value"] for c in french][:3] == ["fn1", "fn2", "fn3"]
    assert french[1]["name"] == f"Note 2 · {footnote_text(2)}"


@pytest.mark.parametrize("typed", ["", "3", "l", "a", "x" * 2000, '"*NEAR(', "1-6"])
async def test_autocomplete_stays_within_discords_limits(bot, world, typed):
    choices = await suggest(world, world.member_en, typed)
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100


async def test_what_autocomplete_sends_is_answered(bot, world):
    for choice in await suggest(world, world.member_en, ""):
        result = await clause(world, world.member_en, choice["value"])
        assert not result.ephemeral, choice


# --- Fidelity through the bot -------------------------------------------------------------------------------

RANGES = ["1-3", "4-6", "1-2", "2-3", "2-4", "3-4", "3-5", "4-5", "5-6"]
ALL_REFS = [str(n) for n in range(1, 7)] + [f"3.{r}" for r in range(1, 10)] + RANGES + [f"fn{n}" for n in range(1, 4)]


def source_for(ref: str) -> str:
    if ref.startswith("fn"):
        return footnote_text(int(ref[2:]))
    if "." in ref:
        clause_number, rank = ref.split(".")
        return item_text(int(clause_number), int(rank))
    if "-" in ref:
        first, last = ref.split("-")
        return range_text(int(first), int(last))
    return clause_text(int(ref))


@pytest.mark.parametrize("locale", ["en-US", "fr"])
async def test_every_passage_reads_as_the_source_character_for_character(bot, world, locale):
    member = world.member_en if locale == "en-US" else world.member_fr
    for ref in ALL_REFS:
        result = await clause(world, member, ref)
        assert not result.ephemeral, ref
        pages = await read_all_pages(world, member, result)
        for page in pages:
            assert len(page.get("description") or "") <= 4096
        assert shown_text(page.get("description") or "" for page in pages) == source_for(ref), ref
