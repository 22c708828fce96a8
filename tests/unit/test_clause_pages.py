"""Clause pages: within Discord's limits, split between paragraphs/sentences/words, nothing lost."""

from __future__ import annotations

import re

import discord
import pytest

from bot.content.loader import DEFAULT_DATA_DIR, load_content
from bot.content.models import Clause
from bot.rendering.clauses import (
    DESCRIPTION_LIMIT,
    Block,
    Field,
    RenderedPassages,
    build_pages,
    clause_blocks,
    paginate,
    passage_pages,
    split_text,
)
from bot.services.declaration import Passage, Reference, ReferenceBook, RefKind
from tests.helpers.source_text import fold, footnote_text, item_text, range_text, shown_text

CONTENT = load_content(DEFAULT_DATA_DIR)
DECLARATION = CONTENT.declaration
WHOLE_TEXT = "\n".join(clause.text for clause in DECLARATION.clauses)


def assert_within_discord_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 1 <= len(field.name) <= 256
        assert 1 <= len(field.value) <= 1024
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= 6000


def assert_cut_between_words(text: str, pieces: list[str]) -> None:
    at = 0
    for piece in pieces[:-1]:
        at += len(piece)
        assert text[at - 1].isspace() and not text[at].isspace(), (
            f"cut inside a word at {at}: {text[at - 20 : at + 20]!r}"
        )


# --- split_text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [40, 97, 250, 1000, 1024, 4096])
def test_pieces_join_back_to_the_text_and_fit_the_limit(limit):
    pieces = split_text(WHOLE_TEXT, limit)
    assert "".join(pieces) == WHOLE_TEXT
    assert all(1 <= len(piece) <= limit for piece in pieces)
    assert_cut_between_words(WHOLE_TEXT, pieces)


def test_a_text_that_fits_is_one_piece():
    assert split_text("Rendre l'IA durable.", 100) == ["Rendre l'IA durable."]


def test_cuts_prefer_paragraphs_then_sentences():
    text = "Première phrase assez longue. Deuxième phrase, plus longue encore, sans fin\nNouveau paragraphe ici."
    assert split_text(text, 80)[0].endswith("\n")
    sentences = "Une phrase courte. " + "mot " * 30
    assert split_text(sentences, 50)[0] == "Une phrase courte. "


def test_only_a_word_longer_than_a_page_is_ever_cut():
    text = "court " + "x" * 30 + " fin"
    pieces = split_text(text, 20)
    assert "".join(pieces) == text
    assert pieces[0] == "court "


# --- paginate -----------------------------------------------------------------------------------------------


def long_clause(repeat: int) -> Clause:
    """A clause far longer than one embed, made of the declaration's own sentences."""
    body = " ".join([DECLARATION.clause(4).body] * repeat)
    return Clause(number=4, headline=DECLARATION.clause(4).headline, body=body, footnotes=[3])


def test_a_clause_longer_than_a_page_is_split_with_nothing_lost():
    clause = long_clause(20)
    pages = paginate(clause_blocks(clause))
    assert len(pages) >= 4
    assert all(len(page) <= DESCRIPTION_LIMIT for page in pages)
    assert shown_text(pages) == fold(clause.text)
    for page in pages[:-1]:
        assert page.rstrip()[-1] in ".;:", "a full page ends at a sentence end"
    assert pages[0].startswith("**Nous reconnaissons")  # the headline is bold


def test_bold_survives_a_cut_inside_the_headline():
    block = Block("Un titre en gras qui est assez long pour être coupé. Puis le corps du texte.", bold=52)
    pages = paginate([block], limit=40)
    assert all(len(page) <= 40 for page in pages)
    assert pages[0].startswith("**") and pages[0].endswith("**")
    assert all(page.count("**") % 2 == 0 for page in pages)
    assert shown_text(pages) == fold(block.text)


def test_markdown_in_the_text_is_shown_literally_and_counts_against_the_limit():
    text = "Un *texte* avec des _soulignés_, des `codes`, ~~barres~~ et |spoilers| " * 80
    pages = paginate([Block(text, bold=10)], limit=500)
    assert all(len(page) <= 500 for page in pages)
    assert "\\*texte\\*" in pages[0]
    assert shown_text(pages) == fold(text)


def test_blocks_that_fit_share_a_page_and_keep_their_markers():
    clause = DECLARATION.clause(3)
    (page,) = paginate(clause_blocks(clause))
    assert "\n`3.1` Promouvoir l'accessibilité" in page
    assert "\n\n**À cet effet :**\n`3.7` **Les membres fondateurs²" in page
    assert shown_text([page]) == fold(clause.text)


# --- build_pages ------------------------------------------------------------------------------------------------


def test_fields_that_do_not_fit_the_last_page_go_on_a_page_of_their_own():
    description = "mot " * 1000
    fields = [Field(f"Champ {n}", "v" * 1000) for n in range(4)]
    pages = build_pages(title="Titre", descriptions=[description.strip()], fields=fields, footer="pied")
    for page in pages:
        assert_within_discord_limits(page)
    assert sum(len(page.fields) for page in pages) == 4
    assert len(pages) == 2


def test_more_than_25_fields_and_long_values_are_spread_not_dropped():
    fields = [Field(f"Champ {n}", "court") for n in range(30)] + [Field("Long", "mot " * 600)]
    pages = build_pages(title="Titre", descriptions=["texte"], fields=fields)
    for page in pages:
        assert_within_discord_limits(page)
    names = [field.name for page in pages for field in page.fields]
    assert names[:30] == [f"Champ {n}" for n in range(30)]
    assert names[30:] == ["Long (1/3)", "Long (2/3)", "Long (3/3)"]
    values = [field.value for page in pages for field in page.fields if field.name.startswith("Long")]
    assert fold(" ".join(values)) == fold("mot " * 600)


# --- Every real passage -----------------------------------------------------------------------------------


def every_reference() -> list[Reference]:
    book = ReferenceBook(DECLARATION)
    refs = [entry.ref for entry in book.entries]
    count = book.clause_count
    for width in range(2, 4):
        refs.extend(Reference.clauses(first, first + width - 1) for first in range(1, count - width + 2))
    return refs


def passage_for(ref: Reference) -> Passage:
    """The passage the service would build, without a database."""
    common = {"ref": ref, "source_url": DECLARATION.source_url}
    if ref.kind is RefKind.FOOTNOTE:
        return Passage(**common, footnote=DECLARATION.footnote(ref.first), called_from_title=DECLARATION.title)
    if ref.kind is RefKind.ITEM:
        return Passage(**common, item=DECLARATION.item(ref.text))
    clauses = tuple(DECLARATION.clause(n) for n in range(ref.first, ref.last + 1))
    notes = tuple(DECLARATION.footnote(n) for c in clauses for n in c.footnotes)
    initiatives = tuple(DECLARATION.initiative(k) for c in clauses for k in c.initiatives)
    events = tuple(CONTENT.event(k) for c in clauses for k in c.events)
    return Passage(**common, clauses=clauses, footnotes=notes, initiatives=initiatives, events=events)


@pytest.mark.parametrize("ref", every_reference(), ids=str)
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_passage_fits_discord_and_says_the_whole_text(ref, locale):
    passage = passage_for(ref)
    pages = passage_pages(passage, locale)
    for page in pages:
        assert_within_discord_limits(page)
        assert page.url == DECLARATION.source_url
    shown = shown_text(page.description or "" for page in pages)
    # Compared with the source document itself, not with the data the pages were built from.
    if ref.kind is RefKind.FOOTNOTE:
        assert shown == footnote_text(ref.first)
    elif ref.kind is RefKind.ITEM:
        assert shown == item_text(ref.first, ref.rank)
    else:
        assert shown == range_text(ref.first, ref.last)


def test_a_range_numbers_its_clauses():
    pages = passage_pages(passage_for(Reference.clauses(4, 5)), "en")
    (page,) = pages
    assert page.title == "Clauses 4–5"
    assert page.description.startswith("`4` **Nous reconnaissons")
    assert "\n\n`5` **Pour que nous puissions" in page.description


def test_clause_6_shows_its_four_milestones_with_dates_and_city():
    (page,) = passage_pages(passage_for(Reference.clause(6)), "en")
    fields = {field.name: field.value for field in page.fields}
    assert fields["Milestone: Global AI Summit on Africa (Kigali Summit)"] == "3–4 April 2025 · Kigali"
    assert fields["Milestone: 3rd UNESCO Global Forum on the Ethics of Artificial Intelligence"] == (
        "24–27 June 2025 · Bangkok"
    )
    (page,) = passage_pages(passage_for(Reference.clause(6)), "fr")
    fields = {field.name: field.value for field in page.fields}
    kigali = "Échéance\u00a0: Sommet mondial sur l'IA en Afrique (Sommet de Kigali)"
    assert fields[kigali] == "du 3 au 4 avril 2025 · Kigali"


def test_clause_3_shows_its_initiatives_and_footnote_beneath():
    (page,) = passage_pages(passage_for(Reference.clause(3)), "fr")
    names = [field.name for field in page.fields]
    assert names == [
        "Note 2",
        "Initiative\u00a0: Plateforme et incubateur de l'IA d'intérêt général",
        "Initiative\u00a0: Observatoire de l'IA et de l'énergie de l'Agence internationale de l'énergie",
        "Initiative\u00a0: Réseau d'observatoires des effets de l'IA sur le marché du travail",
    ]
    assert page.fields[0].value == DECLARATION.footnote(2).text
    assert re.match(r"^Lancés au Sommet", page.fields[1].value)
    assert page.footer.text.startswith("Cité mot pour mot")


def test_a_passage_is_rendered_once_per_language_and_served_the_same_after():
    rendered = RenderedPassages(size=2)
    clause_3, clause_4 = passage_for(Reference.clause(3)), passage_for(Reference.clause(4))
    english = rendered.pages(clause_3, "en-US")
    assert rendered.pages(clause_3, "en-GB") is english, "both English locales read the same pages"
    assert [page.to_dict() for page in english] == [page.to_dict() for page in passage_pages(clause_3, "en")]
    french = rendered.pages(clause_3, "fr")
    assert french is not english and french[0].title != english[0].title
    rendered.pages(clause_4, "en-US")  # a third entry: the least recently used (English clause 3) leaves
    assert rendered.pages(clause_3, "fr") is french
    assert rendered.pages(clause_3, "en-US") is not english
