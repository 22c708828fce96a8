"""SignatoryService: every signatory found by each of its names and codes, non-signatories, the list."""

import pytest

from bot.content.loader import DEFAULT_DATA_DIR, content_hash, load_content
from bot.content.models import EntityType
from bot.errors import NotFoundError
from bot.services.countries import ORGANISATION_CODES, load_aliases
from bot.services.signatories import NotSignatory, SignatoryFilter, SignatoryService, Signed
from bot.storage.database import open_database
from bot.storage.repositories.content import ContentRepository

CONTENT = load_content()
SIGNATORIES = CONTENT.signatories
FOOTNOTE_2 = CONTENT.declaration.footnote(2)


def code_of(signatory) -> str:
    return signatory.iso2 or ORGANISATION_CODES[signatory.entity_type]


SIGNATORY_CODES = {code_of(s) for s in SIGNATORIES}


class ContentFromData:
    """The two reads the service makes, answered from data/ (the seeded store holds the same: test_seeding)."""

    def __init__(self) -> None:
        self.reads = 0

    async def signatories(self):
        self.reads += 1
        return list(SIGNATORIES)

    async def declaration(self):
        return CONTENT.declaration


@pytest.fixture(scope="module")
def service() -> SignatoryService:
    # Built once for the module: the directory is read-only after its first use.
    return SignatoryService(ContentFromData(), load_aliases())


def lookups():
    for s in SIGNATORIES:
        yield pytest.param(s.name_fr, s.position, id=f"{s.position}-fr-{s.name_fr}")
        yield pytest.param(s.name_en, s.position, id=f"{s.position}-en-{s.name_en}")
        yield pytest.param(code_of(s), s.position, id=f"{s.position}-code-{code_of(s)}")


@pytest.mark.parametrize(("typed", "position"), list(lookups()))
async def test_every_signatory_is_found_by_its_french_name_english_name_and_code(service, typed, position):
    result = await service.lookup(typed, lang="en")
    assert isinstance(result, Signed)
    assert result.signatory.position == position
    assert result.exact
    assert result.total == 60


@pytest.mark.parametrize("signatory", [s for s in SIGNATORIES if s.iso3], ids=lambda s: s.iso3)
async def test_every_signatory_state_is_found_by_its_alpha3_code_in_any_case(service, signatory):
    result = await service.lookup(signatory.iso3.lower(), lang="fr")
    assert isinstance(result, Signed) and result.signatory == signatory


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("United States", "US"),
        ("États-Unis", "US"),
        ("USA", "US"),
        ("United Kingdom", "GB"),
        ("Royaume-Uni", "GB"),
        ("UK", "GB"),
        ("Russia", "RU"),
        ("Russie", "RU"),
        ("Israel", "IL"),
        ("Israël", "IL"),
        ("Argentina", "AR"),
        ("Argentine", "AR"),
        ("Türkiye", "TR"),
        ("Turquie", "TR"),
        ("Egypt", "EG"),
        ("Égypte", "EG"),
        ("Saudi Arabia", "SA"),
        ("Arabie saoudite", "SA"),
        ("Pakistan", "PK"),
        ("Vietnam", "VN"),
        ("Viêt Nam", "VN"),
        ("Philippines", "PH"),
        ("Iran", "IR"),
        ("Colombia", "CO"),
        ("Colombie", "CO"),
        ("Peru", "PE"),
        ("Pérou", "PE"),
        ("Corée du Nord", "KP"),
        ("Côte d'Ivoire", "CI"),
        ("Taïwan", "TW"),
    ],
)
async def test_real_countries_that_did_not_sign_are_answered_not_a_signatory(service, typed, code):
    assert code not in SIGNATORY_CODES  # checked against the list, not assumed
    result = await service.lookup(typed, lang="en")
    assert isinstance(result, NotSignatory)
    assert (result.country.code, result.total, result.exact) == (code, 60, True)


async def test_founding_members_carry_the_footnote_that_names_them(service):
    for code in FOOTNOTE_2.members:
        result = await service.lookup(code, lang="fr")
        assert isinstance(result, Signed)
        assert result.founding_note == FOOTNOTE_2
    for name in ("Canada", "Japan", "European Union"):
        result = await service.lookup(name, lang="en")
        assert isinstance(result, Signed) and result.founding_note is None


async def test_a_typo_is_answered_for_its_closest_match_and_says_so(service):
    result = await service.lookup("Kenia", lang="en")
    assert isinstance(result, Signed)
    assert (result.signatory.name_en, result.exact) == ("Kenya", False)


async def test_unknown_input_raises_not_found_with_suggestions_in_the_readers_language(service):
    with pytest.raises(NotFoundError) as english:
        await service.lookup("Corée", lang="en")
    assert english.value.key == "signatories.unknown_with_suggestions"
    assert english.value.params["suggestions"].startswith("Republic of Korea, North Korea")
    with pytest.raises(NotFoundError) as french:
        await service.lookup("Corée", lang="fr")
    assert french.value.params["suggestions"].startswith("République de Corée, Corée du Nord")
    assert french.value.params["query"] == "Corée"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Atlantis", "signatories.unknown_with_suggestions"),
        ("🤖", "signatories.unknown"),
        ("x" * 2000, "signatories.unknown"),
        ("'; DROP TABLE signatories; --", "signatories.unknown"),
        ("", "signatories.unknown_blank"),
        ("   \n ", "signatories.unknown_blank"),
    ],
)
async def test_unknown_input_is_a_not_found_error_never_a_crash(service, typed, key):
    with pytest.raises(NotFoundError) as caught:
        await service.lookup(typed, lang="en")
    assert caught.value.key == key
    suggestions = caught.value.params.get("suggestions", "")
    assert suggestions.count(",") < 5  # at most five


async def test_what_is_echoed_back_is_short_and_cannot_format_or_mention(service):
    echoed = {}
    for typed in ("@everyone", "<@123456789012345678>", "**bold**", "x" * 2000, "a\nb"):
        with pytest.raises(NotFoundError) as caught:
            await service.lookup(typed, lang="en")
        echoed[typed] = caught.value.params["query"]
    assert echoed["@everyone"] == "@\u200beveryone"
    assert echoed["<@123456789012345678>"] == "<\u200b@\u200b123456789012345678>"
    assert echoed["**bold**"] == "\\*\\*bold\\*\\*"
    assert len(echoed["x" * 2000]) == 40 and echoed["x" * 2000].endswith("…")
    assert echoed["a\nb"] == "a b"


async def test_the_list_in_source_order_with_its_totals(service):
    listing = await service.listing()
    assert [s.position for s in listing.entries] == list(range(1, 61))
    totals = listing.totals
    assert (totals.total, totals.states, totals.european_union, totals.african_union_commission) == (60, 58, 1, 1)
    assert listing.founding_note is None


async def test_the_founding_members_in_the_footnotes_order_with_its_text(service):
    listing = await service.listing(SignatoryFilter.FOUNDING)
    assert [code_of(s) for s in listing.entries] == ["KE", "DE", "CL", "FI", "SK", "FR", "NG", "MA", "IN"]
    assert listing.founding_note.text == "Kenya, Allemagne, Chili, Finlande, Slovaquie, France, Nigeria, Maroc, Inde."
    assert listing.totals.total == 60


async def test_states_only_and_organisations_only(service):
    states = await service.listing(SignatoryFilter.STATES)
    assert len(states.entries) == 58
    assert all(s.entity_type is EntityType.STATE for s in states.entries)
    organisations = await service.listing(SignatoryFilter.ORGANISATIONS)
    assert [s.name_en for s in organisations.entries] == ["European Union", "African Union Commission"]


async def test_autocomplete_offers_codes_of_countries_named_in_the_readers_language(service):
    offered = await service.autocomplete("all", lang="fr")
    assert offered[0].code == "DE" and offered[0].name("fr") == "Allemagne"
    assert len(await service.autocomplete("", lang="en")) == 25


async def test_the_content_is_read_once_not_at_every_lookup():
    content = ContentFromData()
    service = SignatoryService(content, load_aliases())
    await service.load()
    await service.lookup("France", lang="fr")
    await service.autocomplete("fr", lang="fr")
    await service.listing()
    assert content.reads == 1


async def test_the_service_works_from_the_seeded_store(tmp_path, store_url):
    async with await open_database(store_url) as db:
        repository = ContentRepository(db)
        await repository.seed(load_content(DEFAULT_DATA_DIR), content_hash(DEFAULT_DATA_DIR))
        service = SignatoryService(repository, load_aliases())
        result = await service.lookup("Kenya", lang="fr")
        assert isinstance(result, Signed) and result.founding_note == FOOTNOTE_2
        assert isinstance(await service.lookup("Royaume-Uni", lang="fr"), NotSignatory)
