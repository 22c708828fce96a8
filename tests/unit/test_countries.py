"""The country directory: normalization, what each kind of input resolves to, autocomplete, the alias file."""

import time
from functools import cache

import pytest

from bot.content.loader import load_content
from bot.services.countries import (
    MAX_CHOICES,
    MAX_SUGGESTIONS,
    AliasEntry,
    AliasFileError,
    CountryAliases,
    CountryDirectory,
    Found,
    NotFound,
    load_aliases,
    normalize,
)

SIGNATORIES = load_content().signatories


@cache
def directory() -> CountryDirectory:
    return CountryDirectory.build(SIGNATORIES, load_aliases())


def resolved_code(text: str) -> str:
    resolution = directory().resolve(text)
    assert isinstance(resolution, Found), f"{text!r} -> {resolution}"
    return resolution.country.code


def with_aliases(**entries: AliasEntry) -> CountryDirectory:
    return CountryDirectory.build(SIGNATORIES, CountryAliases(countries=entries))


# --- Normalization ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("France", "france"),
        ("  ÉTATS-UNIS  ", "etats unis"),
        ("L’Allemagne", "allemagne"),
        ("l'Inde", "inde"),
        ("Les Pays-Bas", "pays bas"),
        ("The Netherlands", "netherlands"),
        ("Côte d'Ivoire", "cote d ivoire"),
        ("Côte d’Ivoire", "cote d ivoire"),
        ("Türkiye", "turkiye"),
        ("U.S.A.", "u s a"),
        ("Corée   du\tSud", "coree du sud"),
        ("🇫🇷", "fr"),
        ("🇪🇺", "eu"),
        ("🤖", ""),
        ("!!!", ""),
        ("the", "the"),  # an article alone is what was typed, not nothing
    ],
)
def test_normalize_folds_case_accents_punctuation_and_a_leading_article(typed, normalized):
    assert normalize(typed) == normalized


# --- What resolves to what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("UK", "GB"),
        ("u.k.", "GB"),
        ("Royaume-Uni", "GB"),
        ("royaume uni", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("États-Unis", "US"),
        ("etats-unis", "US"),
        ("United States of America", "US"),
        ("Corée du Sud", "KR"),
        ("République de Corée", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Corée du Nord", "KP"),
        ("North Korea", "KP"),
        ("Türkiye", "TR"),
        ("Turquie", "TR"),
        ("Turkey", "TR"),
        ("Czechia", "CZ"),
        ("Tchéquie", "CZ"),
        ("Czech Republic", "CZ"),
        ("Vatican", "VA"),
        ("Saint-Siège", "VA"),
        ("Holy See", "VA"),
        ("Russie", "RU"),
        ("Fédération de Russie", "RU"),
        ("Émirats", "AE"),
        ("EAU", "AE"),
        ("UAE", "AE"),
        ("Emirats arabes unis", "AE"),
        ("EU", "EU"),
        ("UE", "EU"),
        ("Union européenne", "EU"),
        ("European Union", "EU"),
        ("🇪🇺", "EU"),
        ("AUC", "AUC"),
        ("CUA", "AUC"),
        ("African Union Commission", "AUC"),
        ("Commission de l’Union africaine", "AUC"),
        ("Union africaine", "AUC"),
        ("Pays-Bas", "NL"),
        ("Holland", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Iran", "IR"),
        ("République islamique d'Iran", "IR"),
        ("Syrie", "SY"),
        ("Bolivie", "BO"),
        ("Venezuela", "VE"),
        ("Laos", "LA"),
        ("Moldavie", "MD"),
        ("Taïwan", "TW"),
        ("taiwan", "TW"),
        ("Irak", "IQ"),
        ("🇫🇷", "FR"),
        ("fra", "FR"),
        ("L'Allemagne", "DE"),
    ],
)
def test_short_forms_and_usual_names_resolve_exactly(typed, code):
    resolution = directory().resolve(typed)
    assert isinstance(resolution, Found)
    assert (resolution.country.code, resolution.exact) == (code, True)


@pytest.mark.parametrize(("typed", "code"), [("UA", "UA"), ("AU", "AU"), ("ua", "UA"), ("ind", "IN")])
def test_an_iso_code_means_its_country(typed, code):
    # "UA" is also the French abbreviation of the African Union: the code wins, as ISO says.
    assert resolved_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Kenia", "KE"), ("Canda", "CA"), ("Allemangne", "DE"), ("Japn", "JP"), ("Tchéq", "CZ"), ("Swiss", "CH")],
)
def test_a_typo_or_partial_name_clearly_closest_to_one_country_is_taken_for_it(typed, code):
    resolution = directory().resolve(typed)
    assert isinstance(resolution, Found)
    assert (resolution.country.code, resolution.exact) == (code, False)


@pytest.mark.parametrize(
    ("typed", "first"),
    [("Corée", {"KR", "KP"}), ("Korea", {"KR", "KP"}), ("Nigera", {"NG", "NE"}), ("saint martin", {"MF", "SX"})],
)
def test_an_ambiguous_name_gives_the_candidates_as_suggestions(typed, first):
    resolution = directory().resolve(typed)
    assert isinstance(resolution, NotFound)
    assert {country.code for country in resolution.suggestions[:2]} == first


@pytest.mark.parametrize(
    "typed",
    [
        "Atlantis",
        "zz",
        "x" * 2000,
        "France" * 400,
        "🤖",
        "",
        "   ",
        "!!!",
        "@everyone",
        "<@123456789012345678>",
        "'; DROP TABLE signatories; --",
        "**bold** __under__ `code`",
        "Wakanda",
    ],
)
def test_unknown_input_is_not_found_with_at_most_five_suggestions(typed):
    resolution = directory().resolve(typed)
    assert isinstance(resolution, NotFound)
    assert len(resolution.suggestions) <= MAX_SUGGESTIONS


def test_suggestions_for_a_near_miss_name_the_closest_countries():
    resolution = directory().resolve("Atlantis")
    assert isinstance(resolution, NotFound)
    assert resolution.suggestions  # something to try instead
    resolution = directory().resolve("Nouvelle")
    assert isinstance(resolution, NotFound)
    assert [c.code for c in resolution.suggestions[:2]] == ["NZ", "NC"]  # the signatory first


def test_every_signatory_is_marked_and_named_as_in_the_list():
    for signatory in SIGNATORIES:
        code = signatory.iso2 or {"european_union": "EU", "african_union_commission": "AUC"}[signatory.entity_type]
        country = directory().get(code)
        assert country is not None and country.signatory
        assert (country.name_en, country.name_fr) == (signatory.name_en, signatory.name_fr)
    assert sum(1 for code in ("US", "GB", "RU", "IL") if directory().get(code).signatory) == 0


def test_countries_that_did_not_sign_are_named_plainly_in_both_languages():
    russia = directory().get("RU")
    assert (russia.name("en"), russia.name("fr")) == ("Russia", "Russie")
    united_states = directory().get("US")
    assert (united_states.name("en"), united_states.name("fr")) == ("United States", "États-Unis")
    turkey = directory().get("TR")
    assert (turkey.name("en"), turkey.name("fr")) == ("Türkiye", "Turquie")


# --- Autocomplete ---------------------------------------------------------------------------------


def test_with_nothing_typed_autocomplete_offers_signatories_alphabetically_in_the_readers_language():
    french = directory().candidates("", lang="fr")
    assert len(french) == MAX_CHOICES
    assert all(country.signatory for country in french)
    assert [c.code for c in french[:3]] == ["ZA", "DE", "AM"]  # Afrique du Sud, Allemagne, Arménie
    english = directory().candidates("", lang="en")
    assert [c.code for c in english[:3]] == ["AUC", "AM", "AU"]  # African Union Commission, Armenia, Australia


def test_autocomplete_puts_the_code_typed_first_then_signatories_before_others():
    assert directory().candidates("fr", lang="en")[0].code == "FR"
    offered = directory().candidates("a", lang="fr")
    signatory_flags = [country.signatory for country in offered]
    assert signatory_flags[:6] == [True] * 6  # Afrique du Sud … Commission de l'Union africaine
    assert signatory_flags.index(False) == 6


def test_autocomplete_prefers_usual_names_over_official_ones():
    offered = [c.code for c in directory().candidates("f", lang="en")]
    assert offered[:2] == ["FI", "FR"]
    assert offered.index("DE") > offered.index("FR")  # "Federal Republic of Germany" comes later


def test_autocomplete_finds_typos_and_other_languages():
    assert directory().candidates("Kenia", lang="en")[0].code == "KE"
    assert directory().candidates("Allemangne", lang="fr")[0].code == "DE"
    assert [c.code for c in directory().candidates("cor", lang="fr")[:2]] == ["KR", "KP"]
    assert directory().candidates("germ", lang="fr")[0].code == "DE"


@pytest.mark.parametrize("typed", ["", "a", "e", "i", "re", "united", "ia", "x" * 2000, "🤖", "'; DROP"])
def test_autocomplete_never_offers_more_than_25(typed):
    assert len(directory().candidates(typed, lang="fr")) <= MAX_CHOICES


def test_autocomplete_is_fast_enough_for_every_keystroke():
    started = time.perf_counter()
    for typed in ("a", "al", "all", "alle", "allem", "allema", "zzzzzz", "Atlantis", "x" * 2000):
        directory().candidates(typed, lang="fr")
    assert time.perf_counter() - started < 0.5


# --- data/country_aliases.toml ------------------------------------------------------------------


def test_every_alias_in_the_file_adds_a_name_the_bot_did_not_already_know():
    bare = CountryDirectory.build(SIGNATORIES, CountryAliases())
    redundant = []
    for code, entry in load_aliases().countries.items():
        for alias in entry.aliases:
            resolution = bare.resolve(alias)
            if isinstance(resolution, Found) and resolution.exact and resolution.country.code == code:
                redundant.append(f"{code}: {alias}")
    assert redundant == []


def test_an_alias_that_is_another_countrys_code_is_refused():
    with pytest.raises(AliasFileError, match=r"\[countries.AUC\].*'UA' is the code of UA"):
        with_aliases(AUC=AliasEntry(aliases=("UA",)))


def test_an_alias_that_already_names_another_country_is_refused():
    with pytest.raises(AliasFileError, match=r"\[countries.GB\].*'États-Unis' already names US"):
        with_aliases(GB=AliasEntry(aliases=("États-Unis",)))


def test_an_alias_for_an_unknown_code_is_refused():
    with pytest.raises(AliasFileError, match="'XX' is neither"):
        with_aliases(XX=AliasEntry(aliases=("Nowhere",)))


def test_a_signatorys_names_cannot_be_replaced_from_the_alias_file():
    with pytest.raises(AliasFileError, match=r"signatories\.toml"):
        with_aliases(FR=AliasEntry(name_en="Frankreich"))


def test_an_alias_with_no_letters_is_refused():
    with pytest.raises(AliasFileError, match="no letters"):
        with_aliases(FR=AliasEntry(aliases=("---",)))


def test_the_alias_file_reports_an_unknown_key_and_bad_toml_by_file(tmp_path):
    misspelt = tmp_path / "aliases.toml"
    misspelt.write_text('[countries.GB]\nalias = ["UK"]\n', encoding="utf-8")
    with pytest.raises(AliasFileError, match=r"aliases.toml: countries.GB.alias: Extra inputs"):
        load_aliases(misspelt)
    broken = tmp_path / "broken.toml"
    broken.write_text("[countries.GB\n", encoding="utf-8")
    with pytest.raises(AliasFileError, match=r"broken\.toml"):
        load_aliases(broken)
