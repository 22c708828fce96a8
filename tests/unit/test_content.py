"""The content loader and the models' consistency checks."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.content.loader import DEFAULT_DATA_DIR, ContentError, content_hash, load_content
from bot.content.models import (
    Content,
    DatePrecision,
    EntityType,
    EventStatus,
    ShippedEvent,
    footnote_calls,
    superscript,
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(DEFAULT_DATA_DIR)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped data/ that a test may damage."""
    copy = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}: the test no longer matches the data"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(data_dir)
    return [str(problem) for problem in caught.value.problems]


# --- The shipped data -----------------------------------------------------------------------------


def test_shipped_data_loads(content: Content) -> None:
    declaration = content.declaration
    assert [clause.number for clause in declaration.clauses] == [1, 2, 3, 4, 5, 6]
    assert [note.number for note in declaration.footnotes] == [1, 2, 3]
    assert len(content.signatories) == 60
    assert [event.key for event in content.events] == [
        "paris-2025",
        "kigali-2025",
        "unesco-ethics-2025",
        "ai-for-good-2025",
        "waic-2025",
        "india-2026",
        "un-dialogue-2026",
        "ai-for-good-2026",
        "waic-2026",
        "geneva-2027",
        "un-dialogue-2027",
        "uae-2028",
    ]


def test_clause_helpers(content: Content) -> None:
    declaration = content.declaration
    clause_3 = declaration.clause(3)
    assert [item.number for item in clause_3.items] == [f"3.{n}" for n in range(1, 10)]
    assert clause_3.footnotes == (2,)
    text_lines = clause_3.text.split("\n")
    assert text_lines[0] == clause_3.headline
    assert text_lines[7] == "À cet effet :"
    assert len(text_lines) == 1 + 6 + 1 + 3
    assert declaration.item("3.7").headline is not None
    assert declaration.item("3.7").text.startswith(declaration.item("3.7").headline or "")
    # Clause 6's body starts with the comma that follows its bold headline.
    assert declaration.clause(6).paragraph.startswith(
        "Nous attendons avec intérêt les prochaines échéances sur ce sujet, "
    )
    assert "au service du bien social, afin" in declaration.clause(6).text
    assert declaration.clause(1).text == f"{declaration.clause(1).headline} {declaration.clause(1).body}"
    with pytest.raises(KeyError):
        declaration.clause(7)
    with pytest.raises(KeyError):
        declaration.item("3.10")


def test_footnotes_and_initiatives(content: Content) -> None:
    declaration = content.declaration
    assert declaration.title_footnotes == (1,)
    assert declaration.footnote(2).called_from == "3.7"
    assert declaration.footnote(2).members == ("KE", "DE", "CL", "FI", "SK", "FR", "NG", "MA", "IN")
    assert [member.name_fr for member in content.founding_members][6] == "Nigéria"
    assert [initiative.item for initiative in declaration.initiatives] == ["3.7", "3.8", "3.9"]
    assert declaration.initiative("iea-energy-ai-observatory").clause == 3


def test_signatories(content: Content) -> None:
    kinds = [signatory.entity_type for signatory in content.signatories]
    assert kinds.count(EntityType.STATE) == 58
    assert content.signatories[58].entity_type is EntityType.EUROPEAN_UNION
    assert content.signatories[58].iso2 is None
    assert content.signatories[59].entity_type is EntityType.AFRICAN_UNION_COMMISSION
    assert {signatory.iso2 for signatory in content.signatories}.isdisjoint({"US", "GB"})
    assert sum(signatory.founding_member for signatory in content.signatories) == 9


def test_events(content: Content) -> None:
    kigali = content.event("kigali-2025")
    assert (kigali.start, kigali.end) == (date(2025, 4, 3), date(2025, 4, 4))
    assert kigali.starts_at == datetime(2025, 4, 2, 22, 0, tzinfo=UTC)  # Kigali is UTC+2
    assert kigali.ends_at == datetime(2025, 4, 4, 22, 0, tzinfo=UTC)
    assert kigali.status is EventStatus.SCHEDULED
    geneva = content.event("geneva-2027")
    assert geneva.precision is DatePrecision.HALF_YEAR
    assert (geneva.start, geneva.end) == (date(2027, 1, 1), date(2027, 6, 30))
    named = [key for clause in content.declaration.clauses for key in clause.events]
    assert named == ["kigali-2025", "unesco-ethics-2025", "waic-2025", "ai-for-good-2025"]
    assert all(content.event(key).clauses == (6,) for key in named)
    assert all(url.startswith("https://") for event in content.events for url in event.source_urls)


def test_the_events_added_in_december_2026(content: Content) -> None:
    dialogue = content.event("un-dialogue-2026")
    assert (dialogue.venue, dialogue.city, dialogue.city_fr, dialogue.timezone) == (
        "Palexpo", "Geneva", "Genève", "Europe/Zurich"
    )
    assert (dialogue.start, dialogue.end) == (date(2026, 7, 6), date(2026, 7, 7))
    assert "https://press.un.org/en/2025/sgsm22776.doc.htm" in dialogue.source_urls
    good = content.event("ai-for-good-2026")
    assert (good.start, good.end, good.city_fr) == (date(2026, 7, 7), date(2026, 7, 10), "Genève")
    waic = content.event("waic-2026")
    assert (waic.start, waic.end, waic.timezone) == (date(2026, 7, 17), date(2026, 7, 20), "Asia/Shanghai")
    assert "medium confidence" in waic.description_en and "confiance moyenne" in waic.description_fr
    assert waic.notes, "the qualification is recorded with the facts too"
    new_york = content.event("un-dialogue-2027")
    assert (new_york.precision, new_york.start) == (DatePrecision.YEAR, date(2027, 1, 1))
    assert new_york.date_note == "Date to be announced: 2027."
    assert (new_york.city, new_york.city_fr, new_york.country) == ("New York", None, "US")
    geneva = content.event("geneva-2027")
    assert "co-chaired by the United Arab Emirates" in geneva.description_en
    assert "DETEC" in geneva.description_en and "DFAE" in geneva.description_fr
    assert "https://innosuisse.admin.ch" in geneva.source_urls
    india = content.event("india-2026")
    for count in ("88 endorsers", "91 by 24 February", "92 in the Indian government's release of 2 March 2026"):
        assert count in india.description_en
    assert "88 soutiens" in india.description_fr
    assert "52 of the 54 African states" in content.event("kigali-2025").description_en
    # Only Geneva has a French name of its own among the shipped cities.
    assert {event.city: event.city_fr for event in content.events if event.city_fr} == {"Geneva": "Genève"}


def test_superscripts() -> None:
    assert superscript(2) == "²"
    assert superscript(12) == "¹²"
    assert footnote_calls("fondateurs² et le 3ᵉ forum¹⁰") == [2, 10]


# --- The hash ---------------------------------------------------------------------------------------


def test_hash_is_stable_and_independent_of_location(data_dir: Path) -> None:
    assert content_hash(data_dir) == content_hash(DEFAULT_DATA_DIR)
    assert len(content_hash(data_dir)) == 64


@pytest.mark.parametrize("name", ["events.toml", "signatories.toml", "declaration/declaration.toml"])
def test_hash_changes_when_a_served_file_changes(data_dir: Path, name: str) -> None:
    before = content_hash(data_dir)
    with (data_dir / name).open("a", encoding="utf-8") as file:
        file.write("\n# an edit\n")
    assert content_hash(data_dir) != before


def test_hash_covers_the_source_record_and_new_declaration_files(data_dir: Path) -> None:
    before = content_hash(data_dir)
    (data_dir / "declaration" / "notes.md").write_text("new", encoding="utf-8")
    with_new_file = content_hash(data_dir)
    assert with_new_file != before
    (data_dir / "declaration" / "source.md").write_bytes(b"")
    assert content_hash(data_dir) != with_new_file


def test_hash_ignores_unrelated_files(data_dir: Path) -> None:
    before = content_hash(data_dir)
    (data_dir / "i18n").mkdir(exist_ok=True)
    (data_dir / "i18n" / "fr.toml").write_text("# translations are hashed elsewhere\n", encoding="utf-8")
    (data_dir / "README.md").write_text("not served\n", encoding="utf-8")
    (data_dir / "declaration" / ".declaration.toml.swp").write_bytes(b"editor swap file")
    (data_dir.parent / "elsewhere.toml").write_text("x = 1\n", encoding="utf-8")
    assert content_hash(data_dir) == before


# --- Bad files are rejected, naming the file and the key ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "events.toml",
            'key = "paris-2025"',
            'key = "paris-2025"\ncolour = "blue"',
            "events.toml: events[key=paris-2025].colour: unknown key",
        ),
        (
            "events.toml",
            "end = 2025-04-04",
            "end = 2025-04-02",
            "events.toml: events[key=kigali-2025].end: 2025-04-02 is before start 2025-04-03",
        ),
        (
            "events.toml",
            'timezone = "Asia/Bangkok"',
            'timezone = "Asia/Bangkock"',
            "events.toml: events[key=unesco-ethics-2025].timezone: 'Asia/Bangkock' is not an IANA time zone",
        ),
        (
            "events.toml",
            'key = "india-2026"',
            'key = "kigali-2025"',
            "events.toml: events: duplicate event keys: kigali-2025",
        ),
        (
            "events.toml",
            "start = 2025-07-26",
            "start = 2025-07-26T10:00:00+08:00",
            "events.toml: events[key=waic-2025].start: must be a local date such as 2025-02-10",
        ),
        (
            "events.toml",
            "end = 2027-06-30",
            "end = 2027-06-29",
            "events.toml: events[key=geneva-2027]: precision 'half_year' needs start..end to span",
        ),
        (
            "signatories.toml",
            'name_fr = "Chili"',
            'name_fr = "Chili"\nflag = "🇨🇱"',
            "signatories.toml: signatories[position=9].flag: unknown key",
        ),
        (
            "signatories.toml",
            "position = 12",
            "position = 13",
            "signatories.toml: signatories: positions must run in order without gaps: found 13 where 12",
        ),
        (
            "signatories.toml",
            'iso2 = "KE"\niso3 = "KEN"\nfounding_member = true',
            'iso2 = "KE"\niso3 = "KEN"',
            "signatories.toml founding_member is set for",
        ),
        (
            "declaration/declaration.toml",
            'number = "3.5"',
            'number = "3.6"',
            "declaration/declaration.toml: clauses[number=3]: item numbers must run in order without gaps",
        ),
        (
            "declaration/declaration.toml",
            "dialogues pluripartites inclusifs³",
            "dialogues pluripartites inclusifs",
            "declaration/declaration.toml: clauses[number=4]: footnotes says [3] but the clause's text calls",
        ),
        (
            "declaration/declaration.toml",
            'called_from = "3.7"',
            'called_from = "3.8"',
            "declaration/declaration.toml: footnotes[number=2].called_from is '3.8' but the text calls it",
        ),
        (
            "declaration/declaration.toml",
            'english_title = "',
            'english_titel = "',
            "declaration/declaration.toml: english_titel: unknown key",
        ),
        (
            "declaration/declaration.toml",
            '"waic-2025", "ai-for-good-2025"]',
            '"waic-2030", "ai-for-good-2025"]',
            "declaration.toml clauses[number=6].events names 'waic-2030', which is not an event in events",
        ),
    ],
    ids=[
        "unknown-event-key",
        "end-before-start",
        "bad-zone",
        "duplicate-event-key",
        "datetime-not-date",
        "rough-date-not-a-whole-period",
        "unknown-signatory-key",
        "position-gap",
        "founding-member-unflagged",
        "item-number-gap",
        "footnote-call-missing",
        "footnote-called-elsewhere",
        "unknown-declaration-key",
        "unknown-event-in-clause",
    ],
)
def test_bad_file_is_rejected_naming_file_and_key(
    data_dir: Path, name: str, old: str, new: str, expected: str
) -> None:
    edit(data_dir / name, old, new)
    problems = problems_of(data_dir)
    assert any(expected in problem for problem in problems), problems


def test_every_problem_is_reported_at_once(data_dir: Path) -> None:
    edit(data_dir / "events.toml", 'timezone = "Asia/Bangkok"', 'timezone = "Bangkok"')
    edit(data_dir / "signatories.toml", 'iso3 = "FRA"', 'iso3 = "FR"')
    problems = problems_of(data_dir)
    assert len(problems) == 2
    assert problems[0].startswith(
        "signatories.toml: signatories[position=18].iso3: String should match pattern"
    )
    assert problems[1].startswith("events.toml: events[key=unesco-ethics-2025].timezone")


def test_unreadable_and_missing_files_are_named(data_dir: Path) -> None:
    edit(data_dir / "events.toml", "[[events]]", "[[events]")
    (data_dir / "signatories.toml").unlink()
    problems = problems_of(data_dir)
    assert problems[0] == "signatories.toml: file does not exist"
    assert problems[1].startswith("events.toml: not valid TOML")


def test_unknown_top_level_key_in_a_list_file(data_dir: Path) -> None:
    edit(data_dir / "events.toml", "[[events]]", "version = 2\n\n[[events]]")
    assert problems_of(data_dir) == ["events.toml: version: unknown key (the file holds only [[events]])"]


def test_error_message_names_the_data_directory(data_dir: Path) -> None:
    edit(data_dir / "events.toml", 'timezone = "Asia/Dubai"', 'timezone = "Mars/Olympus"')
    expected = r"invalid content in .*data:\n  - events.toml: events\[key=uae-2028\]\.timezone"
    with pytest.raises(ContentError, match=expected):
        load_content(data_dir)


# --- Model rules not reachable through one edit -------------------------------------------------------


def _event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "key": "test-2030",
        "name_fr": "Essai",
        "name_en": "Test",
        "kind": "summit",
        "country": "FR",
        "timezone": "Europe/Paris",
        "start": date(2030, 1, 1),
        "end": date(2030, 12, 31),
        "precision": "year",
        "description_fr": "Essai.",
        "description_en": "Test.",
        "source_urls": ["https://example.org/"],
    }
    event.update(changes)
    return event


def test_rough_dates_must_span_their_period() -> None:
    assert ShippedEvent.model_validate(_event()).precision is DatePrecision.YEAR
    ShippedEvent.model_validate(_event(precision="half_year", start=date(2030, 7, 1), end=date(2030, 12, 31)))
    ShippedEvent.model_validate(_event(precision="month", start=date(2030, 2, 1), end=date(2030, 2, 28)))
    with pytest.raises(ValidationError, match="span a whole period"):
        ShippedEvent.model_validate(
            _event(precision="quarter", start=date(2030, 2, 1), end=date(2030, 4, 30)),
        )


def test_source_urls_must_be_https() -> None:
    with pytest.raises(ValidationError, match="https://"):
        ShippedEvent.model_validate(_event(source_urls=["http://example.org/"]))


def test_models_are_frozen(content: Content) -> None:
    with pytest.raises(ValidationError):
        content.declaration.clause(1).headline = "changed"  # type: ignore[misc]


def test_text_whitespace_is_folded() -> None:
    event = ShippedEvent.model_validate(_event(description_en="  Two\n   lines.\n"))
    assert event.description_en == "Two lines."
