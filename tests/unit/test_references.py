"""References to the declaration: what /clause accepts, what it suggests, and how it answers a miss."""

from __future__ import annotations

import pytest

from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import t
from bot.rendering.clauses import suggestion_label
from bot.services.declaration import (
    DeclarationService,
    Reference,
    ReferenceBook,
    RefKind,
    parse_reference,
)
from bot.storage.database import open_database
from bot.storage.repositories.content import ContentRepository
from bot.storage.repositories.search import index_documents

CONTENT = load_content(DEFAULT_DATA_DIR)


@pytest.fixture(scope="module")
def book() -> ReferenceBook:
    return ReferenceBook(CONTENT.declaration)


@pytest.fixture
async def service(tmp_path, store_url):
    async with await open_database(store_url) as db:
        content = ContentRepository(db)
        await content.seed(CONTENT, content_hash(DEFAULT_DATA_DIR))
        yield DeclarationService(content)


# --- Syntax ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("4", "4"),
        (" 4 ", "4"),
        ("4.", "4"),
        ("clause 4", "4"),
        ("Clause 4", "4"),
        ("article 4", "4"),
        ("Art. 4", "4"),
        ("§4", "4"),
        ("3.2", "3.2"),
        ("3.7", "3.7"),
        ("article 3.9", "3.9"),
        ("4-5", "4-5"),
        ("4 - 6", "4-6"),
        ("4–6", "4-6"),
        ("4—6", "4-6"),
        ("4..6", "4-6"),
        ("4 to 6", "4-6"),
        ("4 à 6", "4-6"),
        ("articles 4-6", "4-6"),
        ("5-5", "5"),
        ("fn2", "fn2"),
        ("FN 2", "fn2"),
        ("footnote 2", "fn2"),
        ("note 2", "fn2"),
        ("Note 2", "fn2"),
        ("n2", "fn2"),
        ("n. 2", "fn2"),
        ("nbp 2", "fn2"),
        ("note de bas de page 2", "fn2"),
        ("²", "fn2"),
        ("¹", "fn1"),
    ],
)
def test_accepted_forms_have_one_canonical_text(typed, canonical):
    ref = parse_reference(typed)
    assert ref is not None
    assert ref.text == canonical
    assert parse_reference(ref.text) == ref


@pytest.mark.parametrize(
    "typed", ["", "   ", "abc", "fn", "note", "4-", "-4", "1.2.3", "3.x", "clause", "4,5", "énergie"]
)
def test_what_is_not_a_reference(typed):
    assert parse_reference(typed) is None


def test_numbers_that_do_not_exist_still_parse_so_the_answer_can_say_so():
    assert parse_reference("7") == Reference.clause(7)
    assert parse_reference("0") == Reference.clause(0)
    assert parse_reference("3.99") == Reference.item(3, 99)
    assert parse_reference("4-2") == Reference(RefKind.RANGE, 4, 2)


def test_the_numbering_is_the_one_declaration_toml_defines(book):
    items = [entry.ref.text for entry in book.entries if entry.ref.kind is RefKind.ITEM]
    assert items == [f"3.{rank}" for rank in range(1, 10)]
    assert book.entry(Reference.item(3, 7)).headline.startswith("Les membres fondateurs²")
    assert book.entry(Reference.item(3, 1)).headline == CONTENT.declaration.item("3.1").text
    assert book.valid_ranges() == {"clauses": "1–6", "items": "3.1–3.9", "notes": "fn1–fn3"}


def test_every_search_document_carries_a_reference_clause_reads_back(book):
    for document in index_documents(CONTENT.declaration):
        ref = parse_reference(document.ref)
        assert ref is not None and ref.text == document.ref and book.exists(ref), document.ref


# --- Autocomplete ------------------------------------------------------------------------------------


def texts(suggestions):
    return [suggestion.ref.text for suggestion in suggestions]


def test_nothing_typed_offers_every_clause_item_and_footnote_in_reading_order(book):
    assert texts(book.suggest("")) == [
        "1", "2", "3", *[f"3.{rank}" for rank in range(1, 10)], "4", "5", "6", "fn1", "fn2", "fn3",
    ]  # fmt: skip


def test_a_number_offers_the_clause_then_its_items(book):
    assert texts(book.suggest("3")) == ["3", *[f"3.{rank}" for rank in range(1, 10)]]
    assert texts(book.suggest("3.")) == [f"3.{rank}" for rank in range(1, 10)]
    assert texts(book.suggest("3.7")) == ["3.7"]
    assert texts(book.suggest("5")) == ["5"]


@pytest.mark.parametrize("typed", ["fn", "note", "Note ", "footnote", "n"])
def test_footnote_words_offer_the_footnotes_first(book, typed):
    assert texts(book.suggest(typed))[:3] == ["fn1", "fn2", "fn3"]


@pytest.mark.parametrize("typed", ["energie", "Énergie", "ÉNERGIE", "énerg"])
def test_words_match_headlines_without_accents_or_case(book, typed):
    assert texts(book.suggest(typed))[0] == "3.8"


def test_several_words_must_all_match(book):
    assert texts(book.suggest("nous reconnaissons"))[:2] == ["3.9", "4"]
    # 3.9's headline has both words; clause 3 has them in its text (3.9 is part of it).
    assert texts(book.suggest("reconnaissons marché")) == ["3.9", "3"]


def test_a_valid_range_is_offered_first(book):
    assert texts(book.suggest("4-5")) == ["4-5"]
    assert texts(book.suggest("1-6")) == []  # wider than the cap: nothing to offer
    assert texts(book.suggest("5-9")) == []


def test_suggestions_stay_within_discords_limits(book):
    for typed in ["", "3", "a", "l", "x" * 2000, "\u0000", "é" * 150]:
        suggestions = book.suggest(typed)
        assert len(suggestions) <= 25
        for suggestion in suggestions:
            for locale in ("en", "fr"):
                label = suggestion_label(suggestion, locale)
                assert 1 <= len(label) <= 100
            assert len(suggestion.ref.text) <= 100


def test_labels_show_number_and_headline_and_cut_only_with_an_ellipsis(book):
    (long,) = [s for s in book.suggest("1") if s.ref.text == "1"]
    label = suggestion_label(long, "en")
    assert label.startswith("1 · Les participants de plus de 100 pays")
    assert label.endswith("…") and len(label) <= 100
    assert not label[:-1].endswith(" ")  # cut between words
    (short,) = book.suggest("2")
    assert suggestion_label(short, "en") == f"2 · {CONTENT.declaration.clause(2).headline}"
    (note,) = [s for s in book.suggest("fn2")]
    assert (
        suggestion_label(note, "en")
        == "Footnote 2 · Kenya, Allemagne, Chili, Finlande, Slovaquie, France, Nigeria, Maroc, Inde."
    )
    assert suggestion_label(note, "fr").startswith("Note 2 · Kenya")
    (wide,) = book.suggest("4-6")
    assert suggestion_label(wide, "en") == "Clauses 4–6"
    assert suggestion_label(wide, "fr") == "Articles 4 à 6"


# --- Closest matches -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("7", ["6", "5"]),
        ("0", ["1", "2"]),
        ("31", ["3.1", "6", "5"]),
        ("3.99", ["3.9", "3.8"]),
        ("3.0", ["3.1", "3.2"]),
        ("4.1", ["4"]),
        ("9.1", ["6", "5"]),
        ("fn9", ["fn3", "fn2"]),
        ("4-2", ["2-4"]),
        ("1-6", ["1-3", "4-6"]),
        ("5-9", ["5-6"]),
        ("énergie", ["3.8", "3"]),
        ("abc", []),
    ],
)
def test_closest_matches(book, typed, closest):
    assert [ref.text for ref in book.closest(typed, parse_reference(typed))] == closest


# --- The service's answers ----------------------------------------------------------------------------


async def test_a_clause_comes_with_its_neighbours_footnotes_initiatives_and_events(service):
    passage = await service.passage("3")
    assert [clause.number for clause in passage.clauses] == [3]
    assert (passage.previous.text, passage.next.text) == ("2", "4")
    assert [note.number for note in passage.footnotes] == [2]
    assert [i.key for i in passage.initiatives] == [
        "public-interest-ai-platform", "iea-energy-ai-observatory", "labour-market-observatories",
    ]  # fmt: skip
    six = await service.passage("6")
    assert [event.key for event in six.events] == ["kigali-2025", "unesco-ethics-2025", "waic-2025", "ai-for-good-2025"]
    assert six.next is None
    first = await service.passage("1")
    assert first.previous is None and first.footnotes == () and first.events == ()


async def test_items_ranges_and_footnotes_navigate_among_their_own_kind(service):
    item = await service.passage("3.7")
    assert item.item.number == "3.7"
    assert (item.previous.text, item.next.text, item.parent.text) == ("3.6", "3.8", "3")
    assert [note.number for note in item.footnotes] == [2]
    assert [i.key for i in item.initiatives] == ["public-interest-ai-platform"]
    assert (await service.passage("3.1")).previous is None
    assert (await service.passage("3.9")).next is None

    span = await service.passage("1-3")
    assert [clause.number for clause in span.clauses] == [1, 2, 3]
    assert span.previous is None and span.next.text == "4-6"
    assert (await service.passage("2-4")).previous.text == "1"
    assert (await service.passage("5-6")).previous.text == "3-4"

    note = await service.passage("fn2")
    assert note.footnote.number == 2 and note.parent.text == "3.7"
    title_note = await service.passage("fn1")
    assert title_note.parent is None and title_note.called_from_title == CONTENT.declaration.title
    assert (await service.passage("fn3")).parent.text == "4"


@pytest.mark.parametrize(
    ("typed", "error", "key"),
    [
        ("0", NotFoundError, "declaration.errors.no_such_ref"),
        ("7", NotFoundError, "declaration.errors.no_such_ref"),
        ("3.99", NotFoundError, "declaration.errors.no_such_ref"),
        ("4.1", NotFoundError, "declaration.errors.no_such_ref"),
        ("fn9", NotFoundError, "declaration.errors.no_such_ref"),
        ("abc", InvalidInputError, "declaration.errors.bad_ref"),
        ("énergie", InvalidInputError, "declaration.errors.bad_ref_closest"),
        ("4-2", InvalidInputError, "declaration.errors.reversed_range"),
        ("1-6", InvalidInputError, "declaration.errors.range_too_wide"),
        ("x" * 2000, InvalidInputError, "declaration.errors.ref_too_long"),
        ("", InvalidInputError, "declaration.errors.empty_ref"),
        ("   ", InvalidInputError, "declaration.errors.empty_ref"),
    ],
)
async def test_a_miss_is_a_short_answer_with_the_valid_range_and_the_closest_matches(service, typed, error, key):
    with pytest.raises(error) as caught:
        await service.passage(typed)
    assert caught.value.key == key
    for locale in ("en", "fr"):
        message = t(caught.value.key, locale, **caught.value.params)
        assert "{" not in message and len(message) <= 2000
        if "closest" in caught.value.params:
            assert "•" in message
        if key not in {"declaration.errors.reversed_range", "declaration.errors.range_too_wide"}:
            assert "1–6" in message and "3.1–3.9" in message and "fn1–fn3" in message


async def test_a_miss_repeats_the_input_short_and_inert(service):
    with pytest.raises(InvalidInputError) as caught:
        await service.passage("**abc** @everyone " + "x" * 30)
    shown = caught.value.params["ref"]
    assert shown.startswith("\\*\\*abc\\*\\*")
    assert "@\u200beveryone" in shown
    assert shown.endswith("…")


async def test_overview_counts_signatories_by_entity_type(service):
    overview = await service.overview()
    assert overview.signatory_count == 60
    assert [count for count in overview.signatories.values()] == [58, 1, 1]
