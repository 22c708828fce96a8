"""The structured declaration says what the source says: nothing missing, nothing added, nothing altered.

The source (data/declaration/source.md, the PDF converted to markdown) is parsed here on its own, without
the bot's code, and compared with the raw TOML files. Whitespace is folded on both sides; everything else
must match character for character.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SOURCE_PATH = DATA_DIR / "declaration" / "source.md"
DECLARATION_PATH = DATA_DIR / "declaration" / "declaration.toml"
SIGNATORIES_PATH = DATA_DIR / "signatories.toml"
# source.md is the record: a byte-exact copy of the seed file. Changing it needs a reason and a new hash.
SOURCE_SHA256 = "27dd0a3cad7810f39727459ffcf3b378b0169e84d227c0205113bf6bc8d23fdd"

BODY_START = "Les participants"
BODY_END = "inclusive et durable."
_SUPERSCRIPTS = str.maketrans("0123456789e", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵉ")
_FOOTNOTE_LINE = re.compile(r"^<sup>(\d+)</sup>\s+(.*)$")
_CLAUSE_LINE = re.compile(r"^(?:\s*-\s+)?(\d+)\.\s+(.*)$")
_LIST_MARKERS = re.compile(r"^\s*(?:-\s+)?(?:\d+\.\s+)?")
# Founding members as footnote 2 spells them -> as the signatories list spells them.
_FOOTNOTE_2_SPELLING = {"Nigeria": "Nigéria"}


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalize(line: str) -> str:
    """One markdown line of the source as plain text, following declaration.toml's conventions."""
    line = re.sub(r"<sup>([0-9e]+)</sup>", lambda match: match[1].translate(_SUPERSCRIPTS), line)
    line = line.replace("**", "").replace("*", "")
    line = re.sub(r"^#+\s*", "", line)
    return fold(_LIST_MARKERS.sub("", line, count=1))


def bold_lead(line: str) -> str | None:
    """The bold run a source line opens with, or None. Clauses 1-3 lost their opening ** in the conversion,
    so a clause line's bold run starts at its first word in any case."""
    content = _LIST_MARKERS.sub("", line, count=1)
    is_clause = _CLAUSE_LINE.match(line) is not None
    if content.startswith("**"):
        content = content[2:]
    elif not is_clause:
        return None
    end = content.find("**")
    return normalize(content[:end]) if end >= 0 else None


@dataclass(frozen=True)
class Source:
    header: list[str]  # the lines before the title, in order
    title: str
    body: str  # "Les participants" … "inclusive et durable.", footnotes and page breaks moved out
    moved_out: list[str]  # what stood inside the body and was moved out
    footnotes: dict[int, str]
    clause_lines: dict[int, str]  # raw line that starts each numbered clause
    body_lines: list[str]  # raw lines of the body, footnotes and page breaks excluded
    signatories: list[tuple[int, str]]
    closing: list[str]  # normalized lines after the signatories


def parse_source(text: str) -> Source:
    lines = text.splitlines()
    title_at = next(i for i, line in enumerate(lines) if line.startswith("### "))
    start = next(i for i, line in enumerate(lines) if BODY_START in line)
    end = next(i for i, line in enumerate(lines) if BODY_END in line)
    footnotes = {int(m[1]): normalize(m[2]) for line in lines if (m := _FOOTNOTE_LINE.match(line))}
    body_lines: list[str] = []
    moved_out: list[str] = []
    for line in lines[start : end + 1]:
        if not line.strip():
            continue
        if line.strip() == "---" or _FOOTNOTE_LINE.match(line):
            moved_out.append(line.strip())
        else:
            body_lines.append(line)
    body = fold(" ".join(normalize(line) for line in body_lines))
    body = body[body.index(BODY_START) : body.index(BODY_END) + len(BODY_END)]
    listed_at = next(i for i, line in enumerate(lines) if line.startswith("Pays signataires"))
    signatories: list[tuple[int, str]] = []
    closing: list[str] = []
    for line in lines[listed_at + 1 :]:
        match = re.match(r"^(\d+)\. (.+)$", line)
        if match and not closing:
            signatories.append((int(match[1]), match[2]))
        elif line.strip():
            closing.append(normalize(line))
    return Source(
        header=[normalize(line) for line in lines[:title_at] if line.strip() and line.strip() != "---"],
        title=normalize(lines[title_at]),
        body=body,
        moved_out=moved_out,
        footnotes=footnotes,
        clause_lines={int(m[1]): line for line in body_lines if (m := _CLAUSE_LINE.match(line))},
        body_lines=body_lines,
        signatories=signatories,
        closing=closing,
    )


# --- Readable failures --------------------------------------------------------------------------------


def _phrases(text: str) -> list[str]:
    return re.split(r"(?<=[.,;:])\s+", text)


def text_diff(expected: str, actual: str, expected_name: str = "source", actual_name: str = "toml") -> str:
    """A diff phrase by phrase, then the first differing character in context."""
    lines = difflib.unified_diff(
        _phrases(expected), _phrases(actual), expected_name, actual_name, lineterm="", n=2
    )
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), None)
    if at is None:
        at = min(len(expected), len(actual))
    context = (
        f"first difference at character {at}:\n"
        f"  {expected_name}: …{expected[max(0, at - 30) : at]}⟦{expected[at : at + 30]}⟧…\n"
        f"  {actual_name}: …{actual[max(0, at - 30) : at]}⟦{actual[at : at + 30]}⟧…"
    )
    return "\n".join([*lines, context])


def where_it_departs(haystack: str, needle: str, start: int) -> tuple[int, str]:
    """Where the longest prefix of `needle` occurs from `start`, and the source text of the same length."""
    low, high = 0, len(needle)
    while low < high:  # the longest prefix found: being found is monotonic in the prefix length
        middle = (low + high + 1) // 2
        if haystack.find(needle[:middle], start) >= 0:
            low = middle
        else:
            high = middle - 1
    at = haystack.find(needle[:low], start) if low else start
    return at, haystack[at : at + len(needle)]


# --- The pieces of declaration.toml -------------------------------------------------------------------


def join_headline(headline: str, body: str) -> str:
    if not body:
        return headline
    return headline + body if body[0] in ",.;:)" else f"{headline} {body}"


def pieces(declaration: dict[str, Any]) -> list[tuple[str, str]]:
    """Every string of the body, labelled, in reading order."""
    found: list[tuple[str, str]] = []
    for clause in declaration["clauses"]:
        number = clause["number"]
        found.append((f"clause {number} headline", fold(clause["headline"])))
        if fold(clause.get("body", "")):
            found.append((f"clause {number} body", fold(clause["body"])))
        for clause_list in clause.get("lists", []):
            if "heading" in clause_list:
                label = f"clause {number} list {clause_list['key']} heading"
                found.append((label, fold(clause_list["heading"])))
            found.extend((f"item {item['number']} text", fold(item["text"])) for item in clause_list["items"])
    return found


def reassemble(declaration: dict[str, Any]) -> str:
    """The body as the clauses read one after the other."""
    parts = []
    for clause in declaration["clauses"]:
        parts.append(join_headline(fold(clause["headline"]), fold(clause.get("body", ""))))
        for clause_list in clause.get("lists", []):
            if "heading" in clause_list:
                parts.append(fold(clause_list["heading"]))
            parts.extend(fold(item["text"]) for item in clause_list["items"])
    return " ".join(parts)


# --- The checks, as functions so that they can be shown to fail ---------------------------------------


def check_spans_in_order(source: Source, declaration: dict[str, Any]) -> None:
    cursor = 0
    for label, piece in pieces(declaration):
        at = source.body.find(piece, cursor)
        if at < 0:
            departs_at, original = where_it_departs(source.body, piece, cursor)
            pytest.fail(
                f"{label} is not the next span of the source (searching from character {cursor}; "
                f"it departs from the source around character {departs_at}):\n"
                + text_diff(original, piece, "source.md", f"declaration.toml {label}"),
                pytrace=False,
            )
        cursor = at + len(piece)


def check_reassembly(source: Source, declaration: dict[str, Any]) -> None:
    rebuilt = reassemble(declaration)
    if rebuilt != source.body:
        pytest.fail(
            "the clauses, read in order, are not the source's declaration body "
            "(- only in source.md, + only in declaration.toml):\n"
            + text_diff(source.body, rebuilt, "source.md", "declaration.toml"),
            pytrace=False,
        )


def check_headlines(source: Source, declaration: dict[str, Any]) -> None:
    """Headlines are the bold runs: clause headlines open their clause line, item headlines their item."""
    for clause in declaration["clauses"]:
        line = source.clause_lines[clause["number"]]
        assert fold(clause["headline"]) == bold_lead(line), text_diff(
            bold_lead(line) or "", fold(clause["headline"])
        )
        for clause_list in clause.get("lists", []):
            for item in clause_list["items"]:
                lines = [raw for raw in source.body_lines if normalize(raw) == fold(item["text"])]
                assert len(lines) == 1, f"item {item['number']} is not exactly one line of the source"
                headline = fold(item["headline"]) if "headline" in item else None
                assert headline == bold_lead(lines[0]), f"item {item['number']}: headline is not its bold run"


# --- Tests ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source() -> Source:
    return parse_source(SOURCE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def declaration() -> dict[str, Any]:
    return tomllib.loads(DECLARATION_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def signatories() -> list[dict[str, Any]]:
    return tomllib.loads(SIGNATORIES_PATH.read_text(encoding="utf-8"))["signatories"]


def test_source_is_the_record() -> None:
    assert hashlib.sha256(SOURCE_PATH.read_bytes()).hexdigest() == SOURCE_SHA256


def test_source_parses_as_expected(source: Source) -> None:
    # Guards this test's own reading of the conversion damage: one page break and three footnotes
    # stand inside the body, and nothing else is moved out.
    moved_out = [line.split(" ")[0] for line in source.moved_out]
    assert moved_out == ["---", "<sup>1</sup>", "<sup>2</sup>", "<sup>3</sup>"]
    assert sorted(source.clause_lines) == [1, 2, 3, 4, 5, 6]
    assert sorted(source.footnotes) == [1, 2, 3]


def test_header_fields_are_the_source_lines(source: Source, declaration: dict[str, Any]) -> None:
    fields = ["issuer", "issued", "summit", "co_chairs", "dates_place"]
    assert [declaration[field] for field in fields] == source.header
    assert declaration["title"] == source.title
    assert declaration["title_footnotes"] == [1]
    assert declaration["translation_note"] == source.closing[0]


def test_every_string_is_the_next_span_of_the_source(source: Source, declaration: dict[str, Any]) -> None:
    check_spans_in_order(source, declaration)


def test_clauses_reassemble_the_whole_body(source: Source, declaration: dict[str, Any]) -> None:
    check_reassembly(source, declaration)


def test_headlines_are_the_bold_runs(source: Source, declaration: dict[str, Any]) -> None:
    check_headlines(source, declaration)


def test_clauses_and_items_are_numbered_as_the_source(declaration: dict[str, Any]) -> None:
    clauses = declaration["clauses"]
    assert [clause["number"] for clause in clauses] == [1, 2, 3, 4, 5, 6]
    lists = {clause_list["key"]: clause_list for clause_list in clauses[2]["lists"]}
    assert list(lists) == ["priorities", "actions"]
    assert "heading" not in lists["priorities"]
    assert lists["actions"]["heading"] == "À cet effet :"
    assert [item["number"] for item in lists["priorities"]["items"]] == [f"3.{n}" for n in range(1, 7)]
    assert [item["number"] for item in lists["actions"]["items"]] == ["3.7", "3.8", "3.9"]


def test_footnotes_are_the_source_footnotes(source: Source, declaration: dict[str, Any]) -> None:
    notes = declaration["footnotes"]
    assert [note["number"] for note in notes] == [1, 2, 3]
    for note in notes:
        assert fold(note["text"]) == source.footnotes[note["number"]], text_diff(
            source.footnotes[note["number"]], fold(note["text"])
        )
    assert [note["called_from"] for note in notes] == ["title", "3.7", "4"]


def test_signatories_are_the_source_list(source: Source, signatories: list[dict[str, Any]]) -> None:
    assert len(signatories) == 60
    listed = [(entry["position"], entry["name_fr"]) for entry in signatories]
    expected = [f"{position}. {name}" for position, name in source.signatories]
    actual = [f"{position}. {name}" for position, name in listed]
    diff = difflib.unified_diff(expected, actual, "source.md", "signatories.toml", lineterm="")
    assert actual == expected, "\n".join(diff)


def test_founding_members_are_footnote_2(
    source: Source, declaration: dict[str, Any], signatories: list[dict[str, Any]]
) -> None:
    names = [name.strip() for name in source.footnotes[2].rstrip(".").split(",")]
    spelled = [_FOOTNOTE_2_SPELLING.get(name, name) for name in names]
    by_code = {entry["iso2"]: entry for entry in signatories if "iso2" in entry}
    members = declaration["footnotes"][1]["members"]
    assert [by_code[code]["name_fr"] for code in members] == spelled
    assert [entry["name_fr"] for entry in signatories if entry.get("founding_member")] == sorted(
        spelled, key=[name for _, name in source.signatories].index
    )


# --- The checks above do catch a change -----------------------------------------------------------------


def _corrupt(declaration: dict[str, Any], path: tuple[Any, ...], old: str, new: str) -> dict[str, Any]:
    corrupted = copy.deepcopy(declaration)
    node: Any = corrupted
    for step in path[:-1]:
        node = node[step]
    assert old in node[path[-1]]
    node[path[-1]] = node[path[-1]].replace(old, new, 1)
    return corrupted


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (("clauses", 4, "body"), "Bletchey", "Bletchley"),  # a typo "fixed"
        (("clauses", 0, "headline"), "100 pays", "100  pays,"),  # one character added
        (("clauses", 2, "lists", 0, "items", 1, "text"), "sûre, ", ""),  # words dropped
        (("clauses", 5, "body"), "bien social", "bien"),  # the word cut by the footnotes lost
    ],
)
def test_a_changed_character_fails(
    source: Source, declaration: dict[str, Any], path: tuple[Any, ...], old: str, new: str
) -> None:
    corrupted = _corrupt(declaration, path, old, new)
    with pytest.raises(pytest.fail.Exception):
        check_spans_in_order(source, corrupted)
    with pytest.raises(pytest.fail.Exception):
        check_reassembly(source, corrupted)


def test_a_moved_headline_boundary_fails(source: Source, declaration: dict[str, Any]) -> None:
    corrupted = copy.deepcopy(declaration)
    clause = corrupted["clauses"][1]
    sentence, _, rest = clause["body"].partition(", ")
    clause["headline"] = f"{clause['headline']} {sentence},"
    clause["body"] = rest
    check_reassembly(source, corrupted)  # the words are all there…
    with pytest.raises(AssertionError):
        check_headlines(source, corrupted)  # …but the headline is no longer the bold run
